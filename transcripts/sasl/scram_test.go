package sasl

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSCRAMKnownAnswers replays RFC 5802 section 5 (SCRAM-SHA-1) and RFC
// 7677 section 3 (SCRAM-SHA-256): user "user", password "pencil", the
// examples' nonces; every client message is compared byte for byte and the
// example's server signature is accepted.
func TestSCRAMKnownAnswers(t *testing.T) {
	tests := []struct {
		mech                                               string
		nonce                                              string
		clientFirst, serverFirst, clientFinal, serverFinal string
	}{
		{
			mech:        "SCRAM-SHA-1",
			nonce:       "fyko+d2lbbFgONRv9qkxdawL",
			clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
			serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
			clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
			serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
		},
		{
			mech:        "SCRAM-SHA-256",
			nonce:       "rOprNGfwEbeRWgbNEkqO",
			clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
			serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
			clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
			serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.mech, func(t *testing.T) {
			c, err := newClient(tt.mech, Credentials{User: "user", Password: "pencil"}, options{nonce: tt.nonce})
			if err != nil {
				t.Fatal(err)
			}
			mech, ir, err := c.Start()
			if err != nil || mech != tt.mech {
				t.Fatalf("Start() = %q, _, %v", mech, err)
			}
			if diff := cmp.Diff(tt.clientFirst, string(ir)); diff != "" {
				t.Errorf("client-first-message mismatch (-want +got):\n%s", diff)
			}
			final, err := c.Next([]byte(tt.serverFirst))
			if err != nil {
				t.Fatalf("Next(server-first) error: %v", err)
			}
			if diff := cmp.Diff(tt.clientFinal, string(final)); diff != "" {
				t.Errorf("client-final-message mismatch (-want +got):\n%s", diff)
			}
			last, err := c.Next([]byte(tt.serverFinal))
			if err != nil || last == nil || len(last) != 0 {
				t.Errorf("Next(server-final) = %q, %v; want empty response, nil", last, err)
			}
			if _, err := c.Next([]byte(tt.serverFinal)); !errors.Is(err, ErrExchangeOver) {
				t.Errorf("Next after the end: error %v, want ErrExchangeOver", err)
			}
		})
	}
}

// scramServer is a minimal SCRAM server (RFC 5802 section 3), with knobs
// that make it misbehave. It stores only StoredKey and ServerKey, as a
// real server does, and derives them with its own Hi.
type scramServer struct {
	h           func() hash.Hash
	user        string // unescaped
	salt        []byte
	iter        int
	storedKey   []byte
	serverKey   []byte
	serverNonce string

	// Misbehaviour.
	nonceFor        func(clientNonce string) string // the r= it sends
	iterText        string                          // the i= it sends, if set
	tamperSignature bool                            // flip a bit of v=
	finalError      string                          // send e= instead of v=

	round           int
	gs2             string
	clientFirstBare string
	serverFirst     string
	nonce           string
}

func newSCRAMServer(mech, user, password string) *scramServer {
	h := sha1.New
	if mech == "SCRAM-SHA-256" {
		h = sha256.New
	}
	s := &scramServer{h: h, user: user, salt: []byte("fake-salt-16byte"), iter: 4096, serverNonce: "S3rv3r-N0nce"}
	salted := hi(h, []byte(password), s.salt, s.iter)
	clientKey := mac(h, salted, "Client Key")
	d := h()
	d.Write(clientKey)
	s.storedKey = d.Sum(nil)
	s.serverKey = mac(h, salted, "Server Key")
	return s
}

// hi is Hi() of RFC 5802 section 2.2, written out:
// U1 = HMAC(str, salt + INT(1)), Ui = HMAC(str, Ui-1), Hi = U1 XOR ... XOR Ui.
func hi(h func() hash.Hash, str, salt []byte, i int) []byte {
	m := hmac.New(h, str)
	m.Write(salt)
	m.Write(binary.BigEndian.AppendUint32(nil, 1))
	u := m.Sum(nil)
	out := bytes.Clone(u)
	for range i - 1 {
		m.Reset()
		m.Write(u)
		u = m.Sum(nil)
		for j := range out {
			out[j] ^= u[j]
		}
	}
	return out
}

