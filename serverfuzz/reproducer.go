package serverfuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
)

// A reproducer is a transcript (package transcripts/script) that replays
// the finding's exchange: the fuzzer's own commands with the account's
// credentials as variables (${quser}, ${password}, ${plain}, ...), the
// program's commands byte for byte, and expectations that hold for any
// correct server: the answers before the finding's command must carry the
// codes they carried (they set up the state), the finding's command and
// what follows accept any well-formed answer. Replayed against the
// server with the fault, the transcript fails (the answer is malformed,
// missing, wrongly tagged, or the connection closes); against a server
// without it, it passes.

// secretRef is a credential in one of its encodings and the variable
// that replaces it in a transcript.
type secretRef struct {
	value []byte
	name  string
}

// secrets are the encodings of the account's password a client sends, as
// transcripts.Recorder registers them, longest first.
func (t *target) secrets() []secretRef {
	u, p := t.User, t.Password
	enc := base64.StdEncoding.EncodeToString
	refs := []secretRef{
		{[]byte(p), "password"},
		{[]byte(quoteIMAP(p)), "qpassword"},
		{[]byte(enc([]byte(p))), "b64password"},
		{[]byte(enc([]byte("\x00" + u + "\x00" + p))), "plain"},
		{[]byte(enc([]byte(u + "\x00" + u + "\x00" + p))), "plainz"},
	}
	var out []secretRef
	for _, r := range refs {
		if len(r.value) >= 3 {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].value) > len(out[j].value) })
	return out
}

// redact splits b into pieces of plain bytes and variable references.
func redact(b []byte, refs []secretRef) (pieces [][]byte, isRef []bool) {
	for len(b) > 0 {
		at, which := -1, -1
		for i, r := range refs {
			if j := bytes.Index(b, r.value); j >= 0 && (at < 0 || j < at) {
				at, which = j, i
			}
		}
		if at < 0 {
			pieces, isRef = append(pieces, b), append(isRef, false)
			break
		}
		if at > 0 {
			pieces, isRef = append(pieces, b[:at]), append(isRef, false)
		}
		pieces, isRef = append(pieces, []byte("${"+refs[which].name+"}")), append(isRef, true)
		b = b[at+len(refs[which].value):]
	}
	return pieces, isRef
}

