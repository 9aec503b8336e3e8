package faults

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailspec/mailspec/targets/embedded"
)

// closeGuard bounds Proxy.Close in the tests: far more than it needs,
// less than the 30 s a held-open connection would keep it waiting if
// Close forgot it.
const closeGuard = 20 * time.Second

// rawDial connects a plain client, reads the one-line greeting and runs
// steps, pairs of a command line and the prefix each line of its reply
// must have.
func rawDial(t *testing.T, addr string, steps ...string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, hangGuard)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	br := bufio.NewReader(conn)
	conn.SetDeadline(time.Now().Add(hangGuard))
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	for i := 0; i+1 < len(steps); i += 2 {
		if _, err := conn.Write([]byte(steps[i] + "\r\n")); err != nil {
			t.Fatalf("%s: %v", steps[i], err)
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v", steps[i], err)
			}
			if !strings.HasPrefix(l, steps[i+1]) {
				t.Fatalf("%s: got %q, want %q", steps[i], l, steps[i+1])
			}
			if len(l) < 4 || l[3] != '-' {
				break
			}
		}
	}
	conn.SetDeadline(time.Time{})
	return conn, br
}

// TestCloseEndsEverything: Close breaks every connection (idle, in DATA,
// held open after QUIT by a fault) and returns with no goroutine of the
// proxy left; a connection the client closes is let go of at once.
func TestCloseEndsEverything(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	baseline := runtime.NumGoroutine()

	f, ok := Lookup("smtp-quit-no-close")
	if !ok {
		t.Fatal("smtp-quit-no-close is not registered")
	}
	p, err := Start(Options{Protocol: SMTP, Upstream: sys.Endpoints[embedded.SchemeSMTP], Fault: f})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	held, heldR := rawDial(t, p.Addr(), "EHLO client.test", "250", "QUIT", "221")
	idle, idleR := rawDial(t, p.Addr())
	inData, inDataR := rawDial(t, p.Addr(), "EHLO client.test", "250", "MAIL FROM:<a@remote.test>", "250",
		"RCPT TO:<alice@example.test>", "250", "DATA", "354")
	inData.Write([]byte("Subject: never ends\r\n"))

	// A held connection the client closes goes away without Close.
	released, _ := rawDial(t, p.Addr(), "QUIT", "221")
	released.Close()
	waitFor(t, "the released connection to end", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.conns) == 3
	})

	done := make(chan error, 1)
	go func() { done <- p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(closeGuard):
		t.Fatal("Close did not return")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, c := range map[string]struct {
		conn net.Conn
		br   *bufio.Reader
	}{"held": {held, heldR}, "idle": {idle, idleR}, "in DATA": {inData, inDataR}} {
		c.conn.SetReadDeadline(time.Now().Add(hangGuard))
		if b, err := io.ReadAll(c.br); err != nil || len(b) > 0 {
			t.Errorf("%s connection after Close: read %q, %v; want a clean close", name, b, err)
		}
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), hangGuard); err == nil {
		t.Error("the proxy still accepts connections after Close")
	}
	waitFor(t, "the goroutines to return to the baseline", func() bool {
		return runtime.NumGoroutine() <= baseline
	})
}

// waitFor polls cond until it holds; the deadline is only a hang guard.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("timed out waiting for %s; goroutines:\n%s", what, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStartErrors: bad options are refused.
func TestStartErrors(t *testing.T) {
	imapFault, _ := Lookup("imap-tag-mismatch")
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no protocol", Options{Upstream: "127.0.0.1:1"}, "unknown protocol"},
		{"bad protocol", Options{Protocol: "nntp", Upstream: "127.0.0.1:1"}, "unknown protocol"},
		{"fault of another protocol", Options{Protocol: SMTP, Upstream: "127.0.0.1:1", Fault: imapFault}, "is for imap"},
		{"bad upstream", Options{Protocol: SMTP, Upstream: "localhost"}, "upstream"},
	} {
		p, err := Start(tc.opts)
		if err == nil {
			p.Close()
			t.Errorf("%s: Start succeeded", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "faults: ") {
			t.Errorf("%s: Start error %q, want \"faults: ...%s...\"", tc.name, err, tc.want)
		}
	}
}

