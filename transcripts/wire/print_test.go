package wire

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSMTPReplyCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"250 OK\r\n", "250 OK\r\n"},
		{"250\r\n", "250\r\n"},
		{"250 \r\n", "250\r\n"},
		{"250-a\r\n250-\r\n250 c\r\n", "250-a\r\n250-\r\n250 c\r\n"},
		// Repaired framing: the codes of later lines, the separator,
		// the line end.
		{"250-a\n251 b\n", "250-a\r\n250 b\r\n"},
		{"250xabc\r\n", "250 xabc\r\n"},
		{"099 low\r\n", "099 low\r\n"},
		{"hello\r\n", ""},
	} {
		rep, err := NewSMTPReader(strings.NewReader(tc.in), Limits{}).ReadReply()
		if err != nil {
			t.Fatalf("ReadReply(%q): %v", tc.in, err)
		}
		if got := string(rep.Canonical()); got != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPOP3ResponseCanonical(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"+OK\r\n", false, "+OK\r\n"},
		{"+OK \r\n", false, "+OK\r\n"},
		{"-ERR [IN-USE]locked\r\n", false, "-ERR [IN-USE] locked\r\n"},
		{"-ERR [SYS/TEMP]\r\n", false, "-ERR [SYS/TEMP]\r\n"},
		{"-ERR  [x] spaced\r\n", false, "-ERR  [x] spaced\r\n"},
		{"+ \r\n", false, "+\r\n"},
		{"+ b64==\r\n", false, "+ b64==\r\n"},
		{"\r\n", false, " \r\n"},
		{"+OK 2\r\n..a\r\nb\n.x\r\n\r\n.\r\n", true, "+OK 2\r\n..a\r\nb\r\n..x\r\n\r\n.\r\n"},
		{"+OK 0\r\n.\r\n", true, "+OK 0\r\n.\r\n"},
	} {
		resp, err := NewPOP3Reader(strings.NewReader(tc.in), Limits{}).ReadResponse(tc.multiline)
		if err != nil {
			t.Fatalf("ReadResponse(%q): %v", tc.in, err)
		}
		if got := string(resp.Canonical()); got != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestIMAPResponseCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"},
		{"a1 ok [read-write]done\r\n", "a1 OK [READ-WRITE] done\r\n"},
		{"* OK [] [ALERT] text\r\n", "* OK [] [ALERT] text\r\n"},
		{"* OK [unclosed\r\n", "* OK [unclosed\r\n"},
		{"+\r\n", "+ \r\n"},
		{"+ [X y] go\r\n", "+ [X y] go\r\n"},
		{"*  23  exists\r\n", "* 23 EXISTS\r\n"},
		{"* 5(x)\r\n", "* 5(x)\r\n"},
		{"a2 FOO bar\r\n", "a2 FOO bar\r\n"},
		{"* LIST (\\Noselect)  \"/\" \"a \\\"b\\\" \\\\c\"\r\n", "* LIST (\\Noselect) \"/\" \"a \\\"b\\\" \\\\c\"\r\n"},
		{"* LIST () NIL \"\\q\"\r\n", "* LIST () NIL \"q\"\r\n"},
		{
			"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] {5}\r\nab)\r\n BINARY[] ~{2}\r\n\x00x)\r\n",
			"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (FROM)] {5}\r\nab)\r\n BINARY[] ~{2}\r\n\x00x)\r\n",
		},
		{"* X {5} \r\n", "* X {5} \r\n"},
		{"*{1} \n", "* {1} \r\n"},
		{"* X ((a) b\r\n", "* X ((a) b)\r\n"},
	} {
		resp, err := NewIMAPReader(strings.NewReader(tc.in), Limits{}).ReadResponse()
		if err != nil {
			t.Fatalf("ReadResponse(%q): %v", tc.in, err)
		}
		got := resp.Canonical()
		if string(got) != tc.want {
			t.Errorf("Canonical(%q) = %q, want %q", tc.in, got, tc.want)
		}
		again, err := NewIMAPReader(bytes.NewReader(got), Limits{}).ReadResponse()
		if err != nil {
			t.Fatalf("ReadResponse(Canonical(%q)): %v", tc.in, err)
		}
		if diff := cmp.Diff(resp, again, cmpopts.IgnoreFields(IMAPResponse{}, "Raw", "Violations", "Literals"), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Canonical(%q) reads differently (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestKeywordsASCII: keywords and codes are upper-cased as ASCII, so that
// a look-alike such as U+017F (long s) is not read as "S".
func TestKeywordsASCII(t *testing.T) {
	resp, err := NewIMAPReader(strings.NewReader("* \u017fearch 1\r\na1 OK [uidnext 5] x\r\n"), Limits{}).ReadResponse()
	if err != nil || resp.Keyword != "\u017fEARCH" {
		t.Errorf("Keyword = %q, %v; want %q", resp.Keyword, err, "\u017fEARCH")
	}
}

func TestValueAppendWire(t *testing.T) {
	v := Value{Kind: List, List: []Value{
		{Kind: Atom, Str: `\Seen`},
		{Kind: Number, Num: 18446744073709551615},
		{Kind: Nil},
		{Kind: String, Str: `say "hi" \ `},
		{Kind: Literal, Str: "a\r\nb"},
		{Kind: List},
	}}
	want := "(\\Seen 18446744073709551615 NIL \"say \\\"hi\\\" \\\\ \" {4}\r\na\r\nb ())"
	if got := string(v.AppendWire(nil)); got != want {
		t.Errorf("AppendWire = %q, want %q", got, want)
	}
}
