package wire

import (
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Hostile input: a broken or malicious server must cost bounded memory and
// time, and yield an error or a finding, never a hang or a panic.

// reader is what the three protocol readers have in common, for tests
// that treat them alike.
type anyReader func(io.Reader, Limits) func() ([]byte, error)

var protocolReaders = map[string]anyReader{
	"smtp": func(r io.Reader, l Limits) func() ([]byte, error) {
		sr := NewSMTPReader(r, l)
		return func() ([]byte, error) { rep, err := sr.ReadReply(); return rep.Raw, err }
	},
	"pop3": func(r io.Reader, l Limits) func() ([]byte, error) {
		pr := NewPOP3Reader(r, l)
		return func() ([]byte, error) { resp, err := pr.ReadResponse(true); return resp.Raw, err }
	},
	"imap": func(r io.Reader, l Limits) func() ([]byte, error) {
		ir := NewIMAPReader(r, l)
		return func() ([]byte, error) { resp, err := ir.ReadResponse(); return resp.Raw, err }
	},
}

// wantLimit checks that err is a "wire: " error wrapping ErrLimit.
func wantLimit(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), "wire: ") {
		t.Errorf("%s: error %v, want a wire: error wrapping ErrLimit", what, err)
	}
}

func TestInfiniteLine(t *testing.T) {
	prefixes := map[string][]string{
		"smtp": {"250-", "250-ok\r\n250-"},
		"pop3": {"+OK ", "+OK\r\nbody line\r\n"},
		"imap": {"* OK ", "* 1 FETCH (BODY[] {3}\r\nabc"},
	}
	const maxLine = 1000
	for proto, read := range protocolReaders {
		for _, prefix := range prefixes[proto] {
			cr := &countingReader{r: endless(prefix, 'a')}
			_, err := read(cr, Limits{MaxLine: maxLine})()
			wantLimit(t, proto+" "+prefix, err)
			if limit := int64(len(prefix) + maxLine + readBufSize); cr.n > limit {
				t.Errorf("%s %q: read %d octets of an endless line, want at most %d", proto, prefix, cr.n, limit)
			}
		}
	}
}

// TestInfiniteLineMemory checks with the default limits that an endless
// line costs about MaxLine of memory, not what the server sends.
func TestInfiniteLineMemory(t *testing.T) {
	for proto, read := range protocolReaders {
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		_, err := read(endless("250-", 'a'), Limits{})()
		runtime.ReadMemStats(&ms1)
		wantLimit(t, proto, err)
		if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s: an endless line cost %d octets of allocation, want about MaxLine (%d)", proto, alloc, DefaultLimits.MaxLine)
		}
	}
}

func TestEndlessLines(t *testing.T) {
	streams := map[string][2]string{ // prefix, repeated line
		"smtp": {"", "250-more\r\n"},
		"pop3": {"+OK\r\n", "more\r\n"},
		"imap": {"* 1 FETCH (BODY[] {4}\r\n", "more {4}\r\n"},
	}
	for proto, read := range protocolReaders {
		s := streams[proto]
		for _, l := range []Limits{{MaxLines: 500}, {MaxResponse: 10000}} {
			rr := &repeatReader{data: []byte(s[1])}
			cr := &countingReader{r: io.MultiReader(strings.NewReader(s[0]), rr)}
			_, err := read(cr, l)()
			wantLimit(t, proto, err)
			if cr.n > 20000+readBufSize {
				t.Errorf("%s with %+v: read %d octets of endless lines", proto, l, cr.n)
			}
		}
	}
}

func TestIMAPLiteralsExceedMaxResponse(t *testing.T) {
	in := "* 1 FETCH (BODY[] {600}\r\n" + strings.Repeat("x", 600) + " BODY[1] {600}\r\n" + strings.Repeat("y", 600) + ")\r\n"
	_, err := NewIMAPReader(strings.NewReader(in), Limits{MaxResponse: 1000}).ReadResponse()
	wantLimit(t, "two literals over MaxResponse", err)
	_, err = NewIMAPReader(strings.NewReader(in), Limits{MaxLiteral: 599}).ReadResponse()
	wantLimit(t, "literal over MaxLiteral", err)
}

