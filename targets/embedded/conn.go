package embedded

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// HandlerOptions configure [System.Handler].
type HandlerOptions struct {
	// Isolated gives every connection a mail store of its own: the
	// system's accounts, each with the same few messages in INBOX
	// ([FixtureMessages]) and the usual mailboxes, dropped when the
	// connection ends. Nothing one connection does is seen by another,
	// and every connection starts from the same state, which is what a
	// fuzzer needs to reproduce what it finds. Without it, connections
	// share the system's store, as the TCP endpoints do.
	Isolated bool
}

// FixtureMessages are the messages every INBOX of an isolated store
// ([HandlerOptions.Isolated]) starts with: a short plain-text message, a
// multipart one with an attachment, and one with 8-bit (UTF-8) text.
var FixtureMessages = [][]byte{
	[]byte("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: one\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <one@example.test>\r\n\r\nFirst message.\r\n.dot line\r\n"),
	[]byte("From: bob@example.test\r\nTo: alice@example.test\r\nSubject: two\r\nDate: Tue, 2 Jan 2024 11:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSecond message.\r\n--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n\r\nAAECAwQFBgc=\r\n--b1--\r\n"),
	[]byte("From: =?UTF-8?Q?Caf=C3=A9?= <carol@example.test>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\nDate: Wed, 3 Jan 2024 12:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nCaf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9e.\r\n"),
}

// fixtureDate is the internal date of the fixture messages.
var fixtureDate = time.Date(2024, 1, 3, 12, 0, 0, 0, time.UTC)

// Handler returns a function that serves one connection with the server
// of the endpoint scheme (one of [Schemes]), as that endpoint's listener
// would, and returns once the server is done with the connection: when
// the session ended, the client closed its end, or [System.Close] broke
// the connection. The implicit-TLS schemes (smtps, imaps, pop3s) run the
// TLS handshake over the connection first. The returned function may be
// called from many goroutines at once, each with its own connection; a
// typical connection is one end of [net.Pipe], so that a Go fuzzer drives
// the servers in-process.
//
// Each call of Handler prepares the servers anew: call it once and use the
// function for every connection. Handler fails after Close.
func (s *System) Handler(scheme string, opts HandlerOptions) (func(net.Conn), error) {
	cfg, err := s.connConfig()
	if err != nil {
		return nil, err
	}
	implicit := scheme == SchemeSMTPS || scheme == SchemeIMAPS || scheme == SchemePOP3S
	var (
		serve func(st *store, c net.Conn) // serves c over st until it ends
		share func() (func(net.Conn), error)
	)
	switch scheme {
	case SchemeSMTP, SchemeSubmission, SchemeSMTPS:
		mode, idx := modeMX, 0
		if scheme != SchemeSMTP {
			mode, idx = modeSubmission, 1
			if scheme == SchemeSMTPS {
				idx = 2
			}
		}
		if idx >= len(s.smtp) {
			return nil, fmt.Errorf("embedded: handler %s: the system has no such server", scheme)
		}
		share = func() (func(net.Conn), error) {
			srv := s.smtp[idx]
			return s.shareListener(scheme, cfg, implicit, false, srv.Serve)
		}
		serve = func(st *store, c net.Conn) {
			srv := newSMTPServer(st, mode, cfg.options(), cfg.tls, cfg.log)
			// Shutdown also waits for the connection's goroutine.
			serveOne(c, srv.Serve, func() { srv.Shutdown(context.Background()) })
		}
	case SchemeIMAP, SchemeIMAPS:
		share = func() (func(net.Conn), error) {
			srv := newIMAPServer(cfg.st, cfg.tls, cfg.insecureAuth, cfg.log)
			return s.shareListener(scheme, cfg, implicit, true, srv.Serve)
		}
		serve = func(st *store, c net.Conn) {
			srv := newIMAPServer(st, cfg.tls, cfg.insecureAuth, cfg.log)
			serveOne(c, srv.Serve, func() { srv.Close() })
		}
	case SchemePOP3, SchemePOP3S:
		share = func() (func(net.Conn), error) {
			srv := newPOP3Server(pop3Config{
				tls: cfg.tls, insecureAuth: cfg.insecureAuth, log: cfg.log,
				dial: s.pipes.Dial, account: cfg.st.account, policy: s.pop3Policy,
			})
			return func(c net.Conn) {
				tc, err := s.tracker.add(c, false)
				if err != nil {
					c.Close()
					return
				}
				srv.handle(wrapTLS(tc, implicit, cfg.tls))
			}, nil
		}
		serve = func(st *store, c net.Conn) {
			// The maildrops read an inner IMAP server over this store,
			// one pipe per POP3 session, served here and waited for.
			var inner sync.WaitGroup
			defer inner.Wait()
			srv := newPOP3Server(pop3Config{
				tls: cfg.tls, insecureAuth: cfg.insecureAuth, log: cfg.log,
				account: st.account, policy: s.pop3Policy,
				dial: func() (net.Conn, error) {
					client, server := net.Pipe()
					imap := newIMAPServer(st, nil, true, cfg.log)
					inner.Add(1)
					go func() {
						defer inner.Done()
						serveOne(server, imap.Serve, func() { imap.Close() })
					}()
					return client, nil
				},
			})
			srv.handle(c)
		}
	default:
		return nil, fmt.Errorf("embedded: handler: unknown scheme %q (want one of %v)", scheme, Schemes)
	}
	if !opts.Isolated {
		return share()
	}
	if s.tracker.isClosed() {
		return nil, fmt.Errorf("embedded: handler %s: %w", scheme, net.ErrClosed)
	}
	return func(c net.Conn) {
		tc, err := s.tracker.add(c, false)
		if err != nil {
			c.Close()
			return
		}
		st, err := newFixtureStore(cfg.domain, cfg.accounts)
		if err != nil {
			cfg.log.Printf("%s handler: %v", scheme, err)
			tc.Close()
			return
		}
		serve(st, wrapTLS(tc, implicit, cfg.tls))
	}, nil
}

