import LighterBuild
import LighterSystem
import LighterTestSupport
import Testing

@Suite struct DockerfileParseTests {
    @Test func instructionsFormsAndCase() throws {
        let file = try Dockerfile(parsing: """
            # syntax=docker/dockerfile:1
            # check=skip=JSONArgsRecommended
            ARG BASE=busybox
            from ${BASE} As Build
            # a comment
            run echo one \\
                # a comment inside a continuation
                two \\

                three
            CMD ["sh", "-c", "echo hi"]
            ENTRYPOINT [not json
            COPY --from=build --chown=1:2 --chmod=0640 a b /dst/
            """)
        #expect(file.syntax == "docker/dockerfile:1")
        #expect(file.check == "skip=JSONArgsRecommended")
        #expect(file.instructions.map(\.keyword) == ["ARG", "FROM", "RUN", "CMD", "ENTRYPOINT", "COPY"])
        #expect(file.instructions[2].arguments == .shell("echo one     two     three"))
        #expect(file.instructions[2].line == 6)
        #expect(file.instructions[3].arguments == .json(["sh", "-c", "echo hi"]))
        #expect(file.instructions[4].arguments == .shell("[not json"))
        let copy = file.instructions[5]
        #expect(copy.flag("from") == "build")
        #expect(copy.flag("chown") == "1:2")
        #expect(copy.flag("chmod") == "0640")
        #expect(copy.arguments == .shell("a b /dst/"))
        let (meta, stages) = try file.stages()
        #expect(meta.map(\.text) == ["BASE=busybox"])
        #expect(stages.count == 1)
        #expect(stages[0].name == "build")
        #expect(stages[0].base == "${BASE}")
        #expect(stages[0].instructions.count == 4)
    }

    @Test func escapeDirectiveChangesContinuations() throws {
        let file = try Dockerfile(parsing: "# escape=`\nFROM scratch\nRUN dir c:\\ `\n  /w\n")
        #expect(file.escape == "`")
        #expect(file.instructions[1].arguments == .shell("dir c:\\   /w"))
        // A directive after an instruction is a comment.
        let late = try Dockerfile(parsing: "FROM scratch\n# escape=`\nRUN a \\\n b\n")
        #expect(late.escape == "\\")
        #expect(late.instructions[1].arguments == .shell("a  b"))
    }

    @Test func heredocs() throws {
        let file = try Dockerfile(parsing: """
            FROM busybox
            RUN <<EOF
            echo hello
            echo world
            EOF
            COPY <<-"CONF" <<ALSO /etc/
            \tliteral $HOME
            \tCONF
            second $X
            ALSO
            RUN cat <<<notaheredoc
            """)
        let run = file.instructions[1]
        #expect(run.heredocs == [Heredoc(name: "EOF", body: "echo hello\necho world\n", expands: true, stripsTabs: false)])
        let copy = file.instructions[2]
        #expect(copy.heredocs.map(\.name) == ["CONF", "ALSO"])
        #expect(copy.heredocs[0].body == "literal $HOME\n")
        #expect(copy.heredocs[0].expands == false)
        #expect(copy.heredocs[1].body == "second $X\n")
        #expect(file.instructions[3].heredocs.isEmpty)
        #expect(file.instructions.count == 4)
    }

    @Test func onbuildAndHealthcheck() throws {
        let file = try Dockerfile(parsing: """
            FROM busybox
            ONBUILD RUN echo triggered
            HEALTHCHECK --interval=5s --retries=3 CMD wget -q localhost
            HEALTHCHECK NONE
            """)
        #expect(file.instructions[1].onbuild.first?.keyword == "RUN")
        #expect(file.instructions[2].flag("interval") == "5s")
        #expect(file.instructions[2].text == "CMD wget -q localhost")
    }

    @Test(arguments: [
        ("FROM busybox\nFORM x\n", "Dockerfile:2:1", "unknown instruction \"FORM\""),
        ("FROM busybox\n  COPY --form=x a b\n", "Dockerfile:2:8", "unknown flag --form for COPY"),
        ("FROM busybox\nRUN\n", "Dockerfile:2:1", "RUN requires at least one argument"),
        ("FROM busybox\nSHELL /bin/sh -c\n", "Dockerfile:2:1", "SHELL requires the arguments in JSON form"),
        ("FROM busybox\nRUN <<EOF\necho\n", "Dockerfile:2:1", "here-document <<EOF is not closed"),
        ("RUN echo\nFROM busybox\n", "Dockerfile:1:1", "only ARG may come before FROM"),
        ("# comment only\n", "Dockerfile:1:1", "the file has no instructions"),
        ("FROM a AS x\nFROM b AS X\n", "Dockerfile:2:1", "used twice"),
        ("# escape=x\nFROM a\n", "Dockerfile:1:1", "invalid escape directive"),
        ("FROM busybox\nONBUILD ONBUILD RUN x\n", "Dockerfile:2:1", "cannot be nested"),
    ])
    func errorsNameFileLineAndColumn(text: String, place: String, message: String) throws {
        let error = expectError(.malformed) { try Dockerfile(parsing: text).stages() }
        let description = error?.description ?? ""
        #expect(description.contains(place), "\(description)")
        #expect(description.contains(message), "\(description)")
    }
}

@Suite struct ShellLexerTests {
    let env = ["A": "alpha", "EMPTY": "", "PATHS": "/usr/local/bin:/usr/bin", "SPACED": "x  y", "FILE": "archive.tar.gz"]
    let lexer = ShellLexer()

    @Test(arguments: [
        ("$A", "alpha"), ("${A}", "alpha"), ("pre${A}post", "prealphapost"), ("$UNSET", ""),
        ("${UNSET:-def}", "def"), ("${EMPTY:-def}", "def"), ("${EMPTY-def}", ""), ("${UNSET-def}", "def"),
        ("${A:+set}", "set"), ("${EMPTY:+set}", ""), ("${EMPTY+set}", "set"), ("${UNSET+set}", ""),
        ("${FILE#*.}", "tar.gz"), ("${FILE##*.}", "gz"), ("${FILE%.*}", "archive.tar"), ("${FILE%%.*}", "archive"),
        ("${PATHS/usr/opt}", "/opt/local/bin:/usr/bin"), ("${PATHS//usr/opt}", "/opt/local/bin:/opt/bin"),
        ("'$A'", "$A"), ("\"$A b\"", "alpha b"), ("\\$A", "$A"), ("\"\\$A\"", "$A"), ("a\\ b", "a b"),
        ("$", "$"), ("a$-b", "a$-b"), ("${UNSET:-${A}x}", "alphax"), ("${UNSET:-'q w'}", "q w"),
    ])
    func word(input: String, expected: String) throws {
        #expect(try lexer.word(input, environment: env) == expected)
    }

    @Test func wordsSplitUnquotedBlanks() throws {
        #expect(try lexer.words("a \"b c\" $SPACED \"$SPACED\" ''", environment: env) == ["a", "b c", "x", "y", "x  y", ""])
        #expect(try lexer.words("K=\"v 1\" L=$A", environment: env) == ["K=v 1", "L=alpha"])
    }

    @Test func errors() throws {
        expectError(.invalidArgument) { try lexer.word("'open", environment: env) }
        expectError(.invalidArgument) { try lexer.word("${A", environment: env) }
        expectError(.invalidArgument) { try lexer.word("${UNSET:?must be set}", environment: env) }
        expectError(.invalidArgument) { try lexer.word("${}", environment: env) }
        let backtick = ShellLexer(escape: "`")
        #expect(try backtick.word("a`$b", environment: env) == "a$b")
    }
}
