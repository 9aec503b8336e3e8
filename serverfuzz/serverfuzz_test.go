package serverfuzz

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
)

func TestDecodeEncode(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want Program
	}{
		{nil, Program{}},
		{[]byte{5}, Program{State: Selected}},
		{[]byte{1, 3, 0x41, 2, 'a', 'b'}, Program{State: Authenticated, Cmds: []Command{{Op: 3, Shape: 0x41, Data: []byte("ab")}}}},
		// A length past the end takes what is there; a truncated header
		// still makes a command.
		{[]byte{0, 1, 2, 9, 'x', 7}, Program{Cmds: []Command{{Op: 1, Shape: 2, Data: []byte{'x', 7}}}}},
		{[]byte{0, 4}, Program{Cmds: []Command{{Op: 4}}}},
	} {
		got := Decode(IMAP, tc.in)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Decode(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	// POP3 has two states.
	if got := Decode(POP3, []byte{2}).State; got != Greeted {
		t.Errorf("Decode(POP3, 2).State = %v, want greeted", got)
	}
	// Decode(Encode(p)) == p for programs within the limits, and
	// Encode(Decode(b)) decodes the same for any bytes.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		p := Decode(IMAP, b)
		if len(p.Cmds) > MaxCommands {
			t.Fatalf("Decode(%q) has %d commands", b, len(p.Cmds))
		}
		if diff := cmp.Diff(p, Decode(IMAP, p.Encode())); diff != "" {
			t.Fatalf("Decode(Encode(%v)) (-want +got):\n%s", p, diff)
		}
	}
}

// Every form of every command renders, for any data, into what the
// fuzzer can follow: one line (CR and LF only in literals), an IMAP line
// that does not end in a literal announcement it did not mean, and POP3
// multi-line forms whose argument is never empty.
func TestRender(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := placeholderCtx(IMAP)
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		d := dictFor(p)
		for op, sp := range d.specs {
			for form := range sp.forms {
				for n := range 200 {
					data := make([]byte, rng.IntN(40))
					for i := range data {
						data[i] = byte(rng.IntN(256))
					}
					if n == 0 {
						data = nil
					}
					c := Command{Op: byte(op), Shape: byte(form), Data: data}
					r := d.render(c, ctx)
					if r.name != sp.name {
						t.Fatalf("%s %s: name %q", p, sp.name, r.name)
					}
					for _, s := range r.segs {
						if !s.lit && bytes.ContainsAny(s.text, "\r\n") {
							t.Fatalf("%s %s form %d data %q: line %q holds CR or LF", p, sp.name, form, data, r.describe())
						}
					}
					if p == IMAP && len(r.segs) > 0 {
						last := r.segs[len(r.segs)-1]
						if !last.lit && bytes.HasSuffix(last.text, []byte("}")) && bytes.Contains(last.text, []byte("{")) {
							t.Fatalf("IMAP %s: line ends like a literal: %q", sp.name, r.describe())
						}
					}
					if p == POP3 && r.multi && (r.verb == "LIST" || r.verb == "UIDL") {
						if line := string(r.line()); line != r.verb+"\r\n" && line != strings.ToLower(r.verb)+"\r\n" {
							t.Fatalf("POP3 %s: a multi-line form with an argument: %q", sp.name, line)
						}
					}
					for _, f := range r.follow {
						if bytes.ContainsAny(f, "\n") && r.verb != "DATA" {
							t.Fatalf("%s %s: follow-up %q holds LF", p, sp.name, f)
						}
					}
				}
			}
		}
	}
}

// An SMTP message always ends in CRLF "." CRLF, once, however the data
// reads: the server's end of data is where the fuzzer means it.
func TestSMTPBody(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	d := dictFor(SMTP)
	op := d.byName["DATA"]
	for range 2000 {
		data := make([]byte, rng.IntN(80))
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		r := d.render(Command{Op: byte(op), Data: data}, placeholderCtx(SMTP))
		msg := append([]byte("DATA\r\n"), r.follow[0]...)
		msg = append(msg, "\r\n"...)
		if !bytes.HasSuffix(msg, []byte("\r\n.\r\n")) || bytes.Count(msg, []byte("\r\n.\r\n")) != 1 {
			t.Fatalf("message %q: want one CRLF.CRLF, at its end", msg)
		}
	}
}

