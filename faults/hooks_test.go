package faults

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailspec/mailspec/targets/embedded"
)

// TestHookActions: a hook rewrites, drops and answers commands itself,
// injects bytes around a reply, closes after a reply, and keeps memory
// per proxy across connections.
func TestHookActions(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	f := Fault{
		Name:     "test-actions",
		Protocol: SMTP,
		OnGreeting: func(e *Exchange) {
			e.Proxy.Lock()
			n, _ := e.Proxy.Values["greetings"].(int)
			n++
			e.Proxy.Values["greetings"] = n
			e.Proxy.Unlock()
			e.Reply = fmt.Appendf(nil, "220 greeting %d on connection %d\r\n", n, e.Conn.ID)
		},
		OnCommand: func(e *Exchange) {
			switch e.Verb() {
			case "HELP":
				e.Line = []byte("NOOP\r\n")
				e.Delay = time.Millisecond
			case "NOOP":
				e.Drop()
				e.Respond = []byte("250 answered by the fault\r\n")
			}
		},
		OnReply: func(e *Exchange) {
			switch e.Verb() {
			case "RSET":
				e.Before = []byte("250-before\r\n")
				e.After = []byte("250 after\r\n")
			case "VRFY":
				e.CloseAfter = true
			}
		},
	}
	p := startProxy(t, sys, embedded.SchemeSMTP, f)
	s := func(c *client) {
		c.smtp()
		c.cmd("HELP") // goes upstream as NOOP
		c.smtp()
		c.cmd("NOOP") // never goes upstream
		c.smtp()
		c.cmd("RSET")
		c.smtp()
		c.smtp()
		c.cmd("VRFY alice")
		c.smtp()
		c.closed()
	}
	got := session(t, p.Addr(), nil, false, s)
	want := []obs{
		{"greeting", "220 greeting 1 on connection 1\r\n"},
		{"HELP", "250 2.0.0 I have successfully done nothing\r\n"},
		{"NOOP", "250 answered by the fault\r\n"},
		{"RSET", "250-before\r\n250 2.0.0 Session reset\r\n"},
		{"RSET", "250 after\r\n"},
		{"VRFY alice", "252 2.5.0 Cannot VRFY user, but will accept message\r\n"},
		{"end", "<closed>"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("session (-want +got):\n%s", diff)
	}
	second := session(t, p.Addr(), nil, false, func(c *client) { c.smtp() })
	if diff := cmp.Diff([]obs{{"greeting", "220 greeting 2 on connection 2\r\n"}}, second); diff != "" {
		t.Errorf("second connection (-want +got):\n%s", diff)
	}
}

// recorder collects what hooks saw; hooks of different connections and
// directions may run at once.
type recorder struct {
	mu       sync.Mutex
	commands []string
	replies  []string
	data     map[string]string
}

func (r *recorder) add(list *[]string, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*list = append(*list, fmt.Sprintf(format, args...))
}

func (r *recorder) snapshot() (commands, replies []string, data map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data = make(map[string]string)
	for k, v := range r.data {
		data[k] = v
	}
	return append([]string(nil), r.commands...), append([]string(nil), r.replies...), data
}

// flags writes a state as letters: Greeted, Hello, TLS, Authenticated,
// InMail, InData, Selected.
func flags(st State) string {
	var b strings.Builder
	for _, f := range []struct {
		on bool
		c  byte
	}{
		{st.Greeted, 'G'}, {st.Hello, 'H'}, {st.TLS, 'T'}, {st.Authenticated, 'A'},
		{st.InMail, 'M'}, {st.InData, 'D'}, {st.Selected, 'S'},
	} {
		if f.on {
			b.WriteByte(f.c)
		}
	}
	return b.String()
}

// recording returns a fault that records every exchange into r: the
// command with the state before it, the reply with the command it
// answers, and the content by command.
func recording(protocol string, r *recorder) Fault {
	r.data = make(map[string]string)
	return Fault{
		Name:     "test-recording",
		Protocol: protocol,
		OnGreeting: func(e *Exchange) {
			r.add(&r.replies, "greeting [%s]", flags(e.State))
		},
		OnCommand: func(e *Exchange) {
			r.add(&r.commands, "%s [%s]", strings.TrimSpace(e.Command.Tag+" "+e.Verb()), flags(e.State))
		},
		OnReply: func(e *Exchange) {
			first, _, _ := strings.Cut(string(e.Raw), " ")
			if e.Command == nil {
				r.add(&r.replies, "<none> -> %s [%s]", first, flags(e.State))
				return
			}
			r.add(&r.replies, "%s -> %s [%s]", strings.TrimSpace(e.Command.Tag+" "+e.Verb()), first, flags(e.State))
		},
		OnData: func(e *Exchange) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if !e.State.InData {
				r.data[e.Verb()] += "<not InData>"
			}
			r.data[e.Verb()] += string(e.Raw)
		},
	}
}

