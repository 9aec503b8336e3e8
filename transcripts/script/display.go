package script

import (
	"strconv"
	"strings"
)

// Display returns the display form of one server line or response, the
// text that S: patterns are matched against:
//
//   - the final CRLF is removed (a line ended otherwise keeps its ending,
//     shown as below);
//   - for proto "imap", each literal, found by its framing "{" number
//     ["+"] "}" CRLF as in RFC 9051 section 4.3 (the "+" of RFC 7888
//     tolerated), is replaced by {lit:ESCAPED} ({lit+:ESCAPED} for "{n+}"),
//     where ESCAPED is the payload in the escaped form of [Escape] with "}"
//     written "\x7d"; a literal8 "~{n}" of RFC 3516 becomes "~{lit:...}";
//   - every other control character is shown as \xHH (lowercase hex);
//   - every other byte is kept as is (backslashes included).
//
// A "{n}" that is not followed by CRLF and at least n bytes is not a
// literal and is shown as text. Display never fails and never panics;
// proto values other than "imap" are treated as line-based (SMTP, POP3).
func Display(proto string, raw []byte) string {
	imap := proto == "imap"
	var sb strings.Builder
	sb.Grow(len(raw))
	for i := 0; i < len(raw); {
		if i == len(raw)-2 && raw[i] == '\r' && raw[i+1] == '\n' {
			break
		}
		c := raw[i]
		if imap && c == '{' {
			if n, nonSync, hdr, ok := literalAt(raw, i); ok {
				if nonSync {
					sb.WriteString("{lit+:")
				} else {
					sb.WriteString("{lit:")
				}
				sb.WriteString(escape(raw[i+hdr:i+hdr+n], escBrace))
				sb.WriteByte('}')
				i += hdr + n
				continue
			}
		}
		if isControl(c) {
			writeHex(&sb, c)
		} else {
			sb.WriteByte(c)
		}
		i++
	}
	return sb.String()
}

// maxLiteralDigits bounds the octet count of a literal: 18 digits cannot
// overflow an int64.
const maxLiteralDigits = 18

// literalAt reports whether raw[i:] starts with a literal's framing
// "{" number ["+"] "}" CRLF followed by at least number bytes; hdr is the
// length of the framing.
func literalAt(raw []byte, i int) (n int, nonSync bool, hdr int, ok bool) {
	j := i + 1
	for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
		j++
	}
	digits := j - i - 1
	if digits == 0 || digits > maxLiteralDigits {
		return 0, false, 0, false
	}
	v, err := strconv.ParseInt(string(raw[i+1:j]), 10, 64)
	if err != nil {
		return 0, false, 0, false
	}
	if j < len(raw) && raw[j] == '+' {
		nonSync = true
		j++
	}
	if j+3 > len(raw) || raw[j] != '}' || raw[j+1] != '\r' || raw[j+2] != '\n' {
		return 0, false, 0, false
	}
	j += 3
	if v > int64(len(raw)-j) {
		return 0, false, 0, false
	}
	return int(v), nonSync, j - i, true
}

// undisplay inverts Display for a response that ended in CRLF: it returns
// the bytes whose display form d is, assuming every \xHH of a control
// character was one, every {lit:...} a literal, and a final CRLF. It
// reports false when d cannot be read that way.
func undisplay(proto, d string) ([]byte, bool) {
	imap := proto == "imap"
	out := make([]byte, 0, len(d)+2)
	for i := 0; i < len(d); {
		if imap && d[i] == '{' {
			open := 0
			switch {
			case strings.HasPrefix(d[i:], "{lit:"):
				open = len("{lit:")
			case strings.HasPrefix(d[i:], "{lit+:"):
				open = len("{lit+:")
			}
			if open > 0 {
				body, n, err := decodeEscaped(d[i+open:], true, varsLiteral, nil)
				if err != nil || n < 0 {
					return nil, false
				}
				out = append(out, '{')
				out = strconv.AppendInt(out, int64(len(body)), 10)
				if open == len("{lit+:") {
					out = append(out, '+')
				}
				out = append(out, "}\r\n"...)
				out = append(out, body...)
				i += open + n + 1
				continue
			}
		}
		if d[i] == '\\' && i+4 <= len(d) && d[i+1] == 'x' {
			hi, ok1 := lowerHex(d[i+2])
			lo, ok2 := lowerHex(d[i+3])
			if ok1 && ok2 && isControl(hi<<4|lo) {
				out = append(out, hi<<4|lo)
				i += 4
				continue
			}
		}
		out = append(out, d[i])
		i++
	}
	return append(out, '\r', '\n'), true
}

func lowerHex(c byte) (byte, bool) {
	if 'A' <= c && c <= 'F' {
		return 0, false
	}
	return unhex(c)
}
