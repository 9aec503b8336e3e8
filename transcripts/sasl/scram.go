package sasl

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
	"unicode/utf8"

	gosasl "github.com/emersion/go-sasl"
)

// scramClient is SCRAM-SHA-1 (RFC 5802) and SCRAM-SHA-256 (RFC 7677)
// without channel binding (gs2-cbind-flag "n"). The exchange (RFC 5802
// section 5):
//
//	C: n,[a=authzid],n=user,r=cnonce              client-first-message
//	S: r=cnonce+snonce,s=salt,i=iterations         server-first-message
//	C: c=base64(gs2-header),r=nonce,p=proof        client-final-message
//	S: v=server-signature  (or e=error)            server-final-message
//	C: (empty)
type scramClient struct {
	mech     string
	hash     func() hash.Hash
	user     string // saslname-escaped
	authzid  string // saslname-escaped, may be empty
	password string
	opts     options

	state           scramState
	nonce           string // client nonce of this exchange
	gs2Header       string
	clientFirstBare string
	serverSignature []byte
}

type scramState int

const (
	scramIdle      scramState = iota // before Start
	scramFirstSent                   // client-first-message sent
	scramFinalSent                   // client-final-message sent
	scramDone                        // server signature verified
	scramFailed                      // an error ended the exchange
)

// saslNameEscaper escapes "=" and "," in a user name (RFC 5802 section
// 5.1, the "n" attribute).
var saslNameEscaper = strings.NewReplacer("=", "=3D", ",", "=2C")

func newSCRAM(mech string, c Credentials, o options) (gosasl.Client, error) {
	h := sha1.New
	if mech == SCRAMSHA256 {
		h = sha256.New
	}
	if err := checkNonEmpty(mech, "user", c.User); err != nil {
		return nil, err
	}
	// saslname = 1*(value-safe-char / "=2C" / "=3D"): UTF-8 without NUL
	// (RFC 5802 section 7).
	if err := checkText(mech, "user", c.User, "\x00"); err != nil {
		return nil, err
	}
	if err := checkText(mech, "authzid", c.Authzid, "\x00"); err != nil {
		return nil, err
	}
	if err := checkSCRAMPassword(mech, c.Password); err != nil {
		return nil, err
	}
	if o.nonce != "" && !isPrintableNonce(o.nonce) {
		return nil, fmt.Errorf("sasl: %s: fixed nonce %q is not printable ASCII without \",\"", mech, o.nonce)
	}
	return &scramClient{
		mech:     mech,
		hash:     h,
		user:     saslNameEscaper.Replace(c.User),
		authzid:  saslNameEscaper.Replace(c.Authzid),
		password: c.Password,
		opts:     o,
	}, nil
}

// checkSCRAMPassword accepts the passwords that SASLprep (RFC 4013) leaves
// unchanged and that this package can therefore send without implementing
// it: non-empty printable ASCII. ASCII control characters are prohibited
// by SASLprep outright (RFC 4013 section 2.3, RFC 3454 table C.2.1);
// non-ASCII passwords would need its mapping and NFKC normalisation.
func checkSCRAMPassword(mech, p string) error {
	if err := checkNonEmpty(mech, "password", p); err != nil {
		return err
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] > 0x7e {
			return fmt.Errorf("sasl: %s: %w: password byte %#02x at offset %d: this client prepares only printable ASCII passwords (RFC 4013 SASLprep of other characters is outside its scope)", mech, ErrUnsupportedCredentials, p[i], i)
		}
	}
	return nil
}

// isPrintableNonce reports whether s is 1*printable, printable being
// %x21-2B / %x2D-7E (RFC 5802 section 7 with erratum 2651).
func isPrintableNonce(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
			return false
		}
	}
	return true
}

// Start returns the client-first-message. Each Start begins a new
// exchange with a fresh nonce.
func (s *scramClient) Start() (string, []byte, error) {
	s.nonce = s.opts.nonce
	if s.nonce == "" {
		s.nonce = rand.Text() // 26 base32 characters, 130 bits
	}
	s.gs2Header = "n,"
	if s.authzid != "" {
		s.gs2Header += "a=" + s.authzid
	}
	s.gs2Header += ","
	s.clientFirstBare = "n=" + s.user + ",r=" + s.nonce
	s.serverSignature = nil
	s.state = scramFirstSent
	return s.mech, []byte(s.gs2Header + s.clientFirstBare), nil
}

