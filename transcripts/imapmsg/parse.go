// Package imapmsg is the judge's own model of what an IMAP server must
// return for a message: the ENVELOPE, BODY and BODYSTRUCTURE (RFC 9051
// section 7.5.2, RFC 3501 section 7.4.2), RFC822.SIZE, the contents of
// BODY[section]<partial> (RFC 9051 section 6.4.5) and BINARY[section]
// (RFC 3516), computed from the raw message with
// github.com/emersion/go-message's header parsing (RFC 5322, MIME: RFC
// 2045, RFC 2046, RFC 2047, RFC 2183) and byte offsets of its own,
// independently of any IMAP library.
//
// [Message.Compare] checks a value the server returned in a FETCH
// response (a [wire.Value] of package transcripts/wire) against the model
// and, on a mismatch, returns a readable diff made with
// github.com/google/go-cmp. It accepts every reading the RFCs allow and
// only those: media types, subtypes, parameter names, the charset value,
// transfer encodings, disposition types and language tags are compared
// without regard to case (RFC 2045 section 5.1, RFC 2183 section 2, RFC
// 5646 section 2.1.1); strings may come quoted or as literals; NIL and ""
// are interchangeable only where RFC 9051 says so (envelope members present
// but empty) or where an empty value carries no information (a display
// name or source route that is absent); an envelope string may be the
// header's unfolded value or, for the subject and display names, a value
// whose RFC 2047 decoding is the same, and the date a string for the same
// instant; a body's line count for a body that does not end with a line
// break may count the final partial line or not; BODYSTRUCTURE's extension
// data may stop after any field (RFC 9051 section 7.5.2: extension data
// "MUST be in the defined order"), and BODY carries none; HEADER.FIELDS
// results may list the fields in any order.
package imapmsg

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"

	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Limits on what Parse accepts: go-message has no nesting or part-count
// limit of its own.
const (
	maxDepth = 32
	maxParts = 1000
)

// ErrMalformed is wrapped by Parse's errors for messages the model cannot
// describe.
var ErrMalformed = errors.New("imapmsg: malformed message")

// Message is the model of one message as the server stores it: exactly
// the octets the client appended.
type Message struct {
	// Raw is the message, exactly as appended.
	Raw []byte
	// Root is the message as a MIME entity: its header is the message's
	// RFC 5322 header.
	Root *Part
}

// Part is one MIME entity (RFC 2045 section 2.4): the message itself, a
// part of a multipart, or an encapsulated message.
type Part struct {
	// Header is the raw header, the blank line that ends it included (empty
	// when the entity has no blank line); Body is everything after it.
	Header, Body []byte
	// Fields are the raw header fields, each with its line ends and
	// continuation lines.
	Fields []Field
	// Type and Subtype are lower-cased; Params keeps the parameters as
	// go-message parsed them (lower-cased names). Explicit says whether
	// the entity had a Content-Type field that parsed.
	Type, Subtype string
	Params        map[string]string
	Explicit      bool
	// Children are the parts of a multipart (RFC 2046 section 5.1).
	Children []*Part
	// Message is the encapsulated message of a message/rfc822 or
	// message/global entity (RFC 2046 section 5.2.1, RFC 6532 section
	// 3.7): a Part whose Header is the encapsulated message's header.
	Message *Part

	h message.Header
}

// Field is one raw header field.
type Field struct {
	// Name is the field name as written.
	Name string
	// Raw is the whole field: name, colon, value, folding and the final
	// line end.
	Raw []byte
}

// Value returns the field's unfolded value (RFC 5322 section 2.2.3: the
// line ends of folding removed), without the leading and trailing
// white space.
func (f Field) Value() string {
	_, v, _ := strings.Cut(string(f.Raw), ":")
	v = strings.NewReplacer("\r\n", "", "\n", "").Replace(v)
	return strings.Trim(v, " \t")
}

// Parse builds the model of raw, which must be a message in RFC 5322
// form with CRLF line ends (bare LF is accepted for line ends too).
func Parse(raw []byte) (*Message, error) {
	n := 0
	root, err := parsePart(raw, 0, &n, "")
	if err != nil {
		return nil, err
	}
	return &Message{Raw: raw, Root: root}, nil
}

