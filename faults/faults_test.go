package faults

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailspec/mailspec/targets/embedded"
)

// edit turns what a client saw through the transparent proxy into what it
// must see through the fault. It reports on t what it cannot find.
type edit func(t *testing.T, plain []obs) []obs

// faultCase is one fault's proof: a short session, and the one change the
// fault must make to it.
type faultCase struct {
	scheme string
	script func(sys *embedded.System) script
	want   edit
}

// faultCases prove the faults the package started with (faults added
// later bring their own proofs); TestRegisteredFaults checks that none of
// them is missing.
var faultCases = map[string]faultCase{
	"smtp-greeting-none": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				// Without waiting for the greeting: the first reply the
				// client reads must be the one to EHLO.
				c.send("EHLO and QUIT", "EHLO client.test\r\nQUIT\r\n")
				c.smtpUntilClose()
			}
		},
		want: func(t *testing.T, plain []obs) []obs {
			if len(plain) == 0 || !strings.HasPrefix(plain[0].Data, "220 ") {
				t.Fatalf("transparent run: %q, want the 220 greeting first", plain)
			}
			return plain[1:]
		},
	},
	"smtp-quit-no-close": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				c.smtp()
				c.cmd("EHLO client.test")
				c.smtp()
				c.cmd("QUIT")
				c.smtp()
				c.heldOpen()
			}
		},
		want: set("after the reply", "<closed>", "<open>"),
	},
	"smtp-quit-250": {
		scheme: embedded.SchemeSMTP,
		script: smtpBasic,
		want:   set("QUIT", "221 2.0.0 Bye\r\n", "250 2.0.0 Bye\r\n"),
	},
	"smtp-rset-500": {
		scheme: embedded.SchemeSMTP,
		script: smtpBasic,
		want:   set("RSET", "250 2.0.0 Session reset\r\n", "500 5.5.1 Unknown command\r\n"),
	},
	"smtp-noop-500": {
		scheme: embedded.SchemeSMTP,
		script: smtpBasic,
		want:   set("NOOP", "250 2.0.0 I have successfully done nothing\r\n", "500 5.5.1 Unknown command\r\n"),
	},
	"smtp-ehlo-code-mismatch": {
		scheme: embedded.SchemeSMTP,
		script: smtpBasic,
		want: change("EHLO client.test", func(t *testing.T, s string) string {
			i := strings.LastIndex(s, "\r\n250 ")
			if i < 0 || strings.Count(s, "\r\n") < 2 {
				t.Fatalf("EHLO reply %q is not multi-line", s)
			}
			return s[:i] + "\r\n251 " + s[i+len("\r\n250 "):]
		}),
	},
	"smtp-ehlo-bare-lf": {
		scheme: embedded.SchemeSMTP,
		script: smtpBasic,
		want: change("EHLO client.test", func(t *testing.T, s string) string {
			return strings.ReplaceAll(s, "\r\n", "\n")
		}),
	},
	"smtp-rcpt-before-mail-250": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				c.smtp()
				c.cmd("EHLO client.test")
				c.smtp()
				c.cmd("RCPT TO:<alice@example.test>") // before MAIL
				c.smtp()
				c.cmd("MAIL FROM:<sender@remote.test>")
				c.smtp()
				c.cmd("RCPT TO:<nobody@example.test>") // refused after MAIL: unchanged
				c.smtp()
				c.cmd("RSET")
				c.smtp()
				c.cmd("RCPT TO:<bob@example.test>") // before MAIL again, after RSET
				c.smtp()
				c.cmd("QUIT")
				c.smtp()
				c.closed()
			}
		},
		want: edits(
			change("RCPT TO:<alice@example.test>", refusedTo("250 2.1.5 OK\r\n")),
			change("RCPT TO:<bob@example.test>", refusedTo("250 2.1.5 OK\r\n")),
		),
	},
	"smtp-unknown-command-502": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				c.smtp()
				c.cmd("EHLO client.test")
				c.smtp()
				c.cmd("XYZY") // unknown: 500
				c.smtp()
				c.cmd("XYZZY") // not even a command word: 501
				c.smtp()
				c.cmd("MAIL FROM:alice") // a known command with bad syntax: unchanged
				c.smtp()
				c.cmd("NOOP")
				c.smtp()
				c.cmd("QUIT")
				c.smtp()
				c.closed()
			}
		},
		want: edits(
			change("XYZY", func(t *testing.T, s string) string {
				if !strings.HasPrefix(s, "500 ") {
					t.Fatalf("XYZY = %q, want 500", s)
				}
				return "502 5.5.1 Command not implemented\r\n"
			}),
			change("XYZZY", func(t *testing.T, s string) string {
				if !strings.HasPrefix(s, "501 ") {
					t.Fatalf("XYZZY = %q, want 501", s)
				}
				return "502 5.5.1 Command not implemented\r\n"
			}),
			change("MAIL FROM:alice", func(t *testing.T, s string) string {
				if !strings.HasPrefix(s, "501 ") {
					t.Fatalf("MAIL FROM:alice = %q, want 501", s)
				}
				return s
			}),
		),
	},
	"smtp-starttls-injection": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				c.smtp()
				c.cmd("EHLO client.test")
				c.smtp()
				c.cmd("NOOP")
				c.smtp()
				// NOOP pipelined in plaintext behind STARTTLS, in one write.
				c.send("STARTTLS and NOOP", "STARTTLS\r\nNOOP\r\n")
				c.smtp()
				c.starttls()
				c.send("EHLO and QUIT over TLS", "EHLO client.test\r\nQUIT\r\n")
				c.smtpUntilClose()
			}
		},
		// The server discarded the plaintext NOOP; through the fault it is
		// answered over TLS before EHLO.
		want: func(t *testing.T, plain []obs) []obs {
			noop := find(t, plain, "NOOP")
			return insertBefore(t, plain, "EHLO and QUIT over TLS", noop.Data)
		},
	},
	"smtp-bare-lf-dot-ends-data": {
		scheme: embedded.SchemeSMTP,
		script: func(*embedded.System) script {
			return func(c *client) {
				c.smtp()
				c.cmd("EHLO client.test")
				c.smtp()
				c.cmd("MAIL FROM:<sender@remote.test>")
				c.smtp()
				c.cmd("RCPT TO:<alice@example.test>")
				c.smtp()
				c.cmd("DATA")
				c.smtp()
				c.send("content", "Subject: smuggling\r\n\r\nbody\n.\n"+
					"MAIL FROM:<sender@remote.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nsmuggled\r\n.\r\n")
				c.smtp()
				c.cmd("QUIT")
				c.smtpUntilClose()
			}
		},
		// Through the fault the server ends the content at "\n.\n" and
		// runs the smuggled transaction: four more replies.
		want: func(t *testing.T, plain []obs) []obs {
			var smuggled []string
			for _, label := range []string{"MAIL FROM:<sender@remote.test>", "RCPT TO:<alice@example.test>", "DATA", "content"} {
				smuggled = append(smuggled, find(t, plain, label).Data)
			}
			return insertBefore(t, plain, "QUIT", smuggled...)
		},
	},
	"pop3-dot-unstuffed": {
		scheme: embedded.SchemePOP3,
		script: pop3Basic,
		want: edits(
			change("RETR 1", unstuffed),
			change("TOP 1 3", unstuffed),
		),
	},
	"pop3-stat-off-by-one": {
		scheme: embedded.SchemePOP3,
		script: pop3Basic,
		want: change("STAT", func(t *testing.T, s string) string {
			var n, size int
			if _, err := fmt.Sscanf(s, "+OK %d %d\r\n", &n, &size); err != nil {
				t.Fatalf("STAT = %q: %v", s, err)
			}
			return fmt.Sprintf("+OK %d %d\r\n", n, size+1)
		}),
	},
	"imap-tag-mismatch": {
		scheme: embedded.SchemeIMAP,
		script: imapBasic,
		want: func(t *testing.T, plain []obs) []obs {
			tagged := regexp.MustCompile(`^a[0-9]+ `)
			out := append([]obs(nil), plain...)
			n := 0
			for i, o := range out {
				if tagged.MatchString(o.Data) {
					out[i].Data = "wrong-" + o.Data
					n++
				}
			}
			if n != 4 {
				t.Fatalf("%d tagged responses in %q, want 4", n, plain)
			}
			return out
		},
	},
	"imap-untagged-after-tagged": {
		scheme: embedded.SchemeIMAP,
		script: imapBasic,
		// The EXISTS of SELECT comes after the tagged OK, so the client
		// reads it after its next command.
		want: func(t *testing.T, plain []obs) []obs {
			exists := regexp.MustCompile(`^\* [0-9]+ EXISTS\r\n$`)
			var out []obs
			var held string
			for _, o := range plain {
				if o.Label == "a2 SELECT INBOX" && exists.MatchString(o.Data) {
					held = o.Data
					continue
				}
				out = append(out, o)
			}
			if held == "" {
				t.Fatalf("no EXISTS in the SELECT responses of %q", plain)
			}
			return insertBefore(t, out, "a3 NOOP", held)
		},
	},
}