// Next answers the server-first-message with the client-final-message,
// then verifies the server-final-message and answers it with an empty
// response.
func (s *scramClient) Next(challenge []byte) ([]byte, error) {
	var resp []byte
	var err error
	switch s.state {
	case scramIdle:
		return nil, stateError(s.mech, false, false)
	case scramFirstSent:
		resp, err = s.clientFinal(challenge)
		s.state = scramFinalSent
	case scramFinalSent:
		resp, err = nil, s.verifyServerFinal(challenge)
		if err == nil {
			resp = []byte{}
		}
		s.state = scramDone
	default:
		return nil, stateError(s.mech, true, true)
	}
	if err != nil {
		s.state = scramFailed
		return nil, err
	}
	return resp, nil
}

// clientFinal parses the server-first-message (RFC 5802 section 7):
//
//	server-first-message = [reserved-mext ","] nonce "," salt ","
//	                       iteration-count ["," extensions]
//
// and computes the client-final-message with its proof (RFC 5802
// section 3).
func (s *scramClient) clientFinal(challenge []byte) ([]byte, error) {
	const what = "server-first-message"
	attrs, err := scramAttrs(s.mech, what, challenge)
	if err != nil {
		return nil, err
	}
	if attrs[0].name == 'e' {
		return nil, &ServerError{Mechanism: s.mech, Message: attrs[0].value}
	}
	if attrs[0].name == 'm' {
		// RFC 5802 section 5.1: "m" is reserved; its presence MUST cause
		// authentication failure.
		return nil, s.malformed(what, "reserved mandatory extension \"m\" is present")
	}
	if len(attrs) < 3 || attrs[0].name != 'r' || attrs[1].name != 's' || attrs[2].name != 'i' {
		return nil, s.malformed(what, "want attributes r, s, i in this order")
	}
	nonce, saltB64, iterText := attrs[0].value, attrs[1].value, attrs[2].value

	// RFC 5802 section 5.1 ("r"): the server appends its own nonce to the
	// client's. A nonce that does not start with ours is a replay or a
	// man in the middle; one with nothing appended gives no replay
	// protection.
	if !isPrintableNonce(nonce) {
		return nil, s.malformed(what, "nonce is not printable ASCII without \",\"")
	}
	if !strings.HasPrefix(nonce, s.nonce) {
		return nil, s.malformed(what, fmt.Sprintf("server nonce %q does not start with the client nonce %q", truncate(nonce), s.nonce))
	}
	if len(nonce) == len(s.nonce) {
		return nil, s.malformed(what, "server appended no nonce of its own")
	}

	salt, err := base64.StdEncoding.Strict().DecodeString(saltB64)
	if err != nil {
		return nil, s.malformed(what, fmt.Sprintf("salt is not base64: %v", err))
	}

	iter, ok := parseIterations(iterText, s.maxIter())
	if !ok {
		return nil, fmt.Errorf("sasl: %s: %s: %w: i=%q, want 1..%d", s.mech, what, ErrIterationCount, truncate(iterText), s.maxIter())
	}

	h := s.hash()
	// SaltedPassword := Hi(Normalize(password), salt, i); Hi is PBKDF2
	// with HMAC-H and an output of one hash length (RFC 5802 section 2.2).
	salted, err := pbkdf2.Key(s.hash, s.password, salt, iter, h.Size())
	if err != nil {
		return nil, fmt.Errorf("sasl: %s: deriving the salted password: %w", s.mech, err)
	}
	clientKey := s.hmac(salted, []byte("Client Key"))
	h.Write(clientKey)
	storedKey := h.Sum(nil)
	serverKey := s.hmac(salted, []byte("Server Key"))

	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(s.gs2Header)) + ",r=" + nonce
	authMessage := []byte(s.clientFirstBare + "," + string(challenge) + "," + withoutProof)
	clientSignature := s.hmac(storedKey, authMessage)
	proof := make([]byte, len(clientKey))
	subtle.XORBytes(proof, clientKey, clientSignature)
	s.serverSignature = s.hmac(serverKey, authMessage)

	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// verifyServerFinal checks the server-final-message (RFC 5802 section 7):
