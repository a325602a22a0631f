#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// `lighter-fuzz TARGET [libFuzzer options] [CORPUS...]` built with scripts/fuzz/build.sh (libFuzzer and
// address sanitizer, LIGHTER_FUZZ defined); the plain debug build (`swift build`) is a reproducer:
// `lighter-fuzz TARGET FILE...` runs the target once on each file.

func printError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func usage() -> Never {
    let names = FuzzTarget.all.map(\.name).joined(separator: " ")
    printError("usage: lighter-fuzz TARGET [libFuzzer options | FILE...]\ntargets: \(names)\n")
    exit(2)
}

let arguments = CommandLine.arguments
if arguments.count == 2, arguments[1] == "--list" {
    for target in FuzzTarget.all { print(target.name) }
    exit(0)
}
guard arguments.count >= 2, let target = FuzzTarget.named(arguments[1]) else { usage() }

#if LIGHTER_FUZZ
nonisolated(unsafe) var selected: FuzzTarget? = target

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected?.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// libFuzzer sees the program name and the options after TARGET.
var driverArguments = [arguments[0]] + arguments.dropFirst(2)
var cStrings: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
var argc = CInt(driverArguments.count)
let status = cStrings.withUnsafeMutableBufferPointer { buffer in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return runDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
exit(status)
#else
for path in arguments.dropFirst(2) {
    guard let file = fopen(path, "rb") else { printError("lighter-fuzz: cannot open \(path)\n"); exit(1) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    fclose(file)
    target.run(bytes)
    print("\(target.name): \(path): ok")
}
#endif
