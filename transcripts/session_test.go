package transcripts

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailspec/mailspec/targets/embedded"
)

// hangGuard bounds every wait on the embedded system in these tests. It is
// never a timing assertion: on a healthy system each wait ends in
// milliseconds.
const hangGuard = 10 * time.Second

// startEmbedded starts the embedded reference system for one test (or
// benchmark) and closes it at the end.
func startEmbedded(tb testing.TB) *embedded.System {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	sys, err := embedded.Start(ctx, embedded.Options{})
	if err != nil {
		tb.Fatalf("embedded.Start: %v", err)
	}
	tb.Cleanup(func() {
		if err := sys.Close(); err != nil {
			tb.Errorf("embedded Close: %v", err)
		}
	})
	return sys
}

// embeddedProfile describes a running embedded system as
// cmd/mailspec/run.go does: every endpoint, TLS required for
// authentication on the plain ones, every account disposable, the
// system's certificate as the CA.
func embeddedProfile(tb testing.TB, sys *embedded.System) *Profile {
	tb.Helper()
	p := &Profile{Name: "embedded", Source: "embedded"}
	for _, scheme := range Schemes() {
		if _, ok := sys.Endpoints[scheme]; !ok {
			continue
		}
		ep, _, err := ParseEndpoint(sys.URL(scheme))
		if err != nil {
			tb.Fatalf("ParseEndpoint(%q): %v", sys.URL(scheme), err)
		}
		ep.TLSRequiredForAuth = ep.Security == Plain
		p.Endpoints = append(p.Endpoints, ep)
	}
	for _, a := range sys.Accounts {
		p.Accounts = append(p.Accounts, Account{User: a.User, Password: a.Password, Address: a.Address, Disposable: true})
	}
	p.TLS.CAPEM = sys.CertPEM
	p.TLS.ServerName = "localhost"
	return p
}

// runIDs makes run ids unique within the test binary, so that mailboxes
// created by one replay never collide with another's (-count=N included).
var runIDs atomic.Int64

func nextRunID() string {
	return "t" + itoa(int(runIDs.Add(1))) + "x" + itoa(int(time.Now().UnixNano()%1000000))
}

// embeddedEnv starts the embedded system, runs pre-flight against it and
// returns the replay environment.
func embeddedEnv(tb testing.TB) (*Env, *embedded.System) {
	tb.Helper()
	sys := startEmbedded(tb)
	p := embeddedProfile(tb, sys)
	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	opts := Options{Timeout: hangGuard, DialTimeout: hangGuard}
	info, err := Preflight(ctx, p, opts)
	if err != nil {
		tb.Fatalf("Preflight: %v", err)
	}
	return &Env{Profile: p, Info: info, Options: opts, RunID: nextRunID()}, sys
}

// endpoint returns the profile's endpoint for scheme or fails the test.
func endpoint(tb testing.TB, p *Profile, scheme string) Endpoint {
	tb.Helper()
	ep, ok := p.Endpoint(scheme)
	if !ok {
		tb.Fatalf("profile %s has no %s endpoint", p.Name, scheme)
	}
	return ep
}

