package serverfuzz

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Check runs one fuzz input against the server on a new pipe and returns
// the finding it triggers, or nil. A finding carries its reproducer
// transcript (Finding.Reproducer), recorded in a second run. Check may be
// called from several goroutines at once.
func (s *Server) Check(data []byte) *Finding {
	t, err := s.target()
	if err != nil {
		return &Finding{Kind: Crash, Protocol: s.Protocol, Summary: err.Error(), cmdIndex: -1}
	}
	return t.check(context.Background(), Decode(t.Protocol, data))
}

// check runs prog once, and on a finding once more with recording.
func (t *target) check(ctx context.Context, prog Program) *Finding {
	res := t.runFresh(ctx, prog, false)
	if res.err != nil {
		f := newFinding(t.Protocol, Crash, "greeting", StateSig{}, -1, res.err.Error())
		f.Program, f.Input = prog, prog.Encode()
		return f
	}
	f := res.finding
	if f == nil || f.Known != "" {
		return f
	}
	if rec := t.runFresh(ctx, prog, true); rec.finding != nil && rec.finding.Key() == f.Key() {
		rec.finding.Entries = t.entries(rec.events)
		rec.finding.Reproducer = t.reproducer(rec.finding, rec.events, rec.lenientFrom)
		return rec.finding
	}
	return f
}

// Fuzz adds the protocol's seed programs to f and fuzzes s with the
// native fuzzer: every input is decoded into a program (Decode) and run on
// a new pipe. A finding at level MUST or MUST NOT (with Server.Strict,
// any level) fails the input, with the finding and its reproducer
// transcript in the message. The count of goroutines must come back to
// what it was before each input: a server that leaves goroutines behind
// fails too.
//
// While fuzzing (go test -fuzz), an answer not there within FuzzTimeout
// is a hang, unless Server.Timeout says otherwise: Go's fuzzer gives up on
// an input that runs for 10 s, and an in-process server answers in
// microseconds. Running the seeds (plain go test) keeps the generous
// DefaultTimeout. Go's fuzzer also minimises a failing input for 60 s by
// default, running it over and over, each run of a hang costing the
// deadline; give it a count instead: go test -fuzz=FuzzX
// -fuzzminimizetime=100x.
//
// Fuzz hands f to this package, which OSS-Fuzz's and ClusterFuzzLite's
// build (go-118-fuzz-build) does not allow; a target meant for them uses
// NewNative in its own file instead.
func Fuzz(f *testing.F, s Server) {
	f.Helper()
	n, err := NewNative(s)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range n.Seeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := n.Check(data); err != nil {
			t.Fatal(err)
		}
	})
}

// Native is a native fuzz target's body without package testing: the
// seed inputs and the judgement of one input. A target built by
// go-118-fuzz-build (OSS-Fuzz, ClusterFuzzLite), which rewrites package
// testing in the target's own file only, uses it so that no *testing.F or
// *testing.T leaves that file:
//
//	func FuzzMyIMAP(f *testing.F) {
//		n, err := serverfuzz.NewNative(srv)
//		if err != nil {
//			f.Fatal(err)
//		}
//		for _, seed := range n.Seeds() {
//			f.Add(seed)
//		}
//		f.Fuzz(func(t *testing.T, data []byte) {
//			if err := n.Check(data); err != nil {
//				t.Fatal(err)
//			}
//		})
//	}
type Native struct {
	t      *target
	strict bool
}

// NewNative prepares s for native fuzzing. Its answer deadline, unless
// Server.Timeout sets one, is FuzzTimeout while Go's fuzzer runs (go test
// -fuzz) or outside of go test (a libFuzzer binary), and DefaultTimeout
// when go test runs the seeds.
func NewNative(s Server) (*Native, error) {
	if s.Timeout == 0 && (fuzzing() || !testing.Testing()) {
		s.Timeout = FuzzTimeout
	}
	t, err := s.target()
	if err != nil {
		return nil, fmt.Errorf("serverfuzz: %w", err)
	}
	return &Native{t: t, strict: s.Strict}, nil
}

// Seeds returns the protocol's seed programs, encoded (see Seeds).
func (n *Native) Seeds() [][]byte {
	progs := Seeds(n.t.Protocol)
	out := make([][]byte, len(progs))
	for i, prog := range progs {
		out[i] = prog.Encode()
	}
	return out
}

// Check runs one input as Fuzz does and returns why it fails, or nil: a
// finding that counts (MUST or MUST NOT, any level with Server.Strict,
// never a known one), described by Report with its reproducer, or
// goroutines the server left behind. Check may be called from several
// goroutines at once, but the goroutine count it checks is the process's:
// a leak is only told apart from another input's goroutines when inputs
// run one at a time, as in Go's and libFuzzer's workers.
func (n *Native) Check(data []byte) error {
	before := runtime.NumGoroutine()
	prog := Decode(n.t.Protocol, data)
	fd := n.t.check(context.Background(), prog)
	if fd != nil && fd.Known == "" && fd.Counts(n.strict) {
		return errors.New(Report(fd))
	}
	if msg := settle(before, n.t.timeout); msg != "" {
		return fmt.Errorf("goroutine leak after the program %s:\n%s", prog.Describe(n.t.Protocol), msg)
	}
	return nil
}

// FuzzTimeout is the answer deadline of Fuzz while fuzzing.
const FuzzTimeout = 2 * time.Second

// fuzzing reports whether go test runs with -fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// settle waits until no more goroutines run than before; it returns a
// description of the extra ones if they are still there after timeout.
func settle(before int, timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			return fmt.Sprintf("%d goroutines, %d before the input:\n%s", runtime.NumGoroutine(), before, buf)
		}
		time.Sleep(time.Millisecond)
	}
	return ""
}

// Report formats a finding for people: what, where, the program and its
// reproducer transcript.
func Report(f *Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", f.Kind, f.Summary)
	fmt.Fprintf(&b, "command %s in state %s; RFC %s section %s (%s)\n", f.Command, f.State, f.RFC, f.Section, f.Level)
	if f.Detail != "" {
		fmt.Fprintf(&b, "%s\n", f.Detail)
	}
	fmt.Fprintf(&b, "program: %s\ninput: %s\n", f.Program.Describe(f.Protocol), strconv.Quote(string(f.Input)))
	if f.Reproducer != nil {
		b.WriteString("reproducer transcript:\n")
		b.Write(bytes.TrimRight(f.Reproducer.Print(), "\n"))
	}
	return b.String()
}
