package embedded

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testMessage has a body line that starts with ".", which POP3 must
// byte-stuff.
const testMessage = "From: sender@remote.test\r\nTo: bob@example.test\r\nSubject: pop\r\n\r\nline one\r\n.hidden\r\nline three\r\n"

// deliverToBob delivers testMessage to bob and returns bob's account.
func deliverToBob(t *testing.T, sys *System) Account {
	t.Helper()
	bob := account(t, sys, "bob")
	deliver(t, sys, testMessage, bob.Address)
	return bob
}

func TestPOP3BeforeTLS(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := account(t, sys, "bob")
	p := dialPOP3(t, sys, SchemePOP3)

	p.ok("CAPA")
	caps := p.multi()
	for _, want := range []string{"TOP", "UIDL", "RESP-CODES", "PIPELINING", "STLS", "IMPLEMENTATION " + pop3Implementation} {
		if !containsLine(caps, want) {
			t.Errorf("CAPA before TLS lacks %q: %q", want, caps)
		}
	}
	for _, refused := range []string{"USER", "SASL PLAIN"} {
		if containsLine(caps, refused) {
			t.Errorf("CAPA before TLS offers %q, which is refused there", refused)
		}
	}
	// Logins before STLS are refused with [AUTH] (RFC 3206 section 5).
	for _, cmd := range []string{"USER " + bob.User, "AUTH PLAIN " + plainIR("", bob.User, bob.Password)} {
		if got := p.cmd(cmd); !strings.HasPrefix(got, "-ERR [AUTH]") {
			t.Errorf("%s before STLS = %q, want -ERR [AUTH]", strings.Fields(cmd)[0], got)
		}
	}
	if got := p.cmd("PASS " + bob.Password); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("PASS before STLS = %q, want -ERR", got)
	}

	p.stls(sys)
	p.ok("CAPA")
	caps = p.multi()
	for _, want := range []string{"USER", "SASL PLAIN", "TOP", "UIDL"} {
		if !containsLine(caps, want) {
			t.Errorf("CAPA after STLS lacks %q: %q", want, caps)
		}
	}
	if containsLine(caps, "STLS") {
		t.Errorf("CAPA after STLS still offers STLS: %q", caps)
	}
	if got := p.cmd("STLS"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("second STLS = %q, want -ERR", got)
	}
	p.ok("USER " + bob.User)
	p.ok("PASS " + bob.Password)
	p.ok("QUIT")
}

func TestPOP3Retrieve(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)

	// The same message over IMAP gives the size to expect: the store keeps
	// CRLF line ends.
	stored := imapMessages(t, imapLogin(t, sys, bob))
	if len(stored) != 1 {
		t.Fatalf("bob has %d messages, want 1", len(stored))
	}
	size := len(stored[0])

	p := popLogin(t, sys, bob)
	if got, want := p.ok("STAT"), fmt.Sprintf("+OK 1 %d", size); got != want {
		t.Errorf("STAT = %q, want %q", got, want)
	}
	p.ok("LIST")
	if diff := fmt.Sprint(p.multi()); diff != fmt.Sprintf("[1 %d]", size) {
		t.Errorf("LIST = %s, want [1 %d]", diff, size)
	}
	if got, want := p.ok("LIST 1"), fmt.Sprintf("+OK 1 %d", size); got != want {
		t.Errorf("LIST 1 = %q, want %q", got, want)
	}

	p.ok("RETR 1")
	wire := p.multi()
	if !containsLine(wire, "..hidden") {
		t.Errorf("RETR did not byte-stuff the line .hidden: %q", wire)
	}
	// Unstuffed, the lines are the stored message, octet for octet.
	var unstuffed strings.Builder
	for _, l := range wire {
		unstuffed.WriteString(strings.TrimPrefix(l, ".") + "\r\n")
	}
	if unstuffed.String() != stored[0] {
		t.Errorf("RETR 1 gave\n%q\nwant\n%q", unstuffed.String(), stored[0])
	}

	// TOP 1 0: the header and the blank line, no body.
	p.ok("TOP 1 0")
	top := p.multi()
	if len(top) == 0 || top[len(top)-1] != "" || !containsLine(top, "Subject: pop") || containsLine(top, "line one") {
		t.Errorf("TOP 1 0 = %q, want the header and a blank line", top)
	}
	p.ok("TOP 1 2")
	top2 := p.multi()
	if got := top2[len(top)-1:]; fmt.Sprint(got) != fmt.Sprint([]string{"", "line one", "..hidden"}) {
		t.Errorf("TOP 1 2 ends %q, want the blank line and two stuffed body lines", got)
	}

	// RETR does not mark the message \Seen in IMAP terms: it is still there
	// and QUIT without DELE keeps it.
	p.ok("QUIT")
	if got := imapMessages(t, imapLogin(t, sys, bob)); len(got) != 1 {
		t.Errorf("after RETR and QUIT, IMAP sees %d messages, want 1", len(got))
	}
}

