package embedded

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Defaults of [Options].
const (
	DefaultHost            = "127.0.0.1"
	DefaultDomain          = "example.test"
	DefaultMaxMessageBytes = 10 << 20 // 10 MiB
)

// Endpoint schemes, the keys of [System.Endpoints].
const (
	SchemeSMTP       = "smtp"       // MX-style SMTP with STARTTLS (RFC 5321, RFC 3207)
	SchemeSubmission = "submission" // message submission with STARTTLS (RFC 6409)
	SchemeSMTPS      = "smtps"      // submission over implicit TLS (RFC 8314 section 3.3)
	SchemeIMAP       = "imap"       // IMAP with STARTTLS (RFC 9051 section 6.2.1)
	SchemeIMAPS      = "imaps"      // IMAP over implicit TLS (RFC 8314 section 3.2)
	SchemePOP3       = "pop3"       // POP3 with STLS (RFC 1939, RFC 2595)
	SchemePOP3S      = "pop3s"      // POP3 over implicit TLS (RFC 8314 section 3.2)
)

// Schemes lists every endpoint scheme a [System] serves, in a stable order.
var Schemes = []string{
	SchemeSMTP, SchemeSubmission, SchemeSMTPS,
	SchemeIMAP, SchemeIMAPS,
	SchemePOP3, SchemePOP3S,
}

// passwordLength is the length of the generated passwords.
const passwordLength = 24

// Timeouts. RFC 5321 section 4.5.3.2 suggests minutes per command; RFC 1939
// section 3 says a POP3 autologout timer MUST be of at least 10 minutes.
const (
	smtpTimeout      = 5 * time.Minute
	pop3ReadTimeout  = 10 * time.Minute
	pop3WriteTimeout = 5 * time.Minute
	handshakeTimeout = time.Minute
)

// Account is one mailbox of the system. The same User and Password log in
// to SMTP AUTH, IMAP and POP3; Address is where SMTP delivers to it.
type Account struct {
	User, Password, Address string
}

// Options configure [Start]. The zero value is ready to use.
type Options struct {
	// Host is the address every listener binds, with a port chosen by the
	// operating system. Default [DefaultHost].
	Host string
	// Domain is the mail domain: the SMTP greeting's name and the domain of
	// the default accounts' addresses. Default [DefaultDomain].
	Domain string
	// Accounts are the mailboxes. Default: alice, bob and carol at Domain,
	// with random 24-character passwords generated per Start. An account
	// with an empty Address gets User@Domain.
	Accounts []Account
	// MaxMessageBytes is the largest message SMTP accepts, advertised with
	// SIZE (RFC 1870). Default [DefaultMaxMessageBytes].
	MaxMessageBytes int64
	// InsecureAuth allows authentication before TLS on the plain ports. By
	// default it is refused there: no AUTH in the EHLO reply, LOGINDISABLED
	// on IMAP, USER, PASS and AUTH refused before STLS on POP3.
	InsecureAuth bool
	// ErrorLog receives server errors; nil discards them.
	ErrorLog io.Writer
	// Faults names deliberate violations for the harness's own self-tests
	// (proofs that a conformance scenario catches what it checks): faults
	// a proxy in front of the server cannot make. Empty for a correct
	// system; Start refuses a name it does not know. The names:
	//
	//   - [FaultPOP3DeleImmediate], "pop3-dele-immediate": POP3 DELE
	//     removes the message from the store at once instead of in the
	//     UPDATE state, so a session that ends without QUIT still loses
	//     it (RFC 1939 section 6: such a session "MUST not remove any
	//     messages from the maildrop").
	//   - [FaultPOP3UIDLUnstable], "pop3-uidl-unstable": the UIDL
	//     unique-id of a message is different in every POP3 session (RFC
	//     1939 section 7: it "persists across sessions").
	Faults []string
}

// Names of the faults [Options.Faults] accepts.
const (
	FaultPOP3DeleImmediate = "pop3-dele-immediate"
	FaultPOP3UIDLUnstable  = "pop3-uidl-unstable"
)

