package transcripts

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Protocol is one of the three mail protocols mailspec judges.
type Protocol string

// The protocols.
const (
	SMTP Protocol = "smtp"
	POP3 Protocol = "pop3"
	IMAP Protocol = "imap"
)

// Security says how an endpoint protects its connection.
type Security string

// Connection security of an endpoint (RFC 8314 section 3 for implicit TLS).
const (
	// Plain connections may be upgraded with STARTTLS/STLS.
	Plain Security = "plain"
	// Implicit connections start with a TLS handshake.
	Implicit Security = "implicit"
)

type schemeInfo struct {
	proto    Protocol
	security Security
	port     int
}

// schemes maps each target URL scheme to its protocol, connection security
// and default port (RFC 6409 for submission, RFC 8314 for the implicit TLS
// ports).
var schemes = map[string]schemeInfo{
	"smtp":       {SMTP, Plain, 25},
	"submission": {SMTP, Plain, 587},
	"smtps":      {SMTP, Implicit, 465},
	"imap":       {IMAP, Plain, 143},
	"imaps":      {IMAP, Implicit, 993},
	"pop3":       {POP3, Plain, 110},
	"pop3s":      {POP3, Implicit, 995},
}

// Schemes lists the target URL schemes mailspec accepts, sorted.
func Schemes() []string {
	out := make([]string, 0, len(schemes))
	for s := range schemes {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Endpoint is one address of a mail system: a scheme, a host and a port.
type Endpoint struct {
	// URL as written in the profile or on the command line, without
	// credentials.
	URL string `yaml:"url" json:"url"`
	// TLSRequiredForAuth says the server claims to refuse authentication
	// before TLS on this endpoint.
	TLSRequiredForAuth bool `yaml:"tls_required_for_auth,omitempty" json:"tls_required_for_auth,omitempty"`

	Scheme   string   `yaml:"-" json:"scheme"`
	Protocol Protocol `yaml:"-" json:"protocol"`
	Security Security `yaml:"-" json:"security"`
	Host     string   `yaml:"-" json:"-"`
	Port     int      `yaml:"-" json:"-"`
}

// Addr is the endpoint's host:port.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// Account is one mailbox owner of a mail system.
type Account struct {
	User        string `yaml:"user" json:"user"`
	Password    string `yaml:"password,omitempty" json:"-"`
	PasswordEnv string `yaml:"password_env,omitempty" json:"password_env,omitempty"`
	Address     string `yaml:"address,omitempty" json:"address,omitempty"`
	// Disposable accounts may have anything in them deleted or renamed.
	Disposable bool `yaml:"disposable,omitempty" json:"disposable"`
}

// Claims are what the server says of itself that cases may rely on.
type Claims struct {
	MaxMessageSize int64 `yaml:"max_message_size,omitempty" json:"max_message_size,omitempty"`
}

// TLSOptions say how certificates are verified.
type TLSOptions struct {
	Insecure   bool   `yaml:"insecure,omitempty" json:"insecure,omitempty"`
	CAFile     string `yaml:"ca_file,omitempty" json:"ca_file,omitempty"`
	ServerName string `yaml:"server_name,omitempty" json:"server_name,omitempty"`
	// CAPEM is an extra CA given in memory (the embedded system's).
	CAPEM []byte `yaml:"-" json:"-"`
}

// Profile describes one mail system under test: its endpoints, its
// accounts, what it claims and how to verify its certificates. The file
// format is YAML; see the README.
type Profile struct {
	Name      string     `yaml:"name" json:"name"`
	Endpoints []Endpoint `yaml:"endpoints" json:"endpoints"`
	Accounts  []Account  `yaml:"accounts" json:"-"`
	Claims    Claims     `yaml:"claims,omitempty" json:"claims"`
	TLS       TLSOptions `yaml:"tls,omitempty" json:"tls"`
	// Source is the file the profile was read from, or "--target".
	Source string `yaml:"-" json:"source,omitempty"`
}

// ParseEndpoint parses a target URL such as imaps://127.0.0.1:993. It
// returns the endpoint and the credentials found in its user-info, if any.
func ParseEndpoint(raw string) (Endpoint, *url.Userinfo, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, nil, fmt.Errorf("target %q: %w", redactURL(raw), errors.Unwrap(err))
	}
	info, ok := schemes[strings.ToLower(u.Scheme)]
	if !ok {
		return Endpoint{}, nil, fmt.Errorf("target %q: unknown scheme %q (want one of %s)", redactURL(raw), u.Scheme, strings.Join(Schemes(), ", "))
	}
	if u.Opaque != "" || u.Host == "" {
		return Endpoint{}, nil, fmt.Errorf("target %q: want %s://host[:port]", redactURL(raw), u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, nil, fmt.Errorf("target %q: a target URL has no path, query or fragment", redactURL(raw))
	}
	host := u.Hostname()
	if host == "" {
		return Endpoint{}, nil, fmt.Errorf("target %q: no host", redactURL(raw))
	}
	port := info.port
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Endpoint{}, nil, fmt.Errorf("target %q: bad port %q", redactURL(raw), p)
		}
		port = n
	}
	scheme := strings.ToLower(u.Scheme)
	ep := Endpoint{
		Scheme:   scheme,
		Protocol: info.proto,
		Security: info.security,
		Host:     host,
		Port:     port,
	}
	ep.URL = scheme + "://" + ep.Addr()
	return ep, u.User, nil
}

