package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// world is one scenario's state. It lives in the scenario's context, so
// scenarios run concurrently without sharing anything.
type world struct {
	ctx      context.Context
	env      *transcripts.Env
	sc       Scenario
	proto    transcripts.Protocol
	endpoint string // scheme chosen for new connections ("" = default)
	rec      *transcripts.Recorder
	opts     transcripts.Options
	vars     map[string]string
	conns    map[string]*conn
	cur      string

	na         string // not applicable, and why
	fail       *failure
	harness    error
	violations []wire.Violation
	failedAt   int

	// atEnd holds what the scenario must undo (mailboxes it created,
	// messages it delivered), run in reverse order after the scenario,
	// also when it failed or the run was interrupted.
	atEnd []func(ctx context.Context) error
	// cleanupErrs are the errors of atEnd functions, kept for the report.
	cleanupErrs []error
}

// onEnd registers f to run after the scenario (after its connections are
// closed), with a context that is not cancelled by an interrupted run but
// bounded by a deadline of its own. An error of f becomes a harness
// error of the scenario if it had none.
func (w *world) onEnd(f func(ctx context.Context) error) { w.atEnd = append(w.atEnd, f) }

// runAtEnd runs the onEnd functions, last registered first.
func (w *world) runAtEnd(ctx context.Context) {
	if len(w.atEnd) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	for i := len(w.atEnd) - 1; i >= 0; i-- {
		if err := w.atEnd[i](cctx); err != nil {
			w.cleanupErrs = append(w.cleanupErrs, err)
		}
	}
	w.atEnd = nil
}

type conn struct {
	s       *transcripts.Session
	lastCmd string // the last command line sent
	// The last reply read: its display lines (one per SMTP/POP3 line or
	// IMAP response) and the status word or code.
	lines  []string
	status string
	code   int
	// imap holds the last IMAP reply's responses, untagged ones first and
	// the tagged one (or continuation request) last.
	imap []wire.IMAPResponse
}

type failure struct{ reason, expected, got string }

type ctxKey struct{}

func worldOf(ctx context.Context) *world { return ctx.Value(ctxKey{}).(*world) }

// notApplicable ends the scenario as not applicable.
func (w *world) notApplicable(format string, args ...any) error {
	w.na = fmt.Sprintf(format, args...)
	return godog.ErrSkip
}

// failf records the server's failure to meet the requirement.
func (w *world) failf(expected, got, format string, args ...any) error {
	if w.fail == nil {
		w.fail = &failure{reason: fmt.Sprintf(format, args...), expected: expected, got: got}
		w.failedAt = len(w.rec.Entries()) - 1
	}
	return errors.New(w.fail.reason)
}

// harnessf records a problem of the harness or the scenario itself.
func (w *world) harnessf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if w.harness == nil {
		w.harness = err
	}
	return err
}

func (w *world) current() (*conn, error) {
	c, ok := w.conns[w.cur]
	if !ok {
		return nil, w.harnessf("the scenario has no open connection: begin with \"the client connects\" or a session step")
	}
	return c, nil
}

// selectEndpoint resolves the scheme new connections use.
func (w *world) selectEndpoint(scheme string) (transcripts.Endpoint, error) {
	if scheme == "" {
		scheme = w.endpoint
	}
	if scheme != "" {
		ep, ok := w.env.Profile.Endpoint(scheme)
		if !ok {
			return ep, w.notApplicable("the profile has no %s endpoint", scheme)
		}
		return ep, nil
	}
	ep, ok := w.env.SelectEndpoint(&script.Script{Protocol: string(w.proto)})
	if !ok {
		return ep, w.notApplicable("the profile has no %s endpoint", w.proto)
	}
	return ep, nil
}

func (w *world) connect(name, scheme string) error {
	ep, err := w.selectEndpoint(scheme)
	if err != nil {
		return err
	}
	opts := w.opts
	if opts.TLS == nil {
		cfg, err := w.env.Profile.TLSConfig(ep)
		if err != nil {
			return w.harnessf("%v", err)
		}
		opts.TLS = cfg
	}
	s, err := transcripts.Dial(w.ctx, ep, opts)
	if err != nil {
		if strings.Contains(err.Error(), "tls handshake") {
			return w.failf("a TLS handshake", err.Error(), "implicit TLS handshake failed (RFC 8314 section 3): %v", err)
		}
		return w.harnessf("connect: %v", err)
	}
	w.conns[name] = &conn{s: s}
	w.cur = name
	return nil
}

// caps are the capabilities the server advertises: those of the live
// session when it has learnt them, else what pre-flight saw.
func (w *world) caps() []string {
	if c, ok := w.conns[w.cur]; ok && len(c.s.Caps()) > 0 {
		return c.s.Caps()
	}
	ep, err := w.selectEndpoint("")
	if err != nil {
		return nil
	}
	info := w.env.Info[ep.Scheme]
	return append(append([]string(nil), info.CapsBeforeTLS...), info.CapsAfterTLS...)
}

