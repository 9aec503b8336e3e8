// Package script reads, writes and matches mailspec transcript files: a
// recorded or hand-written exchange with an SMTP (RFC 5321), POP3
// (RFC 1939) or IMAP (RFC 9051, RFC 3501) server, as a header of
// directives followed by client lines (C:), server expectations (S:) and a
// few statements. FORMAT.md next to this file is the user documentation of
// the format; this package is its reference implementation.
//
// The package is pure: it never touches a socket or a clock. It provides
//   - the AST ([Script], [Step], [Segment]) with [Parse], [ParseFS] and the
//     canonical printer [Script.Print];
//   - the server-line matcher ([CompilePattern], [Pattern.Match]): literal
//     text, "*" wildcards and ${name=*} captures, anchored at both ends,
//     greedy, and linear in the length of the line;
//   - the display form of a server response ([Display]), in which IMAP
//     literals (RFC 9051 section 4.3, non-synchronising literals of
//     RFC 7888, literal8 of RFC 3516) appear as {lit:ESCAPED} and control
//     characters as \xHH, so that a pattern is written on one text line;
//   - the conversion of a recorded session into a transcript
//     ([FromRecording]).
//
// The replay engine (package transcripts) sends [Step.Expand]'s segments,
// reads server responses with its own framing, and matches
// Display(proto, response) against the step's [Pattern].
package script

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// RFCRef names the RFC requirement a transcript exercises.
type RFCRef struct {
	// Number is the RFC number, digits only: "5321".
	Number string
	// Section is the section, digits and dots ("4.1.1.1"), or "-" when
	// the RFC has no numbered sections.
	Section string
}

// Script is one parsed transcript file.
type Script struct {
	// File is the name the script was parsed from, used in errors.
	File string
	// ID is the stable case id <protocol>/<rfc>/<section>/<name>, for
	// example "smtp/5321/4.1.1.1/ehlo-multiline".
	ID string
	// Protocol is "smtp", "pop3" or "imap".
	Protocol string
	// Title says in one line what the case checks; it may be empty.
	Title string
	// Level is the RFC 2119 level of the requirement: "MUST", "MUST NOT",
	// "SHOULD", "SHOULD NOT" or "MAY".
	Level string
	// Endpoint is the endpoint kind the case runs on ("smtp",
	// "submission", "smtps", "imap", "imaps", "pop3", "pop3s"), or empty
	// for the protocol's plain one; see [Script.EndpointKind].
	Endpoint string
	// RFCs are the requirements exercised, at least one.
	RFCs []RFCRef
	// Requires lists capabilities the server must advertise (an SMTP EHLO
	// keyword, an IMAP capability, a POP3 CAPA tag); without one of them
	// the case is not applicable.
	Requires []string
	// Needs lists profile properties the case needs, from [NeedsValues]:
	// "disposable", "second-account", "tls-required", "max-size",
	// "address".
	Needs []string
	// Ordered says IMAP untagged responses must arrive in the order
	// written.
	Ordered bool
	// Steps are the body of the file, in order.
	Steps []Step
}

// EndpointKind returns s.Endpoint, or the plain endpoint of s.Protocol
// when no @endpoint was given.
func (s *Script) EndpointKind() string {
	if s.Endpoint != "" {
		return s.Endpoint
	}
	return s.Protocol
}

// StepKind says what a [Step] does.
type StepKind int

// The kinds of step. The zero StepKind is not a valid kind.
const (
	// Comment is a "# text" line; Text is what follows the "#".
	Comment StepKind = iota + 1
	// Conn ("conn NAME") switches to the connection named Text, opening
	// it on first use.
	Conn
	// Send ("C: text") sends Text with its ${var} references expanded,
	// its {lit:...} literals framed, and CRLF appended.
	Send
	// SendRaw ("C! escaped") sends the escaped bytes exactly, with
	// ${var} references expanded and nothing appended.
	SendRaw
	// Expect ("S: pattern") expects one server line or response whose
	// display form matches the pattern Text.
	Expect
	// ExpectRaw ("S! escaped") expects one server line whose exact bytes,
	// line ending included, are Raw.
	ExpectRaw
	// ExpectMany ("S*: pattern") consumes server lines while their
	// display form matches the pattern Text: zero or more, greedy.
	ExpectMany
	// ExpectClose ("S: <closed>") expects the server to close the
	// connection before sending another byte.
	ExpectClose
	// ExpectSilence ("S: <none 2s>") expects no server output for
	// Duration.
	ExpectSilence
	// StartTLS ("starttls") runs a TLS handshake on the current
	// connection.
	StartTLS
	// Close ("close") closes the current connection from the client side.
	Close
)

var kindNames = [...]string{
	Comment:       "Comment",
	Conn:          "Conn",
	Send:          "Send",
	SendRaw:       "SendRaw",
	Expect:        "Expect",
	ExpectRaw:     "ExpectRaw",
	ExpectMany:    "ExpectMany",
	ExpectClose:   "ExpectClose",
	ExpectSilence: "ExpectSilence",
	StartTLS:      "StartTLS",
	Close:         "Close",
}

// String returns the kind's Go name, such as "ExpectMany".
func (k StepKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "StepKind(" + strconv.Itoa(int(k)) + ")"
}

