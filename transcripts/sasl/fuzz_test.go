package sasl

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// fuzzOptions fix the SCRAM nonce so that fuzz inputs (and the RFC 5802
// seeds) can reach the server-final step, and bound the iteration count
// low so that PBKDF2 does not dominate the fuzzer's time.
var fuzzOptions = options{nonce: "fyko+d2lbbFgONRv9qkxdawL", maxIter: 4096}

var fuzzCreds = Credentials{User: "user", Password: "pencil", Token: "token", Host: "h", Port: 1}

// checkNext drives every mechanism with the challenges and checks what
// must hold for any server input: no panic, errors carry the "sasl: "
// prefix and the mechanism's name and come with a nil response, a
// successful Next returns a non-nil response, and once a client has
// failed it keeps failing.
func checkNext(t *testing.T, challenges ...[]byte) {
	for _, m := range Mechanisms() {
		c, err := newClient(m, fuzzCreds, fuzzOptions)
		if err != nil {
			t.Fatalf("New(%s): %v", m, err)
		}
		if _, _, err := c.Start(); err != nil {
			t.Fatalf("%s: Start: %v", m, err)
		}
		failed := false
		for i, ch := range challenges {
			resp, err := c.Next(ch)
			switch {
			case err != nil:
				failed = true
				if resp != nil {
					t.Errorf("%s: Next #%d(%q) = %q with error %v; want a nil response", m, i, ch, resp, err)
				}
				if !strings.HasPrefix(err.Error(), "sasl: "+m+": ") {
					t.Errorf("%s: Next #%d(%q) error %q lacks the prefix %q", m, i, ch, err, "sasl: "+m+": ")
				}
			case failed:
				t.Errorf("%s: Next #%d(%q) succeeded after an earlier failure", m, i, ch)
			case resp == nil:
				t.Errorf("%s: Next #%d(%q) = nil, nil; want a response or an error", m, i, ch)
			}
		}
	}
}

// FuzzNext feeds up to three arbitrary challenges to every mechanism.
func FuzzNext(f *testing.F) {
	seeds := [][3]string{
		{"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", ""},
		{"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", "e=invalid-proof", ""},
		{"r=fyko+d2lbbFgONRv9qkxdawLx,s=,i=1,m=x", "v=,x=y", "v="},
		{"m=ext,r=a,s=b,i=1", "", ""},
		{"<1896.697170952@postoffice.reston.mci.net>", "", ""},
		{"Username:", "Password:", "Again:"},
		{`{"status":"invalid_token","scope":"example_scope"}`, "{}", ""},
		{"", "", ""},
		{"\x00\xff,=,==", "e=", "r="},
	}
	for _, s := range seeds {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		checkNext(t, a, b, c)
	})
}

// TestNextRandomChallenges runs the FuzzNext property over a few thousand
// pseudo-random challenges in every ordinary test run: random bytes and
// random mutations of well-formed server messages. The seed is fixed, so
// the run is reproducible.
func TestNextRandomChallenges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	valid := []string{
		"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4",
		"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
		"e=invalid-proof",
		"<1896.697170952@postoffice.reston.mci.net>",
		`{"status":"invalid_token"}`,
		"Password:",
	}
	const alphabet = "=,rsive\x00\x01{}\"0123456789+/ab\xff"
	challenge := func() []byte {
		if r.IntN(4) == 0 {
			b := make([]byte, r.IntN(40))
			for i := range b {
				b[i] = byte(r.UintN(256))
			}
			return b
		}
		b := []byte(valid[r.IntN(len(valid))])
		for range r.IntN(4) {
			switch i := r.IntN(len(b) + 1); r.IntN(3) {
			case 0: // insert
				b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
			case 1: // delete
				if i < len(b) {
					b = append(b[:i], b[i+1:]...)
				}
			default: // truncate
				b = b[:i]
			}
		}
		return b
	}
	for range 3000 {
		checkNext(t, challenge(), challenge(), challenge())
	}
}
