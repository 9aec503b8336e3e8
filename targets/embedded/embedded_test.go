package embedded

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestStartDefaults(t *testing.T) {
	sys := startSystem(t, Options{})

	if sys.Domain != DefaultDomain {
		t.Errorf("Domain = %q, want %q", sys.Domain, DefaultDomain)
	}
	var users, addresses []string
	for _, a := range sys.Accounts {
		users = append(users, a.User)
		addresses = append(addresses, a.Address)
		if len(a.Password) != passwordLength {
			t.Errorf("password of %s has %d characters, want %d", a.User, len(a.Password), passwordLength)
		}
	}
	if diff := cmp.Diff([]string{"alice", "bob", "carol"}, users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"alice@example.test", "bob@example.test", "carol@example.test"}, addresses); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}

	for _, scheme := range Schemes {
		addr, ok := sys.Endpoints[scheme]
		if !ok {
			t.Errorf("no endpoint for %s", scheme)
			continue
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host != DefaultHost || port == "0" {
			t.Errorf("Endpoints[%s] = %q, want %s with a port", scheme, addr, DefaultHost)
		}
		if got, want := sys.URL(scheme), scheme+"://"+addr; got != want {
			t.Errorf("URL(%q) = %q, want %q", scheme, got, want)
		}
		conn, err := net.DialTimeout("tcp", addr, hangGuard)
		if err != nil {
			t.Errorf("%s: nothing listens on %s: %v", scheme, addr, err)
			continue
		}
		conn.Close()
	}
	if len(sys.Endpoints) != len(Schemes) {
		t.Errorf("Endpoints = %v, want one per scheme of %v", sys.Endpoints, Schemes)
	}
	if got := sys.URL("gopher"); got != "" {
		t.Errorf(`URL("gopher") = %q, want ""`, got)
	}
}

func TestPasswordsDifferPerStart(t *testing.T) {
	a := startSystem(t, Options{})
	b := startSystem(t, Options{})
	for i := range a.Accounts {
		if a.Accounts[i].Password == b.Accounts[i].Password {
			t.Errorf("account %s has the same password in two systems", a.Accounts[i].User)
		}
	}
	seen := map[string]bool{}
	for _, acc := range a.Accounts {
		if seen[acc.Password] {
			t.Errorf("two accounts share the password of %s", acc.User)
		}
		seen[acc.Password] = true
	}
}

func TestStartOptions(t *testing.T) {
	sys := startSystem(t, Options{
		Domain:   "mail.test",
		Accounts: []Account{{User: "u1", Password: "p1"}, {User: "u2", Password: "p2", Address: "other@mail.test"}},
	})
	want := []Account{
		{User: "u1", Password: "p1", Address: "u1@mail.test"},
		{User: "u2", Password: "p2", Address: "other@mail.test"},
	}
	if diff := cmp.Diff(want, sys.Accounts); diff != "" {
		t.Errorf("Accounts (-want +got):\n%s", diff)
	}
}

