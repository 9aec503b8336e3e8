package transcripts

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Verdict is how a case ended.
type Verdict string

// The four verdicts.
const (
	// Pass: the server met the requirement.
	Pass Verdict = "pass"
	// Fail: the server violated the requirement (a reply that never comes
	// within the deadline is a violation of the protocol's reply rule).
	Fail Verdict = "fail"
	// NotApplicable: the server lacks the capability or the profile what
	// the case needs. Never a failure.
	NotApplicable Verdict = "not-applicable"
	// Error: the harness could not run the case, for a reason that is not
	// the server's fault.
	Error Verdict = "error"
)

// Outcome is the result of running one case against one target.
type Outcome struct {
	Verdict  Verdict
	Reason   string // one sentence
	Expected string
	Got      string
	Line     int // the transcript line of the step that decided a failure
	// FailedAt is the index in Entries of the last entry recorded when the
	// failure was decided (the failing exchange), or -1.
	FailedAt   int
	Violations []wire.Violation
	Entries    []Entry
	Duration   time.Duration
}

// EndpointInfo is what the pre-flight check learnt of an endpoint.
type EndpointInfo struct {
	Endpoint      Endpoint
	CapsBeforeTLS []string
	CapsAfterTLS  []string
	TLSVersion    string
	TLSCipher     string
}

// Env is what a case runs against: a profile, what pre-flight learnt of
// its endpoints, session options and the run id.
type Env struct {
	Profile *Profile
	Info    map[string]EndpointInfo // by scheme
	Options Options
	RunID   string
}

// Vars returns the replay variables of the profile: user, password,
// quser, qpassword (IMAP quoted), b64user, b64password, plain (the SASL
// PLAIN payload in base64), badpassword and badplain (certainly wrong
// credentials), address and domain for the first account;
// the same with a 2 suffix for the second; runid and client.
func (e *Env) Vars() map[string]string {
	v := map[string]string{"runid": e.RunID}
	if e.Options.ClientName != "" {
		v["client"] = e.Options.ClientName
	} else {
		v["client"] = "mailspec.test"
	}
	for i, a := range e.Profile.Accounts {
		s := suffixOf(i + 1)
		v["user"+s] = a.User
		v["password"+s] = a.Password
		v["quser"+s] = quoteIMAP(a.User)
		v["qpassword"+s] = quoteIMAP(a.Password)
		v["b64user"+s] = base64.StdEncoding.EncodeToString([]byte(a.User))
		v["b64password"+s] = base64.StdEncoding.EncodeToString([]byte(a.Password))
		v["plain"+s] = base64.StdEncoding.EncodeToString([]byte("\x00" + a.User + "\x00" + a.Password))
		v["plainz"+s] = base64.StdEncoding.EncodeToString([]byte(a.User + "\x00" + a.User + "\x00" + a.Password))
		// A password that is certainly wrong, for failure cases.
		v["badpassword"+s] = "mailspec-wrong-" + e.RunID
		v["badplain"+s] = base64.StdEncoding.EncodeToString([]byte("\x00" + a.User + "\x00" + v["badpassword"+s]))
		if a.Address != "" {
			v["address"+s] = a.Address
			if _, d, ok := strings.Cut(a.Address, "@"); ok {
				v["domain"+s] = d
			}
		}
	}
	return v
}

// SelectEndpoint picks the endpoint a script runs on: its @endpoint, or
// else the protocol's plain endpoint, else its implicit TLS one (and for
// SMTP, submission). ok is false when the profile has none.
func (e *Env) SelectEndpoint(s *script.Script) (Endpoint, bool) {
	if s.Endpoint != "" {
		return e.Profile.Endpoint(s.Endpoint)
	}
	var order []string
	switch Protocol(s.Protocol) {
	case SMTP:
		order = []string{"smtp", "submission", "smtps"}
	case IMAP:
		order = []string{"imap", "imaps"}
	case POP3:
		order = []string{"pop3", "pop3s"}
	}
	for _, sc := range order {
		if ep, ok := e.Profile.Endpoint(sc); ok {
			return ep, true
		}
	}
	return Endpoint{}, false
}

