package fuzz

import (
	"strings"
	"testing"
	"time"

	"github.com/mailspec/mailspec/serverfuzz"
)

func TestUnterminatedQuote(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"LOGIN \"a\" \"b\"\r\n", false},
		{"LOGIN \"a\\q b\r\n", true},
		{"LOGIN \"a\\\" b\"\r\n", false},
		{"APPEND x {3}\r\n\"\"\" \"y\"\r\n", false}, // quotes inside a literal do not count
		{"APPEND \"x {3+}\r\nabc\r\n", true},
		{"NOOP\r\n", false},
	} {
		if got := unterminatedQuote(tc.line); got != tc.want {
			t.Errorf("unterminatedQuote(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
	for tag, want := range map[string]bool{"a1": true, "A.b-]": true, "+0": false, "\xb4": false, "": false, "x*": false} {
		if got := validTag(tag); got != want {
			t.Errorf("validTag(%q) = %v, want %v", tag, got, want)
		}
	}
}

// The embedded system's known faults are real: each input shows its
// fault in process, and EmbeddedKnown names it.
func TestEmbeddedKnownFaults(t *testing.T) {
	cmd := func(p serverfuzz.Protocol, name string, form int, data ...byte) serverfuzz.Command {
		c, err := serverfuzz.NewCommand(p, name, form, data...)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	raw := func(p serverfuzz.Protocol, text string) serverfuzz.Command {
		return cmd(p, "raw", 0, append([]byte{byte(len(text))}, text...)...)
	}
	for _, tc := range []struct {
		name  string
		proto serverfuzz.Protocol
		prog  serverfuzz.Program
		kind  serverfuzz.Kind
		known string
	}{
		{"go-imap open quote", serverfuzz.IMAP,
			serverfuzz.Program{Cmds: []serverfuzz.Command{raw(serverfuzz.IMAP, `LOGIN "alice\q x`)}},
			serverfuzz.Hang, "quoted string"},
		{"go-imap line over 50 KiB", serverfuzz.IMAP,
			serverfuzz.Program{Cmds: []serverfuzz.Command{cmd(serverfuzz.IMAP, "LOGIN", 5, 14, '0', 14, 'a')}},
			// A tag mismatch, or a close when the server's BYE beats the
			// fuzzer's next command.
			"", "50 KiB"},
		{"go-smtp control character echo", serverfuzz.SMTP,
			serverfuzz.Program{Cmds: []serverfuzz.Command{raw(serverfuzz.SMTP, "HELO \x00")}},
			serverfuzz.MalformedResponse, "control characters"},
		{"go-smtp 500 and close", serverfuzz.SMTP,
			serverfuzz.Program{Cmds: []serverfuzz.Command{cmd(serverfuzz.SMTP, "NOOP", 2, 10, 'a')}},
			serverfuzz.Disconnect, "instead of 421"},
	} {
		srv, stop, err := EmbeddedServer(tc.proto)
		if err != nil {
			t.Fatal(err)
		}
		srv.Avoid = nil
		srv.Timeout = 2 * time.Second
		f := srv.Check(tc.prog.Encode())
		stop()
		if f == nil {
			t.Errorf("%s: no finding", tc.name)
			continue
		}
		if tc.kind != "" && f.Kind != tc.kind || !strings.Contains(f.Known, tc.known) {
			t.Errorf("%s: %v, known %q; want %s, known as %q", tc.name, f, f.Known, tc.kind, tc.known)
		}
	}
}
