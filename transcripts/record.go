package transcripts

import (
	"bytes"
	"encoding/base64"
	"sort"
	"sync"
	"time"
)

// Direction says who sent an entry of a transcript.
type Direction string

// Directions of transcript entries.
const (
	Client Direction = "C"   // bytes the client sent
	Server Direction = "S"   // bytes the server sent
	TLS    Direction = "tls" // a TLS handshake completed (Data describes it)
	Note   Direction = "note"
)

// Entry is one thing that happened on one connection.
type Entry struct {
	Conn int           // 1-based connection number within the case
	Dir  Direction     //
	At   time.Duration // since the recorder started
	Data []byte        // the exact bytes (credentials replaced by ${var} references)
}

// Recorder collects the entries of every connection of one case, in order.
// It is safe for concurrent use. Credentials never reach it: values
// registered with [Recorder.Secret] are replaced by variable references as
// entries are recorded, so the stored transcript replays with whatever
// credentials the next profile has.
type Recorder struct {
	mu      sync.Mutex
	start   time.Time
	entries []Entry
	conns   int
	secrets []secret
}

type secret struct {
	value []byte
	ref   []byte
}

// NewRecorder starts an empty recording.
func NewRecorder() *Recorder { return &Recorder{start: time.Now()} }

// Secret registers a credential: every occurrence of value in a recorded
// entry is replaced by ${name}. Values shorter than 3 bytes are ignored (a
// replacement that short would mangle unrelated bytes).
func (r *Recorder) Secret(value, name string) {
	if len(value) < 3 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if string(s.value) == value {
			return
		}
	}
	r.secrets = append(r.secrets, secret{[]byte(value), []byte("${" + name + "}")})
	// Longest first, so a password inside a longer SASL payload is
	// replaced as part of the payload.
	sort.SliceStable(r.secrets, func(i, j int) bool { return len(r.secrets[i].value) > len(r.secrets[j].value) })
}

// Credentials registers an account's password and the encodings of it that
// clients send (base64 alone, and the SASL PLAIN payload) under the names
// of the replay variables: password, b64password and plain for n == 1,
// password2, b64password2 and plain2 for n == 2, and so on.
func (r *Recorder) Credentials(n int, user, password string) {
	suffix := ""
	if n > 1 {
		suffix = itoa(n)
	}
	r.Secret(password, "password"+suffix)
	r.Secret(quoteIMAP(password), "qpassword"+suffix)
	r.Secret(base64.StdEncoding.EncodeToString([]byte(password)), "b64password"+suffix)
	r.Secret(base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)), "plain"+suffix)
	r.Secret(base64.StdEncoding.EncodeToString([]byte(user+"\x00"+user+"\x00"+password)), "plainz"+suffix)
}

// NewConn allocates the next connection number.
func (r *Recorder) NewConn() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns++
	return r.conns
}

// Record appends an entry, replacing registered secrets.
func (r *Recorder) Record(conn int, dir Direction, data []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	d := append([]byte(nil), data...)
	for _, s := range r.secrets {
		if bytes.Contains(d, s.value) {
			d = bytes.ReplaceAll(d, s.value, s.ref)
		}
	}
	r.entries = append(r.entries, Entry{Conn: conn, Dir: dir, At: time.Since(r.start), Data: d})
}

// Entries returns a copy of what was recorded so far.
func (r *Recorder) Entries() []Entry {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
