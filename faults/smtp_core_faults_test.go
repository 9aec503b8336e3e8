package faults

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

// coreFaultChecks are the faults of smtp_core_faults.go that this
// package's own test runs with their scenarios; steps.TestFaultProofs
// runs every @fault scenario of the suites.
var coreFaultChecks = []string{
	"smtp-refused-ehlo-resets",
	"smtp-dot-line-ends-data",
	"smtp-rcpt-limit-50",
	"smtp-case-sensitive",
	"smtp-enhanced-codes-missing",
	"smtp-helo-extended",
}

// coreEnv describes an SMTP endpoint at addr with the embedded system's
// accounts; info is what the pre-flight check learnt of the embedded
// system (a fault may keep the check from passing through the proxy).
func coreEnv(t *testing.T, sys *embedded.System, addr string, caPEM []byte, info map[string]transcripts.EndpointInfo) *transcripts.Env {
	t.Helper()
	ep, _, err := transcripts.ParseEndpoint("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	ep.TLSRequiredForAuth = true
	p := &transcripts.Profile{Name: "core", Endpoints: []transcripts.Endpoint{ep}}
	for _, a := range sys.Accounts {
		p.Accounts = append(p.Accounts, transcripts.Account{User: a.User, Password: a.Password, Address: a.Address, Disposable: true})
	}
	p.TLS.CAPEM = caPEM
	p.TLS.ServerName = "localhost"
	// A generous hang guard: no scenario here waits for a reply that the
	// embedded system, or one of these faults, does not send.
	opts := transcripts.Options{Timeout: 20 * time.Second}
	if info == nil {
		if info, err = transcripts.Preflight(context.Background(), p, opts); err != nil {
			t.Fatalf("pre-flight %s: %v", addr, err)
		}
	}
	return &transcripts.Env{Profile: p, Info: info, Options: opts, RunID: "mscore"}
}

// coreRun runs one scenario and returns its outcome.
func coreRun(t *testing.T, env *transcripts.Env, id string) transcripts.Outcome {
	t.Helper()
	res, err := steps.Run(context.Background(), env, steps.Options{FS: features.FS, IDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("%s: %d results, want 1", id, len(res))
	}
	return res[0].Outcome
}

// TestCoreFaultScenarios: each scenario of the RFC 5321 core suite tagged
// with one of coreFaultChecks passes against the embedded system and fails
// through the proxy with its fault, naming the requirement it checks.
func TestCoreFaultScenarios(t *testing.T) {
	cat, err := steps.Catalogue(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	direct := coreEnv(t, sys, sys.Endpoints["smtp"], sys.CertPEM, nil)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(sys.CertPEM) {
		t.Fatal("the embedded system's certificate does not parse")
	}
	for _, name := range coreFaultChecks {
		f, ok := Lookup(name)
		if !ok {
			t.Errorf("fault %s is not registered", name)
			continue
		}
		var tagged []steps.Scenario
		for _, sc := range cat {
			if sc.FaultTag() == name && strings.HasPrefix(sc.File, "smtp/core-") {
				tagged = append(tagged, sc)
			}
		}
		if len(tagged) == 0 {
			t.Errorf("no core scenario is tagged @fault:%s", name)
		}
		for _, sc := range tagged {
			t.Run(name+"/"+sc.ID, func(t *testing.T) {
				if o := coreRun(t, direct, sc.ID); o.Verdict != transcripts.Pass {
					t.Fatalf("against the embedded system: %s (%s), want pass", o.Verdict, o.Reason)
				}
				px, err := Start(Options{
					Protocol:    SMTP,
					Upstream:    sys.Endpoints["smtp"],
					UpstreamTLS: &tls.Config{RootCAs: roots, ServerName: "localhost"},
					Fault:       f,
				})
				if err != nil {
					t.Fatal(err)
				}
				defer px.Close()
				o := coreRun(t, coreEnv(t, sys, px.Addr(), px.CertPEM(), direct.Info), sc.ID)
				if o.Verdict != transcripts.Fail {
					t.Fatalf("through %s: %s (%s), want fail", name, o.Verdict, o.Reason)
				}
				if o.Reason == "" || len(o.Entries) == 0 {
					t.Errorf("through %s: a failure without a reason or a transcript", name)
				}
			})
		}
	}
}

func TestEndAtDotLines(t *testing.T) {
	for _, tc := range []struct {
		in      string
		sol     bool
		want    string
		wantSOL bool
	}{
		{"..x\r\n.\r\n", true, ".\r\n..x\r\n.\r\n", true},
		{"..x\r\n", false, "..x\r\n", true},
		{"a\r\n..\r\nb", true, "a\r\n.\r\n..\r\nb", false},
		{"text.\r\n...\r\n", true, "text.\r\n.\r\n...\r\n", true},
		{".", true, ".", false},
	} {
		got, sol := coreEndAtDotLines([]byte(tc.in), tc.sol)
		if diff := cmp.Diff(tc.want, string(got)); diff != "" || sol != tc.wantSOL {
			t.Errorf("endAtDotLines(%q, %v) = %q, %v, want %q, %v", tc.in, tc.sol, got, sol, tc.want, tc.wantSOL)
		}
	}
}

func TestLowerCaseKeyword(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"EHLO mailspec.test\r\n", false},
		{"ehlo MAILSPEC\r\n", true},
		{"MAIL FROM:<Alice@Example.test>\r\n", false},
		{"MAIL from:<>\r\n", true},
		{"MAIL FROM:<> BODY=8BITMIME\r\n", false},
		{"MAIL FROM:<> body=8bitmime\r\n", true},
		{"RCPT To:<bob@example.test>\r\n", true},
		{"VRFY alice\r\n", false},
		{"NoOp\r\n", true},
	} {
		if got := coreLowerCaseKeyword(parseCommand(SMTP, []byte(tc.line))); got != tc.want {
			t.Errorf("lowerCaseKeyword(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestStripEnhanced(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"250 2.1.0 Ok\r\n", "250 Ok\r\n"},
		{"550-5.1.1 one\r\n550 5.1.1 two\r\n", "550-one\r\n550 two\r\n"},
		{"250 Ok 2.1.0\r\n", "250 Ok 2.1.0\r\n"},
		{"354 Go ahead\r\n", "354 Go ahead\r\n"},
	} {
		if diff := cmp.Diff(tc.want, string(coreStripEnhanced([]byte(tc.in)))); diff != "" {
			t.Errorf("stripEnhanced(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestJoinReply(t *testing.T) {
	lines := coreReplyLines([]byte("250-a\r\n250 b\r\n"))
	got := coreJoinReply(append(lines, []byte("250-c\r\n")))
	if diff := cmp.Diff("250-a\r\n250-b\r\n250 c\r\n", string(got)); diff != "" {
		t.Errorf("joinReply (-want +got):\n%s", diff)
	}
}

func TestLongLine(t *testing.T) {
	var l coreLongLine
	l = l.scan([]byte(strings.Repeat("x", 500)))
	l = l.scan([]byte(strings.Repeat("x", 497) + "\r\n"))
	if l.seen {
		t.Errorf("a line of 999 octets counted as 1000 or more")
	}
	l = l.scan([]byte(strings.Repeat("y", 998) + "\r\n"))
	if !l.seen {
		t.Errorf("a line of 1000 octets not seen")
	}
}
