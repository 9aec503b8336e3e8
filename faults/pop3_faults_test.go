package faults

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/targets/embedded"
)

// pop3Step is one exchange a POP3 fault sees: a greeting (cmd empty and
// greeting set), a reply to cmd, or the command cmd itself (command set).
type pop3Step struct {
	greeting, command bool
	cmd               string // the client's command line, without CRLF
	raw               string // the server's reply (ignored for a command)
	authenticated     bool
}

// pop3Result is what a fault made of one exchange.
type pop3Result struct {
	Reply, Line, Respond, After string
	CloseAfter, Held            bool
}

// runPOP3Fault runs the steps through the hooks of the named fault, on
// one connection, and returns what each exchange became.
func runPOP3Fault(t *testing.T, name string, steps []pop3Step) []pop3Result {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("fault %s is not registered", name)
	}
	conn := &ConnState{ID: 1, Values: map[string]any{}}
	shared := &Shared{Values: map[string]any{}}
	var out []pop3Result
	for _, s := range steps {
		e := &Exchange{Proxy: shared, Conn: conn, State: State{Greeted: !s.greeting, Authenticated: s.authenticated}}
		var hook func(*Exchange)
		switch {
		case s.greeting:
			hook = f.OnGreeting
			e.Raw = []byte(s.raw)
			e.Reply = []byte(s.raw)
		case s.command:
			hook = f.OnCommand
			e.Command = parseCommand(POP3, []byte(s.cmd+"\r\n"))
			e.Raw = e.Command.Line
			e.Line = []byte(s.cmd + "\r\n")
		default:
			hook = f.OnReply
			e.Command = parseCommand(POP3, []byte(s.cmd+"\r\n"))
			e.Raw = []byte(s.raw)
			e.Reply = []byte(s.raw)
		}
		if hook != nil {
			hook(e)
		}
		out = append(out, pop3Result{Reply: string(e.Reply), Line: string(e.Line), Respond: string(e.Respond), After: string(e.After),
			CloseAfter: e.CloseAfter, Held: e.HoldOpen > 0})
	}
	return out
}

func p3Reply(cmd, raw string) pop3Step     { return pop3Step{cmd: cmd, raw: raw} }
func p3ReplyAuth(cmd, raw string) pop3Step { return pop3Step{cmd: cmd, raw: raw, authenticated: true} }
func p3Command(cmd string) pop3Step        { return pop3Step{command: true, cmd: cmd} }
func p3CommandAuth(cmd string) pop3Step {
	return pop3Step{command: true, cmd: cmd, authenticated: true}
}
func p3Replied(r string) pop3Result             { return pop3Result{Reply: r} }
func p3Forwarded(line string) pop3Result        { return pop3Result{Line: line + "\r\n"} }
func p3Answered(respond string) pop3Result      { return pop3Result{Respond: respond} }
func p3GreetingStep(raw string) pop3Step        { return pop3Step{greeting: true, raw: raw} }
func p3RepliedAfter(r, after string) pop3Result { return pop3Result{Reply: r, After: after} }

const (
	p3RetrOK   = "+OK 30 octets\r\nSubject: x\r\n\r\n..dot\r\nlast\r\n.\r\n"
	p3ListOK   = "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"
	p3UidlOK   = "+OK\r\n1 a.1\r\n2 a.2\r\n.\r\n"
	p3CapaPre  = "+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n"
	p3TopThree = "+OK\r\nSubject: x\r\n\r\none\r\ntwo\r\nthree\r\n.\r\n"
)

