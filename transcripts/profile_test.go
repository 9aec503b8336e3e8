package transcripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want Endpoint
		user string
	}{
		{"smtp://mx.example", Endpoint{URL: "smtp://mx.example:25", Scheme: "smtp", Protocol: SMTP, Security: Plain, Host: "mx.example", Port: 25}, ""},
		{"submission://a:b@127.0.0.1", Endpoint{URL: "submission://127.0.0.1:587", Scheme: "submission", Protocol: SMTP, Security: Plain, Host: "127.0.0.1", Port: 587}, "a"},
		{"SMTPS://h:2465", Endpoint{URL: "smtps://h:2465", Scheme: "smtps", Protocol: SMTP, Security: Implicit, Host: "h", Port: 2465}, ""},
		{"imap://h", Endpoint{URL: "imap://h:143", Scheme: "imap", Protocol: IMAP, Security: Plain, Host: "h", Port: 143}, ""},
		{"imaps://[::1]", Endpoint{URL: "imaps://[::1]:993", Scheme: "imaps", Protocol: IMAP, Security: Implicit, Host: "::1", Port: 993}, ""},
		{"pop3://alice%40x:p%3Aw@h:1110", Endpoint{URL: "pop3://h:1110", Scheme: "pop3", Protocol: POP3, Security: Plain, Host: "h", Port: 1110}, "alice@x"},
		{"pop3s://h", Endpoint{URL: "pop3s://h:995", Scheme: "pop3s", Protocol: POP3, Security: Implicit, Host: "h", Port: 995}, ""},
	}
	for _, tt := range tests {
		got, ui, err := ParseEndpoint(tt.in)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseEndpoint(%q) (-want +got):\n%s", tt.in, d)
		}
		if tt.user != "" && (ui == nil || ui.Username() != tt.user) {
			t.Errorf("ParseEndpoint(%q) user = %v, want %q", tt.in, ui, tt.user)
		}
	}
	for _, bad := range []string{"http://h", "imap:", "imap://", "imap://h:0", "imap://h:x", "imap://h/INBOX", "imap://h?x=1", "::::", "imap://a:sekrit@h:99999"} {
		_, _, err := ParseEndpoint(bad)
		if err == nil {
			t.Errorf("ParseEndpoint(%q) succeeded", bad)
			continue
		}
		if strings.Contains(err.Error(), "sekrit") {
			t.Errorf("ParseEndpoint(%q) error shows the password: %v", bad, err)
		}
	}
}

func TestProfileFromTargets(t *testing.T) {
	env := map[string]string{"MAILSPEC_PASSWORD": "from-env", "MAILSPEC_USER2": "bob", "MAILSPEC_PASSWORD2": "pw2"}
	p, err := ProfileFromTargets([]string{"imaps://alice@h", "smtps://h"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []Account{{User: "alice", Password: "from-env"}, {User: "bob", Password: "pw2"}}
	if d := cmp.Diff(want, p.Accounts); d != "" {
		t.Errorf("accounts (-want +got):\n%s", d)
	}
	if len(p.Endpoints) != 2 || p.Name != "h" {
		t.Errorf("endpoints %v name %q", p.Endpoints, p.Name)
	}
	if _, err := ProfileFromTargets([]string{"imaps://a:b@h", "pop3s://c:d@h"}, nil); err == nil {
		t.Error("two different accounts in --target URLs accepted")
	}
	if _, err := ProfileFromTargets([]string{"imaps://h"}, func(string) string { return "" }); err == nil {
		t.Error("no credentials accepted")
	}
}

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	good := `name: sys
endpoints:
  - url: smtp://127.0.0.1:2525
  - url: submission://127.0.0.1:2587
    tls_required_for_auth: true
  - url: imaps://127.0.0.1:2993
accounts:
  - user: alice@example.test
    password: one
    disposable: true
  - user: bob
    password_env: BOB_PW
    address: bob@example.test
claims:
  max_message_size: 1000
tls:
  ca_file: ca.pem
  server_name: localhost
`
	path := filepath.Join(dir, "p.yaml")
	os.WriteFile(path, []byte(good), 0o600)
	p, err := LoadProfile(path, func(k string) string {
		if k == "BOB_PW" {
			return "two"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Accounts[0].Address != "alice@example.test" || p.Accounts[1].Password != "two" || !p.Accounts[0].Disposable {
		t.Errorf("accounts: %+v", p.Accounts)
	}
	if ep, ok := p.Endpoint("submission"); !ok || !ep.TLSRequiredForAuth || ep.Port != 2587 {
		t.Errorf("submission endpoint: %+v %v", ep, ok)
	}
	if p.TLS.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("ca_file not resolved against the profile's directory: %s", p.TLS.CAFile)
	}
	if got := p.Protocols(); !cmp.Equal(got, []Protocol{SMTP, IMAP}) {
		t.Errorf("Protocols() = %v", got)
	}
	if _, err := p.TLSConfig(p.Endpoints[0]); err == nil || !strings.Contains(err.Error(), "ca_file") {
		t.Errorf("TLSConfig with a missing CA file: %v", err)
	}
	bads := map[string]string{
		"no name":          strings.Replace(good, "name: sys", "", 1),
		"one account":      "name: x\nendpoints:\n  - url: imap://h\naccounts:\n  - user: a\n    password: b\n",
		"unknown field":    good + "colour: red\n",
		"creds in url":     strings.Replace(good, "smtp://127.0.0.1", "smtp://u:p@127.0.0.1", 1),
		"env unset":        strings.Replace(good, "BOB_PW", "NOPE_PW", 1),
		"both passwords":   strings.Replace(good, "password: one", "password: one\n    password_env: X", 1),
		"duplicate scheme": strings.Replace(good, "submission://127.0.0.1:2587", "smtp://127.0.0.1:2588", 1),
		"bad url":          strings.Replace(good, "imaps://", "gopher://", 1),
	}
	for name, text := range bads {
		_, err := ParseProfile([]byte(text), func(k string) string {
			if k == "BOB_PW" {
				return "two"
			}
			return ""
		})
		if err == nil {
			t.Errorf("%s: ParseProfile succeeded", name)
		}
	}
}
