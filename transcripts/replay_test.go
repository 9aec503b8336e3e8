package transcripts

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailspec/mailspec/targets/baselines"
	"github.com/mailspec/mailspec/transcripts/library"
	"github.com/mailspec/mailspec/transcripts/script"
)

// replay runs a script against env with the hang guard.
func replay(t *testing.T, s *script.Script, env *Env) Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*hangGuard)
	defer cancel()
	var out Outcome
	guard(t, func() { out = Replay(ctx, s, env) })
	return out
}

// readScript parses a transcript file of testdata.
func readScript(t *testing.T, name string) *script.Script {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return parseScript(t, name, string(data))
}

// describe formats an outcome for a failure message.
func describe(out Outcome) string {
	return fmt.Sprintf("%s: %s\n  expected: %q\n  got:      %q\n  line %d\n  transcript:\n    %s",
		out.Verdict, out.Reason, out.Expected, out.Got, out.Line, strings.Join(entryData(out.Entries), "\n    "))
}

// knownFailures returns the ids the embedded system's baseline lists.
func knownFailures(t *testing.T) map[string]bool {
	t.Helper()
	data, err := baselines.FS.ReadFile("embedded.yaml")
	if err != nil {
		t.Fatalf("baseline: %v", err)
	}
	var b struct {
		KnownFailures []struct {
			ID     string `yaml:"id"`
			Target string `yaml:"target"`
			Reason string `yaml:"reason"`
		} `yaml:"known_failures"`
	}
	if err := yaml.Unmarshal(data, &b); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	ids := map[string]bool{}
	for _, k := range b.KnownFailures {
		if k.Target == "" || k.Target == "embedded" {
			ids[k.ID] = true
		}
	}
	if len(ids) == 0 {
		t.Fatal("the embedded baseline lists no known failure")
	}
	return ids
}

func TestReplayLibraryEmbedded(t *testing.T) {
	env, _ := embeddedEnv(t)
	ss, err := script.ParseFS(library.FS, "*/*.txt")
	if err != nil {
		t.Fatalf("the library does not parse: %v", err)
	}
	known := knownFailures(t)
	seen := map[string]bool{}
	for _, s := range ss {
		t.Run(s.ID, func(t *testing.T) {
			out := replay(t, s, env)
			if known[s.ID] {
				seen[s.ID] = true
				if out.Verdict != Fail {
					t.Fatalf("a known failure of the embedded system is %s, want fail:\n%s", out.Verdict, describe(out))
				}
				if out.Expected == "" || out.Got == "" || out.Line == 0 {
					t.Errorf("a failure without expected/got/line:\n%s", describe(out))
				}
				return
			}
			if out.Verdict != Pass && out.Verdict != NotApplicable {
				t.Errorf("%s\n", describe(out))
			}
			if out.Verdict == NotApplicable && out.Reason == "" {
				t.Error("not applicable without a reason")
			}
			// No credential in any replay's transcript.
			for i, e := range out.Entries {
				for _, a := range env.Profile.Accounts {
					for _, f := range secretForms(a.User, a.Password) {
						if bytes.Contains(e.Data, []byte(f)) {
							t.Errorf("entry %d holds a credential of %s: %q", i, a.User, e.Data)
						}
					}
				}
			}
		})
	}
	// Whether every baseline id names a case (transcript or scenario) is
	// checked by cmd/mailspec's TestBaselinesNameCases, which sees both.
	_ = seen
}

func TestReplayMultiConnection(t *testing.T) {
	env, sys := embeddedEnv(t)
	s := readScript(t, "multi-conn.txt")
	out := replay(t, s, env)
	if out.Verdict != Pass {
		t.Fatalf("multi-conn.txt: %s", describe(out))
	}
	// Two connections, each with its own TLS handshake.
	conns := map[int]int{}
	for _, e := range out.Entries {
		if e.Dir == TLS {
			conns[e.Conn]++
		}
	}
	if len(conns) != 2 || conns[1] != 1 || conns[2] != 1 {
		t.Errorf("TLS handshakes per connection = %v, want one on each of connections 1 and 2", conns)
	}
	// The mailbox is gone afterwards.
	p := embeddedProfile(t, sys)
	check := parseScript(t, "check.txt", header("imap", "check")+`@requires STARTTLS
S: * OK*
C: a1 STARTTLS
S: a1 OK*
starttls
C: a2 LOGIN ${quser} ${qpassword}
S: a2 OK*
C: a3 LIST "" mailspec-${runid}-multi
S: * LIST *
S: a3 OK*
`)
	out = replay(t, check, &Env{Profile: p, Info: env.Info, Options: env.Options, RunID: env.RunID})
	if out.Verdict != Fail || !strings.Contains(out.Reason, `"* LIST *"`) {
		t.Errorf("LIST after the transcript: want a failure naming the missing LIST response (the mailbox was deleted), got\n%s", describe(out))
	}
}