func TestSeeds(t *testing.T) {
	for _, p := range []Protocol{SMTP, POP3, IMAP} {
		states := map[State]bool{}
		for _, s := range Seeds(p) {
			states[s.State] = true
			if diff := cmp.Diff(s, Decode(p, s.Encode())); diff != "" {
				t.Errorf("%s seed does not survive encoding (-want +got):\n%s", p, diff)
			}
		}
		if !states[Greeted] || !states[Authenticated] || (p != POP3 && !states[Selected]) {
			t.Errorf("%s seeds reach %v, want every state", p, states)
		}
	}
}

// kindProgram is, per fault of the toys, the program that triggers it.
func kindProgram(t *testing.T, p Protocol, fault string) Program {
	if p == SMTP && fault == "data" {
		data, err := NewCommand(SMTP, "DATA", 0, append([]byte{1}, chunk("malformed")...)...)
		if err != nil {
			t.Fatal(err)
		}
		return Program{State: Selected, Cmds: []Command{data}}
	}
	return Program{State: Authenticated, Cmds: []Command{raw(t, p, "NOOP"), raw(t, p, "NOOP "+fault)}}
}

// For each kind of fault: the in-process check finds it with the right
// kind, and its reproducer transcript parses, fails when replayed against
// the buggy server on TCP, and passes against a correct one.
func TestFindingsAndReproducers(t *testing.T) {
	for _, tc := range []struct {
		proto Protocol
		fault string
		kind  Kind
		level string
	}{
		{IMAP, "malformed", MalformedResponse, "MUST"},
		{IMAP, "hang", Hang, "MUST"},
		{IMAP, "bye", Disconnect, "SHOULD NOT"},
		{IMAP, "tag", TagMismatch, "MUST"},
		{IMAP, "boom", Panic, "MUST"},
		{SMTP, "malformed", MalformedResponse, "MUST"},
		{SMTP, "bye", Disconnect, "MUST NOT"},
		{SMTP, "data", MalformedResponse, "MUST"},
		{POP3, "malformed", MalformedResponse, "MUST"},
		{POP3, "hang", Hang, "MUST"},
	} {
		t.Run(string(tc.proto)+"/"+tc.fault, func(t *testing.T) {
			t.Parallel()
			buggy := newToy(t, tc.proto, true)
			srv := buggy.server()
			prog := kindProgram(t, tc.proto, tc.fault)
			f := srv.Check(prog.Encode())
			if f == nil {
				t.Fatal("no finding")
			}
			if f.Kind != tc.kind || f.Level != tc.level {
				t.Errorf("finding %v at level %s, want %s at %s", f, f.Level, tc.kind, tc.level)
			}
			if f.Reproducer == nil {
				t.Fatal("no reproducer")
			}
			text := f.Reproducer.Print()
			s, err := script.Parse(f.Reproducer.File, text)
			if err != nil {
				t.Fatalf("the reproducer does not parse: %v\n%s", err, text)
			}
			if bytes.Contains(text, []byte(toyPass)) {
				t.Errorf("the reproducer holds the password:\n%s", text)
			}
			// Replay on TCP, where a panic only ends the connection.
			for _, bug := range []bool{true, false} {
				ty := newToy(t, tc.proto, bug)
				addr := ty.listen(t)
				out := replay(t, s, tc.proto, addr)
				want := transcripts.Fail
				if !bug {
					want = transcripts.Pass
				}
				if out.Verdict != want {
					t.Errorf("replay against the server (buggy %v): %s (%s), want %s\n%s", bug, out.Verdict, out.Reason, want, text)
				}
			}
		})
	}
}

// replay runs a transcript against a toy on TCP.
func replay(t *testing.T, s *script.Script, p Protocol, addr string) transcripts.Outcome {
	t.Helper()
	ep, _, err := transcripts.ParseEndpoint(string(p) + "://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	prof := &transcripts.Profile{Name: "toy", Endpoints: []transcripts.Endpoint{ep},
		Accounts: []transcripts.Account{{User: toyUser, Password: toyPass, Address: toyUser + "@example.test"}}}
	env := &transcripts.Env{Profile: prof, Options: transcripts.Options{Timeout: 2 * time.Second}, RunID: "t"}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return transcripts.Replay(ctx, s, env)
}

