package embedded

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
)

func TestStartRefusesUnknownFault(t *testing.T) {
	for _, faults := range [][]string{{"pop3-no-such-fault"}, {FaultPOP3DeleImmediate, ""}} {
		sys, err := Start(context.Background(), Options{Faults: faults})
		if err == nil {
			sys.Close()
			t.Errorf("Start(Faults: %q) = nil error, want one naming the unknown fault", faults)
			continue
		}
		if !strings.Contains(err.Error(), "unknown fault") {
			t.Errorf("Start(Faults: %q) = %v, want an unknown-fault error", faults, err)
		}
	}
}

// TestFaultDeleImmediate: with pop3-dele-immediate a DELE in a session
// that ends without QUIT removes the message all the same; without the
// fault it stays (RFC 1939 section 6).
func TestFaultDeleImmediate(t *testing.T) {
	for _, tc := range []struct {
		faults   []string
		wantLeft int
	}{
		{nil, 1},
		{[]string{FaultPOP3DeleImmediate}, 0},
	} {
		t.Run(strings.Join(append([]string{"faults"}, tc.faults...), "-"), func(t *testing.T) {
			sys := startSystem(t, Options{Faults: tc.faults})
			bob := deliverToBob(t, sys)

			p := popLogin(t, sys, bob)
			p.ok("DELE 1")
			// Within the session the message is marked, whatever the fault.
			if got := p.cmd("RETR 1"); !strings.HasPrefix(got, "-ERR") {
				t.Errorf("RETR of a deleted message = %q, want -ERR", got)
			}
			p.conn.Close() // no QUIT: no UPDATE state

			p = popLoginRetrying(t, sys, bob)
			if got := p.ok("STAT"); !strings.HasPrefix(got, "+OK "+strconv.Itoa(tc.wantLeft)+" ") {
				t.Errorf("STAT after a dropped session with DELE = %q, want %d messages", got, tc.wantLeft)
			}
			p.ok("QUIT")
		})
	}
}

// TestFaultUIDLUnstable: with pop3-uidl-unstable the unique-id of the
// same message differs between two sessions, still valid in form (1 to
// 70 characters of 0x21-0x7E) and stable within one session; without the
// fault it is the same (RFC 1939 section 7).
func TestFaultUIDLUnstable(t *testing.T) {
	for _, tc := range []struct {
		faults   []string
		wantSame bool
	}{
		{nil, true},
		{[]string{FaultPOP3UIDLUnstable}, false},
		{[]string{FaultPOP3UIDLUnstable, FaultPOP3DeleImmediate}, false},
	} {
		t.Run(strings.Join(append([]string{"faults"}, tc.faults...), "-"), func(t *testing.T) {
			sys := startSystem(t, Options{Faults: tc.faults})
			bob := deliverToBob(t, sys)

			uidl := func() string {
				p := popLogin(t, sys, bob)
				one := strings.TrimPrefix(p.ok("UIDL 1"), "+OK ")
				p.ok("UIDL")
				if lines := p.multi(); len(lines) != 1 || lines[0] != one {
					t.Errorf("UIDL = %q, want [%q] as UIDL 1 said in the same session", lines, one)
				}
				p.ok("QUIT")
				id := strings.TrimPrefix(one, "1 ")
				if len(id) < 1 || len(id) > 70 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
					t.Errorf("unique-id %q is not 1 to 70 characters of 0x21-0x7E", id)
				}
				return id
			}
			first, second := uidl(), uidl()
			if same := first == second; same != tc.wantSame {
				t.Errorf("unique-ids %q and %q in two sessions: same = %v, want %v", first, second, same, tc.wantSame)
			}
		})
	}
}

// A POP3 Handler has the faults of its system as the listeners do: with
// pop3-uidl-unstable the same message's unique-id differs between two
// connections of a shared handler, and without it not. (Isolated
// connections each start from a store of their own, where neither fault
// can show across connections.)
func TestHandlerFaults(t *testing.T) {
	for _, tc := range []struct {
		faults   []string
		wantSame bool
	}{
		{nil, true},
		{[]string{FaultPOP3UIDLUnstable}, false},
	} {
		t.Run(strings.Join(append([]string{"faults"}, tc.faults...), "-"), func(t *testing.T) {
			sys := startSystem(t, Options{Faults: tc.faults, InsecureAuth: true})
			h, err := sys.Handler(SchemePOP3, HandlerOptions{})
			if err != nil {
				t.Fatal(err)
			}
			a := deliverToBob(t, sys)
			uidl := func() string {
				client, server := net.Pipe()
				done := make(chan struct{})
				go func() { defer close(done); h(server) }()
				defer func() { client.Close(); <-done }()
				p := &popConn{t: t, conn: client, br: bufio.NewReader(client)}
				if g := p.line(); !strings.HasPrefix(g, "+OK") {
					t.Fatalf("greeting %q", g)
				}
				p.ok("USER " + a.User)
				p.ok("PASS " + a.Password)
				id := strings.TrimPrefix(p.ok("UIDL 1"), "+OK 1 ")
				p.ok("QUIT")
				return id
			}
			first, second := uidl(), uidl()
			if same := first == second; same != tc.wantSame {
				t.Errorf("unique-ids %q and %q in two connections: same = %v, want %v", first, second, same, tc.wantSame)
			}
		})
	}
}
