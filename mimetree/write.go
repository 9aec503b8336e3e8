package mimetree

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/quotedprintable"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// maxLine is the longest line RFC 5322 section 2.1.1 allows, without CRLF.
const maxLine = 998

// Write writes p as a message (CRLF line ends) that Parse reads back as a
// tree Equal to p:
//   - header fields in order, "Key: value", folded at single spaces when
//     longer than 998 octets (RFC 5322 section 2.2.3);
//   - a leaf's Body encoded with its Content-Transfer-Encoding (base64 in
//     76-column lines, quoted-printable, or as is for 7bit, 8bit, binary
//     and none); a leaf with a DecodeErr gets its RawBody back unchanged;
//   - a multipart's parts between delimiter lines of its boundary, kept
//     if no part contains it and replaced otherwise (the Content-Type
//     fields are then rewritten: the one difference Equal ignores).
//
// A part tree built in code must have field names of printable ASCII
// without ":" and values without CR, LF or spaces at either end.
func Write(p *Part) ([]byte, error) {
	b, err := writePart(p)
	if err != nil {
		return nil, err
	}
	if p.IsMultipart() {
		b = append(b, '\r', '\n')
	}
	return b, nil
}

// writePart returns the header and body of p; a multipart's body ends
// with its close delimiter, without CRLF.
func writePart(p *Part) ([]byte, error) {
	var body []byte
	header := p.Header
	if p.IsMultipart() {
		kids := make([][]byte, len(p.Parts))
		for i, c := range p.Parts {
			k, err := writePart(c)
			if err != nil {
				return nil, err
			}
			kids[i] = k
		}
		boundary := p.Params["boundary"]
		if !safeBoundary(boundary, kids) {
			boundary = newBoundary(kids)
			params := maps.Clone(p.Params)
			if params == nil {
				params = map[string]string{}
			}
			params["boundary"] = boundary
			ct := mime.FormatMediaType(p.MediaType, params)
			if ct == "" {
				return nil, fmt.Errorf("mimetree: cannot write Content-Type %q with params %q", p.MediaType, params)
			}
			header = withContentType(p.Header, ct)
		}
		for _, k := range kids {
			body = append(body, "--"...)
			body = append(body, boundary...)
			body = append(body, '\r', '\n')
			body = append(body, k...)
			body = append(body, '\r', '\n')
		}
		body = append(body, "--"...)
		body = append(body, boundary...)
		body = append(body, "--"...)
	} else {
		var err error
		if body, err = encodeBody(p); err != nil {
			return nil, err
		}
	}
	b, err := appendHeader(nil, header)
	if err != nil {
		return nil, err
	}
	return append(b, body...), nil
}

// withContentType returns h with every Content-Type field set to ct (with
// one added if there is none).
func withContentType(h []Field, ct string) []Field {
	out := make([]Field, 0, len(h)+1)
	found := false
	for _, f := range h {
		if strings.EqualFold(f.Key, "Content-Type") {
			f.Value, found = ct, true
		}
		out = append(out, f)
	}
	if !found {
		out = append(out, Field{Key: "Content-Type", Value: ct})
	}
	return out
}

// safeBoundary reports whether a multipart can keep boundary: its
// delimiter line is one line, and no part contains "--boundary", so none
// can end early.
func safeBoundary(boundary string, kids [][]byte) bool {
	if boundary == "" || strings.ContainsAny(boundary, "\r\n") {
		return false
	}
	delim := []byte("--" + boundary)
	for _, k := range kids {
		if bytes.Contains(k, delim) {
			return false
		}
	}
	return true
}

// newBoundary returns a boundary (RFC 2046 section 5.1.1) that no part
// contains.
func newBoundary(kids [][]byte) string {
	for i := 0; ; i++ {
		b := "=_mimetree_" + strconv.Itoa(i)
		if safeBoundary(b, kids) {
			return b
		}
	}
}

// appendHeader appends the header fields and the empty line after them.
func appendHeader(b []byte, h []Field) ([]byte, error) {
	for _, f := range h {
		if f.Key == "" {
			return nil, errors.New("mimetree: a header field has no name")
		}
		for i := 0; i < len(f.Key); i++ {
			if c := f.Key[i]; c < 33 || c > 126 || c == ':' {
				return nil, fmt.Errorf("mimetree: header field name %q holds %q", f.Key, c)
			}
		}
		v := f.Value
		if strings.ContainsAny(v, "\r\n") && strings.ContainsAny(strings.ReplaceAll(v, "\r", ""), "\n") {
			return nil, fmt.Errorf("mimetree: header field %s holds a line break", f.Key)
		}
		if v != strings.Trim(v, " \t") {
			return nil, fmt.Errorf("mimetree: header field %s begins or ends with a space", f.Key)
		}
		b = append(b, f.Key...)
		b = append(b, ':')
		if v != "" {
			b = append(b, ' ')
			b = appendFolded(b, v, maxLine-len(f.Key)-2)
		}
		b = append(b, '\r', '\n')
	}
	return append(b, '\r', '\n'), nil
}

// appendFolded appends v, folding it before single spaces that have a
// non-blank character on each side, so that unfolding (which joins the
// lines with one space) gives v back; first is the room on the first
// line. A run without such a space stays on one long line.
func appendFolded(b []byte, v string, first int) []byte {
	room := first
	for len(v) > room {
		cut := -1
		for i := min(room, len(v)-1); i > 0; i-- {
			if v[i] == ' ' && !blank(v[i-1]) && i+1 < len(v) && !blank(v[i+1]) {
				cut = i
				break
			}
		}
		if cut < 0 {
			break
		}
		b = append(b, v[:cut]...)
		b = append(b, '\r', '\n')
		v = v[cut:] // the space begins the continuation line
		room = maxLine
	}
	return append(b, v...)
}