func TestPOP3UIDLStable(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)
	deliver(t, sys, "Subject: second\r\n\r\nx\r\n", bob.Address)

	uidl := func() []string {
		p := popLogin(t, sys, bob)
		p.ok("UIDL")
		lines := p.multi()
		if got, want := p.ok("UIDL 2"), "+OK "+lines[1]; got != want {
			t.Errorf("UIDL 2 = %q, want %q", got, want)
		}
		p.ok("QUIT")
		return lines
	}
	first := uidl()
	second := uidl()
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("UIDL changed between sessions: %q then %q", first, second)
	}
	// RFC 1939 section 7: 1 to 70 characters in 0x21 to 0x7E, unique.
	valid := regexp.MustCompile(`^[0-9]+ [\x21-\x7e]{1,70}$`)
	seen := map[string]bool{}
	for _, l := range first {
		if !valid.MatchString(l) {
			t.Errorf("UIDL line %q is not \"n unique-id\"", l)
		}
		id := strings.Fields(l)[1]
		if seen[id] {
			t.Errorf("unique-id %q used twice", id)
		}
		seen[id] = true
	}
	if len(first) != 2 {
		t.Errorf("UIDL listed %d messages, want 2", len(first))
	}
}

func TestPOP3DeleteAndQuit(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)

	p := popLogin(t, sys, bob)
	p.ok("DELE 1")
	if got := p.cmd("RETR 1"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("RETR of a deleted message = %q, want -ERR", got)
	}
	if got := p.cmd("DELE 1"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("second DELE = %q, want -ERR", got)
	}
	if got := p.ok("STAT"); got != "+OK 0 0" {
		t.Errorf("STAT after DELE = %q, want +OK 0 0", got)
	}
	// Before QUIT the message is still in the store (RFC 1939 section 6).
	if got := imapMessages(t, imapLogin(t, sys, bob)); len(got) != 1 {
		t.Errorf("before QUIT IMAP sees %d messages, want 1", len(got))
	}
	p.ok("QUIT")

	if got := imapMessages(t, imapLogin(t, sys, bob)); len(got) != 0 {
		t.Errorf("after DELE and QUIT IMAP sees %d messages, want 0", len(got))
	}
	p = popLogin(t, sys, bob)
	if got := p.ok("STAT"); got != "+OK 0 0" {
		t.Errorf("STAT in a new session = %q, want +OK 0 0", got)
	}
}

func TestPOP3DeleteAndDrop(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)

	p := popLogin(t, sys, bob)
	p.ok("DELE 1")
	p.conn.Close() // no QUIT: no UPDATE state

	// The server notices the drop on its own time; until then the maildrop
	// is still locked.
	p = popLoginRetrying(t, sys, bob)
	if got := p.ok("STAT"); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("STAT after a dropped session with DELE = %q, want 1 message", got)
	}
}

func TestPOP3Reset(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)

	p := popLogin(t, sys, bob)
	stat := p.ok("STAT")
	p.ok("DELE 1")
	if got := p.ok("RSET"); !strings.HasPrefix(got, "+OK maildrop has 1 messages") {
		t.Errorf("RSET = %q", got)
	}
	if got := p.ok("STAT"); got != stat {
		t.Errorf("STAT after RSET = %q, want %q", got, stat)
	}
	p.ok("RETR 1")
	p.multi()
	p.ok("QUIT")
	if got := imapMessages(t, imapLogin(t, sys, bob)); len(got) != 1 {
		t.Errorf("after DELE, RSET and QUIT IMAP sees %d messages, want 1", len(got))
	}
}

func TestPOP3InUse(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)

	first := popLogin(t, sys, bob)
	second := dialPOP3(t, sys, SchemePOP3)
	second.stls(sys)
	second.ok("USER " + bob.User)
	if got := second.cmd("PASS " + bob.Password); !strings.HasPrefix(got, "-ERR [IN-USE]") {
		t.Errorf("PASS while locked = %q, want -ERR [IN-USE]", got)
	}
	if got := second.cmd("AUTH PLAIN " + plainIR("", bob.User, bob.Password)); !strings.HasPrefix(got, "-ERR [IN-USE]") {
		t.Errorf("AUTH while locked = %q, want -ERR [IN-USE]", got)
	}
	// Another user is not locked out.
	other := popLogin(t, sys, account(t, sys, "alice"))
	other.ok("QUIT")

	// Once the first session has quit, the lock is free.
	first.ok("QUIT")
	second.ok("USER " + bob.User)
	second.ok("PASS " + bob.Password)
	second.ok("STAT")
}