// smtpBasic is a short SMTP session touching EHLO, a transaction start,
// RSET, NOOP and QUIT.
func smtpBasic(*embedded.System) script {
	return func(c *client) {
		c.smtp()
		c.cmd("EHLO client.test")
		c.smtp()
		c.cmd("MAIL FROM:<sender@remote.test>")
		c.smtp()
		c.cmd("RSET")
		c.smtp()
		c.cmd("NOOP")
		c.smtp()
		c.cmd("QUIT")
		c.smtp()
		c.closed()
	}
}

// pop3Basic is a short POP3 session over alice's maildrop, which holds a
// message with lines that begin with ".".
func pop3Basic(sys *embedded.System) script {
	var alice embedded.Account
	for _, a := range sys.Accounts {
		if a.User == "alice" {
			alice = a
		}
	}
	return func(c *client) {
		c.pop3()
		c.cmd("USER " + alice.User)
		c.pop3()
		c.send("PASS", "PASS "+alice.Password+"\r\n")
		c.pop3()
		c.cmd("STAT")
		c.pop3()
		c.cmd("LIST")
		c.pop3Multi()
		c.cmd("RETR 1")
		c.pop3Multi()
		c.cmd("TOP 1 3")
		c.pop3Multi()
		c.cmd("UIDL")
		c.pop3Multi()
		c.cmd("QUIT")
		c.pop3()
		c.closed()
	}
}

