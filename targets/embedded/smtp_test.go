package embedded

import (
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

func TestSMTPDeliverWithoutAuth(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := account(t, sys, "bob")

	c := smtpDial(t, sys, SchemeSMTP, false)
	msg := "From: sender@remote.test\r\nTo: bob@example.test\r\nSubject: hello\r\n\r\nHello Bob.\r\n.hidden line\r\n"
	if err := sendMessage(c, "sender@remote.test", []string{"BOB@Example.Test"}, msg); err != nil {
		t.Fatalf("delivery to a local address without AUTH: %v", err)
	}
	c.Quit()

	got := imapMessages(t, imapLogin(t, sys, bob))
	if len(got) != 1 {
		t.Fatalf("bob's INBOX has %d messages, want 1", len(got))
	}
	// Final delivery puts Return-Path and a Received trace on top (RFC
	// 5321 section 4.4), then the message as sent.
	lines := strings.SplitAfter(got[0], "\r\n")
	if lines[0] != "Return-Path: <sender@remote.test>\r\n" {
		t.Errorf("first line = %q, want the Return-Path", lines[0])
	}
	if !strings.HasPrefix(lines[1], "Received: from client.test ([127.0.0.1])") {
		t.Errorf("second line = %q, want a Received trace from client.test", lines[1])
	}
	if !strings.Contains(got[0], "\r\n\tfor <bob@example.test>;") || !strings.Contains(got[0], "with ESMTP id ") {
		t.Errorf("trace header lacks the recipient or protocol:\n%s", got[0])
	}
	if !strings.HasSuffix(got[0], "\r\n"+msg) {
		t.Errorf("stored message does not end with the message sent:\n%q", got[0])
	}
}

func TestSMTPRecipients(t *testing.T) {
	sys := startSystem(t, Options{})
	for _, tc := range []struct {
		scheme   string
		rcpt     string
		wantCode int
		wantEnh  smtp.EnhancedCode
	}{
		{SchemeSMTP, "alice@example.test", 0, smtp.EnhancedCode{}},
		{SchemeSMTP, "Postmaster@example.test", 0, smtp.EnhancedCode{}},
		{SchemeSMTP, "nobody@example.test", 550, smtp.EnhancedCode{5, 1, 1}},
		{SchemeSMTP, "someone@elsewhere.test", 550, smtp.EnhancedCode{5, 7, 1}},
	} {
		c := smtpDial(t, sys, tc.scheme, false)
		if err := c.Mail("sender@remote.test", nil); err != nil {
			t.Fatalf("MAIL: %v", err)
		}
		code, enh := smtpCode(c.Rcpt(tc.rcpt, nil))
		if code != tc.wantCode || enh != tc.wantEnh {
			t.Errorf("%s: RCPT TO:<%s> = %d %v, want %d %v", tc.scheme, tc.rcpt, code, enh, tc.wantCode, tc.wantEnh)
		}
		c.Quit()
	}
}

func TestSMTPExtensions(t *testing.T) {
	sys := startSystem(t, Options{})
	c := smtpDial(t, sys, SchemeSMTP, false)
	for _, ext := range []string{"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES", "CHUNKING", "SMTPUTF8", "DSN", "STARTTLS"} {
		if ok, _ := c.Extension(ext); !ok {
			t.Errorf("EHLO lacks %s", ext)
		}
	}
	if _, size := c.Extension("SIZE"); size != "10485760" {
		t.Errorf("SIZE = %q, want 10485760 (10 MiB)", size)
	}
	// No AUTH before TLS: InsecureAuth is off.
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered before STARTTLS")
	}
	tlsC := smtpDial(t, sys, SchemeSMTP, true)
	if _, mechs := tlsC.Extension("AUTH"); mechs != "PLAIN LOGIN" {
		t.Errorf("AUTH after STARTTLS = %q, want PLAIN LOGIN", mechs)
	}
	if ok, _ := tlsC.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered again after STARTTLS")
	}
}

func TestSMTPInsecureAuthOption(t *testing.T) {
	sys := startSystem(t, Options{InsecureAuth: true})
	c := smtpDial(t, sys, SchemeSubmission, false)
	if ok, _ := c.Extension("AUTH"); !ok {
		t.Fatal("AUTH not offered before TLS with InsecureAuth")
	}
	if err := c.Auth(plainAuth(account(t, sys, "alice"))); err != nil {
		t.Errorf("AUTH PLAIN without TLS and InsecureAuth: %v", err)
	}
}

