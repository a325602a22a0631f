import Testing
import LighterSystem
import LighterTestSupport

/// `run/create --link CONTAINER[:ALIAS]`, Docker's legacy links, end to end in a test-made network
/// namespace: the hosts entry and the ALIAS_* variables on the default bridge, a name on a user
/// network, `HostConfig.Links`, and Docker's errors for missing, stopped and host-networked links.
@Suite(.serialized) struct LinkFlagTests {
    @Test func linkOnTheDefaultBridgeGivesHostsEntryAndVariables() {
        let rig = NetworkRig()
        let target = rig.run("run", "-d", "--name", "target", "--hostname", "tgt", "--expose", "80", "--expose", "53/udp", "-e", "FOO=bar", "busybox", "sleep", "60")
        #expect(target.status == 0, "\(target.stderr)")
        let address = rig.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "target").stdout.trimmed
        #expect(address.hasPrefix("172.18."), "\(address)")
        let client = rig.run("run", "--rm", "--name", "client", "--link", "target:db-1", "busybox", "sh", "-c",
                             "env | grep ^DB_1_ | sort; grep -w db-1 /etc/hosts; ping -c1 -W2 db-1 >/dev/null && echo pinged")
        #expect(client.status == 0, "\(client.stderr)")
        let expected = [
            "DB_1_ENV_FOO=bar", "DB_1_NAME=/client/db-1",
            "DB_1_PORT=udp://\(address):53",   // Docker's: the lowest port number, tcp first on a tie
            "DB_1_PORT_53_UDP=udp://\(address):53", "DB_1_PORT_53_UDP_ADDR=\(address)", "DB_1_PORT_53_UDP_PORT=53", "DB_1_PORT_53_UDP_PROTO=udp",
            "DB_1_PORT_80_TCP=tcp://\(address):80", "DB_1_PORT_80_TCP_ADDR=\(address)", "DB_1_PORT_80_TCP_PORT=80", "DB_1_PORT_80_TCP_PROTO=tcp",
            "\(address)\tdb-1 tgt target", "pinged",
        ]
        #expect(client.stdout.split(separator: "\n").map(String.init) == expected, "\(client.stdout)")
        // Without an alias the name is the alias (listed once); the container's own -e wins.
        let plain = rig.run("run", "--rm", "-e", "TARGET_ENV_FOO=mine", "--link", "target", "busybox", "sh", "-c", "grep -w target /etc/hosts; echo $TARGET_ENV_FOO; env | grep -c ^TARGET_")
        #expect(plain.stdout == "\(address)\ttarget tgt\nmine\n11\n", "\(plain.stdout) \(plain.stderr)")
        // inspect: Docker's HostConfig.Links.
        #expect(rig.run("create", "--name", "later", "--link", "/target:db", "busybox", "true").status == 0)
        #expect(rig.run("inspect", "-f", "{{json .HostConfig.Links}}", "later").stdout == "[\"/target:/later/db\"]\n")
        #expect(rig.run("inspect", "-f", "{{json .HostConfig.Links}}", "target").stdout == "null\n")
    }

    @Test func linkOnAUserNetworkIsAnAlias() {
        let rig = NetworkRig()
        #expect(rig.run("network", "create", "--subnet", "10.78.0.0/24", "linknet").status == 0)
        defer { rig.run("rm", "-f", "target"); rig.run("network", "rm", "linknet") }
        #expect(rig.run("run", "-d", "--name", "target", "--network", "linknet", "--ip", "10.78.0.40", "busybox", "sleep", "60").status == 0)
        let client = rig.run("run", "--rm", "--network", "linknet", "--link", "target:db", "busybox", "sh", "-c",
                             "grep -w db /etc/hosts; ping -c1 -W2 db >/dev/null && echo pinged; env | grep -c ^DB_")
        #expect(client.stdout.hasPrefix("10.78.0.40\tdb "), "\(client.stdout) \(client.stderr)")
        #expect(client.stdout.hasSuffix("pinged\n0\n"), "\(client.stdout)")
        // A target on no network the container is on cannot be linked (Docker would set empty addresses).
        let apart = rig.run("run", "--rm", "--link", "target:db", "busybox", "true")
        #expect(apart.status == 125)
        #expect(apart.stderr.contains("share no network"), "\(apart.stderr)")
    }

    @Test func linkToMissingStoppedOrFromHostNetworkFailsAsDocker() {
        let rig = NetworkRig()
        let missing = rig.run("run", "--rm", "--link", "nothere:x", "busybox", "true")
        #expect(missing.status == 125)
        #expect(missing.stderr.contains("could not get container for nothere"), "\(missing.stderr)")
        #expect(rig.run("create", "--name", "stopped", "busybox", "true").status == 0)
        let stopped = rig.run("run", "--name", "new", "--link", "stopped:db", "busybox", "true")
        #expect(stopped.status == 125)
        #expect(stopped.stderr.contains("Cannot link to a non running container: /stopped AS /new/db"), "\(stopped.stderr)")
        let host = rig.run("run", "--rm", "--network", "host", "--link", "stopped:db", "busybox", "true")
        #expect(host.status == 125)
        #expect(host.stderr.contains("conflicting options: host type networking can't be used with links"), "\(host.stderr)")
        let bad = rig.run("run", "--rm", "--link", "a:b:c", "busybox", "true")
        #expect(bad.status == 125)
        #expect(bad.stderr.contains("bad format for links: a:b:c"), "\(bad.stderr)")
    }
}
