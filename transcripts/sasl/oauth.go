package sasl

import (
	"bytes"
	"encoding/json"
	"fmt"

	gosasl "github.com/emersion/go-sasl"
)

// xoauth2Client is XOAUTH2, the Google and Microsoft bearer-token format:
//
//	"user=" user %x01 "auth=Bearer " token %x01 %x01
//
// sent as the initial response. On failure the server sends one challenge,
// a JSON object describing the error, which the client must answer with an
// empty response; the server then fails the command.
type xoauth2Client struct {
	user, token string
	step        int // 0 before Start, 1 started, 2 error acknowledged
}

func newXOAuth2(c Credentials) (gosasl.Client, error) {
	if err := checkNonEmpty(XOAuth2, "user", c.User); err != nil {
		return nil, err
	}
	if err := checkNonEmpty(XOAuth2, "token", c.token()); err != nil {
		return nil, err
	}
	// %x01 separates the fields; NUL has no business in either.
	if err := checkText(XOAuth2, "user", c.User, "\x00\x01"); err != nil {
		return nil, err
	}
	if err := checkText(XOAuth2, "token", c.token(), "\x00\x01"); err != nil {
		return nil, err
	}
	return &xoauth2Client{user: c.User, token: c.token()}, nil
}

func (x *xoauth2Client) Start() (string, []byte, error) {
	x.step = 1
	return XOAuth2, []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	switch x.step {
	case 0:
		return nil, stateError(XOAuth2, false, false)
	case 2:
		return nil, fmt.Errorf("sasl: %s: %w: a second challenge after the error challenge", XOAuth2, ErrUnexpectedChallenge)
	}
	x.step = 2
	if !isJSONObject(challenge) {
		return nil, fmt.Errorf("sasl: %s: %w: the only challenge is a JSON error object, got %q", XOAuth2, ErrMalformedChallenge, truncate(string(challenge)))
	}
	return []byte{}, nil
}

// oauthBearerClient is OAUTHBEARER (RFC 7628). go-sasl builds the initial
// client response (RFC 7628 section 3.1):
//
//	gs2-header %x01 ["host=" host %x01] ["port=" port %x01] "auth=Bearer " token %x01 %x01
//
// go-sasl's Next turns the server's error challenge into a Go error, which
// makes the caller cancel with "*"; RFC 7628 section 3.2.2 asks the client
// to answer it with a lone %x01 so that the server finishes the exchange
// with its failure, and that is what this client does.
type oauthBearerClient struct {
	inner gosasl.Client
	step  int // 0 before Start, 1 started, 2 error acknowledged
}

func newOAuthBearer(c Credentials) (gosasl.Client, error) {
	if err := checkNonEmpty(OAuthBearer, "token", c.token()); err != nil {
		return nil, err
	}
	// The authorization identity in the gs2-header (RFC 7628 section 3.1
	// and its examples carry the user there): the Authzid, else the user.
	authzid := c.Authzid
	if authzid == "" {
		authzid = c.User
	}
	for _, f := range []struct{ name, v string }{{"authzid", authzid}, {"host", c.Host}, {"token", c.token()}} {
		if err := checkText(OAuthBearer, f.name, f.v, "\x00\x01"); err != nil {
			return nil, err
		}
	}
	if c.Port < 0 || c.Port > 65535 {
		return nil, fmt.Errorf("sasl: %s: %w: port %d out of range", OAuthBearer, ErrUnsupportedCredentials, c.Port)
	}
	return &oauthBearerClient{inner: gosasl.NewOAuthBearerClient(&gosasl.OAuthBearerOptions{
		Username: saslNameEscaper.Replace(authzid), // gs2-header saslname (RFC 5801 section 4)
		Token:    c.token(),
		Host:     c.Host,
		Port:     c.Port,
	})}, nil
}

func (o *oauthBearerClient) Start() (string, []byte, error) {
	o.step = 1
	_, ir, err := o.inner.Start()
	if err != nil {
		return "", nil, fmt.Errorf("sasl: %s: %w", OAuthBearer, err)
	}
	return OAuthBearer, ir, nil
}

func (o *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	switch o.step {
	case 0:
		return nil, stateError(OAuthBearer, false, false)
	case 2:
		return nil, fmt.Errorf("sasl: %s: %w: a second challenge after the error challenge", OAuthBearer, ErrUnexpectedChallenge)
	}
	o.step = 2
	// RFC 7628 section 3.2.2: the server-error challenge is a JSON object.
	if !isJSONObject(challenge) {
		return nil, fmt.Errorf("sasl: %s: %w: the only challenge is a JSON error object, got %q", OAuthBearer, ErrMalformedChallenge, truncate(string(challenge)))
	}
	return []byte{0x01}, nil
}

// isJSONObject reports whether b is one valid JSON object.
func isJSONObject(b []byte) bool {
	t := bytes.TrimLeft(b, " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(b)
}
