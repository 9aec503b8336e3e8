package sasl

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	gosasl "github.com/emersion/go-sasl"
)

// fakeServer is the server side of one exchange, written here
// independently of the clients. Next gets the client's message (nil for
// "no initial response") and returns the next challenge, or done with the
// outcome: nil for success, else why authentication failed.
type fakeServer interface {
	Next(resp []byte) (challenge []byte, done bool, err error)
}

var errAuthFailed = errors.New("fake server: authentication failed")

// runExchange plays client against server as the protocol framing would:
// the initial response (if any) first, then challenge and response until
// the server is done or the client gives up (which stands for the "*"
// cancel). It returns the server's outcome and the client's error.
func runExchange(t *testing.T, c gosasl.Client, s fakeServer) (serverErr, clientErr error) {
	t.Helper()
	_, resp, err := c.Start()
	if err != nil {
		return nil, err
	}
	for range 10 {
		challenge, done, err := s.Next(resp)
		if done {
			return err, nil
		}
		if err != nil {
			t.Fatalf("fake server error without done: %v", err)
		}
		resp, err = c.Next(challenge)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			t.Fatalf("client returned a nil response and no error to challenge %q", challenge)
		}
	}
	t.Fatal("exchange did not end in 10 rounds")
	return nil, nil
}

func mustNew(t *testing.T, mech string, c Credentials) gosasl.Client {
	t.Helper()
	cl, err := New(mech, c)
	if err != nil {
		t.Fatalf("New(%s): %v", mech, err)
	}
	return cl
}

// recordingClient keeps every message its inner client produces.
type recordingClient struct {
	inner gosasl.Client
	sent  *[][]byte
}

func (r recordingClient) Start() (string, []byte, error) {
	m, ir, err := r.inner.Start()
	if ir != nil {
		*r.sent = append(*r.sent, ir)
	}
	return m, ir, err
}

func (r recordingClient) Next(ch []byte) ([]byte, error) {
	resp, err := r.inner.Next(ch)
	if err == nil {
		*r.sent = append(*r.sent, resp)
	}
	return resp, err
}

// newFakeServer returns the fake server of mech for the account c.
func newFakeServer(mech string, c Credentials) fakeServer {
	switch mech {
	case "PLAIN":
		return &plainServer{want: c}
	case "LOGIN":
		return &loginServer{want: c}
	case "CRAM-MD5":
		return &cramServer{want: c, challenge: "<4711.1234567890@fake.example>"}
	case "SCRAM-SHA-1", "SCRAM-SHA-256":
		return newSCRAMServer(mech, c.User, c.Password)
	case "XOAUTH2":
		return &xoauth2Server{want: c}
	case "OAUTHBEARER":
		return &oauthBearerServer{want: c}
	}
	panic("no fake server for " + mech)
}

// plainServer checks RFC 4616's [authzid] NUL authcid NUL passwd.
type plainServer struct {
	want  Credentials
	round int
}

func (s *plainServer) Next(resp []byte) ([]byte, bool, error) {
	s.round++
	if resp == nil && s.round == 1 {
		return []byte{}, false, nil // ask for the initial response
	}
	f := bytes.Split(resp, []byte{0})
	if len(f) != 3 {
		return nil, true, fmt.Errorf("fake PLAIN: %d fields", len(f))
	}
	if string(f[0]) != s.want.Authzid || string(f[1]) != s.want.User || string(f[2]) != s.want.Password {
		return nil, true, errAuthFailed
	}
	return nil, true, nil
}

// loginServer prompts "Username:" then "Password:".
type loginServer struct {
	want  Credentials
	round int
	user  string
}

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	s.round++
	switch s.round {
	case 1:
		if resp != nil {
			return nil, true, errors.New("fake LOGIN: unexpected initial response")
		}
		return []byte("Username:"), false, nil
	case 2:
		s.user = string(resp)
		return []byte("Password:"), false, nil
	}
	if s.user != s.want.User || string(resp) != s.want.Password {
		return nil, true, errAuthFailed
	}
	return nil, true, nil
}

// cramServer sends a challenge and checks "user SP hex(HMAC-MD5)".
type cramServer struct {
	want      Credentials
	challenge string
	round     int
}

