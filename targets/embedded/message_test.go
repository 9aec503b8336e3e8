package embedded

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeCRLF(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"a\r\nb\r\n":        "a\r\nb\r\n",
		"a\nb\n":            "a\r\nb\r\n",
		"a\rb\r":            "a\r\nb\r\n",
		"\n\r\n\r":          "\r\n\r\n\r\n",
		"a\r\r\nb":          "a\r\n\r\nb",
		"no line end":       "no line end",
		"x\n\n.y\r\n":       "x\r\n\r\n.y\r\n",
		"\r":                "\r\n",
		"mixed\r\nlf\ncr\r": "mixed\r\nlf\r\ncr\r\n",
	} {
		if got := string(normalizeCRLF([]byte(in))); got != want {
			t.Errorf("normalizeCRLF(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPOP3Form(t *testing.T) {
	for in, want := range map[string]string{
		"":                "",
		"a":               "a\r\n",
		"a\r\n":           "a\r\n",
		"a\nb":            "a\r\nb\r\n",
		"h: v\r\n\r\nb\r": "h: v\r\n\r\nb\r\n",
	} {
		if got := string(pop3Form([]byte(in))); got != want {
			t.Errorf("pop3Form(%q) = %q, want %q", in, got, want)
		}
	}
	// pop3Form never writes into the spare capacity of its argument.
	buf := make([]byte, 1, 10)
	buf[0] = 'x'
	if got := string(pop3Form(buf)); got != "x\r\n" {
		t.Errorf("pop3Form(%q) = %q", buf, got)
	}
	if spare := buf[:cap(buf)]; spare[1] != 0 || spare[2] != 0 {
		t.Errorf("pop3Form wrote into the caller's buffer: %q", spare)
	}
}

func TestDotStuff(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"a\r\n":               "a\r\n",
		".\r\n":               "..\r\n",
		".a\r\nb.\r\n..c\r\n": "..a\r\nb.\r\n...c\r\n",
		"a\r\n.\r\n.\r\n":     "a\r\n..\r\n..\r\n",
		"x.y\r\n":             "x.y\r\n",
	} {
		if got := string(dotStuff([]byte(in))); got != want {
			t.Errorf("dotStuff(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTopOf(t *testing.T) {
	msg := "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n"
	for _, tc := range []struct {
		msg  string
		n    int
		want string
	}{
		{msg, 0, "A: 1\r\nB: 2\r\n\r\n"},
		{msg, 1, "A: 1\r\nB: 2\r\n\r\nl1\r\n"},
		{msg, 3, msg},
		{msg, 100, msg},
		{msg, math.MaxInt32, msg},
		{"A: 1\r\nB: 2\r\n", 5, "A: 1\r\nB: 2\r\n"}, // all header
		{"\r\nbody\r\n", 0, "\r\n"},                 // empty header
		{"\r\nbody\r\n", 1, "\r\nbody\r\n"},
		{"", 3, ""},
		{"A: 1\r\n\r\n\r\n\r\nx\r\n", 2, "A: 1\r\n\r\n\r\n\r\n"}, // empty body lines count
	} {
		if got := string(topOf([]byte(tc.msg), tc.n)); got != tc.want {
			t.Errorf("topOf(%q, %d) = %q, want %q", tc.msg, tc.n, got, tc.want)
		}
	}
}

func TestReadLine(t *testing.T) {
	type result struct {
		Line string
		Err  string
	}
	in := "STAT\r\nlf only\n" + strings.Repeat("x", 30) + "\r\nnext\r\n\r\npartial"
	br := bufio.NewReaderSize(strings.NewReader(in), 16) // smaller than a line
	var got []result
	for {
		line, err := readLine(br, 20)
		r := result{Line: line}
		if err != nil {
			r.Err = err.Error()
		}
		got = append(got, r)
		if err != nil && !errors.Is(err, errLineTooLong) {
			break
		}
	}
	want := []result{
		{Line: "STAT"},
		{Line: "lf only"},
		{Err: errLineTooLong.Error()},
		{Line: "next"},
		{Line: ""},
		{Err: io.EOF.Error()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("readLine results (-want +got):\n%s", diff)
	}
}

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct{ line, keyword, arg string }{
		{"STAT", "STAT", ""},
		{"LIST 1", "LIST", "1"},
		{"PASS pass word ", "PASS", "pass word "},
		{"", "", ""},
		{" x", "", "x"},
	} {
		k, a := splitCommand(tc.line)
		if k != tc.keyword || a != tc.arg {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", tc.line, k, a, tc.keyword, tc.arg)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	type result struct {
		N  int
		OK bool
	}
	for in, want := range map[string]result{
		"1":          {1, true},
		"0":          {0, true},
		"007":        {7, true},
		"999999999":  {999999999, true},
		"1000000000": {0, false},
		"":           {0, false},
		"-1":         {0, false},
		"+1":         {0, false},
		"1x":         {0, false},
		" 1":         {0, false},
		"١":          {0, false}, // a non-ASCII digit
	} {
		n, ok := parseNumber(in)
		if diff := cmp.Diff(want, result{n, ok}); diff != "" {
			t.Errorf("parseNumber(%q) (-want +got):\n%s", in, diff)
		}
	}
	for in, want := range map[string]result{
		"0":                    {0, true},
		"12":                   {12, true},
		"99999999999999999999": {math.MaxInt32, true},
		"9999999999x":          {0, false},
		"-5":                   {0, false},
	} {
		n, ok := parseCount(in)
		if diff := cmp.Diff(want, result{n, ok}); diff != "" {
			t.Errorf("parseCount(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestParsePlain(t *testing.T) {
	type result struct {
		Authzid, Authcid, Password string
		OK                         bool
	}
	for in, want := range map[string]result{
		"\x00u\x00p":      {"", "u", "p", true},
		"z\x00u\x00p":     {"z", "u", "p", true},
		"\x00u\x00p w":    {"", "u", "p w", true},
		"\x00u":           {},
		"\x00\x00p":       {},
		"\x00u\x00":       {},
		"a\x00b\x00c\x00": {},
		"":                {},
	} {
		a, c, p, ok := parsePlain([]byte(in))
		if diff := cmp.Diff(want, result{a, c, p, ok}); diff != "" {
			t.Errorf("parsePlain(%q) (-want +got):\n%s", in, diff)
		}
	}
	for in, want := range map[string]string{"=": "", "AHUAcA==": "\x00u\x00p"} {
		got, ok := decodeSASL(in)
		if !ok || string(got) != want {
			t.Errorf("decodeSASL(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := decodeSASL("not base64!"); ok {
		t.Error("decodeSASL accepted invalid base64")
	}
}

// FuzzMessageForms checks the invariants of the POP3 message transforms.
func FuzzMessageForms(f *testing.F) {
	for _, s := range []string{"", "a", "h: v\r\n\r\nbody\r\n", ".\r\n..\n\r.", "\r\r\n\n", "A: 1\n\n.x\ny"} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, msg []byte, n int) {
		form := pop3Form(msg)
		if len(form) > 0 && !bytes.HasSuffix(form, []byte("\r\n")) {
			t.Fatalf("pop3Form(%q) = %q does not end in CRLF", msg, form)
		}
		if bytes.Count(form, []byte("\r")) != bytes.Count(form, []byte("\n")) || bytes.Count(form, []byte("\r\n")) != bytes.Count(form, []byte("\n")) {
			t.Fatalf("pop3Form(%q) = %q has a bare CR or LF", msg, form)
		}
		if !bytes.Equal(pop3Form(form), form) {
			t.Fatalf("pop3Form is not idempotent on %q", msg)
		}
		stuffed := dotStuff(form)
		if bytes.Contains(stuffed, []byte("\r\n.\r\n")) || bytes.HasPrefix(stuffed, []byte(".\r\n")) {
			t.Fatalf("dotStuff(%q) = %q contains the terminator", form, stuffed)
		}
		unstuffed := bytes.ReplaceAll(stuffed, []byte("\r\n.."), []byte("\r\n."))
		if bytes.HasPrefix(unstuffed, []byte("..")) {
			unstuffed = unstuffed[1:]
		}
		if !bytes.Equal(unstuffed, form) {
			t.Fatalf("unstuffing dotStuff(%q) gives %q", form, unstuffed)
		}
		if n < 0 {
			n = -n
		}
		if top := topOf(form, n); !bytes.HasPrefix(form, top) {
			t.Fatalf("topOf(%q, %d) = %q is not a prefix", form, n, top)
		}
	})
}
