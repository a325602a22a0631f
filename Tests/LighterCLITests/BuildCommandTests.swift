#if canImport(Glibc)
import Glibc
#endif
import LighterOCI
import LighterSystem
import LighterTestSupport
import Testing

/// `lighter build` on the real kernel: Dockerfiles written here, built FROM the busybox fixture with
/// RUN containers on no network, the images checked by their config and by running them.
@Suite(.serialized) struct BuildCommandTests {
    /// A context directory with `files` (path → contents; parents made).
    static func context(_ files: [String: String]) throws -> TestDirectory {
        let dir = TestDirectory("lighter-build-context")
        for (path, text) in files {
            try FileSystem.makeDirectories(FileSystem.dirname(of: dir.sub(path)))
            try dir.write(path, text)
        }
        return dir
    }

    static func config(_ lighter: Lighter, _ image: String) throws -> ImageConfig {
        let id = lighter.run("image", "inspect", "--format", "{{.Id}}", image).stdout.trimmed
        let digest = try Digest(parsing: id)
        return try ImageConfig(jsonBytes: try FileSystem.readFile("\(lighter.root.path)/blobs/sha256/\(digest.hex)"), what: "config")
    }

    func build(_ lighter: Lighter, _ context: TestDirectory, _ extra: [String] = []) -> ProcessResult {
        lighter.run(["build", "--progress", "plain"] + extra + [context.path])
    }

