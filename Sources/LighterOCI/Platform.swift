import LighterSystem

/// An OS/architecture/variant triple, normalized the way Docker and containerd do.
public struct Platform: Hashable, Sendable, Codable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?

    enum CodingKeys: String, CodingKey {
        case os
        case architecture
        case variant
    }

    public init(os: String = "linux", architecture: String, variant: String? = nil) {
        let (arch, normalizedVariant) = Platform.normalize(architecture: architecture, variant: variant)
        self.os = os.lowercased()
        self.architecture = arch
        self.variant = normalizedVariant
    }

    /// Parse `os/arch[/variant]`, `arch[/variant]` or a kernel machine name (`aarch64`, `armv7l`).
    public init(parsing string: String) throws(LighterError) {
        let parts = string.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidArgument("platform \"\(string)\": expected os/arch[/variant], e.g. linux/arm64")
        }
        let knownOS: Set<String> = ["linux", "windows", "darwin", "freebsd"]
        if knownOS.contains(parts[0]) {
            guard parts.count >= 2 else {
                throw .invalidArgument("platform \"\(string)\": missing architecture (e.g. linux/arm64)")
            }
            self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : nil)
        } else {
            guard parts.count <= 2 else {
                throw .invalidArgument("platform \"\(string)\": unknown operating system \"\(parts[0])\"")
            }
            self.init(os: "linux", architecture: parts[0], variant: parts.count == 2 ? parts[1] : nil)
        }
        guard Platform.knownArchitectures.contains(architecture) else {
            throw .invalidArgument("platform \"\(string)\": unknown architecture \"\(architecture)\"")
        }
    }

    public static let knownArchitectures: Set<String> = [
        "amd64", "386", "arm64", "arm", "riscv64", "ppc64le", "s390x", "mips64le", "mips64", "mipsle", "mips", "loong64",
    ]

    /// Docker/containerd normalization: x86_64→amd64, aarch64→arm64 (variant v8 dropped),
    /// armv7l/armhf→arm/v7, armv6l/armel→arm/v6, i386/i686→386; arm without variant means v7.
    public static func normalize(architecture: String, variant: String?) -> (String, String?) {
        let arch = architecture.lowercased()
        let variant = variant?.lowercased()
        switch arch {
        case "x86_64", "x86-64", "amd64": return ("amd64", nil)
        case "i386", "i486", "i586", "i686", "386": return ("386", nil)
        case "aarch64", "arm64":
            return ("arm64", (variant == "8" || variant == "v8") ? nil : variant)
        case "armhf", "armv7l", "armv7": return ("arm", "v7")
        case "armel", "armv6l", "armv6": return ("arm", "v6")
        case "armv5", "armv5l", "armv5tel": return ("arm", "v5")
        case "arm":
            switch variant {
            case nil, "7", "v7": return ("arm", "v7")
            case "6", "v6": return ("arm", "v6")
            case "5", "v5": return ("arm", "v5")
            case "8", "v8": return ("arm64", nil)
            default: return ("arm", variant)
            }
        default: return (arch, variant)
        }
    }

    public var description: String {
        variant.map { "\(os)/\(architecture)/\($0)" } ?? "\(os)/\(architecture)"
    }

    /// The platform of the machine running Lighter.
    public static var host: Platform {
        #if arch(x86_64)
        Platform(architecture: "amd64")
        #elseif arch(arm64)
        Platform(architecture: "arm64")
        #elseif arch(arm)
        Platform(architecture: "arm", variant: "v7")
        #elseif arch(i386)
        Platform(architecture: "386")
        #else
        Platform(architecture: "unknown")
        #endif
    }

    /// Can a machine of platform `self` run an image built for `image`? arm/v7 also runs v6 and v5,
    /// never the reverse; arm64 runs only arm64 (emulation is decided elsewhere).
    public func canRun(_ image: Platform) -> Bool {
        guard os == image.os, architecture == image.architecture else { return false }
        guard architecture == "arm" else { return variant == image.variant || image.variant == nil }
        let order = ["v5": 5, "v6": 6, "v7": 7, "v8": 8]
        let mine = order[variant ?? "v7"] ?? 7
        let theirs = order[image.variant ?? "v7"] ?? 7
        return theirs <= mine
    }
}

extension Platform: JSONConvertible {
    /// As stored (no normalisation: what was written was already normalised).
    public init(json: JSONNode, path: JSONPath) throws(LighterError) {
        let f = try JSONFields(json, path)
        os = try f.required("os")
        architecture = try f.required("architecture")
        variant = try f.optional("variant")
    }

    public var json: JSONNode { .object(["os": os, "architecture": architecture, "variant": variant]) }
}
