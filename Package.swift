// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Lighter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lighter", targets: ["lighter"]),
    ],
    dependencies: [],
    targets: [
        // C: the small shim for syscalls Swift cannot call directly (openat2, clone, setns ...).
        .target(name: "CLighter", path: "Sources/CLighter"),
        // Well-kept C libraries, linked from the system (Debian's -dev packages).
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        // libzstd, for layer deltas: a target layer compressed with the base's layers as its prefix
        // (the engine of `zstd --patch-from`).
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // zlib, for layer blobs written and re-made one gzip member at a time (GzipMembers).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSeccomp", path: "Sources/CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        // OpenSSL's libcrypto, for SHA-256 only (SHA-NI / ARMv8 assembly, ~25 KB linked statically).
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Debian ships no pkg-config file for mbedTLS 2.28: the module map names its three libraries.
        .systemLibrary(name: "CMbedTLS", path: "Sources/CMbedTLS", providers: [.apt(["libmbedtls-dev"])]),

        // Errors, syscalls, durable files, locks, SHA-256: what every module stands on.
        .target(name: "LighterSystem", dependencies: ["CLighter", "CLibCrypto"]),
        // OCI image-spec and Docker schema2 types, digests, platforms, references.
        .target(name: "LighterOCI", dependencies: ["LighterSystem"]),
        // Layer tar streams: apply into a snapshot safely, write tars for save.
        .target(name: "LighterArchive", dependencies: ["LighterSystem", "LighterOCI", "CArchive", "CZstd", "CZlib", "CLighter"]),
        // The data root's SQLite database: one connection, each module's own migrations (DataRoot).
        .target(name: "LighterDatabase", dependencies: ["LighterSystem", "CSQLite", "CLighter"]),
        // Content store (blobs), snapshots, images and their tables.
        .target(name: "LighterStore", dependencies: ["LighterSystem", "LighterOCI", "LighterArchive", "LighterDatabase", "CLighter"]),
        // The OCI runtime: namespaces, mounts, cgroups, capabilities, seccomp, container state.
        .target(name: "LighterRuntime", dependencies: ["LighterSystem", "CLighter", "CSeccomp"]),
        // Foreign architectures: QEMU user emulation through binfmt_misc.
        .target(name: "LighterEmulation", dependencies: ["LighterSystem", "LighterOCI"]),
        // Containers: create, run (through the runtime and a per-container monitor), stop, remove, logs.
        .target(name: "LighterEngine", dependencies: ["LighterSystem", "LighterOCI", "LighterStore", "LighterArchive", "LighterRuntime", "LighterEmulation", "LighterNetwork", "LighterDatabase", "CLighter"]),
        // Networking: rtnetlink links/addresses/routes, IPAM in the store, bridges, nftables NAT and publishing.
        .target(name: "LighterNetwork", dependencies: ["LighterSystem", "LighterDatabase", "CLighter"]),
        // A small blocking HTTP/1.1 client: TLS through mbedTLS, names resolved without NSS (hosts file, DNS stub).
        .target(name: "LighterHTTP", dependencies: ["LighterSystem", "CLighter", "CMbedTLS"]),
        // OCI distribution client: pull, push, login against registries.
        .target(name: "LighterRegistry", dependencies: ["LighterSystem", "LighterOCI", "LighterStore", "LighterArchive", "LighterHTTP"]),
        // The host: kernel config and running-system checks (check-config, info).
        .target(name: "LighterHost", dependencies: ["LighterSystem", "LighterArchive", "LighterEmulation"]),
        // Go's text/template (with Docker's functions) over JSON values: every --format.
        .target(name: "LighterTemplate", dependencies: ["LighterSystem"]),
        // Dockerfiles to images: the parser (pure), the executor (RUN through the engine, layers committed
        // through the store) and the build cache.
        .target(name: "LighterBuild", dependencies: ["LighterSystem", "LighterOCI", "LighterArchive", "LighterDatabase", "LighterStore", "LighterEngine", "LighterRegistry", "LighterHTTP", "CArchive", "CLighter"]),
        // The Docker Engine API's HTTP/1.1 server over unix sockets and TCP with TLS (`lighter daemon`): parser, router, hijack.
        .target(name: "LighterAPI", dependencies: ["LighterSystem", "LighterHTTP", "CLighter"]),
        // Command-line parsing (ArgumentParser's API subset the CLI uses, Docker's flag rules), help, completions.
        .target(name: "LighterArguments"),
        // The command line.
        .target(name: "LighterCLI", dependencies: [
            "LighterAPI", "LighterBuild", "LighterSystem", "LighterTemplate", "LighterOCI", "LighterArchive", "LighterDatabase", "LighterStore", "LighterRuntime", "LighterHost", "LighterEngine", "LighterEmulation", "LighterNetwork", "LighterRegistry",
            "LighterArguments",
        ]),
        .executableTarget(name: "lighter", dependencies: ["LighterCLI", "LighterRuntime", "LighterEngine", "LighterBuild"]),
        // Fuzz targets for every parser of outside input: scripts/fuzz/build.sh builds them with libFuzzer;
        // the plain build is a reproducer (`lighter-fuzz TARGET FILE...`).
        .executableTarget(name: "lighter-fuzz", dependencies: [
            "LighterSystem", "LighterOCI", "LighterArchive", "LighterHTTP", "LighterNetwork", "LighterRegistry",
            "LighterRuntime", "LighterTemplate", "LighterAPI", "LighterBuild",
        ], path: "scripts/fuzz/Sources/lighter-fuzz"),

        .target(name: "LighterTestSupport", dependencies: ["LighterSystem", "CLighter"], path: "Tests/LighterTestSupport"),
        .testTarget(name: "LighterAPITests", dependencies: ["LighterAPI", "LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterSystemTests", dependencies: ["LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterOCITests", dependencies: ["LighterOCI", "LighterTestSupport"]),
        .testTarget(name: "LighterTemplateTests", dependencies: ["LighterTemplate", "LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterStoreTests", dependencies: ["LighterStore", "LighterDatabase", "LighterEngine", "LighterOCI", "LighterArchive", "LighterTestSupport"]),
        .testTarget(name: "LighterCLIParseTests", dependencies: ["LighterCLI", "LighterArguments", "LighterHTTP", "LighterSystem"]),
        .testTarget(name: "LighterArgumentsTests", dependencies: ["LighterArguments"]),
        .testTarget(name: "LighterCLITests", dependencies: ["LighterSystem", "LighterOCI", "LighterTestSupport"]),
        .testTarget(name: "LighterArchiveTests", dependencies: ["LighterArchive", "LighterSystem", "LighterOCI", "LighterTestSupport"]),
        .testTarget(name: "LighterNetworkTests", dependencies: ["LighterNetwork", "LighterDatabase", "LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterRegistryTests", dependencies: ["LighterRegistry", "LighterHTTP", "LighterStore", "LighterDatabase", "LighterEngine", "LighterOCI", "LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterHostTests", dependencies: ["LighterHost", "LighterEmulation", "LighterSystem", "CArchive", "LighterTestSupport"]),
        .testTarget(name: "LighterRuntimeTests", dependencies: ["LighterRuntime", "LighterSystem", "LighterOCI", "CLighter", "LighterTestSupport"]),
        .testTarget(name: "LighterBuildTests", dependencies: ["LighterBuild", "LighterEngine", "LighterStore", "LighterOCI", "LighterSystem", "LighterTestSupport"]),
        .testTarget(name: "LighterEngineTests", dependencies: ["LighterEngine", "LighterNetwork", "LighterOCI", "LighterSystem", "LighterTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
