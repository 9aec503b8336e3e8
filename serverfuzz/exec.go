package serverfuzz

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailspec/mailspec/transcripts/wire"
)

// The fuzzer's client: one connection to a target, the state of its
// session as far as the answers tell, and the judging of every answer.

// role says why the fuzzer sent something.
type role uint8

const (
	roleGreeting role = iota
	roleReach         // the fuzzer's own commands reaching the program's state
	roleFuzz          // a command of the program
	roleProbe         // the fuzzer's NOOP after the program, checking the connection
)

// event is one thing recorded on a connection.
type event struct {
	kind   evKind
	data   []byte
	role   role
	idx    int    // the program command's index for roleFuzz, else -1
	tag    string // IMAP: the tag the answers to this command carry
	cont   bool   // evRecv: a continuation request (IMAP "+", SMTP 334/354, POP3 "+")
	final  bool   // evRecv: the answer that completes the command
	status string // evRecv: SMTP code, POP3 status, IMAP status
	multi  bool   // evRecv: a POP3 multi-line response
	ex     int    // the exchange: 0 for the greeting, then one per command
	alt    string // evSend of an untagged IMAP line: the tag it chose
}

type evKind uint8

const (
	evSend evKind = iota + 1
	evRecv
	evTLS
	evClosed // the connection ended, by the server or the client
)

// errLost means the fuzzer lost track of the session (an answer it
// cannot follow, a TLS handshake that failed): the connection is dropped,
// and nothing is found.
var errLost = errors.New("serverfuzz: lost track of the session")

// errEnded means the session ended without a fault: the server closed
// the connection after announcing it, or the connection broke in a way
// that tells nothing.
var errEnded = errors.New("serverfuzz: the session ended")

// errUnreached means the program's state could not be reached.
var errUnreached = errors.New("serverfuzz: state not reached")

// conn is one connection of the fuzzer.
type conn struct {
	t      *target
	acct   *renderCtx // the account the session logs in with
	nc     net.Conn
	raw    net.Conn
	smtp   *wire.SMTPReader
	pop3   *wire.POP3Reader
	imap   *wire.IMAPReader
	served func(time.Duration) *Finding // in-process: wait for the server to let go

	tls, auth bool
	// SMTP
	helo, mail, rcpt bool
	smtpCaps         []string
	// POP3
	user, dele bool
	// IMAP
	phase   string
	inbox   bool // the fuzzer itself selected INBOX and nothing changed the selection
	imapCap []string
	tagN    int
	exists  int      // the last EXISTS count
	listed  []string // the fuzzer's mailboxes a LIST of its own named

	announced bool   // the server said it would close (BYE, 421, 221, QUIT's +OK)
	lastERR   bool   // POP3: the last answer was -ERR
	lastNeg   bool   // the last answer was negative (SMTP 4xx/5xx, IMAP NO/BAD, POP3 -ERR)
	dead      bool   // closed or lost: unusable
	lastName  string // the last command answered, for attributing a close
	lastState StateSig
	lastIdx   int
	// the last command of the program answered, for a panic the server
	// logged
	fuzzName  string
	fuzzState StateSig
	fuzzIdx   int

	lastRaw []byte // the last answer read

	rec      []event // nil unless recording
	doRec    bool
	sigs     []Sig
	ex       int   // the current exchange
	failEx   int   // the exchange of the last finding
	reachErr error // why the last reach failed
}

// dialConn opens a connection and reads the greeting.
func (t *target) dialConn(ctx context.Context, record bool) (*conn, *Finding, error) {
	return t.dialAs(ctx, record, 0)
}

// dialAs opens a connection that logs in with account n (0 is the
// target's User; see Target.Accounts).
func (t *target) dialAs(ctx context.Context, record bool, n int) (*conn, *Finding, error) {
	nc, served, err := t.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := &conn{t: t, nc: nc, raw: nc, served: served, doRec: record, lastIdx: -1, fuzzIdx: -1, acct: &t.accts[n%len(t.accts)]}
	c.tls = t.Implicit
	c.phase = c.initialPhase()
	c.setReaders()
	f := c.greet()
	return c, f, nil
}

func (c *conn) initialPhase() string {
	switch c.t.Protocol {
	case SMTP:
		return "greeted"
	case POP3:
		return "authorization"
	}
	return "not-authenticated"
}

func (c *conn) setReaders() {
	lim := wire.DefaultLimits
	switch c.t.Protocol {
	case SMTP:
		c.smtp = wire.NewSMTPReader(c.nc, lim)
	case POP3:
		c.pop3 = wire.NewPOP3Reader(c.nc, lim)
	case IMAP:
		c.imap = wire.NewIMAPReader(c.nc, lim)
	}
}

