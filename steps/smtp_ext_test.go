package steps

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts/wire"
)

func TestCompareDelivered(t *testing.T) {
	sent := "Subject: s\r\nX-Folded: a,\r\n\tb\r\n\r\nbody\r\n.dot\r\n"
	tests := []struct {
		name   string
		stored string
		ok     bool
		says   string
	}{
		{"identical", sent, true, ""},
		{"trace fields on top", "Return-Path: <a@b>\r\nReceived: from x\r\n\tby y;\r\n\tdate\r\n" + sent, true, ""},
		{"body changed", "Received: x\r\n" + strings.Replace(sent, "body", "BODY", 1), false, "body differs: line 1"},
		{"body line lost", "Received: x\r\n" + strings.Replace(sent, ".dot\r\n", "", 1), false, "body differs: line 2"},
		{"field changed", "Received: x\r\n" + strings.Replace(sent, "Subject: s", "Subject: t", 1), false, `"Subject: s" is missing`},
		{"folding undone", "Received: x\r\n" + strings.Replace(sent, ",\r\n\tb", ", b", 1), false, "X-Folded"},
		{"field added below", "Subject: s\r\nX-Folded: a,\r\n\tb\r\nX-Spam: no\r\n\r\nbody\r\n.dot\r\n", false, "not the last ones"},
		{"text added above", "hello\r\n" + sent, false, "not a header field"},
		{"continuation first", "\tcontinued\r\n" + sent, false, "not a header field"},
		{"no blank line", "Received: x\r\nSubject: s", false, "no blank line"},
		{"nothing fetched", "", false, "no message"},
	}
	for _, tt := range tests {
		var stored []byte
		if tt.name != "nothing fetched" {
			stored = []byte(tt.stored)
		}
		err := compareDelivered([]byte(sent), stored)
		if (err == nil) != tt.ok {
			t.Errorf("%s: compareDelivered = %v, want ok %v", tt.name, err, tt.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: compareDelivered = %q, want it to say %q", tt.name, err, tt.says)
		}
	}
}

func TestSearchUIDs(t *testing.T) {
	num := func(n uint64) wire.Value { return wire.Value{Kind: wire.Number, Num: n} }
	atom := func(s string) wire.Value { return wire.Value{Kind: wire.Atom, Str: s} }
	tests := []struct {
		name string
		in   []wire.IMAPResponse
		want []string
	}{
		{"SEARCH", []wire.IMAPResponse{{Keyword: "SEARCH", Fields: []wire.Value{num(3), num(17)}}}, []string{"3", "17"}},
		{"empty SEARCH", []wire.IMAPResponse{{Keyword: "SEARCH"}}, nil},
		{"ESEARCH set", []wire.IMAPResponse{{Keyword: "ESEARCH", Fields: []wire.Value{atom("UID"), atom("ALL"), atom("4:6,9")}}}, []string{"4", "5", "6", "9"}},
		{"ESEARCH number", []wire.IMAPResponse{{Keyword: "ESEARCH", Fields: []wire.Value{atom("UID"), atom("ALL"), num(8)}}}, []string{"8"}},
		{"other data ignored", []wire.IMAPResponse{{Keyword: "EXISTS", Number: 3, HasNumber: true}}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, searchUIDs(tt.in)); diff != "" {
			t.Errorf("%s: searchUIDs (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestBase64Text(t *testing.T) {
	tests := []struct {
		text string
		ok   bool
	}{
		{"", true},
		{"VXNlcm5hbWU6", true},
		{"PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4=", true},
		{"YQ==", true},
		{"Username:", false},
		{"AAA=BBB", false},
		{"=AAA", false},
		{"YQ", false},
		{"VXNl cm5h", false},
	}
	for _, tt := range tests {
		if got := base64Text.MatchString(tt.text); got != tt.ok {
			t.Errorf("base64Text.MatchString(%q) = %v, want %v", tt.text, got, tt.ok)
		}
	}
}

func TestE2EMessageAndDotStuff(t *testing.T) {
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, kind := range []string{"", "8-bit", "chunked"} {
		msg := e2eMessage(kind, "alice@example.test", "mailspec e2e tok", "tok", date)
		if !bytes.HasSuffix(msg, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(msg, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%q message: every line must end in CRLF and no bare LF may occur", kind)
		}
		if !bytes.Contains(msg, []byte("\r\nSubject: mailspec e2e tok\r\n")) || !bytes.Contains(msg, []byte("\r\nMessage-ID: <tok@example.test>\r\n")) {
			t.Errorf("%q message lacks its Subject or Message-ID:\n%s", kind, msg)
		}
		has8bit := bytes.IndexFunc(msg, func(r rune) bool { return r > 127 }) >= 0
		if has8bit != (kind == "8-bit") {
			t.Errorf("%q message: 8-bit content %v", kind, has8bit)
		}
		stuffed := dotStuff(msg)
		if !bytes.HasSuffix(stuffed, []byte("\r\n.\r\n")) {
			t.Errorf("%q: dotStuff does not end with <CRLF>.<CRLF>", kind)
		}
		if !bytes.Contains(stuffed, []byte("\r\n..A line")) || !bytes.Contains(stuffed, []byte("\r\n...Two")) {
			t.Errorf("%q: lines starting with a period are not stuffed:\n%s", kind, stuffed)
		}
		// Unstuffing gives the message back (RFC 5321 section 4.5.2).
		var back bytes.Buffer
		lines := bytes.SplitAfter(stuffed[:len(stuffed)-3], []byte("\r\n"))
		for _, l := range lines {
			back.Write(bytes.TrimPrefix(l, []byte(".")))
		}
		if diff := cmp.Diff(string(msg), back.String()); diff != "" {
			t.Errorf("%q: unstuffed message (-want +got):\n%s", kind, diff)
		}
	}
}

func TestExtStepsInVocabulary(t *testing.T) {
	want := []string{
		"the server advertises a fixed maximum message size",
		`the client authenticates with SASL "SCRAM-SHA-256"`,
		"the client starts TLS on the connection",
		"no reply to the injected commands arrives within 1000 ms",
		`the client sends mail data with the fake end "\n.\n" and a smuggled transaction`,
		"the client sends a message with a unique subject to the account",
		"the client sends an 8-bit message with a unique subject to the account",
		"the client sends a chunked message with a unique subject to the account",
		"the message arrives in the account's mailbox intact",
	}
	for _, text := range want {
		n := 0
		for _, d := range Vocabulary() {
			if regexpMatch(d.Expr, text) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%q matches %d steps of the vocabulary, want exactly 1", text, n)
		}
	}
}

func regexpMatch(expr, text string) bool { return regexp.MustCompile(expr).MatchString(text) }