// Step is one statement of a transcript body.
//
// Which fields a kind uses:
//   - Comment: Text (everything after "#", spaces included).
//   - Conn: Text (the connection name).
//   - Send: Text, the line as written (escapes, ${var} references and
//     {lit:...} literals unexpanded) is the source of truth; Segments is
//     Text split into text and literal segments. Use [Step.Expand].
//   - SendRaw: Text, the escaped text as written, is the source of truth;
//     Raw is it decoded with ${var} references left in place (a literal
//     "\${" decodes to "${" too, so Raw alone is ambiguous: use
//     [Step.Expand], which reads Text).
//   - Expect, ExpectMany: Text, the pattern as written.
//   - ExpectRaw: Raw, the exact bytes expected; Text is empty.
//   - ExpectSilence: Duration.
//   - ExpectClose, StartTLS, Close: nothing.
//
// A Send or SendRaw step built in code may leave Text empty and set only
// Segments or Raw; Print and Expand then write Text from them, taking
// "${name}" in them as variable references.
type Step struct {
	// Line is the 1-based line of the step in its file, 0 if the step
	// was not parsed from a file.
	Line     int
	Kind     StepKind
	Text     string
	Segments []Segment
	Raw      []byte
	Duration time.Duration
}

// Segment is a piece of a Send line: text, or an IMAP literal (RFC 9051
// section 4.3) that the engine frames as "{n}\r\n" (synchronising: it waits
// for the server's continuation request before sending the bytes) or, if
// NonSync, as "{n+}\r\n" followed at once by the bytes (RFC 7888).
type Segment struct {
	// Text is, for a text segment, the text as written (escapes and
	// ${var} references unexpanded: pass it to [Expand]); for a literal
	// segment, the escaped payload as written. In the segments returned
	// by [Step.Expand], Text is the expanded text and is empty for
	// literals.
	Text string
	// Literal is the literal's payload, escapes decoded; ${var}
	// references are left in place except in [Step.Expand]'s result.
	Literal   []byte
	IsLiteral bool
	NonSync   bool
}

// Expand returns what a Send or SendRaw step sends, with every ${name}
// reference replaced by vars[name]; an unknown variable is an error. For
// Send, the result is the line's segments (without the final CRLF, which
// the engine appends); for SendRaw, one text segment holding the exact
// bytes.
func (st Step) Expand(vars map[string]string) ([]Segment, error) {
	switch st.Kind {
	case Send:
		segs, err := parseSend(st.sendSource())
		if err != nil {
			return nil, fmt.Errorf("script: %w", err)
		}
		out := make([]Segment, 0, len(segs))
		for _, sg := range segs {
			if sg.IsLiteral {
				b, _, err := decodeEscaped(sg.Text, false, varsExpand, vars)
				if err != nil {
					return nil, fmt.Errorf("script: %w", err)
				}
				if b == nil {
					b = []byte{}
				}
				out = append(out, Segment{Literal: b, IsLiteral: true, NonSync: sg.NonSync})
				continue
			}
			t, err := Expand(sg.Text, vars)
			if err != nil {
				return nil, err
			}
			out = append(out, Segment{Text: t})
		}
		return out, nil
	case SendRaw:
		b, _, err := decodeEscaped(st.rawSource(), false, varsExpand, vars)
		if err != nil {
			return nil, fmt.Errorf("script: %w", err)
		}
		return []Segment{{Text: string(b)}}, nil
	}
	return nil, fmt.Errorf("script: a %v step sends nothing", st.Kind)
}

// Wire returns every byte a Send or SendRaw step puts on the wire, in
// order, as if each synchronising literal's continuation had been granted:
// text, "{n}\r\n" or "{n+}\r\n" before each literal's bytes, and, for Send,
// the final CRLF.
func (st Step) Wire(vars map[string]string) ([]byte, error) {
	segs, err := st.Expand(vars)
	if err != nil {
		return nil, err
	}
	var b []byte
	for _, sg := range segs {
		if !sg.IsLiteral {
			b = append(b, sg.Text...)
			continue
		}
		b = append(b, '{')
		b = strconv.AppendInt(b, int64(len(sg.Literal)), 10)
		if sg.NonSync {
			b = append(b, '+')
		}
		b = append(b, "}\r\n"...)
		b = append(b, sg.Literal...)
	}
	if st.Kind == Send {
		b = append(b, "\r\n"...)
	}
	return b, nil
}

// sendSource is the text a Send step is read from: Text, or Text rebuilt
// from Segments when only they were set.
func (st Step) sendSource() string {
	if st.Text != "" || len(st.Segments) == 0 {
		return st.Text
	}
	var b []byte
	for _, sg := range st.Segments {
		if !sg.IsLiteral {
			b = append(b, sg.Text...)
			continue
		}
		if sg.NonSync {
			b = append(b, "{lit+:"...)
		} else {
			b = append(b, "{lit:"...)
		}
		if sg.Text != "" {
			b = append(b, sg.Text...)
		} else {
			b = append(b, escape(sg.Literal, escBrace|escKeepRefs|escDollar)...)
		}
		b = append(b, '}')
	}
	return string(b)
}

// rawSource is the text a SendRaw step is read from: Text, or Raw escaped
// (keeping its ${var} references) when only Raw was set.
func (st Step) rawSource() string {
	if st.Text != "" || len(st.Raw) == 0 {
		return st.Text
	}
	return escape(st.Raw, escKeepRefs|escDollar)
}

// Error is a problem found at one place of a transcript file. Line is 0
// for a problem with the file as a whole, such as a missing directive.
type Error struct {
	File string
	Line int
	Err  error
}

// Error formats e as "file:line: what is wrong".
func (e *Error) Error() string {
	if e.Line > 0 {
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.File + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// clone returns a copy of s that shares no slices with it.
func (s *Script) clone() *Script {
	c := *s
	c.RFCs = slices.Clone(s.RFCs)
	c.Requires = slices.Clone(s.Requires)
	c.Needs = slices.Clone(s.Needs)
	c.Steps = slices.Clone(s.Steps)
	return &c
}