// pop3PolicyFor returns the POP3 front-end's behaviour for the faults
// named, or an error for a name that is not a fault of the system.
func pop3PolicyFor(faults []string) (pop3Policy, error) {
	if len(faults) == 0 {
		return conformPolicy{}, nil
	}
	var p faultPolicy
	for _, f := range faults {
		switch f {
		case FaultPOP3DeleImmediate:
			p.deleAtOnce = true
		case FaultPOP3UIDLUnstable:
			p.unstableUIDs = true
		default:
			return nil, fmt.Errorf("embedded: unknown fault %q (known: %s, %s)", f, FaultPOP3DeleImmediate, FaultPOP3UIDLUnstable)
		}
	}
	return p, nil
}

// System is a running embedded mail system. Start makes one; Close stops it.
type System struct {
	// Endpoints maps each scheme of [Schemes] to its "host:port".
	Endpoints map[string]string
	// Accounts are the system's accounts, passwords included.
	Accounts []Account
	// Domain is the mail domain.
	Domain string
	// CertPEM is the PEM-encoded self-signed certificate every TLS endpoint
	// presents. It is its own CA: add it to a pool to verify the servers.
	CertPEM []byte

	tracker *tracker
	pipes   *pipeListener
	// pop3Policy is the POP3 behaviour Options.Faults chose, for the
	// listeners and Handler alike.
	pop3Policy pop3Policy
	smtp       []*smtp.Server

	closeOnce sync.Once
	closeErr  error
}

// Start starts every server of the system on opts.Host, each on a port
// chosen by the operating system, and returns once all of them listen.
// ctx bounds the start only: the system runs until [System.Close].
func Start(ctx context.Context, opts Options) (*System, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	policy, err := pop3PolicyFor(opts.Faults)
	if err != nil {
		return nil, err
	}
	errLog := opts.ErrorLog
	if errLog == nil {
		errLog = io.Discard
	}
	logger := log.New(errLog, "embedded: ", log.LstdFlags)

	certPEM, cert, err := newCertificate(time.Now(), opts.Host)
	if err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}

	st, err := newStore(opts.Domain, opts.Accounts)
	if err != nil {
		return nil, err
	}

	s := &System{
		Endpoints: make(map[string]string, len(Schemes)),
		Accounts:  append([]Account(nil), opts.Accounts...),
		Domain:    opts.Domain,
		CertPEM:   certPEM,
		tracker:   newTracker(),

		pop3Policy: policy,
	}
	s.pipes = newPipeListener(s.tracker)

	imapOuter := newIMAPServer(st, tlsConfig, opts.InsecureAuth, logger)
	// The inner IMAP server is the POP3 front-end's view of the store. It
	// is reachable only through in-memory pipes from the POP3 sessions,
	// which enforce the TLS policy themselves.
	imapInner := newIMAPServer(st, nil, true, logger)
	pop3 := newPOP3Server(pop3Config{
		tls:          tlsConfig,
		insecureAuth: opts.InsecureAuth,
		log:          logger,
		dial:         s.pipes.Dial,
		account:      st.account,
		policy:       policy,
	})

	lc := net.ListenConfig{}
	listen := func(scheme string, implicitTLS bool) (net.Listener, error) {
		ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(opts.Host, "0"))
		if err != nil {
			return nil, fmt.Errorf("embedded: listen for %s: %w", scheme, err)
		}
		// imapserver reports the end of a connection's session too.
		withSession := scheme == SchemeIMAP || scheme == SchemeIMAPS
		tl := s.tracker.listen(ln, withSession)
		s.Endpoints[scheme] = ln.Addr().String()
		if implicitTLS {
			return tls.NewListener(tl, tlsConfig), nil
		}
		return tl, nil
	}

	type endpoint struct {
		scheme      string
		implicitTLS bool
		serve       func(net.Listener) error
	}
	var endpoints []endpoint
	for _, e := range []struct {
		scheme      string
		mode        smtpMode
		implicitTLS bool
	}{
		{SchemeSMTP, modeMX, false},
		{SchemeSubmission, modeSubmission, false},
		{SchemeSMTPS, modeSubmission, true},
	} {
		srv := newSMTPServer(st, e.mode, opts, tlsConfig, logger)
		s.smtp = append(s.smtp, srv)
		endpoints = append(endpoints, endpoint{e.scheme, e.implicitTLS, srv.Serve})
	}
	endpoints = append(endpoints,
		endpoint{SchemeIMAP, false, imapOuter.Serve},
		endpoint{SchemeIMAPS, true, imapOuter.Serve},
		endpoint{SchemePOP3, false, pop3.serveFunc()},
		endpoint{SchemePOP3S, true, pop3.serveFunc()},
	)

	listeners := make([]net.Listener, 0, len(endpoints))
	for _, e := range endpoints {
		ln, err := listen(e.scheme, e.implicitTLS)
		if err != nil {
			s.Close()
			return nil, err
		}
		listeners = append(listeners, ln)
	}
	for i, e := range endpoints {
		s.tracker.serve(logger, e.scheme, listeners[i], e.serve)
	}
	s.tracker.serve(logger, "pop3 store", s.pipes, imapInner.Serve)
	return s, nil
}