func TestPOP3AuthPlain(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := account(t, sys, "bob")

	for _, tc := range []struct {
		name  string
		lines []string // after STLS; the last answer is checked
		want  string
	}{
		{"initial response", []string{"AUTH PLAIN " + plainIR("", bob.User, bob.Password)}, "+OK"},
		{"same authzid", []string{"AUTH PLAIN " + plainIR(bob.User, bob.User, bob.Password)}, "+OK"},
		{"lower case", []string{"auth plain " + plainIR("", bob.User, bob.Password)}, "+OK"},
		{"continuation", []string{"AUTH PLAIN", plainIR("", bob.User, bob.Password)}, "+OK"},
		{"cancelled", []string{"AUTH PLAIN", "*"}, "-ERR"},
		{"wrong password", []string{"AUTH PLAIN " + plainIR("", bob.User, "nope")}, "-ERR [AUTH]"},
		{"other authzid", []string{"AUTH PLAIN " + plainIR("alice", bob.User, bob.Password)}, "-ERR [AUTH]"},
		{"not base64", []string{"AUTH PLAIN !!!"}, "-ERR"},
		{"malformed", []string{"AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("no nuls"))}, "-ERR [AUTH]"},
		{"empty initial response", []string{"AUTH PLAIN ="}, "-ERR"},
		{"unknown mechanism", []string{"AUTH CRAM-MD5"}, "-ERR"},
		{"no mechanism", []string{"AUTH"}, "-ERR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := dialPOP3(t, sys, SchemePOP3)
			p.stls(sys)
			var got string
			for i, l := range tc.lines {
				got = p.cmd(l)
				if i < len(tc.lines)-1 && got != "+ " {
					t.Fatalf("%q: got %q, want the continuation \"+ \"", l, got)
				}
			}
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got %q, want %s", got, tc.want)
			}
			if tc.want == "+OK" {
				p.ok("STAT")
			} else {
				// Still in the AUTHORIZATION state.
				if got := p.cmd("STAT"); !strings.HasPrefix(got, "-ERR") {
					t.Errorf("STAT after a failed AUTH = %q, want -ERR", got)
				}
			}
			p.ok("QUIT")
		})
	}
}

func TestPOP3UserPass(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := account(t, sys, "bob")
	p := dialPOP3(t, sys, SchemePOP3)
	p.stls(sys)

	for _, tc := range []struct{ cmd, want string }{
		{"PASS " + bob.Password, "-ERR"}, // no USER
		{"USER", "-ERR"},
		{"USER " + bob.User, "+OK"},
		{"PASS wrong", "-ERR [AUTH]"},
		{"PASS " + bob.Password, "-ERR"}, // USER is forgotten after a PASS
		{"USER nobody", "+OK"},
		{"PASS " + bob.Password, "-ERR [AUTH]"},
		{"USER " + bob.User, "+OK"},
		{"NOOP", "-ERR"}, // not in AUTHORIZATION; and PASS must follow USER
		{"PASS " + bob.Password, "-ERR"},
		{"uSeR " + bob.User, "+OK"},
		{"pass " + bob.Password, "+OK"},
		{"USER " + bob.User, "-ERR"}, // already logged in
	} {
		if got := p.cmd(tc.cmd); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: got %q, want %s", strings.Fields(tc.cmd + " x")[0], got, tc.want)
		}
	}
}

func TestPOP3Errors(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)
	p := dialPOP3(t, sys, SchemePOP3)

	// Wrong state, unknown commands and over-long lines before login.
	for _, cmd := range []string{"STAT", "LIST", "RETR 1", "DELE 1", "RSET", "NOOP", "UIDL", "TOP 1 0", "XYZZY", "APOP bob 0123", "", "\x00\xff"} {
		if got := p.cmd(cmd); !strings.HasPrefix(got, "-ERR") {
			t.Errorf("%q before login: got %q, want -ERR", cmd, got)
		}
	}
	if got := p.cmd(strings.Repeat("A", 5000)); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("5000-octet line: got %q, want -ERR", got)
	}
	// 512 octets with CRLF are accepted (RFC 2449 section 4 asks clients
	// to stay within 255; servers are lenient).
	long := "CAPA" + strings.Repeat(" ", 506)
	if got := p.cmd(long); got != "+OK Capability list follows" {
		t.Errorf("512-octet CAPA line: got %q, want +OK", got)
	} else {
		p.multi()
	}

	p.stls(sys)
	p.ok("USER " + bob.User)
	p.ok("PASS " + bob.Password)
	for _, cmd := range []string{"RETR", "RETR 0", "RETR 2", "RETR x", "RETR -1", "RETR 1 2", "LIST 9", "LIST 1 1", "UIDL 0", "TOP 1", "TOP 1 x", "TOP 9 0", "DELE", "STAT 1", "NOOP x", "RSET 1", "XYZZY", "PASS x", "AUTH PLAIN", "STLS"} {
		if got := p.cmd(cmd); !strings.HasPrefix(got, "-ERR") {
			t.Errorf("%q after login: got %q, want -ERR", cmd, got)
		}
	}
	// The session survived all of it.
	p.ok("NOOP")
	p.ok("CAPA")
	p.multi()
	p.ok("QUIT")
}

