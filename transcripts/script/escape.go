package script

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// isControl reports whether c is an ASCII control character.
func isControl(c byte) bool { return c < 0x20 || c == 0x7f }

// Flags of escape.
const (
	// escDollar writes "$" as "\$" before "{", so that the result does
	// not read as a variable reference.
	escDollar = 1 << iota
	// escBrace writes "}" as "\x7d", so that the result can stand inside
	// {lit:...}.
	escBrace
	// escKeepRefs copies variable references "${name}" as they are.
	escKeepRefs
)

// Escape returns b in the escaped form of C! and S! lines: "\r", "\n",
// "\t", "\0" for those bytes, "\\" for a backslash, "\$" for a dollar
// before "{", "\xHH" (lowercase hex) for other control characters and for
// bytes that are not part of valid UTF-8; everything else as is.
// Unescape(Escape(b)) equals b.
func Escape(b []byte) string { return escape(b, escDollar) }

func escape(b []byte, flags int) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c == '$' && flags&escKeepRefs != 0 && i+1 < len(b) && b[i+1] == '{' {
			if _, capture, end, err := parseVarRef(string(b[i:]), 0); err == nil && !capture {
				sb.Write(b[i : i+end])
				i += end
				continue
			}
		}
		switch {
		case c == '\\':
			sb.WriteString(`\\`)
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c == 0 && (i+1 >= len(b) || b[i+1] < '0' || b[i+1] > '9'):
			sb.WriteString(`\0`)
		case isControl(c):
			writeHex(&sb, c)
		case c == '$' && flags&escDollar != 0 && i+1 < len(b) && b[i+1] == '{':
			sb.WriteString(`\$`)
		case c == '}' && flags&escBrace != 0:
			sb.WriteString(`\x7d`)
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				writeHex(&sb, c)
				i++
				continue
			}
			sb.Write(b[i : i+size])
			i += size
			continue
		default:
			sb.WriteByte(c)
		}
		i++
	}
	return sb.String()
}

func writeHex(sb *strings.Builder, c byte) {
	sb.WriteString(`\x`)
	sb.WriteByte(hexDigits[c>>4])
	sb.WriteByte(hexDigits[c&0xf])
}

// Unescape decodes the escaped form of C! and S! lines and of literal
// payloads: \r \n \t \\ \0 \xHH (either case) and \$ for a dollar. Any
// other character after a backslash is an error. "${name}" is not
// special here and is kept as is.
func Unescape(s string) ([]byte, error) {
	b, _, err := decodeEscaped(s, false, varsLiteral, nil)
	if err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	return b, nil
}

// varMode says what decodeEscaped does with "${".
type varMode int

const (
	varsLiteral varMode = iota // "${" is two plain characters
	varsKeep                   // "${name}" is checked and kept as written
	varsExpand                 // "${name}" is replaced by vars[name]
	varsForbid                 // "${" is an error (S! lines)
)

// decodeEscaped decodes the escaped text s. If stop is set, it ends at
// the first "}" that is not part of an escape or a variable reference,
// and reports in n where it is (n == -1 if there is none); otherwise n is
// len(s).
func decodeEscaped(s string, stop bool, mode varMode, vars map[string]string) (out []byte, n int, err error) {
	out = make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case stop && c == '}':
			return out, i, nil
		case c == '\\':
			if i+1 >= len(s) {
				return nil, 0, errors.New(`backslash at the end: write \\ for a backslash`)
			}
			switch d := s[i+1]; d {
			case 'r':
				out = append(out, '\r')
			case 'n':
				out = append(out, '\n')
			case 't':
				out = append(out, '\t')
			case '0':
				out = append(out, 0)
			case '\\':
				out = append(out, '\\')
			case '$':
				out = append(out, '$')
			case 'x':
				if i+4 > len(s) {
					return nil, 0, fmt.Errorf(`bad escape %s: want \xHH with two hex digits`, clip(s[i:]))
				}
				hi, ok1 := unhex(s[i+2])
				lo, ok2 := unhex(s[i+3])
				if !ok1 || !ok2 {
					return nil, 0, fmt.Errorf(`bad escape %s: want \xHH with two hex digits`, clip(s[i:i+4]))
				}
				out = append(out, hi<<4|lo)
				i += 4
				continue
			default:
				_, size := utf8.DecodeRuneInString(s[i+1:])
				return nil, 0, fmt.Errorf(`unknown escape \%s`, printable(s[i+1:i+1+size]))
			}
			i += 2
		case c == '$' && mode != varsLiteral && strings.HasPrefix(s[i:], "${"):
			if mode == varsForbid {
				return nil, 0, errors.New(`S! takes no variables: write \${ for a literal "${"`)
			}
			name, capture, end, err := parseVarRef(s, i)
			if err != nil {
				return nil, 0, err
			}
			if capture {
				return nil, 0, fmt.Errorf("capture %s: captures belong in S: patterns", s[i:end])
			}
			if mode == varsExpand {
				v, ok := vars[name]
				if !ok {
					return nil, 0, fmt.Errorf("unknown variable ${%s}", name)
				}
				out = append(out, v...)
			} else {
				out = append(out, s[i:end]...)
			}
			i = end
		default:
			out = append(out, c)
			i++
		}
	}
	if stop {
		return out, -1, nil
	}
	return out, len(s), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "..."
	}
	return printable(s)
}

