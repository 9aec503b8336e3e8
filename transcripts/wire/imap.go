package wire

import (
	"bytes"
	"io"
	"slices"
	"strings"
)

// IMAPKind says which of the three kinds of server response (RFC 9051
// section 2.2.2) an IMAPResponse is.
type IMAPKind int

// The kinds of IMAP server response.
const (
	// IMAPUntagged is server data or an untagged status ("* ...").
	IMAPUntagged IMAPKind = iota + 1
	// IMAPTagged is the completion result of a command ("a1 OK ...").
	// A line that begins with neither "*" nor "+" is read as tagged.
	IMAPTagged
	// IMAPContinuation is a command continuation request ("+ ...",
	// RFC 9051 section 7.5).
	IMAPContinuation
)

func (k IMAPKind) String() string {
	switch k {
	case IMAPUntagged:
		return "untagged"
	case IMAPTagged:
		return "tagged"
	case IMAPContinuation:
		return "continuation"
	}
	return "IMAPKind(?)"
}

// IMAPResponse is one IMAP server response (RFC 9051 section 7, RFC 3501
// section 7): a line, or for server data that carries literals, the lines
// and literals that make one response.
type IMAPResponse struct {
	Kind IMAPKind
	// Tag is the tag of a tagged response.
	Tag string
	// Number is the number before the keyword of an untagged response
	// ("* 23 EXISTS" has 23); HasNumber says whether there is one.
	Number    uint32
	HasNumber bool
	// Keyword is upper-cased: OK, NO, BAD, PREAUTH or BYE for a status
	// response, else the data keyword (CAPABILITY, FLAGS, EXISTS, FETCH,
	// LIST, ESEARCH, ...). It is "" for a continuation request.
	Keyword string
	// Status is Keyword when the response is a status response, "" if not.
	Status string
	// Code is the response code atom inside "[...]" at the start of the
	// text of a status response or continuation request, upper-cased
	// ("UIDVALIDITY", "CAPABILITY", "APPENDUID"), "" if none.
	Code string
	// CodeArgs is the raw text between the code atom and "]", trimmed
	// ("38505 3955" for "[APPENDUID 38505 3955]").
	CodeArgs string
	// Text is the human-readable text of a status response (after the
	// code, if any), of a continuation request (after "+ " and the code,
	// if any: the base64 data of a SASL challenge), and the rest of the
	// line of a tagged response whose status is unknown.
	Text string
	// Fields are the values after the keyword of server data: the
	// CAPABILITY atoms, the FETCH list, the SEARCH numbers... nil for a
	// status response or continuation request. A section spec belongs to
	// the atom it follows: "BODY[HEADER.FIELDS (FROM)]" and "BODY[]<0>"
	// are one Atom each.
	Fields []Value
	// Literals holds the contents of every literal ({n} or ~{n}) in the
	// response, in order. The slices share memory with Raw (capped, so
	// appending to one does not overwrite the other).
	Literals [][]byte
	// Raw is the exact bytes of the whole response, literals included.
	Raw []byte
	// Violations lists what breaks RFC 9051 in Raw; nil if nothing does.
	Violations []Violation
}

// ValueKind is the type of a Value.
type ValueKind int

// The kinds of Value, after the data formats of RFC 9051 section 4.
const (
	// Atom is an atom, flag or anything else without quotes; Str holds
	// its text.
	Atom ValueKind = iota + 1
	// Number is an atom made only of digits that fits a uint64; Num
	// holds it.
	Number
	// String is a quoted string; Str holds it unquoted and unescaped.
	String
	// Literal is a literal, {n} or literal8 ~{n}; Str holds its contents.
	Literal
	// List is a parenthesised list; List holds its elements.
	List
	// Nil is the atom NIL, in any case.
	Nil
)

