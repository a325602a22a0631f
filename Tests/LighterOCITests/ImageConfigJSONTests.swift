#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LighterTestSupport
import Testing
import LighterOCI
import LighterSystem

/// The image config has two codings: Codable (what Lighter writes when it makes an image) and the
/// hand-written reader of the start path. Both must read and write the same document.
@Suite struct ImageConfigJSONTests {
    static func full() throws -> ImageConfig {
        var config = ContainerConfig()
        config.User = "1000:1000"
        config.ExposedPorts = ["80/tcp": EmptyObject()]
        config.Env = ["PATH=/bin"]
        config.Entrypoint = ["/init"]
        config.Cmd = ["serve", "--port", "80"]
        config.Volumes = ["/data": EmptyObject()]
        config.WorkingDir = "/srv"
        config.Labels = ["org.opencontainers.image.title": "x"]
        config.StopSignal = "SIGQUIT"
        config.Healthcheck = HealthConfig(Test: ["CMD-SHELL", "true"], Interval: 5_000_000_000, Timeout: 1_000_000_000,
                                          StartPeriod: 2_000_000_000, StartInterval: 500_000_000, Retries: 3)
        config.OnBuild = ["RUN echo triggered"]
        config.Shell = ["/bin/sh", "-ec"]
        var image = ImageConfig(created: "2026-11-29T00:00:00Z", architecture: "arm", os: "linux", variant: "v7", config: config,
                                diffIDs: [try Digest(parsing: "sha256:" + String(repeating: "0f", count: 32))],
                                history: [.init(created: "2026-11-29T00:00:00Z", createdBy: "import", comment: "c", emptyLayer: false)])
        image.author = "me"
        image.history?[0].author = "me"
        return image
    }

    @Test func bothCodingsAgree() throws {
        let image = try Self.full()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let codable = Array(try encoder.encode(image))
        #expect(try ImageConfig(jsonBytes: codable, what: "config") == image)
        #expect(try JSONDecoder().decode(ImageConfig.self, from: Data(image.jsonBytes())) == image)
        #expect(image.jsonBytes() == codable)
    }

    @Test func readsDockerStyleConfigsIgnoringUnknownFields() throws {
        let text = #"{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["sh"],"ExposedPorts":{"80/tcp":{}},"Healthcheck":{"Test":["NONE"]}},"rootfs":{"type":"layers","diff_ids":[]},"container_config":{"Cmd":["x"]}}"#
        let image = try ImageConfig(jsonBytes: Array(text.utf8), what: "config")
        #expect(image.config?.Cmd == ["sh"] && image.config?.ExposedPorts?.keys.first == "80/tcp" && image.rootfs.diff_ids.isEmpty)
        expectError(.invalidDigest) {
            try ImageConfig(jsonBytes: Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["md5:00"]}}"#.utf8), what: "config")
        }
    }
}
