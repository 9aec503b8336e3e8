package wire

import (
	"bytes"
	"strconv"
)

// The printers below write a parsed reply or response back in a canonical
// wire form: CRLF line ends, single spaces between the parts the readers
// split, IMAP values quoted and literals counted afresh. Reading the
// canonical form gives back the same parsed fields (not the same Raw
// bytes: spacing and the case of keywords may differ), and a reply read
// without violations prints to a form that reads without violations. The
// fuzz targets of package fuzz check both properties on any input.

// Canonical returns r in canonical wire form (RFC 5321 section 4.2): a
// line "Code-text" for every line but the last and "Code SP text" for the
// last, "Code" alone when its text is empty. It returns nil when Code is
// 0 (the first line had no reply code) or outside 0-999.
func (r *SMTPReply) Canonical() []byte {
	if r.Code <= 0 || r.Code > 999 || len(r.Lines) == 0 {
		return nil
	}
	var b []byte
	for i, l := range r.Lines {
		b = appendCode(b, r.Code)
		switch {
		case i < len(r.Lines)-1:
			b = append(b, '-')
			b = append(b, l...)
		case l != "":
			b = append(b, ' ')
			b = append(b, l...)
		}
		b = append(b, '\r', '\n')
	}
	return b
}

// appendCode appends a reply code as three digits.
func appendCode(b []byte, code int) []byte {
	return append(b, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10))
}

// Canonical returns r in canonical wire form (RFC 1939 section 3, RFC 2449
// section 8): the status indicator, the response code in brackets if any,
// the text, CRLF; then, for a multi-line response (Lines not nil), every
// line dot-stuffed and the terminating "." line.
func (r *POP3Response) Canonical() []byte {
	b := append([]byte(nil), r.Status...)
	if r.Code != "" {
		b = append(b, " ["...)
		b = append(b, r.Code...)
		b = append(b, ']')
		if r.Text != "" {
			b = append(b, ' ')
			b = append(b, r.Text...)
		}
	} else if r.Text != "" || r.Status == "" {
		// The text as it was: the reader found no response code at its
		// start (or, after "+", looked for none), so it finds none
		// there again. An empty status needs the space to stay empty.
		b = append(b, ' ')
		b = append(b, r.Text...)
	}
	b = append(b, '\r', '\n')
	if r.Lines == nil {
		return b
	}
	for _, l := range r.Lines {
		if len(l) > 0 && l[0] == '.' {
			b = append(b, '.')
		}
		b = append(b, l...)
		b = append(b, '\r', '\n')
	}
	return append(b, '.', '\r', '\n')
}

// Canonical returns r in canonical wire form (RFC 9051 sections 4 and 7):
// the tag, "*" or "+", the number, the keyword, then for a status
// response or continuation request the response code and text, and for
// server data the Fields printed by [Value.AppendWire], separated by
// single spaces. Literals in Fields are written as {n} (~{n} when they
// hold a NUL), so the result may span several lines.
func (r *IMAPResponse) Canonical() []byte {
	var b []byte
	switch r.Kind {
	case IMAPContinuation:
		b = append(b, '+', ' ')
		b = appendRespText(b, r)
		return append(b, '\r', '\n')
	case IMAPUntagged:
		b = append(b, '*', ' ')
	default:
		b = append(b, r.Tag...)
		b = append(b, ' ')
	}
	if r.HasNumber {
		b = strconv.AppendUint(b, uint64(r.Number), 10)
		b = append(b, ' ')
	}
	b = append(b, r.Keyword...)
	switch {
	case r.Status != "":
		b = append(b, ' ')
		b = appendRespText(b, r)
	case r.Kind == IMAPTagged:
		if r.Text != "" {
			b = append(b, ' ')
			b = append(b, r.Text...)
		}
	default:
		// A keyword made of digits is read as a number when a space
		// follows it; the reader took it as a keyword because a "("
		// did.
		sep := !(r.Keyword != "" && isDigits(r.Keyword) && !r.HasNumber)
		for _, v := range r.Fields {
			if sep {
				b = append(b, ' ')
			}
			sep = true
			b = v.AppendWire(b)
		}
		// A line of server data that ends in what reads as a literal
		// announcement ("{5}") is one; a space after it keeps it an
		// atom (or the keyword).
		if n := len(r.Fields); n == 0 || r.Fields[n-1].Kind != Literal {
			if _, ok := imapLiteralAt(lastLine(b)); ok {
				b = append(b, ' ')
			}
		}
	}
	return append(b, '\r', '\n')
}

// appendRespText appends the response code (if any) and text of a status
// response or continuation request.
func appendRespText(b []byte, r *IMAPResponse) []byte {
	switch {
	case r.Code != "" || r.CodeArgs != "":
		b = append(b, '[')
		b = append(b, r.Code...)
		if r.CodeArgs != "" {
			b = append(b, ' ')
			b = append(b, r.CodeArgs...)
		}
		b = append(b, ']', ' ')
	case len(r.Text) > 0 && r.Text[0] == '[' && imapCodeEnd(r.Text, 1, len(r.Text)) >= 0:
		// The text reads as a response code: the original had an
		// empty one ("[]") before it.
		b = append(b, '[', ']', ' ')
	}
	return append(b, r.Text...)
}

// AppendWire appends v in the wire form the IMAP reader reads back as v
// (RFC 9051 section 4): an atom as is, a number in decimal, NIL, a quoted
// string with DQUOTE and backslash escaped, a literal as {n} CRLF and its
// octets (~{n} when they hold a NUL, RFC 3516), and a list in
// parentheses, its elements separated by single spaces.
func (v Value) AppendWire(b []byte) []byte {
	switch v.Kind {
	case Atom:
		return append(b, v.Str...)
	case Number:
		return strconv.AppendUint(b, v.Num, 10)
	case Nil:
		return append(b, "NIL"...)
	case String:
		b = append(b, '"')
		for i := 0; i < len(v.Str); i++ {
			if c := v.Str[i]; c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, v.Str[i])
		}
		return append(b, '"')
	case Literal:
		if bytes.IndexByte([]byte(v.Str), 0) >= 0 {
			b = append(b, '~')
		}
		b = append(b, '{')
		b = strconv.AppendInt(b, int64(len(v.Str)), 10)
		b = append(b, '}', '\r', '\n')
		return append(b, v.Str...)
	case List:
		b = append(b, '(')
		for i, e := range v.List {
			if i > 0 {
				b = append(b, ' ')
			}
			b = e.AppendWire(b)
		}
		return append(b, ')')
	}
	return b
}

// lastLine returns what follows the last LF in b.
func lastLine(b []byte) []byte {
	return b[bytes.LastIndexByte(b, '\n')+1:]
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// upperASCII upper-cases the ASCII letters of s only. IMAP keywords and
// response codes are ASCII atoms (RFC 9051 section 9); Unicode case
// mapping would read "* ſEARCH" (U+017F) as SEARCH.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
