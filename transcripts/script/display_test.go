package script

import (
	"bytes"
	"strings"
	"testing"
)

func TestDisplay(t *testing.T) {
	tests := []struct {
		name, proto, raw, want string
	}{
		{"smtp line", "smtp", "250 OK\r\n", "250 OK"},
		{"smtp no CRLF", "smtp", "250 OK", "250 OK"},
		{"smtp bare LF", "smtp", "250 OK\n", `250 OK\x0a`},
		{"smtp bare CR", "smtp", "250 OK\r", `250 OK\x0d`},
		{"smtp inner CRLF", "smtp", "250-a\r\n250 b\r\n", `250-a\x0d\x0a250 b`},
		{"smtp double CRLF", "smtp", "250 OK\r\n\r\n", `250 OK\x0d\x0a`},
		{"smtp controls", "smtp", "250 a\x00b\tc\x7fd\x1b\r\n", `250 a\x00b\x09c\x7fd\x1b`},
		{"smtp keeps 8-bit and backslashes", "smtp", "250 caf\xc3\xa9 \\x \xff\r\n", "250 caf\xc3\xa9 \\x \xff"},
		{"smtp braces are text", "smtp", "250 {3}\r\nabc\r\n", `250 {3}\x0d\x0aabc`},
		{"pop3 line", "pop3", "+OK 2 320\r\n", "+OK 2 320"},
		{"empty", "imap", "", ""},
		{"only CRLF", "imap", "\r\n", ""},
		{"imap flags", "imap", "* FLAGS (\\Answered \\Seen)\r\n", `* FLAGS (\Answered \Seen)`},
		{"imap literal", "imap", "* 1 FETCH (BODY[] {5}\r\nhello)\r\n", "* 1 FETCH (BODY[] {lit:hello})"},
		{"imap literal with CRLF", "imap", "* 1 FETCH (BODY[] {12}\r\nSubject: x\r\n)\r\n", `* 1 FETCH (BODY[] {lit:Subject: x\r\n})`},
		{"imap literal with brace", "imap", "* 1 FETCH (BODY[] {3}\r\na}b)\r\n", `* 1 FETCH (BODY[] {lit:a\x7db})`},
		{"imap literal with NUL", "imap", "* 1 FETCH (BINARY[] {5}\r\na\x00b\x001)\r\n", `* 1 FETCH (BINARY[] {lit:a\0b\x001})`},
		{"imap literal with escapes", "imap", "* 1 FETCH (BODY[] {8}\r\n\\ $ {\t\xff\x01)\r\n", `* 1 FETCH (BODY[] {lit:\\ $ {\t\xff\x01})`},
		{"imap literal8", "imap", "* 1 FETCH (BINARY[] ~{3}\r\n\x00\x01\x02)\r\n", `* 1 FETCH (BINARY[] ~{lit:\0\x01\x02})`},
		{"imap non-sync literal", "imap", "* 1 FETCH (BODY[] {2+}\r\nab)\r\n", "* 1 FETCH (BODY[] {lit+:ab})"},
		{"imap empty literal", "imap", "* LIST () \"/\" {0}\r\n\r\n", `* LIST () "/" {lit:}`},
		{"imap two literals", "imap", "* 1 FETCH (A {1}\r\nx B {2}\r\nyz)\r\n", "* 1 FETCH (A {lit:x} B {lit:yz})"},
		{"imap literal holding a literal", "imap", "* X {9}\r\n{2}\r\nab\r\n)\r\n", `* X {lit:{2\x7d\r\nab\r\n})`},
		{"imap literal at the end", "imap", "* X {2}\r\n\r\n", `* X {lit:\r\n}`},
		{"imap literal then CRLF", "imap", "* X {2}\r\nab\r\n", "* X {lit:ab}"},
		{"imap count too big", "imap", "* X {10}\r\nabc)\r\n", `* X {10}\x0d\x0aabc)`},
		{"imap count huge", "imap", "* X {99999999999999999999}\r\nabc\r\n", `* X {99999999999999999999}\x0d\x0aabc`},
		{"imap count 18 digits", "imap", "* X {999999999999999999}\r\nabc\r\n", `* X {999999999999999999}\x0d\x0aabc`},
		{"imap count not digits", "imap", "* X {1a}\r\nabc\r\n", `* X {1a}\x0d\x0aabc`},
		{"imap empty count", "imap", "* X {}\r\nabc\r\n", `* X {}\x0d\x0aabc`},
		{"imap no CRLF after count", "imap", "* X {3}abc\r\n", "* X {3}abc"},
		{"imap bare LF after count", "imap", "* X {3}\nabc\r\n", `* X {3}\x0aabc`},
		{"imap count at end", "imap", "* X {3}\r\n", "* X {3}"},
		{"imap truncated framing", "imap", "* X {3", "* X {3"},
		{"imap truncated framing plus", "imap", "* X {3+", "* X {3+"},
		{"imap truncated framing brace", "imap", "* X {3}\r", `* X {3}\x0d`},
		{"imap lone brace", "imap", "{", "{"},
		{"imap bare LF", "imap", "* OK\n", `* OK\x0a`},
		{"imap text that looks like display", "imap", "* OK {lit:x} \\x0a\r\n", `* OK {lit:x} \x0a`},
		{"other proto is line-based", "nntp", "200 {1}\r\nx\r\n", `200 {1}\x0d\x0ax`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Display(tt.proto, []byte(tt.raw)); got != tt.want {
				t.Errorf("Display(%q, %q) = %q, want %q", tt.proto, tt.raw, got, tt.want)
			}
		})
	}
}

