import Foundation
import Testing

/// One hostile input: the command line (`{fixtures}` is ``BadInputFixtures``' directory,
/// `{run}` the case directory's run file) and the fragments its one error line must name.
struct BadInput: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var fragments: [String]
    /// A fixture run file copied to `<case>/run.h5`, beside a good plane.h5 and plane.csv.
    var runFile: String?
    /// A good smoke run already in `<case>/runs/smoke/run.h5` (for `--force` cases).
    var goodRun = false
    /// Run under `mpirun -np ranks` (0: alone).
    var ranks = 0

    var testDescription: String {
        let shown = arguments.map { $0.count > 60 ? $0.prefix(40) + "…(\($0.count) characters)" : $0 }
        return (ranks > 0 ? "mpirun -np \(ranks) " : "") + shown.joined(separator: " ")
    }
}

private func config(_ arguments: String..., says fragments: [String], goodRun: Bool = false, ranks: Int = 0) -> BadInput {
    BadInput(arguments: arguments, fragments: fragments, goodRun: goodRun, ranks: ranks)
}

private func analyze(_ runFile: String, _ options: String..., says fragments: [String], command: String = "analyze", ranks: Int = 0) -> BadInput {
    BadInput(arguments: [command, "{run}"] + options + (command == "analyze" ? ["--force"] : []), fragments: fragments,
             runFile: runFile, ranks: ranks)
}

private func estimate(_ options: String..., says fragments: [String]) -> BadInput {
    BadInput(arguments: ["estimate", "--input", "{fixtures}/arrays.h5"] + options, fragments: fragments)
}

private let smoke = "\(packageRoot)/configs/smoke.yaml"

