package transcripts

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// The tests in this file run the scripted client and the replay engine
// against tiny fake servers that misbehave in one way each, and prove
// that every misbehaviour ends in a reported result (an error wrapping
// ErrTimeout, ErrClosed, ErrDataBeforeTLS or wire.ErrLimit from a
// Session, a Fail outcome from Replay), never a hang, a panic or
// unbounded memory (DESIGN.md, "Matching and verdicts").

// fakeServer is a TCP server on 127.0.0.1 that runs handle on every
// connection, each in its own goroutine. Closing it (at the end of the
// test) closes the listener and every connection, then waits for the
// handlers, which must return once their connection is closed.
type fakeServer struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  map[net.Conn]bool
	closed bool
	wg     sync.WaitGroup
}

// startFake starts a fake server and returns its address.
func startFake(t *testing.T, handle func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	f := &fakeServer{ln: ln, conns: map[net.Conn]bool{}}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			if f.closed {
				f.mu.Unlock()
				c.Close()
				return
			}
			f.conns[c] = true
			f.wg.Add(1)
			f.mu.Unlock()
			go func() {
				defer f.wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		f.mu.Lock()
		f.closed = true
		ln.Close()
		for c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
		f.wg.Wait()
	})
	return ln.Addr().String()
}

// fakeProto describes, per protocol, what the fake servers and the tests
// need: the scheme, a well-formed greeting, the transcript lines that
// expect it, and a one-reply read.
type fakeProto struct {
	scheme   string
	greeting string
	// expect is the transcript body that reads the greeting.
	expect string
	read   func(s *Session) ([]byte, error)
}

var fakeProtos = []fakeProto{
	{"smtp", "220 fake.test ESMTP\r\n", "S: 220 *\n", func(s *Session) ([]byte, error) {
		rep, err := s.ReadSMTP()
		return rep.Raw, err
	}},
	{"pop3", "+OK fake POP3 ready\r\n", "S: +OK*\n", func(s *Session) ([]byte, error) {
		rep, err := s.ReadPOP3(false)
		return rep.Raw, err
	}},
	{"imap", "* OK fake IMAP ready\r\n", "S: * OK*\n", func(s *Session) ([]byte, error) {
		rep, err := s.ReadIMAP()
		return rep.Raw, err
	}},
}

// fakeProfile is a profile with one endpoint at addr and one account.
func fakeProfile(t *testing.T, scheme, addr string) *Profile {
	t.Helper()
	ep, _, err := ParseEndpoint(scheme + "://" + addr)
	if err != nil {
		t.Fatalf("ParseEndpoint: %v", err)
	}
	return &Profile{Name: "fake", Endpoints: []Endpoint{ep},
		Accounts: []Account{{User: "alice", Password: "fake-secret-password", Address: "alice@fake.test"}}}
}

// dialFake opens a session to the fake server at addr, closed at the end
// of the test.
func dialFake(t *testing.T, scheme, addr string, opts Options) *Session {
	t.Helper()
	p := fakeProfile(t, scheme, addr)
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	if opts.DialTimeout == 0 {
		opts.DialTimeout = hangGuard
	}
	s, err := Dial(ctx, p.Endpoints[0], opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { s.conn.Close() })
	return s
}

// replayFake replays a transcript (header added here) against the fake
// server at addr.
func replayFake(t *testing.T, proto, scheme, addr, body string, opts Options) Outcome {
	t.Helper()
	s := parseScript(t, proto+"-hostile.txt", header(proto, "hostile")+body)
	env := &Env{Profile: fakeProfile(t, scheme, addr), Options: opts, RunID: "hostile"}
	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	var out Outcome
	guard(t, func() { out = Replay(ctx, s, env) })
	return out
}

// header returns the directives of a test transcript.
func header(proto, name string) string {
	return "@id " + proto + "/9999/1/" + name + "\n@protocol " + proto + "\n@rfc 9999 1\n@level MUST\n"
}

// parseScript parses a transcript or fails the test.
func parseScript(t testing.TB, name, text string) *script.Script {
	t.Helper()
	s, err := script.Parse(name, []byte(text))
	if err != nil {
		t.Fatalf("script.Parse(%s): %v\n%s", name, err, text)
	}
	return s
}

