package wire

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func lines(ls ...string) [][]byte {
	out := make([][]byte, len(ls))
	for i, l := range ls {
		out[i] = []byte(l)
	}
	return out
}

// pop3Tests are single responses: the whole input is one response.
var pop3Tests = []struct {
	name  string
	in    string
	multi bool
	want  POP3Response // Raw is filled from in
}{
	{
		name: "greeting",
		in:   "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
		want: POP3Response{Status: "+OK", OK: true, Text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"},
	},
	{
		name: "+OK alone",
		in:   "+OK\r\n",
		want: POP3Response{Status: "+OK", OK: true},
	},
	{
		name: "+OK SP",
		in:   "+OK \r\n",
		want: POP3Response{Status: "+OK", OK: true},
	},
	{
		name: "-ERR",
		in:   "-ERR no such message\r\n",
		want: POP3Response{Status: "-ERR", Text: "no such message"},
	},
	{
		name: "resp-code",
		in:   "-ERR [IN-USE] Do you have another POP session running?\r\n",
		want: POP3Response{Status: "-ERR", Code: "IN-USE", Text: "Do you have another POP session running?"},
	},
	{
		name: "hierarchical resp-code",
		in:   "-ERR [SYS/TEMP] busy\r\n",
		want: POP3Response{Status: "-ERR", Code: "SYS/TEMP", Text: "busy"},
	},
	{
		name: "resp-code without text",
		in:   "-ERR [AUTH]\r\n",
		want: POP3Response{Status: "-ERR", Code: "AUTH"},
	},
	{
		name: "unclosed bracket is text",
		in:   "-ERR [not a code\r\n",
		want: POP3Response{Status: "-ERR", Text: "[not a code"},
	},
	{
		name: "bracket with SP is text",
		in:   "-ERR [IN USE] x\r\n",
		want: POP3Response{Status: "-ERR", Text: "[IN USE] x"},
	},
	{
		name: "SASL continuation",
		in:   "+ dGVzdA==\r\n",
		want: POP3Response{Status: "+", Text: "dGVzdA=="},
	},
	{
		name: "empty SASL continuation",
		in:   "+ \r\n",
		want: POP3Response{Status: "+"},
	},
	{
		name:  "LIST",
		in:    "+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Text: "2 messages (320 octets)",
			Lines: lines("1 120", "2 200")},
	},
	{
		name:  "RETR with stuffed dots",
		in:    "+OK 120 octets\r\nSubject: x\r\n\r\n..leading dot\r\n...\r\n..\r\nend\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Text: "120 octets",
			Lines: lines("Subject: x", "", ".leading dot", "..", ".", "end")},
	},
	{
		name:  "CAPA",
		in:    "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN SCRAM-SHA-256\r\nRESP-CODES\r\nPIPELINING\r\nUIDL\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Text: "Capability list follows",
			Lines: lines("TOP", "USER", "SASL PLAIN SCRAM-SHA-256", "RESP-CODES", "PIPELINING", "UIDL")},
	},
	{
		name:  "empty multi-line body",
		in:    "+OK\r\n.\r\n",
		multi: true,
		want:  POP3Response{Status: "+OK", OK: true, Lines: [][]byte{}},
	},
	{
		name:  "-ERR to a multi-line command has no body",
		in:    "-ERR no such message\r\n",
		multi: true,
		want:  POP3Response{Status: "-ERR", Text: "no such message"},
	},
	{
		name:  "NUL and invalid UTF-8 in a body are data",
		in:    "+OK\r\na\x00b\xff\r\n.\r\n",
		multi: true,
		want:  POP3Response{Status: "+OK", OK: true, Lines: lines("a\x00b\xff")},
	},
	{
		name: "bare LF on the status line",
		in:   "+OK hi\n",
		want: POP3Response{Status: "+OK", OK: true, Text: "hi",
			Violations: []Violation{vio("1939", "3", LevelMust, 6)}},
	},
	{
		name: "status in lower case",
		in:   "+ok hi\r\n",
		want: POP3Response{Status: "+ok", Text: "hi",
			Violations: []Violation{vio("1939", "3", LevelMust, 0)}},
	},
	{
		name:  "status in lower case still has its body read",
		in:    "+ok\r\nx\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+ok", Lines: lines("x"),
			Violations: []Violation{vio("1939", "3", LevelMust, 0)}},
	},
	{
		name: "unknown status",
		in:   "OK hi\r\n",
		want: POP3Response{Status: "OK", Text: "hi",
			Violations: []Violation{vio("1939", "3", LevelMust, 0)}},
	},
	{
		name: "status not followed by SP",
		in:   "+OKhi\r\n",
		want: POP3Response{Status: "+OKhi",
			Violations: []Violation{vio("1939", "3", LevelMust, 0)}},
	},
	{
		name:  "line not dot-stuffed",
		in:    "+OK\r\n.hidden\r\nx\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Lines: lines(".hidden", "x"),
			Violations: []Violation{vio("1939", "3", LevelMust, 5)}},
	},
	{
		name:  "terminator ended by bare LF",
		in:    "+OK\r\na\r\n.\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Lines: lines("a"),
			Violations: []Violation{vio("1939", "3", LevelMust, 9)}},
	},
	{
		name:  "body line ended by bare LF",
		in:    "+OK\r\na\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Lines: lines("a"),
			Violations: []Violation{vio("1939", "3", LevelMust, 6)}},
	},
	{
		name:  "dot-CR is not the terminator",
		in:    "+OK\r\n.\r\r\n.\r\n",
		multi: true,
		want: POP3Response{Status: "+OK", OK: true, Lines: lines(".\r"),
			Violations: []Violation{vio("1939", "3", LevelMust, 5)}},
	},
}

