package embedded

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxRecipients bounds RCPT commands per transaction (RFC 5321 section
// 4.5.3.1.8 asks for at least 100).
const maxRecipients = 100

// smtpMode is what an SMTP endpoint is for.
type smtpMode int

const (
	// modeMX receives mail for the local accounts from anyone, like the
	// MX of a domain (RFC 5321), and relays for nobody unauthenticated.
	modeMX smtpMode = iota
	// modeSubmission takes mail from authenticated users only (RFC 6409
	// section 4.3 and RFC 4954 section 6: 530 5.7.0 before AUTH).
	modeSubmission
)

// SMTP replies of the backend. go-smtp writes them with their enhanced
// status codes (RFC 3463).
var (
	errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	errNoSuchUser   = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	errRelayDenied  = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied"}
	errDeliveryTemp = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Delivery failed, try again later"}
)

// newSMTPServer returns a go-smtp server for one endpoint.
func newSMTPServer(st *store, mode smtpMode, opts Options, tlsConfig *tls.Config, logger *log.Logger) *smtp.Server {
	s := smtp.NewServer(&smtpBackend{st: st, mode: mode, log: logger})
	s.Domain = opts.Domain
	s.TLSConfig = tlsConfig
	s.MaxMessageBytes = opts.MaxMessageBytes
	s.MaxRecipients = maxRecipients
	s.AllowInsecureAuth = opts.InsecureAuth
	s.ReadTimeout = smtpTimeout
	s.WriteTimeout = smtpTimeout
	s.EnableSMTPUTF8 = true
	s.EnableDSN = true
	s.ErrorLog = logger
	return s
}

// smtpBackend makes the sessions of one endpoint.
type smtpBackend struct {
	st   *store
	mode smtpMode
	log  *log.Logger
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{be: b, conn: c}, nil
}

// smtpSession is one SMTP session; go-smtp makes a new one after STARTTLS.
type smtpSession struct {
	be   *smtpBackend
	conn *smtp.Conn
	user *storeAccount // authenticated user, or nil

	from   string
	local  []*storeAccount // distinct local recipients
	remote int             // accepted remote recipients (dropped)
}

var _ smtp.AuthSession = (*smtpSession)(nil)

// AuthMechanisms implements [smtp.AuthSession]; go-smtp offers them only
// on TLS unless insecure authentication is allowed.
func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

// Auth implements [smtp.AuthSession].
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			if identity != "" && identity != username {
				return smtp.ErrAuthFailed
			}
			return s.login(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{authenticate: s.login}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *smtpSession) login(username, password string) error {
	a := s.be.st.authenticate(username, password)
	if a == nil {
		return smtp.ErrAuthFailed // 535 5.7.8, RFC 4954 section 6
	}
	s.user = a
	return nil
}

func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	if s.be.mode == modeSubmission && s.user == nil {
		return errAuthRequired
	}
	s.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if a := s.be.st.lookup(to); a != nil {
		for _, l := range s.local {
			if l == a {
				return nil
			}
		}
		s.local = append(s.local, a)
		return nil
	}
	if s.be.st.isLocalDomain(to) {
		return errNoSuchUser
	}
	if s.user == nil {
		return errRelayDenied
	}
	// An authenticated user may send anywhere; this test system accepts
	// the recipient and drops the copy.
	s.remote++
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) {
			return smtpErr // 552 5.3.4 when the message is too large
		}
		return err
	}
	now := time.Now()
	for _, a := range s.local {
		// Final delivery: Return-Path and then the trace header go on
		// top (RFC 5321 section 4.4).
		head := returnPath(s.from) + s.received(a, now)
		msg := append([]byte(head), normalizeCRLF(body)...)
		if err := s.be.st.deliver(a, msg, now); err != nil {
			s.be.log.Printf("smtp: %v", err)
			return errDeliveryTemp
		}
	}
	return nil
}

// received returns the trace header for the copy delivered to a.
func (s *smtpSession) received(a *storeAccount, t time.Time) string {
	var remoteIP string
	if addr, ok := s.conn.Conn().RemoteAddr().(*net.TCPAddr); ok {
		remoteIP = addr.IP.String()
	}
	_, isTLS := s.conn.TLSConnectionState()
	return receivedHeader(trace{
		helo:     s.conn.Hostname(),
		remoteIP: remoteIP,
		by:       s.be.st.domain,
		tls:      isTLS,
		auth:     s.user != nil,
		id:       randomID(),
		forAddr:  a.Address,
		date:     t,
	})
}