// TestPOP3Faults proves each POP3 fault of pop3_faults.go on the exchanges
// it acts on, and shows it leaving the others alone.
func TestPOP3Faults(t *testing.T) {
	tests := []struct {
		fault string
		steps []pop3Step
		want  []pop3Result
	}{
		{"pop3-greeting-err", []pop3Step{p3GreetingStep("+OK ready\r\n")}, []pop3Result{p3Replied("-ERR mailspec fault: not ready\r\n")}},
		{"pop3-status-lower-case",
			[]pop3Step{p3Reply("XYZ", "-ERR unknown\r\n"), p3Reply("NOOP", "+OK\r\n")},
			[]pop3Result{p3Replied("-err unknown\r\n"), p3Replied("+OK\r\n")}},
		{"pop3-unknown-command-ok",
			[]pop3Step{p3CommandAuth("XMAILSPEC"), p3CommandAuth("NOOP")},
			[]pop3Result{p3Answered("+OK\r\n"), p3Forwarded("NOOP")}},
		{"pop3-case-sensitive",
			[]pop3Step{p3CommandAuth("stat"), p3CommandAuth("STAT")},
			[]pop3Result{p3Answered("-ERR unknown command\r\n"), p3Forwarded("STAT")}},
		{"pop3-bad-argument-ok",
			[]pop3Step{p3ReplyAuth("DELE x", "-ERR bad\r\n"), p3ReplyAuth("LIST 9", "-ERR no such message\r\n"), p3ReplyAuth("UIDL 9", "-ERR no\r\n"),
				p3ReplyAuth("TOP 9 0", "-ERR no\r\n"), p3ReplyAuth("LIST 1", "+OK 1 120\r\n"), p3ReplyAuth("NOOP", "-ERR x\r\n")},
			[]pop3Result{p3Replied("+OK\r\n"), p3Replied("+OK 9 100\r\n"), p3Replied("+OK 9 mailspec-fault\r\n"), p3Replied("+OK\r\n.\r\n"),
				p3Replied("+OK 1 120\r\n"), p3Replied("-ERR x\r\n")}},
		{"pop3-long-line-ok",
			[]pop3Step{p3Reply("USER "+string(make([]byte, 300)), "-ERR too long\r\n"), p3Reply("USER x", "-ERR no\r\n")},
			[]pop3Result{p3Replied("+OK\r\n"), p3Replied("-ERR no\r\n")}},
		{"pop3-commands-before-login-ok",
			[]pop3Step{p3Command("STAT"), p3Command("LIST"), p3Command("RETR 1"), p3Command("NOOP"), p3Command("USER a"), p3CommandAuth("STAT")},
			[]pop3Result{p3Answered("+OK 0 0\r\n"), p3Answered("+OK\r\n.\r\n"), p3Answered("+OK\r\n.\r\n"), p3Answered("+OK\r\n"), p3Forwarded("USER a"), p3Forwarded("STAT")}},
		{"pop3-login-commands-after-login-ok",
			[]pop3Step{p3CommandAuth("USER a"), p3CommandAuth("STLS"), p3CommandAuth("AUTH PLAIN x"), p3Command("USER a"), p3CommandAuth("STAT")},
			[]pop3Result{p3Answered("+OK\r\n"), p3Answered("+OK\r\n"), p3Answered("+OK\r\n"), p3Forwarded("USER a"), p3Forwarded("STAT")}},
		{"pop3-quit-no-close",
			[]pop3Step{p3ReplyAuth("QUIT", "+OK bye\r\n"), p3Reply("NOOP", "+OK\r\n")},
			[]pop3Result{{Reply: "+OK bye\r\n", Held: true}, p3Replied("+OK\r\n")}},
		{"pop3-bad-pass-ok",
			[]pop3Step{p3Reply("PASS x", "-ERR [AUTH] invalid\r\n"), p3Reply("USER x", "-ERR no\r\n")},
			[]pop3Result{p3Replied("+OK maildrop locked and ready\r\n"), p3Replied("-ERR no\r\n")}},
		{"pop3-login-refused",
			[]pop3Step{p3Reply("PASS x", "+OK ready\r\n"), p3Reply("AUTH PLAIN x", "+OK in\r\n"), p3Reply("USER x", "+OK\r\n")},
			[]pop3Result{p3Replied("-ERR [AUTH] invalid credentials\r\n"), p3Replied("-ERR [AUTH] invalid credentials\r\n"), p3Replied("+OK\r\n")}},
		{"pop3-auth-cancel-accepted",
			[]pop3Step{p3Reply("AUTH PLAIN", "+ \r\n"), p3Reply("AUTH PLAIN", "-ERR cancelled\r\n"), p3Reply("AUTH PLAIN x", "-ERR bad\r\n")},
			[]pop3Result{p3Replied("+ \r\n"), p3Replied("+OK authenticated\r\n"), p3Replied("-ERR bad\r\n")}},
		{"pop3-auth-challenge-text",
			[]pop3Step{p3Reply("AUTH PLAIN", "+ \r\n"), p3Reply("AUTH LOGIN", "+ VXNlcm5hbWU6\r\n")},
			[]pop3Result{p3Replied("+ bWFpbHNwZWM=\r\n"), p3Replied("+ VXNlcm5hbWU6\r\n")}},
		{"pop3-auth-code-missing",
			[]pop3Step{p3Reply("PASS x", "-ERR [AUTH] invalid\r\n"), p3Reply("PASS x", "-ERR [IN-USE] locked\r\n")},
			[]pop3Result{p3Replied("-ERR invalid\r\n"), p3Replied("-ERR [IN-USE] locked\r\n")}},
		{"pop3-resp-code-malformed",
			[]pop3Step{p3Reply("PASS x", "-ERR [AUTH] invalid\r\n"), p3Reply("PASS x", "-ERR invalid\r\n")},
			[]pop3Result{p3Replied("-ERR [AUTH invalid\r\n"), p3Replied("-ERR invalid\r\n")}},
		{"pop3-in-use-ok",
			[]pop3Step{p3Reply("PASS x", "-ERR [IN-USE] locked\r\n"), p3Reply("PASS x", "-ERR [AUTH] invalid\r\n")},
			[]pop3Result{p3Replied("+OK maildrop locked and ready\r\n"), p3Replied("-ERR [AUTH] invalid\r\n")}},
		{"pop3-stat-two-spaces",
			[]pop3Step{p3ReplyAuth("STAT", "+OK 2 320\r\n")},
			[]pop3Result{p3Replied("+OK  2 320\r\n")}},
		{"pop3-list-two-spaces",
			[]pop3Step{p3ReplyAuth("LIST", p3ListOK), p3ReplyAuth("LIST 1", "+OK 1 120\r\n")},
			[]pop3Result{p3Replied("+OK 2 messages\r\n1  120\r\n2  200\r\n.\r\n"), p3Replied("+OK 1 120\r\n")}},
		{"pop3-list-lf-octets",
			[]pop3Step{p3ReplyAuth("LIST 1", "+OK 1 30\r\n"), p3ReplyAuth("RETR 1", p3RetrOK), p3ReplyAuth("LIST 1", "+OK 1 30\r\n"), p3ReplyAuth("LIST 2", "+OK 2 30\r\n")},
			[]pop3Result{p3Replied("+OK 1 30\r\n"), p3Replied(p3RetrOK), p3Replied("+OK 1 26\r\n"), p3Replied("+OK 2 30\r\n")}},
		{"pop3-dele-noop",
			[]pop3Step{p3CommandAuth("DELE 1"), p3Command("DELE 1")},
			[]pop3Result{p3Answered("+OK message deleted\r\n"), p3Forwarded("DELE 1")}},
		{"pop3-rset-noop",
			[]pop3Step{p3CommandAuth("RSET"), p3CommandAuth("NOOP")},
			[]pop3Result{p3Answered("+OK\r\n"), p3Forwarded("NOOP")}},
		{"pop3-noop-err",
			[]pop3Step{p3ReplyAuth("NOOP", "+OK\r\n"), p3ReplyAuth("STAT", "+OK 0 0\r\n")},
			[]pop3Result{p3Replied("-ERR\r\n"), p3Replied("+OK 0 0\r\n")}},
		{"pop3-quit-no-update",
			[]pop3Step{p3CommandAuth("QUIT"), p3Command("QUIT")},
			[]pop3Result{{Respond: "+OK bye\r\n", CloseAfter: true}, p3Forwarded("QUIT")}},
		{"pop3-message-last-line-dropped",
			[]pop3Step{p3ReplyAuth("RETR 1", p3RetrOK), p3ReplyAuth("TOP 1 3", p3TopThree), p3ReplyAuth("LIST", p3ListOK)},
			[]pop3Result{p3Replied("+OK 30 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n"), p3Replied("+OK\r\nSubject: x\r\n\r\none\r\ntwo\r\n.\r\n"), p3Replied(p3ListOK)}},
		{"pop3-multiline-no-terminator",
			[]pop3Step{p3ReplyAuth("RETR 1", p3RetrOK), p3ReplyAuth("RETR 2", "-ERR no\r\n")},
			[]pop3Result{{Reply: "+OK 30 octets\r\nSubject: x\r\n\r\n..dot\r\nlast\r\n", CloseAfter: true}, p3Replied("-ERR no\r\n")}},
		{"pop3-body-bare-lf",
			[]pop3Step{p3ReplyAuth("RETR 1", p3RetrOK)},
			[]pop3Result{p3Replied("+OK 30 octets\r\nSubject: x\n\n..dot\nlast\n.\r\n")}},
		{"pop3-top-extra-line",
			[]pop3Step{p3ReplyAuth("TOP 1 3", p3TopThree), p3ReplyAuth("TOP 1 0", "+OK\r\nSubject: x\r\n\r\n.\r\n")},
			[]pop3Result{p3Replied("+OK\r\nSubject: x\r\n\r\none\r\ntwo\r\nthree\r\nmailspec fault: one line too many\r\n.\r\n"), p3Replied("+OK\r\nSubject: x\r\n\r\n.\r\n")}},
		{"pop3-top-zero-refused",
			[]pop3Step{p3ReplyAuth("TOP 1 0", "+OK\r\nSubject: x\r\n\r\n.\r\n"), p3ReplyAuth("TOP 1 3", p3TopThree)},
			[]pop3Result{p3Replied("-ERR invalid number of lines\r\n"), p3Replied(p3TopThree)}},
		{"pop3-uidl-text-after-id",
			[]pop3Step{p3ReplyAuth("UIDL", p3UidlOK), p3ReplyAuth("UIDL 1", "+OK 1 a.1\r\n")},
			[]pop3Result{p3Replied("+OK\r\n1 a.1 mailspec-fault\r\n2 a.2 mailspec-fault\r\n.\r\n"), p3Replied("+OK 1 a.1\r\n")}},
		{"pop3-uidl-too-long",
			[]pop3Step{p3ReplyAuth("UIDL 1", "+OK 1 a.1\r\n"), p3ReplyAuth("UIDL", p3UidlOK)},
			[]pop3Result{p3Replied("+OK 1 a.1" + strings.Repeat("x", 68) + "\r\n"), p3Replied(p3UidlOK)}},
		{"pop3-uidl-constant",
			[]pop3Step{p3ReplyAuth("UIDL", p3UidlOK), p3ReplyAuth("UIDL 2", "+OK 2 a.2\r\n")},
			[]pop3Result{p3Replied("+OK\r\n1 mailspec\r\n2 mailspec\r\n.\r\n"), p3Replied("+OK 2 mailspec\r\n")}},
		{"pop3-capa-bad-line",
			[]pop3Step{p3Reply("CAPA", p3CapaPre)},
			[]pop3Result{p3Replied("+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nX-MAILSPEC  FAULT\r\n.\r\n")}},
		{"pop3-capa-bad-args",
			[]pop3Step{p3Reply("CAPA", p3CapaPre)},
			[]pop3Result{p3Replied("+OK\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nEXPIRE SOON\r\n.\r\n")}},
		{"pop3-capa-refused-after-login",
			[]pop3Step{p3Reply("CAPA", p3CapaPre), p3ReplyAuth("CAPA", p3CapaPre)},
			[]pop3Result{p3Replied(p3CapaPre), p3Replied("-ERR unknown command\r\n")}},
		{"pop3-capa-drops-top-after-login",
			[]pop3Step{p3Reply("CAPA", p3CapaPre), p3ReplyAuth("CAPA", p3CapaPre)},
			[]pop3Result{p3Replied(p3CapaPre), p3Replied("+OK\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n")}},
		{"pop3-capa-drops-user-after-login",
			[]pop3Step{p3Reply("CAPA", p3CapaPre), p3ReplyAuth("CAPA", p3CapaPre)},
			[]pop3Result{p3Replied(p3CapaPre), p3Replied("+OK\r\nTOP\r\nUIDL\r\n.\r\n")}},
		{"pop3-responses-out-of-order",
			[]pop3Step{p3ReplyAuth("STAT", "+OK 0 0\r\n"), p3ReplyAuth("XMAILSPEC", "-ERR unknown\r\n"), p3ReplyAuth("NOOP", "+OK\r\n"), p3ReplyAuth("NOOP", "+OK\r\n")},
			[]pop3Result{p3Replied("+OK 0 0\r\n"), {}, p3RepliedAfter("+OK\r\n", "-ERR unknown\r\n"), p3Replied("+OK\r\n")}},
		{"pop3-stls-data-before-tls",
			[]pop3Step{p3Reply("STLS", "+OK begin\r\n"), p3Reply("STLS", "-ERR no\r\n")},
			[]pop3Result{p3RepliedAfter("+OK begin\r\n", "+OK and more\r\n"), p3Replied("-ERR no\r\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			got := runPOP3Fault(t, tt.fault, tt.steps)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("exchanges through %s (-want +got):\n%s", tt.fault, diff)
			}
		})
	}
}

