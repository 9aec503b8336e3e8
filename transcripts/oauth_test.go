package transcripts

import (
	"bufio"
	"context"
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeOAuthSMTP is an SMTP server offering only XOAUTH2 and OAUTHBEARER
// (no server this project can install offers them). It accepts an AUTH
// whose decoded initial response carries the bearer token.
func fakeOAuthSMTP(t *testing.T, token string) Endpoint {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				r := bufio.NewReader(c)
				c.Write([]byte("220 fake ESMTP\r\n"))
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					f := strings.Fields(line)
					switch {
					case len(f) > 0 && f[0] == "EHLO":
						c.Write([]byte("250-fake\r\n250 AUTH XOAUTH2 OAUTHBEARER\r\n"))
					case len(f) == 3 && f[0] == "AUTH":
						ir, err := base64.StdEncoding.DecodeString(f[2])
						switch {
						case err != nil:
							c.Write([]byte("501 5.5.2 not base64\r\n"))
						case f[1] == "XOAUTH2" && string(ir) == "user=alice\x01auth=Bearer "+token+"\x01\x01",
							f[1] == "OAUTHBEARER" && strings.HasPrefix(string(ir), "n,a=alice,") && strings.Contains(string(ir), "\x01auth=Bearer "+token+"\x01\x01"):
							c.Write([]byte("235 2.7.0 ok\r\n"))
						default:
							c.Write([]byte("535 5.7.8 bad token\r\n"))
						}
					default:
						c.Write([]byte("500 5.5.2 what\r\n"))
					}
				}
			}()
		}
	}()
	ep, _, err := ParseEndpoint("smtp://" + l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestAuthenticateOAuth(t *testing.T) {
	const token = "ya29.token-for-the-test"
	ep := fakeOAuthSMTP(t, token)
	ctx := context.Background()
	for _, mech := range []string{"XOAUTH2", "OAUTHBEARER"} {
		for _, tc := range []struct {
			token string
			ok    bool
		}{{token, true}, {"wrong", false}} {
			rec := NewRecorder()
			s, err := Dial(ctx, ep, Options{Recorder: rec, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Greet(); err != nil {
				t.Fatal(err)
			}
			err = s.Authenticate(ctx, mech, LoginCredentials{N: 1, User: "alice", Password: tc.token})
			if tc.ok != (err == nil) {
				t.Errorf("Authenticate(%s, token %q) = %v, want success %v", mech, tc.token, err, tc.ok)
			}
			for _, e := range rec.Entries() {
				if strings.Contains(string(e.Data), base64.StdEncoding.EncodeToString([]byte("user=alice\x01auth=Bearer " + tc.token))[:20]) {
					t.Errorf("%s: the token payload was recorded: %q", mech, e.Data)
				}
			}
			s.Close()
		}
	}
}
