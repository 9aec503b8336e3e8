package faults

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// errCloseAfter ends a connection that a fault closes.
var errCloseAfter = errors.New("faults: connection closed by the fault")

// awaitKind is what the client side waits for from the server before it
// can frame the client's next bytes.
type awaitKind int

const (
	awaitNone    awaitKind = iota
	awaitTLS               // the STARTTLS/STLS go-ahead: TLS starts on both sides
	awaitData              // 354 to DATA: the message content follows
	awaitSASL              // a SASL challenge: the next client line is a SASL response
	awaitLiteral           // "+" to a synchronising IMAP literal: the literal follows
	awaitIdle              // "+" to IMAP IDLE: the next client line is DONE
)

// await is one wait of the client side for the server's answer to cmd.
type await struct {
	kind awaitKind
	cmd  *Command
	ch   chan verdict // buffered: the server side never blocks on it
}

// verdict is the server side's answer to an await.
type verdict struct {
	// ok: the go-ahead (220/+OK/OK to STARTTLS, 354, a SASL challenge, a
	// continuation request); otherwise the command was answered for good.
	ok bool
	// client and upstream are the new TLS connections after STARTTLS.
	client, upstream net.Conn
	// err: the STARTTLS handshake failed.
	err error
}

// conn is one proxied client connection. The client pump (the goroutine
// of run) reads the client and writes upstream; the server pump reads the
// upstream and writes to the client. Each owns its reader and writer; the
// client writer is shared under writeMu (a fault may answer a command
// itself); the protocol state is shared under mu.
type conn struct {
	p    *Proxy
	info ConnState

	clientRaw net.Conn

	// Owned by the client pump.
	clientR *bufio.Reader
	upW     net.Conn

	// Owned by the server pump.
	upR    *bufio.Reader
	upConn net.Conn

	writeMu sync.Mutex
	clientW net.Conn

	// hookMu runs the hooks of one connection one at a time.
	hookMu sync.Mutex

	mu      sync.Mutex
	upRaw   net.Conn
	aborted bool
	state   State
	queue   []*Command // commands sent and not answered yet, in order
	await   *await
	hold    time.Duration

	upGone     chan struct{} // the upstream side ended
	clientDone chan struct{} // the client side ended
	serverDone chan struct{} // the server pump returned
}

func newConn(p *Proxy, id int, raw net.Conn) *conn {
	return &conn{
		p:          p,
		info:       ConnState{ID: id, Values: make(map[string]any)},
		clientRaw:  raw,
		upGone:     make(chan struct{}),
		clientDone: make(chan struct{}),
		serverDone: make(chan struct{}),
	}
}

// run serves the connection until both sides are done.
func (c *conn) run() {
	defer c.p.wg.Done()
	defer c.p.forget(c)
	defer c.abort()

	client := c.clientRaw
	if c.p.opts.Implicit {
		tc := tls.Server(c.clientRaw, c.p.serverTLS)
		if err := handshake(tc, c.clientRaw); err != nil {
			return
		}
		client = tc
		c.mu.Lock()
		c.state.TLS = true
		c.mu.Unlock()
	}
	d := net.Dialer{Timeout: dialTimeout}
	up, err := d.DialContext(c.p.ctx, "tcp", c.p.opts.Upstream)
	if err != nil {
		return
	}
	if !c.setUpRaw(up) {
		up.Close()
		return
	}
	upstream := up
	if c.p.opts.Implicit {
		tc := tls.Client(up, c.p.upstreamTLS)
		if err := handshake(tc, up); err != nil {
			return
		}
		upstream = tc
	}
	c.writeMu.Lock()
	c.clientW = client
	c.writeMu.Unlock()
	c.clientR = bufio.NewReader(client)
	c.upW = upstream
	c.upConn = upstream
	c.upR = bufio.NewReader(upstream)

	c.p.wg.Add(1)
	go c.serverPump()
	c.clientPump()
	<-c.serverDone
}

