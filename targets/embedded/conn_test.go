package embedded

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// pipeClient is the client end of a pipe whose server end a handler
// serves; served is closed when the handler returns.
type pipeClient struct {
	t      *testing.T
	conn   net.Conn
	r      *bufio.Reader
	served chan struct{}
}

// dialHandler serves a new pipe with h and returns its client end, over
// TLS when tlsConf is set.
func dialHandler(t *testing.T, h func(net.Conn), tlsConf *tls.Config) *pipeClient {
	t.Helper()
	client, server := net.Pipe()
	served := make(chan struct{})
	go func() {
		defer close(served)
		h(server)
	}()
	var c net.Conn = client
	client.SetDeadline(time.Now().Add(hangGuard))
	if tlsConf != nil {
		tc := tls.Client(client, tlsConf)
		if err := tc.Handshake(); err != nil {
			t.Fatalf("TLS handshake: %v", err)
		}
		c = tc
	}
	return &pipeClient{t: t, conn: c, r: bufio.NewReader(c), served: served}
}

// line reads one line without its CRLF.
func (c *pipeClient) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// until reads lines up to and including the first that starts with prefix.
func (c *pipeClient) until(prefix string) []string {
	c.t.Helper()
	var lines []string
	for {
		l := c.line()
		lines = append(lines, l)
		if strings.HasPrefix(l, prefix) {
			return lines
		}
	}
}

func (c *pipeClient) send(line string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("write %q: %v", line, err)
	}
}

// closeAndWait closes the client end and waits for the handler to return.
func (c *pipeClient) closeAndWait() {
	c.t.Helper()
	c.conn.Close()
	select {
	case <-c.served:
	case <-time.After(hangGuard):
		c.t.Fatal("the handler did not return after the client closed the connection")
	}
}

func handler(t *testing.T, sys *System, scheme string, isolated bool) func(net.Conn) {
	t.Helper()
	h, err := sys.Handler(scheme, HandlerOptions{Isolated: isolated})
	if err != nil {
		t.Fatalf("Handler(%q): %v", scheme, err)
	}
	return h
}

// Every scheme is served over a pipe as its TCP endpoint would: the same
// greeting, TLS first on the implicit-TLS schemes, and the handler returns
// once the session ends.
func TestHandlerGreetsOnEveryScheme(t *testing.T) {
	sys := startSystem(t, Options{})
	greeting := map[string]string{
		SchemeSMTP: "220 ", SchemeSubmission: "220 ", SchemeSMTPS: "220 ",
		SchemeIMAP: "* OK ", SchemeIMAPS: "* OK ",
		SchemePOP3: "+OK ", SchemePOP3S: "+OK ",
	}
	quit := map[string]string{
		SchemeSMTP: "QUIT", SchemeSubmission: "QUIT", SchemeSMTPS: "QUIT",
		SchemeIMAP: "a1 LOGOUT", SchemeIMAPS: "a1 LOGOUT",
		SchemePOP3: "QUIT", SchemePOP3S: "QUIT",
	}
	for _, isolated := range []bool{false, true} {
		for _, scheme := range Schemes {
			var conf *tls.Config
			if scheme == SchemeSMTPS || scheme == SchemeIMAPS || scheme == SchemePOP3S {
				conf = clientTLS(t, sys, "localhost")
			}
			c := dialHandler(t, handler(t, sys, scheme, isolated), conf)
			if got := c.line(); !strings.HasPrefix(got, greeting[scheme]) {
				t.Errorf("%s (isolated %v): greeting %q, want prefix %q", scheme, isolated, got, greeting[scheme])
			}
			c.send(quit[scheme])
			// Read the answer through to the server's close: a pipe has
			// no buffer, so the server waits for its answer to be read.
			io.Copy(io.Discard, c.r)
			select {
			case <-c.served:
			case <-time.After(hangGuard):
				t.Fatalf("%s: the handler did not return after %s", scheme, quit[scheme])
			}
			c.conn.Close()
		}
	}
}

// Shared handlers see the system's store: a message submitted through the
// SMTP handler is in bob's INBOX through the TCP-independent IMAP handler.
func TestHandlerSharesTheStore(t *testing.T) {
	sys := startSystem(t, Options{InsecureAuth: true})
	alice, bob := account(t, sys, "alice"), account(t, sys, "bob")

	c := dialHandler(t, handler(t, sys, SchemeSubmission, false), nil)
	c.line()
	c.send("EHLO client.test")
	c.until("250 ")
	c.send("AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00"+alice.User+"\x00"+alice.Password)))
	if got := c.line(); !strings.HasPrefix(got, "235 ") {
		t.Fatalf("AUTH: %q", got)
	}
	for _, cmd := range []string{"MAIL FROM:<" + alice.Address + ">", "RCPT TO:<" + bob.Address + ">", "DATA"} {
		c.send(cmd)
		c.line()
	}
	c.send("Subject: shared\r\n\r\nhello\r\n.")
	if got := c.line(); !strings.HasPrefix(got, "250 ") {
		t.Fatalf("end of data: %q", got)
	}
	c.closeAndWait()

	i := dialHandler(t, handler(t, sys, SchemeIMAP, false), nil)
	i.line()
	i.send("a1 LOGIN " + bob.User + " " + bob.Password)
	i.until("a1 ")
	i.send("a2 STATUS INBOX (MESSAGES)")
	if got := i.until("a2 "); !strings.Contains(strings.Join(got, "\n"), "(MESSAGES 1)") {
		t.Errorf("STATUS after delivery: %q, want MESSAGES 1", got)
	}
	i.closeAndWait()
}

