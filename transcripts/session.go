package transcripts

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/mailspec/mailspec/transcripts/wire"
)

// Errors a session returns, wrapped with context. Use errors.Is.
var (
	// ErrTimeout: the server sent no complete reply within the deadline.
	ErrTimeout = errors.New("no reply within the deadline")
	// ErrClosed: the server closed the connection (before or during a reply).
	ErrClosed = errors.New("connection closed by the server")
	// ErrDataBeforeTLS: the server sent bytes after its STARTTLS/STLS
	// go-ahead and before the TLS handshake.
	ErrDataBeforeTLS = errors.New("server sent data after the TLS go-ahead, before the handshake")
)

// Options configure a session.
type Options struct {
	// TLS is the client TLS configuration (implicit TLS and STARTTLS).
	TLS *tls.Config
	// Timeout bounds each reply read and each write; default 10s.
	Timeout time.Duration
	// DialTimeout bounds connecting and the TLS handshake; default 10s.
	DialTimeout time.Duration
	// Limits bound line and literal sizes; zero fields use wire.DefaultLimits.
	Limits wire.Limits
	// Recorder receives every byte sent and received; nil records nothing.
	Recorder *Recorder
	// Dial replaces net.Dialer.DialContext (tests, rate limiting).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// ClientName is the EHLO domain; default "mailspec.test".
	ClientName string
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	o.Limits = o.Limits.WithDefaults()
	if o.ClientName == "" {
		o.ClientName = "mailspec.test"
	}
	if o.Dial == nil {
		d := &net.Dialer{}
		o.Dial = d.DialContext
	}
	return o
}

// Session is the scripted client: one connection to one endpoint, which
// sends exactly the bytes it is told to and reads replies with the
// protocol's own strict framing (package wire). Everything that crosses
// the wire is recorded. A Session is not safe for concurrent use.
type Session struct {
	Endpoint Endpoint
	// Conn is the connection number in the recorder.
	Conn int

	opts     Options
	rawConn  net.Conn // the TCP connection
	conn     net.Conn // rawConn or the TLS connection over it
	tap      *tap
	smtp     *wire.SMTPReader
	pop3     *wire.POP3Reader
	imap     *wire.IMAPReader
	rec      *Recorder
	tlsState *tls.ConnectionState
	tagN     int

	// Capabilities seen, before and after TLS (EHLO keywords, CAPABILITY,
	// CAPA), kept by the protocol helpers.
	CapsBeforeTLS []string
	CapsAfterTLS  []string
}

// Dial connects to an endpoint (with a TLS handshake first for implicit
// TLS endpoints). It reads nothing: the greeting is the caller's to read.
func Dial(ctx context.Context, ep Endpoint, opts Options) (*Session, error) {
	opts = opts.withDefaults()
	dctx, cancel := context.WithTimeout(ctx, opts.DialTimeout)
	defer cancel()
	c, err := opts.Dial(dctx, "tcp", ep.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", ep.URL, describeDialError(err))
	}
	s := &Session{Endpoint: ep, opts: opts, rawConn: c, conn: c, rec: opts.Recorder}
	if s.rec != nil {
		s.Conn = s.rec.NewConn()
		s.rec.Record(s.Conn, Note, []byte("connect "+ep.URL))
	}
	s.setReaders()
	if ep.Security == Implicit {
		if err := s.handshake(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return s, nil
}

func describeDialError(err error) error {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("connection refused: %w", err)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("connect timed out: %w", err)
	}
	return err
}

func (s *Session) setReaders() {
	s.tap = &tap{r: s.conn}
	switch s.Endpoint.Protocol {
	case SMTP:
		s.smtp = wire.NewSMTPReader(s.tap, s.opts.Limits)
	case POP3:
		s.pop3 = wire.NewPOP3Reader(s.tap, s.opts.Limits)
	case IMAP:
		s.imap = wire.NewIMAPReader(s.tap, s.opts.Limits)
	}
}

// TLSState is the TLS connection state, or nil before TLS.
func (s *Session) TLSState() *tls.ConnectionState { return s.tlsState }

// IsTLS reports whether the connection is encrypted.
func (s *Session) IsTLS() bool { return s.tlsState != nil }

// Recorder is the session's recorder (may be nil).
func (s *Session) Recorder() *Recorder { return s.rec }

// Timeout is the per-reply deadline.
func (s *Session) Timeout() time.Duration { return s.opts.Timeout }

// StartTLS performs the TLS handshake on the connection after the server's
// go-ahead (SMTP 220 to STARTTLS, POP3 +OK to STLS, IMAP OK to STARTTLS)
// was read. If the server had already sent more bytes, the handshake is
// not attempted and the error wraps ErrDataBeforeTLS: those bytes would be
// plaintext injected into the TLS session (RFC 3207 section 4.2, RFC 2595
// section 3.1, RFC 9051 section 6.2.1).
func (s *Session) StartTLS(ctx context.Context) error {
	if s.tlsState != nil {
		return errors.New("starttls: already in TLS")
	}
	if n := len(s.tap.pending); n > 0 {
		s.rec.Record(s.Conn, Server, s.tap.pending)
		s.tap.pending = nil
		return fmt.Errorf("starttls: %d bytes: %w", n, ErrDataBeforeTLS)
	}
	return s.handshake(ctx)
}

func (s *Session) handshake(ctx context.Context) error {
	cfg := s.opts.TLS
	if cfg == nil {
		cfg = &tls.Config{ServerName: s.Endpoint.Host}
	}
	tc := tls.Client(s.rawConn, cfg)
	hctx, cancel := context.WithTimeout(ctx, s.opts.DialTimeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		s.rec.Record(s.Conn, Note, []byte("TLS handshake failed: "+err.Error()))
		return fmt.Errorf("tls handshake with %s: %w", s.Endpoint.URL, err)
	}
	st := tc.ConnectionState()
	s.tlsState = &st
	s.conn = tc
	s.setReaders()
	s.rec.Record(s.Conn, TLS, []byte(tls.VersionName(st.Version)+" "+tls.CipherSuiteName(st.CipherSuite)))
	return nil
}

// Send writes a line: text followed by CRLF.
func (s *Session) Send(line string) error {
	b := make([]byte, 0, len(line)+2)
	b = append(append(b, line...), '\r', '\n')
	return s.write(b, b)
}

// SendRaw writes the bytes exactly, with nothing appended.
func (s *Session) SendRaw(b []byte) error { return s.write(b, b) }

// SendRecorded writes actual and records recorded in its place: the
// caller's way to keep a credential-derived value it computed out of the
// transcript (e.g. "${redacted}" for a SCRAM proof).
func (s *Session) SendRecorded(actual, recorded []byte) error { return s.write(actual, recorded) }

func (s *Session) write(actual, recorded []byte) error {
	if err := s.conn.SetWriteDeadline(time.Now().Add(s.opts.Timeout)); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	s.rec.Record(s.Conn, Client, recorded)
	if _, err := s.conn.Write(actual); err != nil {
		return fmt.Errorf("send to %s: %w", s.Endpoint.URL, classify(err))
	}
	return nil
}

// Close closes the connection (recorded as a note).
func (s *Session) Close() error {
	s.rec.Record(s.Conn, Note, []byte("client closes the connection"))
	return s.conn.Close()
}

// read runs one framed read with the session's deadline, records the
// reply's bytes (or, on error, whatever partial bytes arrived) and
// classifies the error.
func (s *Session) read(what string, f func() ([]byte, error)) error {
	return s.readWithin(what, s.opts.Timeout, f)
}

func (s *Session) readWithin(what string, d time.Duration, f func() ([]byte, error)) error {
	if err := s.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	raw, err := f()
	if err == nil {
		s.rec.Record(s.Conn, Server, raw)
		s.tap.consume(len(raw))
		return nil
	}
	if len(s.tap.pending) > 0 {
		s.rec.Record(s.Conn, Server, s.tap.pending)
		s.tap.pending = s.tap.pending[:0]
	}
	err = classify(err)
	s.rec.Record(s.Conn, Note, []byte(what+": "+err.Error()))
	return fmt.Errorf("read %s from %s: %w", what, s.Endpoint.URL, err)
}

// classify maps network errors onto ErrTimeout and ErrClosed, keeping
// the original in the chain.
func classify(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w (clean EOF)", ErrClosed)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w in the middle of a reply: %v", ErrClosed, err)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w (reset): %v", ErrClosed, err)
	case errors.Is(err, wire.ErrLimit):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %v", ErrTimeout, err)
	}
	return err
}

