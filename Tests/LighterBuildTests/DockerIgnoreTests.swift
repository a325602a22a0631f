import LighterBuild
import Testing

@Suite struct DockerIgnoreTests {
    @Test func dockersRules() {
        let ignore = DockerIgnore("""
            # comment
            *.log
            /secret
            build/**
            !build/keep.txt
            docs/*/draft.md
            ./tmp/../cache

            """)
        #expect(ignore.excludes("a.log"))
        #expect(!ignore.excludes("dir/a.log"))            // * does not cross "/"
        #expect(ignore.excludes("secret"))
        #expect(ignore.excludes("secret/inner/file"))      // a parent directory matched
        #expect(ignore.excludes("build/x/y.o"))
        #expect(!ignore.excludes("build/keep.txt"))        // the exception comes later
        #expect(ignore.excludes("docs/v1/draft.md"))
        #expect(!ignore.excludes("docs/draft.md"))
        #expect(ignore.excludes("cache"))
        #expect(!ignore.excludes("src/main.swift"))
        let all = DockerIgnore("**\n!Dockerfile\n")
        #expect(all.excludes("anything/deep"))
        #expect(!all.excludes("Dockerfile"))
    }
}
