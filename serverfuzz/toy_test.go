package serverfuzz

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Toy servers for the tests: an IMAP, an SMTP and a POP3 server that
// answer the fuzzer's commands correctly, and have faults that a NOOP
// (IMAP, POP3) or a NOOP or DATA (SMTP) argument triggers when the server
// is buggy:
//
//	malformed  an answer ended by a bare LF
//	hang       no answer
//	bye        the connection closed without a word
//	tag        (IMAP) a completion with another tag
//	boom       a panic
//
// A correct server answers them all like any NOOP.

const (
	toyUser = "tester"
	toyPass = "p4ssw0rd-t0y"
)

// toy is one toy server; buggy switches its faults on.
type toy struct {
	proto Protocol
	mu    sync.Mutex
	buggy bool
	conns int
}

func newToy(t *testing.T, p Protocol, buggy bool) *toy {
	return &toy{proto: p, buggy: buggy}
}

func (ty *toy) isBuggy() bool {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return ty.buggy
}

// fault returns the fault an argument asks for, if the server is buggy.
func (ty *toy) fault(arg string) string {
	if !ty.isBuggy() {
		return ""
	}
	switch arg = strings.ToLower(strings.TrimSpace(arg)); arg {
	case "malformed", "hang", "bye", "tag", "boom":
		return arg
	}
	return ""
}

// serve is the toy's func(net.Conn).
func (ty *toy) serve(c net.Conn) {
	defer c.Close()
	ty.mu.Lock()
	ty.conns++
	ty.mu.Unlock()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	defer w.Flush()
	say := func(s string) { w.WriteString(s) }
	switch ty.proto {
	case SMTP:
		say("220 toy ESMTP\r\n")
	case POP3:
		say("+OK toy ready\r\n")
	default:
		say("* OK [CAPABILITY IMAP4rev1 UNSELECT] toy ready\r\n")
	}
	st := &toyState{}
	for {
		w.Flush()
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		var f string
		switch ty.proto {
		case SMTP:
			f = ty.smtp(st, r, w, line)
		case POP3:
			f = ty.pop3(st, w, line)
		default:
			f = ty.imap(st, w, line)
		}
		switch f {
		case "hang":
			// Answer nothing until the client gives up.
			w.Flush()
			io.Copy(io.Discard, r)
			return
		case "bye", "quit":
			return
		case "boom":
			panic("toy: boom")
		}
	}
}

type toyState struct {
	auth, selected, helo, mail, rcpt bool
}

func (ty *toy) imap(st *toyState, w *bufio.Writer, line string) string {
	tag, rest, _ := strings.Cut(line, " ")
	name, arg, _ := strings.Cut(rest, " ")
	if tag == "" || strings.ContainsAny(tag, "*+(){%\"\\") {
		w.WriteString("* BAD bad tag\r\n")
		return ""
	}
	ok := func() { w.WriteString(tag + " OK done\r\n") }
	switch name = strings.ToUpper(name); name {
	case "NOOP":
		switch f := ty.fault(arg); f {
		case "malformed":
			w.WriteString(tag + " OK done\n")
		case "tag":
			w.WriteString("x" + tag + " OK done\r\n")
		case "":
			ok()
		default:
			return f
		}
	case "CAPABILITY":
		w.WriteString("* CAPABILITY IMAP4rev1 UNSELECT\r\n")
		ok()
	case "LOGIN":
		if arg == `"`+toyUser+`" "`+toyPass+`"` || arg == toyUser+" "+toyPass {
			st.auth = true
			ok()
		} else {
			w.WriteString(tag + " NO [AUTHENTICATIONFAILED] no\r\n")
		}
	case "SELECT", "EXAMINE":
		if !st.auth {
			w.WriteString(tag + " BAD not authenticated\r\n")
			break
		}
		st.selected = true
		w.WriteString("* 1 EXISTS\r\n")
		ok()
	case "UNSELECT", "CLOSE":
		st.selected = false
		ok()
	case "LOGOUT":
		w.WriteString("* BYE bye\r\n")
		ok()
		return "quit"
	default:
		w.WriteString(tag + " BAD unknown\r\n")
	}
	return ""
}

func (ty *toy) smtp(st *toyState, r *bufio.Reader, w *bufio.Writer, line string) string {
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "EHLO":
		st.helo = true
		w.WriteString("250-toy\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n")
	case "AUTH":
		st.auth = true
		w.WriteString("235 2.7.0 ok\r\n")
	case "MAIL":
		st.mail = true
		w.WriteString("250 2.1.0 ok\r\n")
	case "RCPT":
		st.rcpt = true
		w.WriteString("250 2.1.5 ok\r\n")
	case "RSET":
		st.mail, st.rcpt = false, false
		w.WriteString("250 2.0.0 ok\r\n")
	case "DATA":
		if !st.rcpt {
			w.WriteString("503 5.5.1 no recipients\r\n")
			break
		}
		w.WriteString("354 go ahead\r\n")
		w.Flush()
		var body strings.Builder
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return "bye"
			}
			if l == ".\r\n" {
				break
			}
			body.WriteString(l)
		}
		st.mail, st.rcpt = false, false
		if f := ty.fault(strings.TrimSpace(body.String())); f == "malformed" {
			w.WriteString("250-queued\r\n250 ok\n")
			break
		}
		w.WriteString("250 2.0.0 queued\r\n")
	case "NOOP":
		switch f := ty.fault(arg); f {
		case "malformed":
			w.WriteString("250 ok\n")
		case "", "tag":
			w.WriteString("250 2.0.0 ok\r\n")
		default:
			return f
		}
	case "QUIT":
		w.WriteString("221 2.0.0 bye\r\n")
		return "quit"
	default:
		w.WriteString("500 5.5.2 unknown\r\n")
	}
	return ""
}

func (ty *toy) pop3(st *toyState, w *bufio.Writer, line string) string {
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "USER":
		w.WriteString("+OK\r\n")
	case "PASS":
		if arg == toyPass {
			st.auth = true
			w.WriteString("+OK in\r\n")
		} else {
			w.WriteString("-ERR [AUTH] no\r\n")
		}
	case "LIST":
		if arg == "" {
			w.WriteString("+OK 1 messages\r\n1 10\r\n.\r\n")
		} else {
			w.WriteString("+OK 1 10\r\n")
		}
	case "RETR":
		w.WriteString("+OK 10 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n")
	case "NOOP":
		switch f := ty.fault(arg); f {
		case "malformed":
			w.WriteString("+OK\n")
		case "", "tag":
			w.WriteString("+OK\r\n")
		default:
			return f
		}
	case "QUIT":
		w.WriteString("+OK bye\r\n")
		return "quit"
	default:
		w.WriteString("-ERR unknown\r\n")
	}
	return ""
}

// listen serves the toy on a loopback port until the test ends.
func (ty *toy) listen(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { recover() }()
				ty.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

// server is the toy as an in-process Server.
func (ty *toy) server() Server {
	return Server{Protocol: ty.proto, Serve: ty.serve, User: toyUser, Password: toyPass, Timeout: 2 * time.Second}
}

// target is the toy on TCP as a live Target.
func (ty *toy) target(addr string) Target {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return Target{
		Protocol: ty.proto, Name: "toy", User: toyUser, Password: toyPass, Timeout: 2 * time.Second,
		Dial: func(ctx context.Context) (net.Conn, error) { return d.DialContext(ctx, "tcp", addr) },
	}
}

// raw is a program command that sends text as its whole line (IMAP: after
// the tag).
func raw(t *testing.T, p Protocol, text string) Command {
	t.Helper()
	c, err := NewCommand(p, "raw", 0, chunk(text)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
