package faults

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

func TestFakeEndsToCRLF(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\n.\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\r.\rMAIL", "a\r\n.\r\nMAIL"},
		{"a\n.\r\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\r\n.\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\r\n.\rMAIL", "a\r\n.\r\nMAIL"},
		{"a\r\n\x00.\r\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\r\n.\x00\r\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\n\n.\r\nMAIL", "a\r\n.\r\nMAIL"},
		{"a\r\n.\r\r\nMAIL", "a\r\n.\r\nMAIL"},
		// Real ends and dot-stuffed lines stay as they are.
		{"a\r\n.\r\n", "a\r\n.\r\n"},
		{"a\r\n..b\r\n.\r\n", "a\r\n..b\r\n.\r\n"},
		{"plain text\r\n", "plain text\r\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, string(fakeEndsToCRLF([]byte(tt.in)))); diff != "" {
			t.Errorf("fakeEndsToCRLF(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestDropParam(t *testing.T) {
	tests := []struct{ line, name, want string }{
		{"MAIL FROM:<> SIZE=1000\r\n", "SIZE", "MAIL FROM:<>\r\n"},
		{"MAIL FROM:<> size=1 BODY=8BITMIME\r\n", "SIZE", "MAIL FROM:<> BODY=8BITMIME\r\n"},
		{"MAIL FROM:<> RET=BODY ENVID=x\r\n", "RET", "MAIL FROM:<> ENVID=x\r\n"},
		{"MAIL FROM:<a@b>\r\n", "SIZE", "MAIL FROM:<a@b>\r\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, string(dropParam([]byte(tt.line), tt.name))); diff != "" {
			t.Errorf("dropParam(%q, %q) (-want +got):\n%s", tt.line, tt.name, diff)
		}
	}
}

func TestEHLOEdits(t *testing.T) {
	ehlo := "250-example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 100\r\n"
	tests := []struct{ name, got, want string }{
		{"remove middle", string(removeEHLOKeyword([]byte(ehlo), "8BITMIME")), "250-example.test\r\n250-PIPELINING\r\n250 SIZE 100\r\n"},
		{"remove last", string(removeEHLOKeyword([]byte(ehlo), "size")), "250-example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"},
		{"insert", string(insertEHLOLine([]byte("250 example.test\r\n"), "AUTH PLAIN")), "250-example.test\r\n250 AUTH PLAIN\r\n"},
		{"size garbled", string(sizeParamRE.ReplaceAll([]byte(ehlo), []byte("${1}MB"))), "250-example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 100MB\r\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// extProfile builds the profile of an embedded system, with the SMTP
// endpoints replaced by the given addresses (proxies) where present.
func extProfile(t *testing.T, sys *embedded.System, smtpAddrs map[string]string, extraCAs ...[]byte) *transcripts.Profile {
	t.Helper()
	p := &transcripts.Profile{Name: "embedded", Source: "embedded"}
	for _, scheme := range transcripts.Schemes() {
		addr, ok := sys.Endpoints[scheme]
		if !ok {
			continue
		}
		if a, ok := smtpAddrs[scheme]; ok {
			addr = a
		}
		ep, _, err := transcripts.ParseEndpoint(scheme + "://" + addr)
		if err != nil {
			t.Fatalf("ParseEndpoint: %v", err)
		}
		ep.TLSRequiredForAuth = ep.Security == transcripts.Plain
		p.Endpoints = append(p.Endpoints, ep)
	}
	for _, a := range sys.Accounts {
		p.Accounts = append(p.Accounts, transcripts.Account{User: a.User, Password: a.Password, Address: a.Address, Disposable: true})
	}
	p.TLS.CAPEM = bytes.Join(append([][]byte{sys.CertPEM}, extraCAs...), nil)
	p.TLS.ServerName = "localhost"
	return p
}

// extFaultScenarios returns the scenarios of this package's extension
// suites that name one of this file's faults (or the STARTTLS injection
// fault they reuse), by fault.
func extFaultScenarios(t *testing.T) map[string][]string {
	t.Helper()
	cat, err := steps.Catalogue(features.FS)
	if err != nil {
		t.Fatalf("Catalogue: %v", err)
	}
	mine := map[string]bool{"smtp-starttls-injection": true}
	for _, f := range extFaults {
		mine[f.Name] = true
	}
	out := map[string][]string{}
	for _, s := range cat {
		f := s.FaultTag()
		ext := strings.HasPrefix(s.File, "smtp/ext-") || strings.HasPrefix(s.File, "smtp/security-") || s.File == "smtp/e2e.feature"
		if f != "" && ext && mine[f] {
			out[f] = append(out[f], s.ID)
		}
	}
	return out
}

func runScenarios(t *testing.T, env *transcripts.Env, ids []string) map[string]transcripts.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := steps.Run(ctx, env, steps.Options{FS: features.FS, IDs: ids, Concurrency: 4})
	if err != nil {
		t.Fatalf("steps.Run: %v", err)
	}
	out := map[string]transcripts.Outcome{}
	for _, r := range res {
		out[r.Scenario.ID] = r.Outcome
	}
	return out
}

// TestExtFaultsCatchViolations proves the @fault tags of the extension
// suites: every tagged scenario passes against the embedded system and
// fails through a proxy (in front of its smtp, submission and smtps
// endpoints) that injects the fault it names.
func TestExtFaultsCatchViolations(t *testing.T) {
	byFault := extFaultScenarios(t)
	var all []string
	for _, ids := range byFault {
		all = append(all, ids...)
	}
	sort.Strings(all)
	if len(all) < 30 {
		t.Fatalf("only %d scenarios name this file's faults: %v", len(all), all)
	}
	for _, f := range extFaults {
		if len(byFault[f.Name]) == 0 {
			t.Errorf("fault %s is named by no scenario", f.Name)
		}
	}

	sys := startSystem(t, embedded.Options{})
	opts := transcripts.Options{Timeout: 10 * time.Second, DialTimeout: 10 * time.Second}
	direct := extProfile(t, sys, nil)
	cfg, err := direct.TLSConfig(direct.Endpoints[0])
	if err != nil {
		t.Fatal(err)
	}
	popts := opts
	popts.TLS = cfg
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	info, err := transcripts.Preflight(ctx, direct, popts)
	cancel()
	if err != nil {
		t.Fatalf("Preflight: %v", err)
	}
	env := &transcripts.Env{Profile: direct, Info: info, Options: opts, RunID: "extfaults"}
	for id, o := range runScenarios(t, env, all) {
		if o.Verdict != transcripts.Pass {
			t.Errorf("%s against the embedded system: %s (%s), want pass", id, o.Verdict, o.Reason)
		}
	}

	names := make([]string, 0, len(byFault))
	for name := range byFault {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			f, ok := Lookup(name)
			if !ok {
				t.Fatalf("fault %s is not registered", name)
			}
			addrs := map[string]string{}
			var cas [][]byte
			for _, scheme := range []string{embedded.SchemeSMTP, embedded.SchemeSubmission, embedded.SchemeSMTPS} {
				p := startProxy(t, sys, scheme, f)
				addrs[scheme] = p.Addr()
				cas = append(cas, p.CertPEM())
			}
			faulty := &transcripts.Env{Profile: extProfile(t, sys, addrs, cas...), Options: opts, RunID: "extfaults"}
			// What pre-flight learnt of the real endpoints: the fault
			// must show in the live session, not in the preconditions.
			faulty.Info = map[string]transcripts.EndpointInfo{}
			for scheme, i := range info {
				faulty.Info[scheme] = i
			}
			got := runScenarios(t, faulty, byFault[name])
			for _, id := range byFault[name] {
				o, ok := got[id]
				if !ok {
					t.Errorf("%s did not run", id)
					continue
				}
				if o.Verdict != transcripts.Fail {
					t.Errorf("%s through %s: %s (%s), want fail", id, name, o.Verdict, o.Reason)
				}
			}
		})
	}
}