func mac(h func() hash.Hash, key []byte, msg string) []byte {
	m := hmac.New(h, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func unescapeSASLName(s string) string {
	return strings.NewReplacer("=2C", ",", "=3D", "=").Replace(s)
}

func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	s.round++
	switch s.round {
	case 1:
		return s.first(string(resp))
	case 2:
		return s.final(string(resp))
	case 3:
		if len(resp) != 0 {
			return nil, true, fmt.Errorf("fake SCRAM: response %q to server-final, want empty", resp)
		}
		return nil, true, nil
	}
	return nil, true, errors.New("fake SCRAM: too many rounds")
}

func (s *scramServer) first(msg string) ([]byte, bool, error) {
	f := strings.SplitN(msg, ",", 3)
	if len(f) != 3 || f[0] != "n" || (f[1] != "" && !strings.HasPrefix(f[1], "a=")) {
		return nil, true, fmt.Errorf("fake SCRAM: gs2 header of %q", msg)
	}
	s.gs2 = f[0] + "," + f[1] + ","
	s.clientFirstBare = f[2]
	user, cnonce, ok := strings.Cut(f[2], ",r=")
	if !ok || !strings.HasPrefix(user, "n=") {
		return nil, true, fmt.Errorf("fake SCRAM: client-first-message-bare %q", f[2])
	}
	if unescapeSASLName(user[2:]) != s.user {
		return nil, true, errAuthFailed // unknown user
	}
	s.nonce = cnonce + s.serverNonce
	if s.nonceFor != nil {
		s.nonce = s.nonceFor(cnonce)
	}
	iter := fmt.Sprint(s.iter)
	if s.iterText != "" {
		iter = s.iterText
	}
	s.serverFirst = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(s.salt) + ",i=" + iter
	return []byte(s.serverFirst), false, nil
}

func (s *scramServer) final(msg string) ([]byte, bool, error) {
	withoutProof, proofB64, ok := strings.Cut(msg, ",p=")
	if !ok {
		return nil, true, fmt.Errorf("fake SCRAM: no proof in %q", msg)
	}
	if want := "c=" + base64.StdEncoding.EncodeToString([]byte(s.gs2)) + ",r=" + s.nonce; withoutProof != want {
		return nil, true, fmt.Errorf("fake SCRAM: client-final-message-without-proof %q, want %q", withoutProof, want)
	}
	proof, err := base64.StdEncoding.DecodeString(proofB64)
	if err != nil || len(proof) != len(s.storedKey) {
		return nil, true, fmt.Errorf("fake SCRAM: proof %q", proofB64)
	}
	authMessage := s.clientFirstBare + "," + s.serverFirst + "," + withoutProof
	clientSignature := mac(s.h, s.storedKey, authMessage)
	clientKey := make([]byte, len(proof))
	for i := range proof {
		clientKey[i] = proof[i] ^ clientSignature[i]
	}
	d := s.h()
	d.Write(clientKey)
	if !hmac.Equal(d.Sum(nil), s.storedKey) {
		return []byte("e=invalid-proof"), false, nil
	}
	if s.finalError != "" {
		return []byte("e=" + s.finalError), false, nil
	}
	sig := mac(s.h, s.serverKey, authMessage)
	if s.tamperSignature {
		sig[0] ^= 1
	}
	return []byte("v=" + base64.StdEncoding.EncodeToString(sig)), false, nil
}

// TestSCRAMAgainstFakeServer: the right password authenticates both ways
// (the server checks the proof, the client the server signature), also
// with a user name and an authzid that need escaping.
func TestSCRAMAgainstFakeServer(t *testing.T) {
	for _, mech := range []string{"SCRAM-SHA-1", "SCRAM-SHA-256"} {
		for _, c := range []Credentials{
			{User: "user", Password: "pencil"},
			{User: "a=b,c", Password: " sp@ce and ~ punctuation ", Authzid: "adm,in="},
			{User: "jürgen", Password: "pencil"}, // user names are sent as UTF-8
		} {
			var sent [][]byte
			cl := recordingClient{inner: mustNew(t, mech, c), sent: &sent}
			serverErr, clientErr := runExchange(t, cl, newSCRAMServer(mech, c.User, c.Password))
			if serverErr != nil || clientErr != nil {
				t.Errorf("%s %#v: server %v, client %v; want success", mech, c, serverErr, clientErr)
				continue
			}
			wantGS2 := "n,,"
			if c.Authzid != "" {
				wantGS2 = "n,a=" + strings.NewReplacer("=", "=3D", ",", "=2C").Replace(c.Authzid) + ","
			}
			if !strings.HasPrefix(string(sent[0]), wantGS2+"n=") {
				t.Errorf("%s: client-first-message %q, want the gs2 header %q", mech, sent[0], wantGS2)
			}
		}
	}
}

func TestSCRAMUserNameEscaping(t *testing.T) {
	c, _ := newClient("SCRAM-SHA-1", Credentials{User: "a=b,c", Password: "p", Authzid: "x,y"}, options{nonce: "abc"})
	_, ir, _ := c.Start()
	if want := "n,a=x=2Cy,n=a=3Db=2Cc,r=abc"; string(ir) != want {
		t.Errorf("client-first-message = %q, want %q", ir, want)
	}
}

func TestSCRAMFreshNonce(t *testing.T) {
	c := mustNew(t, "SCRAM-SHA-256", Credentials{User: "user", Password: "pencil"})
	_, a, _ := c.Start()
	_, b, _ := c.Start()
	na, nb := string(a[strings.Index(string(a), ",r=")+3:]), string(b[strings.Index(string(b), ",r=")+3:])
	if na == nb || len(na) < 16 || !isPrintableNonce(na) {
		t.Errorf("nonces %q and %q: want two different printable nonces of at least 16 characters", na, nb)
	}
}

// TestSCRAMHostileServer: each misbehaviour is detected by the client,
// which returns the matching error and, when the fault is in the
// server-first-message, never sends a proof.
func TestSCRAMHostileServer(t *testing.T) {
	notOurs := func(string) string { return "someone-elses-nonce-S3rv3r" }
	tests := []struct {
		name       string
		tweak      func(*scramServer)
		wantErr    error
		wantServer string // for *ServerError
		noProof    bool   // the client must give up before client-final
	}{
		{"wrong server signature", func(s *scramServer) { s.tamperSignature = true }, ErrServerSignature, "", false},
		{"e= in server-final", func(s *scramServer) { s.finalError = "other-error" }, nil, "other-error", false},
		{"nonce not starting with ours", func(s *scramServer) { s.nonceFor = notOurs }, ErrMalformedChallenge, "", true},
		{"nonce with a prefix before ours", func(s *scramServer) { s.nonceFor = func(c string) string { return "X" + c + "Y" } }, ErrMalformedChallenge, "", true},
		{"nonce without a server part", func(s *scramServer) { s.nonceFor = func(c string) string { return c } }, ErrMalformedChallenge, "", true},
		{"nonce with a space", func(s *scramServer) { s.nonceFor = func(c string) string { return c + "a b" } }, ErrMalformedChallenge, "", true},
		{"i=0", func(s *scramServer) { s.iterText = "0" }, ErrIterationCount, "", true},
		{"i=10^9", func(s *scramServer) { s.iterText = "1000000000" }, ErrIterationCount, "", true},
		{"i=1000001", func(s *scramServer) { s.iterText = "1000001" }, ErrIterationCount, "", true},
		{"i=-1", func(s *scramServer) { s.iterText = "-1" }, ErrIterationCount, "", true},
		{"i=+4096", func(s *scramServer) { s.iterText = "+4096" }, ErrIterationCount, "", true},
		{"i=04096", func(s *scramServer) { s.iterText = "04096" }, ErrIterationCount, "", true},
		{"i overflows", func(s *scramServer) { s.iterText = "99999999999999999999999" }, ErrIterationCount, "", true},
	}
	for _, mech := range []string{"SCRAM-SHA-1", "SCRAM-SHA-256"} {
		for _, tt := range tests {
			t.Run(mech+"/"+tt.name, func(t *testing.T) {
				srv := newSCRAMServer(mech, "user", "pencil")
				tt.tweak(srv)
				serverErr, clientErr := runExchange(t, mustNew(t, mech, Credentials{User: "user", Password: "pencil"}), srv)
				if serverErr != nil {
					t.Fatalf("server error %v, want the client to fail", serverErr)
				}
				if tt.wantErr != nil && !errors.Is(clientErr, tt.wantErr) {
					t.Errorf("client error = %v, want %v", clientErr, tt.wantErr)
				}
				if tt.wantServer != "" {
					var se *ServerError
					if !errors.As(clientErr, &se) || se.Message != tt.wantServer || se.Mechanism != mech {
						t.Errorf("client error = %v, want ServerError %q", clientErr, tt.wantServer)
					}
				}
				if clientErr == nil || !strings.HasPrefix(clientErr.Error(), "sasl: "+mech+": ") {
					t.Errorf("client error %v: want the prefix %q", clientErr, "sasl: "+mech+": ")
				}
				if tt.noProof && srv.round != 1 {
					t.Errorf("the client answered a bad server-first-message (server saw %d rounds)", srv.round)
				}
			})
		}
	}
}

// TestSCRAMServerFirstGrammar feeds server-first-messages directly.
func TestSCRAMServerFirstGrammar(t *testing.T) {
	const n = "fyko+d2lbbFgONRv9qkxdawL"
	tests := []struct {
		msg     string
		wantErr error // nil: accepted
	}{
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=1", nil},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16,x=extension,y=another", nil},
		{"", ErrMalformedChallenge},
		{"r=" + n + "3rfc", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92", ErrMalformedChallenge},
		{"s=QSXCR+Q6sek8bf92,r=" + n + "3rfc,i=16", ErrMalformedChallenge},
		{"m=must-understand,r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=not base64!,i=16", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf9,i=16", ErrMalformedChallenge}, // bad padding
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16,", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16,=x", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16,1=x", ErrMalformedChallenge},
		{"r=" + n + "3rfc\x00,s=QSXCR+Q6sek8bf92,i=16", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=16,x=\xff", ErrMalformedChallenge},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=", ErrIterationCount},
		{"r=" + n + "3rfc,s=QSXCR+Q6sek8bf92,i=1e3", ErrIterationCount},
		{"r=" + n + "\x7f,s=QSXCR+Q6sek8bf92,i=16", ErrMalformedChallenge},
	}
	for _, tt := range tests {
		c, _ := newClient("SCRAM-SHA-1", Credentials{User: "user", Password: "pencil"}, options{nonce: n})
		c.Start()
		resp, err := c.Next([]byte(tt.msg))
		if tt.wantErr == nil {
			if err != nil || !strings.HasPrefix(string(resp), "c=biws,r="+n+"3rfc,p=") {
				t.Errorf("Next(%q) = %q, %v; want a client-final-message", tt.msg, resp, err)
			}
			continue
		}
		if !errors.Is(err, tt.wantErr) || resp != nil {
			t.Errorf("Next(%q) = %q, %v; want nil, %v", tt.msg, resp, err, tt.wantErr)
		}
		// A failed exchange stays failed.
		if _, err := c.Next([]byte("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")); !errors.Is(err, ErrExchangeOver) {
			t.Errorf("Next after failure: %v, want ErrExchangeOver", err)
		}
	}
}

func TestSCRAMServerErrorInServerFirst(t *testing.T) {
	c, _ := newClient("SCRAM-SHA-256", Credentials{User: "user", Password: "pencil"}, options{nonce: "abc"})
	c.Start()
	_, err := c.Next([]byte("e=unknown-user"))
	var se *ServerError
	if !errors.As(err, &se) || se.Message != "unknown-user" {
		t.Errorf("Next(e=unknown-user) error = %v, want ServerError unknown-user", err)
	}
}

// TestSCRAMServerFinalGrammar feeds server-final-messages after the RFC
// 5802 example's server-first-message.
func TestSCRAMServerFinalGrammar(t *testing.T) {
	const good = "rmF9pqV8S7suAoZWja4dJRkFsKQ="
	tests := []struct {
		msg     string
		wantErr error
	}{
		{"v=" + good, nil},
		{"v=" + good + ",x=extension", nil},
		{"", ErrMalformedChallenge},
		{"v=" + good[:len(good)-2], ErrMalformedChallenge},
		{"v=****", ErrMalformedChallenge},
		{"x=" + good, ErrMalformedChallenge},
		{"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=", ErrServerSignature},
		{"v=", ErrServerSignature},
		{"v=" + base64.StdEncoding.EncodeToString(make([]byte, 32)), ErrServerSignature},
	}
	for _, tt := range tests {
		c, _ := newClient("SCRAM-SHA-1", Credentials{User: "user", Password: "pencil"}, options{nonce: "fyko+d2lbbFgONRv9qkxdawL"})
		c.Start()
		if _, err := c.Next([]byte("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Next([]byte(tt.msg))
		if tt.wantErr == nil {
			if err != nil || resp == nil || len(resp) != 0 {
				t.Errorf("Next(%q) = %q, %v; want empty response, nil", tt.msg, resp, err)
			}
			continue
		}
		if !errors.Is(err, tt.wantErr) || resp != nil {
			t.Errorf("Next(%q) = %q, %v; want nil, %v", tt.msg, resp, err, tt.wantErr)
		}
	}
}

func TestParseIterations(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"4096", 4096, true},
		{"1000000", 1000000, true},
		{"1000001", 0, false},
		{"0", 0, false},
		{"", 0, false},
		{"01", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"9999999999", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseIterations(tt.in, MaxIterations)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseIterations(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
