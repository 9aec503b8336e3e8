package embedded

import (
	"errors"
	"log"
	"net"
	"sync"
	"time"
)

// closeWaitLimit bounds how long Close waits for connections to wind down.
// It is a guard against a library that never lets go of a connection; in
// normal operation they end within milliseconds of being broken.
const closeWaitLimit = time.Minute

// tracker knows every listener and connection of a System, so that Close
// can stop them all and wait for the goroutines that serve them.
//
// The servers come from libraries that do not all wait for their own
// connection goroutines, so each accepted connection is wrapped in a
// [trackedConn] that reports when its server is done with it: when the
// server closes it and, for IMAP, when the server has closed the session
// (imapserver closes the connection as the last act of its goroutine,
// right after the session).
type tracker struct {
	mu        sync.Mutex
	closed    bool
	listeners []*trackedListener
	conns     map[*trackedConn]struct{}

	serveWG sync.WaitGroup // accept loops
	connWG  sync.WaitGroup // tracked connections not yet finished
}

func newTracker() *tracker {
	return &tracker{conns: make(map[*trackedConn]struct{})}
}

// listen wraps ln so that its connections are tracked. withSession says
// whether a connection's server also reports the end of its session (see
// [trackedConn.endSession]) before the connection counts as finished.
func (t *tracker) listen(ln net.Listener, withSession bool) *trackedListener {
	tl := &trackedListener{Listener: ln, t: t, withSession: withSession}
	t.mu.Lock()
	t.listeners = append(t.listeners, tl)
	t.mu.Unlock()
	return tl
}

// serve runs serve(ln) in a goroutine that waitServe waits for.
func (t *tracker) serve(logger *log.Logger, name string, ln net.Listener, serve func(net.Listener) error) {
	t.serveWG.Add(1)
	go func() {
		defer t.serveWG.Done()
		if err := serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			logger.Printf("%s: accept loop ended: %v", name, err)
		}
	}()
}

// add tracks c; it fails once the tracker is closed.
func (t *tracker) add(c net.Conn, withSession bool) (*trackedConn, error) {
	tc := &trackedConn{Conn: c, t: t, sessionEnded: !withSession}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, net.ErrClosed
	}
	t.conns[tc] = struct{}{}
	t.connWG.Add(1)
	return tc, nil
}

func (t *tracker) remove(tc *trackedConn) {
	t.mu.Lock()
	delete(t.conns, tc)
	t.mu.Unlock()
	t.connWG.Done()
}

// closeListeners stops every listener; add fails from now on.
func (t *tracker) closeListeners() {
	t.mu.Lock()
	t.closed = true
	listeners := t.listeners
	t.mu.Unlock()
	for _, l := range listeners {
		l.Close()
	}
}

// waitServe waits for the accept loops to return.
func (t *tracker) waitServe() { t.serveWG.Wait() }

// killConns breaks every tracked connection: the goroutines serving them
// see an error on their next read or write.
func (t *tracker) killConns() {
	t.mu.Lock()
	conns := make([]*trackedConn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
}

// waitConns waits for every tracked connection to finish, at most
// closeWaitLimit; it returns the number of connections still open.
func (t *tracker) waitConns() int {
	done := make(chan struct{})
	go func() {
		t.connWG.Wait()
		close(done)
	}()
	timer := time.NewTimer(closeWaitLimit)
	defer timer.Stop()
	select {
	case <-done:
		return 0
	case <-timer.C:
		t.mu.Lock()
		defer t.mu.Unlock()
		return len(t.conns)
	}
}

// trackedListener tracks the connections it accepts.
type trackedListener struct {
	net.Listener
	t           *tracker
	withSession bool
	closeOnce   sync.Once
}

func (l *trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, err := l.t.add(c, l.withSession)
	if err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// Close closes the listener once; later calls (the libraries close their
// listeners too) do nothing.
func (l *trackedListener) Close() error {
	l.closeOnce.Do(func() { l.Listener.Close() })
	return nil
}

// trackedConn is a connection whose end the tracker waits for.
type trackedConn struct {
	net.Conn
	t *tracker

	mu           sync.Mutex
	closed       bool // the serving library closed it
	sessionEnded bool // the serving library ended its session (or has none)
	finished     bool
}

// Close is called by the library serving the connection.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.mu.Lock()
	c.closed = true
	c.finishLocked()
	c.mu.Unlock()
	return err
}

// endSession records that the server ended the connection's session.
func (c *trackedConn) endSession() {
	c.mu.Lock()
	c.sessionEnded = true
	c.finishLocked()
	c.mu.Unlock()
}

// abandon finishes a connection that no server ever took.
func (c *trackedConn) abandon() {
	c.Conn.Close()
	c.mu.Lock()
	c.closed, c.sessionEnded = true, true
	c.finishLocked()
	c.mu.Unlock()
}

func (c *trackedConn) finishLocked() {
	if c.finished || !c.closed || !c.sessionEnded {
		return
	}
	c.finished = true
	c.t.remove(c)
}

// kill closes the underlying connection without counting as the serving
// library's close.
func (c *trackedConn) kill() { c.Conn.Close() }

// pipeListener hands in-memory connections (net.Pipe) to a server: the
// POP3 front-end reaches the inner IMAP server through it.
type pipeListener struct {
	t         *tracker
	ch        chan net.Conn
	done      chan struct{}
	closeOnce sync.Once
}

func newPipeListener(t *tracker) *pipeListener {
	return &pipeListener{t: t, ch: make(chan net.Conn), done: make(chan struct{})}
}

// Dial returns the client end of a new pipe whose server end the
// listener's Accept returns.
func (p *pipeListener) Dial() (net.Conn, error) {
	client, server := net.Pipe()
	tc, err := p.t.add(server, true)
	if err != nil {
		client.Close()
		server.Close()
		return nil, err
	}
	select {
	case p.ch <- tc:
		return client, nil
	case <-p.done:
		client.Close()
		tc.abandon()
		return nil, net.ErrClosed
	}
}

func (p *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-p.ch:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *pipeListener) Close() error {
	p.closeOnce.Do(func() { close(p.done) })
	return nil
}

func (p *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