// state is the session's state signature now.
func (c *conn) state() StateSig {
	st := StateSig{TLS: c.tls, Auth: c.auth}
	switch c.t.Protocol {
	case SMTP:
		switch {
		case c.rcpt:
			st.Phase = "rcpt"
		case c.mail:
			st.Phase = "mail"
		case c.helo:
			st.Phase = "helo"
		default:
			st.Phase = "greeted"
		}
	case POP3:
		st.Phase = "authorization"
		if c.auth {
			st.Phase = "transaction"
		}
	default:
		st.Phase = c.phase
	}
	return st
}

// close ends the connection and, in-process, waits for the server to let
// go of it; a server that panicked or never returns is a finding.
func (c *conn) close() *Finding {
	if c.rec != nil || c.doRec {
		c.record(event{kind: evClosed})
	}
	c.dead = true
	c.nc.Close()
	if c.served != nil {
		f := c.served(c.t.timeout)
		c.served = nil
		if f != nil {
			f.Command, f.State, f.cmdIndex = c.lastName, c.lastState, c.lastIdx
			if f.Command == "" {
				f.Command = "greeting"
			}
		}
		return f
	}
	return nil
}

func (c *conn) record(e event) {
	if !c.doRec {
		return
	}
	e.data = bytes.Clone(e.data)
	e.ex = c.ex
	c.rec = append(c.rec, e)
}

// write sends b, recorded as belonging to the command at idx.
func (c *conn) write(b []byte, ro role, idx int, tag string) error {
	c.record(event{kind: evSend, data: b, role: ro, idx: idx, tag: tag})
	c.nc.SetWriteDeadline(time.Now().Add(c.t.timeout))
	_, err := c.nc.Write(b)
	return err
}

func (c *conn) deadline() { c.nc.SetReadDeadline(time.Now().Add(c.t.timeout)) }

// failure turns a read or write error into a finding, or into errEnded
// when the close was announced or the error tells nothing. what names the
// command waited for, st the state it was sent in.
func (c *conn) failure(err error, what string, st StateSig, idx int) (*Finding, error) {
	if f := c.failureF(err, what, st, idx); f != nil {
		return f, nil
	}
	return nil, errEnded
}

func (c *conn) failureF(err error, what string, st StateSig, idx int) *Finding {
	c.dead = true
	p := c.t.Protocol
	var ne net.Error
	switch {
	case errors.Is(err, wire.ErrLimit):
		f := newFinding(p, MalformedResponse, what, st, idx, "the answer exceeds the harness's bounds: "+err.Error())
		return f
	case errors.As(err, &ne) && ne.Timeout():
		return newFinding(p, Hang, what, st, idx, fmt.Sprintf("no complete answer within %v", c.t.timeout))
	case errors.Is(err, io.ErrUnexpectedEOF):
		f := newFinding(p, Disconnect, what, st, idx, "the server closed the connection in the middle of an answer")
		f.RFC, f.Section, f.Level = rule(p, Hang)
		return f
	}
	if isClosed(err) {
		if c.announced {
			return nil
		}
		if p == POP3 && c.lastERR {
			// POP3 has no other way to announce a close than a
			// negative answer.
			return nil
		}
		f := newFinding(p, Disconnect, what, st, idx, "the server closed the connection without answering "+what)
		if c.lastName != "" {
			f.Summary = "after answering " + c.lastName + ", the server closed the connection without answering " + what
		}
		if c.lastIdx >= 0 && idx >= 0 && c.lastNeg {
			// The close came after an error answer to the program's
			// previous command: that command is the suspect (it is
			// also where the NOOP after the program would see it).
			f.Command, f.State, f.cmdIndex = c.lastName, c.lastState, c.lastIdx
		}
		return f
	}
	// Anything else (a TLS alert, an odd socket error) ends the session
	// without telling us more.
	return nil
}

// isClosed reports whether err means the peer closed the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// judge turns the violations of an answer into a finding.
func (c *conn) judge(viols []wire.Violation, what string, st StateSig, idx int) *Finding {
	if len(viols) == 0 {
		return nil
	}
	return malformed(c.t.Protocol, what, st, idx, viols, c.t.Strict)
}

