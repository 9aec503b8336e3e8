package embedded

import (
	"bytes"
	"cmp"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// fakeDrop is an in-memory maildrop for driving the POP3 front-end alone.
type fakeDrop struct {
	mu      sync.Mutex
	msgs    map[imap.UID][]byte
	removed []imap.UID
}

func newFakeDrop() *fakeDrop {
	return &fakeDrop{msgs: map[imap.UID][]byte{
		1: []byte("Subject: one\r\n\r\nbody\r\n.dot\r\n"),
		2: []byte("Subject: two\n\nbare LF"),
		3: {},
	}}
}

func (d *fakeDrop) user() string        { return "user" }
func (d *fakeDrop) load() error         { return nil }
func (d *fakeDrop) uidValidity() uint32 { return 7 }
func (d *fakeDrop) close() error        { return nil }
func (d *fakeDrop) messages() []dropMessage {
	d.mu.Lock()
	defer d.mu.Unlock()
	var l []dropMessage
	for uid, m := range d.msgs {
		l = append(l, dropMessage{uid: uid, size: int64(len(pop3Form(m)))})
	}
	slices.SortFunc(l, func(a, b dropMessage) int { return cmp.Compare(a.uid, b.uid) })
	return l
}

func (d *fakeDrop) content(uid imap.UID) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.msgs[uid]
	if !ok {
		return nil, errGone
	}
	return pop3Form(m), nil
}

func (d *fakeDrop) remove(uids []imap.UID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, uid := range uids {
		delete(d.msgs, uid)
		d.removed = append(d.removed, uid)
	}
	return nil
}

// runPOP3 drives one POP3 session over a pipe: input, then QUIT, and
// returns what the server sent and logged.
func runPOP3(t *testing.T, drop *fakeDrop, input []byte) (out, logged string) {
	t.Helper()
	var logBuf bytes.Buffer
	srv := &pop3Server{
		cfg:    pop3Config{insecureAuth: true, log: log.New(&logBuf, "", 0)},
		policy: conformPolicy{},
		locked: make(map[string]bool),
		open: func(username, password string) (maildrop, error) {
			if username != "user" || password != "secret" {
				return nil, errBadCredentials
			}
			return drop, nil
		},
	}
	client, server := net.Pipe()
	defer client.Close()
	client.SetDeadline(time.Now().Add(hangGuard))
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.handle(server)
	}()
	var outBuf bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		io.Copy(&outBuf, client)
	}()
	// Write errors only mean the session already ended. The line after
	// the input ends a pending AUTH continuation, "*" cancels one that is
	// still waiting; both are unknown commands otherwise.
	client.Write(input)
	client.Write([]byte("\r\n*\r\nQUIT\r\n"))
	<-read
	client.Close() // ends the session if the hang guard fired
	<-done
	return outBuf.String(), logBuf.String()
}

func TestPOP3SessionWithFakeDrop(t *testing.T) {
	drop := newFakeDrop()
	out, logged := runPOP3(t, drop, []byte("USER user\r\nPASS secret\r\nSTAT\r\nLIST\r\nRETR 2\r\nTOP 1 1\r\nRETR 3\r\nDELE 1\r\n"))
	want := "+OK mailspec embedded POP3 server ready\r\n" +
		"+OK send PASS\r\n" +
		"+OK maildrop has 3 messages (53 octets)\r\n" +
		"+OK 3 53\r\n" +
		"+OK 3 messages (53 octets)\r\n1 28\r\n2 25\r\n3 0\r\n.\r\n" +
		"+OK 25 octets\r\nSubject: two\r\n\r\nbare LF\r\n.\r\n" +
		"+OK top of message follows\r\nSubject: one\r\n\r\nbody\r\n.\r\n" +
		"+OK 0 octets\r\n.\r\n" +
		"+OK message 1 deleted\r\n" +
		"-ERR unknown command\r\n" + // the empty line and "*" before QUIT
		"-ERR unknown command\r\n" +
		"+OK bye (2 messages left)\r\n"
	if out != want {
		t.Errorf("session output:\n%q\nwant\n%q", out, want)
	}
	if logged != "" {
		t.Errorf("logged %q", logged)
	}
	if !slices.Equal(drop.removed, []imap.UID{1}) {
		t.Errorf("removed %v, want [1]", drop.removed)
	}
}

// FuzzPOP3Session feeds arbitrary input to the POP3 front-end: it must
// neither panic nor stop answering, and a final QUIT always gets +OK.
func FuzzPOP3Session(f *testing.F) {
	for _, seed := range []string{
		"",
		"CAPA\r\n",
		"USER user\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 0\r\nDELE 1\r\nRSET\r\nNOOP\r\n",
		"AUTH PLAIN\r\nAHVzZXIAc2VjcmV0\r\nRETR 3\r\nDELE 2\r\nDELE 2\r\n",
		"AUTH PLAIN\r\n",
		"AUTH PLAIN =\r\nAUTH PLAIN *\r\n",
		"user user\npass secret\nlist 99999999999\ntop 1 99999999999\n",
		"STLS\r\nQUIT x\r\n",
		"\x00\xff\r\n" + strings.Repeat("A", 3000) + "\r\nCAPA\r\n",
		"USER user\r\nPASS secret\r\nQUIT\r\nSTAT\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		out, logged := runPOP3(t, newFakeDrop(), input)
		if strings.Contains(logged, "panic") {
			t.Fatalf("the session panicked on %q:\n%s", input, logged)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, "+OK") {
			t.Fatalf("last line %q after input %q, want the +OK of QUIT", last, input)
		}
		if !strings.HasSuffix(out, "\r\n") {
			t.Fatalf("output does not end in CRLF: %q", out)
		}
	})
}
