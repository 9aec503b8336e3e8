package faults

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailspec/mailspec/targets/embedded"
)

// hangGuard bounds every network wait of the tests. It is never a timing
// assertion: on a healthy system each wait ends in milliseconds.
const hangGuard = 30 * time.Second

// openWindow is how long a client waits to see that a connection stays
// open. Only a correct fault can make the wait time out, so a loaded
// machine cannot turn it into a failure.
const openWindow = 300 * time.Millisecond

// startSystem starts an embedded mail system for one test.
func startSystem(t *testing.T, opts embedded.Options) *embedded.System {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	sys, err := embedded.Start(ctx, opts)
	if err != nil {
		t.Fatalf("embedded.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sys.Close(); err != nil {
			t.Errorf("embedded Close: %v", err)
		}
	})
	return sys
}

// trust returns a client TLS configuration that trusts only certPEM.
func trust(t *testing.T, certPEM []byte) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("no certificate in the PEM")
	}
	return &tls.Config{RootCAs: pool, ServerName: "localhost"}
}

// startProxy starts a proxy in front of one endpoint of sys and closes it
// at the end of the test.
func startProxy(t *testing.T, sys *embedded.System, scheme string, f Fault) *Proxy {
	t.Helper()
	opts := Options{
		Protocol:    protocolOf(scheme),
		Upstream:    sys.Endpoints[scheme],
		Implicit:    strings.HasSuffix(scheme, "s"),
		UpstreamTLS: trust(t, sys.CertPEM),
		Fault:       f,
	}
	p, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("proxy Close: %v", err)
		}
	})
	return p
}

// protocolOf maps an endpoint scheme to its protocol.
func protocolOf(scheme string) string {
	switch scheme {
	case embedded.SchemeIMAP, embedded.SchemeIMAPS:
		return IMAP
	case embedded.SchemePOP3, embedded.SchemePOP3S:
		return POP3
	}
	return SMTP
}

// account returns the system's account called user.
func account(t *testing.T, sys *embedded.System, user string) embedded.Account {
	t.Helper()
	for _, a := range sys.Accounts {
		if a.User == user {
			return a
		}
	}
	t.Fatalf("no account %q", user)
	return embedded.Account{}
}

// plain is the SASL PLAIN initial response of an account (RFC 4616).
func plain(a embedded.Account) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + a.User + "\x00" + a.Password))
}

// obs is one thing a client saw: what it read after the command Label.
type obs struct {
	Label string
	Data  string
}

// client is a tiny scripted mail client with its own lenient readers (not
// the proxy's framing, not the judge's). It records what it reads; after
// a read fails it stops reading, so that a broken run ends quickly.
type client struct {
	t      *testing.T
	conn   net.Conn
	br     *bufio.Reader
	tls    *tls.Config
	label  string
	obs    []obs
	broken bool
}

// script is a client session.
type script func(c *client)