// Applicable reports whether a script can run against env, and why not.
func (e *Env) Applicable(s *script.Script) (Endpoint, string) {
	ep, ok := e.SelectEndpoint(s)
	if !ok {
		want := s.Endpoint
		if want == "" {
			want = s.Protocol
		}
		return ep, "the profile has no " + want + " endpoint"
	}
	for _, st := range s.Steps {
		if st.Kind == script.StartTLS && ep.Security == Implicit {
			return ep, "the case starts TLS in-session and " + ep.URL + " is implicit TLS"
		}
	}
	for _, n := range s.Needs {
		switch n {
		case "disposable":
			if len(e.Profile.Accounts) == 0 || !e.Profile.Accounts[0].Disposable {
				return ep, "the case needs a disposable account"
			}
		case "second-account":
			if len(e.Profile.Accounts) < 2 {
				return ep, "the case needs a second account"
			}
		case "tls-required":
			if !ep.TLSRequiredForAuth {
				return ep, "the profile does not claim " + ep.URL + " requires TLS before authentication"
			}
		case "max-size":
			if e.Profile.Claims.MaxMessageSize == 0 {
				return ep, "the profile claims no maximum message size"
			}
		case "address":
			if len(e.Profile.Accounts) == 0 || e.Profile.Accounts[0].Address == "" {
				return ep, "the account has no mail address"
			}
		default:
			return ep, "unknown profile property " + strconv.Quote(n)
		}
	}
	info := e.Info[ep.Scheme]
	for _, c := range s.Requires {
		if c == "CAPA" && ep.Protocol == POP3 && len(info.CapsBeforeTLS)+len(info.CapsAfterTLS) > 0 {
			continue // RFC 2449: the server answered CAPA with a list
		}
		if !hasCap(info.CapsBeforeTLS, c) && !hasCap(info.CapsAfterTLS, c) {
			return ep, "the server does not advertise " + c
		}
	}
	return ep, ""
}

// Replay runs a transcript script against env and judges the server.
func Replay(ctx context.Context, s *script.Script, env *Env) Outcome {
	start := time.Now()
	ep, why := env.Applicable(s)
	if why != "" {
		return Outcome{Verdict: NotApplicable, Reason: why}
	}
	rec := NewRecorder()
	for i, a := range env.Profile.Accounts {
		rec.Credentials(i+1, a.User, a.Password)
	}
	opts := env.Options
	opts.Recorder = rec
	if opts.TLS == nil {
		cfg, err := env.Profile.TLSConfig(ep)
		if err != nil {
			return Outcome{Verdict: Error, Reason: err.Error()}
		}
		opts.TLS = cfg
	}
	r := &replayer{ctx: ctx, s: s, ep: ep, opts: opts, vars: env.Vars(), conns: map[string]*rconn{}}
	out := r.run()
	out.FailedAt = -1
	if out.Verdict == Fail {
		// The exchange that decided the failure is the last one recorded
		// before cleanup.
		out.FailedAt = len(rec.Entries()) - 1
	}
	for _, c := range r.conns {
		r.cleanup(c)
	}
	out.Entries = rec.Entries()
	out.Duration = time.Since(start)
	return out
}

// cleanup ends a connection the script left open. It is not judged. A
// POP3 session gets QUIT and the server's close is awaited: the server
// holds the maildrop lock until it has processed the end of the session
// (RFC 1939 section 8), and the next case may log in to the same maildrop.
func (r *replayer) cleanup(c *rconn) {
	defer c.sess.conn.Close()
	if c.sess.Endpoint.Protocol != POP3 {
		return
	}
	c.sess.rec.Record(c.sess.Conn, Note, []byte("cleanup, not judged: QUIT and wait for the server to close"))
	if c.sess.Send("QUIT") == nil {
		WaitClosed(c.sess)
	}
}

// WaitClosed reads and discards until the server closes the connection or
// the session's deadline passes.
func WaitClosed(s *Session) {
	s.conn.SetReadDeadline(time.Now().Add(s.opts.Timeout))
	buf := make([]byte, 512)
	for {
		if _, err := s.conn.Read(buf); err != nil {
			return
		}
	}
}