func (s *smtpSession) Reset() {
	s.from = ""
	s.local = nil
	s.remote = 0
}

func (s *smtpSession) Logout() error { return nil }

// trace is what a Received: header records (RFC 5321 section 4.4).
type trace struct {
	helo, remoteIP, by string
	tls, auth          bool
	id, forAddr        string
	date               time.Time
}

// receivedHeader formats a Received: header field (RFC 5321 section 4.4),
// folded, ending in CRLF. The protocol is ESMTP, with S for TLS and A for
// an authenticated client (RFC 3848).
func receivedHeader(tr trace) string {
	proto := "ESMTP"
	if tr.tls {
		proto += "S"
	}
	if tr.auth {
		proto += "A"
	}
	helo := traceToken(tr.helo)
	if helo == "" {
		helo = "unknown"
	}
	var b strings.Builder
	b.WriteString("Received: from ")
	b.WriteString(helo)
	if ip := addressLiteral(tr.remoteIP); ip != "" {
		b.WriteString(" (" + ip + ")")
	}
	b.WriteString("\r\n\tby " + traceToken(tr.by) + " with " + proto)
	if tr.id != "" {
		b.WriteString(" id " + traceToken(tr.id))
	}
	if tr.forAddr != "" {
		b.WriteString("\r\n\tfor <" + pathToken(tr.forAddr) + ">")
	}
	b.WriteString(";\r\n\t" + tr.date.Format(time.RFC1123Z) + "\r\n")
	return b.String()
}

// returnPath formats the Return-Path: header field of final delivery
// (RFC 5321 section 4.4, RFC 5322 section 3.6.7); from is the reverse-path,
// empty for the null reverse-path.
func returnPath(from string) string {
	if from == "" {
		return "Return-Path: <>\r\n"
	}
	return "Return-Path: <" + pathToken(from) + ">\r\n"
}

// addressLiteral formats an IP as an RFC 5321 section 4.1.3 address
// literal, or returns "" for an empty or invalid one.
func addressLiteral(ip string) string {
	parsed := net.ParseIP(ip)
	switch {
	case parsed == nil:
		return ""
	case parsed.To4() != nil:
		return "[" + parsed.To4().String() + "]"
	default:
		return "[IPv6:" + parsed.String() + "]"
	}
}

// traceToken keeps s from breaking the header: only printable US-ASCII
// other than the comment and separator characters passes; anything else
// becomes '?'.
func traceToken(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f && !strings.ContainsRune("();<>\\\"", r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// pathToken keeps an address from breaking the header it goes in: control
// characters, white space and angle brackets become '?'. UTF-8 passes
// (RFC 6531 addresses, RFC 6532 headers).
func pathToken(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r <= 0x20 || r == 0x7f || r == '<' || r == '>' || r == utf8.RuneError {
			b.WriteByte('?')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// randomID returns a short random hexadecimal identifier.
func randomID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return ""
	}
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// loginServer is the server side of the LOGIN SASL mechanism
// (draft-murchison-sasl-login), which go-sasl offers only as a client:
// the server asks "Username:" then "Password:"; a client may send the
// user name as its initial response.
type loginServer struct {
	authenticate func(username, password string) error
	state        int // 0: start; 1: asked for the user name; 2: asked for the password; 3: done
	username     string
}

var _ sasl.Server = (*loginServer)(nil)

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.state {
	case 0:
		if response == nil {
			l.state = 1
			return []byte("Username:"), false, nil
		}
		l.username = string(response)
		l.state = 2
		return []byte("Password:"), false, nil
	case 1:
		l.username = string(response)
		l.state = 2
		return []byte("Password:"), false, nil
	case 2:
		l.state = 3
		return nil, true, l.authenticate(l.username, string(response))
	}
	return nil, false, fmt.Errorf("embedded: LOGIN: %w", sasl.ErrUnexpectedClientResponse)
}
