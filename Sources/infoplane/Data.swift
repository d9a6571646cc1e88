import ArgumentParser
import Config
import Learning
import Support

/// `infoplane data`: the dataset catalog (`list`) and fetching MNIST (`fetch`). The type is not
/// called `Data`, which would shadow Foundation's.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List the dataset catalog or fetch a dataset.",
        subcommands: [List.self, Fetch.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show each catalog dataset, where it is read from, and whether its files are present and intact.")

        func run() throws {
            for name in DatasetCatalog.names {
                print(DatasetCatalog.status(of: name, directory: nil).description)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a dataset and verify its SHA-256 checksums (needs a network).",
            discussion: "Only mnist is fetched; fashion-mnist comes from Debian's dataset-fashion-mnist package.")

        @Argument(help: "Dataset name: mnist.")
        var name: String

        @Option(help: "Directory to fill (default: $INFOPLANE_DATA/mnist or ~/.cache/infoplane/mnist).")
        var dir: String?

        func validate() throws {
            switch ExperimentConfig.DatasetSection.Name(rawValue: name) {
            case .mnist: break
            case .fashionMNIST:
                throw InfoPlaneError("fashion-mnist is not fetched: install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
            default:
                throw InfoPlaneError("unknown dataset '\(name)': only mnist can be fetched")
            }
        }

        func run() throws {
            let directory = dir ?? DatasetCatalog.defaultDirectory(for: "mnist")!
            try MNISTFetcher.fetch(into: directory) { print($0) }
            print("mnist: all four files present and verified in \(directory)")
        }
    }
}