// greet reads the greeting.
func (c *conn) greet() *Finding {
	st := c.state()
	c.deadline()
	switch c.t.Protocol {
	case SMTP:
		rep, err := c.smtp.ReadReply()
		if err != nil {
			return c.greetFailure(err, st)
		}
		c.record(event{kind: evRecv, data: rep.Raw, role: roleGreeting, idx: -1, final: true, status: strconv.Itoa(rep.Code)})
		c.lastRaw = rep.Raw
		if f := c.judge(rep.Violations, "greeting", st, -1); f != nil {
			f.Last = rep.Raw
			return f
		}
		if rep.Code != 220 {
			c.announced = rep.Code == 421
			c.dead = true
		}
	case POP3:
		rep, err := c.pop3.ReadResponse(false)
		if err != nil {
			return c.greetFailure(err, st)
		}
		c.record(event{kind: evRecv, data: rep.Raw, role: roleGreeting, idx: -1, final: true, status: rep.Status})
		c.lastRaw = rep.Raw
		if f := c.judge(rep.Violations, "greeting", st, -1); f != nil {
			f.Last = rep.Raw
			return f
		}
		if !rep.OK {
			c.dead = true
		}
	case IMAP:
		rep, err := c.imap.ReadResponse()
		if err != nil {
			return c.greetFailure(err, st)
		}
		c.record(event{kind: evRecv, data: rep.Raw, role: roleGreeting, idx: -1, final: true, status: rep.Status})
		c.lastRaw = rep.Raw
		if f := c.judge(rep.Violations, "greeting", st, -1); f != nil {
			f.Last = rep.Raw
			return f
		}
		switch rep.Status {
		case "OK":
		case "PREAUTH":
			c.auth, c.phase = true, "authenticated"
		default:
			c.announced, c.dead = rep.Status == "BYE", true
		}
		if rep.Code == "CAPABILITY" {
			c.imapCap = strings.Fields(rep.CodeArgs)
		}
	}
	return nil
}

// greetFailure judges a greeting that never came: the server is down or
// stuck, a crash or a hang for the liveness check.
func (c *conn) greetFailure(err error, st StateSig) *Finding {
	c.dead = true
	p := c.t.Protocol
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return newFinding(p, Hang, "greeting", st, -1, fmt.Sprintf("no greeting within %v", c.t.timeout))
	}
	if errors.Is(err, wire.ErrLimit) {
		return newFinding(p, MalformedResponse, "greeting", st, -1, "the greeting exceeds the harness's bounds: "+err.Error())
	}
	f := newFinding(p, Crash, "greeting", st, -1, "the server closed a new connection without a greeting: "+err.Error())
	f.RFC, f.Section, f.Level = rule(p, Hang)
	return f
}

// exchange sends one command and judges its answers. It returns the
// signature of the exchange, a finding, or an error that ends the
// connection without one (errLost).
func (c *conn) exchange(r *rendered, ro role, idx int) (Sig, *Finding, error) {
	c.ex++
	st := c.state()
	if c.t.Protocol == POP3 && r.verb != "PASS" {
		c.user = false
	}
	var (
		sig Sig
		f   *Finding
		err error
	)
	switch c.t.Protocol {
	case SMTP:
		sig, f, err = c.smtpExchange(r, ro, idx, st)
	case POP3:
		sig, f, err = c.pop3Exchange(r, ro, idx, st)
	default:
		sig, f, err = c.imapExchange(r, ro, idx, st)
	}
	sig.Command, sig.State = r.name, st
	if f != nil {
		c.failEx = c.ex
		f.Last = c.lastRaw
	}
	if f == nil && err == nil {
		c.lastName, c.lastState, c.lastIdx = r.name, st, idx
		if ro == roleFuzz {
			c.fuzzName, c.fuzzState, c.fuzzIdx = r.name, st, idx
		}
		c.lastNeg = sig.Code == "NO" || sig.Code == "BAD" || sig.Code == "-ERR" || len(sig.Code) == 3 && sig.Code[0] >= '4'
	}
	return sig, f, err
}

// enhancedCode returns the RFC 3463 code at the start of an SMTP reply
// text, "" if none.
func enhancedCode(text string) string {
	code, _, _ := strings.Cut(text, " ")
	parts := strings.Split(code, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0] < '2' || parts[0][0] > '5' {
		return ""
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 {
			return ""
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return ""
			}
		}
	}
	return code
}

func (c *conn) smtpExchange(r *rendered, ro role, idx int, st StateSig) (Sig, *Finding, error) {
	var sig Sig
	b := append(r.line(), r.trailer...)
	if err := c.write(b, ro, idx, ""); err != nil {
		f, e := c.failure(err, r.name, st, idx)
		return sig, f, e
	}
	next := 0
	for round := 0; ; round++ {
		c.deadline()
		rep, err := c.smtp.ReadReply()
		if err != nil {
			f, e := c.failure(err, r.name, st, idx)
			return sig, f, e
		}
		code := rep.Code
		cont := code == 354 || code == 334
		c.lastRaw = rep.Raw
		c.record(event{kind: evRecv, data: rep.Raw, role: ro, idx: idx, final: !cont || round >= 8, cont: cont && round < 8, status: strconv.Itoa(code)})
		if f := c.judge(rep.Violations, r.name, st, idx); f != nil {
			return sig, f, nil
		}
		text := ""
		if len(rep.Lines) > 0 {
			text = rep.Lines[0]
		}
		sig.Code, sig.Enhanced = strconv.Itoa(code), enhancedCode(text)
		if code == 421 || code == 221 {
			c.announced = true
		}
		if cont && round < 8 {
			var resp []byte
			switch {
			case next < len(r.follow):
				resp = r.follow[next]
				next++
			case code == 354:
				resp = []byte(".")
			default:
				resp = []byte("*")
			}
			if err := c.write(append(append([]byte(nil), resp...), "\r\n"...), ro, idx, ""); err != nil {
				f, e := c.failure(err, r.name, st, idx)
				return sig, f, e
			}
			if code == 354 {
				c.mail, c.rcpt = false, false
			}
			continue
		}
		c.smtpState(r, code, rep.Lines)
		if code == 220 && r.verb == "STARTTLS" {
			return sig, nil, c.startTLS()
		}
		if c.announced {
			c.dead = true
		}
		return sig, nil, nil
	}
}

