package sasl

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMechanisms(t *testing.T) {
	want := []string{"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER"}
	if diff := cmp.Diff(want, Mechanisms()); diff != "" {
		t.Errorf("Mechanisms() mismatch (-want +got):\n%s", diff)
	}
	// The result is the caller's to keep.
	m := Mechanisms()
	m[0] = "X"
	if Mechanisms()[0] != "PLAIN" {
		t.Errorf("Mechanisms() returned a shared slice")
	}
}

func TestNewEveryMechanismCaseInsensitive(t *testing.T) {
	c := Credentials{User: "user", Password: "pencil"}
	for _, m := range Mechanisms() {
		for _, name := range []string{m, strings.ToLower(m)} {
			cl, err := New(name, c)
			if err != nil {
				t.Errorf("New(%q) error: %v", name, err)
				continue
			}
			got, _, err := cl.Start()
			if err != nil || got != m {
				t.Errorf("New(%q).Start() = %q, %v; want %q, nil", name, got, err, m)
			}
		}
	}
}

func TestNewUnknownMechanism(t *testing.T) {
	_, err := New("DIGEST-MD5", Credentials{User: "u", Password: "p"})
	if !errors.Is(err, ErrUnknownMechanism) {
		t.Fatalf("New(DIGEST-MD5) error = %v, want ErrUnknownMechanism", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "sasl: ") || !strings.Contains(msg, `"DIGEST-MD5"`) {
		t.Errorf("New(DIGEST-MD5) error = %q, want the sasl: prefix and the name", msg)
	}
}

func TestNewRejectsCredentials(t *testing.T) {
	tests := []struct {
		mech string
		c    Credentials
	}{
		{"PLAIN", Credentials{User: "", Password: "Pw-Secret"}},
		{"PLAIN", Credentials{User: "u", Password: ""}},
		{"PLAIN", Credentials{User: "u\x00x", Password: "Pw-Secret"}},
		{"PLAIN", Credentials{User: "u", Password: "p\x00"}},
		{"PLAIN", Credentials{User: "u", Password: "Pw-Secret", Authzid: "a\x00"}},
		{"PLAIN", Credentials{User: "u\xff", Password: "Pw-Secret"}},
		{"LOGIN", Credentials{User: "", Password: "Pw-Secret"}},
		{"LOGIN", Credentials{User: "u", Password: ""}},
		{"CRAM-MD5", Credentials{User: "", Password: "Pw-Secret"}},
		{"CRAM-MD5", Credentials{User: "u", Password: ""}},
		{"SCRAM-SHA-1", Credentials{User: "", Password: "Pw-Secret"}},
		{"SCRAM-SHA-1", Credentials{User: "u", Password: ""}},
		{"SCRAM-SHA-1", Credentials{User: "u\x00", Password: "Pw-Secret"}},
		{"SCRAM-SHA-256", Credentials{User: "u", Password: "Pw-Secret", Authzid: "\xc3"}},
		// SASLprep is not implemented: only printable ASCII passwords.
		{"SCRAM-SHA-256", Credentials{User: "u", Password: "pässword"}},
		{"SCRAM-SHA-1", Credentials{User: "u", Password: "tab\tpass"}},
		{"SCRAM-SHA-1", Credentials{User: "u", Password: "del\x7f"}},
		{"XOAUTH2", Credentials{User: "", Token: "t"}},
		{"XOAUTH2", Credentials{User: "u"}},
		{"XOAUTH2", Credentials{User: "u\x01", Token: "t"}},
		{"XOAUTH2", Credentials{User: "u", Token: "t\x01auth=x"}},
		{"OAUTHBEARER", Credentials{User: "u"}},
		{"OAUTHBEARER", Credentials{User: "u", Token: "t", Host: "h\x01port=1"}},
		{"OAUTHBEARER", Credentials{User: "u", Token: "t", Port: 70000}},
		{"OAUTHBEARER", Credentials{User: "u", Token: "t", Port: -1}},
	}
	for _, tt := range tests {
		_, err := New(tt.mech, tt.c)
		if !errors.Is(err, ErrUnsupportedCredentials) {
			t.Errorf("New(%s, %#v) error = %v, want ErrUnsupportedCredentials", tt.mech, tt.c, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "sasl: "+tt.mech+": ") {
			t.Errorf("New(%s) error = %q, want prefix %q", tt.mech, err, "sasl: "+tt.mech+": ")
		}
		// The error names the field, never the secret value.
		if tt.c.Password != "" && strings.Contains(err.Error(), tt.c.Password) {
			t.Errorf("New(%s) error %q leaks the password", tt.mech, err)
		}
	}
}

// TestInitialResponses pins the exact bytes each client-first mechanism
// sends.
func TestInitialResponses(t *testing.T) {
	tests := []struct {
		name string
		mech string
		c    Credentials
		want []byte // nil: no initial response
	}{
		// RFC 4616 section 4: message = [authzid] NUL authcid NUL passwd.
		{"plain", "PLAIN", Credentials{User: "tim", Password: "tanstaaftanstaaf"}, []byte("\x00tim\x00tanstaaftanstaaf")},
		{"plain authzid", "PLAIN", Credentials{User: "Kurt", Password: "xipj3plmq", Authzid: "Ursel"}, []byte("Ursel\x00Kurt\x00xipj3plmq")},
		{"login", "LOGIN", Credentials{User: "u", Password: "p"}, nil},
		{"cram-md5", "CRAM-MD5", Credentials{User: "u", Password: "p"}, nil},
		{"xoauth2", "XOAUTH2", Credentials{User: "someuser@example.com", Token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"},
			[]byte("user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01")},
		{"xoauth2 password as token", "XOAUTH2", Credentials{User: "u", Password: "tok"}, []byte("user=u\x01auth=Bearer tok\x01\x01")},
		// RFC 7628 section 4.1's example.
		{"oauthbearer", "OAUTHBEARER", Credentials{User: "user@example.com", Token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", Host: "server.example.com", Port: 143},
			[]byte("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01")},
		{"oauthbearer authzid escaped, no host", "OAUTHBEARER", Credentials{User: "u", Authzid: "a,b=c", Token: "t"},
			[]byte("n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01")},
		{"oauthbearer no identity", "OAUTHBEARER", Credentials{Token: "t"}, []byte("n,,\x01auth=Bearer t\x01\x01")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.mech, tt.c)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			mech, ir, err := c.Start()
			if err != nil || mech != tt.mech {
				t.Fatalf("Start() = %q, _, %v; want %q, nil", mech, err, tt.mech)
			}
			if (ir == nil) != (tt.want == nil) {
				t.Fatalf("Start() ir = %q, want %q (nil-ness differs)", ir, tt.want)
			}
			if diff := cmp.Diff(string(tt.want), string(ir)); diff != "" {
				t.Errorf("Start() ir mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCRAMMD5KnownAnswer is the example of RFC 2195 section 2.
func TestCRAMMD5KnownAnswer(t *testing.T) {
	c, err := New("CRAM-MD5", Credentials{User: "tim", Password: "tanstaaftanstaaf"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ir, _ := c.Start(); ir != nil {
		t.Fatalf("Start() ir = %q, want nil", ir)
	}
	got, err := c.Next([]byte("<1896.697170952@postoffice.reston.mci.net>"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "tim b913a602c7eda7a495b4e6e7334d3890"; string(got) != want {
		t.Errorf("Next() = %q, want %q", got, want)
	}
	if _, err := c.Next([]byte("<again@x>")); !errors.Is(err, ErrUnexpectedChallenge) {
		t.Errorf("second Next() error = %v, want ErrUnexpectedChallenge", err)
	}
}

func TestCRAMMD5EmptyChallenge(t *testing.T) {
	c, _ := New("CRAM-MD5", Credentials{User: "tim", Password: "tanstaaftanstaaf"})
	c.Start()
	if resp, err := c.Next(nil); !errors.Is(err, ErrMalformedChallenge) || resp != nil {
		t.Errorf("Next(empty) = %q, %v; want nil, ErrMalformedChallenge", resp, err)
	}
}

func TestLoginAnswersByOrder(t *testing.T) {
	c, _ := New("LOGIN", Credentials{User: "alice", Password: "secret"})
	c.Start()
	// The prompt text is ignored: servers word it differently.
	for _, step := range []struct{ challenge, want string }{{"User Name", "alice"}, {"Password", "secret"}} {
		got, err := c.Next([]byte(step.challenge))
		if err != nil || string(got) != step.want {
			t.Errorf("Next(%q) = %q, %v; want %q, nil", step.challenge, got, err, step.want)
		}
	}
	if _, err := c.Next([]byte("Password:")); !errors.Is(err, ErrUnexpectedChallenge) {
		t.Errorf("third Next() error = %v, want ErrUnexpectedChallenge", err)
	}
}

func TestPlainRejectsChallenge(t *testing.T) {
	c, _ := New("PLAIN", Credentials{User: "u", Password: "p"})
	c.Start()
	if _, err := c.Next([]byte{}); !errors.Is(err, ErrUnexpectedChallenge) {
		t.Errorf("Next() error = %v, want ErrUnexpectedChallenge", err)
	}
}

func TestNextBeforeStart(t *testing.T) {
	for _, m := range Mechanisms() {
		c, err := New(m, Credentials{User: "user", Password: "pencil"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Next([]byte("x"))
		if !errors.Is(err, ErrUnexpectedChallenge) || resp != nil {
			t.Errorf("%s: Next before Start = %q, %v; want nil, ErrUnexpectedChallenge", m, resp, err)
		}
	}
}

func TestOAuthErrorChallenge(t *testing.T) {
	tests := []struct {
		mech string
		want string // response to the error challenge
	}{
		{"XOAUTH2", ""},         // the format asks for an empty response
		{"OAUTHBEARER", "\x01"}, // RFC 7628 section 3.2.2
	}
	for _, tt := range tests {
		c, _ := New(tt.mech, Credentials{User: "u", Token: "t"})
		c.Start()
		got, err := c.Next([]byte(` {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
		if err != nil || got == nil || string(got) != tt.want {
			t.Errorf("%s: Next(error JSON) = %q, %v; want %q, nil", tt.mech, got, err, tt.want)
		}
		if _, err := c.Next([]byte(`{}`)); !errors.Is(err, ErrUnexpectedChallenge) {
			t.Errorf("%s: second Next() error = %v, want ErrUnexpectedChallenge", tt.mech, err)
		}

		for _, bad := range []string{"", "not json", `["array"]`, `{"status":`} {
			c, _ = New(tt.mech, Credentials{User: "u", Token: "t"})
			c.Start()
			if _, err := c.Next([]byte(bad)); !errors.Is(err, ErrMalformedChallenge) {
				t.Errorf("%s: Next(%q) error = %v, want ErrMalformedChallenge", tt.mech, bad, err)
			}
		}
	}
}

func TestSecret(t *testing.T) {
	tests := []struct {
		mech string
		msg  string
		want bool
	}{
		{"PLAIN", "\x00user\x00pencil", true},
		{"plain", "\x00user\x00pencil", true},
		{"PLAIN", "", false},
		{"LOGIN", "user", true}, // cannot be told apart from the password
		{"LOGIN", "pencil", true},
		{"CRAM-MD5", "tim b913a602c7eda7a495b4e6e7334d3890", true},
		{"SCRAM-SHA-1", "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", false},
		{"SCRAM-SHA-256", "n,a=admin,n=user,r=rOprNGfwEbeRWgbNEkqO", false},
		{"scram-sha-256", "y,,n=user,r=rOprNGfwEbeRWgbNEkqO", false},
		{"SCRAM-SHA-1", "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", true},
		{"SCRAM-SHA-1", "n,,n=user,r=abc,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", true}, // a proof is never harmless
		{"SCRAM-SHA-1", "n,,x=user,r=abc", true},
		{"SCRAM-SHA-1", "garbage", true},
		{"SCRAM-SHA-1", "", false},
		{"XOAUTH2", "user=u\x01auth=Bearer t\x01\x01", true},
		{"XOAUTH2", "", false},
		{"OAUTHBEARER", "n,a=u,\x01auth=Bearer t\x01\x01", true},
		{"OAUTHBEARER", "\x01", false},
		{"X-UNKNOWN", "whatever", true},
	}
	for _, tt := range tests {
		if got := Secret(tt.mech, []byte(tt.msg)); got != tt.want {
			t.Errorf("Secret(%q, %q) = %v, want %v", tt.mech, tt.msg, got, tt.want)
		}
	}
}

// TestSecretCoversEveryClientMessage runs each mechanism's successful
// exchange against its fake server and checks Secret against every message
// the client produced: whatever carries the password, the token or a value
// derived from them is secret, and SCRAM's client-first-message is not.
func TestSecretCoversEveryClientMessage(t *testing.T) {
	creds := Credentials{User: "user", Password: "pencil", Token: "tok3n-value"}
	for _, m := range Mechanisms() {
		t.Run(m, func(t *testing.T) {
			var sent [][]byte
			rec := recordingClient{inner: mustNew(t, m, creds), sent: &sent}
			if serverErr, clientErr := runExchange(t, rec, newFakeServer(m, creds)); serverErr != nil || clientErr != nil {
				t.Fatalf("exchange: server %v, client %v", serverErr, clientErr)
			}
			if len(sent) == 0 {
				t.Fatal("the client sent nothing")
			}
			for i, msg := range sent {
				carries := strings.Contains(string(msg), creds.Password) ||
					strings.Contains(string(msg), creds.Token) ||
					strings.Contains(string(msg), ",p=") || // SCRAM proof
					m == "CRAM-MD5" // the digest
				if carries && !Secret(m, msg) {
					t.Errorf("message %d %q carries a credential but Secret = false", i, msg)
				}
			}
			if strings.HasPrefix(m, "SCRAM") && Secret(m, sent[0]) {
				t.Errorf("client-first-message %q: Secret = true, want false", sent[0])
			}
		})
	}
}