// guard runs f and fails the test if it does not return within the hang
// guard (a hang is the failure these tests look for).
func guard(t *testing.T, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(3 * hangGuard):
		t.Fatalf("no result within %v: the harness hangs", 3*hangGuard)
	}
}

// wantFail checks that an outcome is a Fail whose reason contains want.
func wantFail(t *testing.T, out Outcome, want string) {
	t.Helper()
	if out.Verdict != Fail {
		t.Errorf("Replay verdict %s (%q), want %s", out.Verdict, out.Reason, Fail)
		return
	}
	if !strings.Contains(out.Reason, want) {
		t.Errorf("Replay reason %q does not contain %q", out.Reason, want)
	}
}

// discardUntilQuit reads and ignores what the client sends, and closes
// the connection when the client sends QUIT: the replay engine ends a POP3
// session it leaves open with QUIT and waits for the close (up to its
// Timeout), so the fakes close at once to keep the tests fast.
func discardUntilQuit(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if strings.EqualFold(strings.TrimRight(line, "\r\n"), "QUIT") {
			c.Close()
			return
		}
	}
}

// silent accepts and never sends a byte.
func silent(c net.Conn) { discardUntilQuit(c) }

// greetThenSilent sends greeting and then nothing, whatever it is sent.
func greetThenSilent(greeting string) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := io.WriteString(c, greeting); err != nil {
			return
		}
		discardUntilQuit(c)
	}
}

// lineServer sends greeting, then for every line the client sends writes
// answer(line) (line without its CRLF), in one write. It ends when the
// connection does, when answer returns close, or after answering QUIT.
func lineServer(greeting string, answer func(line string) (reply string, close bool)) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := io.WriteString(c, greeting); err != nil {
			return
		}
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			reply, done := answer(line)
			if reply != "" {
				if _, err := io.WriteString(c, reply); err != nil {
					return
				}
			}
			if done || strings.EqualFold(line, "QUIT") {
				return
			}
		}
	}
}

// imapTag returns the tag of an IMAP command line.
func imapTag(line string) string {
	tag, _, _ := strings.Cut(line, " ")
	return tag
}

func TestHostileNeverAnswers(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/session", func(t *testing.T) {
			addr := startFake(t, silent)
			s := dialFake(t, p.scheme, addr, Options{Timeout: timeout})
			var err error
			guard(t, func() { _, err = p.read(s) })
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("read from a server that never answers = %v; want an error wrapping ErrTimeout", err)
			}
		})
		t.Run(p.scheme+"/replay-greeting", func(t *testing.T) {
			addr := startFake(t, silent)
			out := replayFake(t, p.scheme, p.scheme, addr, p.expect, Options{Timeout: timeout})
			wantFail(t, out, "no reply within")
			if out.Line == 0 || out.Expected == "" || out.Got == "" {
				t.Errorf("outcome lacks the step: Line %d, Expected %q, Got %q", out.Line, out.Expected, out.Got)
			}
		})
		t.Run(p.scheme+"/replay-command", func(t *testing.T) {
			// The greeting comes; the reply to a command never does.
			addr := startFake(t, greetThenSilent(p.greeting))
			cmd := map[string]string{"smtp": "C: NOOP\nS: 250*\n", "pop3": "C: NOOP\nS: +OK*\n", "imap": "C: a1 NOOP\nS: a1 OK*\n"}[p.scheme]
			out := replayFake(t, p.scheme, p.scheme, addr, p.expect+cmd, Options{Timeout: timeout})
			wantFail(t, out, "no reply within")
			if want := 7; out.Line != want { // header (4 lines), greeting, command, expectation
				t.Errorf("outcome Line = %d, want %d (the unanswered expectation)", out.Line, want)
			}
			if !strings.Contains(out.Reason, replyRule(Protocol(p.scheme))) {
				t.Errorf("reason %q does not cite the reply rule %q", out.Reason, replyRule(Protocol(p.scheme)))
			}
		})
	}
}