// TestServerTLSGiven: a given certificate is presented and exposed by
// CertPEM; an upstream whose certificate the proxy cannot verify is not
// talked to.
func TestServerTLSGiven(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	serverTLS, certPEM, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Start(Options{
		Protocol:    SMTP,
		Upstream:    sys.Endpoints[embedded.SchemeSMTPS],
		Implicit:    true,
		ServerTLS:   serverTLS,
		UpstreamTLS: nil, // the system roots: the embedded certificate fails
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer p.Close()
	if !bytes.Equal(p.CertPEM(), certPEM) {
		t.Errorf("CertPEM() is not the given certificate")
	}
	// A second proxy shares the certificate: one CA for both.
	p2, err := Start(Options{Protocol: IMAP, Upstream: sys.Endpoints[embedded.SchemeIMAPS], Implicit: true,
		ServerTLS: serverTLS, UpstreamTLS: trust(t, sys.CertPEM)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	defer p2.Close()
	greeting := session(t, p2.Addr(), trust(t, certPEM), true, func(c *client) { c.imap() })
	if len(greeting) != 1 || !strings.HasPrefix(greeting[0].Data, "* OK ") {
		t.Errorf("imaps through a proxy with the shared certificate: %q", greeting)
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: hangGuard}, "tcp", p.Addr(), trust(t, certPEM))
	if err != nil {
		t.Fatalf("TLS to the proxy with its given certificate: %v", err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(hangGuard))
	b, err := io.ReadAll(conn)
	if len(b) > 0 || err != nil {
		t.Errorf("with an unverifiable upstream, read %q, %v; want a close and nothing", b, err)
	}
}

// TestRegistry: Lookup, List and the panics of Register.
func TestRegistry(t *testing.T) {
	f, ok := Lookup("smtp-quit-250")
	if !ok || f.Name != "smtp-quit-250" || f.Protocol != SMTP || f.OnReply == nil {
		t.Errorf("Lookup(smtp-quit-250) = %+v, %v", f, ok)
	}
	if _, ok := Lookup("no-such-fault"); ok {
		t.Error("Lookup(no-such-fault) found something")
	}
	names := func() []string {
		var out []string
		for _, f := range List() {
			out = append(out, f.Name)
		}
		return out
	}()
	if !sortedStrings(names) {
		t.Errorf("List() is not sorted by name: %q", names)
	}
	for _, bad := range []Fault{
		{Name: "smtp-quit-250", Protocol: SMTP},
		{Name: "", Protocol: SMTP},
		{Name: "x-no-protocol"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, %q) did not panic", bad.Name, bad.Protocol)
				}
			}()
			Register(bad)
		}()
	}
	if diff := cmp.Diff(names, func() []string {
		var out []string
		for _, f := range List() {
			out = append(out, f.Name)
		}
		return out
	}()); diff != "" {
		t.Errorf("a refused Register changed the registry:\n%s", diff)
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

// TestExchangeHelpers: the reply accessors of Exchange.
func TestExchangeHelpers(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		code   int
		ok     bool
		tag    string
		status string
	}{
		{"250-a\r\n250 b\r\n", 250, false, "250-a", ""},
		{"221 2.0.0 Bye\r\n", 221, false, "221", "2.0.0"},
		{"+OK 2 320\r\n", 0, true, "+OK", "2"},
		{"-ERR no\r\n", 0, false, "-ERR", "NO"},
		{"a1 ok done\r\n", 0, false, "a1", "OK"},
		{"* 3 EXISTS\r\n", 0, false, "*", "3"},
		{"+ idling\r\n", 0, false, "+", "IDLING"},
		{"", 0, false, "", ""},
		{"2\r\n", 0, false, "2", ""},
	} {
		e := &Exchange{Raw: []byte(tc.raw)}
		got := []any{e.SMTPCode(), e.POP3OK(), e.IMAPTag(), e.IMAPStatus()}
		want := []any{tc.code, tc.ok, tc.tag, tc.status}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("helpers(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
	if (&Exchange{}).Verb() != "" {
		t.Error("Verb() without a command is not empty")
	}
	e := &Exchange{Reply: []byte("a"), Line: []byte("b"), Data: []byte("c")}
	e.Drop()
	if e.Reply != nil || e.Line != nil || e.Data != nil {
		t.Errorf("Drop left %+v", e)
	}
}