// selectServer is a fake IMAP server that answers SELECT with the given
// responses, and every other command with a tagged OK.
func selectServer(responses string) func(net.Conn) {
	return lineServer("* OK fake IMAP ready\r\n", func(line string) (string, bool) {
		tag := imapTag(line)
		if strings.Contains(strings.ToUpper(line), " SELECT ") {
			return strings.ReplaceAll(responses, "TAG", tag), false
		}
		return tag + " OK done\r\n", false
	})
}

func TestReplayUnorderedUntagged(t *testing.T) {
	const body = `S: * OK*
C: a1 SELECT INBOX
S: * FLAGS (*)
S: * ${exists=*} EXISTS
S: * OK [UIDVALIDITY *]*
S: a1 OK*
`
	const inOrder = "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\nTAG OK [READ-WRITE] done\r\n"
	const shuffled = "* OK [UIDVALIDITY 7] UIDs valid\r\n* 3 EXISTS\r\n* OK [UIDNEXT 4] next\r\n* FLAGS (\\Seen \\Deleted)\r\nTAG OK [READ-WRITE] done\r\n"
	const late = "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\nTAG OK [READ-WRITE] done\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n"
	opts := Options{Timeout: hangGuard}

	t.Run("shuffled", func(t *testing.T) {
		addr := startFake(t, selectServer(shuffled))
		out := replayFake(t, "imap", "imap", addr, body, opts)
		if out.Verdict != Pass {
			t.Errorf("untagged responses in another order than written: %s", describe(out))
		}
	})
	t.Run("ordered/in-order", func(t *testing.T) {
		addr := startFake(t, selectServer(inOrder))
		out := replayFake(t, "imap", "imap", addr, "@ordered\n"+body, opts)
		if out.Verdict != Pass {
			t.Errorf("@ordered, responses in the order written: %s", describe(out))
		}
	})
	t.Run("ordered/shuffled", func(t *testing.T) {
		addr := startFake(t, selectServer(shuffled))
		out := replayFake(t, "imap", "imap", addr, "@ordered\n"+body, opts)
		wantFail(t, out, "expected")
		if out.Expected != "* FLAGS (*)" || out.Got != "* OK [UIDVALIDITY 7] UIDs valid" || out.Line != 8 {
			t.Errorf("@ordered, shuffled: Expected %q, Got %q, Line %d; want \"* FLAGS (*)\", the UIDVALIDITY response, 8",
				out.Expected, out.Got, out.Line)
		}
	})
	t.Run("untagged-after-tagged", func(t *testing.T) {
		addr := startFake(t, selectServer(late))
		out := replayFake(t, "imap", "imap", addr, body, opts)
		wantFail(t, out, `"* OK [UIDVALIDITY *]*"`)
		if !strings.Contains(out.Reason, "tagged completion came before") {
			t.Errorf("reason %q does not say the completion came first", out.Reason)
		}
		if out.Got != "a1 OK [READ-WRITE] done" || out.Line != 10 {
			t.Errorf("Got %q, Line %d; want the tagged OK and line 10 (the tagged expectation)", out.Got, out.Line)
		}
	})
}

func TestReplayMismatchEmbedded(t *testing.T) {
	env, _ := embeddedEnv(t)
	s := parseScript(t, "mismatch.txt", header("smtp", "mismatch")+`S*: 220-*
S: 220 *
C: EHLO ${client}
S*: 250-*
S: 250 *
C: NOOP
S: 250 nothing-like-this
close
`)
	out := replay(t, s, env)
	if out.Verdict != Fail {
		t.Fatalf("a wrong expectation: %s", describe(out))
	}
	if out.Expected != "250 nothing-like-this" {
		t.Errorf("Expected = %q, want %q", out.Expected, "250 nothing-like-this")
	}
	if !strings.HasPrefix(out.Got, "250 ") || out.Got == out.Expected {
		t.Errorf("Got = %q, want the server's 250 reply to NOOP", out.Got)
	}
	if out.Line != 11 {
		t.Errorf("Line = %d, want 11 (the S: line that did not match)", out.Line)
	}
	if !strings.HasPrefix(out.Reason, "mismatch.txt:11: ") {
		t.Errorf("Reason %q does not start with the file and line", out.Reason)
	}
}