func TestSubmissionRequiresAuth(t *testing.T) {
	sys := startSystem(t, Options{})
	for _, startTLS := range []bool{false, true} {
		c := smtpDial(t, sys, SchemeSubmission, startTLS)
		code, enh := smtpCode(c.Mail("alice@example.test", nil))
		if code != 530 || enh != (smtp.EnhancedCode{5, 7, 0}) {
			t.Errorf("MAIL before AUTH (STARTTLS %v) = %d %v, want 530 5.7.0", startTLS, code, enh)
		}
	}
}

func TestSubmissionAuth(t *testing.T) {
	sys := startSystem(t, Options{})
	alice, bob := account(t, sys, "alice"), account(t, sys, "bob")

	for _, tc := range []struct {
		name   string
		scheme string
		auth   sasl.Client
	}{
		{"submission PLAIN", SchemeSubmission, plainAuth(alice)},
		{"submission LOGIN", SchemeSubmission, sasl.NewLoginClient(alice.User, alice.Password)},
		{"smtps PLAIN", SchemeSMTPS, plainAuth(alice)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := smtpDial(t, sys, tc.scheme, true)
			if err := c.Auth(tc.auth); err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			// Local delivery and a remote recipient, accepted and dropped.
			msg := "Subject: " + tc.name + "\r\n\r\nbody\r\n"
			if err := sendMessage(c, alice.Address, []string{bob.Address, "friend@elsewhere.test"}, msg); err != nil {
				t.Fatalf("send: %v", err)
			}
			c.Quit()
		})
	}
	got := imapMessages(t, imapLogin(t, sys, bob))
	if len(got) != 3 {
		t.Fatalf("bob has %d messages, want 3", len(got))
	}
	if !strings.Contains(got[0], " with ESMTPSA id ") {
		t.Errorf("trace of an authenticated TLS submission lacks ESMTPSA (RFC 3848):\n%s", got[0])
	}
}

func TestSMTPAuthFailure(t *testing.T) {
	sys := startSystem(t, Options{})
	alice := account(t, sys, "alice")
	for _, auth := range []sasl.Client{
		sasl.NewPlainClient("", alice.User, alice.Password+"x"),
		sasl.NewPlainClient("", "mallory", alice.Password),
		sasl.NewPlainClient("bob", alice.User, alice.Password),
		sasl.NewLoginClient(alice.User, "wrong"),
	} {
		c := smtpDial(t, sys, SchemeSubmission, true)
		code, enh := smtpCode(c.Auth(auth))
		if code != 535 || enh != (smtp.EnhancedCode{5, 7, 8}) {
			t.Errorf("AUTH with bad credentials = %d %v, want 535 5.7.8", code, enh)
		}
		// The session goes on, unauthenticated.
		if code, _ := smtpCode(c.Mail(alice.Address, nil)); code != 530 {
			t.Errorf("MAIL after failed AUTH = %d, want 530", code)
		}
	}
}

func TestSMTPMessageTooLarge(t *testing.T) {
	sys := startSystem(t, Options{MaxMessageBytes: 1000})
	c := smtpDial(t, sys, SchemeSMTP, false)
	if _, size := c.Extension("SIZE"); size != "1000" {
		t.Errorf("SIZE = %q, want 1000", size)
	}
	msg := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 100)
	code, enh := smtpCode(sendMessage(c, "sender@remote.test", []string{"bob@example.test"}, msg))
	if code != 552 || enh != (smtp.EnhancedCode{5, 3, 4}) {
		t.Errorf("oversized DATA = %d %v, want 552 5.3.4", code, enh)
	}
	if got := imapMessages(t, imapLogin(t, sys, account(t, sys, "bob"))); len(got) != 0 {
		t.Errorf("bob has %d messages after a refused delivery, want 0", len(got))
	}
}