func (k ValueKind) String() string {
	switch k {
	case Atom:
		return "atom"
	case Number:
		return "number"
	case String:
		return "string"
	case Literal:
		return "literal"
	case List:
		return "list"
	case Nil:
		return "NIL"
	}
	return "ValueKind(?)"
}

// Value is one value of IMAP server data (RFC 9051 section 4).
type Value struct {
	Kind ValueKind
	// Str holds the atom text, the unquoted string or the literal contents.
	Str string
	// Num holds the value of a Number.
	Num uint64
	// List holds the elements of a List.
	List []Value
}

// maxListDepth bounds how deeply lists may nest in Fields.
const maxListDepth = 64

// literalChunk is how much of a large literal is allocated at a time, so
// that a server announcing a large literal and sending little costs
// little memory.
const literalChunk = 1 << 20

// imapLit locates one literal in a response's Raw bytes: ann is where its
// announcement ("{" or "~{") begins, [start, end) its contents.
type imapLit struct{ ann, start, end int }

// IMAPReader reads IMAP server responses (RFC 9051 sections 2.2.2, 4.3
// and 7; RFC 3501 section 7). Literals, {n} and literal8 ~{n} (RFC 3516),
// are framed by their length, never by line: their contents may hold CRLF,
// "*", ")" or anything else. Only server data ("* KEYWORD ...") carries
// literals; a status response or continuation request is one line, even
// if its text happens to end with "{5}".
//
// Limits.MaxLines bounds the lines of one response (one more than its
// literals). After an error in the middle of a response the reader's
// framing is lost and every later call returns that error again. An error
// before the first byte of a response leaves the reader usable.
type IMAPReader struct {
	lr      *lineReader
	lim     Limits
	scratch []byte
	lits    []imapLit
	err     error
}

// NewIMAPReader returns a reader of the IMAP responses in r, bounded by l
// (zero fields of l take their value from DefaultLimits).
func NewIMAPReader(r io.Reader, l Limits) *IMAPReader {
	return &IMAPReader{lr: newLineReader(r), lim: l.WithDefaults()}
}

// Buffered reports how many octets have been read from the underlying
// reader and not yet returned in a response; it should be 0 before the
// TLS handshake that follows STARTTLS.
func (r *IMAPReader) Buffered() int { return r.lr.buffered() }

