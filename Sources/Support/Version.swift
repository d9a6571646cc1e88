/// The tool's version, recorded in every file it writes and printed by `infoplane --version`.
public enum InfoPlaneVersion {
    /// The version as written into files (`tool_version`).
    public static let string = "0.1.0"
}