// dialEmbedded opens a session to one endpoint of the embedded profile,
// with its CA, and closes it at the end of the test.
func dialEmbedded(t *testing.T, p *Profile, scheme string, rec *Recorder) *Session {
	t.Helper()
	ep := endpoint(t, p, scheme)
	cfg, err := p.TLSConfig(ep)
	if err != nil {
		t.Fatalf("TLSConfig: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	s, err := Dial(ctx, ep, Options{TLS: cfg, Timeout: hangGuard, DialTimeout: hangGuard, Recorder: rec})
	if err != nil {
		t.Fatalf("Dial(%s): %v", ep.URL, err)
	}
	t.Cleanup(func() { s.conn.Close() })
	return s
}

func TestPreflightEmbedded(t *testing.T) {
	sys := startEmbedded(t)
	p := embeddedProfile(t, sys)
	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	info, err := Preflight(ctx, p, Options{Timeout: hangGuard, DialTimeout: hangGuard})
	if err != nil {
		t.Fatalf("Preflight: %v", err)
	}
	if len(info) != len(p.Endpoints) {
		t.Errorf("Preflight reported %d endpoints, want %d (%v)", len(info), len(p.Endpoints), info)
	}
	// The capability that names TLS in-session, per protocol.
	starttls := map[Protocol]string{SMTP: "STARTTLS", IMAP: "STARTTLS", POP3: "STLS"}
	for _, ep := range p.Endpoints {
		in, ok := info[ep.Scheme]
		if !ok {
			t.Errorf("%s: no pre-flight information", ep.Scheme)
			continue
		}
		if in.Endpoint.URL != ep.URL {
			t.Errorf("%s: Endpoint.URL = %q, want %q", ep.Scheme, in.Endpoint.URL, ep.URL)
		}
		if in.TLSVersion == "" || in.TLSCipher == "" {
			t.Errorf("%s: TLS version %q, cipher %q: want both (every endpoint offers TLS)", ep.Scheme, in.TLSVersion, in.TLSCipher)
		}
		if len(in.CapsAfterTLS) == 0 {
			t.Errorf("%s: no capabilities after TLS", ep.Scheme)
		}
		switch ep.Security {
		case Plain:
			if len(in.CapsBeforeTLS) == 0 {
				t.Errorf("%s: no capabilities before TLS", ep.Scheme)
			}
			if !hasCap(in.CapsBeforeTLS, starttls[ep.Protocol]) {
				t.Errorf("%s: capabilities before TLS %q lack %s", ep.Scheme, in.CapsBeforeTLS, starttls[ep.Protocol])
			}
			if hasCap(in.CapsAfterTLS, starttls[ep.Protocol]) {
				t.Errorf("%s: capabilities after TLS %q still offer %s", ep.Scheme, in.CapsAfterTLS, starttls[ep.Protocol])
			}
		case Implicit:
			// The connection is TLS from its first byte: nothing is
			// learnt before TLS.
			if len(in.CapsBeforeTLS) != 0 {
				t.Errorf("%s: capabilities before TLS on an implicit TLS endpoint: %q", ep.Scheme, in.CapsBeforeTLS)
			}
		}
	}
	// Authentication is refused before TLS on the plain ports and offered
	// after it (the embedded system's policy, which the profile claims).
	if in := info["imap"]; !hasCap(in.CapsBeforeTLS, "LOGINDISABLED") || hasCap(in.CapsAfterTLS, "LOGINDISABLED") {
		t.Errorf("imap: LOGINDISABLED before TLS %q / after %q: want only before", in.CapsBeforeTLS, in.CapsAfterTLS)
	}
	if in := info["submission"]; hasCap(in.CapsBeforeTLS, "AUTH") || !hasCap(in.CapsAfterTLS, "AUTH") {
		t.Errorf("submission: AUTH before TLS %q / after %q: want only after", in.CapsBeforeTLS, in.CapsAfterTLS)
	}
	if in := info["pop3"]; hasCap(in.CapsBeforeTLS, "USER") || !hasCap(in.CapsAfterTLS, "USER") {
		t.Errorf("pop3: USER before TLS %q / after %q: want only after", in.CapsBeforeTLS, in.CapsAfterTLS)
	}
}

// preflightError runs Preflight, which must fail with a *PreflightError.
func preflightError(t *testing.T, p *Profile) *PreflightError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	info, err := Preflight(ctx, p, Options{Timeout: hangGuard, DialTimeout: hangGuard})
	if err == nil {
		t.Fatalf("Preflight = %v, nil; want a *PreflightError", info)
	}
	var pe *PreflightError
	if !errors.As(err, &pe) {
		t.Fatalf("Preflight error %T %q is not a *PreflightError", err, err)
	}
	if strings.Contains(pe.Error(), "\n") {
		t.Errorf("PreflightError is not one line: %q", pe.Error())
	}
	return pe
}

func TestPreflightWrongPassword(t *testing.T) {
	sys := startEmbedded(t)
	for _, scheme := range []string{"imap", "pop3", "submission", "smtps", "imaps", "pop3s"} {
		t.Run(scheme, func(t *testing.T) {
			full := embeddedProfile(t, sys)
			p := *full
			p.Endpoints = []Endpoint{endpoint(t, full, scheme)}
			p.Accounts = append([]Account(nil), full.Accounts...)
			wrong := "mailspec-wrong-Pa55word-" + scheme
			p.Accounts[0].Password = wrong
			pe := preflightError(t, &p)
			msg := pe.Error()
			if !strings.Contains(msg, "login as "+p.Accounts[0].User+" failed") {
				t.Errorf("PreflightError %q does not report the login failure", msg)
			}
			if pe.Endpoint != p.Endpoints[0].URL {
				t.Errorf("PreflightError.Endpoint = %q, want %q", pe.Endpoint, p.Endpoints[0].URL)
			}
			for _, secret := range []string{wrong, full.Accounts[0].Password,
				base64.StdEncoding.EncodeToString([]byte(wrong)),
				base64.StdEncoding.EncodeToString([]byte("\x00" + p.Accounts[0].User + "\x00" + wrong))} {
				if strings.Contains(msg, secret) {
					t.Errorf("PreflightError %q contains the secret %q", msg, secret)
				}
			}
		})
	}
}

func TestPreflightRefused(t *testing.T) {
	// A port nobody listens on: listen, note the port, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ep, _, err := ParseEndpoint("imap://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &Profile{Name: "refused", Endpoints: []Endpoint{ep}, Accounts: []Account{{User: "alice", Password: "secret-password-1"}}}
	pe := preflightError(t, p)
	if !strings.Contains(pe.Error(), "refused") {
		t.Errorf("PreflightError %q does not say the connection was refused", pe.Error())
	}
	if pe.Endpoint != ep.URL {
		t.Errorf("PreflightError.Endpoint = %q, want %q", pe.Endpoint, ep.URL)
	}
}

func TestPreflightUntrustedCertificate(t *testing.T) {
	sys := startEmbedded(t)
	// Both ways TLS starts: in-session (STARTTLS, STLS) and implicit.
	for _, scheme := range []string{"imap", "pop3", "smtp", "imaps", "pop3s", "smtps"} {
		t.Run(scheme, func(t *testing.T) {
			full := embeddedProfile(t, sys)
			p := *full
			p.Endpoints = []Endpoint{endpoint(t, full, scheme)}
			p.TLS.CAPEM = nil // the system's self-signed certificate is not trusted
			pe := preflightError(t, &p)
			if !strings.Contains(pe.Error(), "certificate") {
				t.Errorf("PreflightError %q does not mention the certificate", pe.Error())
			}
			if pe.Endpoint != p.Endpoints[0].URL {
				t.Errorf("PreflightError.Endpoint = %q, want %q", pe.Endpoint, p.Endpoints[0].URL)
			}
		})
	}
}

// secretForms are the forms of an account's password that must never be
// recorded: the password, its base64, and the SASL PLAIN payloads.
func secretForms(user, password string) []string {
	b64 := base64.StdEncoding.EncodeToString
	return []string{
		password,
		b64([]byte(password)),
		b64([]byte("\x00" + user + "\x00" + password)),
		b64([]byte(user + "\x00" + user + "\x00" + password)),
	}
}

// checkRedacted fails the test if any recorded entry holds a form of any
// account's password, or if no entry holds a ${variable} reference.
func checkRedacted(t *testing.T, p *Profile, entries []Entry) {
	t.Helper()
	if len(entries) == 0 {
		t.Fatal("nothing was recorded")
	}
	refs := false
	for i, e := range entries {
		for _, a := range p.Accounts {
			for _, s := range secretForms(a.User, a.Password) {
				if bytes.Contains(e.Data, []byte(s)) {
					t.Errorf("entry %d (%s, conn %d) holds a credential of %s: %q", i, e.Dir, e.Conn, a.User, e.Data)
				}
			}
		}
		refs = refs || bytes.Contains(e.Data, []byte("${"))
	}
	if !refs {
		t.Errorf("no recorded entry holds a ${variable} reference; entries: %q", entryData(entries))
	}
}

func entryData(entries []Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e.Dir) + " " + string(e.Data)
	}
	return out
}