// endless writes prefix and then chunk forever, until the connection is
// closed.
func endless(prefix, chunk string) func(net.Conn) {
	return func(c net.Conn) {
		go discardUntilQuit(c)
		if _, err := io.WriteString(c, prefix); err != nil {
			return
		}
		b := []byte(strings.Repeat(chunk, (64<<10)/len(chunk)))
		for {
			if _, err := c.Write(b); err != nil {
				return
			}
		}
	}
}

// heapGrowth runs f and returns how much the live heap and the total
// allocations grew meanwhile.
func heapGrowth(f func()) (heap int64, total uint64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc), after.TotalAlloc - before.TotalAlloc
}

const memoryBound = 64 << 20

func TestHostileInfiniteLine(t *testing.T) {
	prefixes := map[string]string{"smtp": "220-", "pop3": "+OK ", "imap": "* OK "}
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/session", func(t *testing.T) {
			addr := startFake(t, endless(prefixes[p.scheme], "a"))
			s := dialFake(t, p.scheme, addr, Options{Timeout: hangGuard, Limits: wire.Limits{MaxLine: 4096}})
			var err error
			heap, total := heapGrowth(func() {
				guard(t, func() { _, err = p.read(s) })
			})
			if !errors.Is(err, wire.ErrLimit) {
				t.Errorf("read of an endless line = %v; want an error wrapping wire.ErrLimit", err)
			}
			if heap > memoryBound || total > memoryBound {
				t.Errorf("reading an endless line grew the heap by %d and allocated %d bytes; want under %d", heap, total, memoryBound)
			}
		})
		t.Run(p.scheme+"/replay", func(t *testing.T) {
			addr := startFake(t, endless(prefixes[p.scheme], "a"))
			var out Outcome
			heap, total := heapGrowth(func() {
				out = replayFake(t, p.scheme, p.scheme, addr, p.expect, Options{Timeout: hangGuard, Limits: wire.Limits{MaxLine: 4096}})
			})
			wantFail(t, out, "exceeds the harness's limits")
			if heap > memoryBound || total > memoryBound {
				t.Errorf("replaying against an endless line grew the heap by %d and allocated %d bytes; want under %d", heap, total, memoryBound)
			}
		})
	}
	// Endless well-formed lines: the line count bounds an SMTP reply and a
	// POP3 multi-line response.
	t.Run("smtp/endless-continuation", func(t *testing.T) {
		addr := startFake(t, endless("", "220-more\r\n"))
		s := dialFake(t, "smtp", addr, Options{Timeout: hangGuard, Limits: wire.Limits{MaxLines: 1000}})
		var err error
		guard(t, func() { _, err = s.ReadSMTP() })
		if !errors.Is(err, wire.ErrLimit) {
			t.Errorf("ReadSMTP of an endless multi-line reply = %v; want an error wrapping wire.ErrLimit", err)
		}
	})
	t.Run("pop3/endless-multiline", func(t *testing.T) {
		addr := startFake(t, endless("+OK list follows\r\n", "1 100\r\n"))
		s := dialFake(t, "pop3", addr, Options{Timeout: hangGuard, Limits: wire.Limits{MaxLines: 1000}})
		var err error
		guard(t, func() { _, err = s.ReadPOP3(true) })
		if !errors.Is(err, wire.ErrLimit) {
			t.Errorf("ReadPOP3 of an endless multi-line response = %v; want an error wrapping wire.ErrLimit", err)
		}
	})
}