// printable shows the control characters and invalid UTF-8 of s as \xHH,
// for error messages; everything else, backslashes included, is kept.
func printable(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isControl(s[i]) || r == utf8.RuneError && size <= 1 {
			writeHex(&sb, s[i])
			i++
			continue
		}
		sb.WriteString(s[i : i+size])
		i += size
	}
	return sb.String()
}

// isNameByte reports whether c may appear in a variable name.
func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// parseVarRef reads the variable reference "${name}" or capture
// "${name=*}" that starts at s[i]; end is the index after its "}".
func parseVarRef(s string, i int) (name string, capture bool, end int, err error) {
	j := i + 2
	for j < len(s) && isNameByte(s[j]) {
		j++
	}
	name = s[i+2 : j]
	switch {
	case j >= len(s):
		return "", false, 0, fmt.Errorf("unterminated %s: want ${name} or ${name=*}", clip(s[i:]))
	case name == "":
		return "", false, 0, fmt.Errorf("bad variable reference %s: a name is letters, digits and _", clip(s[i:]))
	case s[j] == '}':
		return name, false, j + 1, nil
	case strings.HasPrefix(s[j:], "=*}"):
		return name, true, j + 3, nil
	}
	return "", false, 0, fmt.Errorf("bad variable reference %s: want ${name} or ${name=*}", clip(s[i:]))
}

// Expand returns the text s of a C: line segment with "\\" and "\$"
// decoded and every ${name} replaced by vars[name]. A backslash before any
// other character is kept, so IMAP's "\Seen" is written as is. An unknown
// variable is an error, never an empty string.
func Expand(s string, vars map[string]string) (string, error) {
	out, err := expandText(s, varsExpand, vars)
	if err != nil {
		return "", fmt.Errorf("script: %w", err)
	}
	return out, nil
}

// expandText decodes C: text; with varsKeep it only checks it.
func expandText(s string, mode varMode, vars map[string]string) (string, error) {
	if !strings.ContainsAny(s, `\$`) {
		return s, nil
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '$'):
			sb.WriteByte(s[i+1])
			i += 2
		case c == '$' && strings.HasPrefix(s[i:], "${"):
			name, capture, end, err := parseVarRef(s, i)
			if err != nil {
				return "", err
			}
			if capture {
				return "", fmt.Errorf("capture %s: captures belong in S: patterns", s[i:end])
			}
			if mode == varsExpand {
				v, ok := vars[name]
				if !ok {
					return "", fmt.Errorf("unknown variable ${%s}", name)
				}
				sb.WriteString(v)
			} else {
				sb.WriteString(s[i:end])
			}
			i = end
		default:
			sb.WriteByte(c)
			i++
		}
	}
	return sb.String(), nil
}

// quoteText returns the C: text that expands to exactly s (with no
// variables): backslashes are doubled where a single one would read as an
// escape (see quote), "$" before "{" becomes "\$"; everything else is kept.
func quoteText(s string) string {
	return quote(s, `\$`)
}

// QuotePattern returns a pattern that matches exactly s: "*" becomes
// "\*", "$" before "{" becomes "\$", and backslashes are doubled where a
// single one would read as an escape: a run of two or more, and one
// before "*", "\" or "$". A lone backslash before any other character,
// such as the one of "\Seen", is kept as is.
func QuotePattern(s string) string {
	return quote(s, `\$*`)
}

// quote escapes s for a text in which "\" followed by a character of
// special is an escape for that character, "${" starts a variable and
// (if special holds "*") "*" is a wildcard.
func quote(s, special string) string {
	star := strings.IndexByte(special, '*') >= 0
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			j := i
			for j < len(s) && s[j] == '\\' {
				j++
			}
			if j-i == 1 && (j == len(s) || strings.IndexByte(special, s[j]) < 0) {
				sb.WriteByte('\\')
			} else {
				sb.WriteString(strings.Repeat(`\\`, j-i))
			}
			i = j - 1
		case c == '*' && star:
			sb.WriteString(`\*`)
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			sb.WriteString(`\$`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}
