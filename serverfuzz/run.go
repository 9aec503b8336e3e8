package serverfuzz

import (
	"context"
	"errors"
	"fmt"
)

// execResult is what one execution of a program showed.
type execResult struct {
	sigs    []Sig
	finding *Finding
	// reached says the program's state was reached and its commands ran.
	reached bool
	// err is a harness-side failure: the target could not be dialled.
	err    error
	events []event
	// lenientFrom is the exchange from which a reproducer accepts any
	// answer: the exchange of the finding's command.
	lenientFrom int
}

// runFresh runs prog on a new connection: greeting, state, commands, and
// a NOOP that checks the connection is still there.
func (t *target) runFresh(ctx context.Context, prog Program, record bool) execResult {
	var res execResult
	c, f, err := t.dialConn(ctx, record)
	if err != nil {
		res.err = err
		return res
	}
	res.finding = f
	res.lenientFrom = 0
	if f == nil && !c.dead {
		t.runOn(c, prog, &res, true)
	}
	t.finish(c, &res)
	if f := res.finding; f != nil {
		t.complete(f, prog)
	}
	return res
}

// runOn runs prog's state and commands on c; with probe, the NOOP after.
func (t *target) runOn(c *conn, prog Program, res *execResult, probe bool) {
	d := dictFor(t.Protocol)
	f, err := c.reach(prog.State)
	c.reachErr = err
	res.sigs = append(res.sigs, c.sigs...)
	c.sigs = c.sigs[:0]
	if f != nil || err != nil {
		res.finding = f
		if f != nil {
			// After a fault the session is in no state the fuzzer
			// knows.
			c.dead = true
			res.lenientFrom = c.failEx
		}
		return
	}
	res.reached = true
	for i, cmd := range prog.Cmds {
		r := d.render(cmd, c.acct)
		if t.avoid != nil && t.avoid(sentBytes(&r)) {
			continue
		}
		sig, f, err := c.exchange(&r, roleFuzz, i)
		if f != nil {
			c.dead = true
			res.finding = f
			res.lenientFrom = c.exStart(f.cmdIndex, c.failEx)
			return
		}
		res.sigs = append(res.sigs, sig)
		if err != nil || c.dead {
			return
		}
	}
	if probe {
		if f := c.probe(); f != nil {
			res.finding = f
			res.lenientFrom = c.exStart(f.cmdIndex, c.failEx)
		}
	}
}

// finish closes c and folds in what the in-process server reports: a
// panic, a Serve that never returned, a panic it logged.
func (t *target) finish(c *conn, res *execResult) {
	cf := c.close()
	res.events = c.rec
	if cf != nil {
		switch {
		case res.finding == nil:
			res.finding = cf
			res.lenientFrom = c.exStart(cf.cmdIndex, -1)
		case cf.Kind == Panic:
			// The exchange saw the connection drop; the panic is why.
			cf.Command, cf.State, cf.cmdIndex = res.finding.Command, res.finding.State, res.finding.cmdIndex
			res.finding = cf
		}
	}
	if t.panicked != nil {
		if msg := t.panicked(); msg != "" && (res.finding == nil || res.finding.Kind != Panic) {
			name, st, idx := c.fuzzName, c.fuzzState, c.fuzzIdx
			if idx < 0 {
				name, st = c.lastName, c.lastState
			}
			f := newFinding(t.Protocol, Panic, name, st, idx, "the server recovered from a panic: "+firstLine(msg))
			f.Detail = msg
			if res.finding != nil {
				f.Command, f.State, f.cmdIndex = res.finding.Command, res.finding.State, res.finding.cmdIndex
			}
			if f.Command == "" {
				f.Command = "greeting"
			}
			res.finding = f
			if res.lenientFrom < 0 {
				res.lenientFrom = c.exStart(f.cmdIndex, -1)
			}
		}
	}
	if f := res.finding; f != nil {
		f.Target = t.Name
	}
}

// complete fills in a finding's program, the line of its command, and
// whether it is a known one.
func (t *target) complete(f *Finding, prog Program) {
	f.Program = prog.Clone()
	f.Input = f.Program.Encode()
	f.Line, f.Sent = nil, nil
	for i, c := range prog.Cmds {
		r := dictFor(t.Protocol).render(c, &t.accts[0])
		f.Sent = append(f.Sent, sentBytes(&r))
		if i == f.cmdIndex {
			f.Line = f.Sent[i]
		}
	}
	if t.Known != nil {
		f.Known = t.Known(f)
	}
}

// sentBytes is what a command sends: its line with literals, its
// trailer, and its follow-ups each with CRLF.
func sentBytes(r *rendered) []byte {
	b := append(r.line(), r.trailer...)
	for _, fl := range r.follow {
		b = append(append(b, fl...), "\r\n"...)
	}
	return b
}

// alive checks that the server still greets a new connection, after
// something suspicious. A refused connection is a crash; a missing
// greeting a crash or a hang.
func (t *target) alive(ctx context.Context) *Finding {
	c, f, err := t.dialConn(ctx, false)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		f := newFinding(t.Protocol, Crash, "greeting", StateSig{}, -1, "the server no longer accepts connections: "+err.Error())
		f.RFC, f.Section, f.Level = rule(t.Protocol, Hang)
		return f
	}
	cf := c.close()
	if f == nil && cf != nil && cf.Kind == Panic {
		f = cf
	}
	return f
}

// errNoTarget is returned when nothing is given to fuzz.
var errNoTarget = errors.New("serverfuzz: no target")

// describeErr prefixes an error with the target's name.
func (t *target) describeErr(err error) error {
	return fmt.Errorf("serverfuzz: %s: %w", t.Name, err)
}