// withDefaults fills in the defaults of [Options] and checks the accounts.
func withDefaults(opts Options) (Options, error) {
	if opts.Host == "" {
		opts.Host = DefaultHost
	}
	if opts.Domain == "" {
		opts.Domain = DefaultDomain
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if len(opts.Accounts) == 0 {
		for _, user := range []string{"alice", "bob", "carol"} {
			password, err := randomPassword(passwordLength)
			if err != nil {
				return opts, err
			}
			opts.Accounts = append(opts.Accounts, Account{User: user, Password: password})
		}
	}
	accounts := make([]Account, len(opts.Accounts))
	seen := make(map[string]bool)
	for i, a := range opts.Accounts {
		if a.User == "" || a.Password == "" {
			return opts, fmt.Errorf("embedded: account %d: empty user or password", i)
		}
		if strings.ContainsAny(a.User, " \t\r\n\x00") {
			return opts, fmt.Errorf("embedded: account %q: user contains white space or NUL", a.User)
		}
		if a.Address == "" {
			a.Address = a.User + "@" + opts.Domain
		}
		for _, key := range []string{"user " + a.User, "address " + strings.ToLower(a.Address)} {
			if seen[key] {
				return opts, fmt.Errorf("embedded: duplicate account %s", key)
			}
			seen[key] = true
		}
		accounts[i] = a
	}
	opts.Accounts = accounts
	return opts, nil
}

// randomPassword returns n random letters and digits.
func randomPassword(n int) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		// Rejection sampling keeps the distribution uniform.
		for {
			var r [1]byte
			if _, err := rand.Read(r[:]); err != nil {
				return "", fmt.Errorf("embedded: password: %w", err)
			}
			if int(r[0]) < 256-256%len(alphabet) {
				b[i] = alphabet[int(r[0])%len(alphabet)]
				break
			}
		}
	}
	return string(b), nil
}

// URL returns the URL of the endpoint for scheme, such as
// "imaps://127.0.0.1:40123", or "" if the system has no such endpoint.
func (s *System) URL(scheme string) string {
	addr, ok := s.Endpoints[scheme]
	if !ok {
		return ""
	}
	return scheme + "://" + addr
}

// Close stops every listener and connection and waits for the system's
// goroutines to end. It is safe to call more than once.
func (s *System) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.close()
	})
	return s.closeErr
}

func (s *System) close() error {
	// Stop accepting, then wait for the accept loops: after that no new
	// connection can appear.
	s.tracker.closeListeners()
	s.pipes.Close()
	s.tracker.waitServe()

	// Break every connection, then wait for the goroutines that served
	// them. go-smtp counts its own connection goroutines, and Shutdown
	// waits for them.
	s.tracker.killConns()
	var errs []error
	for _, srv := range s.smtp {
		if err := srv.Shutdown(context.Background()); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, fmt.Errorf("embedded: smtp shutdown: %w", err))
		}
	}
	if n := s.tracker.waitConns(); n > 0 {
		errs = append(errs, fmt.Errorf("embedded: %d connections still open %v after Close", n, closeWaitLimit))
	}
	return errors.Join(errs...)
}