// ReadResponse reads the next response. The end of the stream before the
// first byte of a response is io.EOF itself; other errors are wrapped with
// the prefix "wire: " and, for a bound of Limits, wrap ErrLimit. A literal
// announced larger than Limits.MaxLiteral fails at once, before any of it
// is read or allocated.
//
// When the response was read whole but its Fields nest deeper than 64
// lists (or hold an absurd number of values), ReadResponse returns the
// response, with Fields partial, together with an error wrapping ErrLimit;
// the reader stays usable.
func (r *IMAPReader) ReadResponse() (IMAPResponse, error) {
	if r.err != nil {
		return IMAPResponse{}, r.err
	}
	var viols []Violation
	bound, isLine := lineBound(r.lim, 0)
	line, err := r.lr.readLine(r.scratch[:0], bound)
	r.scratch = keepScratch(line, scratchKeep)
	if err != nil {
		return r.fail(len(line) > 0, 1, bound, isLine, err)
	}
	content, bareLF := splitLine(line)
	data := imapIsData(content)
	ann, hasLit := imapLiteralAt(content)
	hasLit = hasLit && data
	size := len(line)
	if hasLit && !ann.tooBig && ann.n <= r.lim.MaxLiteral {
		size += int(min(ann.n, literalChunk)) + 512
	}
	raw := make([]byte, len(line), size)
	copy(raw, line)
	lits := r.lits[:0]
	defer func() { r.lits = keepScratch(lits, 1024) }()

	lineStart, lineNo, contentLen := 0, 1, len(content)
	imapCheckLine(&viols, raw, lineStart, contentLen, bareLF, lineNo)
	for hasLit {
		at := lineStart + ann.at
		if ann.tooBig || ann.n > r.lim.MaxLiteral {
			r.err = errorf("imap response: line %d announces a literal of %s octets, more than MaxLiteral (%d): %w",
				lineNo, shorten(ann.digits, 24), r.lim.MaxLiteral, ErrLimit)
			return IMAPResponse{}, r.err
		}
		if int64(len(raw))+ann.n > r.lim.MaxResponse {
			r.err = errorf("imap response: a literal of %d octets after %d octets exceeds MaxResponse (%d): %w",
				ann.n, len(raw), r.lim.MaxResponse, ErrLimit)
			return IMAPResponse{}, r.err
		}
		if ann.plus {
			viols = append(viols, violation("9051", "9", LevelMustNot, at,
				"the server sent a non-synchronizing literal {%d+}; those are for clients only", ann.n))
		}
		start := len(raw)
		raw, err = r.readLiteral(raw, ann.n)
		if err != nil {
			return r.fail(true, lineNo, 0, false, err)
		}
		if !ann.eight {
			if i := bytes.IndexByte(raw[start:], 0); i >= 0 {
				viols = append(viols, violation("9051", "4.3.1", LevelMust, start+i,
					"NUL octet in a literal; binary data may only be sent in a literal8 (~{n})"))
			}
		}
		lits = append(lits, imapLit{ann: at, start: start, end: len(raw)})

		lineNo++
		if lineNo > r.lim.MaxLines {
			r.err = errorf("imap response: more than MaxLines (%d) lines: %w", r.lim.MaxLines, ErrLimit)
			return IMAPResponse{}, r.err
		}
		lineStart = len(raw)
		bound, isLine = lineBound(r.lim, lineStart)
		raw, err = r.lr.readLine(raw, bound)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return r.fail(true, lineNo, bound, isLine, err)
		}
		content, bareLF = splitLine(raw[lineStart:])
		contentLen = len(content)
		imapCheckLine(&viols, raw, lineStart, contentLen, bareLF, lineNo)
		ann, hasLit = imapLiteralAt(content)
	}

	raw = raw[:len(raw):len(raw)]
	resp := IMAPResponse{Raw: raw}
	if len(lits) > 0 {
		resp.Literals = make([][]byte, len(lits))
		for i, l := range lits {
			resp.Literals[i] = raw[l.start:l.end:l.end]
		}
	}
	p := imapParser{
		s:       string(raw),
		lits:    lits,
		final:   lineStart + contentLen,
		viols:   &viols,
		maxVals: max(1<<20, r.lim.MaxLine),
	}
	p.response(&resp)
	resp.Violations = viols
	return resp, p.err
}

// shorten returns s, cut to n bytes and marked with "..." if longer.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// readLiteral appends the next n octets to raw, growing it a chunk at a
// time for a large literal.
func (r *IMAPReader) readLiteral(raw []byte, n int64) ([]byte, error) {
	for n > 0 {
		chunk := int(min(n, literalChunk))
		raw = slices.Grow(raw, chunk+512)
		l := len(raw)
		raw = raw[:l+chunk]
		if err := r.lr.readFull(raw[l:]); err != nil {
			return raw[:l], err
		}
		n -= int64(chunk)
	}
	return raw, nil
}

// fail turns a read error into the returned error.
func (r *IMAPReader) fail(started bool, lineNo, max int, isLine bool, err error) (IMAPResponse, error) {
	if err == errLineTooLong {
		r.err = lineLimitError("imap response", lineNo, max, isLine)
		return IMAPResponse{}, r.err
	}
	werr, sticky := readFailure("imap response", started, err)
	if sticky {
		r.err = werr
	}
	return IMAPResponse{}, werr
}