func TestPOP3ReadResponse(t *testing.T) {
	for _, tc := range pop3Tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewPOP3Reader(strings.NewReader(tc.in), Limits{})
			got, err := r.ReadResponse(tc.multi)
			if err != nil {
				t.Fatalf("ReadResponse(%q) error: %v", tc.in, err)
			}
			want := tc.want
			want.Raw = []byte(tc.in)
			if d := diff(want, got); d != "" {
				t.Errorf("ReadResponse(%q, %v) mismatch (-want +got):\n%s", tc.in, tc.multi, d)
			}
			checkMsgs(t, got.Violations)
			if _, err := r.ReadResponse(false); err != io.EOF {
				t.Errorf("ReadResponse after the response = %v, want io.EOF", err)
			}
		})
	}
}

func TestPOP3LongStatusLineIsNotJudged(t *testing.T) {
	in := "+OK " + strings.Repeat("x", 600) + "\r\n"
	got, err := NewPOP3Reader(strings.NewReader(in), Limits{}).ReadResponse(false)
	if err != nil || got.Violations != nil {
		t.Errorf("ReadResponse(600-octet status line) = %v, %v; want no violation", got.Violations, err)
	}
}

func TestPOP3EOF(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		multi  bool
		wantIs error
	}{
		{"clean close", "", false, io.EOF},
		{"mid status line", "+OK hel", false, io.ErrUnexpectedEOF},
		{"before terminator", "+OK\r\nline\r\n", true, io.ErrUnexpectedEOF},
		{"right after the status line", "+OK\r\n", true, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewPOP3Reader(strings.NewReader(tc.in), Limits{})
			_, err := r.ReadResponse(tc.multi)
			if tc.wantIs == io.EOF {
				if err != io.EOF {
					t.Fatalf("ReadResponse(%q) = %v, want io.EOF itself", tc.in, err)
				}
				return
			}
			if !errors.Is(err, tc.wantIs) || !strings.HasPrefix(err.Error(), "wire: ") {
				t.Fatalf("ReadResponse(%q) = %v, want a wire: error wrapping %v", tc.in, err, tc.wantIs)
			}
		})
	}
}

func TestPOP3LinesDoNotOverwriteRaw(t *testing.T) {
	in := "+OK\r\nab\r\ncd\r\n.\r\n"
	got, err := NewPOP3Reader(strings.NewReader(in), Limits{}).ReadResponse(true)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got.Lines[0], "XYZ"...)
	if string(got.Raw) != in {
		t.Errorf("appending to Lines[0] changed Raw to %q", got.Raw)
	}
}
