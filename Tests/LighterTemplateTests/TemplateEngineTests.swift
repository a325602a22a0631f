import LighterSystem
import LighterTemplate
import Testing

private func render(_ text: String, _ json: String = "{}", functions: TemplateFunctions = .docker, missingKeyIsError: Bool = false) throws -> String {
    try Template(text, functions: functions, missingKeyIsError: missingKeyIsError).execute(TemplateValue(jsonText: Array(json.utf8)))
}

/// The message of the error a template gives (parsing or executing).
private func failure(_ text: String, _ json: String = "{}", missingKeyIsError: Bool = false) -> String? {
    do {
        _ = try render(text, json, missingKeyIsError: missingKeyIsError)
        return nil
    } catch let error as LighterError {
        guard case let .invalidArgument(message) = error else { return "\(error)" }
        return message
    } catch {
        return "\(error)"
    }
}

private let doc = #"{"Name":"/web","State":{"Status":"running","ExitCode":0,"Pid":42},"Args":["-g","off"],"# +
    #""Labels":{"b":"2","a":"1"},"Mounts":[{"Source":"/s","RW":true},{"Source":"/t","RW":false}],"Size":12.5,"Nil":null}"#

/// Each construct of Go's text/template, with the output Go gives (the differential test
/// checks hundreds more against Go itself).
@Suite struct TemplateEngineTests {
    @Test func textFieldsAndChains() throws {
        #expect(try render("a {{.Name}} b", doc) == "a /web b")
        #expect(try render("{{.State.Status}}/{{.State.ExitCode}}", doc) == "running/0")
        #expect(try render("{{(index .Mounts 1).Source}}", doc) == "/t")
        #expect(try render("{{$.Name}}{{$s := .State}}{{$s.Pid}}", doc) == "/web42")
        #expect(try render("{{.Labels.a}}{{.Labels.zz}}", doc) == "1<no value>")
        #expect(try render("{{.Missing.Deeper}}", doc) == "<no value>")
        #expect(try render("{{.Nil}} {{print .Nil}}", doc) == "<no value> <nil>")
    }

    @Test func goRendering() throws {
        #expect(try render("{{.Args}} {{.Labels}} {{.Size}} {{.State}}", doc) == "[-g off] map[a:1 b:2] 12.5 map[ExitCode:0 Pid:42 Status:running]")
        #expect(try render("{{.}}", #"{"A":[1,null,{"k":true}],"F":1000000.0,"G":0.00001}"#) == "map[A:[1 <nil> map[k:true]] F:1e+06 G:1e-05]")
        #expect(try render("{{.}}", "18446744073709551615") == "18446744073709551615")
    }

    @Test func trimMarkersAndComments() throws {
        #expect(try render("a  {{- .Name -}}  \n b", doc) == "a/webb")
        #expect(try render("x {{- /* note */ -}} y {{/* kept apart */}}z") == "xy z")
        #expect(try render("{{-3}}") == "-3")
    }

    @Test func conditionals() throws {
        #expect(try render("{{if .State.ExitCode}}bad{{else if eq .State.Status \"running\"}}up{{else}}?{{end}}", doc) == "up")
        #expect(try render("{{with .Labels}}{{.b}}{{else}}none{{end}}{{with .Missing}}x{{else}}none{{end}}", doc) == "2none")
        #expect(try render("{{if and .Name (not .Nil)}}y{{end}}{{or .Nil 0 \"z\"}}", doc) == "yz")
    }

    @Test func rangeLoops() throws {
        #expect(try render("{{range $i, $m := .Mounts}}{{$i}}:{{$m.Source}} {{end}}", doc) == "0:/s 1:/t ")
        #expect(try render("{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", doc) == "a=1;b=2;")
        #expect(try render("{{range .Nope}}x{{else}}empty{{end}}", doc) == "empty")
        #expect(try render("{{range .Mounts}}{{if not .RW}}{{break}}{{end}}{{.Source}}{{end}}", doc) == "/s")
        #expect(try render("{{range .Mounts}}{{if .RW}}{{continue}}{{end}}{{.Source}}{{end}}", doc) == "/t")
    }

    @Test func variablesAndPipelines() throws {
        #expect(try render("{{$x := 1}}{{$x = \"two\"}}{{$x}}") == "two")
        #expect(try render("{{.Name | printf \"%s!\" | upper}}", doc) == "/WEB!")
        #expect(try render("{{len .Args | printf \"%03d\"}}", doc) == "002")
    }

    @Test func definitionsAndBlocks() throws {
        #expect(try render("{{define \"m\"}}[{{.Source}}]{{end}}{{range .Mounts}}{{template \"m\" .}}{{end}}", doc) == "[/s][/t]")
        #expect(try render("{{block \"b\" .Name}}<{{.}}>{{end}}", doc) == "</web>")
    }

    @Test func literals() throws {
        #expect(try render("{{\"a\\tb\"}}|{{`raw\\n`}}|{{'x'}}|{{0x1F}}|{{1e3}}|{{true}}|{{017}}") == "a\tb|raw\\n|120|31|1000|true|15")
    }

    @Test func builtins() throws {
        #expect(try render("{{len .Name}} {{index .Args 1}} {{index .Labels \"a\"}} {{slice .Name 1 3}}", doc) == "4 off 1 we")
        #expect(try render("{{eq .State.Pid 1 42}} {{ne 1 2}} {{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2.5}}", doc) == "true true true true true false")
        #expect(try render("{{print 1 2 \"a\" 3}}|{{println \"x\" 1}}", doc) == "1 2a3|x 1\n")
        // Strings compare as bytes, as in Go: a precomposed é is not e + U+0301.
        #expect(try render("{{eq \"\\u00e9\" \"e\\u0301\"}} {{lt \"B\" \"a\"}}") == "false true")
        #expect(try render("{{html \"<a href='x'>&\"}} {{js \"it's <b>\"}} {{urlquery \"a b&c\"}}") == "&lt;a href=&#39;x&#39;&gt;&amp; it\\'s \\u003Cb\\u003E a+b%26c")
    }