// imapCheckLine records what is wrong with the line whose content is
// raw[start:start+n], outside any literal: a bare LF ending (RFC 9051
// section 2.2: interactions are lines ending with CRLF), a NUL, or a CR
// that does not end the line (neither is a CHAR or TEXT-CHAR, section 9).
func imapCheckLine(viols *[]Violation, raw []byte, start, n int, bareLF bool, lineNo int) {
	content := raw[start : start+n]
	if bareLF {
		*viols = append(*viols, violation("9051", "2.2", LevelMust, start+n,
			"line %d ends with a bare LF, not CRLF", lineNo))
	}
	if i := bytes.IndexByte(content, 0); i >= 0 {
		*viols = append(*viols, violation("9051", "9", LevelMust, start+i,
			"NUL octet in line %d outside a literal", lineNo))
	}
	if i := bytes.IndexByte(content, '\r'); i >= 0 {
		*viols = append(*viols, violation("9051", "9", LevelMust, start+i,
			"bare CR in line %d outside a literal", lineNo))
	}
}

// imapAnn is a literal announcement at the end of a line.
type imapAnn struct {
	at     int    // offset of "{" or "~{" in the line
	n      int64  // announced length
	digits string // the announced length as sent (for errors)
	plus   bool   // {n+}
	eight  bool   // ~{n}
	tooBig bool   // n does not fit an int64
}

// imapLiteralAt reports whether content (a line without its line ending)
// ends with a literal announcement:
//
//	literal  = "{" number64 ["+"] "}" CRLF *CHAR8
//	literal8 = "~{" number64 "}" CRLF *OCTET
func imapLiteralAt(content []byte) (imapAnn, bool) {
	n := len(content)
	if n < 3 || content[n-1] != '}' {
		return imapAnn{}, false
	}
	j := n - 2
	var a imapAnn
	if content[j] == '+' {
		a.plus = true
		j--
	}
	k := j
	for k >= 0 && isDigit(content[k]) {
		k--
	}
	if k == j || k < 0 || content[k] != '{' {
		return imapAnn{}, false
	}
	digits := content[k+1 : j+1]
	a.at = k
	if k > 0 && content[k-1] == '~' {
		a.at, a.eight = k-1, true
	}
	a.digits = string(digits)
	for _, c := range digits {
		if a.n > (1<<63-1-9)/10 {
			a.tooBig = true
			break
		}
		a.n = a.n*10 + int64(c-'0')
	}
	return a, true
}

// imapStatus reports whether keyword (in any case) is a status response
// word: OK, NO, BAD, PREAUTH or BYE (RFC 9051 section 7.1).
func imapStatus[T string | []byte](kw T) bool {
	switch len(kw) {
	case 2:
		return eqFold(kw, "OK") || eqFold(kw, "NO")
	case 3:
		return eqFold(kw, "BAD") || eqFold(kw, "BYE")
	case 7:
		return eqFold(kw, "PREAUTH")
	}
	return false
}

