import ArgumentParser
import Files

/// `infoplane inspect`: a readable summary of a file InfoPlane wrote (or the tree of any HDF5 file).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a readable summary of a file InfoPlane wrote: run.h5, plane.h5 (and plane-binning/kde.h5), redundancy.h5 (or the tree of any HDF5 file).")

    @Argument(help: "An HDF5 file, e.g. runs/fashion-h64/run.h5 or runs/fashion-h64/plane.h5.")
    var file: String

    @Flag(help: "Also print the run's full effective config.")
    var config = false

    func run() throws {
        for line in try FileSummary.lines(path: file, showConfig: config) { print(line) }
    }
}
