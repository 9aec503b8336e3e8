// Package wire frames and parses what SMTP, POP3 and IMAP servers send:
// SMTP replies (RFC 5321 section 4.2), POP3 responses (RFC 1939 section 3,
// RFC 2449, RFC 5034) and IMAP responses (RFC 9051 sections 2.2, 4 and 7,
// RFC 3501 section 7, literal8 of RFC 3516).
//
// The readers are judges, not clients: they are stricter than the servers
// they read. A reply that is framed wrongly (lines that disagree on the
// code, a bad continuation marker, a line ended by a bare LF) is returned
// as well as it can be read, with the [Violation]s found in it; it is
// never silently repaired. A reply that is legal carries no violation,
// however it was fragmented on the wire. Every line and literal is bounded
// by [Limits], so a hostile server costs bounded memory. The readers never
// touch a socket themselves: they read from an io.Reader, and deadlines
// belong to the caller; a read error (a timeout) is returned wrapped, so
// that errors.Is and errors.As still see it.
//
// Errors begin with "wire: ". The end of the stream before the first byte
// of a response is io.EOF itself (a clean close); in the middle of one it
// is an error wrapping io.ErrUnexpectedEOF. Exceeding a bound wraps
// [ErrLimit]. After an error in the middle of a response a reader has lost
// the framing of the stream and keeps returning that error.
package wire

import (
	"errors"
	"fmt"
)

// Limits bound what a reader accepts from a server.
type Limits struct {
	// MaxLine is the longest line, in octets including CRLF.
	MaxLine int
	// MaxLiteral is the largest IMAP literal accepted, in octets.
	MaxLiteral int64
	// MaxLines is the largest number of lines in one SMTP reply, POP3
	// multi-line response (status line and terminator included) or IMAP
	// response (one more line than it has literals).
	MaxLines int
	// MaxResponse is the largest total size of one reply or response,
	// in octets (lines plus literals).
	MaxResponse int64
}

// DefaultLimits are generous for any conforming server and small enough
// that a hostile one cannot exhaust the harness's memory.
var DefaultLimits = Limits{
	MaxLine:     64 << 10,
	MaxLiteral:  64 << 20,
	MaxLines:    100000,
	MaxResponse: 256 << 20,
}

// WithDefaults returns l with every zero field set from DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultLimits.MaxLine
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultLimits.MaxLiteral
	}
	if l.MaxLines <= 0 {
		l.MaxLines = DefaultLimits.MaxLines
	}
	if l.MaxResponse <= 0 {
		l.MaxResponse = DefaultLimits.MaxResponse
	}
	return l
}

// Violation is one way a server's bytes break the protocol's framing or
// syntax. It names the RFC section it breaks and the requirement level of
// the rule.
type Violation struct {
	// RFC and Section locate the rule, e.g. "5321", "4.2.1".
	RFC     string `json:"rfc"`
	Section string `json:"section"`
	// Level is the RFC 2119 level of the rule broken: "MUST", "MUST NOT",
	// "SHOULD", ... A breach of an RFC's formal syntax (its ABNF, or a
	// framing rule the RFC states as a definition, such as "all responses
	// are terminated by a CRLF pair") is recorded as "MUST": the syntax is
	// normative, and a peer cannot be expected to read anything else.
	Level string `json:"level"`
	// Msg says what is wrong, in one sentence.
	Msg string `json:"msg"`
	// Offset is the byte offset in the reply's Raw bytes where it was seen.
	Offset int `json:"offset"`
}

// String formats v as "RFC 5321 section 4.2.1 (MUST): msg".
func (v Violation) String() string {
	return fmt.Sprintf("RFC %s section %s (%s): %s", v.RFC, v.Section, v.Level, v.Msg)
}

// RFC 2119 levels used in [Violation.Level].
const (
	LevelMust    = "MUST"
	LevelMustNot = "MUST NOT"
	LevelShould  = "SHOULD"
)

// violation builds a Violation; format and args make its Msg.
func violation(rfc, section, level string, offset int, format string, args ...any) Violation {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return Violation{RFC: rfc, Section: section, Level: level, Msg: msg, Offset: offset}
}

// ErrLimit is wrapped by every error that reports a bound of [Limits]
// being exceeded (a line, literal, line count or total size).
var ErrLimit = errors.New("wire: limit exceeded")