func TestStartRejectsBadAccounts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		accounts []Account
	}{
		{"empty user", []Account{{Password: "p"}}},
		{"empty password", []Account{{User: "u"}}},
		{"space in user", []Account{{User: "a b", Password: "p"}}},
		{"duplicate user", []Account{{User: "u", Password: "p"}, {User: "u", Password: "q", Address: "x@example.test"}}},
		{"duplicate address", []Account{{User: "u", Password: "p", Address: "A@example.test"}, {User: "v", Password: "q", Address: "a@example.test"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys, err := Start(context.Background(), Options{Accounts: tc.accounts})
			if err == nil {
				sys.Close()
				t.Fatalf("Start(%v) succeeded, want an error", tc.accounts)
			}
			if !strings.HasPrefix(err.Error(), "embedded: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestCertificate(t *testing.T) {
	sys := startSystem(t, Options{})

	block, _ := pem.Decode(sys.CertPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CertPEM is not a PEM certificate: %q", sys.CertPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	if !cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("IsCA = %v, KeyUsage = %b: want a CA that signs certificates", cert.IsCA, cert.KeyUsage)
	}
	if cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm = %v, want ECDSA", cert.PublicKeyAlgorithm)
	}
	now := time.Now()
	if !cert.NotBefore.Before(now.Add(-50*time.Minute)) || cert.NotAfter.Before(now.AddDate(1, 0, -1)) {
		t.Errorf("validity %v to %v, want from an hour ago for a year", cert.NotBefore, cert.NotAfter)
	}

	// Every implicit-TLS endpoint presents it, verifiable for the name
	// localhost and for the IP address.
	for _, scheme := range []string{SchemeSMTPS, SchemeIMAPS, SchemePOP3S} {
		for _, name := range []string{"localhost", "127.0.0.1"} {
			d := &net.Dialer{Timeout: hangGuard}
			conn, err := tls.DialWithDialer(d, "tcp", sys.Endpoints[scheme], clientTLS(t, sys, name))
			if err != nil {
				t.Errorf("%s with ServerName %q: %v", scheme, name, err)
				continue
			}
			if got := conn.ConnectionState().PeerCertificates[0]; !got.Equal(cert) {
				t.Errorf("%s presents another certificate", scheme)
			}
			conn.Close()
		}
	}
	// A name the certificate is not for fails verification.
	conn, err := tls.Dial("tcp", sys.Endpoints[SchemeIMAPS], clientTLS(t, sys, "mail.example.org"))
	if err == nil {
		conn.Close()
		t.Error("verification for mail.example.org succeeded, want a failure")
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	sys, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sys.Close(); err != nil {
		t.Errorf("first Close: %v", err)
	}
	if err := sys.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, scheme := range Schemes {
		if conn, err := net.DialTimeout("tcp", sys.Endpoints[scheme], hangGuard); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Close", scheme)
		}
	}
}

// TestCloseEndsGoroutines opens sessions in every protocol and state that
// holds goroutines, closes the system under them, and checks that the
// goroutine count comes back to where it was.
func TestCloseEndsGoroutines(t *testing.T) {
	baseline := runtime.NumGoroutine()

	sys, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	bob := account(t, sys, "bob")
	deliver(t, sys, "Subject: hi\r\n\r\nhello\r\n", bob.Address)

	// SMTP: one idle after EHLO, one in the middle of a transaction.
	idleSMTP := smtpDial(t, sys, SchemeSMTP, false)
	busySMTP := smtpDial(t, sys, SchemeSubmission, true)
	if err := busySMTP.Auth(plainAuth(bob)); err != nil {
		t.Fatal(err)
	}
	if err := busySMTP.Mail(bob.Address, nil); err != nil {
		t.Fatal(err)
	}
	_ = idleSMTP
	// IMAP: one logged in with INBOX selected, one not logged in.
	imapC := imapLogin(t, sys, bob)
	imapMessages(t, imapC)
	rawIMAP, err := net.Dial("tcp", sys.Endpoints[SchemeIMAPS])
	if err != nil {
		t.Fatal(err)
	}
	defer rawIMAP.Close()
	// POP3: one in TRANSACTION (it holds an inner IMAP session), one in
	// the middle of STLS-less AUTHORIZATION, one stuck before the TLS
	// handshake.
	pop := popLogin(t, sys, bob)
	pop.ok("STAT")
	dialPOP3(t, sys, SchemePOP3).ok("CAPA")
	rawPOP3S, err := net.Dial("tcp", sys.Endpoints[SchemePOP3S])
	if err != nil {
		t.Fatal(err)
	}
	defer rawPOP3S.Close()

	if err := sys.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close waited for the server side of every connection.
	sys.tracker.mu.Lock()
	left := len(sys.tracker.conns)
	sys.tracker.mu.Unlock()
	if left != 0 {
		t.Errorf("%d connections still served after Close", left)
	}

	// The test's own client goroutines end once their connections see
	// the close; give everything a few seconds to settle.
	imapC.Close()
	var n int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if n = runtime.NumGoroutine(); n <= baseline {
			return
		}
	}
	buf := make([]byte, 1<<20)
	t.Errorf("%d goroutines after Close, %d before Start:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
}

// TestPasswordsNeverLogged drives logins, good and bad, through every
// protocol with the error log on, and looks for the passwords in it.
func TestPasswordsNeverLogged(t *testing.T) {
	var logged syncBuffer
	sys := startSystem(t, Options{ErrorLog: &logged})
	bob := account(t, sys, "bob")
	const wrong = "Wr0ngPassw0rdThatMustNotAppear"
	deliver(t, sys, "Subject: x\r\n\r\ny\r\n", bob.Address)

	c := smtpDial(t, sys, SchemeSubmission, true)
	c.Auth(plainAuth(Account{User: bob.User, Password: wrong}))
	c.Auth(plainAuth(bob))
	imapLogin(t, sys, bob)
	p := popLogin(t, sys, bob)
	p.ok("RETR 1")
	p.multi()
	q := dialPOP3(t, sys, SchemePOP3S)
	q.ok("USER " + bob.User)
	q.cmd("PASS " + wrong)
	q.cmd("AUTH PLAIN " + plainIR("", bob.User, wrong))
	// A connection that breaks off in the TLS handshake makes the servers
	// log something.
	for _, scheme := range []string{SchemeSMTPS, SchemeIMAPS, SchemePOP3S} {
		if conn, err := net.Dial("tcp", sys.Endpoints[scheme]); err == nil {
			conn.Write([]byte("not TLS\r\n"))
			conn.Close()
		}
	}
	if err := sys.Close(); err != nil {
		t.Fatal(err)
	}
	out := logged.String()
	for _, secret := range append([]string{wrong}, passwords(sys)...) {
		if strings.Contains(out, secret) {
			t.Errorf("the error log contains a password:\n%s", out)
		}
	}
}

func passwords(sys *System) []string {
	var l []string
	for _, a := range sys.Accounts {
		l = append(l, a.Password)
	}
	return l
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
