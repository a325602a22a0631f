#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// The same Dockerfiles built by Docker's classic builder (Debian's dockerd 20.10) and by `lighter
/// build`, then `docker save` and `lighter save` compared entry by entry: the config fields a
/// Dockerfile sets, which history entries are empty layers, and every layer's paths, types,
/// permissions, owners, link targets and file contents (timestamps aside).
@Suite(.serialized, .enabled(if: DockerDaemon.installed)) struct BuildDifferentialTests {
    static let files: [String: String] = [
        "a.txt": "hello\n",
    ]

    /// Every metadata instruction, COPY --chown into a directory it creates, ADD of a local tar (unpacked),
    /// a RUN that makes a directory, a file, a symlink, changes a mode and deletes a file of the base.
    static let everyInstruction = """
        FROM busybox
        ENV A=1 B="two words"
        LABEL k=v other="x y"
        EXPOSE 80 53/udp
        COPY --chown=1:2 a.txt /srv/app/
        ADD archive.tar /y/
        RUN mkdir -p /z && echo data > /z/f && ln -s /z/f /z/link && chmod 0750 /z && rm /bin/true
        USER 1000:1000
        VOLUME /data
        STOPSIGNAL SIGTERM
        HEALTHCHECK --interval=5s CMD ["true"]
        ONBUILD RUN echo hi
        ENTRYPOINT ["/bin/sh", "-c"]
        CMD ["echo hi"]
        """

    /// Two stages, a build argument, COPY --from of a directory's contents and of a file with --chown,
    /// SHELL, a hard link and a file's mtime set by RUN, USER by number.
    static let multiStage = """
        ARG BASE=busybox
        FROM ${BASE} AS build
        ARG GREETING=hello
        RUN mkdir /out && echo "$GREETING" > /out/greeting && chmod 0640 /out/greeting
        RUN mkdir -p /home/app/data && chown 1500:1500 /home/app/data && rm /etc/issue
        FROM busybox
        COPY --from=build /out/ /opt/
        COPY --from=build --chown=1500:1500 /out/greeting /srv/owned
        SHELL ["/bin/sh", "-ec"]
        RUN cd /opt && ln greeting hardlink && touch -d 2001-01-01 greeting
        USER 1500
        CMD ["cat", "/opt/greeting"]
        """

    /// WORKDIR makes its directory (a layer) when missing, is metadata when it is there; COPY --chown
    /// into it leaves it root's.
    static let workdir = """
        FROM busybox
        WORKDIR /srv/app
        COPY --chown=1:2 a.txt ./
        WORKDIR /tmp
        WORKDIR sub
        """

    @Test func sameDockerfilesSameImagesAsDockersBuilder() throws {
        let docker = try DockerDaemon(label: "build-differential")
        defer { docker.stop() }
        let lighter = Lighter()
        let tarball = Repository.busyboxTarball()
        #expect(docker.client(["import", tarball, "busybox:latest"]).status == 0)
        #expect(lighter.run("import", tarball, "busybox:latest").status == 0)
        let work = TestDirectory("lighter-build-differential")
        let summarize = Repository.root() + "/Tests/Fixtures/build-differential/summarize.py"

        func summaries(_ name: String, _ dockerfile: String) throws -> (docker: String, lighter: String) {
            let context = try BuildCommandTests.context(Self.files.merging(["Dockerfile": dockerfile]) { $1 })
            let archive = context.sub("arc")
            try FileSystem.makeDirectories("\(archive)/sub")
            _ = try context.write("arc/sub/file", "in\n")
            #expect(Run.sh("chmod 0600 \(archive)/sub/file && tar -C \(archive) -cf \(context.sub("archive.tar")) sub && rm -rf \(archive)").status == 0)
            let built = Run.capture(["timeout", "120", "/usr/bin/docker", "build", "-q", "--network", "none", "--build-arg", "GREETING=bonjour",
                                     "-t", "diff:\(name)", context.path],
                                    environment: docker.clientEnvironment.merging(["DOCKER_BUILDKIT": "0"]) { $1 })
            #expect(built.status == 0, "\(name), docker: \(built.stderr)")
            let ours = lighter.run("build", "-q", "--network", "none", "--build-arg", "GREETING=bonjour", "-t", "diff:\(name)", context.path)
            #expect(ours.status == 0, "\(name), lighter: \(ours.stderr)")
            let dockerTar = work.sub("docker-\(name).tar"), lighterTar = work.sub("lighter-\(name).tar")
            #expect(docker.client(["save", "-o", dockerTar, "diff:\(name)"]).status == 0)
            #expect(lighter.run("save", "-o", lighterTar, "diff:\(name)").status == 0)
            let fromDocker = Run.capture(["python3", summarize, dockerTar]), fromLighter = Run.capture(["python3", summarize, lighterTar])
            #expect(fromDocker.status == 0 && fromLighter.status == 0, "\(fromDocker.stderr) \(fromLighter.stderr)")
            return (fromDocker.stdout, fromLighter.stdout)
        }

        for (name, dockerfile) in [("every-instruction", Self.everyInstruction), ("multi-stage", Self.multiStage), ("workdir", Self.workdir)] {
            let (fromDocker, fromLighter) = try summaries(name, dockerfile)
            #expect(fromDocker.contains("\"Healthcheck\"") || name != "every-instruction", "\(fromDocker)")
            #expect(fromDocker == fromLighter, "\(name): docker\n\(fromDocker)\nlighter\n\(fromLighter)")
        }
    }
}
