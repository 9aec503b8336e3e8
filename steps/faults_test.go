package steps

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"sort"
	"testing"

	"github.com/mailspec/mailspec/faults"
	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

// faultyEnv puts a proxy with fault f in front of every endpoint of f's
// protocol; the other endpoints stay direct.
func faultyEnv(t *testing.T, env *transcripts.Env, f faults.Fault, serverTLS *tls.Config, certPEM []byte) *transcripts.Env {
	t.Helper()
	upstreamRoots := x509.NewCertPool()
	upstreamRoots.AppendCertsFromPEM(env.Profile.TLS.CAPEM)
	p := *env.Profile
	p.Endpoints = nil
	for _, ep := range env.Profile.Endpoints {
		if string(ep.Protocol) == f.Protocol {
			px, err := faults.Start(faults.Options{
				Protocol:    f.Protocol,
				Upstream:    ep.Addr(),
				Implicit:    ep.Security == transcripts.Implicit,
				ServerTLS:   serverTLS,
				UpstreamTLS: &tls.Config{RootCAs: upstreamRoots, ServerName: "localhost"},
				Fault:       f,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { px.Close() })
			proxied, _, err := transcripts.ParseEndpoint(ep.Scheme + "://" + px.Addr())
			if err != nil {
				t.Fatal(err)
			}
			proxied.TLSRequiredForAuth = ep.TLSRequiredForAuth
			ep = proxied
		}
		p.Endpoints = append(p.Endpoints, ep)
	}
	// Direct endpoints and proxies are verified against both CAs.
	p.TLS.CAPEM = append(append([]byte(nil), env.Profile.TLS.CAPEM...), certPEM...)
	fenv := *env
	fenv.Profile = &p
	return &fenv
}

// TestFaultProofs proves that the suites catch what they check: every
// scenario tagged @fault:NAME passes against the embedded system and fails
// through a proxy injecting fault NAME (or, for a fault with a Backend,
// against an embedded system started with that fault), which breaks
// exactly the requirement the scenario enforces. At least half of each protocol's
// MUST/MUST NOT scenarios must have such a proof.
func TestFaultProofs(t *testing.T) {
	env := embeddedEnv(t)
	// One certificate for every proxy, so that one profile CA trusts them.
	serverTLS, certPEM, err := faults.SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := Catalogue(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runOne := func(e *transcripts.Env, id string) transcripts.Outcome {
		// The tag filter keeps godog from setting up every other scenario
		// only to skip it.
		res, err := Run(ctx, e, Options{FS: features.FS, IDs: []string{id}, Tags: "@id:" + id})
		if err != nil || len(res) != 1 {
			t.Fatalf("%s: Run = %d results, %v", id, len(res), err)
		}
		return res[0].Outcome
	}
	// A fault with a Backend breaks the maildrop itself: its scenarios
	// run against a second embedded system started with it, one per
	// backend fault.
	backends := map[string]*transcripts.Env{}
	for _, s := range cat {
		f, ok := faults.Lookup(s.FaultTag())
		if _, started := backends[f.Backend]; ok && f.Backend != "" && !started {
			backends[f.Backend] = embeddedEnvWith(t, embedded.Options{Faults: []string{f.Backend}})
		}
	}
	faultyFor := func(t *testing.T, f faults.Fault) *transcripts.Env {
		if f.Backend != "" {
			return backends[f.Backend]
		}
		return faultyEnv(t, env, f, serverTLS, certPEM)
	}
	musts, proved := map[string]int{}, map[string]int{}
	var unproved []string
	for _, s := range cat {
		must := s.Level == "MUST" || s.Level == "MUST NOT"
		if must {
			musts[s.Protocol]++
		}
		name := s.FaultTag()
		if name == "" {
			if must {
				unproved = append(unproved, s.ID)
			}
			continue
		}
		f, ok := faults.Lookup(name)
		if !ok {
			t.Errorf("%s: @fault:%s is not a fault of package faults", s.ID, name)
			continue
		}
		if f.Protocol != s.Protocol {
			t.Errorf("%s: @fault:%s is a %s fault", s.ID, name, f.Protocol)
			continue
		}
		t.Run(s.ID, func(t *testing.T) {
			if o := runOne(env, s.ID); o.Verdict != transcripts.Pass {
				t.Fatalf("without the fault: %s: %s (a proof needs a scenario that passes against the correct server)", o.Verdict, o.Reason)
			}
			o := runOne(faultyFor(t, f), s.ID)
			if o.Verdict != transcripts.Fail {
				t.Fatalf("with fault %s (%s): %s: %s, want fail", name, f.Description, o.Verdict, o.Reason)
			}
			if o.Reason == "" || len(o.Entries) == 0 {
				t.Errorf("with fault %s: a failure without a reason or transcript", name)
			}
			if must {
				proved[s.Protocol]++
			}
		})
	}
	sort.Strings(unproved)
	for proto, n := range musts {
		t.Logf("%s: %d of %d MUST/MUST NOT scenarios proved by a fault", proto, proved[proto], n)
		if 2*proved[proto] < n {
			t.Errorf("%s: only %d of %d MUST/MUST NOT scenarios have a fault proof (want at least half); without one: %v", proto, proved[proto], n, unproved)
		}
	}
}
