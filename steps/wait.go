package steps

import (
	"context"
	"time"
)

func init() {
	addSteps(Def{Expr: `^the client waits (\d+) ms$`, Example: `And the client waits 500 ms`,
		Doc: "waits that long (at most 5000 ms) without reading or sending: lets the server settle, e.g. between IDLE's continuation " +
			"and another session's change, so that a server that starts idling a moment after its \"+\" is not failed for a race",
		fn: waits})
}

func waits(ctx context.Context, ms int) error {
	w := worldOf(ctx)
	d := time.Duration(ms) * time.Millisecond
	if d > 5*time.Second {
		return w.harnessf("the client waits at most 5000 ms, not %d", ms)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-w.ctx.Done():
		return w.harnessf("interrupted: %v", w.ctx.Err())
	}
}

func init() {
	addSteps(Def{Expr: `^the reply to ` + quotedRE + ` is ` + codeRE + ` or the case is not applicable$`,
		Example: `Given the reply to "t0 STATUS INBOX (MESSAGES)" is OK or the case is not applicable`,
		Doc:     "sends the line and reads the reply; any other reply makes the scenario not applicable (a precondition, e.g. that INBOX exists)",
		fn:      replyOrNotApplicable})
}

func replyOrNotApplicable(ctx context.Context, line, want string) error {
	w := worldOf(ctx)
	if err := w.send(unquote(line)); err != nil {
		return err
	}
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	if !statusMatches(c, want) {
		return w.notApplicable("precondition: %q was answered %q, not %s", c.lastCmd, c.text(), want)
	}
	return nil
}
