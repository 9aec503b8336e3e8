package serverfuzz

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds each answer when a target sets no Timeout.
const DefaultTimeout = 10 * time.Second

// Target is a server the fuzzer talks to over connections it dials: a
// live server over TCP, or anything else that gives a net.Conn.
type Target struct {
	Protocol Protocol
	// Name names the target in findings (a profile name, a URL).
	Name string
	// Endpoint is the endpoint kind reproducer transcripts name with
	// @endpoint ("imap", "smtps", "submission", ...); default the
	// protocol's plain one.
	Endpoint string
	// Dial opens a new connection, with the TLS handshake done when the
	// endpoint is implicit TLS (and Implicit set).
	Dial func(ctx context.Context) (net.Conn, error)
	// Implicit says Dial's connections are TLS from the start.
	Implicit bool
	// TLS is the client configuration for STARTTLS (SMTP, IMAP) and STLS
	// (POP3); nil ends a session at the server's TLS go-ahead.
	TLS *tls.Config
	// User and Password log in; Address is the account's mail address
	// for MAIL FROM and RCPT TO (default User when it holds an "@",
	// else User@example.test).
	User, Password, Address string
	// Accounts are more disposable accounts of the same server: a
	// campaign's workers spread over them, so that their sessions do
	// not all contend for one INBOX. Confirming, minimising and
	// recording a finding use User.
	Accounts []Account
	// ClientName is the EHLO domain; default "mailspec.test".
	ClientName string
	// Timeout bounds each answer; default DefaultTimeout.
	Timeout time.Duration
	// Strict makes SHOULD-level violations findings too.
	Strict bool
	// Known, when set, names the findings already known of the server:
	// it returns why, or "" for a new finding. A campaign counts known
	// findings (Result.Known) without minimising or recording them;
	// Check marks them (Finding.Known), and they never fail a native fuzz
	// target.
	Known func(*Finding) string
}

// Account is an account of a target.
type Account struct {
	User, Password, Address string
}

// target is a Target ready to use, in-process or not.
type target struct {
	Target
	timeout time.Duration
	accts   []renderCtx // User first, then Accounts
	// dial returns a connection and, in-process, a function that waits
	// for the server to let go of it.
	dial func(ctx context.Context) (net.Conn, func(time.Duration) *Finding, error)
	// panicked asks an in-process server whether it recovered a panic.
	panicked  func() string
	avoid     func([]byte) bool
	inProcess bool
	reaches   atomic.Int64 // reaches of a live IMAP server's selected state
}

// cleanEvery is how often (in selected-state reaches) the fuzzer clears
// a live IMAP account of what it piled up, whatever INBOX holds.
const cleanEvery = 300

// cleanDue counts a reach and says whether it is time to clean up.
func (t *target) cleanDue() bool { return t.reaches.Add(1)%cleanEvery == 0 }

func (t *Target) prepare() (*target, error) {
	switch t.Protocol {
	case SMTP, POP3, IMAP:
	default:
		return nil, fmt.Errorf("serverfuzz: unknown protocol %q", t.Protocol)
	}
	if t.User == "" || t.Password == "" {
		return nil, errors.New("serverfuzz: a target needs a user and a password")
	}
	tg := &target{Target: *t, timeout: t.Timeout}
	if tg.timeout <= 0 {
		tg.timeout = DefaultTimeout
	}
	if tg.Name == "" {
		tg.Name = string(t.Protocol)
	}
	if tg.Endpoint == "" {
		tg.Endpoint = string(t.Protocol)
	}
	for _, a := range append([]Account{{t.User, t.Password, t.Address}}, t.Accounts...) {
		if a.User == "" || a.Password == "" {
			return nil, errors.New("serverfuzz: an account needs a user and a password")
		}
		rc := renderCtx{user: a.User, password: a.Password, address: accountAddress(a)}
		_, rc.domain, _ = strings.Cut(rc.address, "@")
		tg.accts = append(tg.accts, rc)
	}
	if t.Dial != nil {
		d := t.Dial
		tg.dial = func(ctx context.Context) (net.Conn, func(time.Duration) *Finding, error) {
			c, err := d(ctx)
			return c, nil, err
		}
	}
	return tg, nil
}

func accountAddress(a Account) string {
	switch {
	case a.Address != "":
		return a.Address
	case strings.Contains(a.User, "@"):
		return a.User
	}
	return a.User + "@example.test"
}

func (t *target) clientName() string {
	if t.ClientName != "" {
		return t.ClientName
	}
	return "mailspec.test"
}