// handshake runs a TLS handshake within handshakeTimeout.
func handshake(tc *tls.Conn, raw net.Conn) error {
	raw.SetDeadline(time.Now().Add(handshakeTimeout))
	err := tc.Handshake()
	raw.SetDeadline(time.Time{})
	return err
}

// setUpRaw records the upstream connection; false if the proxy is
// closing.
func (c *conn) setUpRaw(up net.Conn) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aborted {
		return false
	}
	c.upRaw = up
	return true
}

func (c *conn) upRawConn() net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.upRaw
}

// abort breaks both connections at once.
func (c *conn) abort() {
	c.mu.Lock()
	c.aborted = true
	up := c.upRaw
	c.mu.Unlock()
	c.clientRaw.Close()
	if up != nil {
		up.Close()
	}
}

// closeClient closes the client connection, with a TLS close_notify on
// TLS.
func (c *conn) closeClient() {
	c.writeMu.Lock()
	w := c.clientW
	c.writeMu.Unlock()
	if tc, ok := w.(*tls.Conn); ok {
		tc.SetWriteDeadline(time.Now().Add(closeWriteTimeout))
		tc.Close()
	}
	c.clientRaw.Close()
}

// closeUpstreamWrite passes the client's end of input on to the server.
func (c *conn) closeUpstreamWrite() {
	if tc, ok := c.upW.(*tls.Conn); ok {
		tc.SetWriteDeadline(time.Now().Add(closeWriteTimeout))
		tc.CloseWrite()
	}
	up := c.upRawConn()
	if tcp, ok := up.(*net.TCPConn); ok {
		tcp.CloseWrite()
	}
	if up != nil {
		up.SetReadDeadline(time.Now().Add(lingerTimeout))
	}
}

func (c *conn) upstreamGone() bool {
	select {
	case <-c.upGone:
		return true
	default:
		return false
	}
}

// writeClient sends bytes to the client.
func (c *conn) writeClient(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.clientW.Write(b)
	return err
}

// writeUp sends bytes upstream. A failed write is not an error of the
// client side: the server pump sees the upstream end and ends the
// connection (or holds it open).
func (c *conn) writeUp(b []byte) {
	if len(b) > 0 {
		c.upW.Write(b)
	}
}

// upWriter is writeUp as an io.Writer.
type upWriter struct{ c *conn }

func (w upWriter) Write(b []byte) (int, error) {
	w.c.writeUp(b)
	return len(b), nil
}

// runHook runs a hook, if any, alone among the connection's hooks.
func (c *conn) runHook(h func(*Exchange), e *Exchange) {
	if h == nil {
		return
	}
	c.hookMu.Lock()
	defer c.hookMu.Unlock()
	h(e)
}

func (c *conn) snapshot() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *conn) setHold(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.hold = d
	c.mu.Unlock()
}

func (c *conn) setInData(in bool) {
	c.mu.Lock()
	c.state.InData = in
	c.mu.Unlock()
}

// setAwait starts a wait for the server's answer to cmd.
func (c *conn) setAwait(kind awaitKind, cmd *Command) *await {
	w := &await{kind: kind, cmd: cmd, ch: make(chan verdict, 1)}
	c.mu.Lock()
	c.await = w
	c.mu.Unlock()
	return w
}

// wait waits for the server's verdict on w; false if none comes because
// the upstream side or the proxy ended.
func (c *conn) wait(w *await) (verdict, bool) {
	if w == nil {
		return verdict{}, false
	}
	select {
	case v := <-w.ch:
		return v, true
	case <-c.upGone:
	case <-c.p.closing:
	}
	select {
	case v := <-w.ch:
		return v, true
	default:
	}
	c.mu.Lock()
	if c.await == w {
		c.await = nil
	}
	c.mu.Unlock()
	return verdict{}, false
}

// concat joins byte slices into a new one.
func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// prefixConn is a connection whose first reads return bytes already
// buffered from it.
type prefixConn struct {
	net.Conn
	r io.Reader
}

