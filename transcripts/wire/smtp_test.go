package wire

import (
	"errors"
	"io"
	"strings"
	"testing"
)

const ehloReply = "250-mx.example.com Hello client.example.org [192.0.2.1]\r\n" +
	"250-PIPELINING\r\n" +
	"250-SIZE 35882577\r\n" +
	"250-8BITMIME\r\n" +
	"250-STARTTLS\r\n" +
	"250-ENHANCEDSTATUSCODES\r\n" +
	"250-AUTH PLAIN LOGIN\r\n" +
	"250 SMTPUTF8\r\n"

// smtpTests are single replies: the whole input is one reply, and Raw
// must be all of it.
var smtpTests = []struct {
	name string
	in   string
	want SMTPReply // Raw is filled from in
}{
	{
		name: "greeting",
		in:   "220 mail.example.com ESMTP ready\r\n",
		want: SMTPReply{Code: 220, Lines: []string{"mail.example.com ESMTP ready"}},
	},
	{
		name: "bare code",
		in:   "250\r\n",
		want: SMTPReply{Code: 250, Lines: []string{""}},
	},
	{
		name: "code and SP without text",
		in:   "250 \r\n",
		want: SMTPReply{Code: 250, Lines: []string{""}},
	},
	{
		name: "empty continuation text",
		in:   "250-\r\n250 ok\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"", "ok"}},
	},
	{
		name: "EHLO",
		in:   ehloReply,
		want: SMTPReply{Code: 250, Lines: []string{
			"mx.example.com Hello client.example.org [192.0.2.1]", "PIPELINING", "SIZE 35882577",
			"8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES", "AUTH PLAIN LOGIN", "SMTPUTF8",
		}},
	},
	{
		name: "multiline with bare final code",
		in:   "214-help\r\n214\r\n",
		want: SMTPReply{Code: 214, Lines: []string{"help", ""}},
	},
	{
		name: "354",
		in:   "354 Start mail input; end with <CRLF>.<CRLF>\r\n",
		want: SMTPReply{Code: 354, Lines: []string{"Start mail input; end with <CRLF>.<CRLF>"}},
	},
	{
		name: "UTF-8 text is not judged (SMTPUTF8)",
		in:   "550 5.1.1 Ungültige Adresse\r\n",
		want: SMTPReply{Code: 550, Lines: []string{"5.1.1 Ungültige Adresse"}},
	},
	{
		name: "invalid UTF-8 is not judged",
		in:   "250 \xff\xfe\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"\xff\xfe"}},
	},
	{
		name: "HT in text",
		in:   "250 a\tb\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a\tb"}},
	},
	{
		name: "bare LF",
		in:   "250 ok\n",
		want: SMTPReply{Code: 250, Lines: []string{"ok"},
			Violations: []Violation{vio("5321", "2.3.8", LevelMust, 6)}},
	},
	{
		name: "bare LF on a continuation line",
		in:   "250-a\n250 b\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a", "b"},
			Violations: []Violation{vio("5321", "2.3.8", LevelMust, 5)}},
	},
	{
		name: "codes differ",
		in:   "250-a\r\n251 b\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a", "b"},
			Violations: []Violation{vio("5321", "4.2.1", LevelMust, 7)}},
	},
	{
		name: "codes differ on a continuation line",
		in:   "250-a\r\n251-b\r\n250 c\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a", "b", "c"},
			Violations: []Violation{vio("5321", "4.2.1", LevelMust, 7)}},
	},
	{
		name: "bad separator",
		in:   "250_ok\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"_ok"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 3)}},
	},
	{
		name: "four digits",
		in:   "2500 ok\r\n",
		want: SMTPReply{Code: 0, Lines: []string{"2500 ok"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "two digits",
		in:   "25 ok\r\n",
		want: SMTPReply{Code: 0, Lines: []string{"25 ok"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "no code",
		in:   "hello\r\n",
		want: SMTPReply{Code: 0, Lines: []string{"hello"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "empty line",
		in:   "\r\n",
		want: SMTPReply{Code: 0, Lines: []string{""},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "first digit out of range",
		in:   "199 x\r\n",
		want: SMTPReply{Code: 199, Lines: []string{"x"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "second digit out of range",
		in:   "260 x\r\n",
		want: SMTPReply{Code: 260, Lines: []string{"x"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 0)}},
	},
	{
		name: "NUL in text",
		in:   "250 a\x00b\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a\x00b"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 5)}},
	},
	{
		name: "DEL in text",
		in:   "250 a\x7f\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a\x7f"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 5)}},
	},
	{
		name: "bare CR is data, and a control character",
		in:   "250 a\rb\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a\rb"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 5)}},
	},
	{
		name: "CR CR LF",
		in:   "250 ok\r\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"ok\r"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 6)}},
	},
	{
		name: "a line without code ends the reply",
		in:   "250-a\r\nfoo\r\n",
		want: SMTPReply{Code: 250, Lines: []string{"a", "foo"},
			Violations: []Violation{vio("5321", "4.2", LevelMust, 7)}},
	},
}

