package script

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreLines compares scripts without their steps' line numbers.
var ignoreLines = cmpopts.IgnoreFields(Step{}, "Line")

func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob("testdata/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(name)] = data
	}
	if len(files) < 15 {
		t.Fatalf("corpus has %d files, want at least 15", len(files))
	}
	return files
}

func TestCorpusRoundTrip(t *testing.T) {
	for name, data := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			s1, err := Parse(name, data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			p1 := s1.Print()
			s2, err := Parse(name, p1)
			if err != nil {
				t.Fatalf("Parse(Print(s)): %v\n%s", err, p1)
			}
			if diff := cmp.Diff(s1, s2, ignoreLines); diff != "" {
				t.Errorf("Parse(Print(s)) differs from s (-want +got):\n%s", diff)
			}
			if p2 := s2.Print(); !bytes.Equal(p1, p2) {
				t.Errorf("Print(Parse(Print(x))) =\n%s\nwant Print(Parse(x)) =\n%s", p2, p1)
			}
			// Line numbers point at the statements of the file.
			lines := strings.Split(string(data), "\n")
			for _, st := range s1.Steps {
				if st.Line < 1 || st.Line > len(lines) {
					t.Fatalf("step %v has line %d, file has %d lines", st, st.Line, len(lines))
				}
				if got := strings.TrimRight(lines[st.Line-1], "\r"); got != st.String() && st.Kind != ExpectRaw && st.Kind != ExpectSilence {
					t.Errorf("line %d is %q, step prints as %q", st.Line, got, st.String())
				}
			}
		})
	}
}

// TestCorpusCoverage checks that the corpus exercises every statement,
// escape, literal form and directive value, so the round trip above
// covers the whole format.
func TestCorpusCoverage(t *testing.T) {
	kinds := map[StepKind]bool{}
	seen := map[string]bool{}
	mark := func(what string) { seen[what] = true }
	for name, data := range corpus(t) {
		s, err := Parse(name, data)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		mark("protocol " + s.Protocol)
		mark("level " + s.Level)
		mark("endpoint " + s.Endpoint)
		for _, n := range s.Needs {
			mark("needs " + n)
		}
		if len(s.Requires) > 0 {
			mark("requires")
		}
		if s.Title != "" {
			mark("title")
		}
		if len(s.RFCs) > 1 {
			mark("several rfc")
		}
		for _, r := range s.RFCs {
			if r.Section == "-" {
				mark("rfc section -")
			}
		}
		if s.Ordered {
			mark("ordered")
		}
		for _, st := range s.Steps {
			kinds[st.Kind] = true
			text := st.Text
			if st.Kind == ExpectRaw {
				text = Escape(st.Raw)
			}
			for _, esc := range []string{`\r`, `\n`, `\t`, `\\`, `\0`, `\x`, `\$`, "${"} {
				if strings.Contains(text, esc) {
					mark(st.Kind.String() + " " + esc)
				}
			}
			if strings.Contains(text, "=*}") {
				mark("capture")
			}
			if strings.Contains(text, `\*`) {
				mark(`pattern \*`)
			}
			if strings.Contains(text, `\Seen`) {
				mark(`\Seen`)
			}
			if strings.HasSuffix(text, " ") {
				mark("trailing space")
			}
			if st.Kind == Send && st.Text == "" {
				mark("empty C:")
			}
			for _, sg := range st.Segments {
				switch {
				case sg.IsLiteral && sg.NonSync:
					mark("lit+")
				case sg.IsLiteral:
					mark("lit")
				case strings.HasSuffix(sg.Text, "~"):
					mark("literal8")
				}
			}
			if st.Kind == Expect && strings.Contains(st.Text, "{lit:") {
				mark("display literal")
			}
		}
	}
	for k := Comment; k <= Close; k++ {
		if !kinds[k] {
			t.Errorf("no %v step in the corpus", k)
		}
	}
	want := []string{
		"protocol smtp", "protocol pop3", "protocol imap",
		"level MUST", "level MUST NOT", "level SHOULD", "level SHOULD NOT", "level MAY",
		"endpoint ", "endpoint submission", "endpoint smtps", "endpoint pop3s", "endpoint imaps", "endpoint imap",
		"needs disposable", "needs second-account", "needs tls-required", "needs max-size", "needs address",
		"requires", "title", "several rfc", "rfc section -", "ordered",
		`SendRaw \r`, `SendRaw \n`, `SendRaw \0`, `SendRaw \x`, "SendRaw ${",
		`ExpectRaw \r`, `ExpectRaw \n`, `ExpectRaw \t`, `ExpectRaw \\`, `ExpectRaw \0`, `ExpectRaw \x`, `ExpectRaw \$`,
		`Send \r`, `Send \n`, `Send \t`, `Send \\`, `Send \0`, `Send \x`, `Send \$`, "Send ${",
		"Expect ${", `Expect \\`, "capture", `pattern \*`, `\Seen`, "trailing space", "empty C:",
		"lit", "lit+", "literal8", "display literal",
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("the corpus does not cover %q", w)
		}
	}
}