// pop3Message is the message pop3Basic reads: it has lines beginning
// with "." in its first three body lines.
const pop3Message = "Subject: dots\r\n\r\n.hidden\r\nplain\r\n..two\r\nlast\r\n"

// imapBasic is a short IMAP session: LOGIN, SELECT, NOOP, LOGOUT.
func imapBasic(sys *embedded.System) script {
	var alice embedded.Account
	for _, a := range sys.Accounts {
		if a.User == "alice" {
			alice = a
		}
	}
	return func(c *client) {
		c.imap()
		c.send("a1 LOGIN", "a1 LOGIN "+alice.User+" "+alice.Password+"\r\n")
		c.imapTagged()
		c.cmd("a2 SELECT INBOX")
		c.imapTagged()
		c.cmd("a3 NOOP")
		c.imapTagged()
		c.cmd("a4 LOGOUT")
		c.imapUntilClose()
	}
}

// TestFaults proves each fault of faultCases: a short session through
// the fault differs from the same session through the transparent proxy
// in exactly the way the fault says, and the transparent proxy matches a
// direct connection.
func TestFaults(t *testing.T) {
	names := make([]string, 0, len(faultCases))
	for name := range faultCases {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tc := faultCases[name]
		t.Run(name, func(t *testing.T) {
			f, ok := Lookup(name)
			if !ok {
				t.Fatalf("fault %s is not registered", name)
			}
			// Plaintext logins keep the scripts short.
			sys := startSystem(t, embedded.Options{InsecureAuth: true})
			if tc.scheme == embedded.SchemePOP3 {
				deliver(t, sys, account(t, sys, "alice"), pop3Message)
			}
			s := tc.script(sys)
			transparent := startProxy(t, sys, tc.scheme, Fault{})
			faulty := startProxy(t, sys, tc.scheme, f)
			direct := session(t, sys.Endpoints[tc.scheme], trust(t, sys.CertPEM), false, s)
			plain := session(t, transparent.Addr(), trust(t, transparent.CertPEM()), false, s)
			assertNoFailure(t, "direct", direct)
			if diff := cmp.Diff(direct, plain); diff != "" {
				t.Fatalf("transparent proxy (+) vs direct (-):\n%s", diff)
			}
			got := session(t, faulty.Addr(), trust(t, faulty.CertPEM()), false, s)
			want := tc.want(t, plain)
			if cmp.Equal(want, plain) {
				t.Fatalf("the expected change leaves the session as it is: %q", plain)
			}
			if testing.Verbose() {
				for _, o := range got {
					t.Logf("%-30q %q", o.Label, o.Data)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("session through %s (+) vs expected (-):\n%s", name, diff)
			}
		})
	}
}

// TestRegisteredFaults: the faults this package started with are all
// registered and proved in faultCases, and every registered fault (other
// files add their own, with their own proofs) is named after its protocol
// and described by the RFC section it breaks.
func TestRegisteredFaults(t *testing.T) {
	initial := []string{
		"imap-tag-mismatch", "imap-untagged-after-tagged",
		"pop3-dot-unstuffed", "pop3-stat-off-by-one",
		"smtp-bare-lf-dot-ends-data", "smtp-ehlo-bare-lf", "smtp-ehlo-code-mismatch",
		"smtp-greeting-none", "smtp-noop-500", "smtp-quit-250", "smtp-quit-no-close",
		"smtp-rcpt-before-mail-250", "smtp-rset-500", "smtp-starttls-injection",
		"smtp-unknown-command-502",
	}
	for _, name := range initial {
		if _, ok := Lookup(name); !ok {
			t.Errorf("fault %s is not registered", name)
		}
		if _, ok := faultCases[name]; !ok {
			t.Errorf("fault %s has no case in faultCases", name)
		}
	}
	cite := regexp.MustCompile(`^RFC [0-9]+ [0-9]`)
	for _, f := range List() {
		if !cite.MatchString(f.Description) {
			t.Errorf("fault %s: description %q does not start with \"RFC nnnn section\"", f.Name, f.Description)
		}
		if !strings.HasPrefix(f.Name, f.Protocol+"-") {
			t.Errorf("fault %s: protocol %q is not its name's prefix", f.Name, f.Protocol)
		}
	}
}

// find returns the one observation labelled label.
func find(t *testing.T, seen []obs, label string) obs {
	t.Helper()
	var found []obs
	for _, o := range seen {
		if o.Label == label {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d observations labelled %q in %q, want 1", len(found), label, seen)
	}
	return found[0]
}

// set replaces the one observation labelled label, which must be old.
func set(label, old, new string) edit {
	return change(label, func(t *testing.T, s string) string {
		if s != old {
			t.Fatalf("transparent run: after %q got %q, want %q", label, s, old)
		}
		return new
	})
}

// change rewrites the one observation labelled label with f.
func change(label string, f func(t *testing.T, s string) string) edit {
	return func(t *testing.T, plain []obs) []obs {
		find(t, plain, label)
		out := append([]obs(nil), plain...)
		for i, o := range out {
			if o.Label == label {
				out[i].Data = f(t, o.Data)
			}
		}
		return out
	}
}

// edits applies several edits in turn.
func edits(es ...edit) edit {
	return func(t *testing.T, plain []obs) []obs {
		for _, e := range es {
			plain = e(t, plain)
		}
		return plain
	}
}

// insertBefore inserts data, labelled label, before the first observation
// labelled label.
func insertBefore(t *testing.T, seen []obs, label string, data ...string) []obs {
	t.Helper()
	for i, o := range seen {
		if o.Label == label {
			out := append([]obs(nil), seen[:i]...)
			for _, d := range data {
				out = append(out, obs{label, d})
			}
			return append(out, seen[i:]...)
		}
	}
	t.Fatalf("no observation labelled %q in %q", label, seen)
	return nil
}

// refusedTo checks that the transparent reply is a refusal and returns
// the fault's reply instead.
func refusedTo(reply string) func(t *testing.T, s string) string {
	return func(t *testing.T, s string) string {
		if code, err := strconv.Atoi(s[:min(3, len(s))]); err != nil || code < 400 {
			t.Fatalf("transparent reply %q is not a refusal", s)
		}
		return reply
	}
}

// unstuffed removes the stuffing "." from the body lines of a multi-line
// POP3 response, checking that there is some.
func unstuffed(t *testing.T, s string) string {
	lines := strings.SplitAfter(s, "\r\n")
	n := 0
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "..") {
			lines[i] = lines[i][1:]
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no byte-stuffed line in %q", s)
	}
	return strings.Join(lines, "")
}