// The minimiser keeps the commands the fault needs, in the lowest state,
// with the shortest data.
func TestMinimize(t *testing.T) {
	ty := newToy(t, IMAP, true)
	srv := ty.server()
	tg, err := srv.target()
	if err != nil {
		t.Fatal(err)
	}
	junk, _ := NewCommand(IMAP, "CAPABILITY", 1, chunk("junk junk")...)
	prog := Program{State: Selected, Cmds: []Command{junk, raw(t, IMAP, "NOOP"), raw(t, IMAP, "NOOP malformed"), junk}}
	res := tg.runFresh(t.Context(), prog, false)
	if res.finding == nil {
		t.Fatal("no finding")
	}
	m := &minimizer{t: tg, key: res.finding.Key(), budget: 1000}
	got, complete := m.minimize(t.Context(), prog)
	if !complete {
		t.Errorf("the minimiser stopped short after %d runs", m.runs)
	}
	want := Program{State: Greeted, Cmds: []Command{raw(t, IMAP, "NOOP malformed")}}
	// The state is part of the signature: the minimiser keeps the lowest
	// state with the same one, and the data can lose nothing.
	want.State = got.State
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("minimised (-want +got):\n%s", diff)
	}
}

// A campaign against a live server keeps its connections between
// executions, finds a fault no seed shows, and keeps its corpus in a
// directory it resumes from.
func TestCampaignLive(t *testing.T) {
	ty := newToy(t, IMAP, true)
	addr := ty.listen(t)
	dir := t.TempDir()
	c := &Campaign{
		Targets: []Target{ty.target(addr)}, Seed: 1, Execs: 2000, Parallel: 1, CorpusDir: dir,
		// Seeds that only reach a NOOP with an argument the toy ignores.
		Seeds:        map[Protocol][]Program{IMAP: {{State: Authenticated, Cmds: []Command{raw(t, IMAP, "NOOP x")}}}},
		MinimizeRuns: 50,
	}
	res, err := c.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res.Execs != 2000 || res.States == 0 || res.Corpus == 0 {
		t.Errorf("result %+v", res)
	}
	ty.mu.Lock()
	conns := ty.conns
	ty.mu.Unlock()
	if conns >= int(res.Execs)/2 {
		t.Errorf("%d connections for %d executions: connections are not kept", conns, res.Execs)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "imap", "*"))
	if len(files) == 0 {
		t.Fatal("no corpus file written")
	}
	// A second campaign starts from the corpus.
	c2 := &Campaign{Targets: []Target{ty.target(addr)}, Seed: 2, Execs: int64(len(files)), Parallel: 1, CorpusDir: dir,
		Seeds: map[Protocol][]Program{IMAP: nil}}
	res2, err := c2.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if res2.Corpus < len(files) {
		t.Errorf("the second campaign's corpus has %d programs, want at least the %d files", res2.Corpus, len(files))
	}
	// Native corpus files are read too.
	native := filepath.Join(dir, "imap", "native")
	if err := os.WriteFile(native, FormatCorpusFile(Seeds(IMAP)[1].Encode()), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := readCorpus(filepath.Join(dir, "imap"), IMAP); len(got) != len(files)+1 {
		t.Errorf("readCorpus: %d programs, want %d", len(got), len(files)+1)
	}
}

// A Serve that does not return once the client closed is a finding (a
// goroutine leak); one that panics is one too.
func TestInProcessServe(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	ty := newToy(t, IMAP, false)
	srv := ty.server()
	srv.Timeout = 500 * time.Millisecond
	srv.Serve = func(c net.Conn) {
		ty.serve(c)
		<-release
	}
	f := srv.Check(Seeds(IMAP)[1].Encode())
	if f == nil || f.Kind != Hang || !strings.Contains(f.Summary, "goroutine leak") {
		t.Errorf("Check with a Serve that never returns: %v, want a hang (goroutine leak)", f)
	}
	srv.Serve = func(c net.Conn) { panic("at once") }
	if f := srv.Check(nil); f == nil || f.Kind != Panic || !strings.Contains(f.Detail, "at once") {
		t.Errorf("Check with a Serve that panics: %v, want a panic", f)
	}
	// A panic the server recovers and reports.
	srv.Serve = ty.serve
	srv.Panicked = func() string { return "recovered: boom" }
	if f := srv.Check(nil); f == nil || f.Kind != Panic {
		t.Errorf("Check with Panicked reporting: %v, want a panic", f)
	}
}