    @Test func everyMetadataInstructionLandsInTheConfig() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["Dockerfile": """
            # syntax=docker/dockerfile:1
            ARG BASE=busybox
            FROM ${BASE}
            ARG VERSION=1.0
            ENV APP_HOME=/srv/app GREETING="hello world"
            LABEL org.example.version=$VERSION "quoted key"=yes
            MAINTAINER someone@example.com
            EXPOSE 80 53/udp 8000-8001
            WORKDIR $APP_HOME
            WORKDIR sub
            USER 1000:1000
            VOLUME ["/data", "/cache"]
            SHELL ["/bin/sh", "-ec"]
            STOPSIGNAL SIGQUIT
            HEALTHCHECK --interval=30s --timeout=5s --start-period=1m --start-interval=2s --retries=4 CMD wget -q -O- localhost
            ONBUILD RUN echo child
            ENTRYPOINT ["/bin/sh", "-c"]
            CMD ["echo $GREETING"]
            """])
        let result = build(lighter, context, ["-t", "meta:1", "--build-arg", "VERSION=2.5", "--label", "extra=1"])
        #expect(result.status == 0, "\(result.stderr)")
        let image = try Self.config(lighter, "meta:1")
        let config = try #require(image.config)
        #expect(config.Env?.contains("APP_HOME=/srv/app") == true)
        #expect(config.Env?.contains("GREETING=hello world") == true)
        #expect(config.Env?.first { $0.hasPrefix("PATH=") } != nil)
        #expect(config.Labels == ["org.example.version": "2.5", "quoted key": "yes", "extra": "1"])
        #expect(image.author == "someone@example.com")
        #expect(Set(config.ExposedPorts?.keys.map { $0 } ?? []) == ["80/tcp", "53/udp", "8000/tcp", "8001/tcp"])
        #expect(config.WorkingDir == "/srv/app/sub")
        #expect(config.User == "1000:1000")
        #expect(Set(config.Volumes?.keys.map { $0 } ?? []) == ["/data", "/cache"])
        #expect(config.Shell == ["/bin/sh", "-ec"])
        #expect(config.StopSignal == "SIGQUIT")
        #expect(config.Healthcheck == HealthConfig(Test: ["CMD-SHELL", "wget -q -O- localhost"], Interval: 30_000_000_000,
                                                  Timeout: 5_000_000_000, StartPeriod: 60_000_000_000, StartInterval: 2_000_000_000, Retries: 4))
        #expect(config.OnBuild == ["RUN echo child"])
        #expect(config.Entrypoint == ["/bin/sh", "-c"])
        #expect(config.Cmd == ["echo $GREETING"])
        // Metadata steps add history without layers; the two WORKDIRs make their directories, a layer
        // each, as Docker's builders do (BuildDifferentialTests compares them with Docker's).
        let history = image.history ?? []
        #expect(image.rootfs.diff_ids.count == 3)
        // 12 metadata instructions and `--label extra=1` (a LABEL step, as Docker's classic builder adds).
        #expect(history.filter { $0.empty_layer == true }.count == 13)
        #expect(history.last?.created_by == "LABEL extra=1")
        #expect(history.filter { $0.created_by?.hasPrefix("WORKDIR") == true && $0.empty_layer == nil }.count == 2)
        #expect(history.contains { $0.created_by == "ENV APP_HOME=/srv/app GREETING=\"hello world\"" && $0.empty_layer == true })
        let run = lighter.run("run", "--rm", "--user", "0", "meta:1")
        #expect(run.stdout == "hello world\n", "\(run.stderr)")
    }

    @Test func runCopyAndAddWriteFilesWithTheirModesAndOwners() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context([
            "app/main.txt": "main\n", "app/lib/helper.txt": "helper\n", "notes.md": "notes\n", "one.conf": "1\n", "two.conf": "2\n",
            "Dockerfile": """
            FROM busybox
            RUN echo built > /built.txt && echo 'app:x:1234:1234::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1234:' >> /etc/group
            COPY app /opt/app
            COPY --chown=app:1234 --chmod=0640 notes.md /home/
            COPY *.conf /etc/conf.d/
            COPY notes.md /renamed.md
            ADD bundle.tar.gz /unpacked/
            COPY <<EOF /etc/motd
            welcome $HOSTNAME_X
            EOF
            WORKDIR /opt/app
            RUN ls lib > listing.txt
            """])
        // A gzip tar for ADD to unpack.
        _ = try context.directory("staging/inner")
        try context.write("staging/inner/file.txt", "from the archive\n")
        #expect(Run.sh("tar -czf \(context.sub("bundle.tar.gz")) -C \(context.sub("staging")) inner && rm -rf \(context.sub("staging"))").status == 0)
        let result = build(lighter, context, ["-t", "files:1"])
        #expect(result.status == 0, "\(result.stderr)")
        let check = lighter.run("run", "--rm", "files:1", "sh", "-c", """
            cat /built.txt /opt/app/main.txt /opt/app/lib/helper.txt /etc/conf.d/one.conf /etc/conf.d/two.conf /renamed.md \
                /unpacked/inner/file.txt /etc/motd /opt/app/listing.txt
            stat -c '%a %u:%g %n' /home/notes.md /opt/app/main.txt /renamed.md
            """)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout == """
            built
            main
            helper
            1
            2
            notes
            from the archive
            welcome 
            helper.txt
            640 1234:1234 /home/notes.md
            644 0:0 /opt/app/main.txt
            644 0:0 /renamed.md

            """)
    }

    @Test func deletionsAreWhiteoutsAndOpaqueDirectories() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["Dockerfile": """
            FROM busybox
            RUN mkdir -p /data/keep /data/gone /box && touch /data/a /data/b /box/old
            RUN rm /data/a && rm -rf /data/gone && rm -rf /box && mkdir /box && touch /box/new
            """])
        let result = build(lighter, context, ["-t", "wh:1"])
        #expect(result.status == 0, "\(result.stderr)")
        let listing = lighter.run("run", "--rm", "wh:1", "sh", "-c", "ls /data /box")
        #expect(listing.stdout == "/box:\nnew\n\n/data:\nb\nkeep\n", "\(listing.stderr)")
        // The last layer (the blob whose uncompressed bytes hash to the config's last diff ID) holds the
        // deletions in OCI form.
        let image = try Self.config(lighter, "wh:1")
        let diffID = try #require(image.rootfs.diff_ids.last).hex
        let blobs = Run.sh("for f in \(lighter.root.path)/blobs/sha256/*; do [ \"$(gzip -dc $f 2>/dev/null | sha256sum | cut -d' ' -f1)\" = \(diffID) ] && tar -tzf $f; done; true")
        #expect(blobs.stdout.contains("data/.wh.a"))
        #expect(blobs.stdout.contains("data/.wh.gone"))
        #expect(blobs.stdout.contains("box/.wh..wh..opq"))
        #expect(blobs.stdout.contains("box/new"))
    }

    @Test func multiStageCopiesFromAStageAndSkipsUnneededOnes() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["Dockerfile": """
            FROM busybox AS builder
            RUN mkdir /out && echo compiled > /out/artifact

            FROM busybox AS broken
            RUN echo this stage is not needed && exit 1

            FROM busybox
            COPY --from=builder /out/artifact /usr/share/artifact
            COPY --from=0 /out /out-dir/
            CMD ["cat", "/usr/share/artifact"]
            """])
        let result = build(lighter, context, ["-t", "multi:1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("not needed"))
        #expect(lighter.run("run", "--rm", "multi:1").stdout == "compiled\n")
        #expect(lighter.run("run", "--rm", "multi:1", "cat", "/out-dir/artifact").stdout == "compiled\n")
        let target = build(lighter, context, ["--target", "builder", "-t", "multi:builder"])
        #expect(target.status == 0, "\(target.stderr)")
        #expect(lighter.run("run", "--rm", "multi:builder", "cat", "/out/artifact").stdout == "compiled\n")
        let broken = build(lighter, context, ["--target", "broken"])
        #expect(broken.status != 0)
        #expect(broken.stderr.contains("exit code 1"), "\(broken.stderr)")
    }

    @Test func cacheReusesEveryStepAndRebuildsFromAChangedFile() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context([
            "a.txt": "first\n", "b.txt": "bee\n",
            "Dockerfile": """
            FROM busybox
            RUN echo one > /one
            COPY a.txt /a.txt
            RUN cat /a.txt > /copy-of-a
            COPY b.txt /b.txt
            """])
        let first = build(lighter, context, ["-t", "cached:1"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stderr.contains("CACHED"))
        let id = lighter.run("image", "inspect", "--format", "{{.Id}}", "cached:1").stdout
        let second = build(lighter, context, ["-t", "cached:1"])
        #expect(second.status == 0)
        #expect(second.stderr.ranges(of: "CACHED").count == 4, "\(second.stderr)")
        #expect(lighter.run("image", "inspect", "--format", "{{.Id}}", "cached:1").stdout == id)
        // Change a.txt: the steps before it stay cached, it and what follows run again.
        try context.write("a.txt", "second\n")
        let third = build(lighter, context, ["-t", "cached:2"])
        #expect(third.status == 0)
        #expect(third.stderr.ranges(of: "CACHED").count == 1, "\(third.stderr)")
        #expect(lighter.run("run", "--rm", "cached:2", "cat", "/copy-of-a").stdout == "second\n")
        // The cache outlives the images built from it, until builder prune.
        #expect(lighter.run("rmi", "cached:1", "cached:2").status == 0)
        #expect(lighter.run("image", "prune", "-f").status == 0)
        let df = lighter.run("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Size}}").stdout
        let cacheRow = df.split(separator: "\n").first { $0.hasPrefix("Build Cache") }.map(String.init) ?? ""
        #expect(cacheRow.hasPrefix("Build Cache ") && !cacheRow.hasPrefix("Build Cache 0 ") && !cacheRow.hasSuffix(" 0B"), "\(df)")
        let fourth = build(lighter, context, ["-t", "cached:3"])
        #expect(fourth.stderr.ranges(of: "CACHED").count == 4, "\(fourth.stderr)")
        #expect(lighter.run("run", "--rm", "cached:3", "cat", "/copy-of-a", "/one").stdout == "second\none\n")
        #expect(lighter.run("builder", "prune", "-a", "-f").status == 0)
        #expect(lighter.run("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Size}}").stdout.contains("Build Cache 0 0B"))
        let fifth = build(lighter, context, ["-t", "cached:4"])
        #expect(fifth.status == 0)
        #expect(!fifth.stderr.contains("CACHED"), "\(fifth.stderr)")
        let noCache = build(lighter, context, ["--no-cache", "-t", "cached:5"])
        #expect(!noCache.stderr.contains("CACHED"))
    }

    @Test func aFailingRunSaysWhyAndLeavesNothingBehind() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["Dockerfile": """
            FROM busybox
            RUN echo prepared > /prepared
            RUN echo "compiler says no" && exit 3
            """])
        let result = build(lighter, context, ["-t", "fails:1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Dockerfile:3"), "\(result.stderr)")
        #expect(result.stderr.contains("exit code 3"), "\(result.stderr)")
        #expect(result.stderr.contains("compiler says no"), "\(result.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        // The step that completed stays as an untagged image, as Docker's classic builder leaves it
        // (dangling: `image prune` takes it).
        #expect(lighter.run("images", "-q").stdout.split(separator: "\n").count == 2)
        #expect(lighter.run("image", "prune", "-f").status == 0)
        #expect(lighter.run("images", "-a", "-q").stdout.split(separator: "\n").count == 1)
        let mounts = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        #expect(!mounts.contains(lighter.root.path))
        #expect(try FileSystem.list("\(lighter.root.path)/snapshots/.tmp").isEmpty)
        // The step that completed is cached.
        let again = build(lighter, context)
        #expect(again.stderr.contains("CACHED"))
    }

    @Test func dockerignoreAndEscapesFromTheContext() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context([
            "keep.txt": "kept\n", "secret.env": "PASSWORD=x\n", "logs/a.log": "log\n", "logs/important.log": "important\n",
            ".dockerignore": "*.env\nlogs\n!logs/important.log\n",
            "Dockerfile": "FROM busybox\nCOPY . /ctx/\n",
        ])
        let result = build(lighter, context, ["-t", "ignored:1"])
        #expect(result.status == 0, "\(result.stderr)")
        let listing = lighter.run("run", "--rm", "ignored:1", "find", "/ctx", "-type", "f")
        #expect(Set(listing.stdout.split(separator: "\n").map(String.init)) == ["/ctx/keep.txt", "/ctx/Dockerfile", "/ctx/.dockerignore", "/ctx/logs/important.log"],
                "\(listing.stdout)")
        let explicit = try Self.context(["secret.env": "x", ".dockerignore": "*.env\n", "Dockerfile": "FROM busybox\nCOPY secret.env /\n"])
        let refused = build(lighter, explicit)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("secret.env"), "\(refused.stderr)")

        let escape = try Self.context(["Dockerfile": "FROM busybox\nCOPY link /stolen\n"])
        #expect(symlink("/etc/passwd", escape.sub("link")) == 0)
        let stolen = build(lighter, escape)
        #expect(stolen.status != 0)
        #expect(stolen.stderr.contains("outside the build context"), "\(stolen.stderr)")
        let relative = try Self.context(["Dockerfile": "FROM busybox\nCOPY inner/up /stolen\n", "inner/.keep": ""])
        #expect(symlink("../../../../../../../etc/passwd", relative.sub("inner/up")) == 0)
        #expect(build(lighter, relative).stderr.contains("outside the build context"))
        let dotdot = try Self.context(["Dockerfile": "FROM busybox\nCOPY ../x /x\n"])
        #expect(build(lighter, dotdot).stderr.contains("outside the build context"))
    }

    @Test func parseErrorsNameTheLineAndColumn() throws {
        let lighter = Lighter()
        let context = try Self.context(["Dockerfile": "FROM busybox\nRUNN echo\n"])
        let result = build(lighter, context)
        #expect(result.status != 0)
        #expect(result.stderr.contains("Dockerfile:2:1"), "\(result.stderr)")
        #expect(result.stderr.contains("unknown instruction \"RUNN\""), "\(result.stderr)")
        // Docker's management spellings.
        let viaImage = lighter.run("image", "build", context.path)
        #expect(viaImage.status != 0 && viaImage.stderr.contains("Dockerfile:2:1"), "\(viaImage.stderr)")
        for path in [["container", "commit"], ["builder", "build"], ["builder", "prune"]] {
            #expect(lighter.run(path + ["--help"]).stdout.contains("USAGE: lighter \(path.joined(separator: " "))"), "\(path)")
        }
    }

    @Test func commitMakesAnImageOfAContainersChanges() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let made = lighter.run("run", "--name", "work", "busybox", "sh", "-c", "echo changed > /changed && rm /bin/true")
        #expect(made.status == 0, "\(made.stderr)")
        let committed = lighter.run("commit", "-c", "ENV COMMITTED=yes", "-m", "by a test", "work", "committed:1")
        #expect(committed.status == 0, "\(committed.stderr)")
        let check = lighter.run("run", "--rm", "committed:1", "sh", "-c", "cat /changed; echo $COMMITTED; ls /bin/true 2>&1 || echo gone")
        #expect(check.stdout.hasPrefix("changed\nyes\n"), "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.hasSuffix("gone\n"))
        let image = try Self.config(lighter, "committed:1")
        #expect(image.history?.last?.comment == "by a test")
        // Docker's Parent: the container's image, which `history` names below the commit's entry.
        let base = lighter.run("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.trimmed
        #expect(lighter.run("image", "inspect", "--format", "{{.Parent}}", "committed:1").stdout.trimmed == base)
        #expect(lighter.run("history", "-q", "--no-trunc", "committed:1").stdout.split(separator: "\n").dropFirst().first.map(String.init) == base)
        #expect(lighter.run("rm", "work").status == 0)
    }

    @Test func runSeesArgsEnvShellUserAndHeredocs() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let dockerfile = """
            ARG FLAVOUR=plain
            FROM busybox
            ARG FLAVOUR
            ARG TARGETARCH
            ARG SHADOWED=from-arg
            ENV SHADOWED=from-env
            RUN echo "$FLAVOUR $TARGETARCH $SHADOWED" > /seen
            SHELL ["/bin/env", "MARK=shell-form-via-SHELL", "/bin/sh", "-c"]
            RUN echo $MARK > /shell
            SHELL ["/bin/sh", "-c"]
            RUN <<EOF
            echo from a heredoc > /heredoc
            id -u >> /heredoc
            EOF
            USER 1234
            RUN id -u > /tmp/uid
            """
        // The Dockerfile on standard input, the context as a tar on standard input is tested below.
        let context = try Self.context(["unused": "x"])
        let result = lighter.run(["build", "-q", "--build-arg", "FLAVOUR=spicy", "--iidfile", context.sub("iid"), "-f", "-", context.path],
                                 stdin: dockerfile)
        #expect(result.status == 0, "\(result.stderr)")
        let id = result.stdout.trimmed
        #expect(id.hasPrefix("sha256:"))
        #expect(String(decoding: try FileSystem.readFile(context.sub("iid")), as: UTF8.self) == id)
        let check = lighter.run("run", "--rm", "--user", "0", id, "cat", "/seen", "/shell", "/heredoc", "/tmp/uid")
        #expect(check.stdout == "spicy amd64 from-env\nshell-form-via-SHELL\nfrom a heredoc\n0\n1234\n", "\(check.stdout) \(check.stderr)")
        // Build args never reach the image's config.
        let env = lighter.run("image", "inspect", "--format", "{{json .Config.Env}}", id).stdout
        #expect(!env.contains("FLAVOUR"))

        // A context as a tar on standard input.
        let tarred = try Self.context(["Dockerfile": "FROM busybox\nCOPY hello.txt /\n", "hello.txt": "from a tar\n"])
        let tar = Run.sh("tar -cf \(tarred.sub("../ctx-\(getpid()).tar")) -C \(tarred.path) . && echo ok")
        #expect(tar.stdout == "ok\n")
        let fromTar = Run.sh("LIGHTER_ROOT=\(lighter.root.path) LIGHTER_DEFAULT_NETWORK=none \(Repository.lighterBinary) build -q -t tarred:1 - < \(tarred.sub("../ctx-\(getpid()).tar")); rm -f \(tarred.sub("../ctx-\(getpid()).tar"))")
        #expect(fromTar.status == 0, "\(fromTar.stderr)")
        #expect(lighter.run("run", "--rm", "tarred:1", "cat", "/hello.txt").stdout == "from a tar\n")
        #expect(try FileSystem.list("\(lighter.root.path)/tmp").isEmpty)
    }

    @Test func anInterruptedBuildLeavesNoContainerOrMount() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        // A shell as PID 1 ignores SIGINT unless it traps it: this RUN does, as a build tool would.
        let context = try Self.context(["Dockerfile": "FROM busybox\nRUN trap 'exit 130' INT; sleep 60 & wait\n"])
        let log = context.sub("build.log")
        let pid = Run.spawn([Repository.lighterBinary, "build", context.path], stdout: log, stderr: log,
                            environment: ["LIGHTER_ROOT": lighter.root.path, "LIGHTER_DEFAULT_NETWORK": "none"])
        var running = false
        for _ in 0..<600 where !running {
            running = !lighter.run("ps", "-q").stdout.isEmpty
            if !running { usleep(50_000) }
        }
        #expect(running)
        usleep(200_000)
        kill(pid, SIGINT)
        let status = Run.wait(pid)
        #expect(status != 0)
        let output = String(decoding: (try? FileSystem.readFile(log)) ?? [], as: UTF8.self)
        #expect(output.contains("exit code 130") || output.contains("interrupted"), "\(output)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        let mounts = String(decoding: try FileSystem.readFile("/proc/self/mountinfo"), as: UTF8.self)
        #expect(!mounts.contains(lighter.root.path))
    }

    @Test func sourceDateEpochGivesTheSameImageOnEveryBuild() throws {
        let one = Lighter()
        let two = Lighter()
        #expect(one.importBusybox().status == 0)
        // The same base in both roots (an import carries its own time).
        let saved = TestDirectory("lighter-build-base")
        #expect(one.run("save", "-o", saved.sub("base.tar"), "busybox").status == 0)
        #expect(two.run("load", "-q", "-i", saved.sub("base.tar")).status == 0)
        let context = try Self.context(["a.txt": "a\n", "Dockerfile": "FROM busybox\nRUN echo x > /x && mkdir /d && touch /d/f\nCOPY a.txt /\nENV A=1\n"])
        let epoch = ["SOURCE_DATE_EPOCH": "1700000000"]
        let first = one.run(["build", "-q", context.path], environment: epoch)
        let second = two.run(["build", "-q", context.path], environment: epoch)
        #expect(first.status == 0 && second.status == 0, "\(first.stderr) \(second.stderr)")
        #expect(first.stdout.hasPrefix("sha256:"))
        #expect(first.stdout == second.stdout)
        let created = one.run("image", "inspect", "--format", "{{.Created}}", first.stdout.trimmed).stdout
        #expect(created == "2023-11-14T22:13:20Z\n")
        // Without it, times differ and so do the digests.
        let third = two.run(["build", "-q", "--no-cache", context.path])
        #expect(third.stdout != second.stdout)
    }

    @Test func runMountsCacheTmpfsAndContextBinds() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try Self.context(["data/in.txt": "bound\n", "Dockerfile": """
            FROM busybox
            RUN --mount=type=cache,target=/var/cache/app echo run >> /var/cache/app/log && cat /var/cache/app/log > /seen
            RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && grep -q ' /scratch tmpfs ' /proc/mounts && echo tmpfs > /tmpfs-ok
            RUN --mount=type=bind,source=data,target=/data cat /data/in.txt > /from-bind
            """])
        let first = build(lighter, context, ["-t", "mounts:1"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(lighter.run("run", "--rm", "mounts:1", "cat", "/seen", "/tmpfs-ok", "/from-bind").stdout == "run\ntmpfs\nbound\n")
        // The cache mount's content is in no layer; it is there again for the next build.
        #expect(lighter.run("run", "--rm", "mounts:1", "sh", "-c", "ls -A /var/cache/app; ls -A /scratch").stdout == "")
        let again = build(lighter, context, ["--no-cache", "-t", "mounts:2"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(lighter.run("run", "--rm", "mounts:2", "cat", "/seen").stdout == "run\nrun\n")
        // What a bind shows is part of the step's key.
        try context.write("data/in.txt", "changed\n")
        let third = build(lighter, context, ["-t", "mounts:3"])
        #expect(third.stderr.ranges(of: "CACHED").count == 2, "\(third.stderr)")
        #expect(lighter.run("run", "--rm", "mounts:3", "cat", "/from-bind").stdout == "changed\n")
        #expect(lighter.run("builder", "prune", "-a", "-f").status == 0)
        #expect(!FileSystem.exists("\(lighter.root.path)/build-mounts"))
        // What the engine cannot mount is refused.
        try context.write("Dockerfile", "FROM busybox\nRUN --mount=type=bind,from=busybox,target=/x true\n")
        let refused = build(lighter, context)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("RUN --mount=type=bind,from=… is not available"), "\(refused.stderr)")
    }
}