// TestSMTPStateAndAttribution: the state a hook sees before each command
// and reply of a lockstep submission session, the command each reply is
// put down to (SASL challenges, DATA, the end of content, BDAT), and the
// content OnData sees.
func TestSMTPStateAndAttribution(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	alice := account(t, sys, "alice")
	var r recorder
	p := startProxy(t, sys, embedded.SchemeSubmission, recording(SMTP, &r))
	const content = "Subject: state\r\n\r\nbody\r\n..dot\r\n.\r\n"
	const chunk = "Subject: bdat\r\n\r\nbody\r\n.\r\n"
	seen := session(t, p.Addr(), trust(t, p.CertPEM()), false, func(c *client) {
		c.smtp()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("STARTTLS")
		c.smtp()
		c.starttls()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("AUTH PLAIN")
		c.smtp()
		c.send("PLAIN response", plain(alice)+"\r\n")
		c.smtp()
		c.cmd("MAIL FROM:<" + alice.Address + ">")
		c.smtp()
		c.cmd("RCPT TO:<bob@example.test>")
		c.smtp()
		c.cmd("DATA")
		c.smtp()
		c.send("content", content)
		c.smtp()
		c.cmd("MAIL FROM:<" + alice.Address + ">")
		c.smtp()
		c.cmd("RCPT TO:<bob@example.test>")
		c.smtp()
		c.send("BDAT", fmt.Sprintf("BDAT %d LAST\r\n%s", len(chunk), chunk))
		c.smtp()
		c.cmd("QUIT")
		c.smtp()
		c.closed()
	})
	assertNoFailure(t, "session", seen)
	commands, replies, data := r.snapshot()
	wantCommands := []string{
		"EHLO [G]",
		"STARTTLS [GH]",
		"EHLO [GT]",
		"AUTH [GHT]",
		"MAIL [GHTA]",
		"RCPT [GHTAM]",
		"DATA [GHTAM]",
		"MAIL [GHTA]",
		"RCPT [GHTAM]",
		"BDAT [GHTAM]",
		"QUIT [GHTA]",
	}
	wantReplies := []string{
		"greeting []",
		"EHLO -> 250-Hello [G]",
		"STARTTLS -> 220 [GH]",
		"EHLO -> 250-Hello [GT]",
		"AUTH -> 334 [GHT]",
		"AUTH -> 235 [GHT]",
		"MAIL -> 250 [GHTA]",
		"RCPT -> 250 [GHTAM]",
		"DATA -> 354 [GHTAM]",
		". -> 250 [GHTAM]",
		"MAIL -> 250 [GHTA]",
		"RCPT -> 250 [GHTAM]",
		"BDAT -> 250 [GHTAM]",
		"QUIT -> 221 [GHTA]",
	}
	if diff := cmp.Diff(wantCommands, commands); diff != "" {
		t.Errorf("OnCommand (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantReplies, replies); diff != "" {
		t.Errorf("OnReply (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"DATA": content, "BDAT": chunk}, data); diff != "" {
		t.Errorf("OnData (-want +got):\n%s", diff)
	}
}

// TestPipelinedAttribution: replies to pipelined commands (RFC 2920, RFC
// 2449 section 6.6, IMAP tags) are put down to the right commands, which
// frames POP3 multi-line answers right, and the client sees what it
// would see directly.
func TestPipelinedAttribution(t *testing.T) {
	sys := startSystem(t, embedded.Options{InsecureAuth: true})
	alice := account(t, sys, "alice")
	deliver(t, sys, alice, "Subject: one\r\n\r\n.dot\r\n")
	cases := []struct {
		scheme string
		script script
		want   []string
	}{{
		scheme: embedded.SchemeSMTP,
		script: func(c *client) {
			c.smtp()
			c.cmd("EHLO client.test")
			c.smtp()
			c.send("pipelined", "MAIL FROM:<sender@remote.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
			c.smtp()
			c.smtp()
			c.smtp()
			c.smtp()
			c.send("content", "Subject: pipelined\r\n\r\n.\r\nRSET\r\nQUIT\r\n")
			c.smtpUntilClose()
		},
		want: []string{
			"greeting []",
			"EHLO -> 250-Hello [G]",
			"MAIL -> 250 [GH]",
			"RCPT -> 550 [GHM]",
			"RCPT -> 250 [GHM]",
			"DATA -> 354 [GHM]",
			". -> 250 [GHM]",
			"RSET -> 250 [GH]",
			"QUIT -> 221 [GH]",
		},
	}, {
		scheme: embedded.SchemePOP3,
		script: func(c *client) {
			c.pop3()
			c.send("login", "USER alice\r\nPASS "+alice.Password+"\r\n")
			c.pop3()
			c.pop3()
			c.send("pipelined", "STAT\r\nLIST\r\nUIDL 1\r\nRETR 1\r\nUIDL\r\nTOP 1 0\r\nLIST 9\r\nCAPA\r\nQUIT\r\n")
			c.pop3()
			c.pop3Multi()
			c.pop3()
			c.pop3Multi()
			c.pop3Multi()
			c.pop3Multi()
			c.pop3()
			c.pop3Multi()
			c.pop3()
			c.closed()
		},
		want: []string{
			"greeting []",
			"USER -> +OK [G]",
			"PASS -> +OK [G]",
			"STAT -> +OK [GA]",
			"LIST -> +OK [GA]",
			"UIDL -> +OK [GA]",
			"RETR -> +OK [GA]",
			"UIDL -> +OK [GA]",
			"TOP -> +OK [GA]",
			"LIST -> -ERR [GA]",
			"CAPA -> +OK [GA]",
			"QUIT -> +OK [GA]",
		},
	}, {
		scheme: embedded.SchemeIMAP,
		script: func(c *client) {
			c.imap()
			c.send("pipelined", "a1 LOGIN alice "+alice.Password+"\r\na2 SELECT INBOX\r\na3 NOOP\r\n")
			c.imapTagged()
			c.imapTagged()
			c.imapTagged()
			c.send("close", "a4 UNSELECT\r\na5 LOGOUT\r\n")
			c.imapUntilClose()
		},
		want: []string{
			"greeting []",
			"a1 LOGIN -> a1 [G]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> * [GA]",
			"a2 SELECT -> a2 [GA]",
			"a3 NOOP -> a3 [GAS]",
			"a4 UNSELECT -> a4 [GAS]",
			"a5 LOGOUT -> * [GA]",
			"a5 LOGOUT -> a5 [GA]",
		},
	}}
	for _, tc := range cases {
		t.Run(tc.scheme, func(t *testing.T) {
			var r recorder
			p := startProxy(t, sys, tc.scheme, recording(protocolOf(tc.scheme), &r))
			direct := session(t, sys.Endpoints[tc.scheme], nil, false, tc.script)
			assertNoFailure(t, "direct", direct)
			got := session(t, p.Addr(), nil, false, tc.script)
			if diff := cmp.Diff(direct, got); diff != "" {
				t.Errorf("through the proxy (+) vs direct (-):\n%s", diff)
			}
			_, replies, _ := r.snapshot()
			if diff := cmp.Diff(tc.want, replies); diff != "" {
				t.Errorf("OnReply (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIMAPSASLAndIdle: AUTHENTICATE with a SASL exchange and IDLE ... DONE
// pass through the proxy as on a direct connection, and the state follows.
func TestIMAPSASLAndIdle(t *testing.T) {
	sys := startSystem(t, embedded.Options{})
	alice := account(t, sys, "alice")
	var r recorder
	p := startProxy(t, sys, embedded.SchemeIMAPS, recording(IMAP, &r))
	s := func(c *client) {
		c.imap()
		c.cmd("a1 AUTHENTICATE PLAIN")
		c.imap() // "+ "
		c.send("PLAIN response", plain(alice)+"\r\n")
		c.imapTagged()
		c.cmd("a2 EXAMINE INBOX")
		c.imapTagged()
		c.cmd("a3 IDLE")
		c.imap() // "+ idling"
		c.send("DONE", "DONE\r\n")
		c.imapTagged()
		c.cmd("a4 LOGOUT")
		c.imapUntilClose()
	}
	direct, _ := compareDirect(t, sys, embedded.SchemeIMAPS, s, s)
	assertNoFailure(t, "direct", direct)
	// compareDirect went through a transparent proxy of its own; the
	// recording one must be as transparent.
	got := session(t, p.Addr(), trust(t, p.CertPEM()), true, s)
	if diff := cmp.Diff(direct, got); diff != "" {
		t.Errorf("through the recording proxy (+) vs direct (-):\n%s", diff)
	}
	commands, _, _ := r.snapshot()
	want := []string{"a1 AUTHENTICATE [GT]", "a2 EXAMINE [GTA]", "a3 IDLE [GTAS]", "a4 LOGOUT [GTAS]"}
	if diff := cmp.Diff(want, commands); diff != "" {
		t.Errorf("OnCommand (-want +got):\n%s", diff)
	}
}
