#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter daemon -H fd://`: the listening socket comes from the init system (systemd's socket
/// activation, contrib/init/systemd/lighter.socket), as fd 3 with LISTEN_PID/LISTEN_FDS.
@Suite struct DaemonSocketActivationTests {
    @Test func servesTheSocketItIsHandedAndLeavesItsFileAlone() throws {
        let lighter = Lighter()
        let socket = lighter.root.sub("activated.sock")
        // What systemd does: bind and listen, then exec the service with the socket as fd 3 and
        // LISTEN_PID set to the service's own pid (exec keeps it).
        let activate = """
        import os, socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(sys.argv[1]); s.listen(16)
        if s.fileno() != 3: os.dup2(s.fileno(), 3)
        os.set_inheritable(3, True)
        os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="1", LISTEN_FDNAMES="lighter.socket")
        os.execv(sys.argv[2], [sys.argv[2], "daemon", "-H", "fd://"])
        """
        let script = lighter.root.sub("activate.py")
        try FileSystem.writeDurably(Array(activate.utf8), to: script)
        let pid = Run.spawn(["python3", script, socket, Repository.lighterBinary],
                            stdout: lighter.root.sub("daemon.out"), stderr: lighter.root.sub("daemon.log"),
                            environment: ["LIGHTER_ROOT": lighter.root.path])
        var version = Run.capture(["false"])
        for _ in 0..<200 where version.status != 0 {
            version = Run.capture(["/usr/bin/docker", "-H", "unix://\(socket)", "version", "--format", "{{.Server.APIVersion}}"])
            if version.status != 0 { usleep(50_000) }
        }
        let log: String = (try? FileSystem.readString(lighter.root.sub("daemon.log"))) ?? ""
        #expect(version.status == 0 && version.stdout == "1.41\n", "\(version.stderr) \(log)")
        kill(pid, SIGTERM)
        #expect(Run.wait(pid) == 0)
        // The socket file is the init system's: the daemon leaves it.
        #expect(FileSystem.exists(socket))
    }

    @Test func fdWithoutAPassedSocketIsAClearError() {
        let lighter = Lighter()
        let result = lighter.run("daemon", "-H", "fd://")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no socket was passed"), "\(result.stderr)")
    }
}
