package imapmsg

import (
	"strings"
)

// Envelope is the ENVELOPE of a message (RFC 9051 section 7.5.2): nil
// pointers and nil address lists stand for NIL.
type Envelope struct {
	Date, Subject                      *string
	From, Sender, ReplyTo, To, Cc, Bcc []Address
	InReplyTo, MessageID               *string
}

// Address is one address structure (RFC 9051 section 7.5.2): display
// name, source route (at-domain-list), mailbox name and host name; nil
// stands for NIL. Group syntax is a start marker (host NIL, mailbox the
// group name) and an end marker (host and mailbox NIL).
type Address struct {
	Name, ADL, Mailbox, Host *string

	// quoted is the local part in its quoted form when the message wrote
	// it as a quoted-string (either form is the local-part production).
	quoted *string
}

func str(s string) *string { return &s }

// Envelope returns the envelope of the message's header.
func (m *Message) Envelope() Envelope { return envelopeOf(m.Root) }

// envelopeOf computes the envelope of an entity's RFC 5322 header: the
// first occurrence of each field; Date, Subject, In-Reply-To and
// Message-ID as strings (NIL when absent); the address fields as lists
// (NIL when absent or empty); Sender and Reply-To default to From.
func envelopeOf(p *Part) Envelope {
	var e Envelope
	nstr := func(name string) *string {
		if v, ok := p.get(name); ok {
			return str(v)
		}
		return nil
	}
	addrs := func(name string) []Address {
		v, ok := p.get(name)
		if !ok {
			return nil
		}
		return parseAddressList(v)
	}
	e.Date = nstr("Date")
	e.Subject = nstr("Subject")
	e.From = addrs("From")
	e.Sender = addrs("Sender")
	e.ReplyTo = addrs("Reply-To")
	e.To = addrs("To")
	e.Cc = addrs("Cc")
	e.Bcc = addrs("Bcc")
	e.InReplyTo = nstr("In-Reply-To")
	e.MessageID = nstr("Message-ID")
	if e.Sender == nil {
		e.Sender = e.From
	}
	if e.ReplyTo == nil {
		e.ReplyTo = e.From
	}
	return e
}

// token kinds of the address lexer.
const (
	tokWord    = iota // atom, dot-atom or quoted-string
	tokSpecial        // one of < > : ; , @
	tokLiteral        // domain-literal [...]
)

type token struct {
	kind   int
	text   string // unquoted text of a word; the character of a special
	raw    string // as written (a quoted-string with its quotes)
	quoted bool
}

// lexAddresses splits an address-list field value into tokens (RFC 5322
// section 3.2): comments and white space are dropped, quoted-strings are
// unescaped.
func lexAddresses(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(':
			depth := 0
			for ; i < len(s); i++ {
				switch s[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
				}
				if depth == 0 {
					i++
					break
				}
			}
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			end := min(j+1, len(s))
			out = append(out, token{kind: tokWord, text: b.String(), raw: s[i:end], quoted: true})
			i = end
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				j = len(s) - i - 1
			}
			out = append(out, token{kind: tokLiteral, text: s[i : i+j+1], raw: s[i : i+j+1]})
			i += j + 1
		case strings.IndexByte("<>:;,@", c) >= 0:
			out = append(out, token{kind: tokSpecial, text: string(c), raw: string(c)})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n()\"[<>:;,@", s[j]) < 0 {
				j++
			}
			if j == i {
				// A stray ")" or "]": skipped, as it ends no comment or literal.
				i++
				continue
			}
			out = append(out, token{kind: tokWord, text: s[i:j], raw: s[i:j]})
			i = j
		}
	}
	return out
}

// parseAddressList parses an address-list (RFC 5322 section 3.4) into
// address structures, groups as start and end markers. It is lenient:
// what it cannot read is skipped. An empty list is nil (NIL).
func parseAddressList(v string) []Address {
	p := &addrParser{toks: lexAddresses(v)}
	var out []Address
	for p.i < len(p.toks) {
		if p.special(",") {
			continue
		}
		out = append(out, p.address()...)
	}
	return out
}

type addrParser struct {
	toks []token
	i    int
}

func (p *addrParser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

// special consumes the special character c if it is next.
func (p *addrParser) special(c string) bool {
	if t, ok := p.peek(); ok && t.kind == tokSpecial && t.text == c {
		p.i++
		return true
	}
	return false
}

// words consumes the words up to the next special.
func (p *addrParser) words() []token {
	var ws []token
	for {
		t, ok := p.peek()
		if !ok || t.kind != tokWord {
			return ws
		}
		ws = append(ws, t)
		p.i++
	}
}

// address parses a mailbox or a group.
func (p *addrParser) address() []Address {
	phrase := p.words()
	t, ok := p.peek()
	switch {
	case ok && t.kind == tokSpecial && t.text == ":":
		p.i++
		out := []Address{{Mailbox: str(joinWords(phrase))}}
		for {
			if p.special(";") || p.i >= len(p.toks) {
				break
			}
			if p.special(",") {
				continue
			}
			before := p.i
			out = append(out, p.mailbox(p.words())...)
			if p.i == before {
				p.i++ // skip what cannot be read
			}
		}
		return append(out, Address{})
	default:
		before := p.i
		out := p.mailbox(phrase)
		if p.i == before && len(phrase) == 0 {
			p.i++
		}
		return out
	}
}

// mailbox parses the rest of a mailbox whose leading words were read:
// name-addr (phrase then angle-addr) or addr-spec (local-part "@" domain).
func (p *addrParser) mailbox(phrase []token) []Address {
	if p.special("<") {
		a := Address{}
		if len(phrase) > 0 {
			a.Name = str(joinWords(phrase))
		}
		// obs-route: 1*("@" domain [","]) ":" (RFC 5322 section 4.4).
		var route []string
		for p.special("@") {
			route = append(route, "@"+p.domain())
			p.special(",")
		}
		if len(route) > 0 {
			p.special(":")
			a.ADL = str(strings.Join(route, ","))
		}
		p.addrSpec(&a, p.words())
		p.special(">")
		return []Address{a}
	}
	if len(phrase) == 0 {
		return nil
	}
	a := Address{}
	p.addrSpec(&a, phrase)
	return []Address{a}
}

// addrSpec fills the mailbox and host names from a local part's words
// and the "@" domain that follows.
func (p *addrParser) addrSpec(a *Address, local []token) {
	var plain, raw []string
	quoted := false
	for _, w := range local {
		plain = append(plain, w.text)
		raw = append(raw, w.raw)
		quoted = quoted || w.quoted
	}
	lp := strings.Join(plain, "")
	a.Mailbox = str(lp)
	if quoted {
		a.quoted = str(strings.Join(raw, ""))
	}
	if p.special("@") {
		a.Host = str(p.domain())
	}
}

// domain reads a dot-atom or domain-literal.
func (p *addrParser) domain() string {
	t, ok := p.peek()
	if ok && (t.kind == tokWord || t.kind == tokLiteral) {
		p.i++
		return t.text
	}
	return ""
}

// joinWords renders a phrase (RFC 5322 section 3.2.5) as its words
// separated by single spaces, quoted-strings unquoted.
func joinWords(ws []token) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}
