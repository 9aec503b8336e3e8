package faults

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailspec/mailspec/targets/embedded"
)

// compareDirect runs s directly against the endpoint and through a
// transparent proxy, and fails unless the client sees the same bytes.
// direct and proxied pick the account of each run when they differ.
func compareDirect(t *testing.T, sys *embedded.System, scheme string, direct, proxied script) (viaDirect, viaProxy []obs) {
	t.Helper()
	p := startProxy(t, sys, scheme, Fault{})
	implicit := strings.HasSuffix(scheme, "s")
	viaDirect = session(t, sys.Endpoints[scheme], trust(t, sys.CertPEM), implicit, direct)
	viaProxy = session(t, p.Addr(), trust(t, p.CertPEM()), implicit, proxied)
	if diff := cmp.Diff(viaDirect, viaProxy); diff != "" {
		t.Errorf("%s: through the transparent proxy (+) vs direct (-):\n%s", scheme, diff)
	}
	return viaDirect, viaProxy
}

// assertNoFailure fails if a run saw a timeout, an error or a skipped read.
func assertNoFailure(t *testing.T, name string, seen []obs) {
	t.Helper()
	for _, o := range seen {
		if strings.HasPrefix(o.Data, "<error") || o.Data == "<timeout>" || o.Data == "<skipped>" || strings.HasPrefix(o.Data, "<data") {
			t.Errorf("%s: after %q: %s", name, o.Label, o.Data)
		}
	}
}

// TestTransparentSMTPSubmission: a whole submission session (EHLO,
// STARTTLS, EHLO, AUTH PLAIN, a mail transaction whose content has a
// dot-stuffed line, QUIT) reads the same through the proxy as directly,
// and the server stores the same message.
func TestTransparentSMTPSubmission(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	alice := account(t, sys, "alice")
	bob := account(t, sys, "bob")
	s := func(c *client) {
		c.smtp()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("STARTTLS")
		c.smtp()
		c.starttls()
		c.cmd("EHLO client.test")
		c.smtp()
		c.send("AUTH PLAIN", "AUTH PLAIN "+plain(alice)+"\r\n")
		c.smtp()
		c.cmd("MAIL FROM:<" + alice.Address + ">")
		c.smtp()
		c.cmd("RCPT TO:<" + bob.Address + ">")
		c.smtp()
		c.cmd("DATA")
		c.smtp()
		c.send("content", "Subject: through the proxy\r\n\r\nfirst line\r\n..a dot-stuffed line\r\n.\r\n")
		c.smtp()
		c.cmd("QUIT")
		c.smtp()
		c.closed()
	}
	direct, _ := compareDirect(t, sys, embedded.SchemeSubmission, s, s)
	assertNoFailure(t, "direct", direct)
	if len(direct) < 3 || !strings.HasPrefix(direct[len(direct)-3].Data, "250 ") {
		t.Errorf("the message was not accepted: %q", direct)
	}

	// Both messages reached bob's maildrop, content unchanged (POP3
	// byte-stuffs the dot line again).
	bodies := session(t, sys.Endpoints[embedded.SchemePOP3], trust(t, sys.CertPEM), false, func(c *client) {
		c.pop3()
		c.cmd("STLS")
		c.pop3()
		c.starttls()
		c.cmd("USER " + bob.User)
		c.pop3()
		c.cmd("PASS " + bob.Password)
		c.pop3()
		c.cmd("RETR 1")
		c.pop3Multi()
		c.cmd("RETR 2")
		c.pop3Multi()
		c.cmd("QUIT")
		c.pop3()
	})
	assertNoFailure(t, "pop3", bodies)
	for _, o := range bodies {
		if strings.HasPrefix(o.Label, "RETR") && !strings.Contains(o.Data, "\r\n\r\nfirst line\r\n..a dot-stuffed line\r\n.\r\n") {
			t.Errorf("%s = %q, want the content as sent", o.Label, o.Data)
		}
	}
}

