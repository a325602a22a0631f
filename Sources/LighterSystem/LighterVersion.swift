/// Lighter's version, in one place: `version`, `info`, `--version` and the event log read it.
/// A release build may rewrite `gitCommit` and `buildTime` (scripts/build-release.sh); left empty,
/// `version` shows the binary's modification time as its build time.
public enum LighterVersion {
    public static let version = "0.1.0"
    /// The Docker Engine API version whose CLI behaviour Lighter follows, and the oldest it accepts.
    public static let apiVersion = "1.41"
    public static let minimumAPIVersion = "1.12"
    public static let gitCommit = ""
    public static let buildTime = ""

    /// The Swift compiler the binary was built with ("swift6.3").
    public static var swiftVersion: String {
        #if compiler(>=6.4)
        return "swift6.4+"
        #elseif compiler(>=6.3)
        return "swift6.3"
        #elseif compiler(>=6.2)
        return "swift6.2"
        #elseif compiler(>=6.1)
        return "swift6.1"
        #else
        return "swift6.0"
        #endif
    }
}