func TestHostileIMAPEndlessUntagged(t *testing.T) {
	// A server that answers a command with untagged responses forever and
	// never completes it.
	endlessUntagged := func(c net.Conn) {
		if _, err := io.WriteString(c, "* OK fake IMAP ready\r\n"); err != nil {
			return
		}
		br := bufio.NewReader(c)
		if _, err := br.ReadString('\n'); err != nil {
			return
		}
		endless("", "* 1 EXISTS\r\n")(c)
	}
	t.Run("replay", func(t *testing.T) {
		addr := startFake(t, endlessUntagged)
		out := replayFake(t, "imap", "imap", addr, "S: * OK*\nC: a1 NOOP\nS: a1 OK*\n", Options{Timeout: hangGuard})
		wantFail(t, out, "unexpected untagged responses")
	})
	t.Run("session", func(t *testing.T) {
		// IMAPCommand (used by Greet, Login, Preflight) must not collect
		// untagged responses without bound either. The command runs while
		// the heap is watched: past the memory bound or the hang guard the
		// connection is closed and the test fails.
		addr := startFake(t, endlessUntagged)
		s := dialFake(t, "imap", addr, Options{Timeout: hangGuard})
		if _, err := s.IMAPGreeting(); err != nil {
			t.Fatalf("IMAPGreeting: %v", err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		type result struct {
			n   int
			err error
		}
		done := make(chan result, 1)
		go func() {
			untagged, _, err := s.IMAPCommand("NOOP")
			done <- result{len(untagged), err}
		}()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(hangGuard)
		for {
			select {
			case r := <-done:
				if r.err == nil {
					t.Errorf("IMAPCommand against endless untagged responses = %d responses, nil error; want an error", r.n)
				}
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > before+memoryBound {
					s.conn.Close() // unblock the goroutine
					r := <-done
					t.Fatalf("IMAPCommand held over %d bytes of untagged responses (%d so far, then %v): "+
						"IMAPReadUntil collects them without bound", memoryBound, r.n, r.err)
				}
			case <-deadline:
				s.conn.Close()
				r := <-done
				t.Fatalf("IMAPCommand did not return within %v while the server sent untagged responses forever "+
					"(%d collected, then %v): IMAPReadUntil collects them without bound", hangGuard, r.n, r.err)
			}
		}
	})
}

func TestHostileIMAPHugeLiteral(t *testing.T) {
	// The literal is announced and never sent: a reader that tried to
	// read (or allocate) it would wait for the deadline instead.
	huge := lineServer("* OK fake IMAP ready\r\n", func(line string) (string, bool) {
		return "* 1 FETCH (BODY[] {2147483648}\r\n", false
	})
	t.Run("session", func(t *testing.T) {
		addr := startFake(t, huge)
		s := dialFake(t, "imap", addr, Options{Timeout: hangGuard})
		if _, err := s.IMAPGreeting(); err != nil {
			t.Fatalf("IMAPGreeting: %v", err)
		}
		var err error
		heap, total := heapGrowth(func() {
			guard(t, func() { _, _, err = s.IMAPCommand("FETCH 1 BODY[]") })
		})
		if !errors.Is(err, wire.ErrLimit) {
			t.Errorf("IMAPCommand with a 2 GiB literal = %v; want an error wrapping wire.ErrLimit", err)
		}
		if errors.Is(err, ErrTimeout) {
			t.Errorf("the 2 GiB literal was waited for (%v); it must be refused on its announcement", err)
		}
		if heap > memoryBound || total > memoryBound {
			t.Errorf("a 2 GiB literal announcement grew the heap by %d and allocated %d bytes; want under %d", heap, total, memoryBound)
		}
	})
	t.Run("replay", func(t *testing.T) {
		addr := startFake(t, huge)
		out := replayFake(t, "imap", "imap", addr, "S: * OK*\nC: a1 FETCH 1 BODY[]\nS: * 1 FETCH *\nS: a1 OK*\n", Options{Timeout: hangGuard})
		wantFail(t, out, "exceeds the harness's limits")
		if !strings.Contains(out.Got, "MaxLiteral") {
			t.Errorf("Got %q does not name the MaxLiteral bound", out.Got)
		}
	})
}

// halfThenClose sends the first half of a reply and closes the
// connection: with FIN, or with RST when reset is set (SO_LINGER 0).
func halfThenClose(half string, reset bool) func(net.Conn) {
	return func(c net.Conn) {
		if _, err := io.WriteString(c, half); err != nil {
			return
		}
		if reset {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		}
		c.Close()
	}
}

func TestHostileResetMidReply(t *testing.T) {
	// The greeting cut short, then closed with FIN.
	halves := map[string]string{
		"smtp": "220-fake.test ESMTP\r\n220 fake.te",
		"pop3": "+OK fake POP3 rea",
		"imap": "* OK [CAPABILITY IMAP4rev2 STARTT",
	}
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/greeting/session", func(t *testing.T) {
			addr := startFake(t, halfThenClose(halves[p.scheme], false))
			s := dialFake(t, p.scheme, addr, Options{Timeout: hangGuard})
			var err error
			guard(t, func() { _, err = p.read(s) })
			if !errors.Is(err, ErrClosed) {
				t.Errorf("read of a greeting cut by a close = %v; want an error wrapping ErrClosed", err)
			}
		})
		t.Run(p.scheme+"/greeting/replay", func(t *testing.T) {
			addr := startFake(t, halfThenClose(halves[p.scheme], false))
			body := p.expect
			if p.scheme == "smtp" {
				body = "S*: 220-*\n" + body
			}
			out := replayFake(t, p.scheme, p.scheme, addr, body, Options{Timeout: hangGuard})
			wantFail(t, out, "closed the connection")
			if out.Got != "connection closed" {
				t.Errorf("Got = %q, want %q", out.Got, "connection closed")
			}
		})
	}
	// The reply to a command cut short, then closed with FIN or with RST
	// (SO_LINGER 0). The server waits for the command, so that the client
	// is connected and reading when the RST comes.
	cuts := map[string]struct{ half, cmd, expect string }{
		"smtp": {"250-fake.test\r\n250-PIPE", "C: EHLO ${client}\n", "S*: 250-*\nS: 250 *\n"},
		"pop3": {"+OK capability list follows\r\nUSER\r\nSA", "C: CAPA\n", "S: +OK*\nS*: *\nS: .\n"},
		"imap": {"* CAPABILITY IMAP4rev2 ST", "C: a1 CAPABILITY\n", "S: * CAPABILITY *\nS: a1 OK*\n"},
	}
	cutAfterCommand := func(greeting, half string, reset bool) func(net.Conn) {
		return func(c net.Conn) {
			if _, err := io.WriteString(c, greeting); err != nil {
				return
			}
			if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
				return
			}
			halfThenClose(half, reset)(c)
		}
	}
	for _, p := range fakeProtos {
		for _, reset := range []bool{false, true} {
			how := "fin"
			if reset {
				how = "rst"
			}
			cut := cuts[p.scheme]
			t.Run(p.scheme+"/reply/"+how+"/session", func(t *testing.T) {
				addr := startFake(t, cutAfterCommand(p.greeting, cut.half, reset))
				s := dialFake(t, p.scheme, addr, Options{Timeout: hangGuard})
				var err error
				guard(t, func() {
					if _, err = p.read(s); err != nil {
						return
					}
					switch p.scheme {
					case "smtp":
						_, err = s.SMTPCommand("EHLO mailspec.test")
					case "pop3":
						_, err = s.POP3Command("CAPA", true)
					case "imap":
						_, _, err = s.IMAPCommand("CAPABILITY")
					}
				})
				if !errors.Is(err, ErrClosed) {
					t.Errorf("read of a reply cut by %s = %v; want an error wrapping ErrClosed", how, err)
				}
			})
			t.Run(p.scheme+"/reply/"+how+"/replay", func(t *testing.T) {
				addr := startFake(t, cutAfterCommand(p.greeting, cut.half, reset))
				out := replayFake(t, p.scheme, p.scheme, addr, p.expect+cut.cmd+cut.expect, Options{Timeout: hangGuard})
				wantFail(t, out, "closed the connection")
				if out.Got != "connection closed" {
					t.Errorf("Got = %q, want %q", out.Got, "connection closed")
				}
				if out.Line < 7 {
					t.Errorf("Line = %d, want the line of an expectation of the reply (7 or later)", out.Line)
				}
			})
		}
	}
}