func (p *prefixConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// withPrefix returns r with held in front of it.
func withPrefix(held []byte, r io.Reader) io.Reader {
	if len(held) == 0 {
		return r
	}
	return io.MultiReader(bytes.NewReader(held), r)
}

// ---- The client side: commands, content, literals and SASL. ----

// clientPump reads the client until it ends, then passes the end on.
func (c *conn) clientPump() {
	defer close(c.clientDone)
	err := c.clientLoop()
	if errors.Is(err, errCloseAfter) {
		c.closeClient()
		c.abort()
		return
	}
	c.closeUpstreamWrite()
}

func (c *conn) clientLoop() error {
	for {
		line, err := readLine(c.clientR, maxLine)
		if err != nil {
			if len(line) > 0 && !c.upstreamGone() {
				c.writeUp(line)
			}
			return err
		}
		if c.upstreamGone() {
			continue // held open: what the client sends goes nowhere
		}
		cmd := parseCommand(c.p.opts.Protocol, line)
		switch c.p.opts.Protocol {
		case SMTP:
			err = c.smtpCommand(cmd)
		case POP3:
			err = c.pop3Command(cmd)
		default:
			err = c.imapCommand(cmd)
		}
		if err != nil {
			return err
		}
	}
}

// commandExchange is the exchange of OnCommand for cmd.
func (c *conn) commandExchange(cmd *Command) *Exchange {
	return &Exchange{
		Proxy:   &c.p.shared,
		Conn:    &c.info,
		State:   c.snapshot(),
		Command: cmd,
		Raw:     cmd.Line,
		Line:    bytes.Clone(cmd.Line),
	}
}

// forward runs OnCommand on cmd and sends it (see send).
func (c *conn) forward(cmd *Command, kind awaitKind) (*await, error) {
	e := c.commandExchange(cmd)
	c.runHook(c.p.fault.OnCommand, e)
	return c.send(cmd, e, kind, nil)
}

// send carries out a command's exchange: the fault's own answer, the
// delay, the command upstream (queued for the reply, with a wait of kind
// if not awaitNone) and then extra. It returns the wait, nil if the
// command was dropped or needs none.
func (c *conn) send(cmd *Command, e *Exchange, kind awaitKind, extra []byte) (*await, error) {
	if err := c.writeClient(e.Respond); err != nil {
		return nil, err
	}
	c.p.sleep(e.Delay)
	var w *await
	c.mu.Lock()
	if len(e.Line) > 0 {
		c.queue = append(c.queue, cmd)
		if kind != awaitNone {
			w = &await{kind: kind, cmd: cmd, ch: make(chan verdict, 1)}
			c.await = w
		}
	}
	if e.HoldOpen > 0 {
		c.hold = e.HoldOpen
	}
	c.mu.Unlock()
	c.writeUp(e.Before)
	c.writeUp(concat(e.Line, extra))
	c.writeUp(e.After)
	if e.CloseAfter {
		return nil, errCloseAfter
	}
	return w, nil
}

// smtpCommand relays one SMTP command (RFC 5321) and what follows it.
func (c *conn) smtpCommand(cmd *Command) error {
	switch cmd.Verb {
	case "STARTTLS":
		return c.startTLS(cmd)
	case "DATA":
		w, err := c.forward(cmd, awaitData)
		if err != nil {
			return err
		}
		if v, _ := c.wait(w); v.ok {
			return c.content(cmd, -1)
		}
		return nil
	case "BDAT":
		if _, err := c.forward(cmd, awaitNone); err != nil {
			return err
		}
		if n, ok := bdatSize(cmd); ok {
			return c.content(cmd, n)
		}
		return nil
	case "AUTH":
		w, err := c.forward(cmd, awaitSASL)
		if err != nil {
			return err
		}
		return c.sasl(w)
	}
	_, err := c.forward(cmd, awaitNone)
	return err
}

// pop3Command relays one POP3 command (RFC 1939) and what follows it.
func (c *conn) pop3Command(cmd *Command) error {
	switch cmd.Verb {
	case "STLS":
		return c.startTLS(cmd)
	case "AUTH":
		if strings.TrimSpace(cmd.Args) != "" {
			w, err := c.forward(cmd, awaitSASL)
			if err != nil {
				return err
			}
			return c.sasl(w)
		}
	}
	_, err := c.forward(cmd, awaitNone)
	return err
}

// imapCommand relays one IMAP command (RFC 9051): its first line, its
// literals and the lines that continue it, and what follows it.
func (c *conn) imapCommand(cmd *Command) error {
	n, nonSync, lit := literalAtEnd(cmd.Line)
	kind := awaitNone
	switch {
	case lit && !nonSync:
		kind = awaitLiteral
	case !lit && cmd.Verb == "STARTTLS":
		return c.startTLS(cmd)
	case !lit && cmd.Verb == "AUTHENTICATE":
		kind = awaitSASL
	case !lit && cmd.Verb == "IDLE":
		kind = awaitIdle
	}
	w, err := c.forward(cmd, kind)
	if err != nil {
		return err
	}
	for lit {
		if !nonSync {
			// The client sends the literal only after the server's "+"
			// (RFC 9051 section 4.3); a tagged answer ends the command.
			if v, _ := c.wait(w); !v.ok {
				return nil
			}
		}
		if _, err := io.CopyN(upWriter{c}, c.clientR, n); err != nil {
			return err
		}
		next, err := readLine(c.clientR, maxLine)
		if err != nil {
			c.writeUp(next)
			return err
		}
		n, nonSync, lit = literalAtEnd(next)
		w = nil
		if lit && !nonSync {
			w = c.setAwait(awaitLiteral, cmd)
		}
		c.writeUp(next)
	}
	switch kind {
	case awaitSASL:
		return c.sasl(w)
	case awaitIdle:
		v, _ := c.wait(w)
		if !v.ok {
			return nil
		}
		// RFC 2177: the client ends IDLE with DONE.
		done, err := readLine(c.clientR, maxLine)
		c.writeUp(done)
		return err
	}
	return nil
}

// startTLS relays STARTTLS (RFC 3207, RFC 9051 section 6.2.1) or STLS
// (RFC 2595 section 4). What the client sent after it in the same write
// goes upstream right behind it, in plaintext, as on a direct connection,
// unless the fault holds it back for after the handshake. On the
// go-ahead, the server pump has run both handshakes; the client side goes
// on over the new connections.
func (c *conn) startTLS(cmd *Command) error {
	e := c.commandExchange(cmd)
	if !e.State.TLS {
		if n := c.clientR.Buffered(); n > 0 {
			b, _ := c.clientR.Peek(n)
			e.Pipelined = bytes.Clone(b)
			c.clientR.Discard(n)
		}
	}
	c.runHook(c.p.fault.OnCommand, e)
	var extra, held []byte
	if e.PipelinedAfterTLS {
		held = e.Pipelined
	} else {
		extra = e.Pipelined
	}
	w, err := c.send(cmd, e, awaitTLS, extra)
	if err != nil {
		return err
	}
	v, got := c.wait(w)
	if v.err != nil {
		return v.err
	}
	if got && v.ok {
		c.upW = v.upstream
		c.clientR = bufio.NewReader(withPrefix(held, v.client))
		return nil
	}
	if len(held) > 0 {
		c.clientR = bufio.NewReader(withPrefix(held, c.clientR))
	}
	return nil
}

// sasl relays a SASL exchange (RFC 4954 section 4, RFC 5034 section 4,
// RFC 9051 section 6.2.2): each challenge is answered by one client line,
// which passes through as it is.
func (c *conn) sasl(w *await) error {
	for w != nil {
		v, got := c.wait(w)
		if !got || !v.ok {
			return nil
		}
		line, err := readLine(c.clientR, maxLine)
		if err != nil {
			c.writeUp(line)
			return err
		}
		w = c.setAwait(awaitSASL, w.cmd)
		c.writeUp(line)
	}
	return nil
}

// content relays SMTP message content: the DATA payload up to and
// including <CRLF>.<CRLF> (n < 0, RFC 5321 section 4.1.1.4) or a BDAT
// chunk of n octets (RFC 3030 section 2), piece by piece through OnData.
func (c *conn) content(cmd *Command, n int64) error {
	c.setInData(true)
	defer c.setInData(false)
	var sc eodScanner
	for n != 0 {
		if _, err := c.clientR.Peek(1); err != nil {
			return err
		}
		buf, _ := c.clientR.Peek(c.clientR.Buffered())
		var take int
		done := false
		if n < 0 {
			take, done = sc.scan(buf)
		} else {
			take = int(min(int64(len(buf)), n))
			n -= int64(take)
		}
		piece := bytes.Clone(buf[:take])
		c.clientR.Discard(take)
		e := &Exchange{
			Proxy:   &c.p.shared,
			Conn:    &c.info,
			State:   c.snapshot(),
			Command: cmd,
			Raw:     piece,
			Data:    bytes.Clone(piece),
		}
		c.runHook(c.p.fault.OnData, e)
		c.p.sleep(e.Delay)
		c.mu.Lock()
		if done {
			// The server's next reply answers the end of the content.
			c.queue = append(c.queue, &Command{Line: []byte(".\r\n"), Verb: "."})
		}
		if done || n == 0 {
			// Before the last octets go: the reply may come at once.
			c.state.InData = false
		}
		if e.HoldOpen > 0 {
			c.hold = e.HoldOpen
		}
		c.mu.Unlock()
		c.writeUp(e.Before)
		c.writeUp(e.Data)
		c.writeUp(e.After)
		if e.CloseAfter {
			return errCloseAfter
		}
		if done {
			return nil
		}
	}
	return nil
}

// ---- The server side: replies, state and the STARTTLS upgrade. ----

// serverPump relays the server's replies until the upstream ends, then
// holds the client open if a fault asked for it, and closes it.
func (c *conn) serverPump() {
	defer c.p.wg.Done()
	defer close(c.serverDone)
	closedByFault := c.serverLoop()
	close(c.upGone)
	c.mu.Lock()
	hold := c.hold
	c.mu.Unlock()
	if hold > 0 && !closedByFault {
		t := time.NewTimer(hold)
		select {
		case <-t.C:
		case <-c.clientDone:
		case <-c.p.closing:
		}
		t.Stop()
	}
	c.closeClient()
	c.abort()
}

// serverLoop relays replies; it reports whether a fault closed the
// connection.
func (c *conn) serverLoop() bool {
	for {
		raw, err := c.readResponse()
		if err != nil {
			// An unterminated end passes as it is.
			c.writeClient(raw)
			return false
		}
		stop, err := c.response(raw)
		if err != nil {
			return false
		}
		if stop {
			return true
		}
	}
}

// readResponse reads one framed server reply.
func (c *conn) readResponse() ([]byte, error) {
	switch c.p.opts.Protocol {
	case SMTP:
		return readSMTPReply(c.upR)
	case IMAP:
		return readIMAPResponse(c.upR)
	}
	status, err := readLine(c.upR, maxLine)
	if err != nil || !pop3OK(status) {
		return status, err
	}
	c.mu.Lock()
	multi := c.state.Greeted && len(c.queue) > 0 && pop3MultiLine(c.queue[0])
	c.mu.Unlock()
	if !multi {
		return status, nil
	}
	body, err := readPOP3Body(c.upR)
	return append(status, body...), err
}

// response relays one server reply: it attributes it to a command,
// updates the state, runs the hook, sends the result to the client and
// answers the client side's wait (after the handshakes, for a STARTTLS
// go-ahead). It reports whether a fault closes the connection.
func (c *conn) response(raw []byte) (stop bool, err error) {
	c.mu.Lock()
	before := c.state
	greeting := !c.state.Greeted
	var (
		cmd *Command
		w   *await
		v   verdict
	)
	if greeting {
		c.state.Greeted = true
		if tag, status, _ := imapResponseWords(raw); c.p.opts.Protocol == IMAP && tag == "*" && status == "PREAUTH" {
			c.state.Authenticated = true
		}
	} else {
		cmd = c.attribute(raw)
		if cmd != nil {
			c.effects(cmd, raw)
		}
		w, v.ok = c.resolve(cmd, raw)
	}
	c.mu.Unlock()

	hook := c.p.fault.OnReply
	if greeting {
		hook = c.p.fault.OnGreeting
	}
	e := &Exchange{
		Proxy:   &c.p.shared,
		Conn:    &c.info,
		State:   before,
		Command: cmd,
		Raw:     raw,
		Reply:   bytes.Clone(raw),
	}
	c.runHook(hook, e)
	c.p.sleep(e.Delay)
	c.setHold(e.HoldOpen)
	err = c.writeClient(e.Before)
	if err == nil {
		err = c.writeClient(e.Reply)
	}
	if err == nil {
		err = c.writeClient(e.After)
	}
	if err != nil {
		if w != nil {
			w.ch <- verdict{}
		}
		return false, err
	}
	if w != nil && w.kind == awaitTLS && v.ok {
		v.client, v.upstream, v.err = c.upgrade()
		if v.err != nil {
			w.ch <- v
			return false, v.err
		}
	}
	if w != nil {
		w.ch <- v
	}
	return e.CloseAfter, nil
}

// attribute returns the command a reply answers and takes it off the
// queue when the reply is its last; c.mu is held. SMTP and POP3 replies
// come in command order (RFC 2920, RFC 2449 section 6.6), except that a
// SASL challenge does not end AUTH; IMAP tagged responses carry their
// command's tag, and untagged ones and continuation requests are put down
// to the command waiting for one, else the oldest one in progress.
func (c *conn) attribute(raw []byte) *Command {
	if c.p.opts.Protocol == IMAP {
		tag, _, _ := imapResponseWords(raw)
		if tag == "*" || tag == "+" {
			if c.await != nil {
				return c.await.cmd
			}
			if len(c.queue) > 0 {
				return c.queue[0]
			}
			return nil
		}
		for i, q := range c.queue {
			if q.Tag == tag {
				c.queue = append(c.queue[:i:i], c.queue[i+1:]...)
				return q
			}
		}
		return nil
	}
	if len(c.queue) == 0 {
		return nil
	}
	head := c.queue[0]
	if head.Verb == "AUTH" {
		if c.p.opts.Protocol == SMTP && smtpCode(raw) == 334 ||
			c.p.opts.Protocol == POP3 && pop3Continuation(raw) {
			return head
		}
	}
	c.queue = c.queue[1:]
	return head
}

// effects updates the state after the server's reply raw to cmd; c.mu is
// held.
func (c *conn) effects(cmd *Command, raw []byte) {
	st := &c.state
	switch c.p.opts.Protocol {
	case SMTP:
		code := smtpCode(raw)
		ok := code >= 200 && code < 300
		switch cmd.Verb {
		case "EHLO", "HELO":
			if ok {
				st.Hello, st.InMail = true, false
			}
		case "MAIL":
			if ok {
				st.InMail = true
			}
		case "RSET", ".":
			st.InMail = false
		case "BDAT":
			if !ok || bdatLast(cmd) {
				st.InMail = false
			}
		case "AUTH":
			if code == 235 {
				st.Authenticated = true
			}
		case "STARTTLS":
			// RFC 3207 section 4.2: the session starts over.
			if code == 220 {
				st.TLS, st.Hello, st.Authenticated, st.InMail = true, false, false, false
			}
		}
	case POP3:
		if !pop3OK(raw) {
			return
		}
		switch cmd.Verb {
		case "PASS", "APOP":
			st.Authenticated = true
		case "AUTH":
			if strings.TrimSpace(cmd.Args) != "" {
				st.Authenticated = true
			}
		case "STLS":
			st.TLS = true
		}
	case IMAP:
		tag, status, _ := imapResponseWords(raw)
		if tag != cmd.Tag {
			return
		}
		switch {
		case status == "OK" && (cmd.Verb == "LOGIN" || cmd.Verb == "AUTHENTICATE"):
			st.Authenticated = true
		case cmd.Verb == "SELECT" || cmd.Verb == "EXAMINE":
			// RFC 9051 section 6.3.2: a failed SELECT leaves no mailbox
			// selected.
			if status == "OK" || status == "NO" {
				st.Selected = status == "OK"
			}
		case status == "OK" && (cmd.Verb == "CLOSE" || cmd.Verb == "UNSELECT"):
			st.Selected = false
		case status == "OK" && cmd.Verb == "STARTTLS":
			st.TLS = true
		}
	}
}

// resolve returns the client side's wait that the reply raw to cmd
// answers, if any, and whether the answer is the go-ahead; c.mu is held.
func (c *conn) resolve(cmd *Command, raw []byte) (*await, bool) {
	w := c.await
	if w == nil {
		return nil, false
	}
	if c.p.opts.Protocol == IMAP {
		tag, status, _ := imapResponseWords(raw)
		switch {
		case tag == "+" && w.kind != awaitTLS:
			c.await = nil
			return w, true
		case tag == w.cmd.Tag:
			c.await = nil
			return w, w.kind == awaitTLS && status == "OK"
		}
		return nil, false
	}
	if cmd != w.cmd {
		return nil, false
	}
	c.await = nil
	smtp := c.p.opts.Protocol == SMTP
	switch w.kind {
	case awaitTLS:
		if smtp {
			return w, smtpCode(raw) == 220
		}
		return w, pop3OK(raw)
	case awaitData:
		return w, smtpCode(raw) == 354
	case awaitSASL:
		if smtp {
			return w, smtpCode(raw) == 334
		}
		return w, pop3Continuation(raw)
	}
	return w, false
}

// upgrade runs the TLS handshakes of STARTTLS: as the server with the
// client, as the client with the upstream, at once. The client side is
// waiting and reads nothing meanwhile.
func (c *conn) upgrade() (client, upstream net.Conn, err error) {
	c.writeMu.Lock()
	clientBase := c.clientW
	c.writeMu.Unlock()
	upBase := c.upConn
	if n := c.upR.Buffered(); n > 0 {
		// Bytes the server sent after its go-ahead belong to the
		// handshake.
		b, _ := c.upR.Peek(n)
		upBase = &prefixConn{Conn: c.upConn, r: withPrefix(bytes.Clone(b), c.upConn)}
	}
	cs := tls.Server(clientBase, c.p.serverTLS)
	us := tls.Client(upBase, c.p.upstreamTLS)
	upRaw := c.upRawConn()
	deadline := time.Now().Add(handshakeTimeout)
	c.clientRaw.SetDeadline(deadline)
	upRaw.SetDeadline(deadline)
	var (
		wg         sync.WaitGroup
		errC, errU error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if errC = cs.Handshake(); errC != nil {
			c.abort()
		}
	}()
	go func() {
		defer wg.Done()
		if errU = us.Handshake(); errU != nil {
			c.abort()
		}
	}()
	wg.Wait()
	c.clientRaw.SetDeadline(time.Time{})
	upRaw.SetDeadline(time.Time{})
	if errC != nil {
		return nil, nil, fmt.Errorf("faults: TLS handshake with the client: %w", errC)
	}
	if errU != nil {
		return nil, nil, fmt.Errorf("faults: TLS handshake with the upstream: %w", errU)
	}
	c.writeMu.Lock()
	c.clientW = cs
	c.writeMu.Unlock()
	c.upConn = us
	c.upR = bufio.NewReader(us)
	return cs, us, nil
}