type rconn struct {
	sess  *Session
	lines []unit // received and not yet matched (SMTP reply lines, POP3 lines)
	// awaiting is true from a connection's start or a send until the next
	// reply is read: only then may S*: read a new reply.
	awaiting bool
}

// unit is one matchable piece of server output: an SMTP reply line, a POP3
// line, or a whole IMAP response.
type unit struct {
	raw        []byte
	display    string
	imap       *wire.IMAPResponse
	violations []wire.Violation
}

type replayer struct {
	ctx   context.Context
	s     *script.Script
	ep    Endpoint
	opts  Options
	vars  map[string]string
	conns map[string]*rconn
	cur   string
	// violations seen in replies that matched; they fail the case.
	violations []wire.Violation
}

type stepFail struct {
	verdict  Verdict
	line     int
	reason   string
	expected string
	got      string
}

func (f *stepFail) Error() string { return f.reason }

// noReply is the failure of a read that timed out.
type noReply struct{ *stepFail }

func (n *noReply) Is(target error) bool { return target == errNoReply }
func (n *noReply) Unwrap() error        { return n.stepFail }

var errNoReply = errors.New("no reply")

func (r *replayer) failf(st script.Step, expected, got, format string, args ...any) *stepFail {
	return &stepFail{verdict: Fail, line: st.Line, expected: expected, got: got,
		reason: fmt.Sprintf("%s:%d: %s", r.s.File, st.Line, fmt.Sprintf(format, args...))}
}

func (r *replayer) errorf(st script.Step, format string, args ...any) *stepFail {
	return &stepFail{verdict: Error, line: st.Line, reason: fmt.Sprintf("%s:%d: %s", r.s.File, st.Line, fmt.Sprintf(format, args...))}
}

func (r *replayer) run() Outcome {
	r.cur = "1"
	steps := r.s.Steps
	for i := 0; i < len(steps); {
		n, err := r.step(steps, i)
		if err != nil {
			var sf *stepFail
			if !errors.As(err, &sf) {
				sf = r.errorf(steps[i], "%v", err)
			}
			return Outcome{Verdict: sf.verdict, Reason: sf.reason, Expected: sf.expected, Got: sf.got, Line: sf.line, Violations: r.violations}
		}
		i += n
	}
	if len(r.violations) > 0 {
		v := r.violations[0]
		return Outcome{Verdict: Fail, Reason: "protocol violation: " + v.String(), Violations: r.violations}
	}
	return Outcome{Verdict: Pass}
}

func (r *replayer) conn(st script.Step) (*rconn, error) {
	if c, ok := r.conns[r.cur]; ok {
		return c, nil
	}
	sess, err := Dial(r.ctx, r.ep, r.opts)
	if err != nil {
		if strings.Contains(err.Error(), "tls handshake") {
			return nil, r.failf(st, "a TLS handshake", err.Error(), "implicit TLS handshake failed (RFC 8314 section 3.2): %v", err)
		}
		return nil, r.errorf(st, "connection %s: %v", r.cur, err)
	}
	c := &rconn{sess: sess, awaiting: true}
	r.conns[r.cur] = c
	return c, nil
}