func TestLoginAndAuthenticateEmbedded(t *testing.T) {
	sys := startEmbedded(t)
	p := embeddedProfile(t, sys)
	a := p.Accounts[0]
	creds := LoginCredentials{N: 1, User: a.User, Password: a.Password}
	type how struct {
		name string
		mech string // "" for Login
	}
	cases := []struct {
		scheme string
		hows   []how
	}{
		// SMTP has no login but AUTH: Login picks PLAIN.
		{"submission", []how{{"Login", ""}, {"PLAIN", "PLAIN"}, {"LOGIN", "LOGIN"}}},
		{"smtps", []how{{"PLAIN", "PLAIN"}, {"LOGIN", "LOGIN"}}},
		// IMAP LOGIN command, and AUTHENTICATE PLAIN (AUTH=PLAIN).
		{"imap", []how{{"Login", ""}, {"PLAIN", "PLAIN"}}},
		{"imaps", []how{{"Login", ""}, {"PLAIN", "PLAIN"}}},
		// POP3 USER/PASS, and AUTH PLAIN (SASL PLAIN).
		{"pop3", []how{{"Login", ""}, {"PLAIN", "PLAIN"}}},
		{"pop3s", []how{{"Login", ""}, {"PLAIN", "PLAIN"}}},
	}
	for _, c := range cases {
		for _, h := range c.hows {
			t.Run(c.scheme+"/"+h.name, func(t *testing.T) {
				rec := NewRecorder()
				s := dialEmbedded(t, p, c.scheme, rec)
				ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
				defer cancel()
				if err := s.Greet(); err != nil {
					t.Fatalf("Greet: %v", err)
				}
				if err := s.UpgradeIfOffered(ctx); err != nil {
					t.Fatalf("UpgradeIfOffered: %v", err)
				}
				if !s.IsTLS() {
					t.Fatal("no TLS after UpgradeIfOffered")
				}
				if h.mech != "" {
					offered := capArgs(s.Caps(), "AUTH")
					if c.scheme == "pop3" || c.scheme == "pop3s" {
						offered = capArgs(s.Caps(), "SASL")
					}
					if !hasMech(offered, h.mech) {
						t.Fatalf("%s is not offered after TLS (caps %q)", h.mech, s.Caps())
					}
				}
				var err error
				if h.mech == "" {
					err = s.Login(ctx, creds)
				} else {
					err = s.Authenticate(ctx, h.mech, creds)
				}
				if err != nil {
					t.Fatalf("%s: %v", h.name, err)
				}
				checkAuthenticated(t, s)
				if s.Endpoint.Protocol == POP3 {
					// End the session so the server unlocks the maildrop
					// before the next subtest logs in (RFC 1939 section 8).
					if _, err := s.POP3Command("QUIT", false); err == nil {
						WaitClosed(s)
					}
				}
				s.Close()
				checkRedacted(t, p, rec.Entries())
			})
		}
	}
}

