package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/serverfuzz"
	"github.com/mailspec/mailspec/transcripts/script"
)

// fakeIMAP is a small IMAP server (RFC 9051) for the fuzzer's tests: it
// answers every command, reads literals of every kind, and has one
// planted bug, reachable only in a state no seed program reaches: once
// EXPUNGE has run in the selected state, a command of the selected state
// whose arguments hold "*" (a sequence set to the last message: FETCH,
// STORE, COPY, SEARCH ...) is answered with a completion ended by a bare
// LF (RFC 9051 section 2.2, MUST).
type fakeIMAP struct {
	ln         net.Listener
	user, pass string
	mu         sync.Mutex
	buggy      bool
	commands   int
	onCommand  func(n int) // called with the count of commands served
	wg         sync.WaitGroup
}

func startFakeIMAP(t *testing.T, buggy bool) *fakeIMAP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeIMAP{ln: ln, user: "tester", pass: "s3cret-pass", buggy: buggy}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeIMAP) url() string {
	return "imap://" + s.user + ":" + s.pass + "@" + s.ln.Addr().String()
}

func (s *fakeIMAP) isBuggy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buggy
}

func (s *fakeIMAP) setBuggy(b bool) {
	s.mu.Lock()
	s.buggy = b
	s.mu.Unlock()
}

// maxFakeLine bounds a command, literals included.
const maxFakeLine = 1 << 20

// readCommand reads one command: its lines and literals. Synchronising
// literals get a continuation request; a literal too large is refused
// with BAD and the rest of the command is not read (the client sends no
// octets for a refused synchronising literal).
func readCommand(r *bufio.Reader, w *bufio.Writer) (string, error) {
	var cmd []byte
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			cmd = append(cmd, line...)
			if len(cmd) > maxFakeLine {
				return "", fmt.Errorf("line too long")
			}
			continue
		}
		if err != nil {
			return "", err
		}
		cmd = append(cmd, line...)
		text := strings.TrimRight(string(cmd), "\r\n")
		open := strings.LastIndexByte(text, '{')
		if open < 0 || !strings.HasSuffix(text, "}") {
			return text, nil
		}
		num := strings.TrimSuffix(text[open+1:len(text)-1], "+")
		n, err := strconv.ParseUint(num, 10, 32)
		if err != nil || num == "" {
			return text, nil
		}
		if n > maxFakeLine {
			return text[:open] + "{too-large}", nil
		}
		if !strings.HasSuffix(text, "+}") {
			w.WriteString("+ go ahead\r\n")
			w.Flush()
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(r, lit); err != nil {
			return "", err
		}
		cmd = append(append([]byte(text[:open]), '"'), bytes.ReplaceAll(lit, []byte{'\n'}, nil)...)
		cmd = append(cmd, '"')
	}
}