// ExpectClose waits for the server to close the connection. It returns nil
// on EOF or reset; otherwise the bytes that arrived instead, or ErrTimeout.
func (s *Session) ExpectClose() ([]byte, error) {
	if err := s.conn.SetReadDeadline(time.Now().Add(s.opts.Timeout)); err != nil {
		return nil, err
	}
	if n := len(s.tap.pending); n > 0 {
		got := append([]byte(nil), s.tap.pending...)
		s.rec.Record(s.Conn, Server, got)
		s.tap.pending = s.tap.pending[:0]
		return got, nil
	}
	buf := make([]byte, 4096)
	n, err := s.conn.Read(buf)
	if n > 0 {
		s.rec.Record(s.Conn, Server, buf[:n])
		return buf[:n], nil
	}
	err = classify(err)
	if errors.Is(err, ErrClosed) {
		s.rec.Record(s.Conn, Note, []byte("server closed the connection"))
		return nil, nil
	}
	return nil, err
}

// ExpectSilence checks that the server sends nothing for d. It returns the
// bytes that arrived instead, if any.
func (s *Session) ExpectSilence(d time.Duration) ([]byte, error) {
	if n := len(s.tap.pending) + len(s.tap.unread); n > 0 {
		return append(append([]byte(nil), s.tap.pending...), s.tap.unread...), nil
	}
	if err := s.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return nil, err
	}
	// Read past the framed reader, and give the byte back to the tap so
	// that the next framed read starts with it.
	var one [1]byte
	n, err := s.conn.Read(one[:])
	if n > 0 {
		s.tap.unread = append(s.tap.unread, one[0])
		return one[:1], nil
	}
	err = classify(err)
	if errors.Is(err, ErrTimeout) {
		return nil, nil
	}
	return nil, err
}

// tap sits between the connection and the framed reader, remembering the
// bytes read that no complete reply has accounted for yet: on an error
// they are recorded as they arrived, and at STARTTLS they reveal data sent
// before the handshake.
type tap struct {
	r       io.Reader
	pending []byte
	unread  []byte // bytes read past the framed reader, served first
}

func (t *tap) Read(p []byte) (int, error) {
	if len(t.unread) > 0 {
		n := copy(p, t.unread)
		t.unread = t.unread[n:]
		t.pending = append(t.pending, p[:n]...)
		return n, nil
	}
	n, err := t.r.Read(p)
	if n > 0 {
		t.pending = append(t.pending, p[:n]...)
	}
	return n, err
}

// consume drops n accounted-for bytes from the front of pending.
func (t *tap) consume(n int) {
	if n >= len(t.pending) {
		t.pending = t.pending[:0]
		return
	}
	rest := copy(t.pending, t.pending[n:])
	t.pending = t.pending[:rest]
}