// redactURL removes a password from a URL-like string for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.Index(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "***@" + raw[i+1:]
			}
		}
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return u.String()
}

// ProfileFromTargets builds the shorthand profile of --target URLs: the
// endpoints of one server and the account in their user-info. A user or
// password missing from the URL is read from MAILSPEC_USER and
// MAILSPEC_PASSWORD; a second account may be given by MAILSPEC_USER2 and
// MAILSPEC_PASSWORD2.
func ProfileFromTargets(urls []string, getenv func(string) string) (*Profile, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	p := &Profile{Source: "--target"}
	var acct Account
	for _, raw := range urls {
		ep, ui, err := ParseEndpoint(raw)
		if err != nil {
			return nil, err
		}
		if ui != nil {
			if acct.User != "" && acct.User != ui.Username() {
				return nil, fmt.Errorf("target %q: all --target URLs of one run must use the same account (got %q and %q)", redactURL(raw), acct.User, ui.Username())
			}
			acct.User = ui.Username()
			if pw, ok := ui.Password(); ok {
				acct.Password = pw
			}
		}
		p.Endpoints = append(p.Endpoints, ep)
		if p.Name == "" {
			p.Name = ep.Host
		}
	}
	if len(p.Endpoints) == 0 {
		return nil, errors.New("no target given")
	}
	if acct.User == "" {
		acct.User = getenv("MAILSPEC_USER")
	}
	if acct.Password == "" {
		acct.Password = getenv("MAILSPEC_PASSWORD")
	}
	if acct.User == "" {
		return nil, errors.New("no account: give user:password@ in the target URL or set MAILSPEC_USER and MAILSPEC_PASSWORD")
	}
	if acct.Password == "" {
		return nil, fmt.Errorf("no password for %q: give user:password@ in the target URL or set MAILSPEC_PASSWORD", acct.User)
	}
	if strings.Contains(acct.User, "@") {
		acct.Address = acct.User
	}
	p.Accounts = append(p.Accounts, acct)
	if u2 := getenv("MAILSPEC_USER2"); u2 != "" {
		a2 := Account{User: u2, Password: getenv("MAILSPEC_PASSWORD2")}
		if a2.Password == "" {
			return nil, fmt.Errorf("MAILSPEC_USER2 is set but MAILSPEC_PASSWORD2 is not")
		}
		if strings.Contains(u2, "@") {
			a2.Address = u2
		}
		p.Accounts = append(p.Accounts, a2)
	}
	return p, nil
}

// LoadProfile reads and validates a profile file. Passwords named by
// password_env are read with getenv (os.Getenv when nil).
func LoadProfile(path string, getenv func(string) string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	p, err := ParseProfile(data, getenv)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	p.Source = path
	if p.TLS.CAFile != "" && !filepath.IsAbs(p.TLS.CAFile) {
		p.TLS.CAFile = filepath.Join(filepath.Dir(path), p.TLS.CAFile)
	}
	return p, nil
}

