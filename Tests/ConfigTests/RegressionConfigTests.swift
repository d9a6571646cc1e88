@testable import Config
import Support
import Testing

/// configs/regression.yaml and the `quadratic` dataset's keys.
@Suite struct RegressionConfigTests {
    @Test func shippedRegressionConfigLoads() throws {
        let config = try ExperimentConfig.load(path: "\(configsDirectory)/regression.yaml")
        #expect(config.dataset.name == .quadratic && config.dataset.trainSize == 2000 && config.dataset.evaluationSize == 1000)
        #expect(config.model.hidden == [8, 8, 8, 8] && config.model.activation == .relu && config.training.loss == .mse)
        #expect(config.analysis.shuffleBaseline)
        // The split sizes are part of the run's identity (resume compares them).
        #expect(config.canonicalText.contains("  train_size: 2000\n  test_size: 1000\n"))
    }

    @Test func quadraticTakesSplitSizesButNotClasses() throws {
        let config = try ExperimentConfig.parse(yaml: "dataset:\n  name: quadratic\n  train_size: 50\n", source: "inline")
        #expect(config.dataset.trainSize == 50 && config.dataset.evaluationSize == 500)
        #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: "dataset:\n  name: quadratic\n  classes: 3\n", source: "inline")
        }
        let error = #expect(throws: InfoPlaneError.self) {
            try ExperimentConfig.parse(yaml: "dataset:\n  name: mnist\n  test_size: 50\n", source: "inline")
        }
        #expect(error?.description.contains("'dataset.test_size' applies only to generated datasets") == true)
    }
}