// step runs the step at i and returns how many steps it consumed.
func (r *replayer) step(steps []script.Step, i int) (int, error) {
	st := steps[i]
	switch st.Kind {
	case script.Comment:
		return 1, nil
	case script.Conn:
		r.cur = st.Text
		return 1, nil
	case script.Send:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		c.awaiting = true
		return 1, r.send(c, st)
	case script.SendRaw:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		b, err := st.Wire(r.vars)
		if err != nil {
			return 0, r.errorf(st, "%v", err)
		}
		c.awaiting = true
		if err := c.sess.SendRaw(b); err != nil {
			return 0, r.sendFail(st, err)
		}
		return 1, nil
	case script.Expect, script.ExpectRaw, script.ExpectMany:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		if r.ep.Protocol == IMAP && !r.s.Ordered {
			return r.expectIMAPGroup(c, steps, i)
		}
		return 1, r.expectLine(c, steps, i)
	case script.ExpectClose:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		if len(c.lines) > 0 {
			return 0, r.failf(st, "the server closes the connection", c.lines[0].display, "the server sent more instead of closing")
		}
		got, err := c.sess.ExpectClose()
		if err != nil {
			return 0, r.failf(st, "the server closes the connection", err.Error(), "the server did not close the connection: %v", err)
		}
		if got != nil {
			return 0, r.failf(st, "the server closes the connection", script.Display(r.s.Protocol, got), "the server sent more instead of closing")
		}
		return 1, nil
	case script.ExpectSilence:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		if len(c.lines) > 0 {
			return 0, r.failf(st, "no reply for "+st.Duration.String(), c.lines[0].display, "the server replied too early")
		}
		got, err := c.sess.ExpectSilence(st.Duration)
		if err != nil {
			return 0, r.failf(st, "no reply for "+st.Duration.String(), err.Error(), "%v", err)
		}
		if got != nil {
			return 0, r.failf(st, "no reply for "+st.Duration.String(), script.Display(r.s.Protocol, got), "the server replied too early")
		}
		return 1, nil
	case script.StartTLS:
		c, err := r.conn(st)
		if err != nil {
			return 0, err
		}
		if len(c.lines) > 0 {
			return 0, r.failf(st, "the TLS handshake", c.lines[0].display, "the server sent more after its TLS go-ahead")
		}
		if err := c.sess.StartTLS(r.ctx); err != nil {
			return 0, r.failf(st, "the TLS handshake", err.Error(), "STARTTLS failed: %v", err)
		}
		return 1, nil
	case script.Close:
		if c, ok := r.conns[r.cur]; ok {
			c.sess.Close()
			delete(r.conns, r.cur)
		}
		return 1, nil
	}
	return 0, r.errorf(st, "unknown step kind %v", st.Kind)
}

func (r *replayer) sendFail(st script.Step, err error) error {
	if errors.Is(err, ErrClosed) {
		return r.failf(st, "the connection stays open", err.Error(), "the server closed the connection before the command was sent")
	}
	return r.errorf(st, "send: %v", err)
}

func (r *replayer) send(c *rconn, st script.Step) error {
	segs, err := st.Expand(r.vars)
	if err != nil {
		return r.errorf(st, "%v", err)
	}
	var buf []byte
	for _, seg := range segs {
		if !seg.IsLiteral {
			buf = append(buf, seg.Text...)
			continue
		}
		if seg.NonSync {
			buf = fmt.Appendf(buf, "{%d+}\r\n", len(seg.Literal))
			buf = append(buf, seg.Literal...)
			continue
		}
		buf = fmt.Appendf(buf, "{%d}\r\n", len(seg.Literal))
		if err := c.sess.SendRaw(buf); err != nil {
			return r.sendFail(st, err)
		}
		buf = buf[:0]
		rep, err := c.sess.ReadIMAP()
		if err != nil {
			return r.readFail(st, "a continuation request (+) for the literal", err)
		}
		if rep.Kind != wire.IMAPContinuation {
			return r.failf(st, "+ (continuation request)", script.Display("imap", rep.Raw),
				"the server did not send a continuation request for a synchronising literal (RFC 9051 section 4.3)")
		}
		buf = append(buf, seg.Literal...)
	}
	buf = append(buf, '\r', '\n')
	if err := c.sess.SendRaw(buf); err != nil {
		return r.sendFail(st, err)
	}
	return nil
}

func (r *replayer) readFail(st script.Step, expected string, err error) error {
	switch {
	case errors.Is(err, ErrTimeout):
		sf := r.failf(st, expected, "nothing within "+r.opts.Timeout.String(), "no reply within %s: %s", r.opts.Timeout, replyRule(r.ep.Protocol))
		return &noReply{sf}
	case errors.Is(err, ErrClosed):
		return r.failf(st, expected, "connection closed", "the server closed the connection: %v", err)
	case errors.Is(err, wire.ErrLimit):
		return r.failf(st, expected, err.Error(), "the reply exceeds the harness's limits: %v", err)
	}
	return r.errorf(st, "read: %v", err)
}

