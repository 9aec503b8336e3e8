package fuzz

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// The command targets check the harness's own command path: the commands
// it sends are transcript C: and C! lines (hand-written, recorded by
// FromRecording, or written by the live fuzzer as reproducers), and what
// matters is that a command survives printing and parsing of its
// transcript and goes on the wire byte for byte as it was recorded. For
// IMAP the literal framing of C: lines ({lit:...}, {lit+:...}) is checked
// against the framing of the harness's IMAP reader.

// maxCommands bounds how many commands one input is split into.
const maxCommands = 512

// varRefPattern matches a variable reference in a transcript line.
var varRefPattern = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// selfVars maps every variable a step refers to to its own reference, so
// that expanding the step gives back the bytes it was recorded from.
func selfVars(steps []script.Step) map[string]string {
	vars := map[string]string{}
	for _, st := range steps {
		for _, m := range varRefPattern.FindAllStringSubmatch(st.String(), -1) {
			vars[m[1]] = "${" + m[1] + "}"
		}
	}
	return vars
}

// commandMeta is the header of the transcripts the command targets build.
func commandMeta(proto string) script.Script {
	return script.Script{
		ID:       proto + "/9999/1/fuzz",
		Protocol: proto,
		Level:    "MAY",
		RFCs:     []script.RFCRef{{Number: "9999", Section: "1"}},
	}
}

// splitWrites splits data after every LF: how a client that writes one
// line at a time sends it.
func splitWrites(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 && len(out) < maxCommands {
		i := bytes.IndexByte(data, '\n') + 1
		if i == 0 || len(out) == maxCommands-1 {
			i = len(data)
		}
		out = append(out, data[:i])
		data = data[i:]
	}
	return out
}

// checkLineCommands records data as the commands of an SMTP or POP3
// client, one write per line, and checks that the transcript prints and
// parses back to steps that send exactly those bytes; a C: step must be
// exactly one CRLF-terminated line.
func checkLineCommands(proto string, data []byte) error {
	writes := splitWrites(data)
	var rec []script.Entry
	for _, w := range writes {
		rec = append(rec, script.Entry{Conn: 1, Dir: "C", Data: w})
	}
	s := script.FromRecording(commandMeta(proto), rec, proto)
	if len(s.Steps) != len(writes) {
		return fmt.Errorf("%d writes became %d steps", len(writes), len(s.Steps))
	}
	for i, st := range s.Steps {
		if st.Kind == script.Send {
			line, ok := bytes.CutSuffix(writes[i], []byte("\r\n"))
			if !ok || bytes.ContainsAny(line, "\r\n\x00") {
				return fmt.Errorf("write %q became a C: line, but it is not one CRLF-terminated line", writes[i])
			}
		}
	}
	return checkSends(s, writes)
}

// checkSends prints s, parses it back and checks that it is the same
// transcript and that its steps send want, step by step.
func checkSends(s *script.Script, want [][]byte) error {
	text := s.Print()
	back, err := script.Parse("fuzz.txt", text)
	if err != nil {
		return fmt.Errorf("Parse(Print(s)) = %v\n%s", err, text)
	}
	if again := back.Print(); !bytes.Equal(again, text) {
		return fmt.Errorf("Print is not stable:\n%s\nthen\n%s", text, again)
	}
	if len(back.Steps) != len(want) {
		return fmt.Errorf("%d commands printed as %d steps:\n%s", len(want), len(back.Steps), text)
	}
	vars := selfVars(back.Steps)
	for i, st := range back.Steps {
		for _, x := range []script.Step{s.Steps[i], st} {
			got, err := x.Wire(vars)
			if err != nil {
				return fmt.Errorf("step %q: %v", x.String(), err)
			}
			if !bytes.Equal(got, want[i]) {
				return fmt.Errorf("step %q sends %q, want %q", x.String(), got, want[i])
			}
		}
	}
	return nil
}

// imapAnnouncement matches a literal announcement at the end of a command
// line (RFC 9051 section 4.3, RFC 7888, RFC 3516).
var imapAnnouncement = regexp.MustCompile(`~?\{([0-9]+)(\+?)\}\r?\n$`)

// imapCommand is one IMAP command as a client sends it: its bytes, and
// its pieces as a transcript C: line writes them.
type imapCommand struct {
	raw      []byte
	segments []script.Segment
	clean    bool // the C: line form sends exactly raw
}

