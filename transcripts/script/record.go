package script

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Entry is one event of a recorded session, as the recorder produces it.
type Entry struct {
	// Conn numbers the connection, from 1.
	Conn int
	// Dir is "C" (bytes the client sent), "S" (one whole server line or
	// IMAP response), "tls" (a TLS handshake) or "note" (a remark).
	Dir string
	// Data is the bytes sent or received, or the note's text.
	Data []byte
}

// FromRecording turns a recorded session into a transcript with the
// header of meta (its Steps, if any, come first) and one step per entry:
//
//   - a change of connection becomes "conn N" (connection 1 needs none
//     at the start);
//   - a client entry becomes "C: text" when it is one line ending in CRLF
//     with no other control character, valid UTF-8 and no "{lit:" in it,
//     else "C! escaped";
//   - a server entry becomes "S: pattern", the pattern matching exactly
//     Display(proto, data), or "S! escaped" when the display form would
//     lose information (no final CRLF, a bare LF, text that reads as an
//     escape or a literal) or would not be valid UTF-8 or would read as a
//     special form such as <closed>;
//   - a "tls" entry becomes "starttls" and a "note" one comment line per
//     line of its text.
//
// Empty client and server entries are skipped. proto defaults to
// meta.Protocol, and sets it when empty. Replaying the result against a
// server that sends the same bytes passes.
func FromRecording(meta Script, entries []Entry, proto string) *Script {
	s := meta.clone()
	if proto == "" {
		proto = s.Protocol
	}
	if s.Protocol == "" {
		s.Protocol = proto
	}
	cur := 1
	for _, e := range entries {
		switch e.Dir {
		case "C", "S":
			if len(e.Data) == 0 {
				continue
			}
		case "tls":
		case "note":
			s.Steps = append(s.Steps, noteSteps(e.Data)...)
			continue
		default:
			s.Steps = append(s.Steps, Step{Kind: Comment, Text: " unknown recorder entry " + strconv.Quote(e.Dir)})
			continue
		}
		if e.Conn != cur {
			s.Steps = append(s.Steps, Step{Kind: Conn, Text: strconv.Itoa(e.Conn)})
			cur = e.Conn
		}
		switch e.Dir {
		case "C":
			s.Steps = append(s.Steps, clientStep(e.Data))
		case "S":
			s.Steps = append(s.Steps, serverStep(proto, e.Data))
		case "tls":
			s.Steps = append(s.Steps, Step{Kind: StartTLS})
		}
	}
	return s
}

// clientStep writes the bytes a client sent as C: when that is exact, as
// C! otherwise.
func clientStep(data []byte) Step {
	if line, ok := bytes.CutSuffix(data, []byte("\r\n")); ok && cleanLine(line) {
		text := keepCredentialRefs(quoteText(string(line)))
		if segs, err := parseSend(text); err == nil && len(segs) <= 1 {
			return Step{Kind: Send, Text: text, Segments: segs}
		}
	}
	text := keepCredentialRefs(Escape(data))
	return Step{Kind: SendRaw, Text: text, Raw: slices.Clone(data)}
}

// credentialRef matches an escaped reference to one of the variables the
// session recorder writes in place of credentials (transcripts.Recorder):
// user, password, their IMAP-quoted and base64 forms, the SASL PLAIN
// payloads and redacted challenge responses, each with an optional account
// number.
var credentialRef = regexp.MustCompile(`\\\$\{((?:q?user|q?password|b64user|b64password|plainz?|redacted)[0-9]*)\}`)

// keepCredentialRefs turns escaped credential references back into
// variable references, so a recorded login replays with the credentials
// of the profile it is replayed against. Other "${" text stays escaped.
func keepCredentialRefs(text string) string {
	return credentialRef.ReplaceAllString(text, "$${$1}")
}

// cleanLine reports whether line can be written on a C: line as is.
func cleanLine(line []byte) bool {
	for _, c := range line {
		if isControl(c) {
			return false
		}
	}
	return utf8.Valid(line) && !bytes.Contains(line, []byte("{lit:")) && !bytes.Contains(line, []byte("{lit+:"))
}

// serverStep writes one server line or response as an exact S: pattern
// when its display form keeps all its bytes, as S! otherwise.
func serverStep(proto string, data []byte) Step {
	d := Display(proto, data)
	if back, ok := undisplay(proto, d); ok && bytes.Equal(back, data) && utf8.ValidString(d) {
		if pat := QuotePattern(d); !specialForm(pat) {
			return Step{Kind: Expect, Text: pat}
		}
	}
	return Step{Kind: ExpectRaw, Raw: slices.Clone(data)}
}

// noteSteps turns a note into comment lines, control characters shown as
// \xHH.
func noteSteps(data []byte) []Step {
	text := strings.TrimSuffix(string(data), "\n")
	var steps []Step
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSuffix(l, "\r")
		var sb strings.Builder
		sb.WriteByte(' ')
		for i := 0; i < len(l); i++ {
			if isControl(l[i]) {
				writeHex(&sb, l[i])
			} else {
				sb.WriteByte(l[i])
			}
		}
		steps = append(steps, Step{Kind: Comment, Text: strings.TrimRight(sb.String(), " ")})
	}
	return steps
}