func TestHostileNULAndInvalidUTF8(t *testing.T) {
	// A NUL, a DEL and bytes that are not UTF-8 in the text of a reply.
	bad := "hello\x00world\x7f \xff\xfe\xc3("
	replies := map[string]string{
		"smtp": "220 " + bad + "\r\n",
		"pop3": "+OK " + bad + "\r\n",
		"imap": "* OK " + bad + "\r\n",
	}
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/session", func(t *testing.T) {
			addr := startFake(t, greetThenSilent(replies[p.scheme]))
			s := dialFake(t, p.scheme, addr, Options{Timeout: hangGuard})
			var raw []byte
			var err error
			guard(t, func() { raw, err = p.read(s) })
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if string(raw) != replies[p.scheme] {
				t.Errorf("Raw = %q, want %q", raw, replies[p.scheme])
			}
		})
		t.Run(p.scheme+"/replay-mismatch", func(t *testing.T) {
			addr := startFake(t, greetThenSilent(replies[p.scheme]))
			// @ordered: an IMAP greeting is an untagged response, and an
			// unordered group would wait for a tagged completion.
			body := "S: nothing like this\n"
			if p.scheme == "imap" {
				body = "@ordered\n" + body
			}
			out := replayFake(t, p.scheme, p.scheme, addr, body, Options{Timeout: hangGuard})
			wantFail(t, out, "expected")
			// The display form escapes control characters and keeps
			// everything else as is.
			wantGot := strings.TrimSuffix(replies[p.scheme], "\r\n")
			wantGot = strings.ReplaceAll(strings.ReplaceAll(wantGot, "\x00", `\x00`), "\x7f", `\x7f`)
			if out.Got != wantGot {
				t.Errorf("Got = %q, want %q", out.Got, wantGot)
			}
			if strings.ContainsRune(out.Got, 0) || strings.Contains(out.Reason, "\x00") {
				t.Errorf("a raw NUL reached the outcome: Got %q, Reason %q", out.Got, out.Reason)
			}
			// The transcript keeps the exact bytes.
			found := false
			for _, e := range out.Entries {
				found = found || (e.Dir == Server && bytes.Equal(e.Data, []byte(replies[p.scheme])))
			}
			if !found {
				t.Errorf("the exact reply %q is not in the recorded entries %q", replies[p.scheme], entryData(out.Entries))
			}
		})
		t.Run(p.scheme+"/replay-match", func(t *testing.T) {
			// A pattern written against the display form matches; the
			// control characters are protocol violations (textstring,
			// RFC 5321 section 4.2; RFC 9051 section 9 excludes NUL),
			// reported as such. POP3 (RFC 1939) does not restrict the
			// text of a status line.
			addr := startFake(t, greetThenSilent(replies[p.scheme]))
			pattern := map[string]string{"smtp": "S: 220 ", "pop3": "S: +OK ", "imap": "S: * OK "}[p.scheme] + `hello\x00world\x7f *` + "\n"
			out := replayFake(t, p.scheme, p.scheme, addr, pattern, Options{Timeout: hangGuard})
			if p.scheme == "pop3" {
				if out.Verdict != Pass {
					t.Errorf("Replay = %s (%q), want pass", out.Verdict, out.Reason)
				}
				return
			}
			wantFail(t, out, "protocol violation")
			if len(out.Violations) == 0 {
				t.Error("no Violations in the outcome")
			}
		})
	}
}

