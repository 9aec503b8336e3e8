package imapmsg

import (
	"bytes"
	"sort"
	"strings"
)

// Body is a BODY or BODYSTRUCTURE (RFC 9051 section 7.5.2, body in the
// formal syntax of section 9): a multipart (Parts and Subtype, Multipart
// set) or a single part; nil pointers stand for NIL.
type Body struct {
	Multipart bool
	// Type and Subtype are upper-cased for comparison.
	Type, Subtype string
	// Params is body-fld-param: of a single part a basic field, of a
	// multipart the first extension field. Names are lower-cased, and the
	// charset value; sorted by name; nil is NIL.
	Params          []Param
	ID, Description *string
	// Encoding is upper-cased.
	Encoding string
	// Size is the body's size in octets, in its transfer encoding.
	Size uint64
	// Envelope is the encapsulated message's envelope (message/rfc822
	// and message/global).
	Envelope *Envelope
	// Parts are a multipart's parts, or the one body of an encapsulated
	// message.
	Parts []*Body
	// Lines is the size in text lines of a text/* body or an encapsulated
	// message.
	Lines *uint64
	// The extension data (BODYSTRUCTURE only): MD5 (single part only),
	// disposition, language and location.
	MD5         *string
	Disposition *Disposition
	Language    []string
	Location    *string
	// Ext is how many extension fields there are: 0 to 4 (further
	// body-extension values are not counted).
	Ext int

	// Other readings the RFCs allow, for the expected side only.
	linesAlt  *uint64
	paramsAlt [][]Param
}

// Param is one body parameter.
type Param struct{ Name, Value string }

// Disposition is body-fld-dsp (RFC 2183): the type upper-cased and its
// parameters.
type Disposition struct {
	Type   string
	Params []Param
}

// BodyStructure returns the model of the message's BODYSTRUCTURE (ext
// true, with every extension field) or BODY (ext false).
func (m *Message) BodyStructure(ext bool) *Body { return bodyOf(m.Root, ext) }

func bodyOf(p *Part, ext bool) *Body {
	b := &Body{Type: strings.ToUpper(p.Type), Subtype: strings.ToUpper(p.Subtype)}
	if p.Type == "multipart" {
		b.Multipart = true
		b.Type = ""
		for _, c := range p.Children {
			b.Parts = append(b.Parts, bodyOf(c, ext))
		}
		if ext {
			b.Params = params(p.Params)
			b.Disposition, b.Language, b.Location = disposition(p), language(p), location(p)
			b.Ext = 4
		}
		return b
	}
	b.Params = params(p.Params)
	switch {
	case !p.Explicit:
		// Content-Type absent: the RFC 2045 section 5.2 default, which a
		// server may spell out or leave as NIL.
		b.paramsAlt = [][]Param{nil}
	case p.Type == "text" && p.Params["charset"] == "":
		// No charset: us-ascii by default (RFC 2046 section 4.1.2).
		b.paramsAlt = [][]Param{params(withCharset(p.Params))}
	}
	if v, ok := p.get("Content-ID"); ok {
		b.ID = str(v)
	}
	if v, ok := p.get("Content-Description"); ok {
		b.Description = str(v)
	}
	b.Encoding = "7BIT"
	if v, ok := p.get("Content-Transfer-Encoding"); ok && v != "" {
		b.Encoding = strings.ToUpper(v)
	}
	b.Size = uint64(len(p.Body))
	switch {
	case p.Message != nil:
		env := envelopeOf(p.Message)
		b.Envelope = &env
		b.Parts = []*Body{bodyOf(p.Message, ext)}
		b.Lines, b.linesAlt = lines(p.Body)
	case p.Type == "text":
		b.Lines, b.linesAlt = lines(p.Body)
	}
	if ext {
		if v, ok := p.get("Content-MD5"); ok {
			b.MD5 = str(v)
		}
		b.Disposition, b.Language, b.Location = disposition(p), language(p), location(p)
		b.Ext = 4
	}
	return b
}

// lines counts the lines of a body: its line ends, and as another
// reading, one more when it ends with a partial line.
func lines(body []byte) (*uint64, *uint64) {
	n := uint64(bytes.Count(body, []byte("\n")))
	if len(body) > 0 && body[len(body)-1] != '\n' {
		m := n + 1
		return &n, &m
	}
	return &n, nil
}

func withCharset(p map[string]string) map[string]string {
	out := map[string]string{"charset": "us-ascii"}
	for k, v := range p {
		out[k] = v
	}
	return out
}

// params turns go-message's parameters into a sorted list (nil for none:
// body-fld-param is NIL then).
func params(m map[string]string) []Param {
	if len(m) == 0 {
		return nil
	}
	out := make([]Param, 0, len(m))
	for k, v := range m {
		out = append(out, normParam(k, v))
	}
	sortParams(out)
	return out
}

func normParam(name, value string) Param {
	name = strings.ToLower(name)
	if name == "charset" {
		value = strings.ToLower(value)
	}
	return Param{Name: name, Value: value}
}

func sortParams(ps []Param) {
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		return ps[i].Value < ps[j].Value
	})
}

func disposition(p *Part) *Disposition {
	if !p.h.Has("Content-Disposition") {
		return nil
	}
	t, ps, err := p.h.ContentDisposition()
	if err != nil || t == "" {
		return nil
	}
	return &Disposition{Type: strings.ToUpper(t), Params: params(ps)}
}

// language returns the Content-Language tags (RFC 3282), lower-cased.
func language(p *Part) []string {
	v, ok := p.get("Content-Language")
	if !ok || v == "" {
		return nil
	}
	var out []string
	for _, t := range strings.Split(v, ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func location(p *Part) *string {
	if v, ok := p.get("Content-Location"); ok {
		return str(v)
	}
	return nil
}
