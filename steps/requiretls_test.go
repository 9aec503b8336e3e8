package steps

import (
	"context"
	"testing"

	"github.com/mailspec/mailspec/faults"
	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/transcripts"
)

// TestRequireTLSScenarios runs the REQUIRETLS scenarios (RFC 8689), which
// no server here offers, against the fault injector: directly against the
// embedded system they are not applicable; through a proxy that offers
// REQUIRETLS correctly they pass; through proxies that offer it wrongly,
// the scenario whose requirement is broken fails and the other passes.
func TestRequireTLSScenarios(t *testing.T) {
	env := embeddedEnv(t)
	serverTLS, certPEM, err := faults.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	const (
		advertised = "smtp/8689/2/requiretls-advertised-after-starttls"
		accepted   = "smtp/8689/4.1/requiretls-mail-parameter-accepted"
	)
	run := func(t *testing.T, e *transcripts.Env) map[string]transcripts.Outcome {
		t.Helper()
		res, err := Run(context.Background(), e, Options{FS: features.FS, IDs: []string{advertised, accepted}})
		if err != nil || len(res) != 2 {
			t.Fatalf("Run = %d results, %v", len(res), err)
		}
		out := map[string]transcripts.Outcome{}
		for _, r := range res {
			out[r.Scenario.ID] = r.Outcome
		}
		return out
	}
	through := func(t *testing.T, name string) *transcripts.Env {
		t.Helper()
		f, ok := faults.Lookup(name)
		if !ok {
			t.Fatalf("no fault %s", name)
		}
		fenv := faultyEnv(t, env, f, serverTLS, certPEM)
		// Pre-flight again, through the proxies: what it sees decides
		// whether REQUIRETLS is advertised.
		info, err := transcripts.Preflight(context.Background(), fenv.Profile, fenv.Options)
		if err != nil {
			t.Fatal(err)
		}
		fenv.Info = info
		return fenv
	}
	for _, tc := range []struct {
		name string
		env  func(t *testing.T) *transcripts.Env
		want map[string]transcripts.Verdict
	}{
		{"direct", func(*testing.T) *transcripts.Env { return env },
			map[string]transcripts.Verdict{advertised: transcripts.NotApplicable, accepted: transcripts.NotApplicable}},
		{"smtp-requiretls-offered", func(t *testing.T) *transcripts.Env { return through(t, "smtp-requiretls-offered") },
			map[string]transcripts.Verdict{advertised: transcripts.Pass, accepted: transcripts.Pass}},
		{"smtp-requiretls-before-tls-only", func(t *testing.T) *transcripts.Env { return through(t, "smtp-requiretls-before-tls-only") },
			map[string]transcripts.Verdict{advertised: transcripts.Fail, accepted: transcripts.Pass}},
		{"smtp-requiretls-param-555", func(t *testing.T) *transcripts.Env { return through(t, "smtp-requiretls-param-555") },
			map[string]transcripts.Verdict{advertised: transcripts.Pass, accepted: transcripts.Fail}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, tc.env(t))
			for id, want := range tc.want {
				if o := got[id]; o.Verdict != want {
					t.Errorf("%s: %s (%s), want %s", id, o.Verdict, o.Reason, want)
				}
			}
		})
	}
}