// smtpState follows the session after a final reply.
func (c *conn) smtpState(r *rendered, code int, lines []string) {
	ok := code >= 200 && code < 300
	switch r.verb {
	case "EHLO", "HELO":
		if ok {
			c.helo, c.mail, c.rcpt = true, false, false
			if r.verb == "EHLO" && len(lines) > 1 {
				c.smtpCaps = append([]string(nil), lines[1:]...)
			}
		}
	case "AUTH":
		if code == 235 {
			c.auth = true
		}
	case "MAIL":
		if ok {
			c.mail = true
		}
	case "RCPT":
		if ok {
			c.rcpt = true
		}
	case "RSET":
		if ok {
			c.mail, c.rcpt = false, false
		}
	case "DATA":
		c.mail, c.rcpt = false, false
	case "BDAT":
		if ok && strings.Contains(strings.ToUpper(string(r.line())), "LAST") {
			c.mail, c.rcpt = false, false
		}
	}
}

// smtpHas reports whether EHLO advertised keyword (and, if arg is set,
// that argument).
func (c *conn) smtpHas(keyword, arg string) bool {
	for _, l := range c.smtpCaps {
		f := strings.Fields(strings.ToUpper(l))
		if len(f) == 0 || f[0] != keyword {
			continue
		}
		if arg == "" {
			return true
		}
		for _, a := range f[1:] {
			if a == arg {
				return true
			}
		}
	}
	return false
}

// startTLS runs the TLS handshake after the server's go-ahead. Without a
// TLS configuration, or if the handshake fails, the session is lost.
func (c *conn) startTLS() error {
	if c.t.TLS == nil {
		c.dead = true
		return errLost
	}
	c.nc.SetDeadline(time.Now().Add(c.t.timeout))
	tc := tls.Client(c.raw, c.t.TLS)
	if err := tc.Handshake(); err != nil {
		c.dead = true
		return errLost
	}
	c.nc.SetDeadline(time.Time{})
	c.nc = tc
	c.setReaders()
	c.record(event{kind: evTLS})
	c.tls = true
	// RFC 3207 section 4.2, RFC 9051 section 6.2.1, RFC 2595 section 4:
	// the client discards what it knew of the session.
	c.helo, c.mail, c.rcpt, c.smtpCaps, c.imapCap = false, false, false, nil, nil
	return nil
}

func (c *conn) pop3Exchange(r *rendered, ro role, idx int, st StateSig) (Sig, *Finding, error) {
	var sig Sig
	if err := c.write(r.line(), ro, idx, ""); err != nil {
		f, e := c.failure(err, r.name, st, idx)
		return sig, f, e
	}
	next := 0
	for round := 0; ; round++ {
		c.deadline()
		rep, err := c.pop3.ReadResponse(r.multi)
		if err != nil {
			f, e := c.failure(err, r.name, st, idx)
			return sig, f, e
		}
		cont := rep.Status == "+"
		c.lastRaw = rep.Raw
		c.record(event{kind: evRecv, data: rep.Raw, role: ro, idx: idx, final: !cont, cont: cont, status: rep.Status, multi: r.multi && rep.OK})
		if f := c.judge(rep.Violations, r.name, st, idx); f != nil {
			return sig, f, nil
		}
		sig.Code, sig.Enhanced = rep.Status, rep.Code
		if cont {
			if r.verb != "AUTH" {
				f := malformed(POP3, r.name, st, idx, []wire.Violation{{RFC: "1939", Section: "3", Level: wire.LevelMust,
					Msg: "a continuation (\"+\") answers a command that is not AUTH; responses begin with +OK or -ERR"}}, false)
				return sig, f, nil
			}
			if round >= 8 {
				return sig, nil, errLost
			}
			resp := []byte("*")
			if next < len(r.follow) {
				resp = r.follow[next]
				next++
			}
			if err := c.write(append(append([]byte(nil), resp...), "\r\n"...), ro, idx, ""); err != nil {
				f, e := c.failure(err, r.name, st, idx)
				return sig, f, e
			}
			continue
		}
		c.lastERR = !rep.OK
		if rep.OK {
			switch r.verb {
			case "USER":
				c.user = true
			case "PASS", "APOP", "AUTH":
				c.auth = true
			case "DELE":
				c.dele = true
			case "RSET":
				c.dele = false
			case "QUIT":
				c.announced, c.dead = true, true
			case "STLS":
				return sig, nil, c.startTLS()
			}
		}
		return sig, nil, nil
	}
}

