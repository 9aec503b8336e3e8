package fuzz

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailspec/mailspec/serverfuzz"
	"github.com/mailspec/mailspec/targets/embedded"
)

// imapClient is a bare IMAP client for setting up and inspecting a
// mailbox store.
type imapClient struct {
	t   *testing.T
	c   net.Conn
	r   *bufio.Reader
	tag int
}

func dialIMAP(t *testing.T, addr, user, password string) *imapClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(time.Minute))
	ic := &imapClient{t: t, c: c, r: bufio.NewReader(c)}
	if _, err := ic.r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	ic.do(fmt.Sprintf("LOGIN %q %q", user, password), "")
	return ic
}

// do sends line (and literal after the server's go-ahead, when line ends
// in a literal's count) and returns the untagged answers; anything but OK
// fails the test.
func (ic *imapClient) do(line, literal string) []string {
	ic.t.Helper()
	ic.tag++
	tag := "t" + strconv.Itoa(ic.tag)
	fmt.Fprintf(ic.c, "%s %s\r\n", tag, line)
	var untagged []string
	for {
		l, err := ic.r.ReadString('\n')
		if err != nil {
			ic.t.Fatalf("%s: %v", line, err)
		}
		switch {
		case strings.HasPrefix(l, "+"):
			fmt.Fprintf(ic.c, "%s\r\n", literal)
		case strings.HasPrefix(l, "* "):
			untagged = append(untagged, strings.TrimRight(l, "\r\n"))
		case strings.HasPrefix(l, tag+" OK"):
			return untagged
		default:
			ic.t.Fatalf("%s: %q", line, l)
		}
	}
}

var existsRE = regexp.MustCompile(`^\* (\d+) EXISTS$`)

func (ic *imapClient) count(mailbox string) int {
	ic.t.Helper()
	for _, l := range ic.do("EXAMINE "+mailbox, "") {
		if m := existsRE.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	ic.t.Fatalf("EXAMINE %s: no EXISTS", mailbox)
	return 0
}

// A live IMAP campaign clears what it piled up in the disposable account
// once INBOX holds too much: INBOX and every other mailbox are emptied,
// the mailboxes under mailspec-fuzz deleted, and the program still runs
// with INBOX selected.
func TestLiveIMAPCleansAccount(t *testing.T) {
	sys, err := embedded.Start(context.Background(), embedded.Options{InsecureAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	addr := sys.Endpoints[embedded.SchemeIMAP]
	a := sys.Accounts[0]
	ic := dialIMAP(t, addr, a.User, a.Password)
	msg := "Subject: pile\r\n\r\nx"
	lit := "{" + strconv.Itoa(len(msg)) + "}"
	for _, mb := range []string{"x", "mailspec-fuzz", "mailspec-fuzz/a"} {
		ic.do("CREATE "+mb, "")
	}
	for i := 0; i < 60; i++ {
		ic.do("APPEND INBOX "+lit, msg)
	}
	for i := 0; i < 3; i++ {
		ic.do("APPEND x "+lit, msg)
		ic.do("APPEND mailspec-fuzz/a "+lit, msg)
	}

	c := &serverfuzz.Campaign{Targets: []serverfuzz.Target{{
		Protocol: serverfuzz.IMAP, User: a.User, Password: a.Password, Address: a.Address, Timeout: 10 * time.Second,
		Dial: func(ctx context.Context) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
	}}}
	noop, _ := serverfuzz.NewCommand(serverfuzz.IMAP, "NOOP", 0)
	prog := serverfuzz.Program{State: serverfuzz.Selected, Cmds: []serverfuzz.Command{noop}}
	if f, err := c.Reproduce(t.Context(), serverfuzz.IMAP, prog.Encode()); err != nil || f != nil {
		t.Fatalf("Reproduce: %v, %v", f, err)
	}

	if n := ic.count("INBOX"); n != 0 {
		t.Errorf("INBOX holds %d messages after the clean-up, want 0", n)
	}
	if n := ic.count("x"); n != 0 {
		t.Errorf("x holds %d messages after the clean-up, want 0", n)
	}
	var left []string
	for _, l := range ic.do(`LIST "" "*"`, "") {
		left = append(left, l[strings.LastIndex(l, " ")+1:])
	}
	got := strings.Join(left, " ")
	if strings.Contains(got, "mailspec-fuzz") || !strings.Contains(got, "x") {
		t.Errorf("mailboxes after the clean-up: %s; want x kept and mailspec-fuzz gone", got)
	}
}