// connConfig is what the handlers need of the system: the settings Start
// gave its servers, read back from the first SMTP server, which holds them
// all.
type connConfig struct {
	st              *store
	domain          string
	accounts        []Account
	tls             *tls.Config
	insecureAuth    bool
	maxMessageBytes int64
	log             *log.Logger
}

func (c connConfig) options() Options {
	return Options{Domain: c.domain, MaxMessageBytes: c.maxMessageBytes, InsecureAuth: c.insecureAuth}
}

func (s *System) connConfig() (connConfig, error) {
	if len(s.smtp) == 0 {
		return connConfig{}, errors.New("embedded: handler: the system has no SMTP server")
	}
	srv := s.smtp[0]
	be, ok := srv.Backend.(*smtpBackend)
	if !ok {
		return connConfig{}, errors.New("embedded: handler: unexpected SMTP backend")
	}
	logger, _ := srv.ErrorLog.(*log.Logger)
	if logger == nil {
		logger = log.New(io.Discard, "", 0)
	}
	return connConfig{
		st:              be.st,
		domain:          s.Domain,
		accounts:        s.Accounts,
		tls:             srv.TLSConfig,
		insecureAuth:    srv.AllowInsecureAuth,
		maxMessageBytes: srv.MaxMessageBytes,
		log:             logger,
	}, nil
}

// newFixtureStore returns a store with the accounts and, in every INBOX,
// the FixtureMessages.
func newFixtureStore(domain string, accounts []Account) (*store, error) {
	st, err := newStore(domain, accounts)
	if err != nil {
		return nil, err
	}
	for _, a := range st.accounts {
		for _, m := range FixtureMessages {
			if err := st.deliver(a, m, fixtureDate); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// shareListener starts an accept loop of serve on a listener that the
// returned function hands connections to. The loop and its connections
// belong to the system: Close stops them. withSession is true for IMAP,
// whose sessions report their end to the tracker.
func (s *System) shareListener(scheme string, cfg connConfig, implicit, withSession bool, serve func(net.Listener) error) (func(net.Conn), error) {
	cl := newConnListener()
	t := s.tracker
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil, fmt.Errorf("embedded: handler %s: %w", scheme, net.ErrClosed)
	}
	tl := &trackedListener{Listener: cl, t: t, withSession: withSession}
	t.listeners = append(t.listeners, tl)
	t.mu.Unlock()
	var ln net.Listener = tl
	if implicit {
		ln = tls.NewListener(tl, cfg.tls)
	}
	t.serve(cfg.log, scheme+" handler", ln, serve)
	return func(c net.Conn) {
		sc := newServedConn(c)
		if !cl.offer(sc) {
			c.Close()
			return
		}
		<-sc.done
	}, nil
}

// serveOne serves the single connection c with serve, a server's accept
// loop, and returns when the server has closed c and the loop has ended;
// stop then releases the server.
func serveOne(c net.Conn, serve func(net.Listener) error, stop func()) {
	cl := newConnListener()
	sc := newServedConn(c)
	loop := make(chan struct{})
	go func() {
		defer close(loop)
		serve(cl)
	}()
	if cl.offer(sc) {
		<-sc.done
	} else {
		c.Close()
	}
	cl.Close()
	<-loop
	stop()
}

// wrapTLS returns c, or a server-side TLS connection over it when implicit.
func wrapTLS(c net.Conn, implicit bool, cfg *tls.Config) net.Conn {
	if !implicit {
		return c
	}
	return tls.Server(c, cfg)
}

// isClosed reports whether Close has begun.
func (t *tracker) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// connListener is a listener whose connections are handed to it in
// process, one offer at a time.
type connListener struct {
	ch        chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func newConnListener() *connListener {
	return &connListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

// offer hands c to the next Accept; it fails once the listener is closed.
func (l *connListener) offer(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return pipeAddr{} }

// servedConn tells when the server that was handed it closes it.
type servedConn struct {
	net.Conn
	once sync.Once
	done chan struct{}
}

func newServedConn(c net.Conn) *servedConn {
	return &servedConn{Conn: c, done: make(chan struct{})}
}

func (c *servedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { close(c.done) })
	return err
}
