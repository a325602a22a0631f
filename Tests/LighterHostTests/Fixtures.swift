#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CArchive
import LighterSystem
import LighterTestSupport
@testable import LighterHost

enum Fixture {
    /// A kernel .config with a header, every catalog option built in except `missing`, `modules` as =m,
    /// and a few unrelated options, the way `make savedefconfig` output does not look but `.config` does.
    static func config(version: String = "6.1.21", missing: Set<String> = [], modules: Set<String> = [],
                       notSetLines: Bool = true) -> String {
        var lines = ["#", "# Automatically generated file; DO NOT EDIT.", "# Linux/arm64 \(version) Kernel Configuration", "#",
                     "CONFIG_CC_VERSION_TEXT=\"aarch64-buildroot-linux-gnu-gcc (Buildroot 2024.02) 12.3.0\"",
                     "CONFIG_LOG_BUF_SHIFT=17", "CONFIG_HZ=250", ""]
        var symbols: [String] = []
        for option in KernelOption.catalog {
            let symbol = option.providedBy ?? option.name
            if !symbols.contains(symbol) { symbols.append(symbol) }
            for prerequisite in option.prerequisites where !symbols.contains(prerequisite) { symbols.append(prerequisite) }
        }
        for symbol in symbols {
            if missing.contains(symbol) {
                if notSetLines { lines.append("# CONFIG_\(symbol) is not set") }
            } else {
                lines.append("CONFIG_\(symbol)=\(modules.contains(symbol) ? "m" : "y")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Gzip-compresses bytes with libarchive (raw format + gzip filter).
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        guard let archive = archive_write_new() else { throw LighterError.limitExceeded("archive_write_new") }
        defer { archive_write_free(archive) }
        archive_write_add_filter_gzip(archive)
        archive_write_set_format_raw(archive)
        let capacity = bytes.count + 4096
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        defer { output.deallocate() }
        var used = 0
        guard archive_write_open_memory(archive, output.baseAddress, capacity, &used) == ARCHIVE_OK,
              let entry = archive_entry_new() else { throw LighterError.limitExceeded("archive_write_open_memory") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, "config")
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_size(entry, la_int64_t(bytes.count))
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw LighterError.limitExceeded("archive_write_header") }
        let written = bytes.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        guard written == bytes.count, archive_write_close(archive) == ARCHIVE_OK else {
            throw LighterError.limitExceeded("archive_write_data")
        }
        return Array(output[0..<used])
    }
}