//
//	server-final-message = (server-error / verifier) ["," extensions]
//
// The client MUST consider the exchange unsuccessful if the signature does
// not match (RFC 5802 section 3).
func (s *scramClient) verifyServerFinal(challenge []byte) error {
	const what = "server-final-message"
	attrs, err := scramAttrs(s.mech, what, challenge)
	if err != nil {
		return err
	}
	switch attrs[0].name {
	case 'e':
		return &ServerError{Mechanism: s.mech, Message: attrs[0].value}
	case 'v':
	default:
		return s.malformed(what, fmt.Sprintf("want v= or e=, got %s=", string(rune(attrs[0].name))))
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(attrs[0].value)
	if err != nil {
		return s.malformed(what, fmt.Sprintf("verifier is not base64: %v", err))
	}
	if !hmac.Equal(sig, s.serverSignature) {
		return fmt.Errorf("sasl: %s: %s: %w", s.mech, what, ErrServerSignature)
	}
	return nil
}

func (s *scramClient) hmac(key, msg []byte) []byte {
	m := hmac.New(s.hash, key)
	m.Write(msg)
	return m.Sum(nil)
}

func (s *scramClient) maxIter() int {
	if s.opts.maxIter > 0 {
		return s.opts.maxIter
	}
	return MaxIterations
}

func (s *scramClient) malformed(what, detail string) error {
	return fmt.Errorf("sasl: %s: %s: %w: %s", s.mech, what, ErrMalformedChallenge, detail)
}

// scramAttr is one attr-val of a SCRAM message: ALPHA "=" value.
type scramAttr struct {
	name  byte
	value string
}

// scramAttrs splits a server message into its attributes. Every attribute
// is ALPHA "=" value where value is 1*value-char, UTF-8 without NUL and
// "," (RFC 5802 section 7); at least one attribute is present.
func scramAttrs(mech, what string, msg []byte) ([]scramAttr, error) {
	bad := func(detail string) error {
		return fmt.Errorf("sasl: %s: %s: %w: %s", mech, what, ErrMalformedChallenge, detail)
	}
	if len(msg) == 0 {
		return nil, bad("empty")
	}
	if bytes.IndexByte(msg, 0) >= 0 {
		return nil, bad("contains NUL")
	}
	parts := strings.Split(string(msg), ",")
	attrs := make([]scramAttr, 0, len(parts))
	for i, p := range parts {
		if len(p) < 2 || p[1] != '=' || !isAlpha(p[0]) {
			return nil, bad(fmt.Sprintf("attribute %d is not ALPHA \"=\" value: %q", i+1, truncate(p)))
		}
		attrs = append(attrs, scramAttr{name: p[0], value: p[2:]})
	}
	// Each value is checked by the attribute's user; UTF-8 is checked
	// once for the whole message.
	if !utf8.Valid(msg) {
		return nil, bad("not valid UTF-8")
	}
	return attrs, nil
}

// parseIterations parses posit-number = %x31-39 *DIGIT (RFC 5802
// section 7) and bounds it by max. A leading zero, a sign or a value out
// of range is rejected.
func parseIterations(s string, max int) (int, bool) {
	if s == "" || s[0] < '1' || s[0] > '9' || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if n < 1 || n > max {
		return 0, false
	}
	return n, true
}

// isSCRAMClientFirst reports whether msg has the shape of a
// client-first-message (RFC 5802 section 7):
//
//	gs2-header client-first-message-bare
//	gs2-header = gs2-cbind-flag "," [ authzid ] ","
//	client-first-message-bare = [reserved-mext ","] username "," nonce ...
//
// and no proof attribute, so that it carries no credential.
func isSCRAMClientFirst(msg []byte) bool {
	parts := strings.Split(string(msg), ",")
	if len(parts) < 4 {
		return false
	}
	switch {
	case parts[0] == "n", parts[0] == "y", strings.HasPrefix(parts[0], "p="):
	default:
		return false
	}
	if parts[1] != "" && !strings.HasPrefix(parts[1], "a=") {
		return false
	}
	bare := parts[2:]
	if strings.HasPrefix(bare[0], "m=") {
		bare = bare[1:]
	}
	if len(bare) < 2 || !strings.HasPrefix(bare[0], "n=") || !strings.HasPrefix(bare[1], "r=") {
		return false
	}
	for _, a := range bare[2:] {
		if strings.HasPrefix(a, "p=") {
			return false
		}
	}
	return true
}

func isAlpha(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// truncate shortens a server-supplied value for an error message.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
