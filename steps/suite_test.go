package steps

import (
	"context"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/targets/baselines"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

func mustCompile(expr string) *regexp.Regexp { return regexp.MustCompile(expr) }

// embeddedEnv starts the embedded reference system and describes it.
func embeddedEnv(t *testing.T) *transcripts.Env {
	t.Helper()
	return embeddedEnvWith(t, embedded.Options{})
}

// embeddedEnvWith starts the embedded reference system with opts (a
// backend fault, say) and describes it.
func embeddedEnvWith(t *testing.T, opts embedded.Options) *transcripts.Env {
	t.Helper()
	sys, err := embedded.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	p := &transcripts.Profile{Name: "embedded"}
	for _, scheme := range transcripts.Schemes() {
		ep, _, err := transcripts.ParseEndpoint(sys.URL(scheme))
		if err != nil {
			t.Fatal(err)
		}
		ep.TLSRequiredForAuth = ep.Security == transcripts.Plain
		p.Endpoints = append(p.Endpoints, ep)
	}
	for _, a := range sys.Accounts {
		p.Accounts = append(p.Accounts, transcripts.Account{User: a.User, Password: a.Password, Address: a.Address, Disposable: true})
	}
	p.TLS.CAPEM, p.TLS.ServerName = sys.CertPEM, "localhost"
	return envFor(t, p)
}

func envFor(t *testing.T, p *transcripts.Profile) *transcripts.Env {
	t.Helper()
	opts := transcripts.Options{Timeout: 10 * time.Second}
	info, err := transcripts.Preflight(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &transcripts.Env{Profile: p, Info: info, Options: opts, RunID: "mstest" + time.Now().Format("150405.000")}
}

func knownFailures(t *testing.T, target string) map[string]string {
	t.Helper()
	data, err := baselines.FS.ReadFile(target + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := reports.ParseBaseline(target+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, k := range b.KnownFailures {
		if k.Target == "" || k.Target == target {
			m[k.ID] = k.Reason
		}
	}
	return m
}

// checkSuites runs every built-in scenario against env: each passes or is
// not applicable, except the baseline's known failures, which must fail.
func checkSuites(t *testing.T, env *transcripts.Env, target string) {
	known := knownFailures(t, target)
	// godog's TestingT would fail the subtest of every baselined known
	// failure, so each result gets a subtest of our own instead.
	res, err := Run(context.Background(), env, Options{FS: features.FS, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	cat, _ := Catalogue(features.FS)
	if len(res) != len(cat) {
		t.Errorf("%d results for %d scenarios", len(res), len(cat))
	}
	applicable := 0
	for _, r := range res {
		o := r.Outcome
		if o.Verdict != transcripts.NotApplicable {
			applicable++
		}
		t.Run(r.Scenario.ID, func(t *testing.T) {
			_, isKnown := known[r.Scenario.ID]
			switch {
			case isKnown && o.Verdict != transcripts.Fail:
				t.Errorf("baselined as a known failure of %s but ended %s: update targets/baselines/%s.yaml", target, o.Verdict, target)
			case isKnown:
				t.Logf("known failure: %s", o.Reason)
			case o.Verdict == transcripts.Pass:
			case o.Verdict == transcripts.NotApplicable:
				t.Logf("not applicable: %s", o.Reason)
			default:
				t.Errorf("%s: %s (expected %q, got %q)", o.Verdict, o.Reason, o.Expected, o.Got)
			}
			if o.Verdict == transcripts.Pass && len(o.Entries) == 0 {
				t.Error("passed without a transcript")
			}
		})
	}
	t.Logf("%s: %d of %d scenarios applicable", target, applicable, len(res))
}

func TestSuitesEmbedded(t *testing.T) { checkSuites(t, embeddedEnv(t), "embedded") }

func TestSuitesReal(t *testing.T) {
	path := os.Getenv("MAILSPEC_PROFILE")
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MAILSPEC_PROFILE is not set: run the tests under targets/real/with-servers.sh (./test.sh)")
		}
		t.Skip("MAILSPEC_PROFILE is not set: the real servers are not running (./test.sh starts them)")
	}
	p, err := transcripts.LoadProfile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSuites(t, envFor(t, p), p.Name)
}
