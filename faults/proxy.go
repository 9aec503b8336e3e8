package faults

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Hang guards of the proxy: never reached on a healthy exchange.
const (
	// dialTimeout bounds connecting to the upstream.
	dialTimeout = 30 * time.Second
	// handshakeTimeout bounds each TLS handshake.
	handshakeTimeout = 30 * time.Second
	// lingerTimeout is how long the proxy still forwards the server's
	// bytes after the client closed its side.
	lingerTimeout = 30 * time.Second
	// closeWriteTimeout bounds the TLS close_notify sent to a client.
	closeWriteTimeout = 2 * time.Second
)

// Options configure [Start].
type Options struct {
	// Protocol is SMTP, POP3 or IMAP.
	Protocol string
	// Upstream is the host:port of the real server.
	Upstream string
	// Implicit: TLS from the first octet on both sides (smtps, imaps,
	// pop3s; RFC 8314 section 3). Otherwise both sides start in plaintext
	// and upgrade together on STARTTLS/STLS.
	Implicit bool
	// ServerTLS is what the proxy presents to clients (Certificates set).
	// Nil: a self-signed certificate for localhost and 127.0.0.1,
	// generated at Start and exposed by [Proxy.CertPEM].
	ServerTLS *tls.Config
	// UpstreamTLS is how the proxy talks TLS to the upstream (RootCAs and
	// ServerName, or InsecureSkipVerify for tests). Nil: the system roots,
	// with the server name of Upstream's host.
	UpstreamTLS *tls.Config
	// Fault is the fault to inject; the zero Fault makes a transparent
	// proxy.
	Fault Fault
}

// Proxy is a running fault injector: a TCP listener on 127.0.0.1 that
// relays each client connection to the upstream server through the fault.
type Proxy struct {
	opts        Options
	fault       Fault
	ln          net.Listener
	certPEM     []byte
	serverTLS   *tls.Config
	upstreamTLS *tls.Config
	shared      Shared

	ctx     context.Context // cancelled by Close: ends dials
	cancel  context.CancelFunc
	closing chan struct{}

	mu     sync.Mutex
	conns  map[*conn]struct{}
	nextID int
	closed bool

	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start starts a proxy for opts on 127.0.0.1, on a port chosen by the
// operating system. It returns once the proxy listens; [Proxy.Close]
// stops it.
func Start(opts Options) (*Proxy, error) {
	switch opts.Protocol {
	case SMTP, POP3, IMAP:
	default:
		return nil, fmt.Errorf("faults: unknown protocol %q (want smtp, pop3 or imap)", opts.Protocol)
	}
	if opts.Fault.Protocol != "" && opts.Fault.Protocol != opts.Protocol {
		return nil, fmt.Errorf("faults: fault %s is for %s, the proxy speaks %s", opts.Fault.Name, opts.Fault.Protocol, opts.Protocol)
	}
	host, _, err := net.SplitHostPort(opts.Upstream)
	if err != nil {
		return nil, fmt.Errorf("faults: upstream %q: %w", opts.Upstream, err)
	}

	p := &Proxy{
		opts:    opts,
		fault:   opts.Fault,
		closing: make(chan struct{}),
		conns:   make(map[*conn]struct{}),
		shared:  Shared{Values: make(map[string]any)},
	}
	if opts.ServerTLS != nil {
		p.serverTLS = opts.ServerTLS.Clone()
		if len(p.serverTLS.Certificates) > 0 {
			p.certPEM = chainPEM(p.serverTLS.Certificates[0])
		}
	} else {
		p.serverTLS, p.certPEM, err = SelfSignedTLS()
		if err != nil {
			return nil, err
		}
	}
	if opts.UpstreamTLS != nil {
		p.upstreamTLS = opts.UpstreamTLS.Clone()
	} else {
		p.upstreamTLS = &tls.Config{}
	}
	if p.upstreamTLS.ServerName == "" && !p.upstreamTLS.InsecureSkipVerify {
		p.upstreamTLS.ServerName = host
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faults: listen: %w", err)
	}
	p.ln = ln
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the host:port clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// CertPEM returns the PEM certificate clients must trust to verify the
// proxy's TLS: the generated self-signed one, or the last certificate of
// the first chain in [Options.ServerTLS] (nil if it has none, as with
// GetCertificate).
func (p *Proxy) CertPEM() []byte { return bytes.Clone(p.certPEM) }

// Fault returns the fault the proxy injects.
func (p *Proxy) Fault() Fault { return p.fault }

// Close stops the listener, breaks every connection (a held-open one
// too) and waits for all the proxy's goroutines to end. It is safe to call
// more than once.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		close(p.closing)
		p.cancel()
		if err := p.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			p.closeErr = fmt.Errorf("faults: close listener: %w", err)
		}
		p.mu.Lock()
		p.closed = true
		for c := range p.conns {
			c.abort()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p.closeErr
}

// accept runs the accept loop until Close.
func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		raw, err := p.ln.Accept()
		if err != nil {
			select {
			case <-p.closing:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// A transient accept error (out of descriptors): wait a
			// little, as net/http does.
			t := time.NewTimer(10 * time.Millisecond)
			select {
			case <-t.C:
			case <-p.closing:
				t.Stop()
				return
			}
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			raw.Close()
			continue
		}
		p.nextID++
		c := newConn(p, p.nextID, raw)
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go c.run()
	}
}

// forget removes a finished connection.
func (p *Proxy) forget(c *conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// sleep waits for d or until the proxy closes.
func (p *Proxy) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.closing:
	}
}