// session connects to addr (with TLS first if implicit), runs s and
// returns what the client saw.
func session(t *testing.T, addr string, tlsConfig *tls.Config, implicit bool, s script) []obs {
	t.Helper()
	var (
		conn net.Conn
		err  error
	)
	d := &net.Dialer{Timeout: hangGuard}
	if implicit {
		conn, err = tls.DialWithDialer(d, "tcp", addr, tlsConfig)
	} else {
		conn, err = d.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	defer conn.Close()
	c := &client{t: t, conn: conn, br: bufio.NewReader(conn), tls: tlsConfig, label: "greeting"}
	s(c)
	return c.obs
}

func (c *client) record(data string) { c.obs = append(c.obs, obs{c.label, data}) }

// fail records a failed read and stops the reading.
func (c *client) fail(err error, got string) {
	if got != "" {
		c.record(got)
	}
	switch {
	case errors.Is(err, io.EOF):
		c.record("<closed>")
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.record("<timeout>")
	default:
		c.record("<error: " + err.Error() + ">")
	}
	c.broken = true
}

// send writes raw bytes; what is read next is labelled label.
func (c *client) send(label, raw string) {
	c.label = label
	c.conn.SetWriteDeadline(time.Now().Add(hangGuard))
	if _, err := c.conn.Write([]byte(raw)); err != nil {
		c.t.Errorf("write %q: %v", label, err)
	}
}

// cmd sends a command line.
func (c *client) cmd(line string) { c.send(line, line+"\r\n") }

// readLine reads one line ended by LF.
func (c *client) readLine() (string, error) {
	c.conn.SetReadDeadline(time.Now().Add(hangGuard))
	return c.br.ReadString('\n')
}

// readSMTP reads one SMTP reply: lines up to one whose fourth octet is
// not "-".
func (c *client) readSMTP() (string, error) {
	var reply strings.Builder
	for {
		l, err := c.readLine()
		reply.WriteString(l)
		if err != nil || len(l) < 4 || l[3] != '-' {
			return reply.String(), err
		}
	}
}

// readPOP3 reads a status line and, if multi and positive, the lines up
// to the terminating ".".
func (c *client) readPOP3(multi bool) (string, error) {
	var resp strings.Builder
	l, err := c.readLine()
	resp.WriteString(l)
	if err != nil || !multi || !strings.HasPrefix(l, "+OK") {
		return resp.String(), err
	}
	for {
		l, err := c.readLine()
		resp.WriteString(l)
		if err != nil || l == ".\r\n" {
			return resp.String(), err
		}
	}
}

// imapLiteral matches a literal announcement at the end of an IMAP line.
var imapLiteral = regexp.MustCompile(`~?\{([0-9]+)\+?\}\r\n$`)

// readIMAP reads one IMAP response, literals included.
func (c *client) readIMAP() (string, error) {
	var resp strings.Builder
	for {
		l, err := c.readLine()
		resp.WriteString(l)
		if err != nil {
			return resp.String(), err
		}
		m := imapLiteral.FindStringSubmatch(l)
		if m == nil {
			return resp.String(), nil
		}
		n, _ := strconv.Atoi(m[1])
		buf := make([]byte, n)
		_, err = io.ReadFull(c.br, buf)
		resp.Write(buf)
		if err != nil {
			return resp.String(), err
		}
	}
}

// read reads one frame with r and records it.
func (c *client) read(r func() (string, error)) {
	if c.broken {
		c.record("<skipped>")
		return
	}
	got, err := r()
	if err != nil {
		c.fail(err, got)
		return
	}
	c.record(got)
}

func (c *client) smtp()           { c.read(c.readSMTP) }
func (c *client) pop3()           { c.read(func() (string, error) { return c.readPOP3(false) }) }
func (c *client) pop3Multi()      { c.read(func() (string, error) { return c.readPOP3(true) }) }
func (c *client) imap()           { c.read(c.readIMAP) }
func (c *client) smtpUntilClose() { c.untilClose(c.readSMTP) }
func (c *client) imapUntilClose() { c.untilClose(c.readIMAP) }

// imapTagged reads IMAP responses up to the first tagged one.
func (c *client) imapTagged() {
	for !c.broken {
		got, err := c.readIMAP()
		if err != nil {
			c.fail(err, got)
			return
		}
		c.record(got)
		if !strings.HasPrefix(got, "* ") && !strings.HasPrefix(got, "+") {
			return
		}
	}
}

// untilClose reads frames until the server closes.
func (c *client) untilClose(r func() (string, error)) {
	for !c.broken {
		got, err := r()
		if err != nil {
			c.fail(err, got)
			return
		}
		c.record(got)
	}
}

// closed records whether the server closes now: "<closed>", or what it
// sent instead.
func (c *client) closed() {
	c.label = "end"
	if c.broken {
		c.record("<skipped>")
		return
	}
	c.conn.SetReadDeadline(time.Now().Add(hangGuard))
	b, err := io.ReadAll(c.br)
	if len(b) > 0 {
		c.record(fmt.Sprintf("<data %q>", b))
	}
	if err != nil {
		c.fail(err, "")
		return
	}
	c.record("<closed>")
}

// heldOpen records "<open>" if the connection stays open for openWindow,
// else what happened.
func (c *client) heldOpen() {
	c.label = "after the reply"
	c.conn.SetReadDeadline(time.Now().Add(openWindow))
	b, err := c.br.ReadByte()
	switch {
	case err == nil:
		c.record(fmt.Sprintf("<data %q>", b))
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.record("<open>")
	case errors.Is(err, io.EOF):
		c.record("<closed>")
	default:
		c.record("<error: " + err.Error() + ">")
	}
}

// starttls runs the client's TLS handshake (after the go-ahead).
func (c *client) starttls() {
	c.label = "TLS handshake"
	if c.broken {
		c.record("<skipped>")
		return
	}
	if n := c.br.Buffered(); n > 0 {
		b, _ := c.br.Peek(n)
		c.record(fmt.Sprintf("<data before the handshake %q>", b))
	}
	tc := tls.Client(c.conn, c.tls)
	tc.SetDeadline(time.Now().Add(hangGuard))
	if err := tc.Handshake(); err != nil {
		c.fail(err, "")
		return
	}
	tc.SetDeadline(time.Time{})
	c.conn = tc
	c.br = bufio.NewReader(tc)
	c.record("<tls>")
}