func TestReplayNotApplicable(t *testing.T) {
	env, _ := embeddedEnv(t)
	t.Run("requires", func(t *testing.T) {
		s := parseScript(t, "xcap.txt", header("imap", "xcap")+"@requires XNOSUCHCAP\nS: * OK*\n")
		out := replay(t, s, env)
		if out.Verdict != NotApplicable || !strings.Contains(out.Reason, "XNOSUCHCAP") {
			t.Errorf("@requires XNOSUCHCAP: %s; want not-applicable naming XNOSUCHCAP", describe(out))
		}
		if len(out.Entries) != 0 {
			t.Errorf("a case that is not applicable talked to the server: %q", entryData(out.Entries))
		}
	})
	t.Run("endpoint", func(t *testing.T) {
		p := *env.Profile
		p.Endpoints = nil
		for _, ep := range env.Profile.Endpoints {
			if ep.Scheme != "pop3s" {
				p.Endpoints = append(p.Endpoints, ep)
			}
		}
		s := parseScript(t, "pop3s.txt", header("pop3", "pop3s")+"@endpoint pop3s\nS: +OK*\n")
		out := replay(t, s, &Env{Profile: &p, Info: env.Info, Options: env.Options, RunID: env.RunID})
		if out.Verdict != NotApplicable || !strings.Contains(out.Reason, "pop3s") {
			t.Errorf("@endpoint pop3s without a pop3s endpoint: %s; want not-applicable naming pop3s", describe(out))
		}
		// The same script with the endpoint runs.
		if out := replay(t, s, env); out.Verdict != Pass {
			t.Errorf("@endpoint pop3s with a pop3s endpoint: %s", describe(out))
		}
	})
	t.Run("starttls-on-implicit", func(t *testing.T) {
		s := parseScript(t, "imaps-starttls.txt", header("imap", "imaps-starttls")+"@endpoint imaps\nS: * OK*\nC: a1 STARTTLS\nS: a1 OK*\nstarttls\n")
		out := replay(t, s, env)
		if out.Verdict != NotApplicable || !strings.Contains(out.Reason, "implicit TLS") {
			t.Errorf("starttls on imaps: %s; want not-applicable", describe(out))
		}
	})
}

func TestReplayUnknownVariable(t *testing.T) {
	env, _ := embeddedEnv(t)
	for _, tc := range []struct{ name, body string }{
		{"send", "S*: 220-*\nS: 220 *\nC: EHLO ${nosuchvariable}\nS: 250*\n"},
		{"send-raw", "S*: 220-*\nS: 220 *\nC! EHLO ${nosuchvariable}\\r\\n\nS: 250*\n"},
		{"pattern", "S*: 220-*\nS: 220 ${nosuchvariable}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := parseScript(t, tc.name+".txt", header("smtp", tc.name)+tc.body)
			out := replay(t, s, env)
			if out.Verdict != Error {
				t.Errorf("an unknown variable: %s; want error (the harness's problem, not the server's)", describe(out))
			}
			if !strings.Contains(out.Reason, "nosuchvariable") {
				t.Errorf("reason %q does not name the variable", out.Reason)
			}
		})
	}
}

func TestReplayIMAPLiteralsEmbedded(t *testing.T) {
	env, _ := embeddedEnv(t)
	if !hasCap(env.Info["imap"].CapsAfterTLS, "LITERAL+") {
		t.Fatalf("the embedded IMAP server does not advertise LITERAL+ after TLS: %q", env.Info["imap"].CapsAfterTLS)
	}
	out := replay(t, readScript(t, "literals.txt"), env)
	if out.Verdict != Pass {
		t.Fatalf("literals.txt: %s", describe(out))
	}
	// The synchronising literal waited for "+", the other did not.
	var sent []string
	for _, e := range out.Entries {
		if e.Dir == Client && bytes.Contains(e.Data, []byte("APPEND")) {
			sent = append(sent, string(e.Data))
		}
	}
	syncLit := "Subject: sync\r\n\r\nsynchronising literal\r\n"
	nonSyncLit := "Subject: nonsync\r\n\r\nnon-synchronising literal\r\n"
	if len(sent) != 2 || !strings.HasSuffix(sent[0], fmt.Sprintf(" {%d}\r\n", len(syncLit))) ||
		!strings.HasSuffix(sent[1], fmt.Sprintf(" {%d+}\r\n%s\r\n", len(nonSyncLit), nonSyncLit)) {
		t.Errorf("APPEND writes = %q; want the {n} announcement alone, then {n+} with its bytes", sent)
	}
}

func TestReplayLiteralRefused(t *testing.T) {
	// The server refuses the synchronising literal with a tagged NO
	// instead of the continuation request.
	addr := startFake(t, lineServer("* OK fake IMAP ready\r\n", func(line string) (string, bool) {
		if strings.HasSuffix(line, "}") {
			return imapTag(line) + " NO [TOOBIG] not that\r\n", false
		}
		return imapTag(line) + " OK done\r\n", false
	}))
	out := replayFake(t, "imap", "imap", addr, "S: * OK*\nC: a1 APPEND INBOX {lit:Subject: x\\r\\n\\r\\nbody\\r\\n}\nS: a1 OK*\n", Options{Timeout: hangGuard})
	wantFail(t, out, "RFC 9051 section 4.3")
	if out.Got != "a1 NO [TOOBIG] not that" || out.Line != 6 {
		t.Errorf("Got %q, Line %d; want the tagged NO and line 6 (the C: line)", out.Got, out.Line)
	}
}