// replyRule names the requirement a missing reply violates.
func replyRule(p Protocol) string {
	switch p {
	case SMTP:
		return "RFC 5321 section 4.2 requires a reply to every command"
	case POP3:
		return "RFC 1939 section 3 requires a response to every command"
	case IMAP:
		return "RFC 9051 section 2.2.2 requires a completion result response for every command"
	}
	return "the server must reply"
}

// next returns the next unmatched server unit on c, reading if needed.
func (r *replayer) next(c *rconn, st script.Step, steps []script.Step, i int) (unit, error) {
	if len(c.lines) > 0 {
		u := c.lines[0]
		c.lines = c.lines[1:]
		return u, nil
	}
	c.awaiting = false
	switch c.sess.Endpoint.Protocol {
	case SMTP:
		rep, err := c.sess.ReadSMTP()
		if err != nil {
			return unit{}, r.readFail(st, st.Text, err)
		}
		r.violations = append(r.violations, rep.Violations...)
		c.lines = splitLines(r.s.Protocol, rep.Raw)
	case POP3:
		rep, err := c.sess.ReadPOP3(pop3Multiline(steps, i))
		if err != nil {
			return unit{}, r.readFail(st, st.Text, err)
		}
		r.violations = append(r.violations, rep.Violations...)
		c.lines = splitLines(r.s.Protocol, rep.Raw)
	case IMAP:
		rep, err := c.sess.ReadIMAP()
		if err != nil {
			return unit{}, r.readFail(st, st.Text, err)
		}
		r.violations = append(r.violations, rep.Violations...)
		return unit{raw: rep.Raw, display: script.Display("imap", rep.Raw), imap: &rep}, nil
	}
	if len(c.lines) == 0 {
		return unit{}, r.errorf(st, "empty reply")
	}
	u := c.lines[0]
	c.lines = c.lines[1:]
	return u, nil
}

// pop3Multiline: a POP3 response is read as multi-line when the
// expectations that follow the command end with the terminating ".".
func pop3Multiline(steps []script.Step, i int) bool {
	for j := i; j < len(steps); j++ {
		st := steps[j]
		switch st.Kind {
		case script.Expect, script.ExpectMany:
			if st.Text == "." {
				return true
			}
		case script.ExpectRaw:
			if bytes.Equal(st.Raw, []byte(".\r\n")) || bytes.Equal(st.Raw, []byte(".\n")) {
				return true
			}
		case script.Comment:
		default:
			return false
		}
	}
	return false
}

func splitLines(proto string, raw []byte) []unit {
	var out []unit
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		var line []byte
		if i < 0 {
			line, raw = raw, nil
		} else {
			line, raw = raw[:i+1], raw[i+1:]
		}
		out = append(out, unit{raw: line, display: script.Display(proto, line)})
	}
	return out
}

func (r *replayer) match(st script.Step, u unit) (bool, error) {
	if st.Kind == script.ExpectRaw {
		return bytes.Equal(st.Raw, u.raw), nil
	}
	p, err := script.CompilePattern(st.Text)
	if err != nil {
		return false, r.errorf(st, "%v", err)
	}
	caps, ok, err := p.Match(u.display, r.vars)
	if err != nil {
		return false, r.errorf(st, "%v", err)
	}
	if ok {
		for k, v := range caps {
			r.vars[k] = v
		}
	}
	return ok, nil
}

func expectedText(st script.Step) string {
	if st.Kind == script.ExpectRaw {
		return "exactly " + script.Escape(st.Raw)
	}
	return st.Text
}