// TestTransparentIMAPLiterals: STARTTLS, a synchronising APPEND literal
// (sent after the "+"), a non-synchronising one, and FETCH BODY[] whose
// literals hold CRLF, parentheses and a line that looks like a literal
// announcement, read the same through the proxy as directly.
func TestTransparentIMAPLiterals(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	const msg1 = "Subject: literal (one)\r\n\r\nA line with ) and (\r\n)\r\nthis line ends like a literal {3}\r\n"
	const msg2 = "Subject: literal (two)\r\n\r\n* 1 FETCH (BODY[] {2}\r\n)\r\n"
	run := func(user embedded.Account) script {
		return func(c *client) {
			c.imap()
			c.cmd("a0 STARTTLS")
			c.imapTagged()
			c.starttls()
			c.send("a1 LOGIN", "a1 LOGIN "+user.User+" "+user.Password+"\r\n")
			c.imapTagged()
			c.cmd(fmt.Sprintf("a2 APPEND INBOX {%d}", len(msg1)))
			c.imap() // the continuation request
			c.send("a2 literal", msg1+"\r\n")
			c.imapTagged()
			c.send("a3 APPEND", fmt.Sprintf("a3 APPEND INBOX {%d+}\r\n%s\r\n", len(msg2), msg2))
			c.imapTagged()
			c.cmd("a4 SELECT INBOX")
			c.imapTagged()
			c.cmd("a5 FETCH 1:2 BODY[]")
			c.imapTagged()
			c.cmd("a6 LOGOUT")
			c.imapTagged()
			c.closed()
		}
	}
	// Each run appends to its own account's INBOX, so that both see the
	// same mailbox.
	direct, _ := compareDirect(t, sys, embedded.SchemeIMAP, run(account(t, sys, "alice")), run(account(t, sys, "bob")))
	assertNoFailure(t, "direct", direct)
	var fetched string
	for _, o := range direct {
		if o.Label == "a5 FETCH 1:2 BODY[]" {
			fetched += o.Data
		}
	}
	for _, msg := range []string{msg1, msg2} {
		if !strings.Contains(fetched, fmt.Sprintf("{%d}\r\n%s)", len(msg), msg)) {
			t.Errorf("FETCH = %q, want the literal %q", fetched, msg)
		}
	}
}

// TestTransparentPOP3: STLS, CAPA, USER/PASS, STAT, LIST, UIDL, RETR and
// TOP (multi-line, byte-stuffed) read the same through the proxy as
// directly.
func TestTransparentPOP3(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	carol := account(t, sys, "carol")
	deliver(t, sys, carol, "Subject: pop3\r\n\r\nbody\r\n..stuffed\r\n...\r\nlast\r\n")
	deliver(t, sys, carol, "Subject: second\r\n\r\nsecond body\r\n")
	s := func(c *client) {
		c.pop3()
		c.cmd("CAPA")
		c.pop3Multi()
		c.cmd("STLS")
		c.pop3()
		c.starttls()
		c.cmd("CAPA")
		c.pop3Multi()
		c.cmd("USER " + carol.User)
		c.pop3()
		c.cmd("PASS " + carol.Password)
		c.pop3()
		c.cmd("STAT")
		c.pop3()
		c.cmd("LIST")
		c.pop3Multi()
		c.cmd("LIST 2")
		c.pop3()
		c.cmd("UIDL")
		c.pop3Multi()
		c.cmd("RETR 1")
		c.pop3Multi()
		c.cmd("TOP 1 2")
		c.pop3Multi()
		c.cmd("RETR 2")
		c.pop3Multi()
		c.cmd("QUIT")
		c.pop3()
		c.closed()
	}
	direct, _ := compareDirect(t, sys, embedded.SchemePOP3, s, s)
	assertNoFailure(t, "direct", direct)
	for _, o := range direct {
		if o.Label == "RETR 1" && !strings.Contains(o.Data, "\r\nbody\r\n...stuffed\r\n....\r\nlast\r\n.\r\n") {
			t.Errorf("RETR 1 = %q, want the stuffed body", o.Data)
		}
	}
}

