// Package mimetree reads a MIME message (RFC 5322 header, RFC 2045 body
// encodings, RFC 2046 multiparts) into a tree of parts with
// github.com/emersion/go-message, within limits that go-message does not
// have: it caps only the top-level header, so nesting depth, part count,
// part-header size and the work of reading deeply nested parts (every
// level re-scans the octets of the levels inside it) are unbounded there.
//
// [Parse] reads a message into a [Part] tree: each part's header fields in
// order, its media type and parameters as go-message reads them, and for a
// leaf its body both as sent and transfer-decoded (no charset
// conversion). [Write] writes a tree back as a message that parses to the
// same structure ([Equal], [Diff]). The fuzz targets of package fuzz check
// both, and compare go-message's reading with the standard library's.
//
// Errors begin with "mimetree: "; a bound of [Limits] wraps [ErrLimit], a
// message whose multipart framing cannot be read wraps [ErrMalformed].
package mimetree

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// Limits bound what Parse reads.
type Limits struct {
	// MaxDepth is the deepest a part may be nested: the number of
	// multipart parts that enclose it (the root is at depth 0).
	MaxDepth int
	// MaxParts is the largest number of parts, the root included.
	MaxParts int
	// MaxHeaderBytes is the largest header of one part, in octets
	// (field lines and the empty line that ends the header). The root
	// header is cut off there; a nested part's header is checked once
	// read (it is bounded by MaxSize meanwhile).
	MaxHeaderBytes int
	// MaxSize is the largest message, in octets.
	MaxSize int64
	// MaxWork bounds the octets that pass through the readers of all
	// nesting levels together: a part at depth d is read d+1 times over,
	// once by each multipart reader around it.
	MaxWork int64
}

// DefaultLimits are generous for real mail and keep a hostile message to
// bounded memory and time.
var DefaultLimits = Limits{
	MaxDepth:       32,
	MaxParts:       1000,
	MaxHeaderBytes: 256 << 10,
	MaxSize:        64 << 20,
	MaxWork:        256 << 20,
}

// WithDefaults returns l with every zero or negative field set from
// DefaultLimits.
func (l Limits) WithDefaults() Limits {
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultLimits.MaxParts
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultLimits.MaxHeaderBytes
	}
	if l.MaxSize <= 0 {
		l.MaxSize = DefaultLimits.MaxSize
	}
	if l.MaxWork <= 0 {
		l.MaxWork = DefaultLimits.MaxWork
	}
	return l
}

// Errors wrapped by what Parse returns.
var (
	// ErrLimit reports a bound of Limits exceeded.
	ErrLimit = errors.New("mimetree: limit exceeded")
	// ErrMalformed reports a header that cannot be read or a multipart
	// body whose framing is broken (no boundary, a missing close
	// delimiter, text where a delimiter is due).
	ErrMalformed = errors.New("mimetree: malformed message")
)

// Field is one header field: its name in canonical form
// ("Content-Type") and its value unfolded (RFC 5322 section 2.2.3), with
// the spaces around each fold and at both ends removed.
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Part is one MIME entity (RFC 2045 section 2.4): the message itself, or
// a body part of a multipart.
type Part struct {
	// Header holds the part's header fields in order.
	Header []Field `json:"header,omitempty"`
	// MediaType is the media type of the Content-Type field as go-message
	// reads it, lower-cased ("multipart/mixed"); "text/plain" when there
	// is none (RFC 2045 section 5.2), and the field's raw value when it
	// does not parse.
	MediaType string `json:"media_type,omitempty"`
	// Params are the Content-Type parameters, names lower-cased, RFC 2231
	// continuations joined and encoded words decoded (as go-message does).
	Params map[string]string `json:"params,omitempty"`
	// Body is the transfer-decoded body of a leaf part (RFC 2045 section
	// 6), not converted from its charset; nil for a multipart.
	Body []byte `json:"body,omitempty"`
	// RawBody is the body of a leaf part as sent.
	RawBody []byte `json:"-"`
	// DecodeErr says why the transfer decoding failed (an unknown
	// encoding, bad base64): Body then holds what decoded before the
	// error, or the raw body for an unknown encoding.
	DecodeErr string `json:"decode_error,omitempty"`
	// Parts are the body parts of a multipart, in order.
	Parts []*Part `json:"parts,omitempty"`
}

