/// The documents and templates the differential test renders with Lighter and with Go.
enum TemplateCorpus {
    /// An `inspect`-like document.
    static let inspect = #"""
    {"Id":"4f3c2a1b9e8d7c6b","Name":"/web","Created":"2024-01-02T03:04:05.123456789Z","Path":"nginx","Args":["-g","daemon off;"],
     "State":{"Status":"running","Running":true,"Paused":false,"ExitCode":0,"Pid":1234,"StartedAt":"2024-01-02T03:04:06Z","Error":""},
     "Config":{"Image":"nginx:latest","Cmd":["nginx","-g","daemon off;"],"Env":["PATH=/usr/bin","LANG=C.UTF-8"],
       "Labels":{"com.example.vendor":"ACME","version":"1.0"},"Entrypoint":null,"ExposedPorts":{"80/tcp":{}},"Tty":false,"StopTimeout":10},
     "HostConfig":{"Memory":536870912,"NanoCpus":1500000000,"CpuShares":0,"RestartPolicy":{"Name":"always","MaximumRetryCount":0},"Binds":null},
     "NetworkSettings":{"Networks":{"bridge":{"IPAddress":"172.17.0.2","Gateway":"172.17.0.1","IPPrefixLen":16,"MacAddress":"02:42:ac:11:00:02"}},
       "Ports":{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]}},
     "Mounts":[{"Type":"volume","Name":"data","Source":"/var/lib/lighter/volumes/data/_data","Destination":"/data","RW":true},
               {"Type":"bind","Source":"/etc/hosts","Destination":"/etc/hosts","RW":false}],
     "SizeRw":12.5,"Ratio":0.000001,"Tiny":1.5e-7,"Big":18446744073709551615,"Neg":-42,"Huge":1e21,"Million":1000000.0,"Float":3.14159,
     "Unicode":"héllo wörld ✓ 日本","Empty":"","Quote":"a \"b\" <c> & 'd' = e\\f","Tab":"a\tb\nc","Zero":0,"NullValue":null,"Bool":true}
    """#

    /// A `ps` row: every field a string.
    static let psRow = #"""
    {"ID":"4f3c2a1b9e8d","Image":"busybox","Command":"\"sh -c 'sleep 1'\"","CreatedAt":"2024-01-02 03:04:05 +0000 UTC",
     "RunningFor":"2 minutes ago","Ports":"0.0.0.0:8080->80/tcp","State":"running","Status":"Up 2 minutes","Size":"0B",
     "Names":"web","Labels":"a=b,c=d","Mounts":"data","Networks":"bridge"}
    """#

    /// Arrays, nested maps, mixed values.
    static let mixed = #"""
    {"Items":[1,2.5,"three",true,null,{"k":"v"},["x","y"]],"Strings":["b","a","c"],"Ints":[3,1,2],
     "Nested":{"a":{"b":{"c":"deep"}}},"EmptyList":[],"EmptyMap":{},"Map":{"z":1,"a":2,"m":null},"Floats":[0.1,100000,1234567,1e-5]}
    """#

    static let array = #"[{"Name":"a","N":1},{"Name":"b","N":2}]"#
    static let string = #""just a string""#
    static let number = "42"
    static let null = "null"

    static let documents = [inspect, psRow, mixed, array, string, number, null]

    /// Templates rendered over every document.
    static let generic: [String] = [
        "{{.}}", "{{json .}}", "{{len .}}", "{{printf \"%v|%s|%d\" . . .}}", "{{range .}}[{{.}}]{{end}}",
        "{{range $k, $v := .}}{{$k}}={{$v}};{{else}}empty{{end}}", "{{index . 0}}", "{{if .}}yes{{else}}no{{end}}",
        "{{with .}}in{{else}}out{{end}}", "{{.Name}}", "{{print . 1 \"x\" 2}}", "{{println .}}", "{{not .}}", "{{html .}}",
        "{{js .}}", "{{urlquery .}}", "{{eq . 42}}", "{{lt . 50}}", "{{slice . 1 2}}", "{{upper .}}", "{{printf \"%q\" .}}",
        "{{printf \"%x\" .}}", "{{printf \"%T\" .}}", "{{and . 1}}", "{{or . \"alt\"}}", "{{$x := .}}{{$x}}", "{{.Missing}}",
    ]

    /// Templates rendered over the inspect document.
    static let inspectTemplates: [String] = [
        // Text, fields, chains, maps.
        "plain text", "", "{{.Id}}", "{{.Name}} {{.Path}}", "{{.State.Status}}", "{{.State.ExitCode}}", "{{.State.Pid}}",
        "{{.State.Running}}", "{{.State}}", "{{.Config.Labels}}", "{{.Config.Labels.version}}", "{{.Config.Labels.missing}}",
        "{{.Config.Cmd}}", "{{.Args}}", "{{.Config.Entrypoint}}", "{{.NullValue}}", "{{.Missing.Deeper}}",
        "{{.HostConfig.Memory}}", "{{.HostConfig.NanoCpus}}", "{{.SizeRw}}", "{{.Ratio}}", "{{.Tiny}}", "{{.Big}}", "{{.Neg}}",
        "{{.Huge}}", "{{.Million}}", "{{.Float}}", "{{.Zero}}", "{{.Unicode}}", "{{.Quote}}", "{{.Tab}}", "{{.Config.ExposedPorts}}",
        "{{.NetworkSettings.Networks.bridge.IPAddress}}", "{{.NetworkSettings.Ports}}", "{{.Mounts}}", "{{.HostConfig}}",
        "{{(index .Mounts 0).Source}}", "{{(index .NetworkSettings.Networks \"bridge\").Gateway}}", "{{index .Config.Labels \"version\"}}",
        "{{index .Config.Labels \"nope\"}}", "{{index .State \"nope\"}}", "{{index .Config.Cmd 2}}", "{{index .Mounts 1 \"RW\"}}",
        "{{$.Name}}", "{{$m := index .Mounts 0}}{{$m.Destination}}", "{{.Config.Labels.version}}{{.Name}}",
        // Range.
        "{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "{{range $i, $m := .Mounts}}{{$i}}={{$m.Type}},{{end}}",
        "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}\n{{end}}", "{{range .Config.Env}}{{.}};{{end}}",
        "{{range $p, $conf := .NetworkSettings.Ports}}{{$p}} -> {{(index $conf 0).HostPort}}{{end}}",
        "{{range .Config.Entrypoint}}x{{else}}none{{end}}", "{{range .Missing}}x{{else}}missing{{end}}",
        "{{range $i, $e := .Args}}{{if $i}} {{end}}{{$e}}{{end}}", "{{range .Mounts}}{{if not .RW}}{{break}}{{end}}{{.Name}}{{end}}",
        "{{range .Mounts}}{{if .RW}}{{continue}}{{end}}{{.Source}}{{end}}", "{{range $x := .Args}}<{{$x}}>{{end}}",
        "{{range .Mounts}}{{$.Name}}{{.Type}}{{end}}", "{{range .State}}{{.}},{{end}}", "{{range .Name}}{{end}}",
        "{{range .State.Pid}}{{end}}",
        // If, with, else if.
        "{{if .State.Running}}up{{else}}down{{end}}", "{{if eq .State.Status \"exited\"}}E{{else if eq .State.Status \"running\"}}R{{else}}?{{end}}",
        "{{if and .State.Running (eq .State.ExitCode 0)}}ok{{end}}", "{{if or .Empty .Name}}has{{end}}", "{{if not .Empty}}empty{{end}}",
        "{{with .Config.Labels}}{{.version}}{{end}}", "{{with .Missing}}x{{else}}no{{end}}", "{{with $x := .State}}{{$x.Pid}}{{end}}",
        "{{if .NullValue}}a{{else}}b{{end}}", "{{if .Config.ExposedPorts}}ports{{end}}", "{{if .Zero}}z{{else}}nz{{end}}",
        "{{if .Ratio}}r{{end}}", "{{with .Args}}{{len .}}{{end}}", "{{if .EmptyThing}}{{else if .Name}}n{{end}}",
        // Variables.
        "{{$x := 1}}{{$x = 2}}{{$x}}", "{{$n := .Name}}{{range .Mounts}}{{$n}}{{end}}", "{{$a, $b := 1}}", "{{$}}x",
        "{{with $x := \"s\"}}{{$x}}{{end}}{{$x := 3}}{{$x}}", "{{if true}}{{$y := 1}}{{$y}}{{end}}",
        // Pipelines and parentheses.
        "{{.Name | printf \"%s!\"}}", "{{.State.Status | upper | printf \"[%s]\"}}", "{{\"abc\" | len}}", "{{(len .Args)}}",
        "{{len .Args | printf \"%03d\"}}", "{{.Args | len}}", "{{(.State).Status}}", "{{.Config | json}}", "{{.Mounts | len | eq 2}}",
        "{{printf \"%s-%s\" (index .Args 0) (index .Args 1)}}", "{{(index .Mounts 0).Name | upper}}",
        // Literals.
        "{{\"quoted\\tstring\\n\"}}", "{{`raw \\n string`}}", "{{'a'}}", "{{'\\n'}}", "{{1}}", "{{-1}}", "{{1.5}}", "{{1e3}}", "{{0x1F}}",
        "{{0o17}}", "{{017}}", "{{0b101}}", "{{1_000}}", "{{true}}", "{{false}}", "{{\"\\u00e9\\x41\"}}", "{{.5}}", "{{-.5}}",
        "{{printf \"%v %v\" 1.0 2.50}}", "{{printf \"%T %T %T %T\" 1 1.0 'x' \"s\"}}", "{{12345678901234567890}}",
        "{{9223372036854775807}}", "{{print nil}}", "{{printf \"%v\" nil}}",
        // Trim markers and comments.
        "a  {{- .Name -}}  b", "a {{- /* comment */ -}} b", "{{/* only a comment */}}", "x\n  {{- .Name}}\n  {{- .Path}}",
        "{{- .Name}}", "{{.Name -}}\n\n", "{{ .Name }}", "{{-3}}", "{{- 3}}", "{{3 -}}", "a {{/* c */}} b",
        // Builtins.
        "{{len .Name}}", "{{len .Unicode}}", "{{len .Config.Labels}}", "{{index .Name 1}}", "{{slice .Name 1}}", "{{slice .Args 0 1}}",
        "{{slice .Name 1 3}}", "{{slice .Args 1 2 2}}", "{{not .State.Running}}", "{{and 1 0 2}}", "{{and 1 2}}", "{{or 0 \"\" 3}}",
        "{{or 0 false}}", "{{and}}", "{{print 1 2 \"a\" \"b\" 3}}", "{{print \"a\" 1 2}}", "{{println 1 \"a\" 2}}",
        "{{html .Quote}}", "{{js .Quote}}", "{{urlquery .Quote}}", "{{html .Tab}}", "{{js .Tab}}", "{{js .Unicode}}", "{{urlquery .Unicode}}",
        "{{html 1 \"<\" 2}}", "{{html .Missing}}", "{{js .NullValue}}", "{{urlquery \"a b\" \"c&d\"}}",
        "{{eq .Name \"/web\"}}", "{{eq .State.ExitCode 0}}", "{{eq .State.Pid 1 2 1234}}", "{{ne .Name \"x\"}}", "{{lt 1 2}}",
        "{{le 2 2}}", "{{gt 3 2}}", "{{ge 1 2}}", "{{lt \"a\" \"b\"}}", "{{lt 1.5 2.5}}", "{{eq .Missing \"x\"}}", "{{eq .NullValue nil}}",
        "{{eq .Big 1}}", "{{lt .Neg 0}}", "{{eq .Float 3.14159}}", "{{eq .Zero 0}}",
        // Docker's functions.
        "{{json .State}}", "{{json .Config.Labels}}", "{{json .Mounts}}", "{{json .Quote}}", "{{json .Unicode}}", "{{json .Tab}}",
        "{{json .Tiny}}", "{{json .Huge}}", "{{json .Million}}", "{{json .Big}}", "{{json .NullValue}}", "{{json .Missing}}",
        "{{json .SizeRw}}", "{{json 1.0}}", "{{json \"<&>\"}}", "{{join .Args \" \"}}", "{{join .Config.Env \",\"}}",
        "{{split .State.StartedAt \"T\"}}", "{{index (split .Config.Image \":\") 1}}", "{{split \"a,b,,c\" \",\"}}", "{{split \"abc\" \"\"}}",
        "{{split \"\" \",\"}}", "{{join (split \"a-b-c\" \"-\") \"+\"}}", "{{title \"hello wide_world foo-bar\"}}", "{{title .Unicode}}",
        "{{lower \"MiXeD ÉCOLE\"}}", "{{upper .Unicode}}", "{{upper .State.Status}}", "{{pad .Name 2 3}}|", "{{pad .Empty 2 3}}|",
        "{{truncate .Id 4}}", "{{truncate .Name 100}}", "{{truncate .Name 0}}", "{{.Id | truncate 6}}",
        // printf verbs.
        "{{printf \"%s\" .Name}}", "{{printf \"%d\" .State.Pid}}", "{{printf \"%5d|%-5d|%05d\" 42 42 42}}", "{{printf \"%x %X %o %b\" 255 255 8 5}}",
        "{{printf \"%#x %#o %#b\" 255 8 5}}", "{{printf \"%+d % d\" 5 5}}", "{{printf \"%c %q %U\" 65 65 65}}", "{{printf \"%#U\" 0x1F600}}",
        "{{printf \"%5.2f|%-8.3f|%08.3f\" .Float .Float .Float}}", "{{printf \"%e %E\" .Float .Float}}", "{{printf \"%g %G\" .Tiny .Huge}}",
        "{{printf \"%.3g\" .Float}}", "{{printf \"%f\" .SizeRw}}", "{{printf \"%.0f\" 2.5}}", "{{printf \"%+.1f\" .Float}}", "{{printf \"%v\" .Million}}",
        "{{printf \"%10s|%-10s|\" .State.Status .State.Status}}", "{{printf \"%.3s\" .Unicode}}", "{{printf \"%q\" .Quote}}",
        "{{printf \"%+q\" .Unicode}}", "{{printf \"%#q\" .Name}}", "{{printf \"%x\" .Name}}", "{{printf \"% x\" .Name}}", "{{printf \"%X\" .Unicode}}",
        "{{printf \"%t %v\" .State.Running .State.Paused}}", "{{printf \"%v\" .Mounts}}", "{{printf \"%v\" .Config.Labels}}",
        "{{printf \"%d\" .Name}}", "{{printf \"%s\" .State.Pid}}", "{{printf \"%d\" .Float}}", "{{printf \"%t\" 1}}", "{{printf \"%s\"}}",
        "{{printf \"%s\" 1 2}}", "{{printf \"%d %d\" 1}}", "{{printf \"100%%\"}}", "{{printf \"%\"}}", "{{printf \"%z\" 1}}",
        "{{printf \"%s\" .Missing}}", "{{printf \"%v\" .NullValue}}", "{{printf \"%d\" .Config.Cmd}}", "{{printf \"%s\" .Config.Cmd}}",
        "{{printf \"%q\" .Args}}", "{{printf \"%5v|\" .Args}}", "{{printf \"%v\" .HostConfig.RestartPolicy}}", "{{printf \"%*d\" 5 3}}",
        "{{printf \"%-*d|\" 4 3}}", "{{printf \"%.*f\" 2 .Float}}", "{{printf \"%6.2v\" .Float}}", "{{printf \"%05s\" \"ab\"}}",
        "{{printf \"%x\" -255}}", "{{printf \"%d\" .Big}}", "{{printf \"%v\" .Neg}}", "{{printf \"%08.3f\" -3.5}}", "{{printf \"% .2f\" 1.0}}",
        // define / template / block.
        "{{define \"T\"}}<{{.}}>{{end}}{{template \"T\" .Name}}", "{{define \"T\"}}[{{.Status}}]{{end}}{{template \"T\" .State}}{{template \"T\" .State}}",
        "{{block \"B\" .Name}}({{.}}){{end}}", "{{define \"T\"}}{{$}}{{end}}{{template \"T\"}}", "{{template \"nope\"}}",
        "{{define \"a\"}}A{{template \"b\" .}}{{end}}{{define \"b\"}}B{{.}}{{end}}{{template \"a\" 1}}",
        "{{define \"T\"}}{{range .}}{{.}}{{end}}{{end}}{{template \"T\" .Args}}", "{{define \"x\"}}1{{end}}{{define \"x\"}}2{{end}}",
        "{{define \"x\"}}{{end}}{{define \"x\"}}2{{end}}{{template \"x\"}}",
        // Execution errors.
        "{{.Name.First}}", "{{.NullValue.X}}", "{{.Args.X}}", "{{index .Args 5}}", "{{index .Args 2}}", "{{index .Args -1}}", "{{index .Args \"a\"}}",
        "{{index .Config.Labels 1}}", "{{index .State.Pid 0}}", "{{index .Missing 0}}", "{{index .NullValue 0}}", "{{slice .Args 2 1}}",
        "{{slice .Name 0 1 2}}", "{{slice .State.Pid 1}}", "{{len .State.Pid}}", "{{len .Missing}}", "{{len .NullValue}}",
        "{{lt .Name 1}}", "{{eq .Name 1}}", "{{eq .Args .Args}}", "{{lt true false}}", "{{lt .Missing 1}}", "{{eq}}", "{{ne 1}}",
        "{{upper 1}}", "{{upper .State.Pid}}", "{{upper .Missing}}", "{{upper .NullValue}}", "{{upper nil}}", "{{join .Mounts \",\"}}",
        "{{join \"a\" \",\"}}", "{{truncate .Name 1.5}}", "{{truncate .Name \"1\"}}", "{{truncate .Name 2.0}}", "{{pad .Name -1 0}}",
        "{{truncate .Name -1}}", "{{call .Name}}", "{{call .Missing}}", "{{.Name 1}}", "{{1 2}}", "{{nil}}", "{{. 1}}", "{{.Name | .State}}",
        "{{\"x\" | printf \"%s %s\" \"y\"}}", "{{.Name | upper 1}}", "{{printf}}", "{{len}}", "{{index}}", "{{not 1 2}}",
        "{{range 5}}{{end}}", "{{(index .Mounts 0).Nope.Deeper}}", "{{$x := .Mounts}}{{$x.Type}}", "{{(1).X}}",
        "{{with .State}}{{.Nope}}{{end}}", "{{range .Config.Cmd}}{{.X}}{{end}}", "{{range .Mounts}}{{.X.Y}}{{end}}",
        // Parse errors.
        "{{", "{{.Name", "{{.Name}", "{{end}}", "{{else}}", "{{if .Name}}", "{{if}}{{end}}", "{{range}}{{end}}", "{{foo}}", "{{.Name | foo}}",
        "{{$x}}", "{{$x = 1}}", "{{(.Name}}", "{{.Name)}}", "{{\"unterminated}}", "{{`raw}}", "{{'ab'}}", "{{'}}", "{{/* unclosed}}",
        "{{/* c */ .Name}}", "{{break}}", "{{continue}}", "{{range .Args}}{{break 1}}{{end}}", "{{define}}{{end}}", "{{define \"x\"}}",
        "{{template}}", "{{template .Name}}", "{{block \"b\"}}{{end}}", "{{if .A}}{{else}}{{else}}{{end}}", "{{with .A}}{{else if .B}}{{end}}",
        "{{1 | 2}}", "{{.Name | \"s\"}}", "{{3.Name}}", "{{\"s\".X}}", "{{nil.X}}", "{{.A.}}", "{{.A@}}", "{{@}}", "{{#}}", "{{0x}}",
        "{{1a}}", "{{089}}", "{{1e}}", "{{1i}}", "{{9999999999999999999999}}", "{{\"\\q\"}}", "{{.Name := 1}}", "{{$x :=}}",
        "{{$a, $b, $c := .}}", "{{range $a, $b, $c := .}}{{end}}", "{{$a, $b := .}}", "{{range $a, 1 := .}}{{end}}", "{{:}}", "{{:=}}",
        "{{.Name}}\n{{if}}", "{{if .A}}\n\n{{end", "{{end}}\n{{end}}", "{{(}}", "{{)}}", "{{((.Name))}}", "{{(.Name) | printf \"%s\"}}",
        "line1\nline2 {{.Nope.X | foo}}", "{{printf \"%s\" \n .Name}}", "{{ /* spaced */ }}", "{{-/* c */-}}", "{{- /* c */ -}}",
        "{{.Name}}{{", "}}{{.Name}}", "{{{.Name}}}", "{{.Name}}}}", "{{$}}{{$.}}", "{{.. }}", "{{...}}", "{{$x := 1}}{{$x.y}}",
    ]

    /// Templates rendered over the ps row, as `docker ps --format` users write them.
    static let psTemplates: [String] = [
        "{{.ID}}\t{{.Names}}", "{{.Names | upper}}", "{{if eq .State \"running\"}}{{.Names}} is up{{end}}", "{{json .}}",
        "{{.Command}}", "{{printf \"%-15s %s\" .Names .Status}}", "{{.Labels}}", "{{split .Labels \",\"}}", "{{range split .Labels \",\"}}<{{.}}>{{end}}",
        "{{truncate .ID 4}}", "{{pad .Names 1 1}}", "{{.Nope}}", "{{lower .Image | title}}", "{{len .}}", "{{range $k, $v := .}}{{$k}} {{end}}",
        "{{index . \"Ports\"}}", "{{index . \"Nope\"}}", "{{.Size}} {{.RunningFor}}", "{{js .Command}}", "{{html .Ports}}",
    ]

    static let mixedTemplates: [String] = [
        "{{.Items}}", "{{json .Items}}", "{{range .Items}}{{.}}|{{end}}", "{{range .Items}}{{printf \"%v\" .}}|{{end}}", "{{index .Items 4}}",
        "{{index .Items 5}}", "{{(index .Items 5).k}}", "{{index .Items 6 1}}", "{{len .Items}}", "{{printf \"%d\" .Ints}}", "{{printf \"%s\" .Items}}",
        "{{.Strings}}", "{{join .Strings \"-\"}}", "{{.Ints}}", "{{join .Ints \",\"}}", "{{.Nested.a.b.c}}", "{{.Nested}}", "{{json .Nested}}",
        "{{.EmptyList}}", "{{.EmptyMap}}", "{{json .EmptyList}}", "{{json .EmptyMap}}", "{{if .EmptyList}}a{{else}}b{{end}}",
        "{{range .EmptyMap}}x{{else}}none{{end}}", "{{.Map}}", "{{json .Map}}", "{{range $k, $v := .Map}}{{$k}}:{{$v}} {{end}}", "{{.Map.m}}",
        "{{index .Map \"m\"}}", "{{index .Map \"q\"}}", "{{eq .Map.m nil}}", "{{.Floats}}", "{{json .Floats}}", "{{range .Floats}}{{.}} {{end}}",
        "{{range .Floats}}{{printf \"%.2f \" .}}{{end}}", "{{slice .Items 1 3}}", "{{slice .Strings 1}}", "{{join (slice .Strings 1) \"\"}}",
        "{{range $i, $e := .Items}}{{if eq $i 3}}{{break}}{{end}}{{$e}}{{end}}", "{{range .Ints}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}",
        "{{eq (index .Items 0) 1}}", "{{eq (index .Items 1) 2.5}}", "{{lt (index .Ints 0) (index .Ints 1)}}", "{{index .Nested \"a\" \"b\"}}",
        "{{range .Items}}{{.k}}{{end}}", "{{with index .Items 5}}{{.k}}{{end}}", "{{range .Strings}}{{. | upper}}{{end}}",
    ]

    /// Pseudo-random templates made of template tokens (a fixed seed: the same every run), for
    /// what nobody thought to write by hand: odd token orders, errors everywhere.
    static func randomTemplates(count: Int) -> [String] {
        let pieces = ["}}{{", "}}{{", "}} {{", "{{", "}}", "{{- ", " -}}", " ", ".Name", ".State", ".Status", ".Args", ".Mounts", ".Missing", ".NullValue", ".",
                      "$", "$x", " := ", " = ", "|", "(", ")", "printf", "\"%v\"", "\"%d\"", "\"s\"", "`r`", "'c'", "1", "-2", "1.5",
                      "true", "nil", "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block", "\"T\"",
                      "index", "len", "slice", "eq", "lt", "and", "or", "not", "print", "json", "upper", "join", "split", "truncate",
                      "/*", "*/", "text", "\n", ",", "0", "$.Name", ".Config.Labels", "html", "js", "pad"]
        var seed: UInt64 = 0x5DEE_CE66_D1CE_4E5B
        var templates: [String] = []
        for _ in 0..<count {
            var text = "{{"
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = 2 + Int(seed >> 60)
            for _ in 0..<length {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text += pieces[Int(seed >> 33) % pieces.count]
            }
            templates.append(text + "}}")
        }
        return templates
    }

    /// Pseudo-random templates from a small grammar of Go's template language (fixed seed):
    /// well-formed more often than token soup, so they reach execution.
    struct Grammar {
        var seed: UInt64
        static let operands = [".Name", ".State.Status", ".State.Pid", ".State.Running", ".Args", ".Mounts", ".Config.Labels", ".Missing",
                               ".NullValue", ".", "$", "$.Name", "1", "0", "-2", "1.5", "\"s\"", "`r`", "'c'", "true", "nil", ".Float",
                               ".Unicode", ".Quote", ".SizeRw", ".Big", ".Neg", ".Million", ".Tiny", ".HostConfig.Memory", ".Config.Cmd",
                               ".Items", ".Map", ".Floats", ".Strings", ".Ints", ".EmptyList", ".EmptyMap", ".Nested.a"]
        static let functions: [(String, Int)] = [("len", 1), ("index", 2), ("slice", 2), ("eq", 2), ("ne", 2), ("lt", 2), ("le", 2), ("gt", 2),
                                                 ("and", 2), ("or", 2), ("not", 1), ("print", 2), ("println", 1), ("html", 1), ("js", 1),
                                                 ("urlquery", 1), ("json", 1), ("upper", 1), ("lower", 1), ("title", 1), ("join", 2),
                                                 ("split", 2), ("truncate", 2), ("pad", 3), ("printf", 2)]
        static let formats = ["\"%v\"", "\"%d\"", "\"%s\"", "\"%q\"", "\"%5.2f\"", "\"%x\"", "\"%-4v|\"", "\"%t\"", "\"%e\"", "\"%03d\""]

        mutating func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(seed >> 33) % n
        }

        mutating func term(_ depth: Int) -> String {
            if depth < 2 && next(4) == 0 { return "(" + pipeline(depth + 1) + ")" }
            return Self.operands[next(Self.operands.count)]
        }

        mutating func command(_ depth: Int, piped: Bool) -> String {
            if !piped && next(3) == 0 { return term(depth) }
            let (name, arity) = Self.functions[next(Self.functions.count)]
            var parts = [name]
            let count = piped ? arity - 1 : arity
            for i in 0..<max(count, 0) { parts.append(name == "printf" && i == 0 ? Self.formats[next(Self.formats.count)] : term(depth)) }
            return parts.joined(separator: " ")
        }

        mutating func pipeline(_ depth: Int) -> String {
            var text = command(depth, piped: false)
            if next(3) == 0 { text += " | " + command(depth, piped: true) }
            return text
        }

        mutating func nodes(_ depth: Int) -> String {
            var text = ""
            for _ in 0..<(1 + next(3)) {
                switch depth < 2 ? next(6) : next(2) {
                case 0: text += ["x", " ", "\n", "-"][next(4)]
                case 1: text += "{{" + pipeline(depth) + "}}"
                case 2: text += "{{if " + pipeline(depth) + "}}" + nodes(depth + 1) + "{{else}}" + nodes(depth + 1) + "{{end}}"
                case 3: text += "{{range $i, $v := " + pipeline(depth) + "}}{{$i}}={{$v}};" + nodes(depth + 1) + "{{end}}"
                case 4: text += "{{with " + pipeline(depth) + "}}" + nodes(depth + 1) + "{{end}}"
                default: text += "{{$x := " + pipeline(depth) + "}}{{$x}}"
                }
            }
            return text
        }
    }

    static func grammarTemplates(count: Int, seed: UInt64 = 0x2545_F491_4F6C_DD1D) -> [String] {
        var grammar = Grammar(seed: seed)
        return (0..<count).map { _ in grammar.nodes(0) }
    }

    /// Every (template, document) pair the differential test compares.
    static var cases: [(template: String, document: String)] {
        var all: [(String, String)] = []
        for document in documents { for template in generic { all.append((template, document)) } }
        for template in inspectTemplates { all.append((template, inspect)) }
        for template in psTemplates { all.append((template, psRow)) }
        for template in mixedTemplates { all.append((template, mixed)) }
        for template in randomTemplates(count: 200) { all.append((template, inspect)) }
        for template in grammarTemplates(count: 1000, seed: 0x1234_5678_9ABC_DEF1) { all.append((template, mixed)) }
        for template in grammarTemplates(count: 3000) { all.append((template, inspect)) }
        return all
    }
}
