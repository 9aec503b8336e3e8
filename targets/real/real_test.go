package real

import (
	"bufio"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// hangGuard bounds every connection; it only keeps a broken server from
// hanging the test and is far above any expected response time.
const hangGuard = 2 * time.Minute

// deliveryWait bounds the wait for a submitted message to reach POP3.
const deliveryWait = 60 * time.Second

// profile is the part of the target profile format that this test reads.
type profile struct {
	Name      string `yaml:"name"`
	Endpoints []struct {
		URL                string `yaml:"url"`
		TLSRequiredForAuth bool   `yaml:"tls_required_for_auth"`
	} `yaml:"endpoints"`
	Accounts []account `yaml:"accounts"`
	Claims   struct {
		MaxMessageSize int64 `yaml:"max_message_size"`
	} `yaml:"claims"`
	TLS struct {
		Insecure   bool   `yaml:"insecure"`
		CAFile     string `yaml:"ca_file"`
		ServerName string `yaml:"server_name"`
	} `yaml:"tls"`
}

type account struct {
	User       string `yaml:"user"`
	Password   string `yaml:"password"`
	Address    string `yaml:"address"`
	Disposable bool   `yaml:"disposable"`
}

// target is a loaded profile: endpoint addresses by scheme, accounts by
// local part, and the TLS configuration that trusts only the profile's CA.
type target struct {
	p        profile
	addr     map[string]string // scheme -> host:port
	tlsAuth  map[string]bool   // scheme -> tls_required_for_auth
	accounts map[string]account
	tls      *tls.Config
}

// load reads the profile named by MAILSPEC_PROFILE. Without it the test
// fails under CI and is skipped elsewhere.
func load(t *testing.T) *target {
	t.Helper()
	path := os.Getenv("MAILSPEC_PROFILE")
	if path == "" {
		const msg = "MAILSPEC_PROFILE not set; run under targets/real/with-servers.sh"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	tg, err := loadProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func loadProfile(path string) (*target, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("real: %w", err)
	}
	var p profile
	if err := yaml.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("real: parse %s: %w", path, err)
	}
	tg := &target{p: p, addr: map[string]string{}, tlsAuth: map[string]bool{}, accounts: map[string]account{}}
	for _, e := range p.Endpoints {
		u, err := url.Parse(e.URL)
		if err != nil {
			return nil, fmt.Errorf("real: endpoint: %w", err)
		}
		if _, dup := tg.addr[u.Scheme]; dup {
			return nil, fmt.Errorf("real: endpoint %s: scheme %s twice", e.URL, u.Scheme)
		}
		tg.addr[u.Scheme] = u.Host
		tg.tlsAuth[u.Scheme] = e.TLSRequiredForAuth
	}
	for _, a := range p.Accounts {
		local, _, _ := strings.Cut(a.User, "@")
		tg.accounts[local] = a
	}
	pem, err := os.ReadFile(p.TLS.CAFile)
	if err != nil {
		return nil, fmt.Errorf("real: ca_file: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("real: ca_file %s: no certificate", p.TLS.CAFile)
	}
	tg.tls = &tls.Config{RootCAs: roots, ServerName: p.TLS.ServerName}
	return tg, nil
}

// endpoint returns the address for scheme, failing the test if the profile
// lacks it.
func (tg *target) endpoint(t *testing.T, scheme string) string {
	t.Helper()
	a, ok := tg.addr[scheme]
	if !ok {
		t.Fatalf("profile has no %s endpoint", scheme)
	}
	return a
}

func (tg *target) account(t *testing.T, local string) account {
	t.Helper()
	a, ok := tg.accounts[local]
	if !ok {
		t.Fatalf("profile has no account %s", local)
	}
	return a
}

// implicitTLS tells whether scheme starts TLS on connect (RFC 8314).
func implicitTLS(scheme string) bool {
	return scheme == "smtps" || scheme == "imaps" || scheme == "pop3s"
}

// conn is a line-oriented client connection.
type conn struct {
	net.Conn
	r *bufio.Reader
}

// dial connects to addr, with TLS verified by cfg when cfg is not nil.
func dial(addr string, cfg *tls.Config) (*conn, error) {
	d := &net.Dialer{Timeout: hangGuard}
	var c net.Conn
	var err error
	if cfg != nil {
		c, err = tls.DialWithDialer(d, "tcp", addr, cfg)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("real: dial %s: %w", addr, err)
	}
	if err := c.SetDeadline(time.Now().Add(hangGuard)); err != nil {
		c.Close()
		return nil, fmt.Errorf("real: %w", err)
	}
	return &conn{Conn: c, r: bufio.NewReader(c)}, nil
}

// startTLS switches c to TLS verified by cfg.
func (c *conn) startTLS(cfg *tls.Config) error {
	tc := tls.Client(c.Conn, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("real: TLS handshake: %w", err)
	}
	c.Conn = tc
	c.r = bufio.NewReader(tc)
	return nil
}

func (c *conn) line() (string, error) {
	l, err := c.r.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("real: read: %w (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n"), nil
}

func (c *conn) send(format string, args ...any) error {
	if _, err := fmt.Fprintf(c.Conn, format+"\r\n", args...); err != nil {
		return fmt.Errorf("real: write: %w", err)
	}
	return nil
}

// expect reads one line and checks that it starts with prefix.
func (c *conn) expect(prefix string) (string, error) {
	l, err := c.line()
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(l, prefix) {
		return l, fmt.Errorf("real: got %q, want a line starting %q", l, prefix)
	}
	return l, nil
}

// imapCmd sends "tag command" and returns the untagged lines and the
// tagged completion (RFC 3501 section 2.2.2).
func (c *conn) imapCmd(tag, command string) (untagged []string, done string, err error) {
	if err := c.send("%s %s", tag, command); err != nil {
		return nil, "", err
	}
	for {
		l, err := c.line()
		if err != nil {
			return untagged, "", err
		}
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l, nil
		}
		untagged = append(untagged, l)
	}
}

// greeting returns the first line the server sends.
func greeting(addr string, cfg *tls.Config) (string, error) {
	c, err := dial(addr, cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.line()
}

var greetingPrefix = map[string]string{
	"smtp": "220 ", "submission": "220 ", "smtps": "220 ",
	"imap": "* OK", "imaps": "* OK",
	"pop3": "+OK", "pop3s": "+OK",
}

func TestProfile(t *testing.T) {
	tg := load(t)
	if tg.p.Name != "dovecot-postfix" {
		t.Errorf("name = %q, want dovecot-postfix", tg.p.Name)
	}
	for scheme := range greetingPrefix {
		addr := tg.endpoint(t, scheme)
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host != "127.0.0.1" {
			t.Errorf("%s endpoint %q: want 127.0.0.1:PORT (%v)", scheme, addr, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1024 {
			t.Errorf("%s endpoint %q: want a high port", scheme, addr)
		}
	}
	if len(tg.addr) != len(greetingPrefix) {
		t.Errorf("profile has %d endpoints, want %d", len(tg.addr), len(greetingPrefix))
	}
	for scheme, req := range tg.tlsAuth {
		if want := scheme == "submission"; req != want {
			t.Errorf("%s: tls_required_for_auth = %v, want %v", scheme, req, want)
		}
	}
	for _, local := range []string{"alice", "bob", "carol"} {
		a := tg.account(t, local)
		if want := local + "@example.test"; a.User != want || a.Address != want || a.Password == "" || !a.Disposable {
			t.Errorf("account %s = %+v, want user and address %s, a password, disposable", local, a, want)
		}
	}
	if tg.p.Claims.MaxMessageSize <= 0 {
		t.Errorf("claims.max_message_size = %d, want Postfix's message_size_limit", tg.p.Claims.MaxMessageSize)
	}
	if tg.p.TLS.Insecure || !filepath.IsAbs(tg.p.TLS.CAFile) || tg.p.TLS.ServerName != "localhost" {
		t.Errorf("tls = %+v, want verification against an absolute ca_file, server_name localhost", tg.p.TLS)
	}
}

// TestGreetings checks that every endpoint greets, over TLS verified
// against the profile's CA for the implicit-TLS ones (RFC 8314 section 3).
func TestGreetings(t *testing.T) {
	tg := load(t)
	for scheme, prefix := range greetingPrefix {
		t.Run(scheme, func(t *testing.T) {
			var cfg *tls.Config
			if implicitTLS(scheme) {
				cfg = tg.tls
			}
			l, err := greeting(tg.endpoint(t, scheme), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(l, prefix) {
				t.Errorf("greeting = %q, want prefix %q", l, prefix)
			}
		})
	}
}

// TestTLSVerification checks that the certificate verifies against ca.pem
// only: another name, or no extra CA, fails verification.
func TestTLSVerification(t *testing.T) {
	tg := load(t)
	bad := map[string]*tls.Config{
		"wrong name": {RootCAs: tg.tls.RootCAs, ServerName: "mail.invalid"},
		"system CAs": {ServerName: tg.tls.ServerName},
	}
	for _, scheme := range []string{"smtps", "imaps", "pop3s"} {
		for name, cfg := range bad {
			t.Run(scheme+"/"+name, func(t *testing.T) {
				c, err := dial(tg.endpoint(t, scheme), cfg)
				if err == nil {
					c.Close()
					t.Fatal("handshake succeeded, want a verification error")
				}
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) {
					t.Errorf("dial error = %v, want a certificate verification error", err)
				}
			})
		}
	}
}

// TestSTARTTLS checks the in-band upgrade on each cleartext port: IMAP
// STARTTLS (RFC 3501 section 6.2.1), POP3 STLS (RFC 2595 section 4) and
// SMTP STARTTLS (RFC 3207), each verified against ca.pem.
func TestSTARTTLS(t *testing.T) {
	tg := load(t)
	t.Run("imap", func(t *testing.T) {
		c, err := dial(tg.endpoint(t, "imap"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.expect("* OK"); err != nil {
			t.Fatal(err)
		}
		if _, done, err := c.imapCmd("a1", "STARTTLS"); err != nil || !strings.HasPrefix(done, "a1 OK") {
			t.Fatalf("STARTTLS = %q, %v; want a1 OK", done, err)
		}
		if err := c.startTLS(tg.tls); err != nil {
			t.Fatal(err)
		}
		if _, done, err := c.imapCmd("a2", "NOOP"); err != nil || !strings.HasPrefix(done, "a2 OK") {
			t.Errorf("NOOP over TLS = %q, %v; want a2 OK", done, err)
		}
	})
	t.Run("pop3", func(t *testing.T) {
		c, err := dial(tg.endpoint(t, "pop3"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.expect("+OK"); err != nil {
			t.Fatal(err)
		}
		if err := c.send("STLS"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.expect("+OK"); err != nil {
			t.Fatal(err)
		}
		if err := c.startTLS(tg.tls); err != nil {
			t.Fatal(err)
		}
		if err := c.send("NOOP"); err != nil {
			t.Fatal(err)
		}
		// NOOP is a TRANSACTION-state command: before login the answer is
		// -ERR, but it must be a POP3 answer over the new TLS layer.
		if l, err := c.line(); err != nil || !(strings.HasPrefix(l, "+OK") || strings.HasPrefix(l, "-ERR")) {
			t.Errorf("NOOP over TLS = %q, %v; want a POP3 status line", l, err)
		}
	})
	for _, scheme := range []string{"smtp", "submission"} {
		t.Run(scheme, func(t *testing.T) {
			c, err := smtpDial(tg.endpoint(t, scheme), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if ok, _ := c.Extension("STARTTLS"); !ok {
				t.Fatal("EHLO does not offer STARTTLS")
			}
			if err := c.StartTLS(tg.tls); err != nil {
				t.Fatal(err)
			}
			if err := c.Noop(); err != nil {
				t.Errorf("NOOP over TLS: %v", err)
			}
		})
	}
}

// smtpDial connects and says EHLO; with cfg, over implicit TLS.
func smtpDial(addr string, cfg *tls.Config) (*smtp.Client, error) {
	c, err := dial(addr, cfg)
	if err != nil {
		return nil, err
	}
	// net/smtp reads through its own textproto reader: hand it the raw
	// connection before anything was read.
	sc, err := smtp.NewClient(c.Conn, "localhost")
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("real: smtp greeting: %w", err)
	}
	if err := sc.Hello("client.example.test"); err != nil {
		sc.Close()
		return nil, fmt.Errorf("real: EHLO: %w", err)
	}
	return sc, nil
}

// TestSMTPAuthOffer checks the profile's claims about AUTH: submission
// offers it only after STARTTLS (tls_required_for_auth), smtps offers it at
// once, and the smtp port (MX) never offers it.
func TestSMTPAuthOffer(t *testing.T) {
	tg := load(t)
	tests := []struct {
		scheme           string
		before, afterTLS bool
	}{
		{"submission", false, true},
		{"smtp", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			c, err := smtpDial(tg.endpoint(t, tc.scheme), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got, _ := c.Extension("AUTH"); got != tc.before {
				t.Errorf("AUTH offered before TLS = %v, want %v", got, tc.before)
			}
			if err := c.StartTLS(tg.tls); err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Extension("AUTH"); got != tc.afterTLS {
				t.Errorf("AUTH offered after TLS = %v, want %v", got, tc.afterTLS)
			}
		})
	}
	t.Run("smtps", func(t *testing.T) {
		c, err := smtpDial(tg.endpoint(t, "smtps"), tg.tls)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ok, mechs := c.Extension("AUTH")
		if !ok || !strings.Contains(" "+mechs+" ", " PLAIN ") {
			t.Errorf("AUTH on smtps = %v %q, want PLAIN offered", ok, mechs)
		}
	})
}

// TestSubmissionDeliversToPOP3 submits a message as alice to bob on the
// submission port (STARTTLS, AUTH PLAIN; RFC 6409, RFC 4954) and reads it
// back by POP3 over implicit TLS (RFC 1939 RETR).
func TestSubmissionDeliversToPOP3(t *testing.T) {
	tg := load(t)
	alice, bob := tg.account(t, "alice"), tg.account(t, "bob")
	subject := "mailspec real " + randomHex(t)

	c, err := smtpDial(tg.endpoint(t, "submission"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(tg.tls); err != nil {
		t.Fatal(err)
	}
	if err := c.Auth(smtp.PlainAuth("", alice.User, alice.Password, "localhost")); err != nil {
		t.Fatalf("AUTH PLAIN as alice: %v", err)
	}
	if err := c.Mail(alice.Address); err != nil {
		t.Fatalf("MAIL FROM: %v", err)
	}
	if err := c.Rcpt(bob.Address); err != nil {
		t.Fatalf("RCPT TO: %v", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatalf("DATA: %v", err)
	}
	msg := "From: <" + alice.Address + ">\r\n" +
		"To: <" + bob.Address + ">\r\n" +
		"Subject: " + subject + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.test>\r\n" +
		"\r\n" +
		"Sent by targets/real's test.\r\n"
	if _, err := w.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("end of DATA: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Errorf("QUIT: %v", err)
	}

	deadline := time.Now().Add(deliveryWait)
	for {
		found, err := popFind(tg.endpoint(t, "pop3s"), tg.tls, bob, "Subject: "+subject)
		if err != nil {
			t.Fatal(err)
		}
		if found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %q not in bob's POP3 maildrop after %v", subject, deliveryWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// popFind logs in as a over POP3 with USER/PASS and retrieves messages from
// the last one backwards (at most popScan of them: other tests may deliver
// to the same account meanwhile) until one holds the line want, which it
// then deletes (the message is the test's own). It reports whether it found
// one.
func popFind(addr string, cfg *tls.Config, a account, want string) (bool, error) {
	c, err := dial(addr, cfg)
	if err != nil {
		return false, err
	}
	defer c.Close()
	if _, err := c.expect("+OK"); err != nil {
		return false, err
	}
	for _, cmd := range []string{"USER " + a.User, "PASS " + a.Password} {
		if err := c.send("%s", cmd); err != nil {
			return false, err
		}
		if _, err := c.expect("+OK"); err != nil {
			return false, fmt.Errorf("real: POP3 %s: %w", strings.Fields(cmd)[0], err)
		}
	}
	if err := c.send("STAT"); err != nil {
		return false, err
	}
	l, err := c.expect("+OK ")
	if err != nil {
		return false, err
	}
	fields := strings.Fields(l)
	if len(fields) < 3 {
		return false, fmt.Errorf("real: STAT reply %q: want +OK COUNT SIZE", l)
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil {
		return false, fmt.Errorf("real: STAT reply %q: %w", l, err)
	}
	found := false
	for i := n; i > 0 && i > n-popScan && !found; i-- {
		if found, err = popRetrHas(c, i, want); err != nil {
			return false, err
		}
		if found {
			if err := c.send("DELE %d", i); err != nil {
				return false, err
			}
			if _, err := c.expect("+OK"); err != nil {
				return false, err
			}
		}
	}
	if err := c.send("QUIT"); err != nil {
		return false, err
	}
	_, err = c.expect("+OK")
	return found, err
}

// popScan bounds how many messages popFind reads per attempt.
const popScan = 50

// popRetrHas retrieves message i (RFC 1939 section 7, RETR; the reply is
// dot-stuffed and ends with a line holding a single ".") and reports whether
// it holds the line want.
func popRetrHas(c *conn, i int, want string) (bool, error) {
	if err := c.send("RETR %d", i); err != nil {
		return false, err
	}
	if _, err := c.expect("+OK"); err != nil {
		return false, err
	}
	found := false
	for {
		l, err := c.line()
		if err != nil {
			return false, err
		}
		if l == "." {
			return found, nil
		}
		if strings.TrimPrefix(l, ".") == want {
			found = true
		}
	}
}

// TestIMAPLogin checks LOGIN (RFC 3501 section 6.2.3) with the right
// password on both IMAP ports. Dovecot counts loopback as secure, so the
// cleartext port accepts it before STARTTLS (hence no
// tls_required_for_auth on imap).
func TestIMAPLogin(t *testing.T) {
	tg := load(t)
	alice := tg.account(t, "alice")
	for _, scheme := range []string{"imap", "imaps"} {
		t.Run(scheme, func(t *testing.T) {
			done, err := imapLogin(tg, scheme, alice.User, alice.Password)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(done, "a1 OK") {
				t.Errorf("LOGIN = %q, want a1 OK", done)
			}
		})
	}
}

// imapLogin logs in on scheme's endpoint and returns the tagged reply.
func imapLogin(tg *target, scheme, user, password string) (string, error) {
	var cfg *tls.Config
	if implicitTLS(scheme) {
		cfg = tg.tls
	}
	c, err := dial(tg.addr[scheme], cfg)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.expect("* OK"); err != nil {
		return "", err
	}
	_, done, err := c.imapCmd("a1", fmt.Sprintf("LOGIN %q %q", user, password))
	if err != nil {
		return "", err
	}
	_, _, _ = c.imapCmd("a2", "LOGOUT")
	return done, nil
}

// TestWrongPassword checks that every protocol refuses a wrong password:
// IMAP LOGIN answers NO (RFC 3501 section 6.2.3), POP3 PASS -ERR (RFC 1939
// section 7) and SMTP AUTH 535 (RFC 4954 section 6).
func TestWrongPassword(t *testing.T) {
	tg := load(t)
	bob := tg.account(t, "bob")
	wrong := bob.Password + "x"
	t.Run("imap", func(t *testing.T) {
		done, err := imapLogin(tg, "imaps", bob.User, wrong)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(done, "a1 NO") {
			t.Errorf("LOGIN with a wrong password = %q, want a1 NO", done)
		}
	})
	t.Run("pop3", func(t *testing.T) {
		c, err := dial(tg.endpoint(t, "pop3s"), tg.tls)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.expect("+OK"); err != nil {
			t.Fatal(err)
		}
		if err := c.send("USER %s", bob.User); err != nil {
			t.Fatal(err)
		}
		if _, err := c.expect("+OK"); err != nil {
			t.Fatal(err)
		}
		if err := c.send("PASS %s", wrong); err != nil {
			t.Fatal(err)
		}
		if l, err := c.line(); err != nil || !strings.HasPrefix(l, "-ERR") {
			t.Errorf("PASS with a wrong password = %q, %v; want -ERR", l, err)
		}
	})
	t.Run("submission", func(t *testing.T) {
		c, err := smtpDial(tg.endpoint(t, "submission"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.StartTLS(tg.tls); err != nil {
			t.Fatal(err)
		}
		err = c.Auth(smtp.PlainAuth("", bob.User, wrong, "localhost"))
		if err == nil || !strings.HasPrefix(err.Error(), "535") {
			t.Errorf("AUTH PLAIN with a wrong password: %v, want a 535 reply", err)
		}
	})
}

// TestIMAPSCRAM checks that the advertised mechanisms include those
// start.sh enables and that SCRAM-SHA-256 (RFC 7677) authenticates with
// the stored password, i.e. that the passwords are stored in a form that
// SCRAM can use.
func TestIMAPSCRAM(t *testing.T) {
	tg := load(t)
	carol := tg.account(t, "carol")
	c, err := dial(tg.endpoint(t, "imaps"), tg.tls)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.expect("* OK"); err != nil {
		t.Fatal(err)
	}
	untagged, done, err := c.imapCmd("a1", "CAPABILITY")
	if err != nil || !strings.HasPrefix(done, "a1 OK") {
		t.Fatalf("CAPABILITY = %q, %v", done, err)
	}
	caps := " " + strings.Join(untagged, " ") + " "
	for _, m := range []string{"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"} {
		if !strings.Contains(caps, " AUTH="+m+" ") {
			t.Errorf("CAPABILITY %q lacks AUTH=%s", caps, m)
		}
	}

	if err := c.send("a2 AUTHENTICATE SCRAM-SHA-256"); err != nil {
		t.Fatal(err)
	}
	s := newSCRAM(carol.User, carol.Password, randomHex(t))
	step := 0
	for {
		l, err := c.line()
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, "a2 ") {
			if !strings.HasPrefix(l, "a2 OK") {
				t.Fatalf("AUTHENTICATE SCRAM-SHA-256 = %q, want a2 OK", l)
			}
			break
		}
		if !strings.HasPrefix(l, "+") {
			continue // an untagged line
		}
		challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(l, "+")))
		if err != nil {
			t.Fatalf("challenge %q: %v", l, err)
		}
		resp, err := s.next(step, string(challenge))
		if err != nil {
			t.Fatal(err)
		}
		step++
		if err := c.send("%s", base64.StdEncoding.EncodeToString([]byte(resp))); err != nil {
			t.Fatal(err)
		}
	}
	if !s.verified {
		t.Error("authenticated without the server proving its signature (v=)")
	}
}

// scram is the client side of SCRAM-SHA-256 (RFC 5802 section 3, RFC 7677).
type scram struct {
	user, password, nonce string
	clientFirstBare       string
	serverKey, authMsg    []byte
	verified              bool
}

func newSCRAM(user, password, nonce string) *scram {
	return &scram{user: user, password: password, nonce: nonce}
}

// next answers challenge number step (the first is empty).
func (s *scram) next(step int, challenge string) (string, error) {
	switch step {
	case 0:
		name := strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s.user)
		s.clientFirstBare = "n=" + name + ",r=" + s.nonce
		return "n,," + s.clientFirstBare, nil
	case 1:
		attrs := scramAttrs(challenge)
		nonce, salt64, iters := attrs["r"], attrs["s"], attrs["i"]
		if !strings.HasPrefix(nonce, s.nonce) || len(nonce) == len(s.nonce) {
			return "", fmt.Errorf("real: SCRAM server nonce %q does not extend ours", nonce)
		}
		salt, err := base64.StdEncoding.DecodeString(salt64)
		if err != nil {
			return "", fmt.Errorf("real: SCRAM salt: %w", err)
		}
		n, err := strconv.Atoi(iters)
		if err != nil || n < 1 {
			return "", fmt.Errorf("real: SCRAM iteration count %q", iters)
		}
		salted, err := pbkdf2.Key(sha256.New, s.password, salt, n, sha256.Size)
		if err != nil {
			return "", fmt.Errorf("real: SCRAM: %w", err)
		}
		clientKey := hmacSHA256(salted, "Client Key")
		storedKey := sha256.Sum256(clientKey)
		withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte("n,,")) + ",r=" + nonce
		s.authMsg = []byte(s.clientFirstBare + "," + challenge + "," + withoutProof)
		sig := hmacSHA256(storedKey[:], string(s.authMsg))
		proof := make([]byte, len(clientKey))
		for i := range proof {
			proof[i] = clientKey[i] ^ sig[i]
		}
		s.serverKey = hmacSHA256(salted, "Server Key")
		return withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof), nil
	case 2:
		want := base64.StdEncoding.EncodeToString(hmacSHA256(s.serverKey, string(s.authMsg)))
		if got := scramAttrs(challenge)["v"]; got != want {
			return "", fmt.Errorf("real: SCRAM server signature %q, want %q", got, want)
		}
		s.verified = true
		return "", nil
	}
	return "", fmt.Errorf("real: SCRAM: unexpected challenge %d %q", step, challenge)
}

func scramAttrs(msg string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(msg, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