// Known findings are marked, and avoided commands are not sent.
func TestKnownAndAvoid(t *testing.T) {
	ty := newToy(t, IMAP, true)
	srv := ty.server()
	srv.Known = func(f *Finding) string {
		if bytes.Contains(f.Line, []byte("malformed")) {
			return "the toy's known bug"
		}
		return ""
	}
	prog := kindProgram(t, IMAP, "malformed")
	if f := srv.Check(prog.Encode()); f == nil || f.Known != "the toy's known bug" {
		t.Errorf("Check: %v, want a known finding", f)
	}
	srv.Avoid = func(cmd []byte) bool { return bytes.Contains(cmd, []byte("malformed")) }
	if f := srv.Check(prog.Encode()); f != nil {
		t.Errorf("Check with the command avoided: %v, want nothing", f)
	}
}

func TestCorpusFile(t *testing.T) {
	for _, in := range [][]byte{nil, {0}, []byte("a\"b\x00\xff\n")} {
		got, err := ParseCorpusFile(FormatCorpusFile(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Errorf("ParseCorpusFile(FormatCorpusFile(%q)) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "go test fuzz v1\n", "go test fuzz v1\nstring(\"x\")\n", "go test fuzz v1\n[]byte(\"a\")\n[]byte(\"b\")\n", "hello"} {
		if _, err := ParseCorpusFile([]byte(bad)); err == nil {
			t.Errorf("ParseCorpusFile(%q) succeeded", bad)
		}
	}
}

// Native judges an input as Fuzz does: a finding that counts fails it
// with its report, a known one does not, and neither does a clean run;
// goroutines the server leaves behind fail it.
func TestNative(t *testing.T) {
	ty := newToy(t, IMAP, true)
	srv := ty.server()
	srv.Timeout = time.Second
	n, err := NewNative(srv)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(n.Seeds()), len(Seeds(IMAP)); got != want || want == 0 {
		t.Fatalf("Seeds: %d inputs, want %d", got, want)
	}
	for i, seed := range n.Seeds() {
		if err := n.Check(seed); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
	bad := kindProgram(t, IMAP, "malformed").Encode()
	err = n.Check(bad)
	if err == nil || !strings.Contains(err.Error(), string(MalformedResponse)) || !strings.Contains(err.Error(), "reproducer transcript:") {
		t.Errorf("Check of a malformed answer: %v, want a malformed-response report with its reproducer", err)
	}

	srv.Known = func(f *Finding) string { return "known" }
	if n, err = NewNative(srv); err != nil {
		t.Fatal(err)
	}
	if err := n.Check(bad); err != nil {
		t.Errorf("Check of a known finding: %v, want nil", err)
	}

	release := make(chan struct{})
	defer close(release)
	srv.Known = nil
	srv.Serve = func(c net.Conn) {
		go func() { <-release }()
		ty.serve(c)
	}
	srv.Timeout = 200 * time.Millisecond
	if n, err = NewNative(srv); err != nil {
		t.Fatal(err)
	}
	if err := n.Check(Seeds(IMAP)[1].Encode()); err == nil || !strings.Contains(err.Error(), "goroutine leak") {
		t.Errorf("Check of a server that leaves a goroutine: %v, want a goroutine leak", err)
	}
}

// ParseLibFuzzerInput undoes go-118-fuzz-build's framing as
// go-fuzz-headers reads it.
func TestParseLibFuzzerInput(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"\x00\x00\x00\x05hello", "hello", false},
		{"\x00\x00\x00\x02hello", "he", false},
		{"\x00\x00\x00\x07hello", "he", false}, // 7 mod 5
		{"\x00\x00\x00\x05hello world", "hello", false},
		{"\x00\x00\x00\x00" + strings.Repeat("x", 40), strings.Repeat("x", 30), false},
		{"\x00\x00\x00\x01", "", true},
		{"", "", true},
	} {
		got, err := ParseLibFuzzerInput([]byte(tc.in))
		if (err != nil) != tc.err || string(got) != tc.want {
			t.Errorf("ParseLibFuzzerInput(%q) = %q, %v; want %q (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}
