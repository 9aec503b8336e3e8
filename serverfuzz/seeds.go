package serverfuzz

import "fmt"

// Seeds are the programs a campaign starts from, and the seed corpus of
// the native fuzz targets: each protocol's ordinary sessions, in every
// state (greeted, authenticated, selected).

// NewCommand returns the command of protocol p's dictionary entry name
// (one of Commands(p)) in its form number form, reading data.
func NewCommand(p Protocol, name string, form int, data ...byte) (Command, error) {
	d, ok := dicts[p]
	if !ok {
		return Command{}, fmt.Errorf("serverfuzz: unknown protocol %q", p)
	}
	op, ok := d.byName[name]
	if !ok {
		return Command{}, fmt.Errorf("serverfuzz: %s has no command %q", p, name)
	}
	if form < 0 || form >= len(d.specs[op].forms) {
		return Command{}, fmt.Errorf("serverfuzz: %s %s has %d forms, not %d", p, name, len(d.specs[op].forms), form+1)
	}
	return Command{Op: byte(op), Shape: byte(form), Data: data}, nil
}

// sc builds a seed command; the seeds name only commands that exist.
func sc(p Protocol, name string, form byte, data ...byte) Command {
	c, err := NewCommand(p, name, int(form), data...)
	if err != nil {
		panic(err)
	}
	return c
}

func seed(s State, cmds ...Command) Program { return Program{State: s, Cmds: cmds} }

// chunk is a generator's length-prefixed data.
func chunk(s string) []byte { return append([]byte{byte(len(s))}, s...) }

// Seeds returns the built-in seed programs of protocol p.
func Seeds(p Protocol) []Program {
	switch p {
	case SMTP:
		return []Program{
			seed(Greeted),
			seed(Greeted, sc(p, "EHLO", 0, 0)),
			seed(Greeted, sc(p, "HELO", 0, 0), sc(p, "NOOP", 0)),
			seed(Greeted, sc(p, "EHLO", 0, 0), sc(p, "AUTH", 0, 0, 0)),
			seed(Greeted, sc(p, "EHLO", 0, 0), sc(p, "AUTH", 2, 0)),
			seed(Greeted, sc(p, "EHLO", 0, 0), sc(p, "STARTTLS", 0)),
			seed(Greeted, sc(p, "QUIT", 0)),
			seed(Authenticated, sc(p, "MAIL", 0, 0, 0), sc(p, "RCPT", 0, 0, 0), sc(p, "DATA", 0, 0)),
			seed(Authenticated, sc(p, "VRFY", 1, 0), sc(p, "HELP", 0)),
			seed(Authenticated, sc(p, "MAIL", 0, 0, 1), sc(p, "RSET", 0)),
			seed(Selected, sc(p, "DATA", 0, 0)),
			seed(Selected, sc(p, "BDAT", 0, 0, 4, 'a', 'b', 'c', 'd')),
			seed(Selected, sc(p, "RCPT", 0, 4, 0), sc(p, "RSET", 0)),
			seed(Selected, sc(p, "DATA", 0, 2)),
		}
	case POP3:
		return []Program{
			seed(Greeted, sc(p, "CAPA", 0)),
			seed(Greeted, sc(p, "USER", 0), sc(p, "PASS", 0)),
			seed(Greeted, sc(p, "AUTH", 0, 0, 0)),
			seed(Greeted, sc(p, "STLS", 0)),
			seed(Authenticated, sc(p, "STAT", 0), sc(p, "LIST", 0)),
			seed(Authenticated, sc(p, "UIDL", 0), sc(p, "UIDL", 1, 1)),
			seed(Authenticated, sc(p, "RETR", 0, 0)),
			seed(Authenticated, sc(p, "TOP", 0, 1, 1)),
			seed(Authenticated, sc(p, "DELE", 0, 0), sc(p, "LIST", 1, 0), sc(p, "RSET", 0)),
			seed(Authenticated, sc(p, "NOOP", 0), sc(p, "QUIT", 0)),
		}
	}
	return []Program{
		seed(Greeted),
		seed(Greeted, sc(p, "CAPABILITY", 0)),
		seed(Greeted, sc(p, "LOGIN", 0, 0, 0)),
		seed(Greeted, sc(p, "AUTHENTICATE", 0, 0, 0)),
		seed(Greeted, sc(p, "raw-untagged", 0, chunk("x NOOP")...)),
		seed(Greeted, sc(p, "STARTTLS", 0)),
		seed(Authenticated, sc(p, "LIST", 0, 0, 0)),
		seed(Authenticated, sc(p, "SELECT", 0, 0)),
		seed(Authenticated, sc(p, "STATUS", 0, 0, 0, 0)),
		seed(Authenticated, sc(p, "CREATE", 0, 0), sc(p, "DELETE", 0, 0)),
		seed(Authenticated, sc(p, "APPEND", 0, 0, 0)),
		seed(Authenticated, sc(p, "NAMESPACE", 0), sc(p, "ENABLE", 0, 0)),
		seed(Authenticated, sc(p, "IDLE", 0)),
		seed(Selected, sc(p, "FETCH", 0, 2, 0)),
		seed(Selected, sc(p, "FETCH", 0, 0, 7)),
		seed(Selected, sc(p, "FETCH", 0, 2, 5)),
		seed(Selected, sc(p, "SEARCH", 0, 0)),
		seed(Selected, sc(p, "STORE", 0, 0, 0, 1, 0)),
		seed(Selected, sc(p, "CLOSE", 0)),
	}
}
