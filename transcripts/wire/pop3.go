package wire

import (
	"bytes"
	"io"
)

// POP3Response is one POP3 response (RFC 1939 section 3): a status line
// and, for a multi-line response, the body up to the line holding a single
// ".".
type POP3Response struct {
	// Status is the status indicator: "+OK", "-ERR" or "+" (a SASL
	// continuation, RFC 5034 section 4). For anything else it holds the
	// first word of the status line and a violation is recorded.
	Status string
	// OK reports whether Status == "+OK".
	OK bool
	// Code is the RFC 2449 section 8 response code at the start of the
	// text ("IN-USE", "SYS/TEMP"), without its brackets; "" if none.
	Code string
	// Text is what follows the status indicator and its SP (and the
	// response code and its SP, if any). For a continuation it is the
	// base64 challenge.
	Text string
	// Lines holds the body lines of a multi-line response, dot-unstuffed
	// and without line endings; nil for a single-line response. The
	// slices share memory with Raw (capped, so appending to one does not
	// overwrite the other).
	Lines [][]byte
	// Raw is the exact bytes received, from the status line through the
	// terminating "." line.
	Raw []byte
	// Violations lists what breaks RFC 1939 in Raw; nil if nothing does.
	Violations []Violation
}

// POP3Reader reads POP3 responses from a server (RFC 1939 section 3,
// RFC 2449, RFC 5034). Section 3 of RFC 1939 is the rule it judges by: "All
// responses are terminated by a CRLF pair"; "Servers MUST send the "+OK"
// and "-ERR" in upper case"; a line of a multi-line response that begins
// with the termination octet is byte-stuffed, and the response ends with
// "." CRLF. A SASL continuation ("+" and the challenge, RFC 5034) is read
// leniently: "+" alone is accepted as an empty challenge.
//
// The length of a status line is not judged: RFC 1939 section 3 says
// responses "may be up to 512 characters long, including the terminating
// CRLF", and RFC 2449 section 4 keeps the first line of a response at 512
// octets, neither with an RFC 2119 keyword; a check of it belongs to the
// suites. Lines are bounded by Limits.MaxLine.
//
// After an error in the middle of a response the reader's framing is lost
// and every later call returns that error again. An error before the first
// byte of a response leaves the reader usable.
type POP3Reader struct {
	lr      *lineReader
	lim     Limits
	scratch []byte
	spans   []span
	err     error
}

// NewPOP3Reader returns a reader of the POP3 responses in r, bounded by l
// (zero fields of l take their value from DefaultLimits).
func NewPOP3Reader(r io.Reader, l Limits) *POP3Reader {
	return &POP3Reader{lr: newLineReader(r), lim: l.WithDefaults()}
}

// Buffered reports how many octets have been read from the underlying
// reader and not yet returned in a response; it should be 0 before the
// TLS handshake that follows STLS.
func (r *POP3Reader) Buffered() int { return r.lr.buffered() }