// TestSMTPChunking sends a message with BDAT (RFC 3030), which go-smtp's
// client does not use, over a raw connection.
func TestSMTPChunking(t *testing.T) {
	sys := startSystem(t, Options{})
	conn, err := net.Dial("tcp", sys.Endpoints[SchemeSMTP])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(hangGuard))
	tp := textproto.NewConn(conn)
	expect := func(code int) {
		t.Helper()
		if _, msg, err := tp.ReadResponse(code); err != nil {
			t.Fatalf("want %d, got %v %q", code, err, msg)
		}
	}
	expect(220)
	body := "Subject: chunks\r\n\r\nfirst chunk, "
	tail := "second chunk\r\n"
	for _, step := range []struct {
		cmd  string
		data string
		code int
	}{
		{"EHLO client.test", "", 250},
		{"MAIL FROM:<sender@remote.test>", "", 250},
		{"RCPT TO:<carol@example.test>", "", 250},
		{fmt.Sprintf("BDAT %d", len(body)), body, 250},
		{fmt.Sprintf("BDAT %d LAST", len(tail)), tail, 250},
		{"QUIT", "", 221},
	} {
		if err := tp.PrintfLine("%s", step.cmd); err != nil {
			t.Fatal(err)
		}
		if step.data != "" {
			if _, err := io.WriteString(conn, step.data); err != nil {
				t.Fatal(err)
			}
		}
		expect(step.code)
	}
	got := imapMessages(t, imapLogin(t, sys, account(t, sys, "carol")))
	if len(got) != 1 || !strings.HasSuffix(got[0], "\r\n"+body+tail) {
		t.Errorf("carol's INBOX = %q, want the chunked message", got)
	}
}

func TestReceivedHeader(t *testing.T) {
	date := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, tc := range []struct {
		tr   trace
		want string
	}{
		{
			trace{helo: "client.test", remoteIP: "127.0.0.1", by: "example.test", id: "ABC", forAddr: "bob@example.test", date: date},
			"Received: from client.test ([127.0.0.1])\r\n\tby example.test with ESMTP id ABC\r\n\tfor <bob@example.test>;\r\n\tMon, 06 May 2024 07:08:09 +0000\r\n",
		},
		{
			trace{helo: "[::1]", remoteIP: "::1", by: "example.test", tls: true, auth: true, date: date},
			"Received: from [::1] ([IPv6:::1])\r\n\tby example.test with ESMTPSA;\r\n\tMon, 06 May 2024 07:08:09 +0000\r\n",
		},
		{
			// A hostile HELO cannot break the header.
			trace{helo: "evil\r\nX-Injected: yes (", by: "example.test", tls: true, date: date},
			"Received: from evil??X-Injected:?yes??\r\n\tby example.test with ESMTPS;\r\n\tMon, 06 May 2024 07:08:09 +0000\r\n",
		},
		{
			trace{by: "example.test", forAddr: "a>b\r\n@x", date: date},
			"Received: from unknown\r\n\tby example.test with ESMTP\r\n\tfor <a?b??@x>;\r\n\tMon, 06 May 2024 07:08:09 +0000\r\n",
		},
	} {
		if diff := cmp.Diff(tc.want, receivedHeader(tc.tr)); diff != "" {
			t.Errorf("receivedHeader(%+v) (-want +got):\n%s", tc.tr, diff)
		}
	}
}

func TestReturnPath(t *testing.T) {
	for from, want := range map[string]string{
		"":                  "Return-Path: <>\r\n",
		"a@b.test":          "Return-Path: <a@b.test>\r\n",
		"ü@b.test":          "Return-Path: <ü@b.test>\r\n",
		"x>\r\nBcc: y@z":    "Return-Path: <x???Bcc:?y@z>\r\n",
		"\"quoted\"@b.test": "Return-Path: <\"quoted\"@b.test>\r\n",
	} {
		if got := returnPath(from); got != want {
			t.Errorf("returnPath(%q) = %q, want %q", from, got, want)
		}
	}
}

func TestLoginServer(t *testing.T) {
	type step struct {
		response      []byte
		wantChallenge string
		wantDone      bool
		wantErr       bool
	}
	check := func(u, p string) error {
		if u == "user" && p == "pass" {
			return nil
		}
		return smtp.ErrAuthFailed
	}
	for name, steps := range map[string][]step{
		"no initial response": {
			{nil, "Username:", false, false},
			{[]byte("user"), "Password:", false, false},
			{[]byte("pass"), "", true, false},
		},
		"initial response": {
			{[]byte("user"), "Password:", false, false},
			{[]byte("pass"), "", true, false},
		},
		"wrong password": {
			{[]byte("user"), "Password:", false, false},
			{[]byte("nope"), "", true, true},
		},
		"extra response": {
			{[]byte("user"), "Password:", false, false},
			{[]byte("pass"), "", true, false},
			{[]byte("more"), "", false, true},
		},
	} {
		l := &loginServer{authenticate: check}
		for i, s := range steps {
			challenge, done, err := l.Next(s.response)
			if string(challenge) != s.wantChallenge || done != s.wantDone || (err != nil) != s.wantErr {
				t.Errorf("%s: step %d: Next(%q) = %q, %v, %v; want %q, %v, error %v",
					name, i, s.response, challenge, done, err, s.wantChallenge, s.wantDone, s.wantErr)
			}
		}
	}
}
