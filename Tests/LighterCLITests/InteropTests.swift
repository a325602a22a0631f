import Testing
import LighterSystem
import LighterTestSupport

/// Images go back and forth with skopeo and umoci (Debian packages).
@Suite struct InteropTests {
    @Test func skopeoAndUmociReadLighterOCILayouts() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let layout = lighter.root.sub("layout")
        #expect(lighter.run("save", "--format", "oci-dir", "-o", layout, "busybox").status == 0)
        let manifestDigest = lighter.run("image", "inspect", "--format", "{{.Descriptor.digest}}", "busybox").stdout.trimmed
        let inspect = Run.capture(["skopeo", "inspect", "oci:\(layout):latest"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("\"Digest\": \"\(manifestDigest)\""))
        #expect(inspect.stdout.contains("\"Architecture\": \"amd64\""))
        let umoci = Run.capture(["umoci", "ls", "--layout", layout])
        #expect(umoci.status == 0, "\(umoci.stderr)")
        #expect(umoci.stdout.trimmed == "latest")
        let archive = lighter.root.sub("oci.tar")
        #expect(lighter.run("save", "--format", "oci", "-o", archive, "busybox").status == 0)
        #expect(Run.capture(["skopeo", "inspect", "oci-archive:\(archive):latest"]).status == 0)
    }

    @Test func lighterLoadsWhatSkopeoWrites() {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let id = lighter.run("image", "inspect", "--format", "{{.Id}}", "busybox").stdout.trimmed
        let dockerArchive = lighter.root.sub("docker.tar")
        #expect(lighter.run("save", "-o", dockerArchive, "busybox").status == 0)
        // skopeo reads Lighter's docker-archive and writes its own OCI layout (it compresses the layer).
        let layout = lighter.root.sub("skopeo-layout")
        let copy = Run.capture(["skopeo", "copy", "docker-archive:\(dockerArchive)", "oci:\(layout):copied"])
        #expect(copy.status == 0, "\(copy.stderr)")
        let skopeoManifest = Run.capture(["skopeo", "inspect", "--format", "{{.Digest}}", "oci:\(layout):copied"]).stdout.trimmed
        // skopeo rewrites the config when it converts to OCI, so the image ID to expect is its config's digest.
        let skopeoConfig = Run.capture(["sh", "-c", "skopeo inspect --config --raw oci:\(layout):copied | sha256sum"]).stdout.prefix(64)
        #expect(skopeoConfig.count == 64)

        let other = Lighter()
        let load = other.run("load", "-i", layout)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.trimmed == "Loaded image ID: sha256:\(skopeoConfig)")
        #expect(other.run("image", "inspect", "--format", "{{.Descriptor.digest}}", String(skopeoConfig)).stdout.trimmed == skopeoManifest)
        #expect(other.run("image", "inspect", "--format", "{{.RootFS.Layers}}", String(skopeoConfig)).stdout
                == lighter.run("image", "inspect", "--format", "{{.RootFS.Layers}}", id).stdout)
        #expect(other.run("system", "check").status == 0)
        // And skopeo's docker-archive output loads with its name.
        let back = lighter.root.sub("back.tar")
        #expect(Run.capture(["skopeo", "copy", "oci:\(layout):copied", "docker-archive:\(back):roundtrip:v1"]).status == 0)
        let third = Lighter()
        let loaded = third.run("load", "-i", back)
        #expect(loaded.stdout.trimmed == "Loaded image: roundtrip:v1", "\(loaded.stderr)")
        #expect(third.run("image", "inspect", "--format", "{{.Id}}", "roundtrip:v1").stdout.trimmed == "sha256:\(skopeoConfig)")
    }
}
