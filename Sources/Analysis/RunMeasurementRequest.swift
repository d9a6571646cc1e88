import Config
import Files

/// What a gathered measurement of a run file was asked for (`infoplane redundancy`,
/// `infoplane memorisation`); nil fields take the settings file, then the run's config (its
/// analysis section), then the defaults (m = 1000, k = 5, ross, seed 0).
public struct RunMeasurementRequest: Sendable {
    /// The run file.
    public var runPath: String
    /// nil: the measurement's own file (`redundancy.h5`, `memorisation.h5`) beside the run file.
    public var out: String?
    /// A settings file's values (between the options and the run's own).
    public var config: AnalysisOverrides?
    /// Settings, layers and epochs the command line sets.
    public var selection = SliceSelection()
    /// Replace existing outputs.
    public var force = false
    /// Print no progress.
    public var quiet = false
    /// Threads per rank; nil: the cores shared among the ranks.
    public var threads: Int?

    /// A request with every setting from the run file.
    public init(runPath: String) { self.runPath = runPath }

    /// Rank 0's first checks for `command`: the run file opened, the output (`out`, or `file`
    /// beside the run file) and its CSV (`csvPath`) free to write, and the settings settled
    /// (options, then the settings file, then the run's own).
    func opened(command: String, file: String, csvPath: (String) -> String) throws
        -> (reader: RunFileReader, outPath: String, settings: AnalysisSettings) {
        let reader = try RunFileReader.open(runPath, command: command)
        let outPath = out ?? RunDirectory.beside(runPath, file)
        try OutputTarget.check([outPath, csvPath(outPath)], inputs: [runPath], force: force)
        let settings = try RunSelection.settings(of: reader) { settings in
            selection.settings.applied(to: config?.applied(to: settings) ?? settings)
        }
        return (reader, outPath, settings)
    }
}

/// What `infoplane redundancy` was asked for.
public typealias RedundancyRequest = RunMeasurementRequest
/// What `infoplane memorisation` was asked for.
public typealias MemorisationRequest = RunMeasurementRequest
