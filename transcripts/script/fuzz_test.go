package script

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks that Parse never panics, and that a script it accepts
// prints to a text that parses back to the same script and prints the
// same again.
func FuzzParse(f *testing.F) {
	for _, data := range corpus(f) {
		f.Add(data)
	}
	for _, s := range []string{
		"@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MUST\nC: {lit:\\x7d}\n",
		"@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MAY\n@ordered\nS: <none 1ns>\nC! \\${\n",
		"#\r\n\r\n@title \t x \t\n",
		"S!  \\0\\0001\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s1, err := Parse("fuzz.txt", data)
		if err != nil {
			return
		}
		p1 := s1.Print()
		s2, err := Parse("fuzz.txt", p1)
		if err != nil {
			t.Fatalf("Parse(Print(Parse(%q))) = %v\nprinted:\n%s", data, err, p1)
		}
		if diff := cmp.Diff(s1, s2, ignoreLines); diff != "" {
			t.Fatalf("Parse(Print(s)) != s for %q (-want +got):\n%s", data, diff)
		}
		if p2 := s2.Print(); !bytes.Equal(p1, p2) {
			t.Fatalf("Print is not stable for %q:\n%s\nthen\n%s", data, p1, p2)
		}
		// Every step the parser accepted can be expanded or compiled.
		for _, st := range s1.Steps {
			switch st.Kind {
			case Expect, ExpectMany:
				if _, err := CompilePattern(st.Text); err != nil {
					t.Fatalf("line %d: accepted pattern does not compile: %v", st.Line, err)
				}
			case Send, SendRaw:
				if _, err := st.Expand(referenced(st.String())); err != nil {
					t.Fatalf("line %d: accepted %v does not expand: %v", st.Line, st.Kind, err)
				}
			}
		}
	})
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// referenced returns a variable map holding every name text refers to.
func referenced(text string) map[string]string {
	vars := map[string]string{}
	for _, m := range varRef.FindAllStringSubmatch(text, -1) {
		vars[m[1]] = "<" + m[1] + ">"
	}
	return vars
}

func FuzzPatternMatch(f *testing.F) {
	f.Add("a*b*c", "aXbYbZc")
	f.Add("${x=*} ${y=*}", "a b c")
	f.Add(`\*\\\$*`, `*\$x`)
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p, err := CompilePattern(pattern)
		if err != nil || p.hasRefs {
			return
		}
		caps, ok, err := p.Match(s, nil)
		if err != nil {
			t.Fatalf("Match without references failed: %v", err)
		}
		if len(s) <= 24 && len(p.stars) <= 4 {
			stars, want := bruteMatch(p.lits, s)
			if ok != want {
				t.Fatalf("Match(%q, %q) = %v, brute force says %v", pattern, s, ok, want)
			}
			for i, name := range p.stars {
				if ok && name != "" && caps[name] != stars[i] {
					t.Fatalf("Match(%q, %q): %s = %q, brute force says %q", pattern, s, name, caps[name], stars[i])
				}
			}
		}
		// A literal pattern matches exactly the text it quotes.
		if _, ok, _ := mustCompile(t, QuotePattern(s)).Match(s, nil); !ok {
			t.Fatalf("QuotePattern(%q) does not match it", s)
		}
	})
}

func mustCompile(t *testing.T, p string) *Pattern {
	t.Helper()
	pat, err := CompilePattern(p)
	if err != nil {
		t.Fatalf("CompilePattern(%q): %v", p, err)
	}
	return pat
}

// FuzzFromRecording checks that any recorded session becomes a transcript
// that parses back to itself and replays against the recording.
func FuzzFromRecording(f *testing.F) {
	f.Add(true, []byte("a1 LOGIN {3}\r\n"), []byte("* 1 FETCH (BODY[] {3}\r\na}b)\r\n"), []byte("a1 OK\n"), uint8(2))
	f.Add(false, []byte("MAIL FROM:<${x}>\r\n"), []byte("250 *\\${}\r\n"), []byte("<closed>\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, imap bool, client, server1, server2 []byte, connNum uint8) {
		conn := int(connNum)
		proto := "smtp"
		if imap {
			proto = "imap"
		}
		rec := []Entry{
			{Conn: 1, Dir: "S", Data: server1},
			{Conn: 1, Dir: "note", Data: client},
			{Conn: conn, Dir: "C", Data: client},
			{Conn: conn, Dir: "tls"},
			{Conn: 1, Dir: "S", Data: server2},
		}
		meta := Script{ID: proto + "/1/1/fuzz", Protocol: proto, Level: "MAY", RFCs: []RFCRef{{"1", "1"}}}
		s := FromRecording(meta, rec, proto)
		text := s.Print()
		parsed, err := Parse("fuzz.txt", text)
		if err != nil {
			t.Fatalf("Parse(Print(FromRecording)) = %v\n%s", err, text)
		}
		parsed.File = ""
		if diff := cmp.Diff(s, parsed, ignoreLines); diff != "" {
			t.Fatalf("Parse(Print(s)) != s (-want +got):\n%s", diff)
		}
		if err := replay(parsed, rec, proto); err != nil {
			t.Fatalf("replay: %v\n%s", err, text)
		}
	})
}
