package faults

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Bounds on what the proxy holds in memory at once. The proxy is lenient,
// not unbounded: a peer that exceeds them loses its connection.
const (
	// maxLine bounds one line, its end included.
	maxLine = 16 << 20
	// maxLiteral bounds one IMAP literal a server announces.
	maxLiteral = 256 << 20
	// maxFrame bounds one framed server reply (a POP3 multi-line body, an
	// IMAP response with its literals).
	maxFrame = 512 << 20
)

// Framing errors.
var (
	errLineTooLong  = errors.New("faults: line too long")
	errFrameTooLong = errors.New("faults: reply too long")
)

// readLine reads one line up to and including its LF (a CRLF line or,
// leniently, a bare-LF one). At the end of input it returns what it read
// of an unterminated line with the error; a line over max octets is
// returned cut, with errLineTooLong.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > max {
			return line, errLineTooLong
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return line, err
	}
}

// readSMTPReply reads one SMTP reply: lines up to the first one whose
// fourth octet is not "-" (RFC 5321 section 4.2.1). It is lenient: a line
// shorter than four octets ends the reply, and codes are not compared.
func readSMTPReply(br *bufio.Reader) ([]byte, error) {
	var reply []byte
	for {
		line, err := readLine(br, maxLine)
		reply = append(reply, line...)
		if err != nil {
			return reply, err
		}
		if len(line) < 4 || line[3] != '-' {
			return reply, nil
		}
		if len(reply) > maxFrame {
			return reply, errFrameTooLong
		}
	}
}

// readPOP3Body reads the rest of a POP3 multi-line response after its
// status line: lines up to and including the terminating "." line (RFC
// 1939 section 3), which may end in a bare LF here.
func readPOP3Body(br *bufio.Reader) ([]byte, error) {
	var body []byte
	for {
		line, err := readLine(br, maxLine)
		body = append(body, line...)
		if err != nil {
			return body, err
		}
		if isDotLine(line) {
			return body, nil
		}
		if len(body) > maxFrame {
			return body, errFrameTooLong
		}
	}
}

// isDotLine reports whether line is the terminating "." of a multi-line
// response.
func isDotLine(line []byte) bool {
	return string(line) == ".\r\n" || string(line) == ".\n"
}

// readIMAPResponse reads one IMAP server response: a line and, while a
// line ends in a literal announcement, the literal's octets and the next
// line (RFC 9051 section 4.3).
func readIMAPResponse(br *bufio.Reader) ([]byte, error) {
	var resp []byte
	for {
		line, err := readLine(br, maxLine)
		resp = append(resp, line...)
		if err != nil {
			return resp, err
		}
		n, _, ok := literalAtEnd(line)
		if !ok || len(resp) == len(line) && !imapServerData(line) {
			return resp, nil
		}
		if n > maxLiteral || int64(len(resp))+n > maxFrame {
			return resp, fmt.Errorf("faults: literal of %d octets: %w", n, errFrameTooLong)
		}
		// Grown as the octets come, not as announced.
		buf := bytes.NewBuffer(resp)
		got, err := io.CopyN(buf, br, n)
		resp = buf.Bytes()
		if err != nil {
			if errors.Is(err, io.EOF) && got < n {
				err = io.ErrUnexpectedEOF
			}
			return resp, err
		}
	}
}

// imapServerData reports whether the first line of a response is server
// data ("*" and a keyword that is not a status): only server data carries
// literals (RFC 9051 sections 4.3 and 7); the text of a status response or
// a continuation request may end in "{5}" without announcing one.
func imapServerData(line []byte) bool {
	if len(line) == 0 || line[0] != '*' {
		return false
	}
	f := bytes.Fields(line[1:])
	if len(f) > 1 && len(bytes.Trim(f[0], "0123456789")) == 0 {
		f = f[1:] // "* 3 FETCH ..."
	}
	if len(f) == 0 {
		return true
	}
	kw, _, _ := bytes.Cut(f[0], []byte("("))
	switch strings.ToUpper(string(kw)) {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return false
	}
	return true
}