// clientStep writes bytes the client sent as "C:" when that is exact (one
// line ending in CRLF, printable UTF-8), else as "C!".
func clientStep(p Protocol, data []byte, refs []secretRef) script.Step {
	pieces, isRef := redact(data, refs)
	if line, ok := bytes.CutSuffix(data, []byte("\r\n")); ok && printableLine(line) {
		var b strings.Builder
		for i, pc := range pieces {
			if i == len(pieces)-1 && !isRef[i] {
				pc = bytes.TrimSuffix(pc, []byte("\r\n"))
			}
			if isRef[i] {
				b.Write(pc)
				continue
			}
			s := strings.ReplaceAll(string(pc), `\`, `\\`)
			b.WriteString(strings.ReplaceAll(s, "${", `\${`))
		}
		return script.Step{Kind: script.Send, Text: b.String()}
	}
	var b strings.Builder
	for i, pc := range pieces {
		if isRef[i] {
			b.Write(pc)
		} else {
			b.WriteString(script.Escape(pc))
		}
	}
	return script.Step{Kind: script.SendRaw, Text: b.String()}
}

// printableLine reports whether a C: line can hold line as it is.
func printableLine(line []byte) bool {
	for _, c := range line {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(line) && !bytes.Contains(line, []byte("{lit:")) && !bytes.Contains(line, []byte("{lit+:"))
}

func expect(pattern string) script.Step { return script.Step{Kind: script.Expect, Text: pattern} }
func expectMany(pattern string) script.Step {
	return script.Step{Kind: script.ExpectMany, Text: pattern}
}

// answerSteps are the expectations of one recorded answer.
func answerSteps(p Protocol, e event, lenient bool) []script.Step {
	switch p {
	case SMTP:
		if lenient || len(e.status) != 3 || e.status == "0" {
			return []script.Step{expect("*"), expectMany("*")}
		}
		return []script.Step{expect(e.status + "*"), expectMany("*")}
	case POP3:
		first := expect("*")
		if !lenient && (e.status == "+OK" || e.status == "-ERR" || e.status == "+") {
			first = expect(script.QuotePattern(e.status) + "*")
		}
		if e.multi {
			return []script.Step{first, expectMany("*"), expect(".")}
		}
		return []script.Step{first}
	}
	return nil
}

func tagOf(raw []byte) string {
	return string(raw[:tokenEnd(raw, 0)])
}

// buildSteps turns a recorded connection into transcript steps; from
// exchange lenientFrom on, any answer is accepted.
func (t *target) buildSteps(events []event, lenientFrom int) []script.Step {
	p := t.Protocol
	refs := t.secrets()
	var steps []script.Step
	for i := 0; i < len(events); {
		ex := events[i].ex
		j := i
		for j < len(events) && events[j].ex == ex {
			j++
		}
		group := events[i:j]
		i = j
		lenient := lenientFrom >= 0 && ex >= lenientFrom
		if p == IMAP {
			steps = append(steps, imapSteps(group, lenient, refs)...)
			continue
		}
		for _, e := range group {
			switch e.kind {
			case evSend:
				steps = append(steps, clientStep(p, e.data, refs))
			case evTLS:
				steps = append(steps, script.Step{Kind: script.StartTLS})
			case evRecv:
				steps = append(steps, answerSteps(p, e, lenient)...)
			}
		}
		if last := lastNonClose(group); last.kind == evSend {
			// The answer never came: expect one.
			steps = append(steps, answerSteps(p, event{}, true)...)
		}
	}
	return steps
}

func lastNonClose(group []event) event {
	for k := len(group) - 1; k >= 0; k-- {
		if group[k].kind != evClosed {
			return group[k]
		}
	}
	return event{}
}

// imapSteps writes one IMAP exchange. Untagged responses get no
// expectation; continuation requests and completions do. Leniently, a
// completion is expected by its tag alone, and a completion tagged with
// neither the command's tag nor the tag an untagged raw line chose (the
// fault of a tag mismatch) gets none: the command's expectation judges
// it.
func imapSteps(group []event, lenient bool, refs []secretRef) []script.Step {
	var steps []script.Step
	tag, alt, final := "", "", false
	for _, e := range group {
		switch e.kind {
		case evSend:
			steps = append(steps, clientStep(IMAP, e.data, refs))
			if e.tag != "" {
				tag = e.tag
			}
			if e.alt != "" {
				alt = e.alt
			}
		case evTLS:
			steps = append(steps, script.Step{Kind: script.StartTLS})
		case evRecv:
			switch {
			case e.role == roleGreeting:
				if lenient {
					steps = append(steps, expect(`\* *`))
				} else {
					st := e.status
					if st == "" {
						st = "OK"
					}
					steps = append(steps, expect(`\* `+script.QuotePattern(st)+"*"))
				}
			case e.cont:
				steps = append(steps, expect("+*"))
			default:
				rt := tagOf(e.data)
				if rt == "*" || rt == "+" || rt == "" {
					continue
				}
				if lenient && rt != tag && rt != alt {
					continue
				}
				if rt == tag {
					final = true
				}
				pt := script.QuotePattern(script.Display("imap", []byte(rt)))
				if lenient || e.status == "" {
					steps = append(steps, expect(pt+" *"))
				} else {
					steps = append(steps, expect(pt+" "+script.QuotePattern(e.status)+"*"))
				}
			}
		}
	}
	if !final && tag != "" && lenient {
		steps = append(steps, expect(script.QuotePattern(tag)+" *"))
	}
	return steps
}

// reproducer builds the transcript of a finding from the events of the
// run that reproduced it.
func (t *target) reproducer(f *Finding, events []event, lenientFrom int) *script.Script {
	sum := sha256.Sum256(f.Input)
	name := "fuzz-" + slug(string(f.Kind)) + "-" + slug(f.Command) + "-" + hex.EncodeToString(sum[:3])
	s := &script.Script{
		File:     name + ".txt",
		ID:       string(t.Protocol) + "/" + f.RFC + "/" + f.Section + "/" + name,
		Protocol: string(t.Protocol),
		Title:    abbrev(string(f.Kind)+": "+f.Summary, 120),
		Level:    f.Level,
		RFCs:     []script.RFCRef{{Number: f.RFC, Section: f.Section}},
	}
	if t.Endpoint != string(t.Protocol) {
		s.Endpoint = t.Endpoint
	}
	comment := func(text string) {
		for _, l := range strings.Split(text, "\n") {
			s.Steps = append(s.Steps, script.Step{Kind: script.Comment, Text: " " + abbrev(l, 200)})
		}
	}
	comment(fmt.Sprintf("Found by mailspec fuzz (seed %d) against %s.", f.Seed, f.Target))
	comment(fmt.Sprintf("%s after %s in state %s: %s", f.Kind, f.Command, f.State, f.Summary))
	if f.Detail != "" {
		for i, l := range strings.Split(f.Detail, "\n") {
			if i == 8 {
				comment("...")
				break
			}
			comment("  " + l)
		}
	}
	comment("Program: " + f.Program.Describe(t.Protocol))
	comment("Input: " + hex.EncodeToString(f.Input))
	comment("Replayed against a server with this fault it fails; against a correct server it passes.")
	s.Steps = append(s.Steps, t.buildSteps(events, lenientFrom)...)
	if f.Kind == Crash {
		s.Steps = append(s.Steps, script.Step{Kind: script.Conn, Text: "2"})
		switch t.Protocol {
		case SMTP:
			s.Steps = append(s.Steps, expect("220*"))
		case POP3:
			s.Steps = append(s.Steps, expect("+OK*"))
		default:
			s.Steps = append(s.Steps, expect(`\* OK*`))
		}
	}
	return s
}

// slug keeps letters and digits of s, lower-cased, other runs as "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if out == "" {
		return "x"
	}
	return out
}

// entries turns recorded events into report entries, credentials
// redacted by a transcripts.Recorder.
func (t *target) entries(events []event) []transcripts.Entry {
	rec := transcripts.NewRecorder()
	rec.Credentials(1, t.User, t.Password)
	for _, e := range events {
		switch e.kind {
		case evSend:
			rec.Record(1, transcripts.Client, e.data)
		case evRecv:
			rec.Record(1, transcripts.Server, e.data)
		case evTLS:
			rec.Record(1, transcripts.TLS, []byte("TLS handshake"))
		case evClosed:
			rec.Record(1, transcripts.Note, []byte("connection closed"))
		}
	}
	return rec.Entries()
}