// splitIMAPCommands splits a client's bytes into IMAP commands: a line,
// and while it ends in a literal announcement, the literal's octets and
// the line that continues the command.
func splitIMAPCommands(data []byte) []imapCommand {
	var cmds []imapCommand
	for len(data) > 0 && len(cmds) < maxCommands {
		c := imapCommand{clean: true}
		start := data
		for {
			i := bytes.IndexByte(data, '\n') + 1
			if i == 0 {
				i = len(data)
			}
			line := data[:i]
			data = data[i:]
			m := imapAnnouncement.FindSubmatchIndex(line)
			if m == nil {
				text, ok := bytes.CutSuffix(line, []byte("\r\n"))
				c.addText(text)
				c.clean = c.clean && ok
				break
			}
			digits := string(line[m[2]:m[3]])
			n, err := strconv.Atoi(digits)
			if err != nil || n > len(data) {
				// An absurd count, or the input ends inside the
				// literal: the rest is this command's, as C!.
				data = nil
				c.clean = false
				break
			}
			c.clean = c.clean && strconv.Itoa(n) == digits && line[len(line)-2] == '\r'
			c.addText(line[:m[0]])
			if line[m[0]] == '~' {
				c.addText([]byte("~"))
			}
			c.segments = append(c.segments, script.Segment{
				Literal: bytes.Clone(data[:n]), IsLiteral: true, NonSync: m[5] > m[4],
			})
			data = data[n:]
		}
		c.raw = start[:len(start)-len(data)]
		cmds = append(cmds, c)
	}
	if len(data) > 0 && len(cmds) > 0 {
		last := &cmds[len(cmds)-1]
		last.raw = append(bytes.Clone(last.raw), data...)
		last.clean = false
	}
	return cmds
}

// addText adds a text piece of a command as a C: line writes it: "\" and
// "$" escaped. A piece that a C: line cannot hold (a control character
// other than TAB, invalid UTF-8, text that reads as a literal) makes the
// command unclean.
func (c *imapCommand) addText(b []byte) {
	if len(b) == 0 {
		return
	}
	for _, ch := range b {
		if (ch < 0x20 && ch != '\t') || ch == 0x7f {
			c.clean = false
		}
	}
	if !utf8.Valid(b) || bytes.Contains(b, []byte("{lit:")) || bytes.Contains(b, []byte("{lit+:")) {
		c.clean = false
	}
	text := strings.NewReplacer(`\`, `\\`, `$`, `\$`).Replace(string(b))
	if n := len(c.segments); n > 0 && !c.segments[n-1].IsLiteral {
		c.segments[n-1].Text += text
		return
	}
	c.segments = append(c.segments, script.Segment{Text: text})
}

// checkIMAPCommands splits data into IMAP commands and checks that (1)
// the harness's IMAP reader frames them the same way (the literals it
// finds are the commands' literals), (2) each command written as a C:
// line with {lit:...} segments, or as C! when a C: line cannot hold it,
// prints and parses back to a step that sends exactly its bytes, and (3)
// recording the bytes gives a step that sends them too.
func checkIMAPCommands(data []byte) error {
	cmds := splitIMAPCommands(data)
	var steps []script.Step
	var want [][]byte
	for _, c := range cmds {
		if c.clean {
			if err := sameFraming(c); err != nil {
				return err
			}
			steps = append(steps, script.Step{Kind: script.Send, Segments: c.segments})
		} else {
			steps = append(steps, script.Step{Kind: script.SendRaw, Raw: c.raw})
		}
		want = append(want, c.raw)
	}
	s := commandMeta("imap")
	s.Steps = steps
	if err := checkSends(&s, want); err != nil {
		return err
	}
	var rec []script.Entry
	for _, w := range want {
		rec = append(rec, script.Entry{Conn: 1, Dir: "C", Data: w})
	}
	return checkSends(script.FromRecording(commandMeta("imap"), rec, "imap"), want)
}

// sameFraming reads a command as the harness's IMAP reader frames server
// data ("* X " before it) and checks that it is one response whose
// literals are the command's.
func sameFraming(c imapCommand) error {
	in := append([]byte("* X "), c.raw...)
	resp, err := wire.NewIMAPReader(bytes.NewReader(in), wire.Limits{MaxLine: 1 << 20, MaxLiteral: 1 << 20}).ReadResponse()
	if err != nil && resp.Raw == nil {
		return fmt.Errorf("command %q: the IMAP reader fails: %v", c.raw, err)
	}
	if !bytes.Equal(resp.Raw, in) {
		return fmt.Errorf("command %q: the IMAP reader frames %q", c.raw, resp.Raw)
	}
	var lits [][]byte
	for _, sg := range c.segments {
		if sg.IsLiteral {
			lits = append(lits, sg.Literal)
		}
	}
	if len(lits) != len(resp.Literals) {
		return fmt.Errorf("command %q has %d literals, the IMAP reader finds %d", c.raw, len(lits), len(resp.Literals))
	}
	for i := range lits {
		if !bytes.Equal(lits[i], resp.Literals[i]) {
			return fmt.Errorf("command %q: literal %d is %q, the IMAP reader reads %q", c.raw, i, lits[i], resp.Literals[i])
		}
	}
	return nil
}
