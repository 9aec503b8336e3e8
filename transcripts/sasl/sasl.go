// Package sasl provides the client side of the SASL mechanisms (RFC 4422)
// that the scripted client uses for SMTP AUTH (RFC 4954), IMAP
// AUTHENTICATE (RFC 9051 section 6.2.2, SASL-IR RFC 4959) and POP3 AUTH
// (RFC 5034):
//
//   - PLAIN (RFC 4616)
//   - LOGIN (draft-murchison-sasl-login, obsolete but widely deployed)
//   - CRAM-MD5 (RFC 2195)
//   - SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel
//     binding
//   - XOAUTH2 (the Google and Microsoft bearer-token format)
//   - OAUTHBEARER (RFC 7628)
//
// Every mechanism is a pure state machine over raw, decoded bytes: the
// caller does the protocol framing (base64, "334 "/"+ " continuations, the
// "*" cancel) and the network I/O. A client is one exchange: call Start
// once, send its initial response if it has one, then pass every server
// challenge to Next and send what it returns. A non-nil error from Next
// means the client gives up: the caller cancels the exchange ("*").
//
// When a mechanism has an initial response but the protocol or the server
// does not accept one (IMAP without SASL-IR, POP3 or SMTP servers that
// answer a bare AUTH with an empty challenge), the caller sends the initial
// response as the reply to the first, empty, challenge (RFC 4954 section 4,
// RFC 9051 section 6.2.2); Next is not called for that challenge.
//
// Errors are wrapped with the prefix "sasl: " and the mechanism's name;
// they match the sentinel errors of this package with [errors.Is], and a
// failure that the server reported inside the mechanism (SCRAM "e=") is a
// [*ServerError]. No server input makes a client panic.
//
// Limitation: SCRAM requires the password to be prepared with SASLprep
// (RFC 4013). This package does not implement the Unicode tables that
// SASLprep needs, so it accepts only passwords made of printable ASCII
// (U+0020..U+007E), which SASLprep leaves unchanged, and rejects any other
// password with [ErrUnsupportedCredentials] rather than send a proof the
// server would compute differently. User names are sent as given (UTF-8),
// not SASLprep-prepared.
package sasl

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	gosasl "github.com/emersion/go-sasl"
)

// Credentials for one account.
type Credentials struct {
	User     string // authentication identity
	Password string
	Authzid  string // optional authorization identity
	Token    string // OAuth 2.0 bearer token for XOAUTH2 / OAUTHBEARER (Password is used if Token is empty)
	Host     string // for OAUTHBEARER's host field (optional)
	Port     int    // for OAUTHBEARER's port field (optional, 0 = absent)
}

// token returns the bearer token for XOAUTH2 and OAUTHBEARER.
func (c Credentials) token() string {
	if c.Token != "" {
		return c.Token
	}
	return c.Password
}

// Mechanism names, as registered with IANA.
const (
	Plain       = "PLAIN"
	Login       = "LOGIN"
	CRAMMD5     = "CRAM-MD5"
	SCRAMSHA1   = "SCRAM-SHA-1"
	SCRAMSHA256 = "SCRAM-SHA-256"
	XOAuth2     = "XOAUTH2"
	OAuthBearer = "OAUTHBEARER"
)

// Errors returned by the clients, matched with [errors.Is].
var (
	// ErrUnknownMechanism: New was asked for a mechanism it does not know.
	ErrUnknownMechanism = errors.New("unknown mechanism")
	// ErrUnsupportedCredentials: the credentials cannot be carried by the
	// mechanism (empty user name, NUL in a PLAIN field, a password that
	// would need SASLprep, ...).
	ErrUnsupportedCredentials = errors.New("unsupported credentials")
	// ErrUnexpectedChallenge: the server sent a challenge where the
	// mechanism allows none (or Next was called before Start).
	ErrUnexpectedChallenge = errors.New("unexpected challenge")
	// ErrMalformedChallenge: the challenge does not follow the
	// mechanism's grammar.
	ErrMalformedChallenge = errors.New("malformed challenge")
	// ErrIterationCount: a SCRAM server asked for an iteration count
	// outside 1..MaxIterations.
	ErrIterationCount = errors.New("iteration count out of range")
	// ErrServerSignature: the SCRAM server signature does not match, so
	// the server does not know the password (RFC 5802 section 3).
	ErrServerSignature = errors.New("server signature does not match")
	// ErrExchangeOver: Next was called after the exchange completed or
	// failed.
	ErrExchangeOver = errors.New("exchange is over")
)

