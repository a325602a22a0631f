#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `build -o type=local|tar` (the final stage's filesystem, no image stored), `-o type=oci` (an
/// OCI layout with an index) and `--iidfile`.
@Suite(.serialized) struct BuildOutputTests {
    static let dockerfile = """
        FROM busybox AS base
        RUN echo from-base > /base.txt
        FROM busybox
        COPY --from=base /base.txt /copied/
        RUN echo built > /built.txt && chmod 640 /built.txt && chown 5:6 /built.txt && ln -s built.txt /link && rm /bin/vi
        """

    @Test func localAndTarOutputsHoldTheFinalFilesystemAndStoreNoImage() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": Self.dockerfile])
        let imagesBefore = lighter.run("images", "-q").stdout

        let local = context.sub("out-local")
        let first = lighter.run("build", "--progress", "plain", "-o", "type=local,dest=\(local)", "--iidfile", context.sub("iid"), context.path)
        #expect(first.status == 0, "\(first.stderr)")
        var st = stat()
        #expect(lstat("\(local)/built.txt", &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o640 && st.st_uid == 5 && st.st_gid == 6)
        #expect(try FileSystem.readString("\(local)/built.txt") == "built\n")
        #expect(try FileSystem.readString("\(local)/copied/base.txt") == "from-base\n")
        #expect(Run.sh("readlink \(local)/link").stdout == "built.txt\n")
        #expect(access("\(local)/bin/busybox", X_OK) == 0)
        #expect(access("\(local)/bin/vi", F_OK) != 0)  // a deletion in a layer is no file in the output
        let iid = try FileSystem.readString(context.sub("iid"))
        #expect(iid.hasPrefix("sha256:") && iid.count == 71, "\(iid)")
        #expect(lighter.run("images", "-q").stdout == imagesBefore)  // no image stored

        // The same build as a tar (all steps cached): the same tree, same image ID.
        let tarFile = context.sub("out.tar")
        let second = lighter.run("build", "--progress", "plain", "-o", "type=tar,dest=\(tarFile)", "--iidfile", context.sub("iid2"), context.path)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.ranges(of: "CACHED").count == 3, "\(second.stderr)")
        #expect(try FileSystem.readString(context.sub("iid2")) == iid)
        let extracted = context.sub("out-tar")
        try FileSystem.makeDirectories(extracted)
        #expect(Run.sh("tar -xpf \(tarFile) -C \(extracted)").status == 0)
        #expect(Run.sh("cd \(local) && find . | sort | xargs stat -c '%n %a %u %g' > \(context.sub("a")); cd \(extracted) && find . | sort | xargs stat -c '%n %a %u %g' > \(context.sub("b")); cmp \(context.sub("a")) \(context.sub("b"))").status == 0)

        // `-o -`: the tar on standard output.
        let piped = Run.sh("LIGHTER_ROOT=\(lighter.root.path) LIGHTER_DEFAULT_NETWORK=none \(Repository.lighterBinary) build --progress plain -o - --iidfile \(context.sub("iid3")) \(context.path) | tar -tf - | grep -x -e built.txt -e ./built.txt -e copied/base.txt -e ./copied/base.txt")
        #expect(piped.stdout.split(separator: "\n").count == 2, "\(piped.stdout) \(piped.stderr)")
        #expect(lighter.run("images", "-q").stdout == imagesBefore)
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
        #expect(try FileSystem.list("\(lighter.root.path)/tmp").filter { $0.hasPrefix("build-output") }.isEmpty)
        #expect(try FileSystem.list(context.path).filter { $0.contains(".lighter-build-") }.isEmpty)
    }

    @Test func ociOutputOfOnePlatformLoadsElsewhereUnderItsTag() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": Self.dockerfile + "\nCMD [\"cat\", \"/built.txt\", \"/copied/base.txt\"]\n"])
        let imagesBefore = lighter.run("images", "-q").stdout
        let archive = context.sub("image.oci.tar")
        let build = lighter.run("build", "--progress", "plain", "-t", "shipped:1", "-o", "type=oci,dest=\(archive)", "--iidfile", context.sub("iid"), context.path)
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("exporting index sha256:"), "\(build.stderr)")
        #expect(lighter.run("images", "-q").stdout == imagesBefore)
        // --iidfile names the index, a blob of the archive.
        let iid = try FileSystem.readString(context.sub("iid"))
        let listing = Run.sh("tar -tf \(archive)").stdout
        #expect(listing.contains("blobs/sha256/\(iid.dropFirst("sha256:".count))\n"), "\(iid) \(listing)")
        let other = Lighter()
        let load = other.run("load", "-i", archive)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(other.run("run", "--rm", "shipped:1").stdout == "built\nfrom-base\n")
    }

    @Test func badOutputsAreClearErrors() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": "FROM busybox\n"])
        let cases: [([String], String)] = [
            (["-o", "type=registry"], "--output type=registry is not available"),
            (["-o", "type=local"], "give dest=DIR"),
            (["-o", "type=tar,dest=/x,compression=gzip"], "--output compression=… is not available"),
            (["-o", "type=local,dest=-"], "use type=tar for standard output"),
            (["-t", "x:1", "-o", "type=local,dest=\(context.sub("o"))"], "-t names an image"),
            (["-q", "-o", "-"], "use --iidfile"),
        ]
        for (arguments, message) in cases {
            let result = lighter.run(["build"] + arguments + [context.path])
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