func TestHostileDataAfterTLSGoAhead(t *testing.T) {
	servers := map[string]func(net.Conn){
		"smtp": lineServer("220 fake.test ESMTP\r\n", func(line string) (string, bool) {
			switch strings.ToUpper(line) {
			case "STARTTLS":
				return "220 go ahead\r\n250 injected\r\n", false
			}
			return "250-fake.test\r\n250 STARTTLS\r\n", false
		}),
		"pop3": lineServer("+OK fake POP3 ready\r\n", func(line string) (string, bool) {
			if strings.ToUpper(line) == "STLS" {
				return "+OK begin TLS\r\n+OK injected\r\n", false
			}
			return "+OK capability list follows\r\nSTLS\r\n.\r\n", false
		}),
		"imap": lineServer("* OK fake IMAP ready\r\n", func(line string) (string, bool) {
			tag := imapTag(line)
			if strings.HasSuffix(strings.ToUpper(line), " STARTTLS") {
				return tag + " OK begin TLS\r\n* OK injected\r\n", false
			}
			return "* CAPABILITY IMAP4rev2 STARTTLS\r\n" + tag + " OK done\r\n", false
		}),
	}
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/session", func(t *testing.T) {
			addr := startFake(t, servers[p.scheme])
			rec := NewRecorder()
			s := dialFake(t, p.scheme, addr, Options{Timeout: hangGuard, Recorder: rec})
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			var err error
			guard(t, func() {
				if err = s.Greet(); err != nil {
					return
				}
				err = s.StartTLSCommand(ctx)
			})
			if !errors.Is(err, ErrDataBeforeTLS) {
				t.Fatalf("STARTTLS with data after the go-ahead = %v; want an error wrapping ErrDataBeforeTLS", err)
			}
			if s.IsTLS() {
				t.Error("the TLS handshake ran over injected plaintext")
			}
			// The injected bytes are evidence: they are recorded.
			found := false
			for _, e := range rec.Entries() {
				found = found || (e.Dir == Server && bytes.Contains(e.Data, []byte("injected")))
			}
			if !found {
				t.Errorf("the injected bytes are not recorded: %q", entryData(rec.Entries()))
			}
		})
	}
	t.Run("smtp/session-StartTLS", func(t *testing.T) {
		// The low-level path: the caller reads the go-ahead itself.
		addr := startFake(t, servers["smtp"])
		s := dialFake(t, "smtp", addr, Options{Timeout: hangGuard})
		if _, err := s.SMTPHello(true); err != nil {
			t.Fatalf("SMTPHello: %v", err)
		}
		rep, err := s.SMTPCommand("STARTTLS")
		if err != nil || rep.Code != 220 {
			t.Fatalf("STARTTLS = %q, %v; want 220", rep.Raw, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		if err := s.StartTLS(ctx); !errors.Is(err, ErrDataBeforeTLS) {
			t.Errorf("StartTLS = %v; want an error wrapping ErrDataBeforeTLS", err)
		}
	})
	t.Run("smtp/replay", func(t *testing.T) {
		addr := startFake(t, servers["smtp"])
		out := replayFake(t, "smtp", "smtp", addr,
			"S: 220 *\nC: EHLO ${client}\nS*: 250-*\nS: 250 *\nC: STARTTLS\nS: 220*\nstarttls\n", Options{Timeout: hangGuard})
		wantFail(t, out, "STARTTLS failed")
		if !strings.Contains(out.Got, ErrDataBeforeTLS.Error()) {
			t.Errorf("Got %q does not report the data sent before the handshake", out.Got)
		}
		if out.Line != 11 {
			t.Errorf("Line = %d, want 11 (the starttls step)", out.Line)
		}
	})
}

// drip sends text one byte every 50ms until the connection is closed.
func drip(text string) func(net.Conn) {
	return func(c net.Conn) {
		go discardUntilQuit(c)
		for i := 0; ; i = (i + 1) % len(text) {
			if _, err := c.Write([]byte{text[i]}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

func TestHostileSlowDrip(t *testing.T) {
	// Each byte comes well within any idle timeout; the reply as a whole
	// never completes within the per-reply deadline.
	const timeout = 300 * time.Millisecond
	texts := map[string]string{
		"smtp": "220 " + strings.Repeat("slow ", 200) + "\r\n",
		"pop3": "+OK " + strings.Repeat("slow ", 200) + "\r\n",
		"imap": "* OK " + strings.Repeat("slow ", 200) + "\r\n",
	}
	for _, p := range fakeProtos {
		t.Run(p.scheme+"/session", func(t *testing.T) {
			addr := startFake(t, drip(texts[p.scheme]))
			s := dialFake(t, p.scheme, addr, Options{Timeout: timeout})
			var err error
			guard(t, func() { _, err = p.read(s) })
			if !errors.Is(err, ErrTimeout) {
				t.Errorf("read of a slow-drip reply = %v; want an error wrapping ErrTimeout", err)
			}
		})
		t.Run(p.scheme+"/replay", func(t *testing.T) {
			addr := startFake(t, drip(texts[p.scheme]))
			out := replayFake(t, p.scheme, p.scheme, addr, p.expect, Options{Timeout: timeout})
			wantFail(t, out, "no reply within")
		})
	}
}