// toScriptEntries converts recorder entries into the entries
// script.FromRecording reads, where a server entry is one line (SMTP,
// POP3) or one response (IMAP).
func toScriptEntries(proto Protocol, entries []Entry) []script.Entry {
	var out []script.Entry
	for _, e := range entries {
		if e.Dir != Server || proto == IMAP {
			out = append(out, script.Entry{Conn: e.Conn, Dir: string(e.Dir), Data: e.Data})
			continue
		}
		for rest := e.Data; len(rest) > 0; {
			line := rest
			if i := bytes.IndexByte(rest, '\n'); i >= 0 {
				line = rest[:i+1]
			}
			rest = rest[len(line):]
			out = append(out, script.Entry{Conn: e.Conn, Dir: string(e.Dir), Data: line})
		}
	}
	return out
}

func TestRecordingRoundTrip(t *testing.T) {
	env, sys := embeddedEnv(t)
	p := embeddedProfile(t, sys)
	a := p.Accounts[0]
	creds := LoginCredentials{N: 1, User: a.User, Password: a.Password}
	cases := []struct {
		name, scheme string
		proto        Protocol
		// login says whether the session logs in: its transcript then
		// holds ${variable} references instead of the credentials.
		login bool
		run   func(ctx context.Context, s *Session) error
	}{
		{"imap", "imap", IMAP, false, func(ctx context.Context, s *Session) error {
			if err := s.Greet(); err != nil {
				return err
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				return err
			}
			if _, _, err := s.IMAPCommand("NOOP"); err != nil {
				return err
			}
			_, _, err := s.IMAPCommand("LOGOUT")
			return err
		}},
		{"smtp", "smtp", SMTP, false, func(ctx context.Context, s *Session) error {
			if err := s.Greet(); err != nil {
				return err
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				return err
			}
			if _, err := s.SMTPCommand("NOOP"); err != nil {
				return err
			}
			_, err := s.SMTPCommand("QUIT")
			return err
		}},
		{"pop3", "pop3", POP3, false, func(ctx context.Context, s *Session) error {
			if err := s.Greet(); err != nil {
				return err
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				return err
			}
			_, err := s.POP3Command("QUIT", false)
			return err
		}},
		{"imap-login", "imap", IMAP, true, func(ctx context.Context, s *Session) error {
			if err := s.Greet(); err != nil {
				return err
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				return err
			}
			if err := s.Login(ctx, creds); err != nil {
				return err
			}
			if _, _, err := s.IMAPCommand("SELECT INBOX"); err != nil {
				return err
			}
			_, _, err := s.IMAPCommand("LOGOUT")
			return err
		}},
		{"submission-auth", "submission", SMTP, true, func(ctx context.Context, s *Session) error {
			if err := s.Greet(); err != nil {
				return err
			}
			if err := s.UpgradeIfOffered(ctx); err != nil {
				return err
			}
			if err := s.Authenticate(ctx, "PLAIN", creds); err != nil {
				return err
			}
			_, err := s.SMTPCommand("QUIT")
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := NewRecorder()
			s := dialEmbedded(t, p, c.scheme, rec)
			ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
			defer cancel()
			if err := c.run(ctx, s); err != nil {
				t.Fatalf("recorded session: %v", err)
			}
			if got, err := s.ExpectClose(); err != nil || got != nil {
				t.Fatalf("ExpectClose at the end of the session = %q, %v", got, err)
			}
			entries := rec.Entries()
			if c.login {
				checkRedacted(t, p, entries)
			}
			meta := script.Script{ID: string(c.proto) + "/9999/1/recorded-" + c.name, Protocol: string(c.proto),
				Level: "MUST", RFCs: []script.RFCRef{{Number: "9999", Section: "1"}}}
			if c.scheme != string(c.proto) {
				meta.Endpoint = c.scheme
			}
			rs := script.FromRecording(meta, toScriptEntries(c.proto, entries), "")
			text := rs.Print()
			parsed, err := script.Parse("recorded.txt", text)
			if err != nil {
				t.Fatalf("Parse(Print(FromRecording(...))): %v\n%s", err, text)
			}
			out := replay(t, parsed, env)
			if out.Verdict != Pass {
				t.Errorf("replaying the recording: %s\nthe transcript:\n%s", describe(out), text)
			}
		})
	}
}