// ReadResponse reads a status line and, when multiline is true and the
// status is positive, the body up to the terminating "." line (the caller
// knows which commands answer with a multi-line response: RFC 1939 and
// RFC 2449 define it per command). A status of "+ok" in the wrong case is
// a violation, but its body is still read, so that the stream stays in
// step. The end of the stream before the first byte of a response is
// io.EOF itself; other errors are wrapped with the prefix "wire: " and, for
// a bound of Limits, wrap ErrLimit.
func (r *POP3Reader) ReadResponse(multiline bool) (POP3Response, error) {
	if r.err != nil {
		return POP3Response{}, r.err
	}
	buf := r.scratch[:0]
	spans := r.spans[:0]
	var viols []Violation

	// The status line.
	max, isLine := lineBound(r.lim, 0)
	buf, err := r.lr.readLine(buf, max)
	if err != nil {
		return r.fail(buf, spans, 1, max, isLine, err)
	}
	content, bareLF := splitLine(buf)
	if bareLF {
		viols = append(viols, violation("1939", "3", LevelMust, len(content),
			"status line ends with a bare LF, not CRLF"))
	}
	word := content
	textStart := len(content)
	if i := bytes.IndexByte(content, ' '); i >= 0 {
		word, textStart = content[:i], i+1
	}
	positive := false
	switch {
	case string(word) == "+OK":
		positive = true
	case string(word) == "-ERR", string(word) == "+":
	case bytes.EqualFold(word, []byte("+OK")) || bytes.EqualFold(word, []byte("-ERR")):
		positive = word[0] == '+'
		viols = append(viols, violation("1939", "3", LevelMust, 0,
			"status indicator %q is not in upper case", word))
	default:
		viols = append(viols, violation("1939", "3", LevelMust, 0,
			"status indicator %q is neither \"+OK\" nor \"-ERR\"", word))
	}
	codeSpan, textSpan := span{}, span{textStart, len(content)}
	if string(word) != "+" {
		if cs, ts, ok := pop3RespCode(content, textStart); ok {
			codeSpan, textSpan = cs, ts
		}
	}
	statusEnd, statusLen := len(word), len(content)

	// The body of a multi-line response.
	var multi bool
	if multiline && positive {
		multi = true
		for {
			start := len(buf)
			lineNo := len(spans) + 2
			if lineNo > r.lim.MaxLines {
				r.err = errorf("pop3 response: more than MaxLines (%d) lines: %w", r.lim.MaxLines, ErrLimit)
				r.keep(buf, spans)
				return POP3Response{}, r.err
			}
			max, isLine = lineBound(r.lim, start)
			buf, err = r.lr.readLine(buf, max)
			if err != nil {
				return r.fail(buf, spans, lineNo, max, isLine, err)
			}
			content, bareLF := splitLine(buf[start:])
			if len(content) == 1 && content[0] == '.' {
				if bareLF {
					viols = append(viols, violation("1939", "3", LevelMust, start+1,
						"the terminating line is \".\" LF, not \".\" CRLF"))
				}
				break
			}
			if bareLF {
				viols = append(viols, violation("1939", "3", LevelMust, start+len(content),
					"line %d ends with a bare LF, not CRLF", lineNo))
			}
			switch {
			case len(content) > 1 && content[0] == '.' && content[1] == '.':
				spans = append(spans, span{start + 1, start + len(content)})
			case len(content) > 0 && content[0] == '.':
				viols = append(viols, violation("1939", "3", LevelMust, start,
					"line %d begins with a single \".\": the server did not byte-stuff it", lineNo))
				spans = append(spans, span{start, start + len(content)})
			default:
				spans = append(spans, span{start, start + len(content)})
			}
		}
	}

	raw := make([]byte, len(buf))
	copy(raw, buf)
	s := string(raw[:statusLen])
	resp := POP3Response{
		Status:     s[:statusEnd],
		Code:       s[codeSpan.start:codeSpan.end],
		Text:       s[textSpan.start:textSpan.end],
		Raw:        raw,
		Violations: viols,
	}
	resp.OK = resp.Status == "+OK"
	if multi {
		resp.Lines = make([][]byte, len(spans))
		for i, sp := range spans {
			resp.Lines[i] = raw[sp.start:sp.end:sp.end]
		}
	}
	r.keep(buf, spans)
	return resp, nil
}

// pop3RespCode finds an RFC 2449 section 8 response code at the start of
// the text of a status line:
//
//	resp-code  = "[" resp-level *("/" resp-level) "]"
//	resp-level = 1*rchar
//	rchar      = %x21-2E / %x30-5C / %x5E-7F
//
// Only a bracketed word that matches this grammar is taken as a code: a
// server that does not announce RESP-CODES may well begin its text with
// "[", so anything else is text, not a violation.
func pop3RespCode(content []byte, textStart int) (code, text span, ok bool) {
	t := content[textStart:]
	if len(t) < 3 || t[0] != '[' {
		return span{}, span{}, false
	}
	end := bytes.IndexByte(t, ']')
	if end < 2 {
		return span{}, span{}, false
	}
	inner := t[1:end]
	prev := byte('/')
	for _, c := range inner {
		if c == '/' {
			if prev == '/' {
				return span{}, span{}, false
			}
		} else if c < 0x21 || c > 0x7f {
			return span{}, span{}, false
		}
		prev = c
	}
	if prev == '/' {
		return span{}, span{}, false
	}
	ts := textStart + end + 1
	if ts < len(content) && content[ts] == ' ' {
		ts++
	}
	return span{textStart + 1, textStart + end}, span{ts, len(content)}, true
}

// fail turns a read error into the returned error.
func (r *POP3Reader) fail(buf []byte, spans []span, lineNo, max int, isLine bool, err error) (POP3Response, error) {
	r.keep(buf, spans)
	if err == errLineTooLong {
		r.err = lineLimitError("pop3 response", lineNo, max, isLine)
		return POP3Response{}, r.err
	}
	werr, sticky := readFailure("pop3 response", len(buf) > 0, err)
	if sticky {
		r.err = werr
	}
	return POP3Response{}, werr
}

// keep keeps the scratch buffers for the next response.
func (r *POP3Reader) keep(buf []byte, spans []span) {
	r.scratch = keepScratch(buf, scratchKeep)
	r.spans = keepScratch(spans, 4096)
}
