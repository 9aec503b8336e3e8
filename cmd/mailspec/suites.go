package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
)

// suite is one source of .feature files: the built-in suites or a
// vendor's --features directory.
type suite struct {
	name      string
	fs        fs.FS
	scenarios []steps.Scenario
}

// loadSuites reads the built-in suites and every --features directory,
// checking each scenario's tags.
func loadSuites(dirs []string, builtin bool) ([]suite, error) {
	var out []suite
	if builtin {
		out = append(out, suite{name: "features", fs: features.FS})
	}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("--features: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("--features %s: not a directory", d)
		}
		out = append(out, suite{name: d, fs: os.DirFS(d)})
	}
	var errs []error
	for i := range out {
		ss, err := steps.Catalogue(out[i].fs)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", out[i].name, err))
		}
		out[i].scenarios = ss
	}
	return out, errors.Join(errs...)
}

// checkAllIDs fails on an id used twice among transcripts and scenarios.
func checkAllIDs(ss []*script.Script, suites []suite) error {
	seen := map[string]string{}
	for _, s := range ss {
		seen[s.ID] = s.File
	}
	for _, su := range suites {
		for _, sc := range su.scenarios {
			where := su.name + "/" + sc.File + ":" + strconv.Itoa(sc.Line)
			if prev, ok := seen[sc.ID]; ok {
				return fmt.Errorf("duplicate case id %s in %s and %s", sc.ID, prev, where)
			}
			seen[sc.ID] = where
		}
	}
	return checkIDs(ss)
}

func countSelected(suites []suite, ids []string) int {
	n := 0
	for _, su := range suites {
		n += len(steps.Select(su.scenarios, ids))
	}
	return n
}

// scriptTags are the tags a transcript file would have as a scenario.
func scriptTags(s *script.Script) []string {
	tags := []string{"@" + s.Protocol, "@id:" + s.ID, "@" + strings.ReplaceAll(strings.ToLower(s.Level), " ", "-"), "@transcript"}
	for _, r := range s.RFCs {
		tags = append(tags, "@rfc"+r.Number, "@rfc"+r.Number+"-"+r.Section)
	}
	return tags
}

func filterScriptsByTags(ss []*script.Script, expr string) []*script.Script {
	if expr == "" {
		return ss
	}
	var out []*script.Script
	for _, s := range ss {
		if matchTags(expr, scriptTags(s)) {
			out = append(out, s)
		}
	}
	return out
}

func selectQuiet(ss []*script.Script, ids []string) []*script.Script {
	out, err := selectScripts(ss, ids)
	if err != nil {
		return nil
	}
	return out
}

// runSuites runs the Gherkin suites against one target.
func runSuites(ctx context.Context, env *transcripts.Env, f *runFlags) ([]reports.Case, error) {
	suites, err := loadSuites(f.features, f.builtin)
	if err != nil {
		return nil, err
	}
	var out []reports.Case
	for _, su := range suites {
		if len(su.scenarios) == 0 || len(f.ids) > 0 && len(steps.Select(su.scenarios, f.ids)) == 0 {
			continue
		}
		res, err := steps.Run(ctx, env, steps.Options{FS: su.fs, Tags: f.tags, IDs: f.ids, Concurrency: f.parallel})
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			out = append(out, caseFromScenario(r, env.Profile.Name, su.name))
		}
	}
	return out, nil
}

func caseFromScenario(r steps.Result, target, suiteName string) reports.Case {
	sc, o := r.Scenario, r.Outcome
	c := reports.Case{
		ID:         sc.ID,
		Title:      sc.Title,
		Group:      suiteName + "/" + sc.File,
		Protocol:   sc.Protocol,
		Target:     target,
		Source:     suiteName + "/" + sc.File + ":" + strconv.Itoa(sc.Line),
		Level:      sc.Level,
		Verdict:    o.Verdict,
		DurationMS: o.Duration.Milliseconds(),
		Detail: reports.Detail{
			Reason:     o.Reason,
			Expected:   o.Expected,
			Got:        o.Got,
			Violations: o.Violations,
		},
		Transcript: reports.ConvertEntries(o.Entries),
	}
	if o.Verdict == transcripts.Fail && o.FailedAt >= 0 {
		at := o.FailedAt
		c.Detail.FailedAt = &at
	}
	for _, ref := range sc.RFCs {
		c.RFC = append(c.RFC, reports.RFCRef{Number: ref.Number, Section: ref.Section, URL: reports.RFCURL(ref.Number, ref.Section)})
	}
	return c
}