// IsMultipart reports whether p is a multipart (RFC 2046 section 5.1).
func (p *Part) IsMultipart() bool { return isMultipart(p.MediaType) }

func isMultipart(mediaType string) bool { return strings.HasPrefix(mediaType, "multipart/") }

// Get returns the value of the first field named key (in any case), ""
// if there is none.
func (p *Part) Get(key string) string {
	for _, f := range p.Header {
		if strings.EqualFold(f.Key, key) {
			return f.Value
		}
	}
	return ""
}

// Walk calls fn for p and every part inside it, depth first, with the
// part's path: the 1-based indexes of the parts leading to it, as IMAP
// part specifiers count them (RFC 9051 section 6.4.5); nil for p.
func (p *Part) Walk(fn func(path []int, part *Part)) {
	p.walk(nil, fn)
}

func (p *Part) walk(path []int, fn func([]int, *Part)) {
	fn(path, p)
	for i, c := range p.Parts {
		c.walk(append(path[:len(path):len(path)], i+1), fn)
	}
}

// parser holds the state of one Parse.
type parser struct {
	lim   Limits
	parts int
	size  int64
	work  int64
	// limitErr is the first bound exceeded. go-message sometimes drops
	// a read error (a part's rest is discarded with io.Copy), so Parse
	// returns it whatever error surfaced.
	limitErr error
}

func (p *parser) fail(err error) error {
	if p.limitErr == nil {
		p.limitErr = err
	}
	return p.limitErr
}

// sizeReader counts the octets of the message against MaxSize.
type sizeReader struct {
	r io.Reader
	p *parser
}

func (s *sizeReader) Read(b []byte) (int, error) {
	if s.p.limitErr != nil {
		return 0, s.p.limitErr
	}
	n, err := s.r.Read(b)
	s.p.size += int64(n)
	if s.p.size > s.p.lim.MaxSize {
		return n, s.p.fail(fmt.Errorf("mimetree: message larger than MaxSize (%d octets): %w", s.p.lim.MaxSize, ErrLimit))
	}
	return n, err
}

// workReader counts the octets read through one nesting level against
// MaxWork.
type workReader struct {
	r io.Reader
	p *parser
}

func (w *workReader) Read(b []byte) (int, error) {
	if w.p.limitErr != nil {
		return 0, w.p.limitErr
	}
	n, err := w.r.Read(b)
	w.p.work += int64(n)
	if w.p.work > w.p.lim.MaxWork {
		return n, w.p.fail(fmt.Errorf("mimetree: reading the nested parts takes more than MaxWork (%d octets): %w", w.p.lim.MaxWork, ErrLimit))
	}
	return n, err
}

// headerReader cuts the root header off at MaxHeaderBytes, as go-message's
// ReadOptions.MaxHeaderBytes does.
type headerReader struct {
	r io.Reader
	n int64
	p *parser
}

func (h *headerReader) Read(b []byte) (int, error) {
	if h.n <= 0 {
		return 0, h.p.fail(fmt.Errorf("mimetree: header larger than MaxHeaderBytes (%d octets): %w", h.p.lim.MaxHeaderBytes, ErrLimit))
	}
	if int64(len(b)) > h.n {
		b = b[:h.n]
	}
	n, err := h.r.Read(b)
	h.n -= int64(n)
	return n, err
}