// ParseProfile parses and validates profile YAML.
func ParseProfile(data []byte, getenv func(string) string) (*Profile, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	if p.Name == "" {
		return nil, errors.New("no name")
	}
	if len(p.Endpoints) == 0 {
		return nil, errors.New("no endpoints")
	}
	seen := map[string]bool{}
	for i, e := range p.Endpoints {
		ep, ui, err := ParseEndpoint(e.URL)
		if err != nil {
			return nil, fmt.Errorf("endpoint %d: %w", i+1, err)
		}
		if ui != nil {
			return nil, fmt.Errorf("endpoint %d: %s: credentials belong in accounts, not in endpoint URLs", i+1, ep.URL)
		}
		if seen[ep.Scheme] {
			return nil, fmt.Errorf("endpoint %d: a second %s endpoint (one per scheme)", i+1, ep.Scheme)
		}
		seen[ep.Scheme] = true
		ep.TLSRequiredForAuth = e.TLSRequiredForAuth
		p.Endpoints[i] = ep
	}
	if len(p.Accounts) < 2 {
		return nil, fmt.Errorf("%d account(s): a profile names two or more accounts", len(p.Accounts))
	}
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if a.User == "" {
			return nil, fmt.Errorf("account %d: no user", i+1)
		}
		switch {
		case a.Password != "" && a.PasswordEnv != "":
			return nil, fmt.Errorf("account %s: give password or password_env, not both", a.User)
		case a.PasswordEnv != "":
			a.Password = getenv(a.PasswordEnv)
			if a.Password == "" {
				return nil, fmt.Errorf("account %s: environment variable %s is empty or unset", a.User, a.PasswordEnv)
			}
		case a.Password == "":
			return nil, fmt.Errorf("account %s: no password or password_env", a.User)
		}
		if a.Address == "" && strings.Contains(a.User, "@") {
			a.Address = a.User
		}
	}
	if p.Claims.MaxMessageSize < 0 {
		return nil, errors.New("claims.max_message_size is negative")
	}
	return &p, nil
}

// MarshalProfile writes a profile as YAML, passwords included: it is for
// profiles of systems the caller started itself.
func MarshalProfile(p *Profile) ([]byte, error) {
	cp := *p
	cp.Endpoints = append([]Endpoint(nil), p.Endpoints...)
	b, err := yaml.Marshal(&cp)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return b, nil
}

// Endpoint returns the profile's endpoint with the given scheme.
func (p *Profile) Endpoint(scheme string) (Endpoint, bool) {
	for _, e := range p.Endpoints {
		if e.Scheme == scheme {
			return e, true
		}
	}
	return Endpoint{}, false
}

// Protocols lists the protocols the profile has endpoints for.
func (p *Profile) Protocols() []Protocol {
	var out []Protocol
	for _, proto := range []Protocol{SMTP, IMAP, POP3} {
		for _, e := range p.Endpoints {
			if e.Protocol == proto {
				out = append(out, proto)
				break
			}
		}
	}
	return out
}

// Secrets lists every password of the profile, for redaction.
func (p *Profile) Secrets() []string {
	var out []string
	for _, a := range p.Accounts {
		if a.Password != "" {
			out = append(out, a.Password)
		}
	}
	return out
}

// TLSConfig returns the client TLS configuration for an endpoint: the
// system roots plus the profile's CA file, certificate verification on
// unless the profile (or --insecure) says otherwise.
func (p *Profile) TLSConfig(ep Endpoint) (*tls.Config, error) {
	cfg := &tls.Config{
		ServerName:         ep.Host,
		InsecureSkipVerify: p.TLS.Insecure, //nolint:gosec // the user asked for it
		MinVersion:         tls.VersionTLS10,
	}
	if p.TLS.ServerName != "" {
		cfg.ServerName = p.TLS.ServerName
	}
	if p.TLS.CAFile != "" || len(p.TLS.CAPEM) > 0 {
		pem := p.TLS.CAPEM
		if p.TLS.CAFile != "" {
			var err error
			if pem, err = os.ReadFile(p.TLS.CAFile); err != nil {
				return nil, fmt.Errorf("tls: ca_file: %w", err)
			}
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls: CA %s: no PEM certificate in it", p.TLS.CAFile)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

func (p Protocol) String() string { return string(p) }