// checkAuthenticated sends a command that only an authenticated session
// may send and checks it succeeds.
func checkAuthenticated(t *testing.T, s *Session) {
	t.Helper()
	switch s.Endpoint.Protocol {
	case SMTP:
		// Submission refuses MAIL before AUTH (530); after it, 250.
		rep, err := s.SMTPCommand("MAIL FROM:<" + "mailspec@example.test" + ">")
		if err != nil || rep.Code != 250 {
			t.Errorf("MAIL FROM after AUTH = %q, %v; want 250", rep.Raw, err)
		}
	case IMAP:
		_, tagged, err := s.IMAPCommand("SELECT INBOX")
		if err != nil || tagged.Status != "OK" {
			t.Errorf("SELECT after login = %q, %v; want OK", tagged.Raw, err)
		}
	case POP3:
		rep, err := s.POP3Command("STAT", false)
		if err != nil || !rep.OK {
			t.Errorf("STAT after login = %q, %v; want +OK", rep.Raw, err)
		}
	}
}

func TestLoginWrongPasswordEmbedded(t *testing.T) {
	sys := startEmbedded(t)
	p := embeddedProfile(t, sys)
	a := p.Accounts[0]
	bad := "mailspec-wrong-" + a.Password[:4]
	for _, scheme := range []string{"submission", "imap", "pop3"} {
		t.Run(scheme, func(t *testing.T) {
			rec := NewRecorder()
			s := dialEmbedded(t, p, scheme, rec)
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			if err := s.Greet(); err != nil {
				t.Fatalf("Greet: %v", err)
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				t.Fatalf("UpgradeIfOffered: %v", err)
			}
			err := s.Login(ctx, LoginCredentials{N: 1, User: a.User, Password: bad})
			var re *ReplyError
			if !errors.As(err, &re) {
				t.Fatalf("Login with a wrong password = %v; want a *ReplyError", err)
			}
			if strings.Contains(err.Error(), bad) {
				t.Errorf("Login error %q contains the password", err)
			}
			s.Close()
			for i, e := range rec.Entries() {
				for _, f := range secretForms(a.User, bad) {
					if bytes.Contains(e.Data, []byte(f)) {
						t.Errorf("entry %d holds the (wrong) password: %q", i, e.Data)
					}
				}
			}
		})
	}
}