func hasKeyword(caps []string, name string) bool {
	for _, c := range caps {
		word, _, _ := strings.Cut(c, " ")
		if strings.EqualFold(word, name) || strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// send writes a command line (vars expanded) on the current connection.
func (w *world) send(line string) error {
	c, err := w.current()
	if err != nil {
		return err
	}
	text, err := script.Expand(line, w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	c.lastCmd = text
	if err := c.s.Send(text); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func (w *world) sendRaw(b []byte) error {
	c, err := w.current()
	if err != nil {
		return err
	}
	if line, _, ok := bytes.Cut(b, []byte("\n")); ok {
		c.lastCmd = strings.TrimRight(string(line), "\r")
	}
	if err := c.s.SendRaw(b); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func (w *world) sendFailed(err error) error {
	if errors.Is(err, transcripts.ErrClosed) {
		return w.failf("the connection stays open", err.Error(), "the server closed the connection before the command was sent")
	}
	return w.harnessf("send: %v", err)
}

// readFailed turns a read error into a failure (or a harness error).
func (w *world) readFailed(expected string, err error) error {
	switch {
	case errors.Is(err, transcripts.ErrTimeout):
		return w.failf(expected, "nothing within "+w.opts.Timeout.String(), "no reply within %s: %s", w.opts.Timeout, replyRule(w.proto))
	case errors.Is(err, transcripts.ErrClosed):
		return w.failf(expected, "connection closed", "the server closed the connection: %v", err)
	case errors.Is(err, wire.ErrLimit):
		return w.failf(expected, err.Error(), "the reply exceeds the harness's limits: %v", err)
	}
	return w.harnessf("read: %v", err)
}

func replyRule(p transcripts.Protocol) string {
	switch p {
	case transcripts.SMTP:
		return "RFC 5321 section 4.2 requires a reply to every command"
	case transcripts.POP3:
		return "RFC 1939 section 3 requires a response to every command"
	}
	return "RFC 9051 section 2.2.2 requires a completion result response for every command"
}

// pop3Multiline: the POP3 commands whose +OK response is multi-line
// (RFC 1939 sections 5 and 7, RFC 2449 section 5).
func pop3Multiline(cmd string) bool {
	f := strings.Fields(strings.ToUpper(cmd))
	if len(f) == 0 {
		return false
	}
	switch f[0] {
	case "CAPA", "RETR", "TOP":
		return true
	case "LIST", "UIDL":
		return len(f) == 1
	}
	return false
}

// readReply reads the next reply on the current connection and keeps it
// as the last reply.
func (w *world) readReply(expected string) (*conn, error) {
	c, err := w.current()
	if err != nil {
		return nil, err
	}
	c.lines, c.status, c.code, c.imap = nil, "", 0, nil
	switch c.s.Endpoint.Protocol {
	case transcripts.SMTP:
		rep, err := c.s.ReadSMTP()
		if err != nil {
			return nil, w.readFailed(expected, err)
		}
		w.violations = append(w.violations, rep.Violations...)
		c.code = rep.Code
		c.status = fmt.Sprint(rep.Code)
		c.lines = displayLines("smtp", rep.Raw)
	case transcripts.POP3:
		rep, err := c.s.ReadPOP3(pop3Multiline(c.lastCmd))
		if err != nil {
			return nil, w.readFailed(expected, err)
		}
		w.violations = append(w.violations, rep.Violations...)
		c.status = rep.Status
		c.lines = displayLines("pop3", rep.Raw)
	case transcripts.IMAP:
		tag, _, _ := strings.Cut(c.lastCmd, " ")
		untagged, tagged, err := c.s.IMAPReadUntil(tag)
		for _, u := range untagged {
			w.violations = append(w.violations, u.Violations...)
			c.lines = append(c.lines, script.Display("imap", u.Raw))
		}
		if err != nil && tagged.Kind == wire.IMAPTagged && tagged.Tag != tag {
			return nil, w.foreignTag(c, tag, expected, tagged)
		}
		if err != nil {
			return nil, w.readFailed(expected, err)
		}
		w.violations = append(w.violations, tagged.Violations...)
		c.lines = append(c.lines, script.Display("imap", tagged.Raw))
		c.imap = append(untagged, tagged)
		c.status = tagged.Status
		if tagged.Kind == wire.IMAPContinuation {
			c.status = "+"
		}
	}
	return c, nil
}

func displayLines(proto string, raw []byte) []string {
	var out []string
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		line := raw
		if i >= 0 {
			line, raw = raw[:i+1], raw[i+1:]
		} else {
			raw = nil
		}
		out = append(out, script.Display(proto, line))
	}
	return out
}

// statusMatches checks a reply against an expected code: "250", "2xx",
// "+OK", "-ERR", "OK", "NO", "BAD", "+".
func statusMatches(c *conn, want string) bool {
	if c.code != 0 {
		got := fmt.Sprint(c.code)
		if len(want) == 3 && len(got) == 3 {
			for i := 0; i < 3; i++ {
				if want[i] != 'x' && want[i] != got[i] {
					return false
				}
			}
			return true
		}
		return false
	}
	return strings.EqualFold(c.status, want)
}

func (c *conn) text() string { return strings.Join(c.lines, " | ") }

// ensureTimeout caps how long a silence check may wait.
func clampSilence(d time.Duration) time.Duration {
	if d > 30*time.Second {
		return 30 * time.Second
	}
	return d
}
