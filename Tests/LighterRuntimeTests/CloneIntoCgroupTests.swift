#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CLighter
import LighterSystem
import LighterTestSupport
import Testing

/// clone3(CLONE_INTO_CGROUP), which `Runtime.create` uses on cgroup v2, against the host's own cgroup2
/// hierarchy (the hybrid's /sys/fs/cgroup/unified here, /sys/fs/cgroup on a v2 host): the child is
/// born in the cgroup, so its very first program already reads that cgroup in /proc/self/cgroup.
@Suite struct CloneIntoCgroupTests {
    /// Where this host mounts cgroup2, if anywhere.
    static var unifiedMount: String? {
        let lines = ((try? FileSystem.readString("/proc/self/mounts")) ?? "").split(separator: "\n")
        return lines.map { $0.split(separator: " ") }.first { $0.count > 2 && $0[2] == "cgroup2" }.map { String($0[1]) }
    }

    @Test(.enabled(if: unifiedMount != nil, "the host mounts no cgroup2 hierarchy"))
    func theChildIsBornInTheCgroup() throws {
        let mount = try #require(Self.unifiedMount)
        let name = "lighter-clone3-test-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let cgroup = "\(mount)/\(name)"
        try syscall("mkdir", cgroup) { mkdir(cgroup, 0o755) }
        defer { rmdir(cgroup) }
        let temp = TestDirectory("lighter-clone3")
        defer { temp.remove() }
        let output = try FileDescriptor(path: temp.sub("out"), flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        let directory = try FileDescriptor(path: cgroup, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("cat"), strdup("/proc/self/cgroup"), nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        let stdio: [Int32] = [-1, output.rawValue, -1]
        let pid = try syscall("clone3", cgroup) {
            lighter_clone3_exec_into_cgroup(0, directory.rawValue, "/bin/cat", argv, envp, stdio, -1, 0)
        }
        #expect(Run.wait(pid) == 0)
        try output.close()
        try directory.close()
        // cgroup v2's line is "0::/path"; v1 hierarchies (hybrid) have lines of their own.
        let lines = try FileSystem.readString(temp.sub("out")).split(separator: "\n")
        #expect(lines.contains("0::/\(name)"), "\(lines)")
        // It left when it exited: the cgroup is empty again and can go.
        #expect(try FileSystem.readString("\(cgroup)/cgroup.procs").isEmpty)
    }

    @Test func aDescriptorThatIsNoCgroupIsRefused() throws {
        let temp = TestDirectory("lighter-clone3")
        defer { temp.remove() }
        let directory = try FileDescriptor(path: temp.path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("true"), nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?] = [nil]
        let stdio: [Int32] = [-1, -1, -1]
        let error = expectError(.system) {
            try syscall("clone3", temp.path) { lighter_clone3_exec_into_cgroup(0, directory.rawValue, "/bin/true", argv, envp, stdio, -1, 0) }
        }
        #expect(error == .system(call: "clone3", path: temp.path, errno: EBADF))
        try directory.close()
    }
}
