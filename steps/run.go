package steps

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailspec/mailspec/transcripts"
)

// Options say which scenarios run and how.
type Options struct {
	// FS holds the .feature files (features.FS, or os.DirFS of --features).
	FS fs.FS
	// Tags is a godog tag expression, e.g. "@smtp && ~@security".
	Tags string
	// IDs selects scenarios by id glob or prefix (all when empty).
	IDs []string
	// Concurrency is how many scenarios run at once (default 1). POP3
	// scenarios of one target always run one at a time.
	Concurrency int
	// Output receives godog's own progress output (default: discarded:
	// the report is built from the results, not from godog's formatters).
	Output io.Writer
	// TestingT, when set, makes godog run each scenario as a subtest.
	TestingT *testing.T
}

// Result is the outcome of one scenario against one target.
type Result struct {
	Scenario Scenario
	Outcome  transcripts.Outcome
}

// Run runs the selected scenarios against env and returns one result per
// scenario that ran. The catalogue's tag rules are checked first: a
// scenario without its id, level or RFC section is an error, not a case.
func Run(ctx context.Context, env *transcripts.Env, opts Options) ([]Result, error) {
	cat, err := Catalogue(opts.FS)
	if err != nil {
		return nil, err
	}
	byKey := map[string]Scenario{}
	for _, s := range cat {
		byKey[s.ID] = s
	}
	selected := map[string]bool{}
	for _, s := range Select(cat, opts.IDs) {
		selected[s.ID] = true
	}
	r := &runner{env: env, byKey: byKey, selected: selected}
	out := opts.Output
	if out == nil {
		out = io.Discard
	}
	conc := opts.Concurrency
	if conc < 1 {
		conc = 1
	}
	suite := godog.TestSuite{
		Name:                "mailspec",
		ScenarioInitializer: r.initScenario,
		Options: &godog.Options{
			Format:         "progress",
			Output:         out,
			FS:             opts.FS,
			Paths:          []string{"."},
			Tags:           opts.Tags,
			Concurrency:    conc,
			Strict:         true,
			NoColors:       true,
			DefaultContext: ctx,
			TestingT:       opts.TestingT,
		},
	}
	// godog's exit status is not the verdict: scenarios that fail or are
	// not applicable are results, not errors.
	suite.Run()
	return r.results, nil
}

type runner struct {
	env      *transcripts.Env
	byKey    map[string]Scenario
	selected map[string]bool
	maildrop sync.Mutex // POP3 scenarios run one at a time (RFC 1939 section 8 locking)

	mu      sync.Mutex
	results []Result
}

func idOf(sc *godog.Scenario) string {
	for _, t := range sc.Tags {
		if id, ok := strings.CutPrefix(t.Name, "@id:"); ok {
			return id
		}
	}
	return ""
}

func (r *runner) initScenario(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		meta := r.byKey[idOf(p)]
		rec := transcripts.NewRecorder()
		for i, a := range r.env.Profile.Accounts {
			rec.Credentials(i+1, a.User, a.Password)
		}
		opts := r.env.Options
		opts.Recorder = rec
		w := &world{
			ctx:   ctx,
			env:   r.env,
			sc:    meta,
			proto: transcripts.Protocol(meta.Protocol),
			rec:   rec,
			opts:  opts,
			vars:  r.env.Vars(),
			conns: map[string]*conn{},
			cur:   "1",
		}
		if w.opts.Timeout == 0 {
			w.opts.Timeout = 10 * time.Second
		}
		ctx = context.WithValue(ctx, ctxKey{}, w)
		ctx = context.WithValue(ctx, startKey{}, time.Now())
		if !r.selected[meta.ID] {
			w.na = "not selected"
			return ctx, godog.ErrSkip
		}
		if w.proto == transcripts.POP3 {
			r.maildrop.Lock()
			ctx = context.WithValue(ctx, lockedKey{}, true)
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		w, _ := ctx.Value(ctxKey{}).(*world)
		if w == nil {
			return ctx, nil
		}
		if locked, _ := ctx.Value(lockedKey{}).(bool); locked {
			defer r.maildrop.Unlock()
		}
		if w.na == "not selected" {
			return ctx, nil
		}
		start, _ := ctx.Value(startKey{}).(time.Time)
		for _, c := range w.conns {
			cleanup(c)
		}
		w.runAtEnd(ctx)
		o := w.outcome(err)
		o.Entries = w.rec.Entries()
		o.Duration = time.Since(start)
		r.mu.Lock()
		r.results = append(r.results, Result{Scenario: w.sc, Outcome: o})
		r.mu.Unlock()
		return ctx, nil
	})
	register(sc)
}

type startKey struct{}
type lockedKey struct{}

// outcome decides the verdict: not applicable, then the server's failure,
// then a harness error, then framing violations seen in replies.
func (w *world) outcome(err error) transcripts.Outcome {
	switch {
	case w.na != "":
		return transcripts.Outcome{Verdict: transcripts.NotApplicable, Reason: w.na, FailedAt: -1}
	case w.fail != nil:
		return transcripts.Outcome{Verdict: transcripts.Fail, Reason: w.fail.reason, Expected: w.fail.expected, Got: w.fail.got,
			Violations: w.violations, FailedAt: w.failedAt}
	case w.harness != nil:
		return transcripts.Outcome{Verdict: transcripts.Error, Reason: w.harness.Error(), FailedAt: -1}
	case len(w.cleanupErrs) > 0:
		return transcripts.Outcome{Verdict: transcripts.Error, Reason: "cleaning up after the scenario: " + errors.Join(w.cleanupErrs...).Error(), FailedAt: -1}
	case err != nil && !errors.Is(err, godog.ErrSkip):
		reason := err.Error()
		if errors.Is(err, godog.ErrUndefined) {
			reason = "a step of the scenario is not in the vocabulary (mailspec steps lists it): " + reason
		}
		return transcripts.Outcome{Verdict: transcripts.Error, Reason: reason, FailedAt: -1}
	case len(w.violations) > 0:
		return transcripts.Outcome{Verdict: transcripts.Fail, Reason: "protocol violation: " + w.violations[0].String(), Violations: w.violations, FailedAt: -1}
	}
	return transcripts.Outcome{Verdict: transcripts.Pass, FailedAt: -1}
}

// cleanup ends a connection the scenario left open; POP3 gets QUIT and
// the server's close is awaited so the maildrop is unlocked for the next
// scenario.
func cleanup(c *conn) {
	if c.s.Endpoint.Protocol == transcripts.POP3 {
		if c.s.Send("QUIT") == nil {
			transcripts.WaitClosed(c.s)
		}
	}
	c.s.Close()
}

// asErr is errors.As, kept short for the step code.
func asErr(err error, target any) bool { return errors.As(err, target) }

// String renders a scenario for listings.
func (s Scenario) String() string {
	var rfcs []string
	for _, r := range s.RFCs {
		rfcs = append(rfcs, fmt.Sprintf("RFC %s %s", r.Number, r.Section))
	}
	return fmt.Sprintf("%s %s %s %s", s.ID, s.Level, strings.Join(rfcs, ","), s.Title)
}
