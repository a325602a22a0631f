import Testing
import LighterSystem
import LighterTestSupport

/// Foreign architectures through QEMU user emulation (Debian's qemu-user-static).
@Suite(.serialized) struct EmulationTests {
    @Test func arm64ImageRunsOnThisMachineAfterBinfmtInstall() {
        let lighter = Lighter()
        let install = lighter.run("binfmt", "install", "arm64")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.hasPrefix("arm64: registered") || install.stdout.hasPrefix("arm64: already registered"))
        // The host as it was: a handler this test registered goes again.
        defer { if install.stdout.hasPrefix("arm64: registered") { lighter.run("binfmt", "uninstall", "arm64") } }
        #expect(lighter.run("binfmt", "status", "--format", "{{.Architecture}} {{.State}}").stdout.contains("arm64 enabled"))
        #expect(lighter.importBusybox("busybox:arm64", arch: "arm64").status == 0)
        #expect(lighter.run("images", "--format", "{{.Tag}} {{.Platform}}").stdout == "arm64 linux/arm64\n")
        let run = lighter.run("run", "--rm", "--platform", "linux/arm64", "busybox:arm64", "uname", "-m")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "aarch64\n")
        let mismatch = lighter.run("run", "--rm", "--platform", "linux/amd64", "busybox:arm64", "true")
        #expect(mismatch.status == 125)
        #expect(mismatch.stderr.contains("does not match the requested platform linux/amd64"))
    }

    @Test func buildForArm64RunsItsStepsUnderQEMU() throws {
        let lighter = Lighter()
        let install = lighter.run("binfmt", "install", "arm64")
        #expect(install.status == 0, "\(install.stderr)")
        defer { if install.stdout.hasPrefix("arm64: registered") { lighter.run("binfmt", "uninstall", "arm64") } }
        #expect(lighter.importBusybox("busybox:arm64", arch: "arm64").status == 0)
        let context = TestDirectory("lighter-build-arm64")
        try context.write("Dockerfile", "FROM busybox:arm64\nARG TARGETARCH\nRUN echo \"$(uname -m) $TARGETARCH\" > /arch\nCMD [\"cat\", \"/arch\"]\n")
        let build = lighter.run("build", "--platform", "linux/arm64", "-t", "built:arm64", context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(lighter.run("image", "inspect", "--format", "{{.Architecture}}", "built:arm64").stdout == "arm64\n")
        #expect(lighter.run("run", "--rm", "built:arm64").stdout == "aarch64 arm64\n")
    }

    @Test func withoutAHandlerTheErrorNamesTheFix() {
        // The arm64 busybox labelled as a foreign architecture that has no handler on this host now
        // (a host may have registered some, e.g. by `lighter binfmt install` or Debian's binfmt-support).
        // Their QEMU names, hence handler names qemu-<name>, are the architectures' own.
        let candidates = ["s390x", "ppc64le", "riscv64", "arm"]
        guard let architecture = candidates.first(where: { !FileSystem.exists("/proc/sys/fs/binfmt_misc/qemu-\($0)") }) else {
            Issue.record("every candidate architecture has a binfmt handler on this host: \(candidates)")
            return
        }
        let lighter = Lighter()
        #expect(lighter.run(["import", "--platform", "linux/\(architecture)", Repository.busyboxTarball("arm64"), "fake:foreign"]).status == 0)
        let run = lighter.run("run", "--rm", "fake:foreign", "true")
        #expect(run.status == 125)
        #expect(run.stderr.contains("lighter binfmt install \(architecture)"), "\(run.stderr)")
    }

    @Test func installAndUninstallAreIdempotentAndCheckTheirInput() {
        let lighter = Lighter()
        #expect(lighter.run("binfmt", "install", "riscv64").status == 0)
        #expect(lighter.run("binfmt", "install", "riscv64").stdout.hasPrefix("riscv64: already registered"))
        #expect(FileSystem.exists("/proc/sys/fs/binfmt_misc/qemu-riscv64"))
        #expect(lighter.run("binfmt", "uninstall", "riscv64").stdout == "riscv64: removed\n")
        #expect(lighter.run("binfmt", "uninstall", "riscv64").stdout == "riscv64: was not registered\n")
        #expect(!FileSystem.exists("/proc/sys/fs/binfmt_misc/qemu-riscv64"))
        let unknown = lighter.run("binfmt", "install", "sparc")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown architecture \"sparc\""))
        let native = lighter.run("binfmt", "install", "amd64")
        #expect(native.status == 1)
        #expect(native.stderr.contains("needs no emulator"))
    }
}