    @Test func printfVerbs() throws {
        #expect(try render("{{printf \"%5d|%-5s|%05.1f|%x|%q|%v|%t\" 42 \"ab\" 3.14159 255 \"q\" .Args true}}", doc) == "   42|ab   |003.1|ff|\"q\"|[-g off]|true")
        #expect(try render("{{printf \"%d %s\" \"x\" 1}}|{{printf \"%d\"}}|{{printf \"%s\" 1 2}}") == "%!d(string=x) %!s(int=1)|%!d(MISSING)|%!s(int=1)%!(EXTRA int=2)")
        #expect(try render("{{printf \"%e %g %.2e %8.3f\" 1234.5678 0.000012 1234.5678 -3.14159}}") == "1.234568e+03 1.2e-05 1.23e+03   -3.142")
    }

    @Test func dockerFunctions() throws {
        #expect(try render("{{json .State}}", doc) == #"{"ExitCode":0,"Pid":42,"Status":"running"}"#)
        #expect(try render("{{json \"<&>\"}}") == #""<&>""#)
        #expect(try render("{{join .Args \",\"}} {{split \"a:b\" \":\"}} {{title \"hello world\"}} {{lower \"ÀB\"}} {{upper \"ab\"}}", doc) == "-g,off [a b] Hello World àb AB")
        #expect(try render("[{{pad \"x\" 1 2}}][{{pad \"\" 1 2}}] {{truncate \"abcdef\" 3}} {{truncate \"ab\" 3}}") == "[ x  ][] abc ab")
        // A table header keeps its text through the functions that would change it.
        let header = try Template("{{upper .Name}}|{{json .Name}}|{{truncate .Name 2}}").with(functions: .dockerHeader)
        #expect(try header.execute(.object(["Name": .string("NAMES")])) == "NAMES|NAMES|NAMES")
    }

    @Test func parseErrorsReadAsGo() {
        #expect(failure("{{foo}}") == "template: :1: function \"foo\" not defined")
        #expect(failure("{{.Name") == "template: :1: unclosed action")
        #expect(failure("{{if .A}}") == "template: :1: unexpected EOF")
        #expect(failure("{{end}}") == "template: :1: unexpected {{end}}")
        #expect(failure("{{$x}}") == "template: :1: undefined variable \"$x\"")
        #expect(failure("{{/* open") == "template: :1: unclosed comment")
        #expect(failure("{{break}}") == "template: :1: {{break}} outside {{range}}")
        #expect(failure("\n{{.A | 3}}") == "template: :2: non executable command in pipeline stage 2")
        #expect(failure("{{\"abc}}") == "template: :1: unterminated quoted string")
    }

    @Test func executionErrorsReadAsGo() {
        #expect(failure("{{.Name.X}}", doc) == "template: :1:7: executing \"\" at <.Name.X>: can't evaluate field X in type interface {}")
        #expect(failure("{{index .Args 5}}", doc) == "template: :1:2: executing \"\" at <index .Args 5>: error calling index: index out of range: 5")
        #expect(failure("{{upper 1}}") == "template: :1:8: executing \"\" at <1>: expected string; found 1")
        #expect(failure("{{eq .Name 1}}", doc) == "template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: incompatible types for comparison")
        #expect(failure("{{template \"x\"}}") == "template: :1:11: executing \"\" at <{{template \"x\"}}>: template \"x\" not defined")
        #expect(failure("{{.Nope}}", doc, missingKeyIsError: true) == "template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"")
    }

    /// Hostile input never crashes or hangs the parser; deep nesting and endless recursion stop
    /// with an error.
    @Test func hostileInputStopsWithAnError() throws {
        #expect(failure(String(repeating: "(", count: 10_000)) == nil)
        #expect(failure("{{" + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + "}}")?.contains("max expression depth exceeded") == true)
        #expect(failure(String(repeating: "{{if 1}}", count: 5_000))?.contains("max expression depth exceeded") == true)
        #expect(failure("{{define \"a\"}}{{template \"a\"}}{{end}}{{template \"a\"}}")?.contains("exceeded maximum template depth") == true)
        let nested = String(repeating: "{{if 1}}", count: 40) + "{{template \"a\"}}" + String(repeating: "{{end}}", count: 40)
        #expect(failure("{{define \"a\"}}\(nested){{end}}{{template \"a\"}}")?.contains("exceeded maximum template depth") == true)
        let wide = "{\"A\":[" + Array(repeating: "1", count: 200).joined(separator: ",") + "]}"
        #expect(failure("{{range .A}}{{range $.A}}{{range $.A}}x{{end}}{{end}}{{end}}", wide)?.contains("template execution stopped") == true)
        // Every prefix of a long template parses or fails cleanly.
        let text = "a {{- range $i, $v := .Args}}{{if eq $i 0}}{{printf \"%q\" $v | upper}}{{else}}{{/* c */}}{{end}}{{end -}} {{'x'}}{{`r`}}"
        let scalars = Array(text.unicodeScalars)
        for end in 0...scalars.count {
            var prefix = String.UnicodeScalarView()
            prefix.append(contentsOf: scalars[0..<end])
            _ = failure(String(prefix), doc)
        }
        // Pseudo-random byte soup from the template alphabet.
        let alphabet = Array("{}()|$.:=-\"'`/* \n\tabcdefrgnlie0123456789,@#\\")
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<3_000 {
            var soup = ""
            for _ in 0..<40 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                soup.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            _ = failure(soup, doc)
        }
    }
}