func blank(c byte) bool { return c == ' ' || c == '\t' }

// encodeBody returns a leaf's body in its Content-Transfer-Encoding.
func encodeBody(p *Part) ([]byte, error) {
	if p.DecodeErr != "" {
		return p.RawBody, nil
	}
	switch strings.ToLower(p.Get("Content-Transfer-Encoding")) {
	case "base64":
		return encodeBase64(p.Body), nil
	case "quoted-printable":
		return encodeQP(p.Body)
	case "", "7bit", "8bit", "binary":
		return p.Body, nil
	}
	return nil, fmt.Errorf("mimetree: unknown Content-Transfer-Encoding %q without DecodeErr", p.Get("Content-Transfer-Encoding"))
}

// encodeBase64 encodes b in lines of 76 characters (RFC 2045 section
// 6.8), with no line end after the last.
func encodeBase64(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out []byte
	for len(enc) > 76 {
		out = append(out, enc[:76]...)
		out = append(out, '\r', '\n')
		enc = enc[76:]
	}
	return append(out, enc...)
}

// encodeQP encodes b as quoted-printable (RFC 2045 section 6.7): line
// breaks as CRLF when b has only CRLF line breaks, every CR and LF
// encoded otherwise.
func encodeQP(b []byte) ([]byte, error) {
	text := !bytes.ContainsAny(bytes.ReplaceAll(b, []byte("\r\n"), nil), "\r\n")
	var out bytes.Buffer
	w := quotedprintable.NewWriter(&out)
	w.Binary = !text
	if _, err := w.Write(b); err != nil {
		return nil, fmt.Errorf("mimetree: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("mimetree: %w", err)
	}
	enc := out.Bytes()
	// The writer ends with a CRLF only if b does; a soft line break
	// ("=" CRLF) at the very end would swallow the delimiter's CRLF.
	if dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(enc))); err != nil || !bytes.Equal(dec, b) {
		return nil, fmt.Errorf("mimetree: quoted-printable does not carry %q", b)
	}
	return enc, nil
}

// Equal reports whether two part trees have the same structure: header
// fields, media types and parameters, transfer-decoded bodies, decoding
// errors and parts; a multipart's boundary and Content-Type fields are not
// compared.
func Equal(a, b *Part) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.MediaType != b.MediaType || a.DecodeErr != b.DecodeErr || !bytes.Equal(a.Body, b.Body) || len(a.Parts) != len(b.Parts) {
		return false
	}
	multi := a.IsMultipart()
	if !sameParams(a.Params, b.Params, multi) || !slices.Equal(fieldsOf(a, multi), fieldsOf(b, multi)) {
		return false
	}
	for i := range a.Parts {
		if !Equal(a.Parts[i], b.Parts[i]) {
			return false
		}
	}
	return true
}

// sameParams compares parameters, without the boundary of a multipart.
func sameParams(a, b map[string]string, multi bool) bool {
	n := 0
	for k, v := range a {
		if multi && k == "boundary" {
			continue
		}
		if w, ok := b[k]; !ok || w != v {
			return false
		}
		n++
	}
	m := len(b)
	if _, ok := b["boundary"]; multi && ok {
		m--
	}
	return n == m
}

// fieldsOf returns the fields Equal compares: all of a leaf's, a
// multipart's but its Content-Type fields.
func fieldsOf(p *Part, multi bool) []Field {
	if !multi {
		return p.Header
	}
	var out []Field
	for _, f := range p.Header {
		if !strings.EqualFold(f.Key, "Content-Type") {
			out = append(out, f)
		}
	}
	return out
}

// Diff describes how b differs from a structurally (see Equal): the path
// of the first part where they differ (as IMAP numbers parts, "" for the
// message) and go-cmp's (-a +b) report of that part without its parts;
// "" when they are Equal.
func Diff(a, b *Part) string {
	return diff(a, b, "")
}

func diff(a, b *Part, path string) string {
	if Equal(a, b) {
		return ""
	}
	if a != nil && b != nil && len(a.Parts) == len(b.Parts) {
		x, y := *a, *b
		x.Parts, y.Parts = nil, nil
		if Equal(&x, &y) {
			for i := range a.Parts {
				sub := strconv.Itoa(i + 1)
				if path != "" {
					sub = path + "." + sub
				}
				if d := diff(a.Parts[i], b.Parts[i], sub); d != "" {
					return d
				}
			}
		}
	}
	shallow := func(p *Part) *Part {
		if p == nil {
			return nil
		}
		q := *p
		q.Header = fieldsOf(p, p.IsMultipart())
		q.Params = maps.Clone(p.Params)
		if p.IsMultipart() {
			delete(q.Params, "boundary")
		}
		q.RawBody = nil
		q.Parts = nil
		return &q
	}
	where := "the message"
	if path != "" {
		where = "part " + path
	}
	return fmt.Sprintf("%s (%d and %d parts):\n%s", where, len(a.partsOrNil()), len(b.partsOrNil()),
		cmp.Diff(shallow(a), shallow(b), cmpopts.EquateEmpty()))
}

func (p *Part) partsOrNil() []*Part {
	if p == nil {
		return nil
	}
	return p.Parts
}