// expectLine matches one step in order (SMTP, POP3, ordered IMAP).
func (r *replayer) expectLine(c *rconn, steps []script.Step, i int) error {
	st := steps[i]
	if st.Kind == script.ExpectMany {
		for {
			if len(c.lines) == 0 && !c.awaiting {
				return nil
			}
			u, err := r.next(c, st, steps, i)
			if err != nil {
				return err
			}
			ok, err := r.match(st, u)
			if err != nil {
				return err
			}
			// The terminating "." of a POP3 multi-line response is never
			// a body line (body lines beginning with "." are stuffed).
			if r.ep.Protocol == POP3 && string(u.raw) == ".\r\n" {
				ok = false
			}
			if !ok {
				c.lines = append([]unit{u}, c.lines...)
				return nil
			}
		}
	}
	u, err := r.next(c, st, steps, i)
	if err != nil {
		return err
	}
	ok, err := r.match(st, u)
	if err != nil {
		return err
	}
	if !ok {
		return r.failf(st, expectedText(st), u.display, "expected %q, got %q", expectedText(st), u.display)
	}
	return nil
}

// expectIMAPGroup matches a run of expectations against IMAP responses:
// untagged ones in any order before the tagged completion or continuation
// that ends the group (RFC 9051 section 2.2.2: the client MUST be prepared
// to accept any response at any time, so unexpected untagged responses are
// allowed and recorded).
func (r *replayer) expectIMAPGroup(c *rconn, steps []script.Step, i int) (int, error) {
	j := i
	var untagged []script.Step
	var final *script.Step
	for ; j < len(steps); j++ {
		st := steps[j]
		if st.Kind == script.Comment {
			continue
		}
		if st.Kind != script.Expect && st.Kind != script.ExpectRaw && st.Kind != script.ExpectMany {
			break
		}
		if isUntaggedPattern(st) {
			untagged = append(untagged, st)
			continue
		}
		final = &steps[j]
		j++
		break
	}
	matched := make([]bool, len(untagged))
	remaining := func() int {
		n := 0
		for k, m := range matched {
			if !m && untagged[k].Kind != script.ExpectMany {
				n++
			}
		}
		return n
	}
	var extra []string
	first := steps[i]
	for {
		if final == nil && remaining() == 0 {
			return j - i, nil
		}
		want := first
		if final != nil {
			want = *final
		}
		u, err := r.next(c, want, steps, i)
		if err != nil {
			if len(extra) > 0 && errors.Is(err, errNoReply) {
				return 0, r.failf(want, unmatchedList(untagged, matched), strings.Join(extra, " | "),
					"expected %s; the server sent only other responses", unmatchedList(untagged, matched))
			}
			return 0, err
		}
		tagged := u.imap != nil && u.imap.Kind != wire.IMAPUntagged
		if tagged {
			if final == nil {
				return 0, r.failf(first, unmatchedList(untagged, matched), u.display, "expected untagged responses, got %q", u.display)
			}
			if n := remaining(); n > 0 {
				return 0, r.failf(*final, unmatchedList(untagged, matched), u.display,
					"the tagged completion came before the expected untagged response(s) %s", unmatchedList(untagged, matched))
			}
			ok, err := r.match(*final, u)
			if err != nil {
				return 0, err
			}
			if !ok {
				return 0, r.failf(*final, expectedText(*final), u.display, "expected %q, got %q", expectedText(*final), u.display)
			}
			return j - i, nil
		}
		hit := false
		for k, st := range untagged {
			if matched[k] && st.Kind != script.ExpectMany {
				continue
			}
			ok, err := r.match(st, u)
			if err != nil {
				return 0, err
			}
			if ok {
				matched[k] = true
				hit = true
				break
			}
		}
		if !hit {
			extra = append(extra, u.display)
			if len(extra) > 10000 {
				return 0, r.failf(first, "a tagged completion", u.display, "more than 10000 unexpected untagged responses")
			}
		}
	}
}

func isUntaggedPattern(st script.Step) bool {
	if st.Kind == script.ExpectRaw {
		return bytes.HasPrefix(st.Raw, []byte("* "))
	}
	return strings.HasPrefix(st.Text, "* ") || strings.HasPrefix(st.Text, `\* `)
}

func unmatchedList(untagged []script.Step, matched []bool) string {
	var out []string
	for k, st := range untagged {
		if !matched[k] && st.Kind != script.ExpectMany {
			out = append(out, strconv.Quote(expectedText(st)))
		}
	}
	return strings.Join(out, ", ")
}
