package faults

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// frames reads s to its end with read and returns each frame, and the
// final partial frame and error as "<err: partial>".
func frames(s string, read func(*bufio.Reader) ([]byte, error)) []string {
	br := bufio.NewReaderSize(strings.NewReader(s), 16) // small: lines span buffer fills
	var out []string
	for {
		b, err := read(br)
		if err != nil {
			if !errors.Is(err, io.EOF) || len(b) > 0 {
				out = append(out, "<"+err.Error()+": "+string(b)+">")
			}
			return out
		}
		out = append(out, string(b))
	}
}

func TestReadSMTPReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"220 hi\r\n", []string{"220 hi\r\n"}},
		{"250-a\r\n250-b\r\n250 c\r\n221 bye\r\n", []string{"250-a\r\n250-b\r\n250 c\r\n", "221 bye\r\n"}},
		// Lenient: codes are not compared, bare LF ends a line, short lines end a reply.
		{"250-a\n251 b\n", []string{"250-a\n251 b\n"}},
		{"250-a\r\n25\r\n", []string{"250-a\r\n25\r\n"}},
		{"250\r\n", []string{"250\r\n"}},
		{"250-a very long line over the buffer size\r\n250 end\r\n", []string{"250-a very long line over the buffer size\r\n250 end\r\n"}},
		{"250-a\r\n250 unterminated", []string{"<EOF: 250-a\r\n250 unterminated>"}},
	} {
		if diff := cmp.Diff(tc.want, frames(tc.in, readSMTPReply)); diff != "" {
			t.Errorf("readSMTPReply(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestReadPOP3Body(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{".\r\n", []string{".\r\n"}},
		{"1 10\r\n2 20\r\n.\r\n+OK next\r\n.\r\n", []string{"1 10\r\n2 20\r\n.\r\n", "+OK next\r\n.\r\n"}},
		{"..stuffed\r\n. not the end\r\n.\n", []string{"..stuffed\r\n. not the end\r\n.\n"}},
		{"no end\r\n", []string{"<EOF: no end\r\n>"}},
	} {
		if diff := cmp.Diff(tc.want, frames(tc.in, readPOP3Body)); diff != "" {
			t.Errorf("readPOP3Body(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestReadIMAPResponse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"* OK ready\r\na1 OK done\r\n", []string{"* OK ready\r\n", "a1 OK done\r\n"}},
		{
			"* 1 FETCH (BODY[] {12}\r\nab\r\n)\r\n{3}\r\n)\r\na1 OK\r\n",
			[]string{"* 1 FETCH (BODY[] {12}\r\nab\r\n)\r\n{3}\r\n)\r\n", "a1 OK\r\n"},
		},
		{"* 1 FETCH (A {1}\r\nx B {2+}\r\nyy C ~{0}\r\n)\r\n", []string{"* 1 FETCH (A {1}\r\nx B {2+}\r\nyy C ~{0}\r\n)\r\n"}},
		{"* LIST () \"/\" {3}\r\nab", []string{"<unexpected EOF: * LIST () \"/\" {3}\r\nab>"}},
		{"* 1 FETCH (BODY[] {99999999999}\r\n", []string{"<faults: literal of 99999999999 octets: faults: reply too long: * 1 FETCH (BODY[] {99999999999}\r\n>"}},
		// Only server data carries literals: a status text may end in "{5}".
		{"a1 OK done {5}\r\n* OK x\r\n", []string{"a1 OK done {5}\r\n", "* OK x\r\n"}},
	} {
		if diff := cmp.Diff(tc.want, frames(tc.in, readIMAPResponse)); diff != "" {
			t.Errorf("readIMAPResponse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestLiteralAtEnd(t *testing.T) {
	type lit struct {
		N       int64
		NonSync bool
		OK      bool
	}
	for _, tc := range []struct {
		line string
		want lit
	}{
		{"a1 APPEND INBOX {5}\r\n", lit{5, false, true}},
		{"a1 APPEND INBOX {5+}\r\n", lit{5, true, true}},
		{"a1 APPEND INBOX ~{5}\r\n", lit{5, false, true}},
		{"a1 LOGIN {0}\n", lit{0, false, true}},
		{"a1 NOOP\r\n", lit{}},
		{"a1 X {}\r\n", lit{}},
		{"a1 X {+}\r\n", lit{}},
		{"a1 X {1a}\r\n", lit{}},
		{"a1 X {-1}\r\n", lit{}},
		{"a1 X {5} \r\n", lit{}},
		{"a1 X {99999999999999999999}\r\n", lit{}},
		{"}\r\n", lit{}},
	} {
		var got lit
		got.N, got.NonSync, got.OK = literalAtEnd([]byte(tc.line))
		if got != tc.want {
			t.Errorf("literalAtEnd(%q) = %+v, want %+v", tc.line, got, tc.want)
		}
	}
}

// TestEODScanner: the end of content is found at every split of the
// input into two pieces, and nothing else ends it.
func TestEODScanner(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // octets of content, marker included; -1: no end
	}{
		{".\r\n", 3},
		{"a\r\n.\r\nMAIL", 6},
		{"a\r\n..\r\n.\r\n", 10},
		{"a\r\n.\r\r\n.\r\n", 10},
		{"\r\n.\r\n", 5},
		{"a\n.\nb\r\n.\r\n", 10},
		{"a\r\n.\n", -1},
		{"a\n.\r\n", -1},
		{"a\r\n. \r\n", -1},
		{"a\r\r\n.\r\n", 7},
		{"a.\r\n", -1},
	} {
		for split := 0; split <= len(tc.in); split++ {
			var sc eodScanner
			got := -1
			n, done := sc.scan([]byte(tc.in[:split]))
			if done {
				got = n
			} else {
				if n != split {
					t.Errorf("scan(%q) took %d of the first piece %q", tc.in, n, tc.in[:split])
				}
				if n2, done := sc.scan([]byte(tc.in[split:])); done {
					got = split + n2
				}
			}
			if got != tc.want {
				t.Errorf("end of content in %q (split at %d) = %d, want %d", tc.in, split, got, tc.want)
			}
		}
	}
}

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		protocol, line string
		want           Command
	}{
		{SMTP, "ehlo client.test\r\n", Command{Verb: "EHLO", Args: "client.test"}},
		{SMTP, "QUIT\n", Command{Verb: "QUIT"}},
		{SMTP, "\r\n", Command{}},
		{POP3, "TOP 1 10\r\n", Command{Verb: "TOP", Args: "1 10"}},
		{IMAP, "a1 select INBOX\r\n", Command{Tag: "a1", Verb: "SELECT", Args: "INBOX"}},
		{IMAP, "a2 uid fetch 1:* (FLAGS)\r\n", Command{Tag: "a2", Verb: "UID FETCH", Args: "1:* (FLAGS)"}},
		{IMAP, "DONE\r\n", Command{Tag: "DONE"}},
	} {
		got := parseCommand(tc.protocol, []byte(tc.line))
		tc.want.Line = []byte(tc.line)
		if diff := cmp.Diff(tc.want, *got); diff != "" {
			t.Errorf("parseCommand(%s, %q) (-want +got):\n%s", tc.protocol, tc.line, diff)
		}
	}
}

func TestPOP3Rules(t *testing.T) {
	multi := map[string]bool{
		"RETR 1": true, "TOP 1 0": true, "LIST": true, "LIST 1": false, "UIDL": true,
		"UIDL 2": false, "CAPA": true, "AUTH": true, "AUTH PLAIN": false, "STAT": false,
	}
	for line, want := range multi {
		if got := pop3MultiLine(parseCommand(POP3, []byte(line+"\r\n"))); got != want {
			t.Errorf("pop3MultiLine(%q) = %v, want %v", line, got, want)
		}
	}
	for resp, want := range map[string]bool{"+ \r\n": true, "+\r\n": true, "+ abc\r\n": true, "+OK\r\n": false, "-ERR\r\n": false, "+": false} {
		if got := pop3Continuation([]byte(resp)); got != want {
			t.Errorf("pop3Continuation(%q) = %v, want %v", resp, got, want)
		}
	}
}

func TestFaultRewrites(t *testing.T) {
	for in, want := range map[string]string{
		"a\n.\nb":       "a\r\n.\r\nb",
		"a\r\n.\r\nb":   "a\r\n.\r\nb",
		"a\r\n.\nb":     "a\r\n.\nb",
		"\n.\n\n.\n":    "\r\n.\r\n\r\n.\r\n",
		"a\n.":          "a\n.",
		"x\n..\nMAIL\n": "x\n..\nMAIL\n",
	} {
		if got := string(bareLFDotToCRLF([]byte(in))); got != want {
			t.Errorf("bareLFDotToCRLF(%q) = %q, want %q", in, got, want)
		}
	}
	in := "+OK\r\n..a\r\n...b\r\nc..\r\n..\r\n.\r\n"
	want := "+OK\r\n.a\r\n..b\r\nc..\r\n.\r\n.\r\n"
	if got := string(unstuff([]byte(in))); got != want {
		t.Errorf("unstuff(%q) = %q, want %q", in, got, want)
	}
}

// FuzzFraming: whatever a server or client sends, the framers neither
// panic nor lose or change an octet: the frames put together are the
// input (up to a reply over the size bounds).
func FuzzFraming(f *testing.F) {
	for _, seed := range []string{
		"220 hi\r\n", "250-a\r\n250 b\r\n", "+OK\r\n1 2\r\n.\r\n",
		"* 1 FETCH (BODY[] {3}\r\na\r\n)\r\n", "a1 OK {0}\r\n\r\n", "x\n.\ny\r\n.\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for name, read := range map[string]func(*bufio.Reader) ([]byte, error){
			"smtp": readSMTPReply, "pop3": readPOP3Body, "imap": readIMAPResponse,
		} {
			br := bufio.NewReaderSize(bytes.NewReader(in), 16)
			var out []byte
			for {
				b, err := read(br)
				out = append(out, b...)
				if err != nil {
					if !bytes.HasPrefix(in, out) {
						t.Fatalf("%s: frames %q are not a prefix of %q", name, out, in)
					}
					if (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) && !bytes.Equal(out, in) {
						t.Fatalf("%s: frames %q, want %q", name, out, in)
					}
					break
				}
			}
		}
		var sc eodScanner
		if n, done := sc.scan(in); n > len(in) || !done && n != len(in) || done && !bytes.HasSuffix(in[:n], []byte("\r\n.\r\n")) && !bytes.Equal(in[:n], []byte(".\r\n")) {
			t.Fatalf("scan(%q) = %d, %v", in, n, done)
		}
		literalAtEnd(in)
		parseCommand(IMAP, in)
	})
}