// literalAtEnd reports whether an IMAP line ends in a literal
// announcement, "{n}", "{n+}" or the literal8 forms "~{n}" and "~{n+}"
// (RFC 9051 section 4.3, RFC 7888, RFC 3516), and returns its length and
// whether it is non-synchronising.
func literalAtEnd(line []byte) (n int64, nonSync, ok bool) {
	s := bytes.TrimSuffix(line, []byte("\n"))
	s = bytes.TrimSuffix(s, []byte("\r"))
	if len(s) < 3 || s[len(s)-1] != '}' {
		return 0, false, false
	}
	open := bytes.LastIndexByte(s, '{')
	if open < 0 {
		return 0, false, false
	}
	digits := s[open+1 : len(s)-1]
	if len(digits) > 0 && digits[len(digits)-1] == '+' {
		nonSync = true
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 || len(digits) > 19 {
		return 0, false, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	v, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return 0, false, false
	}
	return v, nonSync, true
}

// eodScanner finds the end of SMTP message content, the octets
// <CRLF>.<CRLF> (RFC 5321 section 4.1.1.4), in the client's bytes. The
// content starts at the beginning of a line (the DATA command's CRLF is
// the first CRLF of the marker). A bare LF never starts a line.
type eodScanner struct{ state int }

// Scanner states: how much of the marker the last octets match.
const (
	eodLineStart = iota // "\r\n" (or the start of the content)
	eodText             // nothing
	eodCR               // "\r"
	eodDot              // "\r\n."
	eodDotCR            // "\r\n.\r"
)

// scan consumes p up to and including the end-of-data marker. It returns
// how many octets belong to the content (all of p when the marker is not
// in it) and whether the marker ended.
func (s *eodScanner) scan(p []byte) (int, bool) {
	for i, c := range p {
		switch {
		case c == '\r':
			if s.state == eodDot {
				s.state = eodDotCR
			} else {
				s.state = eodCR
			}
		case c == '\n' && s.state == eodDotCR:
			s.state = eodLineStart
			return i + 1, true
		case c == '\n' && s.state == eodCR:
			s.state = eodLineStart
		case c == '.' && s.state == eodLineStart:
			s.state = eodDot
		default:
			s.state = eodText
		}
	}
	return len(p), false
}

// parseCommand splits a client command line: the IMAP tag, the keyword
// (upper-cased; "UID FETCH" for IMAP UID commands) and the arguments.
func parseCommand(protocol string, line []byte) *Command {
	s := strings.TrimRight(string(line), "\r\n")
	cmd := &Command{Line: bytes.Clone(line)}
	if protocol == IMAP {
		cmd.Tag, s, _ = strings.Cut(s, " ")
	}
	verb, args, _ := strings.Cut(s, " ")
	cmd.Verb = upperASCII(verb)
	if protocol == IMAP && cmd.Verb == "UID" {
		sub, rest, _ := strings.Cut(args, " ")
		cmd.Verb += " " + upperASCII(sub)
		args = rest
	}
	cmd.Args = args
	return cmd
}

// upperASCII upper-cases the ASCII letters of s only: command keywords
// are ASCII (RFC 5321 section 2.4, RFC 1939 section 3, RFC 9051 section
// 9), and Unicode case mapping would read "ſTARTTLS" (U+017F) as
// STARTTLS, which the server does not.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
	return string(b)
}

// pop3MultiLine reports whether a positive answer to cmd is a multi-line
// response (RFC 1939 sections 5 and 7, RFC 2449 section 5; AUTH without
// argument lists the mechanisms on many servers).
func pop3MultiLine(cmd *Command) bool {
	switch cmd.Verb {
	case "RETR", "TOP":
		return true
	case "LIST", "UIDL", "CAPA", "AUTH":
		return strings.TrimSpace(cmd.Args) == ""
	}
	return false
}

// pop3Continuation reports whether a POP3 response is a SASL continuation
// ("+" and a space or the line end, RFC 5034 section 4), not "+OK".
func pop3Continuation(resp []byte) bool {
	if len(resp) < 2 || resp[0] != '+' {
		return false
	}
	return resp[1] == ' ' || resp[1] == '\r' || resp[1] == '\n'
}

// bdatSize returns the chunk size of a BDAT command (RFC 3030 section 2).
func bdatSize(cmd *Command) (int64, bool) {
	f := strings.Fields(cmd.Args)
	if len(f) == 0 || len(f[0]) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// bdatLast reports whether a BDAT command carries LAST.
func bdatLast(cmd *Command) bool {
	f := strings.Fields(cmd.Args)
	return len(f) == 2 && strings.EqualFold(f[1], "LAST")
}