func (s *cramServer) Next(resp []byte) ([]byte, bool, error) {
	s.round++
	if s.round == 1 {
		if resp != nil {
			return nil, true, errors.New("fake CRAM-MD5: unexpected initial response")
		}
		return []byte(s.challenge), false, nil
	}
	i := bytes.LastIndexByte(resp, ' ')
	if i < 0 {
		return nil, true, errors.New("fake CRAM-MD5: no space")
	}
	m := hmac.New(md5.New, []byte(s.want.Password))
	m.Write([]byte(s.challenge))
	if string(resp[:i]) != s.want.User || string(resp[i+1:]) != hex.EncodeToString(m.Sum(nil)) {
		return nil, true, errAuthFailed
	}
	return nil, true, nil
}

// xoauth2Server checks the XOAUTH2 string; on a bad token it sends a JSON
// error challenge and expects an empty response, as Google's servers do.
type xoauth2Server struct {
	want    Credentials
	failing bool
}

func (s *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if s.failing {
		if len(resp) != 0 {
			return nil, true, fmt.Errorf("fake XOAUTH2: response %q to the error challenge, want empty", resp)
		}
		return nil, true, errAuthFailed
	}
	want := "user=" + s.want.User + "\x01auth=Bearer " + s.want.token() + "\x01\x01"
	if !strings.HasPrefix(string(resp), "user="+s.want.User+"\x01auth=Bearer ") {
		return nil, true, fmt.Errorf("fake XOAUTH2: malformed %q", resp)
	}
	if string(resp) != want {
		s.failing = true
		return []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`), false, nil
	}
	return nil, true, nil
}

// oauthBearerServer parses RFC 7628's client response; on a bad token it
// sends the JSON error and expects the lone %x01.
type oauthBearerServer struct {
	want    Credentials
	failing bool
}

func (s *oauthBearerServer) Next(resp []byte) ([]byte, bool, error) {
	if s.failing {
		if string(resp) != "\x01" {
			return nil, true, fmt.Errorf("fake OAUTHBEARER: response %q to the error challenge, want %%x01", resp)
		}
		return nil, true, errAuthFailed
	}
	gs2, rest, ok := strings.Cut(string(resp), ",\x01")
	if !ok || !strings.HasSuffix(rest, "\x01\x01") {
		return nil, true, fmt.Errorf("fake OAUTHBEARER: malformed %q", resp)
	}
	if gs2 != "n,a="+s.want.User {
		return nil, true, fmt.Errorf("fake OAUTHBEARER: gs2 header %q", gs2)
	}
	kv := map[string]string{}
	for _, p := range strings.Split(strings.TrimSuffix(rest, "\x01\x01"), "\x01") {
		k, v, _ := strings.Cut(p, "=")
		kv[k] = v
	}
	if kv["host"] != s.want.Host {
		return nil, true, fmt.Errorf("fake OAUTHBEARER: host %q", kv["host"])
	}
	if kv["auth"] != "Bearer "+s.want.token() {
		s.failing = true
		return []byte(`{"status":"invalid_token","scope":"example_scope"}`), false, nil
	}
	return nil, true, nil
}

// TestExchanges runs every mechanism against its fake server with the
// right secret, which succeeds, and with a wrong one, which fails at the
// server (or, for SCRAM, at the client that sees the server's e=).
func TestExchanges(t *testing.T) {
	account := Credentials{User: "alice@example.org", Password: "correct horse", Token: "ya29.good-token", Host: "imap.example.org"}
	for _, m := range Mechanisms() {
		t.Run(m, func(t *testing.T) {
			if serverErr, clientErr := runExchange(t, mustNew(t, m, account), newFakeServer(m, account)); serverErr != nil || clientErr != nil {
				t.Errorf("right secret: server %v, client %v; want success", serverErr, clientErr)
			}

			wrong := account
			wrong.Password, wrong.Token = "correct h0rse", "ya29.bad-token"
			serverErr, clientErr := runExchange(t, mustNew(t, m, wrong), newFakeServer(m, account))
			switch {
			case strings.HasPrefix(m, "SCRAM"):
				var se *ServerError
				if !errors.As(clientErr, &se) || se.Message != "invalid-proof" || serverErr != nil {
					t.Errorf("wrong password: server %v, client %v; want the client to report e=invalid-proof", serverErr, clientErr)
				}
			default:
				if !errors.Is(serverErr, errAuthFailed) || clientErr != nil {
					t.Errorf("wrong secret: server %v, client %v; want the server to refuse", serverErr, clientErr)
				}
			}
		})
	}
}
