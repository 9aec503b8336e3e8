package sasl

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"fmt"

	gosasl "github.com/emersion/go-sasl"
)

// cramMD5Client is CRAM-MD5 (RFC 2195): the server sends a challenge, the
// client answers with its user name, a space and the lowercase hex
// HMAC-MD5 of the challenge keyed with the password (RFC 2195 section 2).
type cramMD5Client struct {
	user, password string
	step           int // 0 before Start, 1 started, 2 answered
}

func newCRAMMD5(c Credentials) (gosasl.Client, error) {
	if err := checkNonEmpty(CRAMMD5, "user", c.User); err != nil {
		return nil, err
	}
	if err := checkNonEmpty(CRAMMD5, "password", c.Password); err != nil {
		return nil, err
	}
	return &cramMD5Client{user: c.User, password: c.Password}, nil
}

// Start returns no initial response: CRAM-MD5 is server-first.
func (c *cramMD5Client) Start() (string, []byte, error) {
	c.step = 1
	return CRAMMD5, nil, nil
}

func (c *cramMD5Client) Next(challenge []byte) ([]byte, error) {
	switch c.step {
	case 0:
		return nil, stateError(CRAMMD5, false, false)
	case 2:
		return nil, fmt.Errorf("sasl: %s: %w: a second challenge", CRAMMD5, ErrUnexpectedChallenge)
	}
	c.step = 2
	// RFC 2195 section 2: the challenge is a msg-id-like string; any
	// non-empty challenge is answered, an empty one cannot be.
	if len(challenge) == 0 {
		return nil, fmt.Errorf("sasl: %s: %w: empty challenge", CRAMMD5, ErrMalformedChallenge)
	}
	m := hmac.New(md5.New, []byte(c.password))
	m.Write(challenge)
	return []byte(c.user + " " + hex.EncodeToString(m.Sum(nil))), nil
}