func TestParse(t *testing.T) {
	const header = "@id imap/9051/6.3.2/x\n@protocol imap\n@rfc 9051 6.3.2\n@level MUST\n"
	data := header + `# note  
C: a1 LOGIN {lit:${user}} {lit+:a\x7db\r\n}
C! a2 NOOP\r\n\${x}${y}
S: * ${n=*} EXISTS
S! a2 OK\r\n
S*: * *
S: <none 1500ms>
S: <closed>

conn two
starttls
close
C:
`
	got, err := Parse("x.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &Script{
		File: "x.txt", ID: "imap/9051/6.3.2/x", Protocol: "imap", Level: "MUST",
		RFCs: []RFCRef{{"9051", "6.3.2"}},
		Steps: []Step{
			{Line: 5, Kind: Comment, Text: " note  "},
			{Line: 6, Kind: Send, Text: `a1 LOGIN {lit:${user}} {lit+:a\x7db\r\n}`, Segments: []Segment{
				{Text: "a1 LOGIN "},
				{Text: "${user}", Literal: []byte("${user}"), IsLiteral: true},
				{Text: " "},
				{Text: `a\x7db\r\n`, Literal: []byte("a}b\r\n"), IsLiteral: true, NonSync: true},
			}},
			{Line: 7, Kind: SendRaw, Text: `a2 NOOP\r\n\${x}${y}`, Raw: []byte("a2 NOOP\r\n${x}${y}")},
			{Line: 8, Kind: Expect, Text: "* ${n=*} EXISTS"},
			{Line: 9, Kind: ExpectRaw, Raw: []byte("a2 OK\r\n")},
			{Line: 10, Kind: ExpectMany, Text: "* *"},
			{Line: 11, Kind: ExpectSilence, Duration: 1500 * time.Millisecond},
			{Line: 12, Kind: ExpectClose},
			{Line: 14, Kind: Conn, Text: "two"},
			{Line: 15, Kind: StartTLS},
			{Line: 16, Kind: Close},
			{Line: 17, Kind: Send},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	wantPrint := header + `
# note  
C: a1 LOGIN {lit:${user}} {lit+:a\x7db\r\n}
C! a2 NOOP\r\n\${x}${y}
S: * ${n=*} EXISTS
S! a2 OK\r\n
S*: * *
S: <none 1.5s>
S: <closed>

conn two
starttls
close
C:
`
	if diff := cmp.Diff(wantPrint, string(got.Print())); diff != "" {
		t.Errorf("Print mismatch (-want +got):\n%s", diff)
	}
}

func TestParseHeader(t *testing.T) {
	data := "# leading comment\n@id\tsmtp/5321/-/a-b-1  \n@protocol smtp\n@title   Spaces   inside\tare kept  \n" +
		"@rfc 5321 4.1.1.1\n@rfc 1 -\n@level MUST   NOT\n@requires PIPELINING\n@requires AUTH=PLAIN\n" +
		"@needs max-size\n@needs disposable\n@endpoint smtps\r\nS: 220 *\r\n"
	got, err := Parse("h.txt", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &Script{
		File: "h.txt", ID: "smtp/5321/-/a-b-1", Protocol: "smtp", Title: "Spaces   inside\tare kept",
		Level: "MUST NOT", Endpoint: "smtps",
		RFCs:     []RFCRef{{"5321", "4.1.1.1"}, {"1", "-"}},
		Requires: []string{"PIPELINING", "AUTH=PLAIN"},
		Needs:    []string{"max-size", "disposable"},
		Steps:    []Step{{Line: 1, Kind: Comment, Text: " leading comment"}, {Line: 13, Kind: Expect, Text: "220 *"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse mismatch (-want +got):\n%s", diff)
	}
	if got.EndpointKind() != "smtps" {
		t.Errorf("EndpointKind() = %q, want smtps", got.EndpointKind())
	}
	got.Endpoint = ""
	if got.EndpointKind() != "smtp" {
		t.Errorf("EndpointKind() without @endpoint = %q, want smtp", got.EndpointKind())
	}
}

func TestParseErrors(t *testing.T) {
	const header = "@id smtp/5321/4.1.1.1/x\n@protocol smtp\n@rfc 5321 4.1.1.1\n@level MUST\n"
	const imapHeader = "@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MUST\n"
	tests := []struct {
		name, data string
		want       []string // each must appear in the error
	}{
		{"unknown escape", header + `C! NOOP\q`, []string{`f.txt:5: unknown escape \q`}},
		{"bad hex", header + `S! \xZ1`, []string{`f.txt:5: bad escape \xZ1: want \xHH`}},
		{"short hex", header + `C! a\x4`, []string{`f.txt:5: bad escape \x4: want \xHH`}},
		{"trailing backslash", header + `C! a\`, []string{`f.txt:5: backslash at the end`}},
		{"literal in smtp", header + `C: a {lit:x}`, []string{`f.txt:5: {lit:...} literals are IMAP only`}},
		{"escape in literal", imapHeader + `C: a {lit:\q}`, []string{`f.txt:5: in literal: unknown escape \q`}},
		{"unterminated literal", imapHeader + `C: a {lit:abc`, []string{`f.txt:5: unterminated {lit:`}},
		{"unterminated var", header + "C: ${user", []string{"f.txt:5: unterminated ${user"}},
		{"bad var", header + "S: ${us-er}", []string{"f.txt:5: bad variable reference ${us-er}"}},
		{"empty var", header + "C! ${}", []string{"f.txt:5: bad variable reference ${}"}},
		{"capture in C:", header + "C: ${x=*}", []string{"f.txt:5: capture ${x=*}: captures belong in S: patterns"}},
		{"capture in C!", header + "C! ${x=*}", []string{"f.txt:5: capture ${x=*}"}},
		{"capture twice", header + "S: ${x=*} ${x=*}", []string{"f.txt:5: capture ${x=*} appears twice"}},
		{"capture in S*:", header + "S*: ${x=*}", []string{"f.txt:5: S*: takes no captures"}},
		{"variable in S!", header + "S! ${x}", []string{`f.txt:5: S! takes no variables: write \${`}},
		{"tab in pattern", header + "S: a\tb", []string{"f.txt:5: a tab in a pattern never matches"}},
		{"control character", header + "C: a\x00b", []string{`f.txt:5: control character \x00 in the file`}},
		{"inner CR", header + "C: a\rb", []string{`f.txt:5: control character \x0d`}},
		{"no space", header + "C:NOOP", []string{"f.txt:5: want a space after C:"}},
		{"empty C!", header + "C!", []string{"f.txt:5: C! needs the bytes to send"}},
		{"empty S!", header + "S! ", []string{"f.txt:5: S! needs the bytes expected"}},
		{"unknown statement", header + "X: foo", []string{`f.txt:5: unknown statement "X:"`}},
		{"indented", header + "  C: NOOP", []string{"f.txt:5: line starts with white space"}},
		{"conn without name", header + "conn", []string{"f.txt:5: conn takes one name"}},
		{"conn bad name", header + "conn a/b", []string{"f.txt:5: conn takes one name"}},
		{"starttls arg", header + "starttls now", []string{"f.txt:5: starttls takes no argument"}},
		{"bad none", header + "S: <none 2 s>", []string{`f.txt:5: bad duration "2 s"`}},
		{"zero none", header + "S: <none 0s>", []string{`f.txt:5: bad duration "0s"`}},
		{"long none", header + "S: <none 1h>", []string{`f.txt:5: bad duration "1h"`}},
		{"malformed closed", header + "S: <closed> ", []string{`f.txt:5: malformed "<closed> "`}},
		{"unknown directive", header + "@author me", []string{"f.txt:5: unknown directive @author"}},
		{"late directive", header + "S: 220 *\n@requires X", []string{"f.txt:6: directive @requires after the first statement"}},
		{"second id", header + "@id smtp/5321/1/y", []string{"f.txt:5: second @id (the first is on line 1)"}},
		{"second level", header + "@level MAY", []string{"f.txt:5: second @level"}},
		{"bad level", "@level must\n", []string{`f.txt:1: unknown level "must"`}},
		{"bad id protocol", "@id http/1/1/x\n", []string{`f.txt:1: bad @id "http/1/1/x": protocol "http"`}},
		{"bad id parts", "@id smtp/5321/x\n", []string{`f.txt:1: bad @id "smtp/5321/x": want <protocol>/<rfc>/<section>/<name>`}},
		{"bad id rfc", "@id smtp/RFC5321/1/x\n", []string{`RFC number "RFC5321" is not digits`}},
		{"bad id section", "@id smtp/5321/4..1/x\n", []string{`section "4..1" is not digits`}},
		{"bad id name", "@id smtp/5321/4.1/Ehlo_x\n", []string{`name "Ehlo_x" is not [a-z0-9-]+`}},
		{"id with spaces", "@id smtp/5321/4.1/a b\n", []string{`f.txt:1: @id takes one case id`}},
		{"bad protocol", "@protocol http\n", []string{`f.txt:1: unknown protocol "http"`}},
		{"protocol mismatch", "@id smtp/5321/1/x\n@protocol imap\n@rfc 5321 1\n@level MUST\n",
			[]string{"f.txt:2: @protocol imap disagrees with @id smtp/5321/1/x"}},
		{"bad rfc", header + "@rfc 5321", []string{`f.txt:5: @rfc takes an RFC number and a section`}},
		{"bad rfc number", header + "@rfc x 1", []string{`f.txt:5: bad RFC number "x"`}},
		{"bad rfc section", header + "@rfc 5321 4.", []string{`f.txt:5: bad RFC section "4."`}},
		{"rfc twice", header + "@rfc 5321 4.1.1.1", []string{`f.txt:5: @rfc 5321 4.1.1.1 given twice`}},
		{"bad needs", header + "@needs coffee", []string{`f.txt:5: unknown @needs "coffee"`}},
		{"needs twice", header + "@needs disposable\n@needs disposable", []string{`f.txt:6: @needs disposable given twice`}},
		{"requires twice", header + "@requires X\n@requires X", []string{`f.txt:6: @requires X given twice`}},
		{"requires two", header + "@requires X Y", []string{`f.txt:5: @requires takes one capability`}},
		{"empty title", header + "@title  ", []string{`f.txt:5: @title needs a text`}},
		{"bad endpoint", header + "@endpoint http", []string{`f.txt:5: unknown endpoint "http"`}},
		{"wrong endpoint", header + "@endpoint imaps", []string{`f.txt:5: @endpoint imaps is not a smtp endpoint`}},
		{"ordered smtp", header + "@ordered", []string{`f.txt:5: @ordered applies to IMAP only`}},
		{"ordered arg", header + "@ordered yes", []string{`f.txt:5: @ordered takes no argument`}},
		{"missing all", "# nothing\n", []string{"f.txt: missing @id", "f.txt: missing @protocol", "f.txt: missing @rfc", "f.txt: missing @level"}},
		{"missing level", "@id smtp/5321/1/x\n@protocol smtp\n@rfc 5321 1\n", []string{"f.txt: missing @level"}},
		{"two errors", header + "C! \\q\nS: ${", []string{`f.txt:5: unknown escape \q`, "f.txt:6: unterminated ${"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.txt", []byte(tt.data))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.data, s)
			}
			if s != nil {
				t.Errorf("Parse returned a script with its error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.data, err, w)
				}
			}
			var perr *Error
			if !errors.As(err, &perr) || perr.File != "f.txt" {
				t.Errorf("error %v is not an *Error naming f.txt", err)
			}
		})
	}
}

func TestParseTooManyErrors(t *testing.T) {
	data := strings.Repeat("X\n", 100)
	_, err := Parse("f.txt", []byte(data))
	if err == nil || !strings.Contains(err.Error(), "f.txt:20: too many errors") {
		t.Fatalf("Parse error = %v, want it to stop at 20 errors", err)
	}
	if n := strings.Count(err.Error(), "unknown statement"); n != maxErrors {
		t.Errorf("%d errors reported, want %d", n, maxErrors)
	}
}

func TestParseFS(t *testing.T) {
	good := "@id smtp/5321/1/%s\n@protocol smtp\n@rfc 5321 1\n@level MUST\nS: 220 *\n"
	fsys := fstest.MapFS{
		"t/a.txt":   {Data: []byte(strings.ReplaceAll(good, "%s", "a"))},
		"t/b.txt":   {Data: []byte(strings.ReplaceAll(good, "%s", "b"))},
		"t/bad.txt": {Data: []byte(strings.ReplaceAll(good, "%s", "c") + "C! \\q\n")},
		"t/dup.txt": {Data: []byte(strings.ReplaceAll(good, "%s", "a"))},
		"t/x.md":    {Data: []byte("not a transcript")},
	}
	scripts, err := ParseFS(fsys, "t/*.txt")
	var ids []string
	for _, s := range scripts {
		ids = append(ids, s.File+"="+s.ID)
	}
	if diff := cmp.Diff([]string{"t/a.txt=smtp/5321/1/a", "t/b.txt=smtp/5321/1/b"}, ids); diff != "" {
		t.Errorf("ParseFS scripts (-want +got):\n%s", diff)
	}
	for _, w := range []string{`t/bad.txt:6: unknown escape \q`, "t/dup.txt: duplicate @id smtp/5321/1/a (also in t/a.txt)"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("ParseFS error = %v, want it to contain %q", err, w)
		}
	}
	if _, err := ParseFS(fsys, "none/*.txt"); err == nil {
		t.Errorf("ParseFS with no match: no error")
	}
	if _, err := ParseFS(fsys, "[bad"); err == nil {
		t.Errorf("ParseFS with a bad glob: no error")
	}
	all, err := ParseFS(os.DirFS("testdata"), "*.txt")
	if err != nil || len(all) < 15 {
		t.Errorf("ParseFS(testdata) = %d scripts, %v; want the whole corpus", len(all), err)
	}
}

func TestStepExpand(t *testing.T) {
	vars := map[string]string{"user": "alice", "password": "p}w", "address": "a@b.test"}
	tests := []struct {
		line     string
		wantSegs []Segment
		wantWire string
		wantErr  string
	}{
		{line: `C: a1 LOGIN {lit:${user}} {lit+:${password}}`,
			wantSegs: []Segment{{Text: "a1 LOGIN "}, {Literal: []byte("alice"), IsLiteral: true}, {Text: " "}, {Literal: []byte("p}w"), IsLiteral: true, NonSync: true}},
			wantWire: "a1 LOGIN {5}\r\nalice {3+}\r\np}w\r\n"},
		{line: `C: a2 APPEND INBOX ~{lit:a\0b\r\n\$\\}`,
			wantSegs: []Segment{{Text: "a2 APPEND INBOX ~"}, {Literal: []byte("a\x00b\r\n$\\"), IsLiteral: true}},
			wantWire: "a2 APPEND INBOX ~{7}\r\na\x00b\r\n$\\\r\n"},
		{line: `C: a3 STORE 1 +FLAGS (\Seen) \\ \$ \${x} $5`,
			wantSegs: []Segment{{Text: `a3 STORE 1 +FLAGS (\Seen) \ $ ${x} $5`}},
			wantWire: "a3 STORE 1 +FLAGS (\\Seen) \\ $ ${x} $5\r\n"},
		{line: `C: {lit:}`,
			wantSegs: []Segment{{Literal: []byte{}, IsLiteral: true}},
			wantWire: "{0}\r\n\r\n"},
		{line: "C:", wantSegs: []Segment{}, wantWire: "\r\n"},
		{line: `C! MAIL FROM:<${address}>\r\n\${user}`,
			wantSegs: []Segment{{Text: "MAIL FROM:<a@b.test>\r\n${user}"}},
			wantWire: "MAIL FROM:<a@b.test>\r\n${user}"},
		{line: `C: HELO ${nobody}`, wantErr: "unknown variable ${nobody}"},
		{line: `C: a {lit:${nobody}}`, wantErr: "unknown variable ${nobody}"},
		{line: `C! ${nobody}`, wantErr: "unknown variable ${nobody}"},
		{line: `S: 220 *`, wantErr: "a Expect step sends nothing"},
	}
	const header = "@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MUST\n"
	for _, tt := range tests {
		s, err := Parse("x", []byte(header+tt.line+"\n"))
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.line, err)
		}
		st := s.Steps[0]
		segs, err := st.Expand(vars)
		wire, werr := st.Wire(vars)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || werr == nil {
				t.Errorf("%q: Expand error = %v, Wire error = %v, want %q", tt.line, err, werr, tt.wantErr)
			}
			continue
		}
		if err != nil || werr != nil {
			t.Errorf("%q: Expand error %v, Wire error %v", tt.line, err, werr)
			continue
		}
		if diff := cmp.Diff(tt.wantSegs, segs, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q: Expand (-want +got):\n%s", tt.line, diff)
		}
		if string(wire) != tt.wantWire {
			t.Errorf("%q: Wire = %q, want %q", tt.line, wire, tt.wantWire)
		}
	}
}

// TestStepBuiltInCode checks that steps built without Text print and
// expand from their Segments or Raw.
func TestStepBuiltInCode(t *testing.T) {
	vars := map[string]string{"user": "alice"}
	send := Step{Kind: Send, Segments: []Segment{{Text: "a1 LOGIN "}, {Literal: []byte("${user}}"), IsLiteral: true}, {Text: " x"}}}
	if got, want := send.String(), `C: a1 LOGIN {lit:${user}\x7d} x`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if wire, err := send.Wire(vars); err != nil || string(wire) != "a1 LOGIN {6}\r\nalice} x\r\n" {
		t.Errorf("Wire() = %q, %v", wire, err)
	}
	raw := Step{Kind: SendRaw, Raw: []byte("NOOP ${user}\n")}
	if got, want := raw.String(), `C! NOOP ${user}\n`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if wire, err := raw.Wire(vars); err != nil || string(wire) != "NOOP alice\n" {
		t.Errorf("Wire() = %q, %v", wire, err)
	}
	if got := (Step{Kind: StepKind(99)}).String(); !strings.HasPrefix(got, "#") {
		t.Errorf("String() of an unknown kind = %q, want a comment", got)
	}
	if got := StepKind(99).String(); got != "StepKind(99)" {
		t.Errorf("StepKind(99).String() = %q", got)
	}
}
