package serverfuzz_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"

	"github.com/mailspec/mailspec/serverfuzz"
)

// toyPOP3 is a vendor's POP3 server in miniature, with a bug: its STAT
// answer ends in a bare LF instead of CRLF (RFC 1939 section 3).
func toyPOP3(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprint(c, "+OK ready\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "USER", "NOOP", "RSET":
			fmt.Fprint(c, "+OK\r\n")
		case "PASS":
			if arg != "secret" {
				fmt.Fprint(c, "-ERR [AUTH] no\r\n")
				continue
			}
			fmt.Fprint(c, "+OK logged in\r\n")
		case "STAT":
			fmt.Fprint(c, "+OK 0 0\n")
		case "QUIT":
			fmt.Fprint(c, "+OK bye\r\n")
			return
		default:
			fmt.Fprint(c, "-ERR unknown command\r\n")
		}
	}
}

// A Go server is fuzzed in process: a function that serves one net.Conn,
// and an account. In a test file, serverfuzz.Fuzz(f, srv) makes it a
// native fuzz target; Check runs one input.
func Example() {
	srv := serverfuzz.Server{Protocol: serverfuzz.POP3, Serve: toyPOP3, User: "alice", Password: "secret"}

	stat, _ := serverfuzz.NewCommand(serverfuzz.POP3, "STAT", 0)
	prog := serverfuzz.Program{State: serverfuzz.Authenticated, Cmds: []serverfuzz.Command{stat}}
	f := srv.Check(prog.Encode())
	fmt.Println(f.Kind, f.Command, f.State)
	fmt.Printf("RFC %s section %s (%s)\n", f.RFC, f.Section, f.Level)

	// The reproducer transcript replays the exchange with mailspec
	// replay; the credentials are variables.
	for _, st := range f.Reproducer.Steps {
		if st.String()[0] != '#' {
			fmt.Println(st)
		}
	}
	// Output:
	// malformed-response STAT transaction
	// RFC 1939 section 3 (MUST)
	// S: +OK*
	// C: USER alice
	// S: +OK*
	// C: PASS ${password}
	// S: +OK*
	// C: STAT
	// S: *
}