// Isolated handlers start every connection from the fixture: what one
// connection deletes, the next still has.
func TestHandlerIsolatesConnections(t *testing.T) {
	sys := startSystem(t, Options{InsecureAuth: true})
	alice := account(t, sys, "alice")
	pop := handler(t, sys, SchemePOP3, true)
	for round := range 2 {
		c := dialHandler(t, pop, nil)
		c.line()
		c.send("USER " + alice.User)
		c.line()
		c.send("PASS " + alice.Password)
		if got := c.line(); !strings.HasPrefix(got, "+OK") {
			t.Fatalf("round %d: PASS: %q", round, got)
		}
		c.send("STAT")
		if got, want := c.line(), "+OK 3 "; !strings.HasPrefix(got, want) {
			t.Errorf("round %d: STAT = %q, want prefix %q (the fixture's messages)", round, got, want)
		}
		c.send("DELE 1")
		c.line()
		c.send("QUIT")
		if got := c.line(); !strings.HasPrefix(got, "+OK") {
			t.Errorf("round %d: QUIT = %q", round, got)
		}
		c.closeAndWait()
	}

	// The shared store never saw the fixture.
	i := dialHandler(t, handler(t, sys, SchemeIMAP, false), nil)
	i.line()
	i.send("a1 LOGIN " + alice.User + " " + alice.Password)
	i.until("a1 ")
	i.send("a2 STATUS INBOX (MESSAGES)")
	if got := i.until("a2 "); !strings.Contains(strings.Join(got, "\n"), "(MESSAGES 0)") {
		t.Errorf("shared STATUS: %q, want MESSAGES 0", got)
	}
	i.closeAndWait()
}

// Serving many connections leaves no goroutine behind, in either mode
// and whether the client or the server ends the session.
func TestHandlerLeaksNoGoroutine(t *testing.T) {
	sys := startSystem(t, Options{InsecureAuth: true})
	alice := account(t, sys, "alice")
	type session struct {
		scheme string
		lines  []string
	}
	sessions := []session{
		{SchemeSMTP, []string{"EHLO x", "NOOP"}},
		{SchemeIMAP, []string{"a1 LOGIN " + alice.User + " " + alice.Password, "a2 SELECT INBOX", "a3 NOOP"}},
		{SchemePOP3, []string{"USER " + alice.User, "PASS " + alice.Password, "STAT"}},
	}
	handlers := map[string]func(net.Conn){}
	for _, isolated := range []bool{false, true} {
		for _, s := range sessions {
			handlers[s.scheme+map[bool]string{false: "", true: "/isolated"}[isolated]] = handler(t, sys, s.scheme, isolated)
		}
	}
	run := func() {
		for name, h := range handlers {
			scheme, _, _ := strings.Cut(name, "/")
			for _, s := range sessions {
				if s.scheme != scheme {
					continue
				}
				c := dialHandler(t, h, nil)
				c.line()
				for _, l := range s.lines {
					c.send(l)
					switch scheme {
					case SchemeIMAP:
						c.until(l[:3])
					case SchemeSMTP:
						c.until("250 ")
					default:
						c.line()
					}
				}
				c.closeAndWait()
			}
		}
	}
	run() // warm up lazily started goroutines
	before := runtime.NumGoroutine()
	for range 5 {
		run()
	}
	deadline := time.Now().Add(hangGuard)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Close breaks connections still being served, and Handler fails after it.
func TestHandlerAndClose(t *testing.T) {
	sys, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	shared := handler(t, sys, SchemeIMAP, false)
	isolated := handler(t, sys, SchemeSMTP, true)
	a := dialHandler(t, shared, nil)
	a.line()
	b := dialHandler(t, isolated, nil)
	b.line()
	if err := sys.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, c := range []*pipeClient{a, b} {
		select {
		case <-c.served:
		case <-time.After(hangGuard):
			t.Fatal("a handler still serves after Close")
		}
	}
	if _, err := sys.Handler(SchemeIMAP, HandlerOptions{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Handler after Close: %v, want net.ErrClosed", err)
	}
	if _, err := sys.Handler("gopher", HandlerOptions{}); err == nil {
		t.Error("Handler(gopher) succeeded")
	}
}