// parsePart parses one entity; parent is the media type of the enclosing
// multipart ("" at the top), which decides the default Content-Type.
func parsePart(raw []byte, depth int, n *int, parent string) (*Part, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: MIME entities nested deeper than %d", ErrMalformed, maxDepth)
	}
	if *n++; *n > maxParts {
		return nil, fmt.Errorf("%w: more than %d MIME entities", ErrMalformed, maxParts)
	}
	p := &Part{}
	end := headerEnd(raw)
	p.Header, p.Body = raw[:end], raw[end:]
	p.Fields = splitFields(p.Header)
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(p.Header)))
	if err != nil && len(p.Header) > 0 {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	p.h = message.Header{Header: th}
	p.setType(parent)
	switch {
	case p.Type == "multipart":
		boundary := p.Params["boundary"]
		if boundary == "" {
			return nil, fmt.Errorf("%w: multipart/%s without a boundary", ErrMalformed, p.Subtype)
		}
		for _, body := range splitMultipart(p.Body, boundary) {
			c, err := parsePart(body, depth+1, n, p.Type+"/"+p.Subtype)
			if err != nil {
				return nil, err
			}
			p.Children = append(p.Children, c)
		}
		if len(p.Children) == 0 {
			return nil, fmt.Errorf("%w: multipart/%s without parts", ErrMalformed, p.Subtype)
		}
	case p.isMessage():
		m, err := parsePart(p.Body, depth+1, n, "")
		if err != nil {
			return nil, err
		}
		p.Message = m
	}
	return p, nil
}

// setType reads Content-Type with go-message; without one (or with one
// that does not parse) the default of RFC 2045 section 5.2 applies,
// "text/plain; charset=us-ascii", or message/rfc822 inside a
// multipart/digest (RFC 2046 section 5.1.5).
func (p *Part) setType(parent string) {
	if p.h.Has("Content-Type") {
		t, params, err := p.h.ContentType()
		if typ, sub, ok := strings.Cut(t, "/"); err == nil && ok && typ != "" && sub != "" {
			p.Type, p.Subtype, p.Params, p.Explicit = strings.ToLower(typ), strings.ToLower(sub), params, true
			return
		}
	}
	if parent == "multipart/digest" {
		p.Type, p.Subtype = "message", "rfc822"
		return
	}
	p.Type, p.Subtype, p.Params = "text", "plain", map[string]string{"charset": "us-ascii"}
}

func (p *Part) isMessage() bool {
	return p.Type == "message" && (p.Subtype == "rfc822" || p.Subtype == "global")
}

// get returns the unfolded value of the first field called name, and
// whether there is one.
func (p *Part) get(name string) (string, bool) {
	for _, f := range p.Fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value(), true
		}
	}
	return "", false
}

// headerEnd returns the offset where the body begins: after the first
// empty line, or len(raw) when there is none.
func headerEnd(raw []byte) int {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return len(raw)
		}
		line := raw[i : i+j+1]
		i += j + 1
		if string(line) == "\r\n" || string(line) == "\n" {
			return i
		}
	}
	return len(raw)
}

// splitFields cuts a raw header into its fields: a line that begins with
// a space or tab continues the field before it (RFC 5322 section 2.2.3).
func splitFields(h []byte) []Field {
	var out []Field
	start := -1 // where the field being read begins
	for i := 0; i < len(h); {
		end := len(h)
		if j := bytes.IndexByte(h[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		line := h[i:end]
		switch {
		case string(line) == "\r\n" || string(line) == "\n":
			start = -1
		case (line[0] == ' ' || line[0] == '\t') && start >= 0:
			out[len(out)-1].Raw = h[start:end]
		default:
			name, _, _ := bytes.Cut(line, []byte(":"))
			start = i
			out = append(out, Field{Name: strings.TrimRight(string(name), " \t"), Raw: line})
		}
		i = end
	}
	return out
}

// splitMultipart returns the bodies of the parts of a multipart body
// (RFC 2046 section 5.1.1): the octets between a delimiter line and the
// line end that precedes the next delimiter, which belongs to the
// delimiter. The preamble and the epilogue are not parts. A delimiter
// line is "--" boundary, then optional linear white space and the line
// end; "--" boundary "--" closes the multipart.
func splitMultipart(body []byte, boundary string) [][]byte {
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // where the current part's body begins
	for i := 0; i <= len(body); {
		lineEnd := len(body)
		if j := bytes.IndexByte(body[i:], '\n'); j >= 0 {
			lineEnd = i + j + 1
		}
		line := body[i:lineEnd]
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			closing := bytes.HasPrefix(rest, []byte("--"))
			if closing {
				rest = rest[2:]
			}
			if len(bytes.Trim(rest, " \t\r\n")) == 0 {
				if start >= 0 {
					end := i
					if end >= start+2 && string(body[end-2:end]) == "\r\n" {
						end -= 2
					} else if end >= start+1 && body[end-1] == '\n' {
						end--
					}
					parts = append(parts, body[start:end])
				}
				if closing {
					return parts
				}
				start = lineEnd
			}
		}
		if lineEnd == len(body) {
			break
		}
		i = lineEnd
	}
	if start >= 0 && start <= len(body) {
		// No close delimiter: the last part runs to the end.
		parts = append(parts, body[start:])
	}
	return parts
}
