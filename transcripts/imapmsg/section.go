package imapmsg

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strconv"
	"strings"
)

// Section is a parsed section-spec with its partial range (RFC 9051
// section 6.4.5, section 9: section, section-part, section-text,
// partial).
type Section struct {
	// Part is the part number, empty for the whole message.
	Part []int
	// Text is "", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT"
	// or "MIME".
	Text string
	// Fields are the header field names of HEADER.FIELDS[.NOT],
	// upper-cased.
	Fields []string
	// Partial says whether <Origin.Count> (or, in a response, <Origin>)
	// was given.
	Partial       bool
	Origin, Count uint64
}

// ParseSection parses what is inside the brackets, e.g. "1.2.MIME" or
// "HEADER.FIELDS (Subject From)", and the partial after them, e.g.
// "<0.100>" (or "<0>" in a response), with or without it.
func ParseSection(spec, partial string) (Section, error) {
	var s Section
	spec = strings.TrimSpace(spec)
	rest := spec
	for rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		numEnd := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if numEnd < 0 {
			numEnd = len(rest)
		}
		n, err := strconv.Atoi(rest[:numEnd])
		if err != nil || n < 1 {
			return s, fmt.Errorf("imapmsg: bad part number in section %q", spec)
		}
		s.Part = append(s.Part, n)
		rest = rest[numEnd:]
		if rest == "" {
			break
		}
		if rest[0] != '.' {
			return s, fmt.Errorf("imapmsg: bad section %q", spec)
		}
		rest = rest[1:]
	}
	word, list, hasList := strings.Cut(rest, " ")
	s.Text = strings.ToUpper(word)
	switch s.Text {
	case "", "HEADER", "TEXT":
	case "MIME":
		if len(s.Part) == 0 {
			return s, fmt.Errorf("imapmsg: MIME without a part number in section %q", spec)
		}
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		list = strings.TrimSpace(list)
		if !hasList || !strings.HasPrefix(list, "(") || !strings.HasSuffix(list, ")") {
			return s, fmt.Errorf("imapmsg: %s without a field list in section %q", s.Text, spec)
		}
		for _, f := range strings.Fields(list[1 : len(list)-1]) {
			s.Fields = append(s.Fields, strings.ToUpper(strings.Trim(f, `"`)))
		}
		if len(s.Fields) == 0 {
			return s, fmt.Errorf("imapmsg: empty field list in section %q", spec)
		}
		hasList = false
	default:
		return s, fmt.Errorf("imapmsg: unknown section text %q", word)
	}
	if hasList {
		return s, fmt.Errorf("imapmsg: bad section %q", spec)
	}
	if partial != "" {
		in, ok := strings.CutPrefix(partial, "<")
		in, ok2 := strings.CutSuffix(in, ">")
		if !ok || !ok2 {
			return s, fmt.Errorf("imapmsg: bad partial %q", partial)
		}
		o, c, hasCount := strings.Cut(in, ".")
		var err error
		if s.Origin, err = strconv.ParseUint(o, 10, 32); err != nil {
			return s, fmt.Errorf("imapmsg: bad partial %q", partial)
		}
		if hasCount {
			if s.Count, err = strconv.ParseUint(c, 10, 32); err != nil || s.Count == 0 {
				return s, fmt.Errorf("imapmsg: bad partial %q", partial)
			}
		}
		s.Partial = true
	}
	return s, nil
}

// Content returns the octets of a section (RFC 9051 section 6.4.5,
// BODY[<section>]<<partial>>), the partial range applied: the octets
// from Origin, at most Count of them, empty when Origin is beyond the
// end.
func (m *Message) Content(s Section) ([]byte, error) {
	b, err := m.content(s)
	if err != nil || !s.Partial {
		return b, err
	}
	if s.Origin >= uint64(len(b)) {
		return []byte{}, nil
	}
	b = b[s.Origin:]
	if s.Count > 0 && s.Count < uint64(len(b)) {
		b = b[:s.Count]
	}
	return b, nil
}

func (m *Message) content(s Section) ([]byte, error) {
	// msg is the message whose header HEADER and TEXT refer to; part is
	// the entity the part number names.
	msg, part := m.Root, m.Root
	if len(s.Part) > 0 {
		var err error
		if part, err = m.part(s.Part); err != nil {
			return nil, err
		}
		msg = part.Message
	}
	switch s.Text {
	case "":
		if len(s.Part) == 0 {
			return m.Raw, nil
		}
		return part.Body, nil
	case "MIME":
		if part == m.Root {
			return nil, fmt.Errorf("imapmsg: section %s.MIME of a single-part message is not defined here", partString(s.Part))
		}
		return part.Header, nil
	}
	if msg == nil {
		return nil, fmt.Errorf("imapmsg: part %s is not a message/rfc822: it has no %s", partString(s.Part), s.Text)
	}
	switch s.Text {
	case "HEADER":
		return msg.Header, nil
	case "TEXT":
		return msg.Body, nil
	}
	// HEADER.FIELDS and HEADER.FIELDS.NOT: the matching fields, then the
	// blank line.
	want := map[string]bool{}
	for _, f := range s.Fields {
		want[f] = true
	}
	not := s.Text == "HEADER.FIELDS.NOT"
	var out []byte
	for _, f := range msg.Fields {
		if want[strings.ToUpper(f.Name)] != not {
			out = append(out, f.Raw...)
		}
	}
	return append(out, '\r', '\n'), nil
}

// part finds the entity a part number names (RFC 9051 section 6.4.5):
// the parts of a multipart are numbered from 1; a message/rfc822 part's
// numbers go on into the encapsulated message; a single-part entity
// (the message, or an encapsulated one) has part 1, itself.
func (m *Message) part(num []int) (*Part, error) {
	cur := m.Root
	for i, n := range num {
		// single is true where a single-part entity has a part 1: the
		// message itself, or an encapsulated message.
		single := i == 0
		if i > 0 && cur.Message != nil {
			cur, single = cur.Message, true
		}
		switch {
		case cur.Type == "multipart":
			if n > len(cur.Children) {
				return nil, fmt.Errorf("imapmsg: no part %s", partString(num[:i+1]))
			}
			cur = cur.Children[n-1]
		case n == 1 && single:
		default:
			return nil, fmt.Errorf("imapmsg: no part %s", partString(num[:i+1]))
		}
	}
	return cur, nil
}

func partString(num []int) string {
	s := make([]string, len(num))
	for i, n := range num {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}

// Binary returns a part's content with its Content-Transfer-Encoding
// removed (RFC 3516 section 4.2, BINARY[section-binary]): base64 and
// quoted-printable are decoded, 7bit, 8bit and binary are the content
// itself. The whole message (no part number) is its raw octets.
func (m *Message) Binary(part []int) ([]byte, error) {
	if len(part) == 0 {
		return m.Raw, nil
	}
	p, err := m.part(part)
	if err != nil {
		return nil, err
	}
	if p.Type == "multipart" {
		return nil, fmt.Errorf("imapmsg: BINARY of multipart part %s", partString(part))
	}
	body := p.Body
	enc, _ := p.get("Content-Transfer-Encoding")
	switch strings.ToLower(enc) {
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, body)
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			return nil, fmt.Errorf("imapmsg: part %s: base64: %w", partString(part), err)
		}
		return out[:n], nil
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, fmt.Errorf("imapmsg: part %s: quoted-printable: %w", partString(part), err)
		}
		return out, nil
	}
	return body, nil
}