// TestUndisplay checks that undisplay inverts Display exactly when the
// display form is faithful, and notices when it is not.
func TestUndisplay(t *testing.T) {
	tests := []struct {
		proto, raw string
		lossless   bool
	}{
		{"smtp", "250 OK\r\n", true},
		{"smtp", "250 a\x00b\r\n", true},
		{"smtp", "250 OK\n", false},
		{"smtp", "250 OK", false},
		{"smtp", "250 \\x0a\r\n", false},
		{"smtp", "250 \\x0A\r\n", true},
		{"smtp", "250 \\x41\r\n", true},
		{"smtp", "250 \\Seen\r\n", true},
		{"imap", "* 1 FETCH (BODY[] {5}\r\nhe}lo)\r\n", true},
		{"imap", "* 1 FETCH (BODY[] ~{2+}\r\n\x00\\)\r\n", true},
		{"imap", "* OK {lit:x}\r\n", false},
		{"imap", "* X {03}\r\nabc\r\n", false},
		{"imap", "* X {2}\r\n\r\n", false},
		{"imap", "* X {3}\r\nabc", false},
		{"smtp", "250 {lit:x}\r\n", true},
	}
	for _, tt := range tests {
		d := Display(tt.proto, []byte(tt.raw))
		back, ok := undisplay(tt.proto, d)
		if got := ok && bytes.Equal(back, []byte(tt.raw)); got != tt.lossless {
			t.Errorf("undisplay(%q, Display(%q) = %q) = %q, %v: lossless = %v, want %v", tt.proto, tt.raw, d, back, ok, got, tt.lossless)
		}
	}
	if _, ok := undisplay("imap", `{lit:\q}`); ok {
		t.Errorf("undisplay of a bad escape succeeded")
	}
	if _, ok := undisplay("imap", `{lit:abc`); ok {
		t.Errorf("undisplay of an unterminated literal succeeded")
	}
}

func FuzzDisplay(f *testing.F) {
	for _, s := range []string{"* 1 FETCH (BODY[] {5}\r\nhello)\r\n", "* X {3", "{99999999999999999999}\r\n", "~{1+}\r\n}\r\n", "250 OK\n"} {
		f.Add("imap", []byte(s))
		f.Add("smtp", []byte(s))
	}
	f.Fuzz(func(t *testing.T, proto string, raw []byte) {
		d := Display(proto, raw)
		for i := 0; i < len(d); i++ {
			if isControl(d[i]) {
				t.Fatalf("Display(%q, %q) = %q holds a control character", proto, raw, d)
			}
		}
		// The display form never loses a byte it shows as such.
		if back, ok := undisplay(proto, d); ok && bytes.Equal(back, raw) {
			if Display(proto, back) != d {
				t.Fatalf("Display is not stable on %q", raw)
			}
		}
		if strings.HasSuffix(string(raw), "\r\n") && !strings.Contains(string(raw[:len(raw)-2]), "\r\n") && proto != "imap" {
			if want := Display(proto, raw[:len(raw)-2]); d != want {
				t.Fatalf("Display(%q) = %q, want %q", raw, d, want)
			}
		}
	})
}
