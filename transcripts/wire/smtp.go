package wire

import (
	"io"
	"strings"
)

// SMTPReply is one SMTP reply, single- or multi-line, as defined by
// RFC 5321 section 4.2:
//
//	Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//	             Reply-code [ SP textstring ] CRLF
//	Reply-code = %x32-35 %x30-35 %x30-39
//	textstring = 1*(%d09 / %d32-126)
type SMTPReply struct {
	// Code is the reply code of the first line; 0 if that line does not
	// begin with exactly three digits.
	Code int
	// Lines holds the text of each line after "NNN-" or "NNN " (without
	// the line ending); "" for a bare "NNN". For a line that does not
	// begin with a well-formed code it holds the whole line, or what
	// follows the three digits when only the separator is wrong.
	Lines []string
	// Raw is the exact bytes received for this reply, every line with
	// its line ending.
	Raw []byte
	// Violations lists what breaks RFC 5321 in Raw; nil if nothing does.
	Violations []Violation
}

// Text returns the reply's Lines joined with "\n".
func (r *SMTPReply) Text() string { return strings.Join(r.Lines, "\n") }

// SMTPReader reads SMTP replies from a server (RFC 5321 section 4.2).
//
// A reply ends with the first line that is not a continuation line
// ("NNN-"); a line without a well-formed code therefore ends the reply it
// appears in, and is recorded as a violation. A final line of "NNN" and SP
// with no text is not judged (textstring is 1*, but the reader does not
// accuse a server over an empty text); control characters in the text
// are, octets >= 0x80 are not. Reading allocates nothing per
// line: a reply costs three allocations whatever its length (Raw, one
// string holding it, and the Lines slice), plus Violations when there are
// some.
//
// After an error in the middle of a reply (a limit, a read error, the end
// of the stream) the reader's framing is lost and every later call
// returns that error again. An error before the first byte of a reply
// (for example a read deadline while waiting for it) leaves the reader
// usable.
type SMTPReader struct {
	lr      *lineReader
	lim     Limits
	scratch []byte
	spans   []span
	err     error
}

// NewSMTPReader returns a reader of the SMTP replies in r, bounded by l
// (zero fields of l take their value from DefaultLimits).
func NewSMTPReader(r io.Reader, l Limits) *SMTPReader {
	return &SMTPReader{lr: newLineReader(r), lim: l.WithDefaults()}
}

// Buffered reports how many octets have been read from the underlying
// reader and not yet returned in a reply. It is 0 when the server has
// sent nothing beyond the last reply, which is worth checking before the
// TLS handshake that follows STARTTLS.
func (r *SMTPReader) Buffered() int { return r.lr.buffered() }

