package reports

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
)

func rep(target string, cases ...Case) *Report {
	r := &Report{Schema: Schema, Targets: []Target{{Name: target}}}
	for _, c := range cases {
		c.Target = target
		r.Cases = append(r.Cases, c)
	}
	r.Finish()
	return r
}

func cs(id string, v transcripts.Verdict) Case { return Case{ID: id, Level: Must, Verdict: v} }

func TestCompare(t *testing.T) {
	old := rep("t", cs("a", transcripts.Pass), cs("b", transcripts.Fail), cs("c", transcripts.Pass), cs("gone", transcripts.Pass), cs("d", transcripts.NotApplicable))
	new := rep("t", cs("a", transcripts.Fail), cs("b", transcripts.Pass), cs("c", transcripts.Pass), cs("fresh", transcripts.Fail), cs("calm", transcripts.Pass), cs("d", transcripts.Pass))
	d := Compare(old, new)
	keys := func(l []Change) []string {
		var out []string
		for _, c := range l {
			out = append(out, c.ID)
		}
		return out
	}
	for name, got := range map[string][]string{"newly failing": keys(d.NewlyFailing), "newly passing": keys(d.NewlyPassing), "added": keys(d.Added), "removed": keys(d.Removed), "changed": keys(d.Changed)} {
		want := map[string][]string{"newly failing": {"a", "fresh"}, "newly passing": {"b"}, "added": {"calm", "fresh"}, "removed": {"gone"}, "changed": {"d"}}[name]
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	if !d.Regressions() {
		t.Error("Regressions() = false with newly failing cases")
	}
	if s := d.String(); !strings.Contains(s, "newly failing (2)") || !strings.Contains(s, "a [t]: pass -> fail") {
		t.Errorf("String():\n%s", s)
	}
	if d := Compare(old, old); !d.Empty() || d.Regressions() || d.String() != "no changes\n" {
		t.Errorf("Compare(old, old) = %+v", d)
	}
	// A known failure that keeps failing, or becomes known, is no regression.
	known := rep("t", Case{ID: "a", Level: Must, Verdict: transcripts.Fail, KnownFailure: "why"})
	if d := Compare(rep("t", cs("a", transcripts.Pass)), known); d.Regressions() {
		t.Errorf("a baselined failure counted as a regression: %+v", d.NewlyFailing)
	}
}

func TestMerge(t *testing.T) {
	a := rep("one", cs("x", transcripts.Pass))
	b := rep("two", cs("x", transcripts.Fail))
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Targets) != 2 || len(m.Cases) != 2 || m.Totals.Fail != 1 || m.Totals.Pass != 1 {
		t.Errorf("merged: %d targets, %d cases, totals %+v", len(m.Targets), len(m.Cases), m.Totals.Counts)
	}
	if _, err := Merge(a, a); err == nil || !strings.Contains(err.Error(), `"one"`) {
		t.Errorf("Merge of two reports of one target: %v", err)
	}
	old := &Report{Schema: "mailspec-report/0"}
	if _, err := Merge(a, old); err == nil {
		t.Error("Merge accepted another schema")
	}
}

func TestBaselineStaleAndFromReport(t *testing.T) {
	b, err := ParseBaseline("b.yaml", []byte("known_failures:\n  - id: a\n    reason: was broken\n  - id: b\n    reason: is broken\n  - id: notrun\n    reason: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := rep("t", cs("a", transcripts.Pass), cs("b", transcripts.Fail), cs("c", transcripts.Fail))
	b.Apply(r)
	if d := cmp.Diff([]CaseKey{{"a", "t"}}, r.StaleBaseline); d != "" {
		t.Errorf("stale entries (-want +got):\n%s", d)
	}
	if r.ExitCode(false) != ExitFailures {
		t.Error("a stale baseline entry must fail the run")
	}
	nb := FromReport(r)
	if len(nb.KnownFailures) != 2 || nb.KnownFailures[0].Reason != "is broken" || !strings.HasPrefix(nb.KnownFailures[1].Reason, Placeholder) {
		t.Errorf("FromReport = %+v", nb.KnownFailures)
	}
	data, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseBaseline("new.yaml", data); err == nil || !strings.Contains(err.Error(), "placeholder") {
		t.Errorf("a baseline with a placeholder reason was accepted: %v", err)
	}
	filled := strings.Replace(string(data), Placeholder, "Postfix says so", 1)
	if got, err := ParseBaseline("new.yaml", []byte(filled)); err != nil || len(got.KnownFailures) != 2 {
		t.Errorf("filled-in baseline: %v, %+v", err, got)
	}
}
