package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
)

// Steps for how an SMTP server may end a session (RFC 5321 section 3.8).

func init() {
	addSteps(
		Def{Expr: `^the client sends ` + quotedRE + ` (\d+) times, each answered ([0-9x]{3}) unless the server ends the session with 421$`,
			Example: `When the client sends "XYZZY" 25 times, each answered 5xx unless the server ends the session with 421`,
			Doc: "sends the line that many times (at most 1000), reading each reply: each must match the code, or be 421 after which the server may close " +
				"(the step then ends); a close without a 421 first fails (RFC 5321 section 3.8)", fn: sendsUntil421},
	)
}

// sendsUntil421 checks RFC 5321 section 3.8: "An SMTP server MUST NOT
// intentionally close the connection under normal operational
// circumstances (see Section 7.8) except: After receiving a QUIT command
// and responding with a 221 reply. After detecting the need to shut down
// the SMTP service and returning a 421 response code. [...] After a
// timeout". A server with an error limit may end the session, but only
// with a 421 first.
func sendsUntil421(ctx context.Context, line, count, want string) error {
	w := worldOf(ctx)
	n, err := w.count(count)
	if err != nil {
		return err
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	text, err := script.Expand(unquote(line), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	closedWithout421 := func(i int, err error) error {
		return w.failf(fmt.Sprintf("%s, or 421 before the server closes", want), err.Error(),
			"command %d of %d (%q): the server closed the connection without a 421 reply first "+
				"(RFC 5321 section 3.8: the server MUST NOT close the connection except after 221 to QUIT, after a 421, or after a timeout)", i, n, text)
	}
	for i := 1; i <= n; i++ {
		c.lastCmd = text
		if err := c.s.Send(text); err != nil {
			if errors.Is(err, transcripts.ErrClosed) {
				return closedWithout421(i, err)
			}
			return w.harnessf("send: %v", err)
		}
		rep, err := c.s.ReadSMTP()
		if err != nil {
			if errors.Is(err, transcripts.ErrClosed) {
				return closedWithout421(i, err)
			}
			return w.readFailed(want, err)
		}
		w.violations = append(w.violations, rep.Violations...)
		c.code, c.status, c.lines = rep.Code, fmt.Sprint(rep.Code), displayLines("smtp", rep.Raw)
		if rep.Code == 421 {
			return nil
		}
		if !statusMatches(c, want) {
			return w.failf(want, c.text(), "command %d of %d (%q): expected %s (or 421 ending the session), got %q", i, n, text, want, c.text())
		}
	}
	return nil
}
