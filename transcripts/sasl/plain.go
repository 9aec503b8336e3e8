package sasl

import (
	"fmt"

	gosasl "github.com/emersion/go-sasl"
)

// plainClient is PLAIN (RFC 4616): the whole message,
// [authzid] NUL authcid NUL passwd, is the initial response. go-sasl builds
// it; this wrapper checks the credentials and the state.
type plainClient struct {
	inner   gosasl.Client
	started bool
}

func newPlain(c Credentials) (gosasl.Client, error) {
	// RFC 4616 section 2: authcid and passwd are 1*SAFE, authzid *SAFE,
	// where SAFE is any UTF-8 character but NUL.
	for _, f := range []struct{ name, v string }{{"user", c.User}, {"password", c.Password}, {"authzid", c.Authzid}} {
		if err := checkText(Plain, f.name, f.v, "\x00"); err != nil {
			return nil, err
		}
	}
	if err := checkNonEmpty(Plain, "user", c.User); err != nil {
		return nil, err
	}
	if err := checkNonEmpty(Plain, "password", c.Password); err != nil {
		return nil, err
	}
	return &plainClient{inner: gosasl.NewPlainClient(c.Authzid, c.User, c.Password)}, nil
}

func (p *plainClient) Start() (string, []byte, error) {
	p.started = true
	_, ir, err := p.inner.Start()
	if err != nil {
		return "", nil, fmt.Errorf("sasl: %s: %w", Plain, err)
	}
	return Plain, ir, nil
}

// Next fails: PLAIN has no challenge after the initial response (RFC 4616
// section 2). The empty challenge of a server that takes no initial
// response is the caller's to answer with the initial response.
func (p *plainClient) Next([]byte) ([]byte, error) {
	if err := stateError(Plain, p.started, false); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("sasl: %s: %w: the mechanism has no challenges after the initial response", Plain, ErrUnexpectedChallenge)
}

// loginClient is LOGIN (draft-murchison-sasl-login): the server prompts
// for the user name, then for the password, and the client answers each.
//
// go-sasl's LOGIN client sends the user name as an initial response and
// accepts only the exact challenge "Password:"; servers word the prompts
// differently ("Username:", "User Name", "Password") and IMAP servers
// without SASL-IR prompt for the user name first. This client sends no
// initial response and answers the prompts by their order, ignoring their
// text, which works with all of them.
type loginClient struct {
	user, password string
	step           int // 0 before Start, 1 started, 2 user sent, 3 password sent
}

func newLogin(c Credentials) (gosasl.Client, error) {
	if err := checkNonEmpty(Login, "user", c.User); err != nil {
		return nil, err
	}
	if err := checkNonEmpty(Login, "password", c.Password); err != nil {
		return nil, err
	}
	return &loginClient{user: c.User, password: c.Password}, nil
}

func (l *loginClient) Start() (string, []byte, error) {
	l.step = 1
	return Login, nil, nil
}

func (l *loginClient) Next([]byte) ([]byte, error) {
	switch l.step {
	case 0:
		return nil, stateError(Login, false, false)
	case 1:
		l.step = 2
		return []byte(l.user), nil
	case 2:
		l.step = 3
		return []byte(l.password), nil
	}
	return nil, fmt.Errorf("sasl: %s: %w: a third challenge after the user name and the password", Login, ErrUnexpectedChallenge)
}