// nextTag returns a new IMAP tag.
func (c *conn) nextTag(prefix string) string {
	c.tagN++
	return prefix + strconv.Itoa(c.tagN)
}

// imapRead reads responses until a continuation request or the tagged
// completion of tag (or of alt, the tag an untagged raw line chose for
// itself). Untagged responses are judged and passed over.
func (c *conn) imapRead(tag, alt, what string, st StateSig, ro role, idx int) (wire.IMAPResponse, *Finding, error) {
	for n := 0; ; n++ {
		if n > 200000 {
			c.dead = true
			return wire.IMAPResponse{}, nil, errLost
		}
		c.deadline()
		rep, err := c.imap.ReadResponse()
		if err != nil {
			f, e := c.failure(err, what, st, idx)
			return rep, f, e
		}
		c.lastRaw = rep.Raw
		mine := rep.Kind == wire.IMAPTagged && (rep.Tag == tag || alt != "" && rep.Tag == alt)
		c.record(event{kind: evRecv, data: rep.Raw, role: ro, idx: idx, cont: rep.Kind == wire.IMAPContinuation,
			final: mine && rep.Tag == tag, status: rep.Status})
		if f := c.judge(rep.Violations, what, st, idx); f != nil {
			return rep, f, nil
		}
		switch rep.Kind {
		case wire.IMAPUntagged:
			if rep.Status == "BYE" {
				c.announced = true
			}
			if rep.Keyword == "EXISTS" && rep.HasNumber {
				c.exists = int(rep.Number)
			}
			if rep.Keyword == "LIST" && ro == roleReach && len(rep.Fields) == 3 {
				c.listed = append(c.listed, rep.Fields[2].Str)
			}
			continue
		case wire.IMAPTagged:
			if !mine {
				f := newFinding(IMAP, TagMismatch, what, st, idx, fmt.Sprintf("a completion tagged %q answers the command tagged %q", rep.Tag, tag))
				if c.lastIdx >= 0 && idx >= 0 && c.lastNeg {
					// After an error answer to the program's previous
					// command: what it left unread came back as a
					// command (a literal, the rest of a line).
					f.Command, f.State, f.cmdIndex = c.lastName, c.lastState, c.lastIdx
					f.Summary = "after the answer to " + c.lastName + ", " + f.Summary
				}
				return rep, f, nil
			}
		}
		return rep, nil, nil
	}
}

func (c *conn) imapExchange(r *rendered, ro role, idx int, st StateSig) (Sig, *Finding, error) {
	var sig Sig
	if r.untagged {
		return c.imapUntagged(r, ro, idx, st)
	}
	prefix := "f"
	switch ro {
	case roleReach:
		prefix = "r"
	case roleProbe:
		prefix = "p"
	}
	tag := c.nextTag(prefix)
	buf := []byte(tag + " ")
	var rep wire.IMAPResponse
	for _, s := range r.segs {
		if !s.lit {
			buf = append(buf, s.text...)
			continue
		}
		buf = append(buf, litHeader(s)...)
		if s.nonSync && s.decl < 0 {
			buf = append(buf, s.text...)
			continue
		}
		if err := c.write(buf, ro, idx, tag); err != nil {
			f, e := c.failure(err, r.name, st, idx)
			return sig, f, e
		}
		buf = nil
		var f *Finding
		var err error
		rep, f, err = c.imapRead(tag, "", r.name, st, ro, idx)
		if f != nil || err != nil {
			return sig, f, err
		}
		if rep.Kind == wire.IMAPTagged {
			// The server refused the literal and ended the command.
			sig.Code, sig.Enhanced = rep.Status, rep.Code
			c.imapState(r, rep, ro)
			return sig, nil, nil
		}
		if s.decl >= 0 {
			// A literal too large to send was granted: the session
			// cannot go on.
			c.dead = true
			return sig, nil, errLost
		}
		buf = append(buf, s.text...)
	}
	buf = append(buf, r.eol...)
	if err := c.write(buf, ro, idx, tag); err != nil {
		f, e := c.failure(err, r.name, st, idx)
		return sig, f, e
	}
	next := 0
	for round := 0; ; round++ {
		var f *Finding
		var err error
		rep, f, err = c.imapRead(tag, "", r.name, st, ro, idx)
		if f != nil || err != nil {
			return sig, f, err
		}
		if rep.Kind == wire.IMAPContinuation {
			var resp []byte
			switch {
			case round >= 8:
				c.dead = true
				return sig, nil, errLost
			case r.verb == "IDLE":
				resp = []byte("DONE")
			case r.verb == "AUTHENTICATE":
				resp = []byte("*")
				if next < len(r.follow) {
					resp = r.follow[next]
					next++
				}
			default:
				// A continuation the fuzzer did not ask for.
				c.dead = true
				return sig, nil, errLost
			}
			if err := c.write(append(append([]byte(nil), resp...), "\r\n"...), ro, idx, tag); err != nil {
				f, e := c.failure(err, r.name, st, idx)
				return sig, f, e
			}
			continue
		}
		break
	}
	sig.Code, sig.Enhanced = rep.Status, rep.Code
	if rep.Status == "" {
		sig.Code = rep.Keyword
	}
	return sig, nil, c.imapState(r, rep, ro)
}

