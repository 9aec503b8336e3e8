package steps

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/faults"
	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/transcripts"
)

func TestPOP3Listings(t *testing.T) {
	type parsed struct {
		N    int
		Size int64
		ID   string
		OK   bool
	}
	tests := []struct {
		kind, line string
		want       parsed
	}{
		{"drop", "+OK 2 320", parsed{2, 320, "", true}},
		{"drop", "+OK 0 0", parsed{0, 0, "", true}},
		{"drop", "+OK 2 320 more text", parsed{2, 320, "", true}},
		{"drop", "+OK  2 320", parsed{}},
		{"drop", "+OK 2  320", parsed{}},
		{"drop", "+OK 2 320x", parsed{}},
		{"drop", "+ok 2 320", parsed{}},
		{"drop", "+OK 2", parsed{}},
		{"scan", "1 120", parsed{1, 120, "", true}},
		{"scan", "12 3456 and more", parsed{12, 3456, "", true}},
		{"scan", "1  120", parsed{}},
		{"scan", "0 120", parsed{}},
		{"scan", "1 12a", parsed{}},
		{"scan", "1", parsed{}},
		{"uid", "1 whqtswO00WBw418f9t5JxYwZ", parsed{1, 0, "whqtswO00WBw418f9t5JxYwZ", true}},
		{"uid", "2 QhdPYR:00WBw1Ph7x7", parsed{2, 0, "QhdPYR:00WBw1Ph7x7", true}},
		{"uid", "3 " + strings.Repeat("x", 70), parsed{3, 0, strings.Repeat("x", 70), true}},
		{"uid", "3 " + strings.Repeat("x", 71), parsed{}},
		{"uid", "1 abc def", parsed{}},
		{"uid", "1  abc", parsed{}},
		{"uid", "1 ab\x7fc", parsed{}},
		{"uid", "1 ", parsed{}},
	}
	for _, tt := range tests {
		var got parsed
		switch tt.kind {
		case "drop":
			n, size, ok := pop3ParseDropListing(tt.line)
			if ok {
				got = parsed{n, size, "", true}
			}
		case "scan":
			n, size, ok := pop3ParseScanListing(tt.line)
			if ok {
				got = parsed{n, size, "", true}
			}
		case "uid":
			n, id, ok := pop3ParseUniqueIDListing(tt.line)
			if ok {
				got = parsed{n, 0, id, true}
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s listing %q (-want +got):\n%s", tt.kind, tt.line, diff)
		}
	}
}

func TestCheckListing(t *testing.T) {
	tests := []struct {
		kind  string
		lines []string
		ok    bool
	}{
		{"scan", []string{"1 120", "2 200"}, true},
		{"scan", nil, true},
		{"scan", []string{"1 120", "1 200"}, false},
		{"scan", []string{"1 120", "2  200"}, false},
		{"unique-id", []string{"1 a", "2 b"}, true},
		{"unique-id", []string{"1 a", "2 a"}, false},
		{"unique-id", []string{"1 a", "1 b"}, false},
		{"unique-id", []string{"1 a x"}, false},
		{"language", []string{"en English", "en-boont English Boontling dialect", "i-default Default language"}, true},
		{"language", []string{"en_US English"}, false},
		{"language", []string{"en"}, false},
	}
	for _, tt := range tests {
		problem := pop3CheckListing(tt.kind, tt.lines)
		if (problem == "") != tt.ok {
			t.Errorf("checkListing(%s, %q) = %q, want ok = %v", tt.kind, tt.lines, problem, tt.ok)
		}
	}
}

func TestPOP3Body(t *testing.T) {
	tests := []struct {
		raw  string
		want string
		ok   bool
	}{
		{"+OK\r\nline\r\n..dot\r\n..\r\n.\r\n", "line\r\n.dot\r\n.\r\n", true},
		{"+OK 3 octets\r\n.\r\n", "", true},
		{"+OK\r\nline\r\n", "line\r\n", false},
		{"+OK\r\nbare\n.\r\n", "bare\r\n", true},
		{"+OK\r\na\r\n.\r\ntrailing\r\n", "a\r\n", true},
		{"-ERR no\r\n", "", false},
	}
	for _, tt := range tests {
		got, ok := pop3Body([]byte(tt.raw))
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("pop3Body(%q) = %q, %v, want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTopOf(t *testing.T) {
	msg := []byte("A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n")
	tests := []struct {
		n    int
		want string
	}{
		{0, "A: 1\r\nB: 2\r\n\r\n"},
		{1, "A: 1\r\nB: 2\r\n\r\none\r\n"},
		{3, string(msg)},
		{100, string(msg)},
	}
	for _, tt := range tests {
		if got := string(pop3TopOf(msg, tt.n)); got != tt.want {
			t.Errorf("topOf(msg, %d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := string(pop3TopOf([]byte("A: 1\r\n"), 2)); got != "A: 1\r\n" {
		t.Errorf("topOf of a message without a body = %q", got)
	}
}

func TestTestMessage(t *testing.T) {
	eml := "From: a@example.test\r\nMessage-ID: <old@example.test>\r\n (folded)\r\nSubject: s\r\n\r\n.dot\r\nlast\r\n"
	got := string(pop3TestMessage([]byte(eml), "<new@mailspec.test>", "run1"))
	want := "Message-ID: <new@mailspec.test>\r\nX-Mailspec-Run: run1\r\nFrom: a@example.test\r\nSubject: s\r\n\r\n.dot\r\nlast\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("testMessage (-want +got):\n%s", diff)
	}
	// Bare LF in, CRLF out; a file without a final line end gets one.
	got = string(pop3TestMessage([]byte("Subject: s\n\nbody"), "<n@m>", "r"))
	if want := "Message-ID: <n@m>\r\nX-Mailspec-Run: r\r\nSubject: s\r\n\r\nbody\r\n"; got != want {
		t.Errorf("testMessage of LF input = %q, want %q", got, want)
	}
	// Every message of the suite has CRLF line ends and a Message-ID that
	// the delivery replaces.
	for _, name := range []string{"plain", "pop3-dots", "pop3-lines"} {
		eml, err := features.Messages.ReadFile("messages/" + name + ".eml")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(bytes.ReplaceAll(eml, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s.eml has a bare LF", name)
		}
		msg := pop3TestMessage(eml, "<x@y>", "r")
		if bytes.Count(msg, []byte("Message-ID:")) != 1 {
			t.Errorf("%s: the prepared message has %d Message-ID fields", name, bytes.Count(msg, []byte("Message-ID:")))
		}
	}
}

func TestIDSafe(t *testing.T) {
	if got := pop3IDSafe("ms test/150405.000"); got != "ms-test-150405.000" {
		t.Errorf("idSafe = %q", got)
	}
}

func TestCapabilityProblem(t *testing.T) {
	tests := []struct {
		line string
		args bool
		ok   bool
	}{
		{"TOP", true, true},
		{"SASL PLAIN LOGIN SCRAM-SHA-256", true, true},
		{"IMPLEMENTATION Dovecot 2.3", true, true},
		{"LOGIN-DELAY 900", true, true},
		{"LOGIN-DELAY 900 USER", true, true},
		{"EXPIRE NEVER", true, true},
		{"EXPIRE 30 USER", true, true},
		{"X-UNKNOWN a b", true, true},
		{"TOP 1", true, false},
		{"TOP 1", false, true},
		{"EXPIRE SOON", true, false},
		{"LOGIN-DELAY", true, false},
		{"SASL", true, false},
		{"SASL PL@IN", true, false},
		{"X-MAILSPEC  FAULT", false, false},
		{" TOP", false, false},
		{"TOP ", false, false},
		{".TOP", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		p := pop3CapabilityProblem(tt.line, tt.args)
		if (p == "") != tt.ok {
			t.Errorf("capabilityProblem(%q, %v) = %q, want ok = %v", tt.line, tt.args, p, tt.ok)
		}
	}
}

func TestRespCode(t *testing.T) {
	for text, want := range map[string]bool{
		"[IN-USE] locked":      true,
		"[SYS/TEMP] try later": true,
		"[AUTH]":               true,
		"[AUTH invalid":        false,
		"[] empty":             false,
		"[SYS//TEMP] x":        false,
		"[SYS/] x":             false,
	} {
		if got := pop3RespCodeRE.MatchString(text); got != want {
			t.Errorf("respCodeRE.MatchString(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestPOP3Helpers(t *testing.T) {
	for reply, want := range map[string]bool{
		"-ERR [IN-USE] maildrop already locked": true,
		"-ERR Unable to lock maildrop":          true,
		"-ERR [AUTH] invalid password":          false,
	} {
		if got := pop3InUse(reply); got != want {
			t.Errorf("pop3InUse(%q) = %v, want %v", reply, got, want)
		}
	}
	if got := pop3APOPTimestamp.FindString("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"); got != "<1896.697170952@dbc.mtview.ca.us>" {
		t.Errorf("apopTimestamp = %q", got)
	}
	if got := pop3APOPTimestamp.FindString("Dovecot (Debian) ready."); got != "" {
		t.Errorf("apopTimestamp of a greeting without one = %q", got)
	}
	if got := pop3RetrNumber("RETR 12"); got != 12 {
		t.Errorf("retrNumber = %d", got)
	}
	if got := pop3RetrNumber("LIST 12"); got != 0 {
		t.Errorf("retrNumber(LIST) = %d", got)
	}
}

// utf8LangFake makes a POP3 server announce UTF8 and LANG (RFC 6856) and
// answers those commands itself: as RFC 6856 asks when correct, else
// wrongly (UTF8 accepted after login, a listing line without a language
// tag, a selection that does not name the tag).
func utf8LangFake(correct bool) faults.Fault {
	listing := "+OK Language listing follows:\r\nen English\r\nen-boont English Boontling dialect\r\n.\r\n"
	selected := "+OK en Responses in English\r\n"
	afterLogin := "-ERR UTF8 is valid before login only\r\n"
	if !correct {
		listing = "+OK Language listing follows:\r\nen_US English\r\n.\r\n"
		selected = "+OK English selected\r\n"
		afterLogin = "+OK\r\n"
	}
	return faults.Fault{
		Name:        "pop3-fake-utf8-lang",
		Protocol:    faults.POP3,
		Description: "RFC 6856: announces UTF8 and LANG and answers them itself",
		OnReply: func(e *faults.Exchange) {
			if e.Verb() == "CAPA" && e.POP3OK() && bytes.HasSuffix(e.Raw, []byte("\r\n.\r\n")) {
				e.Reply = append(append([]byte(nil), e.Raw[:len(e.Raw)-3]...), "UTF8\r\nLANG\r\n.\r\n"...)
			}
		},
		OnCommand: func(e *faults.Exchange) {
			answer := ""
			switch e.Verb() {
			case "UTF8":
				answer = "+OK UTF8 enabled\r\n"
				if e.State.Authenticated {
					answer = afterLogin
				}
			case "LANG":
				switch strings.TrimSpace(e.Command.Args) {
				case "":
					answer = listing
				case "en", "en_US":
					answer = selected
				default:
					answer = "-ERR no such language\r\n"
				}
			default:
				return
			}
			e.Respond = []byte(answer)
			e.Drop()
		},
	}
}

// TestUTF8LANGAgainstFake runs the RFC 6856 scenarios, which no server
// here can run (none announces UTF8 or LANG), against the embedded system
// behind a fake that announces them: each passes when the fake answers as
// RFC 6856 asks and fails when it does not.
func TestUTF8LANGAgainstFake(t *testing.T) {
	env := embeddedEnv(t)
	serverTLS, certPEM, err := faults.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"pop3/6856/2/utf8-not-in-transaction", "pop3/6856/3/lang-listing", "pop3/6856/3/lang-selects-tag"}
	run := func(t *testing.T, e *transcripts.Env, id string) transcripts.Outcome {
		t.Helper()
		res, err := Run(context.Background(), e, Options{FS: features.FS, IDs: []string{id}, Tags: "@id:" + id})
		if err != nil || len(res) != 1 {
			t.Fatalf("%s: Run = %d results, %v", id, len(res), err)
		}
		return res[0].Outcome
	}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			if o := run(t, env, id); o.Verdict != transcripts.NotApplicable {
				t.Errorf("against the embedded system: %s (%s), want not applicable", o.Verdict, o.Reason)
			}
			if o := run(t, faultyEnv(t, env, utf8LangFake(true), serverTLS, certPEM), id); o.Verdict != transcripts.Pass {
				t.Errorf("against the correct fake: %s (%s), want pass", o.Verdict, o.Reason)
			}
			o := run(t, faultyEnv(t, env, utf8LangFake(false), serverTLS, certPEM), id)
			if o.Verdict != transcripts.Fail || o.Reason == "" {
				t.Errorf("against the broken fake: %s (%s), want a failure with its reason", o.Verdict, o.Reason)
			}
		})
	}
}
