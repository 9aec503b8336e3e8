package embedded

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// hangGuard bounds every network wait in the tests. It is never a timing
// assertion: on a healthy system each wait ends in milliseconds.
const hangGuard = 30 * time.Second

// startSystem starts a system for one test and closes it at the end.
func startSystem(t *testing.T, opts Options) *System {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	sys, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sys.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sys
}

// clientTLS is the TLS configuration of a client that trusts only the
// system's certificate.
func clientTLS(t *testing.T, sys *System, serverName string) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(sys.CertPEM) {
		t.Fatal("CertPEM holds no certificate")
	}
	return &tls.Config{RootCAs: pool, ServerName: serverName}
}

// account returns the system's account for user.
func account(t *testing.T, sys *System, user string) Account {
	t.Helper()
	for _, a := range sys.Accounts {
		if a.User == user {
			return a
		}
	}
	t.Fatalf("no account %q in %v", user, sys.Accounts)
	return Account{}
}

// smtpDial connects an SMTP client to the system's endpoint scheme, with
// STARTTLS first if startTLS, and says EHLO.
func smtpDial(t *testing.T, sys *System, scheme string, startTLS bool) *smtp.Client {
	t.Helper()
	var (
		c   *smtp.Client
		err error
	)
	switch {
	case scheme == SchemeSMTPS:
		c, err = smtp.DialTLS(sys.Endpoints[scheme], clientTLS(t, sys, "localhost"))
	case startTLS:
		c, err = smtp.DialStartTLS(sys.Endpoints[scheme], clientTLS(t, sys, "localhost"))
	default:
		c, err = smtp.Dial(sys.Endpoints[scheme])
	}
	if err != nil {
		t.Fatalf("dial %s: %v", scheme, err)
	}
	c.CommandTimeout = hangGuard
	c.SubmissionTimeout = hangGuard
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("EHLO on %s: %v", scheme, err)
	}
	return c
}

// sendMessage runs one mail transaction on c.
func sendMessage(c *smtp.Client, from string, to []string, msg string) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return err
	}
	return w.Close()
}

// deliver delivers msg to the addresses over the MX endpoint, without
// authentication.
func deliver(t *testing.T, sys *System, msg string, to ...string) {
	t.Helper()
	c := smtpDial(t, sys, SchemeSMTP, false)
	if err := sendMessage(c, "sender@remote.test", to, msg); err != nil {
		t.Fatalf("deliver to %v: %v", to, err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
}

// smtpCode returns the reply code and enhanced code of an SMTP error.
func smtpCode(err error) (int, smtp.EnhancedCode) {
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) {
		return smtpErr.Code, smtpErr.EnhancedCode
	}
	return 0, smtp.EnhancedCode{}
}

// plainAuth is the SASL PLAIN client of an account.
func plainAuth(a Account) sasl.Client { return sasl.NewPlainClient("", a.User, a.Password) }

// imapLogin connects with STARTTLS and logs in as a.
func imapLogin(t *testing.T, sys *System, a Account) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialStartTLS(sys.Endpoints[SchemeIMAP], &imapclient.Options{TLSConfig: clientTLS(t, sys, "localhost")})
	if err != nil {
		t.Fatalf("IMAP STARTTLS: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(a.User, a.Password).Wait(); err != nil {
		t.Fatalf("IMAP LOGIN: %v", err)
	}
	return c
}

// imapMessages selects INBOX and returns the whole of every message in it.
func imapMessages(t *testing.T, c *imapclient.Client) []string {
	t.Helper()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("SELECT INBOX: %v", err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{}
	bufs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("FETCH BODY[]: %v", err)
	}
	var msgs []string
	for _, b := range bufs {
		msgs = append(msgs, string(b.FindBodySection(section)))
	}
	return msgs
}

func seqRange(n uint32) []uint32 {
	nums := make([]uint32, n)
	for i := range nums {
		nums[i] = uint32(i) + 1
	}
	return nums
}

// popConn is a raw POP3 client: it shows the lines exactly as sent.
type popConn struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

// dialPOP3 connects to a POP3 endpoint and reads the greeting.
func dialPOP3(t *testing.T, sys *System, scheme string) *popConn {
	t.Helper()
	var (
		conn net.Conn
		err  error
	)
	if scheme == SchemePOP3S {
		conn, err = tls.Dial("tcp", sys.Endpoints[scheme], clientTLS(t, sys, "localhost"))
	} else {
		conn, err = net.Dial("tcp", sys.Endpoints[scheme])
	}
	if err != nil {
		t.Fatalf("dial %s: %v", scheme, err)
	}
	t.Cleanup(func() { conn.Close() })
	p := &popConn{t: t, conn: conn, br: bufio.NewReader(conn)}
	if g := p.line(); !strings.HasPrefix(g, "+OK") {
		t.Fatalf("greeting = %q, want +OK", g)
	}
	return p
}

// line reads one response line, without CRLF.
func (p *popConn) line() string {
	p.t.Helper()
	p.conn.SetReadDeadline(time.Now().Add(hangGuard))
	l, err := p.br.ReadString('\n')
	if err != nil {
		p.t.Fatalf("read: %v (got %q)", err, l)
	}
	if !strings.HasSuffix(l, "\r\n") {
		p.t.Fatalf("line %q does not end in CRLF", l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// send writes raw bytes.
func (p *popConn) send(s string) {
	p.t.Helper()
	p.conn.SetWriteDeadline(time.Now().Add(hangGuard))
	if _, err := p.conn.Write([]byte(s)); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// cmd sends a command line and returns the first response line.
func (p *popConn) cmd(line string) string {
	p.t.Helper()
	p.send(line + "\r\n")
	return p.line()
}

// ok sends a command and fails unless the answer is +OK.
func (p *popConn) ok(line string) string {
	p.t.Helper()
	resp := p.cmd(line)
	if !strings.HasPrefix(resp, "+OK") {
		p.t.Fatalf("%s: got %q, want +OK", line, resp)
	}
	return resp
}

// multi reads the rest of a multi-line response: the lines as they were
// on the wire (still byte-stuffed), without the terminating ".".
func (p *popConn) multi() []string {
	p.t.Helper()
	var lines []string
	for {
		l := p.line()
		if l == "." {
			return lines
		}
		lines = append(lines, l)
	}
}

// stls upgrades the connection with STLS.
func (p *popConn) stls(sys *System) {
	p.t.Helper()
	p.ok("STLS")
	tc := tls.Client(p.conn, clientTLS(p.t, sys, "localhost"))
	tc.SetDeadline(time.Now().Add(hangGuard))
	if err := tc.Handshake(); err != nil {
		p.t.Fatalf("STLS handshake: %v", err)
	}
	p.conn = tc
	p.br = bufio.NewReader(tc)
}

// login connects to pop3 with STLS and logs in as a with USER and PASS.
func popLogin(t *testing.T, sys *System, a Account) *popConn {
	t.Helper()
	p := dialPOP3(t, sys, SchemePOP3)
	p.stls(sys)
	p.ok("USER " + a.User)
	p.ok("PASS " + a.Password)
	return p
}