// eqFold reports whether s equals the upper-case ASCII word w, ignoring
// ASCII case.
func eqFold[T string | []byte](s T, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := range len(w) {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// imapHead is the start of a response line: its kind, tag, number and
// keyword, as offsets into the line.
type imapHead struct {
	kind             IMAPKind
	tagEnd           int // tagged: the tag is line[:tagEnd]
	numStart, numEnd int // untagged: the number's digits, if numEnd > numStart
	kwStart, kwEnd   int // the keyword (status word or data keyword)
}

// scanIMAPHead splits the start of a response line. It is lenient (it
// skips extra spaces); the parser judges the exact syntax.
func scanIMAPHead[T string | []byte](s T) imapHead {
	var h imapHead
	if len(s) > 0 && s[0] == '+' {
		h.kind = IMAPContinuation
		return h
	}
	i := 0
	if len(s) > 0 && s[0] == '*' {
		h.kind = IMAPUntagged
		i = skipSP(s, 1)
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j > i && (j == len(s) || s[j] == ' ') {
			h.numStart, h.numEnd = i, j
			i = skipSP(s, j)
		}
	} else {
		h.kind = IMAPTagged
		for i < len(s) && s[i] != ' ' {
			i++
		}
		h.tagEnd = i
		i = skipSP(s, i)
	}
	h.kwStart = i
	for i < len(s) && s[i] != ' ' && s[i] != '(' {
		i++
	}
	h.kwEnd = i
	return h
}

func skipSP[T string | []byte](s T, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// imapIsData reports whether the response whose first line is content is
// server data (an untagged response that is not a status response): the
// only kind that carries literals.
func imapIsData(content []byte) bool {
	h := scanIMAPHead(content)
	return h.kind == IMAPUntagged && !imapStatus(content[h.kwStart:h.kwEnd])
}

// imapStrictKeywords are the data keywords whose syntax is known to be
// made of the generic values of RFC 9051 section 4 (here and in the
// extensions that define them): a response with one of them whose
// parentheses do not balance, or with a quoted string not closed on its
// line, is unambiguously broken. For other keywords Fields are parsed as
// well as they can be, without judging.
var imapStrictKeywords = map[string]bool{
	"CAPABILITY": true, "FLAGS": true, "LIST": true, "LSUB": true,
	"SEARCH": true, "ESEARCH": true, "STATUS": true, "ENABLED": true,
	"ID": true, "NAMESPACE": true, "FETCH": true, "EXISTS": true,
	"RECENT": true, "EXPUNGE": true, "VANISHED": true, "SORT": true,
	"THREAD": true, "QUOTA": true, "QUOTAROOT": true, "ACL": true,
	"LISTRIGHTS": true, "MYRIGHTS": true, "METADATA": true,
}

// isTagChar reports whether c may appear in a tag (RFC 9051 section 9):
//
//	tag          = 1*<any ASTRING-CHAR except "+">
//	ASTRING-CHAR = ATOM-CHAR / resp-specials
//	atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards /
//	               quoted-specials / resp-specials
func isTagChar(c byte) bool {
	if c <= 0x20 || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', '%', '*', '"', '\\', '+':
		return false
	}
	return true
}

// imapParser parses a framed response from its Raw bytes as a string s.
// The non-literal parts of the response are segments of s that end where
// a literal announcement begins (or, for the last, at final); literals are
// taken whole from lits.
type imapParser struct {
	s       string
	pos     int
	lits    []imapLit
	li      int // the next literal
	final   int // end of the content of the last line
	strict  bool
	stopped bool
	nvals   int
	maxVals int
	viols   *[]Violation
	err     error
}

func (p *imapParser) segEnd() int {
	if p.li < len(p.lits) {
		return p.lits[p.li].ann
	}
	return p.final
}

func (p *imapParser) violation(section, level string, offset int, format string, args ...any) {
	*p.viols = append(*p.viols, violation("9051", section, level, offset, format, args...))
}

// response fills resp from the response line(s).
func (p *imapParser) response(resp *IMAPResponse) {
	s := p.s
	end := p.segEnd()
	h := scanIMAPHead(s[:end])
	resp.Kind = h.kind
	switch h.kind {
	case IMAPContinuation:
		pos := 1
		switch {
		case end == 1:
			p.violation("9", LevelMust, 1,
				"continuation request is \"+\" alone; continue-req = \"+\" SP (resp-text / base64) CRLF requires the SP")
		case s[1] != ' ':
			p.violation("9", LevelMust, 1,
				"continuation request \"+\" is followed by %q, not SP", s[1])
		default:
			pos = 2
		}
		p.respText(resp, pos, end)
		return

	case IMAPUntagged:
		if end < 2 || s[1] != ' ' {
			p.violation("9", LevelMust, min(1, end), "untagged response \"*\" is not followed by SP")
		}
		if h.numEnd > h.numStart {
			n, ok := parseUint(s[h.numStart:h.numEnd], 1<<32-1)
			if ok {
				resp.Number, resp.HasNumber = uint32(n), true
			} else {
				p.violation("9", LevelMust, h.numStart,
					"number %s does not fit 32 bits", s[h.numStart:h.numEnd])
			}
		}
		if h.kwEnd == h.kwStart {
			p.violation("9", LevelMust, h.kwStart, "untagged response has no keyword")
		}

	case IMAPTagged:
		tag := s[:h.tagEnd]
		resp.Tag = tag
		if tag == "" {
			p.violation("9", LevelMust, 0, "response line has no tag, \"*\" or \"+\"")
		} else {
			for i := 0; i < len(tag); i++ {
				if !isTagChar(tag[i]) {
					p.violation("9", LevelMust, i,
						"tag %q contains %q, which is not an ASTRING-CHAR other than \"+\"", tag, tag[i])
					break
				}
			}
		}
	}

	kw := upperASCII(s[h.kwStart:h.kwEnd])
	resp.Keyword = kw
	pos := h.kwEnd
	if imapStatus(kw) {
		resp.Status = kw
		if h.kind == IMAPTagged && (kw == "BYE" || kw == "PREAUTH") {
			p.violation("9", LevelMust, h.kwStart,
				"%s is an untagged response; a tagged response is OK, NO or BAD", kw)
		}
		switch {
		case pos == end:
			p.violation("9", LevelMust, pos,
				"status %s is not followed by SP; resp-cond-state requires SP resp-text", kw)
		case s[pos] != ' ':
			p.violation("9", LevelMust, pos, "status %s is followed by %q, not SP", kw, s[pos])
		default:
			pos++
		}
		p.respText(resp, pos, end)
		return
	}
	if h.kind == IMAPTagged {
		if kw == "" {
			p.violation("9", LevelMust, h.kwStart, "tagged response has no status")
		} else {
			p.violation("9", LevelMust, h.kwStart,
				"tagged response has status %q; it must be OK, NO or BAD", s[h.kwStart:h.kwEnd])
		}
		resp.Text = s[skipSP(s[:end], pos):end]
		return
	}

	// Server data.
	if pos < end && s[pos] == ' ' {
		pos++
	}
	p.pos = pos
	p.strict = imapStrictKeywords[kw]
	resp.Fields = p.values(0, -1)
}

// respText parses resp-text from pos to end: an optional response code
// and the text (RFC 9051 section 7.1):
//
//	resp-text      = ["[" resp-text-code "]" SP] [text]
//	resp-text-code = ... / atom [SP 1*<any TEXT-CHAR except "]">]
func (p *imapParser) respText(resp *IMAPResponse, pos, end int) {
	s := p.s
	if pos < end && s[pos] == '[' {
		closing := imapCodeEnd(s, pos+1, end)
		if closing < 0 {
			p.violation("9", LevelMust, pos, "response code \"[\" is not closed by \"]\" on its line")
			resp.Text = s[pos:end]
			return
		}
		inner := s[pos+1 : closing]
		atom := inner
		if i := strings.IndexByte(inner, ' '); i >= 0 {
			atom = inner[:i]
		}
		if atom == "" {
			p.violation("9", LevelMust, pos+1, "response code has no atom after \"[\"")
		}
		resp.Code = upperASCII(atom)
		resp.CodeArgs = strings.Trim(inner[len(atom):], " ")
		pos = closing + 1
		switch {
		case pos == end:
			p.violation("9", LevelMust, pos,
				"response code is not followed by SP; resp-text = [\"[\" resp-text-code \"]\" SP] [text]")
		case s[pos] != ' ':
			p.violation("9", LevelMust, pos, "response code is followed by %q, not SP", s[pos])
		default:
			pos++
		}
	}
	resp.Text = s[pos:end]
}

// imapCodeEnd returns the index of the "]" that closes a response code
// begun before from, skipping quoted strings; -1 if there is none before end.
func imapCodeEnd(s string, from, end int) int {
	inQuote := false
	for i := from; i < end; i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ']':
			return i
		}
	}
	return -1
}