func TestPOP3STLSInjectionFault(t *testing.T) {
	f, ok := Lookup("pop3-stls-injection")
	if !ok {
		t.Fatal("pop3-stls-injection is not registered")
	}
	for _, tc := range []struct {
		line string
		want bool
	}{{"STLS\r\n", true}, {"CAPA\r\n", false}} {
		e := &Exchange{Conn: &ConnState{Values: map[string]any{}}, Command: parseCommand(POP3, []byte(tc.line))}
		f.OnCommand(e)
		if e.PipelinedAfterTLS != tc.want {
			t.Errorf("%q: PipelinedAfterTLS = %v, want %v", tc.line, e.PipelinedAfterTLS, tc.want)
		}
	}
}

// TestPOP3BackendFaults: the faults of the maildrop itself name the
// embedded system's faults and have no hooks.
func TestPOP3BackendFaults(t *testing.T) {
	for _, name := range []string{embedded.FaultPOP3DeleImmediate, embedded.FaultPOP3UIDLUnstable} {
		f, ok := Lookup(name)
		if !ok {
			t.Errorf("fault %s is not registered", name)
			continue
		}
		if f.Backend != name || f.Protocol != POP3 {
			t.Errorf("fault %s: Backend %q, Protocol %q", name, f.Backend, f.Protocol)
		}
		if f.OnGreeting != nil || f.OnReply != nil || f.OnCommand != nil || f.OnData != nil {
			t.Errorf("fault %s has hooks; a backend fault acts in the embedded system only", name)
		}
	}
}

func TestPOP3BodyLines(t *testing.T) {
	status, body, term, ok := pop3BodyLines([]byte("+OK\r\na\r\n..b\r\n.\r\n"))
	if !ok || string(status) != "+OK\r\n" || len(body) != 2 || string(term) != ".\r\n" {
		t.Fatalf("pop3BodyLines = %q %q %q %v", status, body, term, ok)
	}
	if got := string(pop3JoinBody(status, body, term)); got != "+OK\r\na\r\n..b\r\n.\r\n" {
		t.Errorf("pop3JoinBody = %q", got)
	}
	if _, _, _, ok := pop3BodyLines([]byte("+OK 1 2\r\n")); ok {
		t.Error("a single-line response framed as multi-line")
	}
}