func TestResetMidReply(t *testing.T) {
	replies := map[string]string{
		"smtp": ehloReply,
		"pop3": pop3Retr(2000),
		"imap": fetchLiteral,
	}
	for proto, read := range protocolReaders {
		full := replies[proto]
		for _, cut := range []int{len(full) / 2, 1, len(full) - 1} {
			next := read(&errAfterReader{data: []byte(full[:cut]), err: syscall.ECONNRESET}, Limits{})
			raw, err := next()
			if !errors.Is(err, syscall.ECONNRESET) || !strings.HasPrefix(err.Error(), "wire: ") {
				t.Errorf("%s cut at %d: error %v, want a wire: error wrapping ECONNRESET", proto, cut, err)
			}
			if raw != nil {
				t.Errorf("%s cut at %d: Raw %q returned with the error", proto, cut, raw)
			}
			if _, err2 := next(); !errors.Is(err2, syscall.ECONNRESET) {
				t.Errorf("%s cut at %d: next read = %v, want the same error (framing is lost)", proto, cut, err2)
			}
		}
	}
}

// timeoutError is a net.Error like the one a conn returns when its read
// deadline passes.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

var _ net.Error = timeoutError{}

// slowReader blocks briefly, then fails with a timeout once, then serves data.
type slowReader struct {
	before  []byte // served before the timeout
	after   []byte // served after it
	timeout bool
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.before) > 0 {
		n := copy(p, r.before)
		r.before = r.before[n:]
		return n, nil
	}
	if !r.timeout {
		r.timeout = true
		time.Sleep(2 * time.Millisecond) // a read that blocks until its deadline
		return 0, timeoutError{}
	}
	if len(r.after) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.after)
	r.after = r.after[n:]
	return n, nil
}

func TestTimeout(t *testing.T) {
	replies := map[string]string{
		"smtp": "250 ok\r\n",
		"pop3": "+OK\r\nx\r\n.\r\n",
		"imap": "* 1 FETCH (BODY[] {2}\r\nab)\r\n",
	}
	for proto, read := range protocolReaders {
		full := replies[proto]

		// Waiting for a reply that has not begun: the error is returned
		// wrapped and the reader can wait again.
		next := read(&slowReader{after: []byte(full)}, Limits{})
		_, err := next()
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !strings.HasPrefix(err.Error(), "wire: ") {
			t.Errorf("%s: error %v, want a wire: error wrapping a net.Error with Timeout()", proto, err)
		}
		raw, err := next()
		if err != nil || string(raw) != full {
			t.Errorf("%s: read after a timeout before the reply = %q, %v; want the reply", proto, raw, err)
		}

		// A timeout in the middle of a reply loses the framing.
		next = read(&slowReader{before: []byte(full[:4]), after: []byte(full[4:])}, Limits{})
		_, err = next()
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("%s: error %v mid-reply, want a wrapped timeout", proto, err)
		}
		if _, err := next(); !errors.As(err, &ne) {
			t.Errorf("%s: read after a mid-reply timeout = %v, want the timeout again", proto, err)
		}
	}
}

// badCountReader claims to have read more than it was given.
type badCountReader struct{}

func (badCountReader) Read(p []byte) (int, error) { return len(p) + 1, nil }

// noProgressReader returns (0, nil) forever.
type noProgressReader struct{}

func (noProgressReader) Read([]byte) (int, error) { return 0, nil }

func TestMisbehavingReader(t *testing.T) {
	for proto, read := range protocolReaders {
		if _, err := read(badCountReader{}, Limits{})(); err == nil {
			t.Errorf("%s: a reader returning n > len(p) gave no error", proto)
		}
		if _, err := read(noProgressReader{}, Limits{})(); !errors.Is(err, io.ErrNoProgress) {
			t.Errorf("%s: a reader that never progresses gave %v, want io.ErrNoProgress", proto, err)
		}
	}
	// The literal path reads directly from the underlying reader.
	r := NewIMAPReader(io.MultiReader(strings.NewReader("* 1 FETCH (BODY[] {100000}\r\n"), noProgressReader{}), Limits{})
	if _, err := r.ReadResponse(); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("imap literal: a reader that never progresses gave %v, want io.ErrNoProgress", err)
	}
}