func validTag(tag string) bool {
	if tag == "" {
		return false
	}
	for _, c := range tag {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *fakeIMAP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReaderSize(c, 64<<10)
	w := bufio.NewWriter(c)
	w.WriteString("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 UNSELECT] fake ready\r\n")
	w.Flush()
	state, expunged := "notauth", false
	for {
		c.SetReadDeadline(time.Now().Add(time.Minute))
		line, err := readCommand(r, w)
		if err != nil {
			if err.Error() == "line too long" {
				w.WriteString("* BYE line too long\r\n")
				w.Flush()
			}
			return
		}
		s.mu.Lock()
		s.commands++
		n, hook := s.commands, s.onCommand
		s.mu.Unlock()
		if hook != nil {
			hook(n)
		}
		tag, rest, _ := strings.Cut(line, " ")
		if !validTag(tag) {
			w.WriteString("* BAD invalid tag\r\n")
			w.Flush()
			continue
		}
		name, args, _ := strings.Cut(rest, " ")
		ok := func(text string) { w.WriteString(tag + " OK " + text + "\r\n") }
		switch name = strings.ToUpper(name); {
		case strings.Contains(line, "{too-large}"):
			w.WriteString(tag + " BAD literal too large\r\n")
		case name == "CAPABILITY":
			w.WriteString("* CAPABILITY IMAP4rev1 IMAP4rev2 UNSELECT\r\n")
			ok("done")
		case name == "NOOP" || name == "CHECK":
			ok("done")
		case name == "LOGOUT":
			w.WriteString("* BYE bye\r\n")
			ok("done")
			w.Flush()
			return
		case name == "LOGIN" && state == "notauth":
			if args == strconv.Quote(s.user)+" "+strconv.Quote(s.pass) || args == s.user+" "+s.pass {
				state = "auth"
				ok("logged in")
			} else {
				w.WriteString(tag + " NO [AUTHENTICATIONFAILED] no\r\n")
			}
		case (name == "SELECT" || name == "EXAMINE") && state != "notauth":
			if strings.EqualFold(strings.Trim(args, `"`), "INBOX") {
				w.WriteString("* 3 EXISTS\r\n* FLAGS (\\Seen)\r\n")
				state, expunged = "selected", false
				ok("[READ-WRITE] selected")
			} else {
				state = "auth"
				w.WriteString(tag + " NO no such mailbox\r\n")
			}
		case (name == "CLOSE" || name == "UNSELECT") && state == "selected":
			state = "auth"
			ok("done")
		case name == "EXPUNGE" && state == "selected":
			expunged = true
			ok("expunged")
		case state == "selected" && strings.Contains(args, "*") && s.isBuggy() && expunged:
			w.WriteString(tag + " OK done\n")
		case name == "FETCH" && state == "selected":
			w.WriteString("* 1 FETCH (FLAGS (\\Seen))\r\n")
			ok("fetched")
		default:
			w.WriteString(tag + " BAD unknown command or wrong state\r\n")
		}
		w.Flush()
	}
}

// runFuzzMain runs the CLI with a hang guard.
func runFuzzMain(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := runMain(ctx, args, &out, &errb)
	return code, out.String(), errb.String()
}

// The planted bug is reachable only after EXPUNGE, which no seed
// program sends, then a FETCH with "*": the fuzzer finds it within a
// bounded number of executions for a fixed seed, writes a minimised
// reproducer and report.json, and mailspec replay fails the reproducer
// against the buggy server and passes it once the bug is fixed.
func TestFuzzFindsPlantedBug(t *testing.T) {
	srv := startFakeIMAP(t, true)
	out := t.TempDir()
	// The bound: with seed 7 and one worker the bug is found after
	// between 500 and 1000 executions (over seeds 1 to 12: from under
	// 125 to under 8000, half of them by 1000); the bound leaves room for
	// changes to the dictionary and the mutations.
	code, stdout, stderr := runFuzzMain(t, t.Context(), "fuzz", "--target", srv.url(), "--disposable",
		"--seed", "7", "--parallel", "1", "--execs", "5000", "--duration", "0", "--out", out, "--quiet")
	if code != 1 {
		t.Fatalf("fuzz exit %d, want 1 (a finding)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	rep, err := reports.ReadJSON(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var planted *reports.Finding
	for i, f := range rep.Findings {
		if f.Kind == "malformed-response" && strings.Contains(f.Summary, "in state selected") {
			planted = &rep.Findings[i]
		}
	}
	if planted == nil {
		t.Fatalf("no malformed-response finding in the selected state in %+v\nstdout:\n%s", rep.Findings, stdout)
	}
	if planted.Seed != "7" || len(planted.Transcript) == 0 || strings.Contains(fmt.Sprint(planted.Transcript), srv.pass) {
		t.Errorf("finding %+v: want seed 7 and a transcript without the password", planted)
	}
	file := ""
	if _, rest, ok := strings.Cut(planted.Summary, "reproducer "); ok {
		file = filepath.Join(out, rest)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("reproducer of %q: %v", planted.Summary, err)
	}
	s, err := script.Parse(file, data)
	if err != nil {
		t.Fatalf("the reproducer does not parse: %v\n%s", err, data)
	}
	text := string(data)
	for _, want := range []string{"EXPUNGE", "*", "${qpassword}"} {
		if !strings.Contains(text, want) {
			t.Errorf("reproducer lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, srv.pass) {
		t.Errorf("the reproducer holds the password:\n%s", text)
	}
	// Minimised: the fuzzer's LOGIN and SELECT, EXPUNGE, the command
	// with "*".
	sends := 0
	for _, st := range s.Steps {
		if st.Kind == script.Send || st.Kind == script.SendRaw {
			sends++
		}
	}
	if sends != 4 {
		t.Errorf("the reproducer sends %d commands, want 4 (LOGIN, SELECT, EXPUNGE, one with *):\n%s", sends, text)
	}

	code, stdout, stderr = runFuzzMain(t, t.Context(), "replay", "--target", srv.url(), "--out", t.TempDir(), file)
	if code != 1 || !strings.Contains(stdout, "FAIL") {
		t.Errorf("replay against the buggy server: exit %d, want 1 and FAIL\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	srv.setBuggy(false)
	code, stdout, stderr = runFuzzMain(t, t.Context(), "replay", "--target", srv.url(), "--out", t.TempDir(), file)
	if code != 0 {
		t.Errorf("replay against the fixed server: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

// Bad input gets one line on stderr and exit status 2.
func TestFuzzBadInput(t *testing.T) {
	srv := startFakeIMAP(t, false)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad URL", []string{"--target", "gopher://x:y@127.0.0.1:1"}, "unknown scheme"},
		{"refused", []string{"--target", "imap://tester:x@" + refused}, "refused"},
		{"wrong password", []string{"--target", "imap://tester:badpass123@" + srv.ln.Addr().String()}, "login"},
		{"not disposable", []string{"--target", srv.url()}, "disposable"},
		{"bad flag", []string{"--parallel", "0"}, "parallel"},
		{"two profiles", []string{"--target", srv.url(), "--profile", "/nonexistent.yaml"}, "profile"},
	} {
		args := append([]string{"fuzz", "--disposable", "--execs", "10", "--out", t.TempDir()}, tc.args...)
		if tc.name == "not disposable" {
			args = append([]string{"fuzz", "--execs", "10", "--out", t.TempDir()}, tc.args...)
		}
		code, stdout, stderr := runFuzzMain(t, t.Context(), args...)
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(strings.ToLower(stderr), tc.want) {
			t.Errorf("%s: exit %d, stderr %q (stdout %q); want 2 and one line with %q", tc.name, code, stderr, stdout, tc.want)
		}
		if strings.Contains(stderr, "badpass123") {
			t.Errorf("%s: the password is in the message: %q", tc.name, stderr)
		}
	}
}

// An interrupted campaign stops cleanly and writes its report.
func TestFuzzInterrupted(t *testing.T) {
	srv := startFakeIMAP(t, false)
	out := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Interrupt once the campaign runs: after the pre-flight's commands.
	srv.mu.Lock()
	srv.onCommand = func(n int) {
		if n == 100 {
			cancel()
		}
	}
	srv.mu.Unlock()
	code, stdout, stderr := runFuzzMain(t, ctx, "fuzz", "--target", srv.url(), "--disposable", "--duration", "1h", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "interrupted") {
		t.Errorf("stderr %q does not say it was interrupted", stderr)
	}
	rep, err := reports.ReadJSON(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 0 {
		t.Errorf("findings %+v, want none", rep.Findings)
	}
}

// fuzz import turns a crasher file into a reproducer transcript: here
// against the fake server, the program that reaches its planted bug.
func TestFuzzImport(t *testing.T) {
	srv := startFakeIMAP(t, true)
	expunge, _ := serverfuzz.NewCommand(serverfuzz.IMAP, "EXPUNGE", 0)
	fetch, _ := serverfuzz.NewCommand(serverfuzz.IMAP, "FETCH", 0, 2, 0) // FETCH 1:* FLAGS
	prog := serverfuzz.Program{State: serverfuzz.Selected, Cmds: []serverfuzz.Command{expunge, fetch}}
	dir := filepath.Join(t.TempDir(), "testdata", "fuzz", "FuzzMyIMAP")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	crasher := filepath.Join(dir, "0123abcd")
	if err := os.WriteFile(crasher, serverfuzz.FormatCorpusFile(prog.Encode()), 0o644); err != nil {
		t.Fatal(err)
	}
	harmless := filepath.Join(dir, "4567ef")
	if err := os.WriteFile(harmless, serverfuzz.FormatCorpusFile([]byte{0}), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, stdout, stderr := runFuzzMain(t, t.Context(), "fuzz", "import", "--target", srv.url(), "--disposable", "--out", out, crasher)
	if code != 0 || !strings.Contains(stdout, "malformed-response") {
		t.Fatalf("import: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(out, "fuzz-malformed-response-*.txt"))
	if len(matches) != 1 {
		t.Fatalf("reproducers %v, want one", matches)
	}
	code, stdout, _ = runFuzzMain(t, t.Context(), "replay", "--target", srv.url(), "--out", t.TempDir(), matches[0])
	if code != 1 {
		t.Errorf("replay of the imported reproducer: exit %d, want 1\n%s", code, stdout)
	}
	// A file that shows nothing is said so, with exit status 1.
	code, stdout, _ = runFuzzMain(t, t.Context(), "fuzz", "import", "--target", srv.url(), "--disposable", "--out", t.TempDir(), harmless)
	if code != 1 || !strings.Contains(stdout, "no finding") {
		t.Errorf("import of a harmless input: exit %d, stdout %q", code, stdout)
	}
	// A libFuzzer crash artifact of the same input, as an OSS-Fuzz build
	// of the target writes it: a 4-octet big-endian length first.
	artifact := filepath.Join(t.TempDir(), "crash-0123abcd")
	framed := binary.BigEndian.AppendUint32(nil, uint32(len(prog.Encode())))
	if err := os.WriteFile(artifact, append(framed, prog.Encode()...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runFuzzMain(t, t.Context(), "fuzz", "import", "--libfuzzer", "--protocol", "imap", "--target", srv.url(), "--disposable", "--out", t.TempDir(), artifact)
	if code != 0 || !strings.Contains(stdout, "malformed-response") {
		t.Errorf("import --libfuzzer: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if err := os.WriteFile(artifact, framed[:3], 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runFuzzMain(t, t.Context(), "fuzz", "import", "--libfuzzer", "--protocol", "imap", "--out", t.TempDir(), artifact)
	if code != 2 || !strings.Contains(stderr, "libFuzzer input of 3 octets") {
		t.Errorf("import --libfuzzer of a 3-octet file: exit %d, stderr %q", code, stderr)
	}
	// Not a crasher file.
	code, _, stderr = runFuzzMain(t, t.Context(), "fuzz", "import", "--out", t.TempDir(), filepath.Join(out, "report.json"))
	if code != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("import of a non-crasher: exit %d, stderr %q", code, stderr)
	}
}

// The report's findings carry what CI and people read.
func TestFuzzReportFinding(t *testing.T) {
	rf := reportFinding(&serverfuzz.Finding{Kind: serverfuzz.Hang, Command: "FETCH", Summary: "no answer", RFC: "9051", Section: "2.2.2", Level: "MUST", Seed: 9, Count: 3, Target: "t"}, &scrubber{})
	b, _ := json.Marshal(rf)
	for _, want := range []string{`"kind":"hang"`, `"seed":"9"`, `seen 3 times`, `"transcript":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
