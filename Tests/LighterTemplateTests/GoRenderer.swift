/// The Go program the differential test builds: text/template with Docker's functions (as in
/// docker/cli's `templates` package), rendering each (template, document) pair it reads as JSON
/// on stdin. Documents are decoded with UseNumber and held as Docker's typed structs would hold
/// them: integers as `int` (so `{{.State.ExitCode}}` prints `0`, not `0e+00`), other numbers as
/// `float64`, string arrays as `[]string`, string-valued objects as `map[string]string`.
let goRenderer = #"""
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/template"
)

// Docker's functions (docker/cli templates package), as docker --format has them.
var basicFunctions = template.FuncMap{
	"json": func(v any) string {
		buf := &bytes.Buffer{}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		return strings.TrimSpace(buf.String())
	},
	"split": strings.Split,
	"join":  strings.Join,
	"title": strings.Title,
	"lower": strings.ToLower,
	"upper": strings.ToUpper,
	"pad": func(source string, prefix, suffix int) string {
		if source == "" {
			return source
		}
		return strings.Repeat(" ", prefix) + source + strings.Repeat(" ", suffix)
	},
	"truncate": func(source string, length int) string {
		if len(source) < length {
			return source
		}
		return source[:length]
	},
}

// typed holds a decoded document as Docker's typed structs would: integers as int (uint64
// beyond), other numbers as float64, string arrays as []string, string-valued maps as
// map[string]string.
func typed(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(i)
		}
		if u, err := strconv.ParseUint(string(x), 10, 64); err == nil {
			return u
		}
		f, _ := x.Float64()
		return f
	case []any:
		all := true
		for _, e := range x {
			if _, ok := e.(string); !ok {
				all = false
			}
		}
		if all {
			out := make([]string, len(x))
			for i, e := range x {
				out[i] = e.(string)
			}
			return out
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = typed(e)
		}
		return out
	case map[string]any:
		all := len(x) > 0
		for _, e := range x {
			if _, ok := e.(string); !ok {
				all = false
			}
		}
		if all {
			out := make(map[string]string, len(x))
			for k, e := range x {
				out[k] = e.(string)
			}
			return out
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = typed(e)
		}
		return out
	}
	return v
}

type result struct {
	Ok  bool   `json:"ok"`
	Out string `json:"out"`
}

func run(text, doc string) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{false, fmt.Sprint("panic: ", p)}
		}
	}()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return result{false, "bad document: " + err.Error()}
	}
	tmpl, err := template.New("").Funcs(basicFunctions).Parse(text)
	if err != nil {
		return result{false, err.Error()}
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, typed(raw)); err != nil {
		return result{false, err.Error()}
	}
	return result{true, buf.String()}
}

func main() {
	var cases [][2]string
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	results := make([]result, 0, len(cases))
	for _, c := range cases {
		results = append(results, run(c[0], c[1]))
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	out.Encode(results)
}
"""#
