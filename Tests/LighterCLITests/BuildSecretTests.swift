#if canImport(Glibc)
import Glibc
#endif
import LighterSystem
import LighterTestSupport
import Testing

/// `--secret` and `RUN --mount=type=secret`: the secret is a file for that RUN only, in no layer,
/// snapshot, cache key, history or inspect output; a required one that was not given is an error.
@Suite(.serialized) struct BuildSecretTests {
    @Test func aSecretIsSeenByItsRunOnlyAndStoredNowhere() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        // The Dockerfile compares the secrets' MD5 sums, so that their values appear nowhere but in the secrets.
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox
            RUN --mount=type=secret,id=token,target=/etc/app/token,mode=0440,uid=1000,gid=1001 \\
                stat -c '%a %u %g' /etc/app/token > /stat && [ "$(md5sum < /etc/app/token)" = "7bfa944c0dc8bc3bf7e519c2976fdbd2  -" ] && echo file-ok > /file-ok
            RUN --mount=type=secret,id=fromenv [ "$(md5sum < /run/secrets/fromenv)" = "4da35104b253742e9c2e9999ebec5179  -" ] && echo env-ok > /env-ok
            RUN --mount=type=secret,id=absent [ ! -e /run/secrets/absent ] && echo absent-ok > /absent-ok
            RUN echo after > /after && [ ! -e /etc/app/token ] && [ ! -e /run/secrets/fromenv ]
            """])
        let secretsDir = TestDirectory("lighter-build-secret")
        try secretsDir.write("token", "s3cret-value-42")
        let result = lighter.run(["build", "--progress", "plain", "-t", "secret:1", "--secret", "id=token,src=\(secretsDir.sub("token"))",
                                  "--secret", "id=fromenv,env=LIGHTER_TEST_SECRET", context.path],
                                 environment: ["LIGHTER_TEST_SECRET": "env-s3cret-7"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lighter.run("run", "--rm", "secret:1", "cat", "/stat", "/file-ok", "/env-ok", "/absent-ok", "/after").stdout
                == "440 1000 1001\nfile-ok\nenv-ok\nabsent-ok\nafter\n")
        // Not in the image: neither the file nor its mount point (nor the directories made for it).
        #expect(lighter.run("run", "--rm", "secret:1", "sh", "-c", "ls -d /etc/app /run/secrets 2>&1; true").stdout.contains("No such file"))
        // Nowhere in the data root: blobs (layers unpacked), snapshots, database, and not in inspect or history.
        let root = lighter.root.path
        let search = Run.sh("""
            for f in \(root)/blobs/sha256/*; do gzip -dc "$f" 2>/dev/null || cat "$f"; done | grep -c -a -e s3cret-value-42 -e env-s3cret-7;
            grep -r -l -a -e s3cret-value-42 -e env-s3cret-7 \(root) | wc -l
            """)
        #expect(search.stdout == "0\n0\n", "\(search.stdout)")
        let inspect = lighter.run("image", "inspect", "secret:1").stdout + lighter.run("history", "--no-trunc", "secret:1").stdout
        #expect(!inspect.contains("s3cret"))
        #expect(inspect.contains("/etc/app/token"))  // the mount's target is part of the instruction, as in Docker
        // The secret's value is no part of the cache key: another value reuses every step (as BuildKit).
        try secretsDir.write("token", "another-value")
        let again = lighter.run(["build", "--progress", "plain", "-t", "secret:2", "--secret", "id=token,src=\(secretsDir.sub("token"))",
                                 "--secret", "id=fromenv,env=LIGHTER_TEST_SECRET", context.path],
                                environment: ["LIGHTER_TEST_SECRET": "other"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.ranges(of: "CACHED").count == 4, "\(again.stderr)")
        // Nothing left on the host.
        #expect(((try? FileSystem.list("/run/lighter/build-secrets")) ?? []).isEmpty)
    }

    @Test func missingOrRefusedSecretsAreClearErrors() throws {
        let lighter = Lighter()
        #expect(lighter.importBusybox().status == 0)
        let context = try BuildCommandTests.context(["Dockerfile": """
            FROM busybox
            RUN --mount=type=secret,id=token,required=true cat /run/secrets/token
            """])
        let missing = lighter.run("build", "--progress", "plain", context.path)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such build secret: token (line 2 requires it"), "\(missing.stderr)")
        let noFile = lighter.run("build", "--secret", "id=token,src=/nonexistent/token", context.path)
        #expect(noFile.status != 0)
        #expect(noFile.stderr.contains("secret file"), "\(noFile.stderr)")
        let badFlag = lighter.run("build", "--secret", "token", context.path)
        #expect(badFlag.status != 0)
        #expect(badFlag.stderr.contains("id=ID,src=FILE"), "\(badFlag.stderr)")
        try context.write("Dockerfile", "FROM busybox\nRUN --mount=type=secret,id=token,env=TOKEN true\n")
        let envTarget = lighter.run("build", "--secret", "id=token,env=HOME", context.path)
        #expect(envTarget.status != 0)
        #expect(envTarget.stderr.contains("type=secret,env="), "\(envTarget.stderr)")
        #expect(lighter.run("ps", "-a", "-q").stdout.isEmpty)
    }
}