// Server is a Go server under test, fuzzed in-process: every execution
// runs on a new net.Pipe, whose server end Serve gets in a goroutine of
// its own, so that Go's coverage instrumentation sees the server's code.
//
//	srv := serverfuzz.Server{Protocol: serverfuzz.IMAP, Serve: myServer.ServeConn, User: "u", Password: "p"}
//	serverfuzz.Fuzz(f, srv)
type Server struct {
	Protocol Protocol
	// Serve serves one connection and returns when the server is done
	// with it, at the latest soon after the client closed its end. A
	// panic in it is a finding, and so is a Serve that does not return.
	Serve func(net.Conn)
	// User and Password are an account of the server; Address its mail
	// address (see Target).
	User, Password, Address string
	// Endpoint is the endpoint kind reproducer transcripts name (see
	// Target.Endpoint): where a reproducer replays against the same
	// server listening on TCP.
	Endpoint string
	// Timeout bounds each answer; default DefaultTimeout.
	Timeout time.Duration
	// Panicked, if set, is asked after every execution whether the
	// server recovered from a panic since the last call (servers that
	// log panics instead of crashing); a non-empty answer describes it.
	Panicked func() string
	// Strict makes SHOULD-level violations findings too.
	Strict bool
	// Known names known findings (see Target.Known).
	Known func(*Finding) string
	// Avoid, when set, keeps the fuzzer from sending commands the server
	// is known to choke on (a known hang costs the answer deadline each
	// time the fuzzer meets it): it gets what a program's command would
	// send (Finding.Line's form) and says whether to leave the command
	// out.
	Avoid func(cmd []byte) bool
}

// target turns a Server into a target whose connections are pipes.
func (s *Server) target() (*target, error) {
	if s.Serve == nil {
		return nil, errors.New("serverfuzz: Server.Serve is nil")
	}
	t := Target{
		Protocol: s.Protocol, Name: "in-process " + string(s.Protocol), Endpoint: s.Endpoint,
		TLS:  &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"}, //nolint:gosec // the in-process server's own certificate
		User: s.User, Password: s.Password, Address: s.Address, Timeout: s.Timeout, Strict: s.Strict,
		Known: s.Known,
	}
	tg, err := t.prepare()
	if err != nil {
		return nil, err
	}
	tg.inProcess = true
	tg.panicked = s.Panicked
	tg.avoid = s.Avoid
	serve := s.Serve
	tg.dial = func(ctx context.Context) (net.Conn, func(time.Duration) *Finding, error) {
		client, server := net.Pipe()
		done := make(chan string, 1)
		go func() {
			defer server.Close()
			defer func() {
				if v := recover(); v != nil {
					done <- fmt.Sprintf("%v\n%s", v, debug.Stack())
					return
				}
				done <- ""
			}()
			serve(server)
		}()
		wait := func(timeout time.Duration) *Finding {
			t := time.NewTimer(timeout)
			defer t.Stop()
			select {
			case msg := <-done:
				if msg != "" {
					f := newFinding(tg.Protocol, Panic, "", StateSig{}, -1, "the server panicked: "+firstLine(msg))
					f.Detail = msg
					return f
				}
				return nil
			case <-t.C:
				return newFinding(tg.Protocol, Hang, "", StateSig{}, -1,
					fmt.Sprintf("Serve did not return within %v after the client closed the connection (a goroutine leak)", timeout))
			}
		}
		return newAsyncConn(client), wait, nil
	}
	return tg, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// asyncConn queues writes for a goroutine of its own, as a socket's send
// buffer would: on an unbuffered pipe, a server that answers before it
// has read a whole command would otherwise block the client's write
// while the client waits to read the answer.
type asyncConn struct {
	net.Conn
	mu     sync.Mutex
	cond   *sync.Cond
	queue  [][]byte
	err    error
	closed bool
	done   chan struct{}
}

func newAsyncConn(c net.Conn) *asyncConn {
	a := &asyncConn{Conn: c, done: make(chan struct{})}
	a.cond = sync.NewCond(&a.mu)
	go a.loop()
	return a
}

func (a *asyncConn) loop() {
	defer close(a.done)
	for {
		a.mu.Lock()
		for len(a.queue) == 0 && !a.closed {
			a.cond.Wait()
		}
		if len(a.queue) == 0 {
			a.mu.Unlock()
			return
		}
		b := a.queue[0]
		a.queue = a.queue[1:]
		a.mu.Unlock()
		if _, err := a.Conn.Write(b); err != nil {
			a.mu.Lock()
			a.err, a.queue = err, nil
			a.mu.Unlock()
		}
	}
}

// Write queues b; an error of an earlier write is returned instead.
func (a *asyncConn) Write(b []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return 0, a.err
	}
	if a.closed {
		return 0, net.ErrClosed
	}
	a.queue = append(a.queue, append([]byte(nil), b...))
	a.cond.Signal()
	return len(b), nil
}

func (a *asyncConn) Close() error {
	a.mu.Lock()
	a.closed = true
	a.queue = nil
	a.cond.Signal()
	a.mu.Unlock()
	err := a.Conn.Close()
	<-a.done
	return err
}

// SetWriteDeadline is a no-op: writes never block.
func (a *asyncConn) SetWriteDeadline(time.Time) error { return nil }

// SetDeadline sets only the read deadline.
func (a *asyncConn) SetDeadline(t time.Time) error { return a.Conn.SetReadDeadline(t) }