// Parse reads a message from r into a tree of parts, within l (zero
// fields of l take their value from DefaultLimits). A leaf whose transfer
// encoding fails is not an error: its DecodeErr says why. Everything else
// that stops the reading is: a bound of l (ErrLimit), a header or
// multipart framing that cannot be read (ErrMalformed), or a read error
// of r.
func Parse(r io.Reader, l Limits) (*Part, error) {
	p := &parser{lim: l.WithDefaults()}
	hr := &headerReader{r: &sizeReader{r: r, p: p}, n: int64(p.lim.MaxHeaderBytes), p: p}
	br := bufio.NewReader(hr)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, p.wrap(err)
	}
	hr.n = 1<<63 - 1
	p.parts = 1
	root, err := p.part(h, br, 0)
	if p.limitErr != nil {
		return nil, p.limitErr
	}
	if err != nil {
		return nil, err
	}
	return root, nil
}

// wrap returns the bound exceeded if there was one, else err as a
// malformed message.
func (p *parser) wrap(err error) error {
	if p.limitErr != nil {
		return p.limitErr
	}
	if errors.Is(err, ErrLimit) || errors.Is(err, ErrMalformed) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// part reads one part whose header is h and whose raw body is body.
func (p *parser) part(h textproto.Header, body io.Reader, depth int) (*Part, error) {
	if err := p.checkHeader(h); err != nil {
		return nil, err
	}
	mh := message.Header{Header: h}
	part := &Part{}
	for fs := h.Fields(); fs.Next(); {
		part.Header = append(part.Header, Field{Key: fs.Key(), Value: fs.Value()})
	}
	part.MediaType, part.Params, _ = mh.ContentType()
	if len(part.Params) == 0 {
		part.Params = nil
	}
	if isMultipart(part.MediaType) {
		return part, p.multipart(part, body, depth)
	}
	return part, p.leaf(part, mh, body)
}

// checkHeader checks the size of a part's header, field lines and the
// empty line that ends it.
func (p *parser) checkHeader(h textproto.Header) error {
	n := 2
	for fs := h.Fields(); fs.Next(); {
		raw, _ := fs.Raw()
		n += len(raw)
	}
	if n > p.lim.MaxHeaderBytes {
		return p.fail(fmt.Errorf("mimetree: a part's header of %d octets is larger than MaxHeaderBytes (%d): %w", n, p.lim.MaxHeaderBytes, ErrLimit))
	}
	return nil
}

// multipart reads the body parts of part (RFC 2046 section 5.1.1).
func (p *parser) multipart(part *Part, body io.Reader, depth int) error {
	if depth >= p.lim.MaxDepth {
		return p.fail(fmt.Errorf("mimetree: multiparts nested deeper than MaxDepth (%d): %w", p.lim.MaxDepth, ErrLimit))
	}
	mr := textproto.NewMultipartReader(&workReader{r: body, p: p}, part.Params["boundary"])
	part.Parts = []*Part{}
	for {
		bp, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.wrap(err)
		}
		p.parts++
		if p.parts > p.lim.MaxParts {
			return p.fail(fmt.Errorf("mimetree: more than MaxParts (%d) parts: %w", p.lim.MaxParts, ErrLimit))
		}
		child, err := p.part(bp.Header, bp, depth+1)
		if err != nil {
			return err
		}
		part.Parts = append(part.Parts, child)
	}
}

// leaf reads the body of a leaf part and transfer-decodes it. The media
// type is hidden from go-message so that it converts no charset: Body is
// the octets the encoding carries.
func (p *parser) leaf(part *Part, h message.Header, body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil || p.limitErr != nil {
		return p.wrap(err)
	}
	h = h.Copy()
	h.Del("Content-Type")
	ent, err := message.New(h, bytes.NewReader(raw))
	if err != nil && !message.IsUnknownEncoding(err) {
		return p.wrap(err)
	}
	if err != nil {
		part.DecodeErr = err.Error()
	}
	dec, err := io.ReadAll(ent.Body)
	if err != nil && part.DecodeErr == "" {
		part.DecodeErr = err.Error()
	}
	if dec == nil {
		dec = []byte{}
	}
	part.Body = dec
	part.RawBody = raw
	return nil
}
