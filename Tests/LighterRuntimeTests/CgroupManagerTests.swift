import LighterTestSupport
import Testing
@testable import LighterRuntime
import LighterSystem

/// The cgroup managers against fake hierarchies in a temp dir (plain files stand in for cgroupfs),
/// so the v2 layout can be checked on this v1 host.
@Suite struct CgroupManagerTests {
    @Test func detectsTheLayout() throws {
        let temp = TestDirectory("lighter-cgroup-test")
        defer { temp.remove() }
        let dir = temp.path
        #expect(Cgroups.manager(path: "a/b", mountPoint: dir) is CgroupV1)
        #expect(Cgroups.manager(path: "a/b", mountPoint: dir).path == "/a/b")
        try FileSystem.writeDurably(Array("cpu memory pids\n".utf8), to: "\(dir)/cgroup.controllers")
        #expect(Cgroups.manager(path: "/a/b", mountPoint: dir) is CgroupV2)
    }

    @Test func v2WritesLimitsAndEnablesControllers() throws {
        let temp = TestDirectory("lighter-cgroup-test")
        defer { temp.remove() }
        let dir = temp.path
        try FileSystem.writeDurably(Array("cpuset cpu io memory hugetlb pids\n".utf8), to: "\(dir)/cgroup.controllers")
        // cgroupfs provides the interface files; plain directories need them made up front.
        for file in ["cgroup.subtree_control", "lighter/cgroup.subtree_control", "lighter/c1/memory.max",
                     "lighter/c1/memory.swap.max", "lighter/c1/cpu.max", "lighter/c1/cpu.weight",
                     "lighter/c1/pids.max", "lighter/c2/memory.max"] {
            try FileSystem.makeDirectories(FileSystem.dirname(of: "\(dir)/\(file)"))
            try FileSystem.writeDurably([], to: "\(dir)/\(file)")
        }
        let manager = Cgroups.manager(path: "/lighter/c1", mountPoint: dir)
        try manager.create(resources: .init(memory: .init(limit: 32 << 20, swap: 48 << 20),
                                            cpu: .init(shares: 1024, quota: 50_000, period: 100_000),
                                            pids: .init(limit: 20)))
        let leaf = "\(dir)/lighter/c1"
        #expect(try FileSystem.readString("\(dir)/cgroup.subtree_control") == "+memory +cpu +pids")
        #expect(try FileSystem.readString("\(dir)/lighter/cgroup.subtree_control") == "+memory +cpu +pids")
        #expect(try FileSystem.readString("\(leaf)/memory.max") == "33554432")
        #expect(try FileSystem.readString("\(leaf)/cpu.max") == "50000 100000")
        #expect(try FileSystem.readString("\(leaf)/cpu.weight") == "39")
        #expect(try FileSystem.readString("\(leaf)/pids.max") == "20")
        #expect(try FileSystem.readString("\(leaf)/memory.swap.max") == String(16 << 20))
        // memory.swap.max exists only where the kernel accounts swap: absent here, so refused.
        let swapless = Cgroups.manager(path: "/lighter/c2", mountPoint: dir)
        expectError(.unsupported) {
            try swapless.create(resources: .init(memory: .init(limit: 1 << 20, swap: 2 << 20)))
        }
        try FileSystem.writeDurably(Array("oom 3\noom_kill 2\n".utf8), to: "\(leaf)/memory.events")
        #expect(manager.oomKillCount() == 2)
    }

    @Test func v2RefusesAControllerTheKernelDoesNotOffer() throws {
        let temp = TestDirectory("lighter-cgroup-test")
        defer { temp.remove() }
        let dir = temp.path
        try FileSystem.writeDurably(Array("cpu memory\n".utf8), to: "\(dir)/cgroup.controllers")
        let manager = Cgroups.manager(path: "/lighter/c1", mountPoint: dir)
        expectError(.unsupported) { try manager.create(resources: .init(pids: .init(limit: 10))) }
        #expect(!FileSystem.exists("\(dir)/lighter/c1"))
    }

    @Test func v1RefusesAnUnmountedController() throws {
        let temp = TestDirectory("lighter-cgroup-test")
        defer { temp.remove() }
        let dir = temp.path
        // Only a memory hierarchy: a pids limit cannot be enforced.
        try FileSystem.makeDirectories("\(dir)/memory")
        try FileSystem.writeDurably([], to: "\(dir)/memory/cgroup.procs")
        let manager = Cgroups.manager(path: "/lighter/c1", mountPoint: dir)
        do {
            try manager.create(resources: .init(pids: .init(limit: 10)))
            Issue.record("a pids limit without a pids controller was accepted")
        } catch {
            #expect(error.description.contains("pids"))
        }
        #expect(!FileSystem.exists("\(dir)/memory/lighter/c1"))
    }

    @Test func v1ReportsOOMKillsFromOomControl() throws {
        let temp = TestDirectory("lighter-cgroup-test")
        defer { temp.remove() }
        let dir = temp.path
        try FileSystem.makeDirectories("\(dir)/memory/lighter/c1")
        try FileSystem.writeDurably([], to: "\(dir)/memory/cgroup.procs")
        try FileSystem.writeDurably(Array("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n".utf8),
                                    to: "\(dir)/memory/lighter/c1/memory.oom_control")
        #expect(Cgroups.manager(path: "/lighter/c1", mountPoint: dir).oomKillCount() == 1)
    }
}
