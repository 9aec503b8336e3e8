package real

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSCRAMExample replays the SCRAM-SHA-256 exchange of RFC 7677 section
// 3 through the test's client: same nonce and password, same messages.
func TestSCRAMExample(t *testing.T) {
	s := newSCRAM("user", "pencil", "rOprNGfwEbeRWgbNEkqO")
	steps := []struct {
		challenge, want string
	}{
		{"", "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"},
		{
			"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
			"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		},
		{"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", ""},
	}
	for i, st := range steps {
		got, err := s.next(i, st.challenge)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("step %d: response mismatch (-want +got):\n%s", i, diff)
		}
	}
	if !s.verified {
		t.Error("server signature not verified")
	}
}

// TestSCRAMRejectsBadServer checks that the client refuses a server nonce
// that does not extend its own and a wrong server signature.
func TestSCRAMRejectsBadServer(t *testing.T) {
	s := newSCRAM("user", "pencil", "rOprNGfwEbeRWgbNEkqO")
	if _, err := s.next(0, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.next(1, "r=someoneElse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"); err == nil {
		t.Error("foreign server nonce accepted")
	}
	if _, err := s.next(1, "r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.next(2, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="); err == nil || s.verified {
		t.Error("server signature for another exchange accepted")
	}
}

// TestLoadProfile reads a profile in the format start.sh writes.
func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join("testdata", "ca.pem")
	profile := `# One mail system under test.
name: dovecot-postfix
endpoints:
  - url: smtp://127.0.0.1:10025
  - url: submission://127.0.0.1:10587
    tls_required_for_auth: true
  - url: imaps://127.0.0.1:10993
accounts:
  - user: "alice@example.test"
    password: "0123456789"
    address: "alice@example.test"
    disposable: true
claims:
  max_message_size: 10240000
tls:
  insecure: false
  ca_file: "` + ca + `"
  server_name: localhost
`
	path := filepath.Join(dir, "profile.yaml")
	if err := os.WriteFile(path, []byte(profile), 0o600); err != nil {
		t.Fatal(err)
	}
	tg, err := loadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantAddr := map[string]string{"smtp": "127.0.0.1:10025", "submission": "127.0.0.1:10587", "imaps": "127.0.0.1:10993"}
	if diff := cmp.Diff(wantAddr, tg.addr); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
	wantAuth := map[string]bool{"smtp": false, "submission": true, "imaps": false}
	if diff := cmp.Diff(wantAuth, tg.tlsAuth); diff != "" {
		t.Errorf("tls_required_for_auth (-want +got):\n%s", diff)
	}
	wantAlice := account{User: "alice@example.test", Password: "0123456789", Address: "alice@example.test", Disposable: true}
	if diff := cmp.Diff(wantAlice, tg.accounts["alice"]); diff != "" {
		t.Errorf("alice (-want +got):\n%s", diff)
	}
	if tg.p.Claims.MaxMessageSize != 10240000 || tg.tls.ServerName != "localhost" || tg.tls.RootCAs == nil {
		t.Errorf("claims/tls = %+v / %q, want 10240000 and localhost with a CA pool", tg.p.Claims, tg.tls.ServerName)
	}
}