// imapUntagged sends a line without the fuzzer's tag, then a NOOP whose
// completion marks the end of the line's answers. A completion tagged
// with the line's first token answers the line itself.
func (c *conn) imapUntagged(r *rendered, ro role, idx int, st StateSig) (Sig, *Finding, error) {
	var sig Sig
	line := r.line()
	tag := c.nextTag("s")
	alt := string(line[:tokenEnd(line, 0)])
	if alt == tag {
		line = append([]byte("x"), line...)
		alt = "x" + alt
	}
	if err := c.write(line, ro, idx, ""); err != nil {
		f, e := c.failure(err, r.name, st, idx)
		return sig, f, e
	}
	if c.doRec {
		c.rec[len(c.rec)-1].alt = alt
	}
	if err := c.write([]byte(tag+" NOOP\r\n"), ro, idx, tag); err != nil {
		f, e := c.failure(err, r.name, st, idx)
		return sig, f, e
	}
	sig.Code = "-"
	for {
		rep, f, err := c.imapRead(tag, alt, r.name, st, ro, idx)
		if f != nil || err != nil {
			return sig, f, err
		}
		if rep.Kind == wire.IMAPContinuation {
			c.dead = true
			return sig, nil, errLost
		}
		if rep.Tag == tag {
			return sig, nil, nil
		}
		// The line's own completion.
		sig.Code, sig.Enhanced = rep.Status, rep.Code
		verb, _ := verbOf(IMAP, line[min(len(alt)+1, len(line)):])
		rr := *r
		rr.verb = verb
		if err := c.imapState(&rr, rep, ro); err != nil {
			return sig, nil, err
		}
	}
}

// imapState follows the session after a tagged completion.
func (c *conn) imapState(r *rendered, rep wire.IMAPResponse, ro role) error {
	ok := rep.Status == "OK"
	if rep.Code == "CAPABILITY" {
		c.imapCap = strings.Fields(rep.CodeArgs)
	}
	switch r.verb {
	case "LOGIN", "AUTHENTICATE":
		if ok {
			c.auth, c.phase = true, "authenticated"
		}
	case "SELECT", "EXAMINE":
		switch rep.Status {
		case "OK":
			c.phase = "selected"
			c.inbox = ro == roleReach
		case "NO":
			if c.auth {
				c.phase = "authenticated"
			}
			c.inbox = false
		}
	case "CLOSE", "UNSELECT":
		if ok && c.phase == "selected" {
			c.phase, c.inbox = "authenticated", false
		}
	case "UNAUTHENTICATE":
		if ok {
			c.auth, c.phase, c.inbox = false, "not-authenticated", false
		}
	case "LOGOUT":
		c.announced, c.dead = true, true
	case "COMPRESS":
		if ok {
			c.dead = true
			return errLost
		}
	case "STARTTLS":
		if ok {
			return c.startTLS()
		}
	case "RENAME", "DELETE":
		// INBOX may be gone or emptied under the session.
		c.inbox = false
	}
	if c.announced {
		c.dead = true
	}
	return nil
}

// imapHas reports whether the server advertised capability name.
func (c *conn) imapHas(name string) bool {
	for _, cp := range c.imapCap {
		if strings.EqualFold(cp, name) {
			return true
		}
	}
	return false
}

// own renders one of the fuzzer's own commands.
func own(p Protocol, name, line string) *rendered {
	v, _ := verbOf(p, []byte(line))
	return &rendered{name: name, verb: v, segs: []seg{{text: []byte(line), decl: -1}}, eol: "\r\n"}
}

// ownFollow renders one of the fuzzer's own commands with follow-ups.
func ownFollow(p Protocol, name, line string, follow ...string) *rendered {
	r := own(p, name, line)
	for _, f := range follow {
		r.follow = append(r.follow, []byte(f))
	}
	return r
}

// reachStep runs one of the fuzzer's own commands and checks its answer.
func (c *conn) reachStep(r *rendered, want func(Sig) bool) (*Finding, error) {
	sig, f, err := c.exchange(r, roleReach, -1)
	if f != nil || err != nil {
		return f, err
	}
	c.sigs = append(c.sigs, sig)
	if c.dead || !want(sig) {
		return nil, fmt.Errorf("%w: %s answered %s", errUnreached, r.name, sig.Code)
	}
	return nil, nil
}

func codeIs(codes ...string) func(Sig) bool {
	return func(s Sig) bool {
		for _, c := range codes {
			if s.Code == c {
				return true
			}
		}
		return false
	}
}