/// Every class of bad input the suite refuses up front (issue 12): exit status non-zero,
/// exactly one line on stderr (under mpirun, one `Error:` line) naming the problem and the
/// fix, no crash, and the case's directory exactly as it was (no output file or directory
/// created, a good output already there untouched).
@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        // Config files.
        config("train", "{fixtures}/empty.yaml", says: ["empty.yaml is empty", "write the keys"]),
        config("train", "{fixtures}/comment.yaml", says: ["comment.yaml is empty"]),
        config("train", "{fixtures}/bomb.yaml", says: ["more than 100000 values", "aliases"]),
        config("train", "{fixtures}/deep.yaml", says: ["nests more than 64 levels"]),
        config("train", "{fixtures}/deep-block.yaml", says: ["nests more than 64 levels"]),
        config("train", "{fixtures}/chain.yaml", says: ["nests more than 64 levels", "aliases included"]),
        config("train", "{fixtures}/big.yaml", says: ["larger than 1 MiB"]),
        config("train", "{fixtures}/folder.yaml", says: ["is a directory"]),
        config("train", "{fixtures}/binary.yaml", says: ["UTF-8"]),
        config("train", "{fixtures}/missing.yaml", says: ["no such config file"]),
        config("train", "/dev/zero", says: ["larger than 1 MiB"]),
        config("train", "{fixtures}/no-value.yaml", says: ["'training.epochs' has no value"]),
        config("train", "{fixtures}/twice.yaml", says: ["'seed' appears twice"]),
        config("train", "{fixtures}/syntax.yaml", says: ["not valid YAML"]),
        config("train", "{fixtures}/unknown.yaml", says: ["unknown key 'trainign'", "training"]),
        // --set values.
        config("train", smoke, "--set", "training.epochs=", says: ["--set training.epochs= has no value"]),
        config("train", smoke, "--set", "training.epochs", says: ["key=value"]),
        config("train", smoke, "--set", "training.learning_rate=0.0", says: ["'training.learning_rate' = 0.0 is impossible", "greater than 0"]),
        config("train", smoke, "--set", "training.epochs=-1", says: ["'training.epochs' = -1 is impossible"]),
        // Issue 16: every range check names its key, and negative numbers reach it.
        config("train", smoke, "--set", "training.learning_rate=-1", says: ["'training.learning_rate' = -1 is impossible"]),
        config("train", smoke, "--set", "training.learning_rate=1e-60", says: ["'training.learning_rate' = 1e-60 is impossible", "float32"]),
        config("train", smoke, "--set", "training.epsilon=1e-50", says: ["'training.epsilon' = 1e-50 is impossible", "float32"]),
        config("train", smoke, "--set", "training.beta2=0.999999999", says: ["'training.beta2' = 0.999999999 is impossible", "float32"]),
        config("bench", "training", "--lr", "-1", says: ["--lr -1.0 is impossible"]),
        config("bench", "training", "--lr", "1e-60", says: ["--lr 1e-60 is impossible"]),
        config("bench", "gemm", "--seconds", "-0.5", says: ["--seconds -0.5 is impossible"]),
        config("bench", "gemm", "--width", "-5", says: ["--width -5 is impossible"]),
        config("train", smoke, "--set", "training.epochs=many", says: ["'training.epochs' must be a whole number"]),
        config("train", smoke, "--set", "training.momentum=nan", says: ["'training.momentum' must be a finite number"]),
        config("train", smoke, "--set", "model.hidden=[]", says: ["'model.hidden' is empty"]),
        config("train", smoke, "--set", "name=a/b", says: ["cannot name a run directory"]),
        config("train", smoke, "--set", "analysis.k=500", says: ["'analysis.k' = 500 is impossible"]),
        config("train", smoke, "--set", "dataset.evaluation_size=100000", says: ["larger than the test split"]),
        config("train", smoke, "--set", "training..epochs=3", says: ["key must be a dotted name"]),
        config("train", smoke, "--set", "dataset.label_noise=1", says: ["'dataset.label_noise' = 1 would replace every label", "0 ≤ p < 1"]),
        config("train", smoke, "--set", "dataset.label_noise=-0.1", says: ["'dataset.label_noise' = -0.1 is impossible"]),
        config("train", smoke, "--set", "dataset.label_noise=lots", says: ["'dataset.label_noise' must be a finite number"]),
        config("train", "\(packageRoot)/configs/regression.yaml", "--set", "dataset.label_noise=0.2", says: ["'dataset.label_noise' applies only to class labels"]),
        config("train", smoke, "--set", "seed=" + String(repeating: "[", count: 100_000), says: ["--set seed", "nests more than 64"]),
        // model.layers (issue 13): impossible networks, named by key, before the images are read.
        config("train", smoke, "--set", "model.layers=[{dense: 8}]", says: ["'model.hidden' and 'model.layers' both describe", "not both"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{conv: 0}]", says: ["'model.layers[1].conv' = 0 is impossible"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{conv: 4, kernel: 4}]", says: ["'model.layers[1].kernel' = 4", "use 3 or 5"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{conv: 4, kernal: 3}]",
               says: ["unknown key 'model.layers[1].kernal'", "did you mean 'model.layers[1].kernel'"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{pool: 2}, {pool: 2}, {pool: 2}]",
               says: ["model.layers", "pool3 (layer 3) gets 7×7 maps", "even height and width"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{dense: 8}, {conv: 4}]",
               says: ["model.layers", "conv1 (layer 2) follows a flatten or dense layer"]),
        config("train", "{fixtures}/cnn.yaml", "--set", "model.layers=[{pool: 2, record: false}]", says: ["'model.layers' records no layer"]),
        config("run", "{fixtures}/cnn.yaml", "--set", "snapshots.store=pixels", says: ["'snapshots.store' is 'pixels'", "activations, projections"]),
        // Sizes that pass validation but cannot be allocated.
        config("train", smoke, "--set", "model.hidden=[1000000,1000000]", "--force", says: ["per rank", "narrow model.hidden"], goodRun: true),
        config("run", "{fixtures}/cnn.yaml", "--set", "model.layers=[{conv: 60000}, {dense: 8}]", says: ["per rank", "narrow model.layers"]),
        config("run", smoke, "--set", "dataset.test_size=200000", "--set", "dataset.evaluation_size=200000",
               "--set", "analysis.slices=10000000", says: ["per rank", "lower analysis.slices"]),
        config("train", smoke, "--set", "dataset.train_size=10000000", "--set", "dataset.features=100000",
               says: ["per rank", "dataset.train_size"]),
        // Labels the plane cannot be measured against.
        config("run", smoke, "--set", "dataset.classes=500", "--set", "dataset.test_size=500", "--set", "dataset.evaluation_size=400",
               says: ["class of its own", "micd"]),
        // Options.
        config("train", smoke, "--resume", "--force", says: ["contradict"]),
        config("train", says: ["Missing expected argument", "infoplane train --help"]),
        config("train", smoke, "--bogus", says: ["Unknown option '--bogus'", "--help"]),
        analyze("good.h5", "--slices", "-1", says: ["--slices -1 is impossible"]),
        analyze("good.h5", "--k", "-1", says: ["--k -1 is impossible"]),
        analyze("good.h5", "--k", "nan", says: ["'nan' is invalid for '--k", "infoplane analyze --help"]),
        analyze("good.h5", "--k", "", says: ["'' is invalid for '--k"]),
        analyze("good.h5", "--seed", "-1", says: ["'-1' is invalid for '--seed"]),
        analyze("good.h5", "--slices", "1000000000", says: ["--slices 1000000000 is impossible", "10000000"]),
        analyze("good.h5", "--slices", "10000000", says: ["per rank", "lower --slices"]),
        analyze("good.h5", "--k", "99999999", says: ["needs more samples than neighbours"]),
        analyze("good.h5", "--layers", "-1", says: ["no layer -1", "--layers"]),
        analyze("good.h5", "--epochs", "7", says: ["no snapshot at epoch 7"]),
        analyze("good.h5", "--bins", "5", says: ["--bins applies to --method binning"]),
        analyze("good.h5", "--method", "magic", says: ["--method magic is unknown"]),
        // Issue 17's options (good.h5: inputs of 3 features, layers of 4 and 2 units, 2 snapshots).
        analyze("good.h5", "--method", "pca", "--components", "0", says: ["--components 0 is impossible"]),
        analyze("good.h5", "--method", "pca", "--components", "3", says: ["--components 3 exceeds the width of layer_2 (2)", "--layers"]),
        analyze("good.h5", "--components", "2", says: ["--components applies to --method pca"]),
        analyze("good.h5", "--method", "pca", "--slices", "8", says: ["--slices applies to the sliced analysis"]),
        analyze("good.h5", "--pool-epochs", "3", says: ["--pool-epochs 3 exceeds the 2 snapshot(s)", "choose 1 to 2"]),
        analyze("good.h5", "--pool-epochs", "0", says: ["--pool-epochs 0 is impossible"]),
        analyze("good.h5", "--pool-epochs", "2", "--method", "kde", says: ["--pool-epochs applies to the sliced analysis"]),
        analyze("good.h5", "--estimator", "magic", says: ["--estimator magic is unknown", "wkl"]),
        analyze("good.h5", "--estimator", "wkl", says: ["--estimator wkl applies to analyze", "ross or micd"], command: "redundancy"),
        config("train", smoke, "--set", "analysis.estimator=wkl", "--set", "analysis.label_estimator=ross",
               says: ["'analysis.estimator: wkl' estimates S1(T;Y) as micd"]),
        config("train", smoke, "--set", "analysis.estimator=ksd", says: ["'analysis.estimator' is 'ksd'", "ksg, wkl"]),
        estimate("--x", "x", "--y", "y", "--pca", "0", says: ["--pca 0 is impossible"]),
        estimate("--x", "x", "--y", "y", "--pca", "3", says: ["--pca 3 exceeds the width of the data (2 columns)"]),
        estimate("--x", "x", "--y", "y", "--pca", "2", "--slices", "10", says: ["--pca estimates unsliced", "drop --slices"]),
        estimate("--x", "x", "--y", "y", "--pca", "2", "--estimator", "kde", says: ["--pca compresses for KSG"]),
        estimate("--x", "x", "--y", "y", "--estimator", "wkl", "--stiefel", "2", says: ["--estimator wkl", "drop --stiefel"]),
        estimate("--x", "x", "--y", "y", "--estimator", "wkl", "--full", "--k", "1", says: ["weighted KL entropy in 5 dimensions needs k ≥ 2"]),
        analyze("good.h5", "--threads", "0", says: ["--threads 0 is impossible"], command: "redundancy"),
        estimate("--x", "x", "--y", "y", "--threads", "-1", says: ["--threads -1 is impossible"]),
        estimate("--x", "x", "--y", "y", "--jitter", "nan", says: ["--jitter nan is impossible"]),
        estimate("--x", "x", "--y", "y", "--slices", "1000000000", says: ["--slices 1000000000 is impossible"]),
        estimate("--x", "x", "--y", "y", "--k", "-5", says: ["--k -5 is impossible"]),
        estimate("--x", "x", "--y", "y", "--jitter", "-1", says: ["--jitter -1.0 is impossible"]),
        estimate("--x", "x", "--y", "y", "--discrete-y", "--continuous-y", says: ["contradict"]),
        // Arrays for estimate.
        estimate("--x", "zero_columns", "--y", "y", says: ["'zero_columns' has shape 300×0", "d ≥ 1"]),
        estimate("--x", "zero_rows", "--y", "zero_rows", says: ["0 sample(s)"]),
        estimate("--x", "x", "--y", "singletons", "--discrete-y", says: ["class of its own", "micd"]),
        estimate("--x", "x", "--y", "singletons", "--discrete-y", "--full", says: ["class of its own"]),
        estimate("--x", "x", "--y", "one_class", "--discrete-y", says: ["single class"]),
        estimate("--x", "nan", "--y", "y", says: ["holds nan at row 9"]),
        estimate("--x", "missing", "--y", "y", says: ["no dataset 'missing'"]),
        estimate("--x", "x", "--y", "reals", "--discrete-y", says: ["holds float64 values", "integer class labels"]),
        estimate("--x", "x", "--y", "y", "--discrete-y", says: ["has shape 300×2", "one value per sample"]),
        estimate("--x", "x", "--y", "short", says: ["samples"]),
        estimate("--x", "x", "--y", "big_labels", "--discrete-y", says: ["outside the 32-bit range"]),
        BadInput(arguments: ["estimate", "--input", "{fixtures}/text.h5", "--x", "x", "--y", "y"], fragments: ["text.h5"]),
        // Run files.
        analyze("nan-layer.h5", says: ["layer_2 holds nan", "not finite"]),
        analyze("zero-columns.h5", says: ["no features (zero columns)"]),
        analyze("zero-width.h5", says: ["has shape 20000×0", "width ≥ 1"]),
        analyze("layer-1d.h5", says: ["activations must be n × width"]),
        analyze("singletons.h5", says: ["class of its own", "micd"]),
        analyze("one-class.h5", says: ["single class"]),
        analyze("float-labels.h5", says: ["integer class labels"]),
        analyze("short-labels.h5", says: ["/evaluation/labels must hold 20000"]),
        analyze("empty-inputs.h5", says: ["at least 2 samples"]),
        analyze("nan-inputs.h5", says: ["/evaluation/inputs holds nan"]),
        analyze("no-snapshots.h5", says: ["no /snapshots group"]),
        analyze("no-evaluation.h5", says: ["no /evaluation/inputs"]),
        analyze("empty-snapshot.h5", says: ["holds no layer datasets"]),
        analyze("negative-epoch.h5", says: ["has epoch -3", "epochs count from 0"]),
        analyze("config-bomb.h5", says: ["more than 100000 values"]),
        analyze("text.h5", says: ["is not an HDF5 file"]),
        analyze("singletons.h5", says: ["class of its own"], command: "redundancy"),
        analyze("good.h5", says: ["was not written by infoplane train/run", "dataset.evaluation_split: train"], command: "memorisation"),
        analyze("good.h5", "--threads", "0", says: ["--threads 0 is impossible"], command: "memorisation"),
        analyze("nan-layer.h5", "--method", "binning", says: ["not finite"]),
        // Under MPI: one Error line, every rank ends.
        config("run", "{fixtures}/empty.yaml", says: ["empty.yaml is empty"], ranks: 2),
        config("run", smoke, "--set", "model.hidden=[1000000,1000000]", says: ["narrow model.hidden"], ranks: 2),
        analyze("nan-layer.h5", says: ["not finite"], ranks: 2),
        analyze("good.h5", "--slices", "10000000", says: ["lower --slices"], ranks: 3),
    ]

    @Test func theTableIsLarge() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases) func refusedInOneLineWithNothingWritten(_ input: BadInput) throws {
        let fixtures = try BadInputFixtures.directory.get()
        let dir = try temporaryDirectory("bad-case")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if let runFile = input.runFile {
            try FileManager.default.copyItem(atPath: "\(fixtures)/\(runFile)", toPath: "\(dir)/run.h5")
            for output in ["plane.h5", "plane.csv"] {
                try FileManager.default.copyItem(atPath: "\(fixtures)/good/\(output)", toPath: "\(dir)/\(output)")
            }
        }
        if input.goodRun {
            try FileManager.default.createDirectory(atPath: "\(dir)/runs/smoke", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(fixtures)/good/run.h5", toPath: "\(dir)/runs/smoke/run.h5")
        }
        let before = try Self.contents(of: dir)
        let arguments = input.arguments.map {
            $0.replacingOccurrences(of: "{fixtures}", with: fixtures).replacingOccurrences(of: "{run}", with: "\(dir)/run.h5")
        }
        let result = input.ranks > 0
            ? try runProcess("/usr/bin/mpirun", ["-np", "\(input.ranks)", "--oversubscribe", infoplaneBinary] + arguments,
                             environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"], directory: dir)
            : try runProcess(infoplaneBinary, arguments, directory: dir)
        expectOneLineError(result, input.fragments, underMPI: input.ranks > 0)
        #expect(!result.stderr.contains("Precondition failed") && !result.stderr.contains("Signal"), "\(result.stderr)")
        #expect(try Self.contents(of: dir) == before, "the case directory changed")
    }

    /// Every file and directory under `dir` with its bytes (directories: empty).
    static func contents(of dir: String) throws -> [String: Data] {
        var entries: [String: Data] = [:]
        for path in FileManager.default.enumerator(atPath: dir)?.compactMap({ $0 as? String }) ?? [] {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: "\(dir)/\(path)", isDirectory: &isDirectory)
            entries[path] = isDirectory.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(path)"))
        }
        return entries
    }
}
