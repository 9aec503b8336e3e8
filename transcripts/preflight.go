package transcripts

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
)

// PreflightError is a reason a run cannot start: an endpoint that cannot
// be reached, a TLS failure or credentials that do not work. Its message
// is one line.
type PreflightError struct {
	Endpoint string
	Err      error
}

func (e *PreflightError) Error() string {
	msg := strings.ReplaceAll(e.Err.Error(), "\n", " ")
	return "pre-flight " + e.Endpoint + ": " + msg
}

func (e *PreflightError) Unwrap() error { return e.Err }

// Preflight connects to every endpoint of the profile, starts TLS where
// offered, logs in with the first account (on SMTP endpoints only when
// AUTH is offered), and the other accounts on the first IMAP or POP3
// endpoint. It returns what it learnt of each endpoint, by scheme.
// Credentials are checked, never recorded.
func Preflight(ctx context.Context, p *Profile, opts Options) (map[string]EndpointInfo, error) {
	info := map[string]EndpointInfo{}
	if len(p.Accounts) == 0 {
		return nil, &PreflightError{Endpoint: p.Name, Err: errors.New("the profile has no account")}
	}
	mailbox := ""
	for _, ep := range p.Endpoints {
		in, err := preflightOne(ctx, p, ep, opts, 0)
		if err != nil {
			return nil, &PreflightError{Endpoint: ep.URL, Err: err}
		}
		info[ep.Scheme] = in
		if mailbox == "" && ep.Protocol != SMTP {
			mailbox = ep.Scheme
		}
	}
	if mailbox != "" {
		ep, _ := p.Endpoint(mailbox)
		for i := 1; i < len(p.Accounts); i++ {
			if _, err := preflightOne(ctx, p, ep, opts, i); err != nil {
				return nil, &PreflightError{Endpoint: ep.URL, Err: err}
			}
		}
	}
	return info, nil
}

func preflightOne(ctx context.Context, p *Profile, ep Endpoint, opts Options, acct int) (EndpointInfo, error) {
	in := EndpointInfo{Endpoint: ep}
	cfg, err := p.TLSConfig(ep)
	if err != nil {
		return in, err
	}
	opts.TLS = cfg
	opts.Recorder = nil
	s, err := Dial(ctx, ep, opts)
	if err != nil {
		return in, explainTLS(err)
	}
	defer s.conn.Close()
	if err := s.Greet(); err != nil {
		return in, err
	}
	if err := s.UpgradeIfOffered(ctx); err != nil {
		return in, explainTLS(err)
	}
	in.CapsBeforeTLS, in.CapsAfterTLS = s.CapsBeforeTLS, s.CapsAfterTLS
	if st := s.TLSState(); st != nil {
		in.TLSVersion = tls.VersionName(st.Version)
		in.TLSCipher = tls.CipherSuiteName(st.CipherSuite)
	}
	a := p.Accounts[acct]
	if ep.Protocol == SMTP && !s.HasCap("AUTH") {
		quit(s)
		return in, nil
	}
	if err := s.Login(ctx, LoginCredentials{N: acct + 1, User: a.User, Password: a.Password}); err != nil {
		var re *ReplyError
		if errors.As(err, &re) {
			return in, fmt.Errorf("login as %s failed (wrong user or password?): %v", a.User, err)
		}
		return in, fmt.Errorf("login as %s: %w", a.User, err)
	}
	if ep.Protocol == IMAP {
		// Capabilities may change after login (RFC 9051 section 6.2.3).
		if _, err := s.IMAPCapability(); err == nil {
			in.CapsAfterTLS = s.CapsAfterTLS
			if !s.IsTLS() {
				in.CapsBeforeTLS = s.CapsBeforeTLS
			}
		}
	}
	quit(s)
	return in, nil
}

func quit(s *Session) {
	switch s.Endpoint.Protocol {
	case SMTP:
		s.SMTPCommand("QUIT")
	case POP3:
		// QUIT in the AUTHORIZATION or TRANSACTION state deletes nothing
		// that was not marked; preflight marks nothing. Waiting for the
		// close lets the server release the maildrop lock.
		if _, err := s.POP3Command("QUIT", false); err == nil {
			WaitClosed(s)
		}
	case IMAP:
		s.IMAPCommand("LOGOUT")
	}
}

func explainTLS(err error) error {
	var ce *tls.CertificateVerificationError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w (set tls.ca_file in the profile or use --ca-file; --insecure skips verification)", err)
	}
	return err
}