// values parses values up to the ")" that closes the list opened at offset
// open, or to the end of the response when open is -1.
func (p *imapParser) values(depth, open int) []Value {
	var vals []Value
	for !p.stopped && p.err == nil {
		end := p.segEnd()
		p.pos = skipSP(p.s[:end], p.pos)
		if p.pos >= end {
			if p.li < len(p.lits) {
				l := p.lits[p.li]
				p.li++
				p.pos = l.end
				vals = p.add(vals, Value{Kind: Literal, Str: p.s[l.start:l.end]})
				continue
			}
			if open >= 0 && p.strict {
				p.violation("9", LevelMust, open, "list opened here is not closed by \")\"")
			}
			return vals
		}
		switch p.s[p.pos] {
		case '(':
			if depth >= maxListDepth {
				p.err = errorf("imap response: lists nested deeper than %d: %w", maxListDepth, ErrLimit)
				return vals
			}
			o := p.pos
			p.pos++
			sub := p.values(depth+1, o)
			vals = p.add(vals, Value{Kind: List, List: sub})
		case ')':
			if open >= 0 {
				p.pos++
				return vals
			}
			if p.strict {
				p.violation("9", LevelMust, p.pos, "\")\" closes no list")
			}
			p.pos++
		case '"':
			v, ok := p.quoted(end)
			if !ok {
				if p.strict {
					p.violation("9", LevelMust, p.pos, "quoted string is not closed on its line")
				}
				p.stopped = true
				return vals
			}
			vals = p.add(vals, v)
		default:
			vals = p.add(vals, p.atom(end))
		}
	}
	return vals
}