func TestSMTPReadReply(t *testing.T) {
	for _, tc := range smtpTests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewSMTPReader(strings.NewReader(tc.in), Limits{})
			got, err := r.ReadReply()
			if err != nil {
				t.Fatalf("ReadReply(%q) error: %v", tc.in, err)
			}
			want := tc.want
			want.Raw = []byte(tc.in)
			if d := diff(want, got); d != "" {
				t.Errorf("ReadReply(%q) mismatch (-want +got):\n%s", tc.in, d)
			}
			checkMsgs(t, got.Violations)
			if _, err := r.ReadReply(); err != io.EOF {
				t.Errorf("ReadReply after the reply = %v, want io.EOF", err)
			}
		})
	}
}

func TestSMTPStream(t *testing.T) {
	in := "220 ready\r\n" + ehloReply + "250-a\r\nfoo\r\n250 b\r\n354 go\r\n"
	got, err := readAllSMTP(strings.NewReader(in), Limits{})
	if err != io.EOF {
		t.Fatalf("reading %q ended with %v, want io.EOF", in, err)
	}
	var codes []int
	var raw strings.Builder
	for _, r := range got.Replies {
		codes = append(codes, r.Code)
		raw.Write(r.Raw)
	}
	if d := diff([]int{220, 250, 250, 250, 354}, codes); d != "" {
		t.Errorf("codes mismatch (-want +got):\n%s", d)
	}
	if raw.String() != in {
		t.Errorf("concatenated Raw = %q, want %q", raw.String(), in)
	}
}

func TestSMTPText(t *testing.T) {
	r := SMTPReply{Lines: []string{"a", "b c"}}
	if got, want := r.Text(), "a\nb c"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestSMTPEOF(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantIs error
	}{
		{"clean close", "", io.EOF},
		{"mid line", "250 o", io.ErrUnexpectedEOF},
		{"between lines of a reply", "250-a\r\n", io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewSMTPReader(strings.NewReader(tc.in), Limits{})
			_, err := r.ReadReply()
			if tc.wantIs == io.EOF {
				if err != io.EOF {
					t.Fatalf("ReadReply(%q) = %v, want io.EOF itself", tc.in, err)
				}
				return
			}
			if !errors.Is(err, tc.wantIs) || !strings.HasPrefix(err.Error(), "wire: ") {
				t.Fatalf("ReadReply(%q) = %v, want a wire: error wrapping %v", tc.in, err, tc.wantIs)
			}
			if _, err2 := r.ReadReply(); !errors.Is(err2, tc.wantIs) {
				t.Errorf("second ReadReply = %v, want the error again", err2)
			}
		})
	}
}

// TestSMTPAllocs asserts that reading costs no allocation per line: a
// 20-line reply costs as many allocations as a 1-line one.
func TestSMTPAllocs(t *testing.T) {
	allocs := func(reply string) float64 {
		r := NewSMTPReader(&repeatReader{data: []byte(reply)}, Limits{})
		return testing.AllocsPerRun(200, func() {
			rep, err := r.ReadReply()
			if err != nil || len(rep.Violations) != 0 {
				t.Fatalf("ReadReply = %+v, %v", rep, err)
			}
		})
	}
	one := allocs("250 ok\r\n")
	twenty := allocs(ehlo20())
	if one != twenty {
		t.Errorf("allocs/op: 1 line %v, 20 lines %v; want them equal", one, twenty)
	}
	if one > 3 {
		t.Errorf("allocs/op for a 1-line reply = %v, want at most 3", one)
	}
}

// ehlo20 is a 20-line EHLO reply.
func ehlo20() string {
	var b strings.Builder
	b.WriteString("250-mx.example.com greets client.example.org\r\n")
	for i := range 18 {
		b.WriteString("250-X-EXTENSION-")
		b.WriteByte(byte('A' + i))
		b.WriteString(" some parameters here\r\n")
	}
	b.WriteString("250 SMTPUTF8\r\n")
	return b.String()
}
