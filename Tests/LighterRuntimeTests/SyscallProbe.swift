/// A tiny static x86_64 ELF executable that makes one system call with one argument and exits with the
/// call's errno (0 when it succeeded): a way to try exactly one call, with an exact argument, inside a
/// busybox container without a compiler.
enum SyscallProbe {
    static let personality: UInt32 = 135   // x86_64 syscall numbers
    static let reboot: UInt32 = 169

    static var supported: Bool {
        #if arch(x86_64)
        true
        #else
        false
        #endif
    }

    static func executable(syscall number: UInt32, argument: UInt64) -> [UInt8] {
        let code: [UInt8] =
            [0x48, 0xBF] + bytes(argument) +          // mov rdi, argument
            [0xB8] + bytes(number) +                  // mov eax, number
            [0x0F, 0x05,                              // syscall
             0x31, 0xFF,                              // xor edi, edi
             0x48, 0x85, 0xC0,                        // test rax, rax
             0x79, 0x05,                              // jns exit
             0x48, 0xF7, 0xD8,                        // neg rax
             0x89, 0xC7,                              // mov edi, eax
             0xB8, 0xE7, 0x00, 0x00, 0x00,            // exit: mov eax, 231 (exit_group)
             0x0F, 0x05]                              // syscall
        let base: UInt64 = 0x40_0000
        let headers = 64 + 56
        let size = UInt64(headers + code.count)
        let elfHeader: [UInt8] =
            [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8) +   // ELF64, little endian
            bytes(UInt16(2)) + bytes(UInt16(62)) + bytes(UInt32(1)) +                   // ET_EXEC, EM_X86_64
            bytes(base + UInt64(headers)) + bytes(UInt64(64)) + bytes(UInt64(0)) +      // entry, phoff, shoff
            bytes(UInt32(0)) + bytes(UInt16(64)) + bytes(UInt16(56)) + bytes(UInt16(1)) +
            bytes(UInt16(0)) + bytes(UInt16(0)) + bytes(UInt16(0))
        let programHeader: [UInt8] =
            bytes(UInt32(1)) + bytes(UInt32(5)) + bytes(UInt64(0)) +                    // PT_LOAD, R+X, offset 0
            bytes(base) + bytes(base) + bytes(size) + bytes(size) + bytes(UInt64(0x1000))
        return elfHeader + programHeader + code
    }

    private static func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
