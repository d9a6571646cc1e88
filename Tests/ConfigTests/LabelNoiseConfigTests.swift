import Config
import Support
import Testing

/// `dataset.label_noise` and a catalog dataset's `dataset.train_size`: parsed, in the canonical
/// text only when set (so runs without them keep their text and digests), and refused with one
/// line naming the key.
@Suite struct LabelNoiseConfigTests {
    @Test func noiseAndTrainSizeAreReadAndAppearInTheCanonicalTextOnlyWhenSet() throws {
        let plain = try ExperimentConfig.parse(yaml: "dataset:\n  name: fashion-mnist\n", source: "inline")
        #expect(plain.dataset.labelNoise == 0 && plain.dataset.trainLimit == nil)
        #expect(!plain.canonicalText.contains("label_noise") && !plain.canonicalText.contains("train_size"))
        let zero = try ExperimentConfig.parse(yaml: "dataset:\n  name: fashion-mnist\n  label_noise: 0\n", source: "inline")
        #expect(zero.canonicalText == plain.canonicalText)
        let noisy = try ExperimentConfig.parse(yaml: "dataset:\n  name: fashion-mnist\n  train_size: 5000\n  label_noise: 0.4\n", source: "inline")
        #expect(noisy.dataset.labelNoise == 0.4 && noisy.dataset.trainLimit == 5000)
        #expect(noisy.canonicalText.contains("  train_size: 5000\n  label_noise: 0.4"))
        // The canonical text reads back to the same config.
        #expect(try ExperimentConfig.parse(yaml: noisy.canonicalText, source: "canonical") == noisy)
        // Differences name the key (resume's refusal lists them).
        #expect(CanonicalText.differences(plain.canonicalText, noisy.canonicalText).contains { $0.contains("label_noise") })
    }

    @Test(arguments: [
        ("1", "'dataset.label_noise' = 1 would replace every label"),
        ("1.5", "'dataset.label_noise' = 1.5 is impossible"),
        ("-0.2", "'dataset.label_noise' = -0.2 is impossible"),
        ("nan", "'dataset.label_noise' must be a finite number"),
        ("a lot", "'dataset.label_noise' must be a finite number"),
    ])
    func impossibleFractionsAreRefusedNamingTheKey(value: String, message: String) {
        let error = #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: "dataset:\n  name: fashion-mnist\n  label_noise: \(value)\n", source: "inline")
        }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func regressionTakesNoLabelNoise() {
        let error = #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: "dataset:\n  name: quadratic\n  label_noise: 0.2\n", source: "inline")
        }
        #expect(error?.description.contains("'dataset.label_noise' applies only to class labels") == true)
    }
}

/// The shipped memorisation config records the training images it trains on.
@Suite struct MemorisationConfigTests {
    @Test func theShippedConfigRecordsEveryTrainingImageItTrainsOn() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/memorisation.yaml", overrides: ["dataset.label_noise=0.8"])
        #expect(config.dataset.evaluationSplit == .train && config.dataset.trainLimit == config.dataset.evaluationSize)
        #expect(config.dataset.labelNoise == 0.8 && config.model.hidden == [64, 64, 64])
    }
}