func TestSessionExpectCloseAfterQuit(t *testing.T) {
	sys := startEmbedded(t)
	p := embeddedProfile(t, sys)
	s := dialEmbedded(t, p, "smtp", nil)
	if err := s.Greet(); err != nil {
		t.Fatalf("Greet: %v", err)
	}
	rep, err := s.SMTPCommand("QUIT")
	if err != nil || rep.Code != 221 {
		t.Fatalf("QUIT = %q, %v; want 221", rep.Raw, err)
	}
	got, err := s.ExpectClose()
	if err != nil || got != nil {
		t.Errorf("ExpectClose after QUIT = %q, %v; want nil, nil", got, err)
	}
}

func TestSessionExpectSilenceEmbedded(t *testing.T) {
	sys := startEmbedded(t)
	p := embeddedProfile(t, sys)
	s := dialEmbedded(t, p, "imap", nil)
	if err := s.Greet(); err != nil {
		t.Fatalf("Greet: %v", err)
	}
	// Nothing was asked: the server stays silent.
	got, err := s.ExpectSilence(200 * time.Millisecond)
	if err != nil || got != nil {
		t.Errorf("ExpectSilence = %q, %v; want nil, nil", got, err)
	}
	// A command is answered: the silence is broken, and what broke it is
	// the beginning of the reply.
	if err := s.Send("x1 NOOP"); err != nil {
		t.Fatal(err)
	}
	got, err = s.ExpectSilence(hangGuard)
	if err != nil || len(got) == 0 || !bytes.HasPrefix([]byte("x1 OK"), got[:min(len(got), 5)]) {
		t.Fatalf("ExpectSilence after NOOP = %q, %v; want the beginning of the NOOP's reply", got, err)
	}
	// Looking for silence must not eat the reply: the session still
	// reads it whole, and the stream stays in step for the next command.
	rep, err := s.ReadIMAP()
	if err != nil || rep.Tag != "x1" || rep.Status != "OK" {
		t.Errorf("ReadIMAP after ExpectSilence = %q (tag %q), %v; want the whole tagged reply x1 OK "+
			"(ExpectSilence consumed bytes the framed reader never sees)", rep.Raw, rep.Tag, err)
	}
	_, tagged, err := s.IMAPCommand("NOOP")
	if err != nil || tagged.Status != "OK" {
		t.Errorf("NOOP after ExpectSilence = %q, %v; want OK", tagged.Raw, err)
	}
}