// reach drives the session from where it is to state s.
func (c *conn) reach(s State) (*Finding, error) {
	if c.dead {
		return nil, errUnreached
	}
	switch c.t.Protocol {
	case SMTP:
		return c.reachSMTP(s)
	case POP3:
		return c.reachPOP3(s)
	}
	return c.reachIMAP(s)
}

func (c *conn) reachSMTP(s State) (*Finding, error) {
	if s == Greeted {
		if c.helo || c.mail || c.auth {
			return nil, errUnreached
		}
		return nil, nil
	}
	ehlo := func() (*Finding, error) {
		return c.reachStep(own(SMTP, "EHLO", "EHLO "+c.t.clientName()), codeIs("250"))
	}
	if !c.helo {
		if f, err := ehlo(); f != nil || err != nil {
			return f, err
		}
	}
	if (c.mail || c.rcpt) && (s == Authenticated || s == Selected) {
		if f, err := c.reachStep(own(SMTP, "RSET", "RSET"), codeIs("250")); f != nil || err != nil {
			return f, err
		}
	}
	if !c.auth {
		if !c.smtpHas("AUTH", "") && !c.tls && c.smtpHas("STARTTLS", "") && c.t.TLS != nil {
			if f, err := c.reachStep(own(SMTP, "STARTTLS", "STARTTLS"), codeIs("220")); f != nil || err != nil {
				return f, err
			}
			if f, err := ehlo(); f != nil || err != nil {
				return f, err
			}
		}
		switch {
		case c.smtpHas("AUTH", "PLAIN"):
			plain := base64.StdEncoding.EncodeToString([]byte("\x00" + c.acct.user + "\x00" + c.acct.password))
			if f, err := c.reachStep(own(SMTP, "AUTH", "AUTH PLAIN "+plain), codeIs("235")); f != nil || err != nil {
				return f, err
			}
		case c.smtpHas("AUTH", "LOGIN"):
			enc := base64.StdEncoding.EncodeToString
			r := ownFollow(SMTP, "AUTH", "AUTH LOGIN", enc([]byte(c.acct.user)), enc([]byte(c.acct.password)))
			if f, err := c.reachStep(r, codeIs("235")); f != nil || err != nil {
				return f, err
			}
		}
		// A server without AUTH (an MX) is fuzzed unauthenticated.
	}
	if s == Selected {
		if f, err := c.reachStep(own(SMTP, "MAIL", "MAIL FROM:<"+c.acct.address+">"), codeIs("250")); f != nil || err != nil {
			return f, err
		}
		if f, err := c.reachStep(own(SMTP, "RCPT", "RCPT TO:<"+c.acct.address+">"), codeIs("250", "251")); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

func (c *conn) reachPOP3(s State) (*Finding, error) {
	if s == Greeted {
		if c.auth || c.user {
			return nil, errUnreached
		}
		return nil, nil
	}
	if c.auth {
		if c.dele {
			return c.reachStep(own(POP3, "RSET", "RSET"), codeIs("+OK"))
		}
		return nil, nil
	}
	sig, f, err := c.exchange(own(POP3, "USER", "USER "+c.acct.user), roleReach, -1)
	if f != nil || err != nil {
		return f, err
	}
	c.sigs = append(c.sigs, sig)
	if sig.Code != "+OK" && !c.tls && c.t.TLS != nil && !c.dead {
		// USER may be refused before TLS (RFC 2595 section 4).
		if f, err := c.reachStep(own(POP3, "STLS", "STLS"), codeIs("+OK")); f != nil || err != nil {
			return f, err
		}
		if sig, f, err = c.exchange(own(POP3, "USER", "USER "+c.acct.user), roleReach, -1); f != nil || err != nil {
			return f, err
		}
		c.sigs = append(c.sigs, sig)
	}
	if sig.Code == "+OK" {
		return c.reachStep(own(POP3, "PASS", "PASS "+c.acct.password), codeIs("+OK"))
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + c.acct.user + "\x00" + c.acct.password))
	return c.reachStep(own(POP3, "AUTH", "AUTH PLAIN "+plain), codeIs("+OK"))
}

func (c *conn) reachIMAP(s State) (*Finding, error) {
	if s == Greeted {
		if c.auth {
			return nil, errUnreached
		}
		return nil, nil
	}
	if !c.auth {
		if c.imapCap == nil {
			if f, err := c.reachStep(own(IMAP, "CAPABILITY", "CAPABILITY"), codeIs("OK")); f != nil || err != nil {
				return f, err
			}
		}
		if c.imapHas("LOGINDISABLED") && c.imapHas("STARTTLS") && !c.tls && c.t.TLS != nil {
			if f, err := c.reachStep(own(IMAP, "STARTTLS", "STARTTLS"), codeIs("OK")); f != nil || err != nil {
				return f, err
			}
		}
		line := "LOGIN " + quoteIMAP(c.acct.user) + " " + quoteIMAP(c.acct.password)
		if f, err := c.reachStep(own(IMAP, "LOGIN", line), codeIs("OK")); f != nil || err != nil {
			return f, err
		}
	}
	switch {
	case s == Authenticated && c.phase == "selected":
		if !c.imapHas("UNSELECT") {
			return nil, errUnreached
		}
		return c.reachStep(own(IMAP, "CLOSE", "UNSELECT"), codeIs("OK"))
	case s == Selected && !(c.phase == "selected" && c.inbox):
		c.exists = 0
		f, err := c.reachStep(own(IMAP, "SELECT", "SELECT INBOX"), codeIs("OK"))
		if err != nil || f != nil {
			return f, err
		}
		c.inbox = true
		if !c.t.inProcess && (c.exists > maxInbox || c.t.cleanDue()) {
			return c.cleanIMAP()
		}
	}
	return nil, nil
}

// cleanIMAP clears what the fuzzer piles up in a live server's
// disposable account before every command turns slow: INBOX's messages
// (APPEND, SMTP deliveries), the mailboxes under "mailspec-fuzz" (CREATE,
// COPY, MOVE, RENAME), and the messages of every other mailbox (APPEND
// and RENAME INBOX reach any name the dictionary holds). The session has
// INBOX selected, and has it again at the end.
func (c *conn) cleanIMAP() (*Finding, error) {
	if f, err := c.expungeAll(); f != nil || err != nil {
		return f, err
	}
	c.listed = c.listed[:0]
	if f, err := c.reachStep(own(IMAP, "LIST", `LIST "" "*"`), codeIs("OK", "NO")); f != nil || err != nil {
		return f, err
	}
	var fuzz, others []string
	for _, n := range c.listed {
		switch {
		case strings.ContainsFunc(n, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			// Not to be sent quoted; the fuzzer makes no such name.
		case strings.HasPrefix(n, "mailspec-fuzz"):
			fuzz = append(fuzz, n)
		case !strings.EqualFold(n, "INBOX"):
			others = append(others, n)
		}
	}
	// The fuzzer's own mailboxes go, children first.
	sort.Slice(fuzz, func(i, j int) bool { return len(fuzz[i]) > len(fuzz[j]) })
	for _, n := range fuzz {
		if f, err := c.reachStep(own(IMAP, "DELETE", "DELETE "+quoteIMAP(n)), codeIs("OK", "NO", "BAD")); f != nil || err != nil {
			return f, err
		}
	}
	// The others stay, emptied.
	for _, n := range others {
		c.exists = 0
		if f, err := c.reachStep(own(IMAP, "SELECT", "SELECT "+quoteIMAP(n)), codeIs("OK", "NO", "BAD")); f != nil || err != nil {
			return f, err
		}
		if c.phase == "selected" && c.exists > 0 {
			if f, err := c.expungeAll(); f != nil || err != nil {
				return f, err
			}
		}
	}
	if len(others) == 0 {
		return nil, nil
	}
	c.exists = 0
	if f, err := c.reachStep(own(IMAP, "SELECT", "SELECT INBOX"), codeIs("OK")); f != nil || err != nil {
		return f, err
	}
	c.inbox = true
	return nil, nil
}

// expungeAll removes every message of the selected mailbox.
func (c *conn) expungeAll() (*Finding, error) {
	steps := []*rendered{
		own(IMAP, "STORE", `UID STORE 1:* +FLAGS.SILENT (\Deleted)`),
		own(IMAP, "EXPUNGE", "EXPUNGE"),
	}
	for _, r := range steps {
		if f, err := c.reachStep(r, codeIs("OK", "NO")); f != nil || err != nil {
			return f, err
		}
	}
	return nil, nil
}

// maxInbox is the most messages the fuzzer lets a live server's INBOX
// hold (the account is disposable).
const maxInbox = 50

// probe sends a NOOP after the program: its answer shows the connection
// is still there. What it finds is laid at the door of the last command.
func (c *conn) probe() *Finding {
	if c.dead || c.announced {
		return nil
	}
	name, st, idx := c.lastName, c.lastState, c.lastIdx
	r := own(c.t.Protocol, "NOOP", "NOOP")
	_, f, _ := c.exchange(r, roleProbe, -1)
	if f != nil && idx >= 0 {
		f.Command, f.State, f.cmdIndex = name, st, idx
		if f.Kind == Disconnect {
			f.Summary = "after answering " + name + ", the server closed the connection (the next command got no answer)"
		} else {
			f.Summary = "after " + name + ": " + f.Summary
		}
	}
	return f
}

// exStart returns the exchange of the program's command idx, or fallback
// when the command was not the fuzzer's or was not recorded.
func (c *conn) exStart(idx, fallback int) int {
	if idx >= 0 {
		for _, e := range c.rec {
			if e.role == roleFuzz && e.idx == idx {
				return e.ex
			}
		}
	}
	return fallback
}
