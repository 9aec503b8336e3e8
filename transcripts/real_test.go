package transcripts_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/targets/baselines"
	. "github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/library"
	"github.com/mailspec/mailspec/transcripts/script"
)

// realProfile loads the profile of the real servers started by
// targets/real/with-servers.sh. Outside CI their absence skips the test;
// with CI=true it fails it.
func realProfile(t *testing.T) *Profile {
	t.Helper()
	path := os.Getenv("MAILSPEC_PROFILE")
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MAILSPEC_PROFILE is not set: run the tests under targets/real/with-servers.sh (./test.sh)")
		}
		t.Skip("MAILSPEC_PROFILE is not set: the real servers are not running (./test.sh starts them)")
	}
	p, err := LoadProfile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func realOptions() Options { return Options{Timeout: 20 * time.Second, DialTimeout: 20 * time.Second} }

// TestRealSASL authenticates with every mechanism the real servers offer,
// on every endpoint that offers AUTH, through the session's own SASL
// framing (SMTP AUTH, IMAP AUTHENTICATE, POP3 AUTH), with the right and a
// wrong password, and checks that no credential is recorded.
func TestRealSASL(t *testing.T) {
	p := realProfile(t)
	ctx := context.Background()
	acct := p.Accounts[0]
	tested := map[string]bool{}
	for _, ep := range p.Endpoints {
		cfg, err := p.TLSConfig(ep)
		if err != nil {
			t.Fatal(err)
		}
		opts := realOptions()
		opts.TLS = cfg
		open := func(rec *Recorder) *Session {
			t.Helper()
			o := opts
			o.Recorder = rec
			s, err := Dial(ctx, ep, o)
			if err != nil {
				t.Fatalf("%s: %v", ep.URL, err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Greet(); err != nil {
				t.Fatalf("%s: %v", ep.URL, err)
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				t.Fatalf("%s: %v", ep.URL, err)
			}
			return s
		}
		mechs := open(nil).Mechanisms()
		for _, mech := range mechs {
			mech = strings.ToUpper(mech)
			t.Run(ep.Scheme+"/"+mech, func(t *testing.T) {
				rec := NewRecorder()
				s := open(rec)
				if err := s.Authenticate(ctx, mech, LoginCredentials{N: 1, User: acct.User, Password: acct.Password}); err != nil {
					t.Fatalf("Authenticate(%s): %v", mech, err)
				}
				for _, e := range rec.Entries() {
					for _, secret := range []string{acct.Password, base64.StdEncoding.EncodeToString([]byte(acct.Password))} {
						if bytes.Contains(e.Data, []byte(secret)) {
							t.Errorf("a credential was recorded: %q", e.Data)
						}
					}
				}
				s2 := open(nil)
				if err := s2.Authenticate(ctx, mech, LoginCredentials{N: 1, User: acct.User, Password: "wrong-" + acct.Password}); err == nil {
					t.Errorf("Authenticate(%s) with a wrong password succeeded", mech)
				}
				tested[ep.Protocol.String()+"/"+mech] = true
			})
		}
	}
	for _, want := range []string{"imap/SCRAM-SHA-256", "imap/SCRAM-SHA-1", "imap/CRAM-MD5", "imap/PLAIN", "imap/LOGIN",
		"pop3/SCRAM-SHA-256", "pop3/PLAIN", "smtp/PLAIN", "smtp/LOGIN", "smtp/SCRAM-SHA-256"} {
		if !tested[want] {
			t.Errorf("%s was not tested against the real servers (offered: see the subtests)", want)
		}
	}
}

// TestRealLibrary replays the starter library against Dovecot and Postfix:
// every case passes or is not applicable, except the baseline's known
// failures, which must still fail (a baseline entry that passes is stale).
func TestRealLibrary(t *testing.T) {
	p := realProfile(t)
	ctx := context.Background()
	info, err := Preflight(ctx, p, realOptions())
	if err != nil {
		t.Fatal(err)
	}
	data, err := baselines.FS.ReadFile("dovecot-postfix.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bl, err := reports.ParseBaseline("dovecot-postfix.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, k := range bl.KnownFailures {
		known[k.ID] = true
	}
	ss, err := script.ParseFS(library.FS, "*/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Profile: p, Info: info, Options: realOptions(), RunID: "mstest" + time.Now().Format("150405")}
	applicable := 0
	for _, s := range ss {
		o := Replay(ctx, s, env)
		switch {
		case known[s.ID]:
			if o.Verdict != Fail {
				t.Errorf("%s: baseline lists it as a known failure but it ended %s: update targets/baselines/dovecot-postfix.yaml", s.ID, o.Verdict)
			}
		case o.Verdict == Pass:
		case o.Verdict == NotApplicable:
			t.Logf("%s: not applicable: %s", s.ID, o.Reason)
			continue
		default:
			t.Errorf("%s: %s: %s", s.ID, o.Verdict, o.Reason)
		}
		applicable++
	}
	if applicable < 30 {
		t.Errorf("only %d of %d cases were applicable against Dovecot+Postfix", applicable, len(ss))
	}
}
