import LighterBuild
import Testing

/// `build --check`'s rules, each on a file that breaks it and on one that does not.
@Suite struct DockerfileChecksTests {
    func rules(_ text: String) throws -> [String] {
        try Dockerfile(parsing: text).checks().map(\.rule)
    }

    @Test(arguments: [
        ("FROM busybox\nCMD echo hi\n", "JSONArgsRecommended"),
        ("FROM busybox\nENTRYPOINT exec top\n", "JSONArgsRecommended"),
        ("FROM busybox\nMAINTAINER me\n", "MaintainerDeprecated"),
        ("FROM busybox AS Build\n", "StageNameCasing"),
        ("FROM busybox as build\n", "FromAsCasing"),
        ("from busybox AS build\n", "FromAsCasing"),
        ("FROM busybox AS scratch\n", "ReservedStageName"),
        ("FROM busybox\nRUN true\nrun true\nRUN true\n", "ConsistentInstructionCasing"),
        ("FROM busybox\nWORKDIR app\n", "WorkdirRelativePath"),
        ("FROM busybox:${VERSION}\n", "UndefinedArgInFrom"),
        ("FROM busybox\nCMD [\"a\"]\nCMD [\"b\"]\n", "MultipleInstructionsDisallowed"),
        ("FROM busybox\nENV a b\n", "LegacyKeyValueFormat"),
        ("FROM busybox\nLABEL a b\n", "LegacyKeyValueFormat"),
        ("FROM busybox\nARG DB_PASSWORD\n", "SecretsUsedInArgOrEnv"),
        ("FROM busybox\nENV GITHUB_TOKEN=x\n", "SecretsUsedInArgOrEnv"),
    ])
    func ruleFires(text: String, rule: String) throws {
        #expect(try rules(text).contains(rule), "\(text)")
    }

    @Test(arguments: [
        "FROM busybox\nCMD [\"echo\", \"hi\"]\n",
        "FROM busybox AS build\nFROM build\n",
        "ARG VERSION=1\nFROM busybox:${VERSION}\n",
        "FROM busybox:$TARGETARCH\n",
        "FROM busybox\nWORKDIR /srv\nWORKDIR app\n",
        "FROM busybox\nENV a=b c=d\nLABEL x=y\n",
        "FROM busybox\nARG PUBLIC_KEY\nARG KEYBOARD\n",
        "from busybox as build\nrun true\n",
        "# check=skip=JSONArgsRecommended\nFROM busybox\nCMD echo hi\n",
        "# check=skip=all\nFROM busybox AS Build\nMAINTAINER me\n",
    ])
    func cleanFilePasses(text: String) throws {
        #expect(try rules(text) == [], "\(text)")
    }

    @Test func warningsCarryTheLineAndDockersPage() throws {
        let warnings = try Dockerfile(parsing: "FROM busybox\n\nCMD echo hi\n").checks()
        #expect(warnings.count == 1)
        #expect(warnings.first?.line == 3)
        #expect(warnings.first?.url == "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/")
        #expect(try Dockerfile(parsing: "FROM busybox\nARG A_SECRET\n").checks().first?.url
                == "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/")
    }
}
