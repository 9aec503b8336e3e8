package reports

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/mailspec/mailspec/transcripts"
)

// CaseKey identifies a case result across reports: its id and target.
type CaseKey struct {
	ID     string `json:"id"`
	Target string `json:"target"`
}

func (k CaseKey) String() string { return k.ID + " [" + k.Target + "]" }

// Change is one case whose verdict differs between two reports.
type Change struct {
	CaseKey
	Level string              `json:"level"`
	Old   transcripts.Verdict `json:"old,omitempty"`
	New   transcripts.Verdict `json:"new,omitempty"`
	// Reason is the new report's reason (or the old one's for a case that
	// now passes).
	Reason string `json:"reason,omitempty"`
}

// Diff compares two reports case by case.
type Diff struct {
	NewlyFailing []Change `json:"newly_failing"` // did not fail before (or is new) and fails now
	NewlyPassing []Change `json:"newly_passing"` // failed before and passes now
	Added        []Change `json:"added"`         // cases only in the new report
	Removed      []Change `json:"removed"`       // cases only in the old report
	Changed      []Change `json:"changed"`       // any other verdict change
}

// failing: a failure or error that is not a known failure.
func failing(c Case) bool {
	return (c.Verdict == transcripts.Fail || c.Verdict == transcripts.Error) && c.KnownFailure == ""
}

// Compare diffs old against new.
func Compare(old, new *Report) *Diff {
	index := func(r *Report) map[CaseKey]Case {
		m := make(map[CaseKey]Case, len(r.Cases))
		for _, c := range r.Cases {
			m[CaseKey{c.ID, c.Target}] = c
		}
		return m
	}
	o, n := index(old), index(new)
	d := &Diff{}
	for k, nc := range n {
		oc, existed := o[k]
		ch := Change{CaseKey: k, Level: nc.Level, New: nc.Verdict, Reason: nc.Detail.Reason}
		if existed {
			ch.Old = oc.Verdict
		}
		switch {
		case failing(nc) && (!existed || !failing(oc)):
			d.NewlyFailing = append(d.NewlyFailing, ch)
		case existed && failing(oc) && nc.Verdict == transcripts.Pass:
			ch.Reason = oc.Detail.Reason
			d.NewlyPassing = append(d.NewlyPassing, ch)
		case !existed:
			d.Added = append(d.Added, ch)
		case oc.Verdict != nc.Verdict:
			d.Changed = append(d.Changed, ch)
		}
		if !existed && failing(nc) {
			d.Added = append(d.Added, ch)
		}
	}
	for k, oc := range o {
		if _, ok := n[k]; !ok {
			d.Removed = append(d.Removed, Change{CaseKey: k, Level: oc.Level, Old: oc.Verdict})
		}
	}
	for _, l := range [][]Change{d.NewlyFailing, d.NewlyPassing, d.Added, d.Removed, d.Changed} {
		sort.Slice(l, func(i, j int) bool {
			if l[i].ID != l[j].ID {
				return l[i].ID < l[j].ID
			}
			return l[i].Target < l[j].Target
		})
	}
	return d
}

// Regressions reports whether any case newly fails.
func (d *Diff) Regressions() bool { return len(d.NewlyFailing) > 0 }

// Empty reports whether nothing changed.
func (d *Diff) Empty() bool {
	return len(d.NewlyFailing)+len(d.NewlyPassing)+len(d.Added)+len(d.Removed)+len(d.Changed) == 0
}

// String renders the diff for a terminal, one line per change.
func (d *Diff) String() string {
	var b strings.Builder
	section := func(title string, l []Change, f func(Change) string) {
		if len(l) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(l))
		for _, c := range l {
			fmt.Fprintf(&b, "  %s\n", f(c))
		}
	}
	arrow := func(c Change) string {
		old := string(c.Old)
		if old == "" {
			old = "new"
		}
		s := fmt.Sprintf("%s %s: %s -> %s", c.Level, c.CaseKey, old, c.New)
		if c.Reason != "" {
			s += ": " + c.Reason
		}
		return s
	}
	section("newly failing", d.NewlyFailing, arrow)
	section("newly passing", d.NewlyPassing, arrow)
	section("new cases", d.Added, func(c Change) string { return fmt.Sprintf("%s %s: %s", c.Level, c.CaseKey, c.New) })
	section("removed cases", d.Removed, func(c Change) string { return fmt.Sprintf("%s %s (was %s)", c.Level, c.CaseKey, c.Old) })
	section("other changes", d.Changed, arrow)
	if b.Len() == 0 {
		return "no changes\n"
	}
	return b.String()
}

// Merge combines reports of different targets into one report (one
// column each in a matrix). Target names must differ; the schema must be
// this package's.
func Merge(rs ...*Report) (*Report, error) {
	if len(rs) == 0 {
		return nil, errors.New("reports: merge: no reports")
	}
	out := &Report{Schema: Schema, Tool: rs[0].Tool, StartedAt: rs[0].StartedAt}
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Schema != Schema {
			return nil, fmt.Errorf("reports: merge: schema %q, want %q", r.Schema, Schema)
		}
		for _, t := range r.Targets {
			if seen[t.Name] {
				return nil, fmt.Errorf("reports: merge: two reports have a target named %q", t.Name)
			}
			seen[t.Name] = true
			out.Targets = append(out.Targets, t)
		}
		if r.StartedAt.Before(out.StartedAt) {
			out.StartedAt = r.StartedAt
		}
		out.DurationMS += r.DurationMS
		out.Cases = append(out.Cases, r.Cases...)
		out.Findings = append(out.Findings, r.Findings...)
		out.StaleBaseline = append(out.StaleBaseline, r.StaleBaseline...)
	}
	out.Finish()
	return out, nil
}