func TestPOP3Pipelining(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)
	p := popLogin(t, sys, bob)

	p.send("STAT\r\nLIST\r\nuidl 1\r\nRETR 1\r\nNOOP\r\nQUIT\r\n")
	if got := p.line(); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("STAT: %q", got)
	}
	if got := p.line(); !strings.HasPrefix(got, "+OK") {
		t.Errorf("LIST: %q", got)
	}
	if got := p.multi(); len(got) != 1 {
		t.Errorf("LIST lines: %q", got)
	}
	if got := p.line(); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("UIDL 1: %q", got)
	}
	if got := p.line(); !strings.HasPrefix(got, "+OK") {
		t.Errorf("RETR: %q", got)
	}
	p.multi()
	for _, cmd := range []string{"NOOP", "QUIT"} {
		if got := p.line(); !strings.HasPrefix(got, "+OK") {
			t.Errorf("%s: %q", cmd, got)
		}
	}
}

func TestPOP3S(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := deliverToBob(t, sys)
	p := dialPOP3(t, sys, SchemePOP3S)
	p.ok("CAPA")
	if caps := p.multi(); containsLine(caps, "STLS") || !containsLine(caps, "USER") {
		t.Errorf("CAPA on pop3s = %q, want USER and no STLS", caps)
	}
	p.ok("USER " + bob.User)
	p.ok("PASS " + bob.Password)
	if got := p.ok("STAT"); !strings.HasPrefix(got, "+OK 1 ") {
		t.Errorf("STAT = %q", got)
	}
}

func TestPOP3InsecureAuthOption(t *testing.T) {
	sys := startSystem(t, Options{InsecureAuth: true})
	bob := deliverToBob(t, sys)
	p := dialPOP3(t, sys, SchemePOP3)
	p.ok("CAPA")
	if caps := p.multi(); !containsLine(caps, "USER") || !containsLine(caps, "STLS") {
		t.Errorf("CAPA with InsecureAuth = %q, want USER and STLS", caps)
	}
	p.ok("USER " + bob.User)
	p.ok("PASS " + bob.Password)
	p.ok("STAT")
}

// TestPOP3SizesWithBareLF checks that sizes count CRLF line ends even for
// a message stored over IMAP with bare LFs and no final line end.
func TestPOP3SizesWithBareLF(t *testing.T) {
	sys := startSystem(t, Options{})
	bob := account(t, sys, "bob")
	c := imapLogin(t, sys, bob)
	raw := "Subject: lf\n\nbody\n.dot"
	cmd := c.Append("INBOX", int64(len(raw)), nil)
	cmd.Write([]byte(raw))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("APPEND: %v", err)
	}
	want := "Subject: lf\r\n\r\nbody\r\n.dot\r\n"

	p := popLogin(t, sys, bob)
	if got := p.ok("LIST 1"); got != "+OK 1 "+strconv.Itoa(len(want)) {
		t.Errorf("LIST 1 = %q, want size %d", got, len(want))
	}
	p.ok("RETR 1")
	if got := p.multi(); fmt.Sprint(got) != fmt.Sprint([]string{"Subject: lf", "", "body", "..dot"}) {
		t.Errorf("RETR 1 = %q", got)
	}
}

// popLoginRetrying logs in over pop3s, retrying while the maildrop is
// still locked by a session the server has not yet seen end.
func popLoginRetrying(t *testing.T, sys *System, a Account) *popConn {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		p := dialPOP3(t, sys, SchemePOP3S)
		p.ok("USER " + a.User)
		got := p.cmd("PASS " + a.Password)
		if strings.HasPrefix(got, "+OK") {
			return p
		}
		if !strings.HasPrefix(got, "-ERR [IN-USE]") || time.Now().After(deadline) {
			t.Fatalf("PASS = %q", got)
		}
		p.conn.Close()
		time.Sleep(10 * time.Millisecond)
	}
}

// plainIR is a base64 SASL PLAIN response.
func plainIR(authzid, user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(authzid + "\x00" + user + "\x00" + password))
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