// MaxIterations is the largest SCRAM iteration count a client accepts, so
// that a hostile server cannot make the harness burn CPU.
const MaxIterations = 1000000

// ServerError is a failure the server reported inside the mechanism: the
// "e=" attribute of a SCRAM server-final-message (RFC 5802 section 7).
type ServerError struct {
	Mechanism string
	Message   string // the server's error value, e.g. "invalid-proof"
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("sasl: %s: server reported error %q", e.Mechanism, e.Message)
}

// Mechanisms returns the names of the supported mechanisms.
func Mechanisms() []string {
	return []string{Plain, Login, CRAMMD5, SCRAMSHA1, SCRAMSHA256, XOAuth2, OAuthBearer}
}

// New returns a client for one exchange of the named mechanism (case
// insensitive) with the credentials c. It checks up front that the
// mechanism can carry c; it returns an error wrapping
// [ErrUnknownMechanism] for a name it does not know and
// [ErrUnsupportedCredentials] for credentials it cannot send.
//
// A client is not safe for concurrent use.
func New(mech string, c Credentials) (gosasl.Client, error) {
	return newClient(mech, c, options{})
}

// options are the knobs tests use; the zero value is what New uses.
type options struct {
	nonce   string // fixed SCRAM client nonce (random when empty)
	maxIter int    // SCRAM iteration bound (MaxIterations when 0)
}

func newClient(mech string, c Credentials, o options) (gosasl.Client, error) {
	name := strings.ToUpper(mech)
	switch name {
	case Plain:
		return newPlain(c)
	case Login:
		return newLogin(c)
	case CRAMMD5:
		return newCRAMMD5(c)
	case SCRAMSHA1, SCRAMSHA256:
		return newSCRAM(name, c, o)
	case XOAuth2:
		return newXOAuth2(c)
	case OAuthBearer:
		return newOAuthBearer(c)
	}
	return nil, fmt.Errorf("sasl: %w %q (supported: %s)", ErrUnknownMechanism, mech, strings.Join(Mechanisms(), ", "))
}

// Secret reports whether msg, a decoded client message (initial response
// or response to a challenge) of mechanism mech, carries credentials or a
// value derived from them, so that a recorder must redact it. It judges by
// content, so it also works on messages of real clients seen by a
// recording proxy:
//
//   - an empty message carries nothing (LOGIN/PLAIN never send one; SCRAM,
//     XOAUTH2 send one to finish an exchange);
//   - PLAIN, LOGIN (user name and password cannot be told apart), CRAM-MD5,
//     XOAUTH2: every non-empty message is secret;
//   - OAUTHBEARER: every message but the lone %x01 that acknowledges a
//     server error (RFC 7628 section 3.2.2);
//   - SCRAM-*: the client-first-message carries only the user name and a
//     nonce and is not secret; the client-final-message (its proof) and
//     anything else is;
//   - an unknown mechanism: every non-empty message.
func Secret(mech string, msg []byte) bool {
	if len(msg) == 0 {
		return false
	}
	switch strings.ToUpper(mech) {
	case OAuthBearer:
		return string(msg) != "\x01"
	case SCRAMSHA1, SCRAMSHA256, "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-512", "SCRAM-SHA-512-PLUS":
		return !isSCRAMClientFirst(msg)
	}
	return true
}

// checkText rejects a credential field that is not UTF-8 or contains a
// byte in bad.
func checkText(mech, field, v, bad string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("sasl: %s: %w: %s is not valid UTF-8", mech, ErrUnsupportedCredentials, field)
	}
	if i := strings.IndexAny(v, bad); i >= 0 {
		return fmt.Errorf("sasl: %s: %w: %s contains byte %#02x", mech, ErrUnsupportedCredentials, field, v[i])
	}
	return nil
}

// checkNonEmpty rejects an empty credential field.
func checkNonEmpty(mech, field, v string) error {
	if v == "" {
		return fmt.Errorf("sasl: %s: %w: empty %s", mech, ErrUnsupportedCredentials, field)
	}
	return nil
}

// stateError is the error for a call in the wrong state.
func stateError(mech string, started, over bool) error {
	switch {
	case !started:
		return fmt.Errorf("sasl: %s: %w: Next called before Start", mech, ErrUnexpectedChallenge)
	case over:
		return fmt.Errorf("sasl: %s: %w: challenge after the exchange ended", mech, ErrExchangeOver)
	}
	return nil
}