// add appends v to vals, counting values against maxVals.
func (p *imapParser) add(vals []Value, v Value) []Value {
	p.nvals++
	if p.nvals > p.maxVals {
		if p.err == nil {
			p.err = errorf("imap response: more than %d values: %w", p.maxVals, ErrLimit)
		}
		return vals
	}
	return append(vals, v)
}

// quoted parses the quoted string at p.pos; it must close before end.
//
//	quoted = DQUOTE *QUOTED-CHAR DQUOTE
//	QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials
//
// A backslash before any other character is read leniently as escaping it.
func (p *imapParser) quoted(end int) (Value, bool) {
	s := p.s
	start := p.pos + 1
	var b []byte
	for i := start; i < end; i++ {
		switch c := s[i]; c {
		case '"':
			p.pos = i + 1
			if b == nil {
				return Value{Kind: String, Str: s[start:i]}, true
			}
			return Value{Kind: String, Str: string(b)}, true
		case '\\':
			if b == nil {
				b = append(make([]byte, 0, i-start+16), s[start:i]...)
			}
			if i+1 < end {
				i++
				b = append(b, s[i])
			}
		default:
			if b != nil {
				b = append(b, c)
			}
		}
	}
	return Value{}, false
}

// atom parses the atom at p.pos, leniently: it runs to SP, "(", ")", DQUOTE
// or the end of the segment, and a "[" takes everything to the next "]"
// with it, so that "BODY[HEADER.FIELDS (FROM)]" is one atom. Digits that
// fit a uint64 make a Number; NIL in any case makes a Nil.
func (p *imapParser) atom(end int) Value {
	s := p.s
	start := p.pos
	i := start
loop:
	for i < end {
		switch s[i] {
		case ' ', '(', ')', '"':
			break loop
		case '[':
			if j := strings.IndexByte(s[i+1:end], ']'); j >= 0 {
				i += j + 2
				continue
			}
		}
		i++
	}
	p.pos = i
	tok := s[start:i]
	if n, ok := parseUint(tok, 1<<64-1); ok {
		return Value{Kind: Number, Num: n}
	}
	if eqFold(tok, "NIL") {
		return Value{Kind: Nil}
	}
	return Value{Kind: Atom, Str: tok}
}

// parseUint parses a string of ASCII digits no larger than max.
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (max-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}