// TestTransparentImplicitTLS: smtps, imaps and pop3s sessions read the
// same through the proxy (TLS on both sides) as directly.
func TestTransparentImplicitTLS(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	alice := account(t, sys, "alice")
	scripts := map[string]script{
		embedded.SchemeSMTPS: func(c *client) {
			c.smtp()
			c.cmd("EHLO client.test")
			c.smtp()
			c.send("AUTH PLAIN", "AUTH PLAIN\r\n")
			c.smtp() // 334: the SASL exchange
			c.send("PLAIN response", plain(alice)+"\r\n")
			c.smtp()
			c.cmd("NOOP")
			c.smtp()
			c.cmd("QUIT")
			c.smtp()
			c.closed()
		},
		embedded.SchemeIMAPS: func(c *client) {
			c.imap()
			c.cmd("a1 LOGIN " + alice.User + " " + alice.Password)
			c.imapTagged()
			c.cmd("a2 SELECT INBOX")
			c.imapTagged()
			c.cmd("a3 LOGOUT")
			c.imapTagged()
			c.closed()
		},
		embedded.SchemePOP3S: func(c *client) {
			c.pop3()
			c.send("AUTH PLAIN", "AUTH PLAIN\r\n")
			c.pop3() // "+ ": the SASL exchange
			c.send("PLAIN response", plain(alice)+"\r\n")
			c.pop3()
			c.cmd("STAT")
			c.pop3()
			c.cmd("QUIT")
			c.pop3()
			c.closed()
		},
	}
	for _, scheme := range []string{embedded.SchemeSMTPS, embedded.SchemeIMAPS, embedded.SchemePOP3S} {
		t.Run(scheme, func(t *testing.T) {
			direct, _ := compareDirect(t, sys, scheme, scripts[scheme], scripts[scheme])
			assertNoFailure(t, "direct", direct)
		})
	}
}

// TestTransparentRefusedSTARTTLS: a refused STARTTLS (already on TLS)
// leaves the session in step.
func TestTransparentRefusedSTARTTLS(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	s := func(c *client) {
		c.smtp()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("STARTTLS")
		c.smtp() // refused: TLS is already on
		c.cmd("NOOP")
		c.smtp()
		c.cmd("QUIT")
		c.smtp()
		c.closed()
	}
	direct, _ := compareDirect(t, sys, embedded.SchemeSMTPS, s, s)
	assertNoFailure(t, "direct", direct)
	if got := direct[2].Data; !strings.HasPrefix(got, "502 ") {
		t.Errorf("STARTTLS on TLS = %q, want a refusal", got)
	}
}

// deliver sends msg to a over the MX endpoint, directly.
func deliver(t *testing.T, sys *embedded.System, a embedded.Account, msg string) {
	t.Helper()
	seen := session(t, sys.Endpoints[embedded.SchemeSMTP], nil, false, func(c *client) {
		c.smtp()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("MAIL FROM:<sender@remote.test>")
		c.smtp()
		c.cmd("RCPT TO:<" + a.Address + ">")
		c.smtp()
		c.cmd("DATA")
		c.smtp()
		c.send("content", dotStuff(msg)+".\r\n")
		c.smtp()
		c.cmd("QUIT")
		c.smtp()
	})
	if last := seen[len(seen)-2]; !strings.HasPrefix(last.Data, "250 ") {
		t.Fatalf("deliver: %q", seen)
	}
}

// dotStuff byte-stuffs SMTP content (RFC 5321 section 4.5.2).
func dotStuff(msg string) string {
	lines := strings.SplitAfter(msg, "\r\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") {
			lines[i] = "." + l
		}
	}
	return strings.Join(lines, "")
}
