#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import LighterTestSupport
import Testing
@testable import LighterRuntime
import LighterOCI
import LighterSystem

@Suite struct RuntimeSpecTests {
    @Test func dockerDefaultValidatesAndRoundTrips() throws {
        let spec = RuntimeSpec.dockerDefault(args: ["sh"], hostname: "h")
        try spec.validate()
        let decoded = try RuntimeSpec(jsonBytes: spec.jsonBytes(), what: "spec")
        #expect(decoded == spec)
        #expect(try Capability.mask(of: spec.process?.capabilities?.effective) == 0xa804_25fb)
    }

    @Test func decodesARuncStyleConfigAndRefusesWhatItCannotApply() throws {
        // Empty labels and profiles (what Docker writes on hosts without AppArmor/SELinux) are fine.
        let json = """
        {"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":1,"gid":2,"additionalGids":[3]},
         "args":["sh"],"env":["A=b"],"cwd":"/","rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],
         "apparmorProfile":""},"root":{"path":"rootfs","readonly":true},
         "linux":{"namespaces":[{"type":"mount"}],"resources":{"memory":{"limit":1048576},"blockIO":{}},"mountLabel":""}}
        """
        let spec = try RuntimeSpec(jsonBytes: Array(json.utf8), what: "config.json")
        try spec.validate()
        #expect(spec.process?.user.additionalGids == [3])
        #expect(spec.process?.rlimits?.first?.hard == 1024)
        #expect(spec.root?.readonly == true)
        #expect(spec.linux?.resources?.memory?.limit == 1_048_576)
        // A setting that is set but cannot be applied, and a field nobody knows, are refused by name.
        let refusals: [(String, String, String)] = [
            (#""apparmorProfile":"""#, #""apparmorProfile":"docker-default""#, "config.json field \"process.apparmorProfile\""),
            (#""mountLabel":"""#, #""mountLabel":"system_u:object_r:container_file_t:s0""#, "config.json field \"linux.mountLabel\""),
            (#""blockIO":{}"#, #""blockIO":{},"rdma":{"mlx5_1":{"hcaHandles":3}}"#, "config.json field \"linux.resources.rdma\""),
            (#""limit":1048576"#, #""limit":1048576,"wings":2"#, "config.json field \"linux.resources.memory.wings\""),
            (#""ociVersion":"1.0.2""#, #""ociVersion":"1.0.2","flying":true"#, "config.json field \"flying\""),
        ]
        for (from, to, message) in refusals {
            let changed = json.replacing(from, with: to)
            do {
                _ = try RuntimeSpec(jsonBytes: Array(changed.utf8), what: "config.json")
                Issue.record("accepted: \(to)")
            } catch {
                #expect("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }

    @Test func rejectsWhatTheRuntimeCannotHonour() {
        var spec = RuntimeSpec.dockerDefault(args: ["sh"])
        spec.process?.capabilities?.bounding?.append("CAP_FLY")
        #expect(throws: LighterError.invalidArgument("unknown capability \"CAP_FLY\"")) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: [])
        #expect(throws: LighterError.invalidArgument("config.json: process.args must name a program")) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: ["sh"])
        spec.linux?.namespaces?.removeAll { $0.type == "mount" }
        expectError(.unsupported) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: ["sh"], hostname: "h")
        spec.linux?.namespaces?.removeAll { $0.type == "uts" }
        #expect(throws: LighterError.invalidArgument("config.json: hostname needs a uts namespace")) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: ["sh"])
        spec.linux?.namespaces?.append(.init(type: "time"))
        expectError(.unsupported) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: ["sh"])
        spec.linux?.seccomp = .init(defaultAction: "SCMP_ACT_MAYBE")
        expectError(.invalidArgument) { try spec.validate() }

        spec = RuntimeSpec.dockerDefault(args: ["sh"])
        spec.process?.rlimits = [.init(type: "RLIMIT_WINGS", hard: 1, soft: 1)]
        #expect(throws: LighterError.invalidArgument("config.json: unknown rlimit type \"RLIMIT_WINGS\"")) { try spec.validate() }
    }

    @Test func mountOptionsSplitIntoFlagsPropagationAndData() {
        let options = MountOptions(["nosuid", "ro", "rbind", "rprivate", "mode=755", "size=65536k", "rw"])
        #expect(options.flags == UInt(MS_NOSUID) | UInt(MS_BIND) | UInt(MS_REC))
        #expect(options.propagation == [UInt(MS_PRIVATE) | UInt(MS_REC)])
        #expect(options.dataString == "mode=755,size=65536k")
        #expect(options.isBind)
        #expect(!options.isReadOnly)
    }

    @Test func signalsParseByNameAndNumber() throws {
        #expect(try Signals.parse("KILL") == 9)
        #expect(try Signals.parse("SIGTERM") == 15)
        #expect(try Signals.parse("usr1") == 10)
        #expect(try Signals.parse("2") == 2)
        #expect(throws: LighterError.invalidArgument("unknown signal \"SIGNOPE\"")) { try Signals.parse("SIGNOPE") }
        #expect(throws: LighterError.invalidArgument("signal 99 is out of range 1-64")) { try Signals.parse("99") }
    }

    @Test func rejectsBadContainerIDs() throws {
        let runtime = Runtime(root: "/tmp/lighter-runtime-ids-unused")
        for id in ["", "a/b", "..", "a b"] {
            expectError(.invalidArgument) { try runtime.state(id: id) }
        }
        #expect(throws: LighterError.notFound(kind: "container", name: "nope")) { try runtime.state(id: "nope") }
    }
}
