package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/targets/baselines"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

// startEmbedded starts the reference system and writes its profile (and
// CA) into a temporary directory.
func startEmbedded(t *testing.T) (*embedded.System, string) {
	t.Helper()
	sys, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sys.Close() })
	dir := t.TempDir()
	p := embeddedProfile(sys)
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, sys.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	p.TLS.CAFile = ca
	b, err := transcripts.MarshalProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "profile.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return sys, path
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMain(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// oneLineError checks that a run that cannot start exits 2 with a single
// line on stderr containing want and no stack trace.
func oneLineError(t *testing.T, code int, stderr, want string) {
	t.Helper()
	if code != 2 {
		t.Errorf("exit status %d, want 2 (stderr %q)", code, stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	if len(lines) != 1 {
		t.Errorf("stderr has %d lines, want 1: %q", len(lines), stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not mention %q", stderr, want)
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr looks like a stack trace: %q", stderr)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRunCannotStart(t *testing.T) {
	sys, _ := startEmbedded(t)
	imaps := strings.TrimPrefix(sys.URL("imaps"), "imaps://")
	alice := sys.Accounts[0]
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, sys.CertPEM, 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad scheme", []string{"run", "--target", "gopher://a:b@127.0.0.1:1"}, "unknown scheme"},
		{"bad port", []string{"run", "--target", "imap://a:b@127.0.0.1:99999"}, "bad port"},
		{"no credentials", []string{"run", "--target", "imap://127.0.0.1:1"}, "no account"},
		{"refused", []string{"run", "--target", "imap://a:b@" + freePort(t)}, "refused"},
		{"tls not verified", []string{"run", "--target", "imaps://" + alice.User + ":" + alice.Password + "@" + imaps}, "certificate"},
		{"wrong password", []string{"run", "--ca-file", caFile, "--target", "imaps://" + alice.User + ":wrong-" + alice.Password + "@" + imaps}, "login as " + alice.User + " failed"},
		{"missing profile", []string{"run", "--profile", "/nonexistent/profile.yaml"}, "no such file"},
		{"bad flag value", []string{"run", "--parallel", "0"}, "--parallel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("MAILSPEC_USER", "")
			t.Setenv("MAILSPEC_PASSWORD", "")
			code, stdout, stderr := run(t, append(tt.args, "--out", t.TempDir())...)
			oneLineError(t, code, stderr, tt.want)
			if strings.Contains(stdout+stderr, alice.Password) {
				t.Errorf("the password appears in the output: %q %q", stdout, stderr)
			}
		})
	}
}

// TestRunNoSecrets runs the whole library against the embedded system and
// searches the report and every line printed for each password and its
// base64 forms.
func TestRunNoSecrets(t *testing.T) {
	sys, profile := startEmbedded(t)
	out := t.TempDir()
	code, stdout, stderr := run(t, "run", "--profile", profile, "--out", out, "--baseline", "../../targets/baselines/embedded.yaml")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	everything := string(raw) + stdout + stderr
	for _, a := range sys.Accounts {
		for _, secret := range []string{
			a.Password,
			base64.StdEncoding.EncodeToString([]byte(a.Password)),
			base64.StdEncoding.EncodeToString([]byte("\x00" + a.User + "\x00" + a.Password)),
		} {
			if strings.Contains(everything, secret) {
				t.Errorf("a credential of %s appears in the report or output", a.User)
			}
		}
	}
	if !strings.Contains(string(raw), "${password}") && !strings.Contains(string(raw), "${qpassword}") && !strings.Contains(string(raw), "${plain}") {
		t.Errorf("the report has no credential references: was anything redacted?")
	}
	var r reports.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != reports.Schema || r.Tool.Name != "mailspec" || len(r.Targets) != 1 || len(r.Cases) < 30 {
		t.Fatalf("report: schema %q tool %q, %d targets, %d cases", r.Schema, r.Tool.Name, len(r.Targets), len(r.Cases))
	}
	for _, c := range r.Cases {
		if c.ID == "" || c.Level == "" || len(c.RFC) == 0 || c.Target != "embedded" || c.Verdict == "" {
			t.Errorf("incomplete case %+v", c)
		}
		if c.Verdict == "fail" && c.KnownFailure == "" {
			t.Errorf("%s failed: %s", c.ID, c.Detail.Reason)
		}
		if c.Verdict == "pass" && len(c.Transcript) == 0 {
			t.Errorf("%s passed with no transcript", c.ID)
		}
	}
	ep := r.Targets[0].Endpoints
	if len(ep) != 7 {
		t.Fatalf("%d endpoints, want 7", len(ep))
	}
	for _, e := range ep {
		if len(e.CapsAfterTLS) == 0 || e.TLSVersion == "" {
			t.Errorf("endpoint %s: no capabilities after TLS or no TLS version: %+v", e.URL, e)
		}
	}
}

func TestRunExitStatusOnFailure(t *testing.T) {
	_, profile := startEmbedded(t)
	// Without the baseline, go-smtp's 502-for-503 is a MUST failure.
	code, stdout, _ := run(t, "run", "--profile", profile, "--out", t.TempDir(), "--id", "smtp/5321/3.3/rcpt-before-mail-503")
	if code != 1 {
		t.Errorf("exit %d, want 1:\n%s", code, stdout)
	}
	// A SHOULD failure alone exits 0, and 1 with --strict.
	code, _, _ = run(t, "run", "--profile", profile, "--out", t.TempDir(), "--id", "smtp/5321/4.2.4/unknown-command-500")
	if code != 0 {
		t.Errorf("SHOULD failure: exit %d, want 0", code)
	}
	code, _, _ = run(t, "run", "--profile", profile, "--out", t.TempDir(), "--strict", "--id", "smtp/5321/4.2.4/unknown-command-500")
	if code != 1 {
		t.Errorf("SHOULD failure with --strict: exit %d, want 1", code)
	}
}

func TestReplayPrintsExpectedAndGot(t *testing.T) {
	_, profile := startEmbedded(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("@id smtp/5321/4.3.1/test-mismatch\n@protocol smtp\n@rfc 5321 4.3.1\n@level MUST\nS: 221 *\n"), 0o644)
	code, stdout, stderr := run(t, "replay", "--profile", profile, "--out", t.TempDir(), bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"expected: 221 *", "got:      220 ", "transcript:", "bad.txt:5"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	good := filepath.Join(dir, "good.txt")
	os.WriteFile(good, []byte("@id smtp/5321/4.3.1/test-match\n@protocol smtp\n@rfc 5321 4.3.1\n@level MUST\nS: 220 *\nC: QUIT\nS: 221*\nS: <closed>\n"), 0o644)
	if code, stdout, stderr := run(t, "replay", "--profile", profile, "--out", t.TempDir(), good); code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "replay", "--profile", profile); code != 2 || !strings.Contains(stderr, "transcript") {
		t.Errorf("replay without files: exit %d, %q", code, stderr)
	}
}

func TestListAndDuplicateIDs(t *testing.T) {
	code, stdout, stderr := run(t, "list", "--json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var entries []catalogueEntry
	if err := json.Unmarshal([]byte(stdout), &entries); err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, e := range entries {
		per[e.Protocol]++
		if e.ID == "" || e.Level == "" || len(e.RFC) == 0 || e.Title == "" {
			t.Errorf("incomplete catalogue entry %+v", e)
		}
	}
	for _, p := range []string{"smtp", "pop3", "imap"} {
		if per[p] < 10 {
			t.Errorf("%d %s transcripts in the library, want at least 10", per[p], p)
		}
	}
	dir := t.TempDir()
	one := "@id pop3/1939/4/dup\n@protocol pop3\n@rfc 1939 4\n@level MUST\nS: +OK*\n"
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(one), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte(one), 0o644)
	code, _, stderr = run(t, "list", "--transcripts", dir)
	oneLineError(t, code, stderr, "duplicate case id pop3/1939/4/dup")
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("@id pop3/1939/4/x\n@protocol pop3\n@level MUST\n@rfc 1939 4\nQ: what\n"), 0o644)
	code, _, stderr = run(t, "list", "--transcripts", dir)
	if code != 2 || !strings.Contains(stderr, "b.txt:5") {
		t.Errorf("malformed transcript: exit %d, stderr %q (want the file and line)", code, stderr)
	}
}

// TestBaselinesNameCases checks that every entry of the built-in baselines
// names a case of the library or the suites (a baseline cannot go stale by
// a rename).
func TestBaselinesNameCases(t *testing.T) {
	ss, err := loadScripts(nil)
	if err != nil {
		t.Fatal(err)
	}
	suites, err := loadSuites(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, s := range ss {
		ids[s.ID] = true
	}
	for _, su := range suites {
		for _, sc := range su.scenarios {
			ids[sc.ID] = true
		}
	}
	for _, name := range []string{"embedded.yaml", "dovecot-postfix.yaml"} {
		data, err := baselines.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		b, err := reports.ParseBaseline(name, data)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range b.KnownFailures {
			if !ids[k.ID] {
				t.Errorf("%s lists %s, which is no case", name, k.ID)
			}
		}
	}
}