// ReadReply reads the next reply. The end of the stream before the first
// byte of a reply is io.EOF itself; any other error is wrapped with the
// prefix "wire: " and, for a bound of Limits, wraps ErrLimit.
func (r *SMTPReader) ReadReply() (SMTPReply, error) {
	if r.err != nil {
		return SMTPReply{}, r.err
	}
	buf := r.scratch[:0]
	spans := r.spans[:0]
	var (
		viols []Violation
		code  int
	)
	for {
		start := len(buf)
		lineNo := len(spans) + 1
		if len(spans) >= r.lim.MaxLines {
			r.err = errorf("smtp reply: more than MaxLines (%d) lines: %w", r.lim.MaxLines, ErrLimit)
			r.keep(buf, spans)
			return SMTPReply{}, r.err
		}
		max, isLine := lineBound(r.lim, start)
		var err error
		buf, err = r.lr.readLine(buf, max)
		if err == errLineTooLong {
			r.err = lineLimitError("smtp reply", lineNo, max, isLine)
			r.keep(buf, spans)
			return SMTPReply{}, r.err
		}
		if err != nil {
			werr, sticky := readFailure("smtp reply", len(buf) > 0, err)
			if sticky {
				r.err = werr
			}
			r.keep(buf, spans)
			return SMTPReply{}, werr
		}
		content, bareLF := splitLine(buf[start:])
		if bareLF {
			viols = append(viols, violation("5321", "2.3.8", LevelMust, start+len(content),
				"line %d ends with a bare LF, not CRLF", lineNo))
		}
		lineCode, textStart, checkFrom, cont, v := smtpLine(content, start, lineNo)
		if v != nil {
			viols = append(viols, *v)
		}
		if lineNo == 1 {
			code = lineCode
			if code != 0 && !smtpCodeInGrammar(content) {
				viols = append(viols, violation("5321", "4.2", LevelMust, start,
					"reply code %d is outside the grammar (first digit 2-5, second digit 0-5)", code))
			}
		} else if lineCode != 0 && lineCode != code {
			viols = append(viols, violation("5321", "4.2.1", LevelMust, start,
				"line %d of a multiline reply has code %d, the first line has %d", lineNo, lineCode, code))
		}
		if i := smtpBadTextChar(content[checkFrom:]); i >= 0 {
			viols = append(viols, violation("5321", "4.2", LevelMust, start+checkFrom+i,
				"control character 0x%02x in the text of line %d (textstring allows HT, SP and printable characters)",
				content[checkFrom+i], lineNo))
		}
		spans = append(spans, span{start + textStart, start + len(content)})
		if !cont {
			break
		}
	}
	raw := make([]byte, len(buf))
	copy(raw, buf)
	s := string(raw)
	lines := make([]string, len(spans))
	for i, sp := range spans {
		lines[i] = s[sp.start:sp.end]
	}
	r.keep(buf, spans)
	return SMTPReply{Code: code, Lines: lines, Raw: raw, Violations: viols}, nil
}

// keep keeps the scratch buffers for the next reply, unless a huge reply
// made them too large to keep.
func (r *SMTPReader) keep(buf []byte, spans []span) {
	r.scratch = keepScratch(buf, scratchKeep)
	r.spans = keepScratch(spans, 4096)
}

// smtpLine judges the reply code and separator of one line (its content
// starts at offset start in Raw). It returns the code (0 if the line has
// no three-digit code), where the text starts, where to start the textstring
// check, whether the line is a continuation line, and the violation found,
// if any.
func smtpLine(content []byte, start, lineNo int) (code, textStart, checkFrom int, cont bool, v *Violation) {
	nd := 0
	for nd < len(content) && nd < 4 && isDigit(content[nd]) {
		nd++
	}
	switch {
	case nd == 3:
		code = int(content[0]-'0')*100 + int(content[1]-'0')*10 + int(content[2]-'0')
		switch {
		case len(content) == 3:
			return code, 3, 3, false, nil
		case content[3] == '-':
			return code, 4, 4, true, nil
		case content[3] == ' ':
			return code, 4, 4, false, nil
		}
		vv := violation("5321", "4.2", LevelMust, start+3,
			"reply code on line %d is followed by %q, not SP, \"-\" or the line end", lineNo, content[3])
		return code, 3, 4, false, &vv
	case nd == 4:
		vv := violation("5321", "4.2", LevelMust, start,
			"line %d begins with more than three digits; a reply code has exactly three", lineNo)
		return 0, 0, 0, false, &vv
	default:
		vv := violation("5321", "4.2", LevelMust, start,
			"line %d does not begin with a three-digit reply code", lineNo)
		return 0, 0, 0, false, &vv
	}
}

// smtpCodeInGrammar reports whether the three digits that begin content
// match Reply-code = %x32-35 %x30-35 %x30-39.
func smtpCodeInGrammar(content []byte) bool {
	return content[0] >= '2' && content[0] <= '5' && content[1] >= '0' && content[1] <= '5'
}

// smtpBadTextChar returns the index of the first octet of text that
// textstring does not allow, or -1. Octets >= 0x80 are allowed: an
// SMTPUTF8 server (RFC 6531 section 3.7.4) may send UTF-8 text, and
// judging that is not this reader's business.
func smtpBadTextChar(text []byte) int {
	for i, c := range text {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
