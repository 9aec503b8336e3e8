package serverfuzz

import (
	"context"
	"time"
)

// minimizer shrinks a program while it still reproduces a finding's
// signature (Finding.Key) on a new connection: fewest commands first,
// then the lowest state, then the simplest form and the shortest data of
// each command (data that runs out reads as zeros, which pick each
// generator's simplest value).
type minimizer struct {
	t      *target
	key    string
	budget int
	until  time.Time
	runs   int
	last   execResult
}

// ok runs prog and reports whether it reproduces the finding.
func (m *minimizer) ok(ctx context.Context, prog Program) bool {
	if m.exhausted(ctx) {
		return false
	}
	m.runs++
	res := m.t.runFresh(ctx, prog, false)
	return res.finding != nil && res.finding.Key() == m.key
}

func (m *minimizer) exhausted(ctx context.Context) bool {
	return ctx.Err() != nil || m.runs >= m.budget || !m.until.IsZero() && time.Now().After(m.until)
}

// minimize returns the smallest program found and whether the search ran
// to its end (false when the budget or ctx cut it short).
func (m *minimizer) minimize(ctx context.Context, prog Program) (Program, bool) {
	best := prog.Clone()
	// Commands after the finding's play no part.
	for changed := true; changed; {
		changed = false
		// Remove chunks of commands, halving the chunk size.
		for size := len(best.Cmds); size >= 1; size /= 2 {
			for start := 0; start+size <= len(best.Cmds); {
				cand := best.Clone()
				cand.Cmds = append(cand.Cmds[:start], cand.Cmds[start+size:]...)
				if m.ok(ctx, cand) {
					best, changed = cand, true
					continue
				}
				start += size
			}
		}
		for s := State(0); s < best.State; s++ {
			cand := best.Clone()
			cand.State = s
			if m.ok(ctx, cand) {
				best, changed = cand, true
				break
			}
		}
		for i := range best.Cmds {
			if m.shrinkCommand(ctx, &best, i) {
				changed = true
			}
		}
		if m.exhausted(ctx) {
			return best, false
		}
	}
	return best, !m.exhausted(ctx)
}

// shrinkCommand simplifies command i of best in place.
func (m *minimizer) shrinkCommand(ctx context.Context, best *Program, i int) bool {
	changed := false
	try := func(c Command) bool {
		cand := best.Clone()
		cand.Cmds[i] = c
		if m.ok(ctx, cand) {
			*best = cand
			changed = true
			return true
		}
		return false
	}
	c := best.Cmds[i]
	// The simplest form, then without the shape bits.
	if c.Shape != 0 {
		if !try(Command{Op: c.Op, Shape: 0, Data: c.Data}) {
			if c.Shape&^shapeForm != 0 {
				try(Command{Op: c.Op, Shape: c.Shape & shapeForm, Data: c.Data})
			}
		}
	}
	// Shorter data: none, then halves from the end, then single bytes.
	c = best.Cmds[i]
	if len(c.Data) > 0 && try(Command{Op: c.Op, Shape: c.Shape}) {
		return true
	}
	for n := len(best.Cmds[i].Data) / 2; n >= 1; n /= 2 {
		for {
			c = best.Cmds[i]
			if len(c.Data) < n || !try(Command{Op: c.Op, Shape: c.Shape, Data: c.Data[:len(c.Data)-n]}) {
				break
			}
		}
	}
	for k := 0; k < len(best.Cmds[i].Data); {
		c = best.Cmds[i]
		d := append(append([]byte(nil), c.Data[:k]...), c.Data[k+1:]...)
		if !try(Command{Op: c.Op, Shape: c.Shape, Data: d}) {
			k++
		}
		if m.exhausted(ctx) {
			break
		}
	}
	// Smaller byte values pick simpler values.
	for k := range best.Cmds[i].Data {
		c = best.Cmds[i]
		if c.Data[k] == 0 {
			continue
		}
		d := append([]byte(nil), c.Data...)
		d[k] = 0
		try(Command{Op: c.Op, Shape: c.Shape, Data: d})
		if m.exhausted(ctx) {
			break
		}
	}
	return changed
}
