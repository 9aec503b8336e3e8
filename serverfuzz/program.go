package serverfuzz

import (
	"fmt"
	"strings"

	"github.com/mailspec/mailspec/transcripts"
)

// Protocol is the mail protocol a target speaks.
type Protocol = transcripts.Protocol

// The protocols.
const (
	SMTP = transcripts.SMTP
	POP3 = transcripts.POP3
	IMAP = transcripts.IMAP
)

// State is where a program's commands start: the fuzzer reaches it with
// commands of its own before sending the program's.
type State uint8

// The states. Their meaning depends on the protocol.
const (
	// Greeted: the greeting has been read and nothing sent (IMAP: not
	// authenticated, RFC 9051 section 3.1; POP3: the AUTHORIZATION state,
	// RFC 1939 section 4; SMTP: before EHLO).
	Greeted State = iota
	// Authenticated: logged in (IMAP LOGIN, RFC 9051 section 3.2; POP3
	// USER and PASS, entering the TRANSACTION state; SMTP EHLO and AUTH,
	// RFC 4954, or EHLO alone where the server offers no AUTH).
	Authenticated
	// Selected: IMAP with INBOX selected (RFC 9051 section 3.3); SMTP
	// with a mail transaction open (MAIL FROM and RCPT TO accepted, RFC
	// 5321 section 3.3). POP3 has no such state; its programs use
	// Greeted and Authenticated only.
	Selected
)

func (s State) String() string {
	switch s {
	case Greeted:
		return "greeted"
	case Authenticated:
		return "authenticated"
	case Selected:
		return "selected"
	}
	return fmt.Sprintf("State(%d)", s)
}

// numStates is how many states the protocol's programs start from.
func numStates(p Protocol) int {
	if p == POP3 {
		return 2
	}
	return 3
}

// Limits of a program.
const (
	// MaxCommands is the most commands a program holds; a longer input
	// is cut.
	MaxCommands = 16
	// MaxData is the most argument bytes a command holds.
	MaxData = 255
)

// Command is one command of a program: an entry of the protocol's
// dictionary and the bytes its argument generators read.
type Command struct {
	// Op picks the dictionary entry (modulo the dictionary's size).
	Op byte
	// Shape picks the entry's form (its low 6 bits, modulo the number of
	// forms); bit 0x40 ends the line with a bare LF instead of CRLF, bit
	// 0x80 writes the command name in lower case.
	Shape byte
	// Data is what the form's argument generators read, in order; when
	// it runs out they read zeros, which pick their simplest value.
	Data []byte
}

// Shape bits.
const (
	shapeBareLF = 0x40
	shapeLower  = 0x80
	shapeForm   = 0x3f
)

// Program is one fuzz input: the state to reach, then commands.
type Program struct {
	State State
	Cmds  []Command
}

// Decode turns a fuzz input into a program of protocol p. Every byte
// string is a program: the first byte picks the state, then each command
// takes an op byte, a shape byte, a length byte and that many data bytes.
// Input past MaxCommands commands is ignored. Decode(p, Encode(prog))
// gives prog back for a program within the limits.
func Decode(p Protocol, data []byte) Program {
	var prog Program
	if len(data) == 0 {
		return prog
	}
	prog.State = State(int(data[0]) % numStates(p))
	data = data[1:]
	for len(data) > 0 && len(prog.Cmds) < MaxCommands {
		c := Command{Op: data[0]}
		n := 0
		if len(data) > 1 {
			c.Shape = data[1]
		}
		if len(data) > 2 {
			n = int(data[2])
		}
		data = data[min(3, len(data)):]
		n = min(n, len(data))
		if n > 0 {
			c.Data = data[:n:n]
		}
		data = data[n:]
		prog.Cmds = append(prog.Cmds, c)
	}
	return prog
}

// Encode is the inverse of Decode: the fuzz input of prog. Data beyond
// MaxData bytes and commands beyond MaxCommands are dropped.
func (prog Program) Encode() []byte {
	b := []byte{byte(prog.State)}
	for i, c := range prog.Cmds {
		if i == MaxCommands {
			break
		}
		d := c.Data
		if len(d) > MaxData {
			d = d[:MaxData]
		}
		b = append(b, c.Op, c.Shape, byte(len(d)))
		b = append(b, d...)
	}
	return b
}

// Clone returns a deep copy of prog.
func (prog Program) Clone() Program {
	c := Program{State: prog.State, Cmds: make([]Command, len(prog.Cmds))}
	for i, cmd := range prog.Cmds {
		c.Cmds[i] = Command{Op: cmd.Op, Shape: cmd.Shape, Data: append([]byte(nil), cmd.Data...)}
	}
	return c
}

// Describe renders prog for people: its state and each command as the
// line it sends (abbreviated), with the account's credentials replaced by
// placeholders.
func (prog Program) Describe(p Protocol) string {
	d := dictFor(p)
	ctx := placeholderCtx(p)
	var b strings.Builder
	b.WriteString(prog.State.String())
	for _, c := range prog.Cmds {
		r := d.render(c, ctx)
		b.WriteString(" | ")
		b.WriteString(abbrev(r.describe(), 60))
	}
	return b.String()
}

// abbrev shortens s to about n bytes, quoting control characters.
func abbrev(s string, n int) string {
	q := fmt.Sprintf("%q", s)
	q = q[1 : len(q)-1]
	if len(q) > n {
		return q[:n] + "..."
	}
	return q
}
