package fuzz

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/mailspec/mailspec/mimetree"
)

// mimeLimits are the bounds the MIME targets parse with: small, so that
// the fuzzer reaches each of them.
var mimeLimits = mimetree.Limits{
	MaxDepth:       8,
	MaxParts:       64,
	MaxHeaderBytes: 4096,
	MaxSize:        256 << 10,
	MaxWork:        1 << 20,
}

// rewriteLimits read back what Write made of a message parsed within
// mimeLimits: Write may make bodies longer (base64, quoted-printable) and
// headers a little longer (a space after each colon, folds).
var rewriteLimits = mimetree.Limits{
	MaxDepth:       mimeLimits.MaxDepth,
	MaxParts:       mimeLimits.MaxParts,
	MaxHeaderBytes: 3 * mimeLimits.MaxHeaderBytes,
	MaxSize:        4*mimeLimits.MaxSize + 4096,
	MaxWork:        4*mimeLimits.MaxWork + 4096*int64(mimeLimits.MaxDepth+1),
}

// checkMIMEParse parses data within mimeLimits: it fails only with a
// bound (ErrLimit) or a malformed message (ErrMalformed), and what it
// returns stays within the bounds.
func checkMIMEParse(data []byte) error {
	p, err := mimetree.Parse(bytes.NewReader(data), mimeLimits)
	if err != nil {
		if !errors.Is(err, mimetree.ErrLimit) && !errors.Is(err, mimetree.ErrMalformed) {
			return fmt.Errorf("Parse = %v, neither ErrLimit nor ErrMalformed", err)
		}
		return nil
	}
	return withinLimits(p, mimeLimits, int64(len(data)))
}

// withinLimits checks a parsed tree against l: depth, part count, and
// bodies no larger than the input.
func withinLimits(p *mimetree.Part, l mimetree.Limits, size int64) error {
	parts, deepest := 0, 0
	var bodies int64
	var bad error
	p.Walk(func(path []int, q *mimetree.Part) {
		parts++
		deepest = max(deepest, len(path))
		bodies += int64(len(q.Body))
		if q.IsMultipart() && q.Body != nil || !q.IsMultipart() && q.Parts != nil {
			bad = fmt.Errorf("part %v is %s with a body of %d octets and %d parts", path, q.MediaType, len(q.Body), len(q.Parts))
		}
	})
	switch {
	case bad != nil:
		return bad
	case parts > l.MaxParts:
		return fmt.Errorf("%d parts, more than MaxParts (%d)", parts, l.MaxParts)
	case deepest > l.MaxDepth:
		return fmt.Errorf("parts nested %d deep, more than MaxDepth (%d)", deepest, l.MaxDepth)
	case bodies > size:
		return fmt.Errorf("decoded bodies of %d octets from a message of %d", bodies, size)
	}
	return nil
}

// checkMIMERoundTrip parses data; when it parses, Write must write it
// and the result must parse to the same structure (mimetree.Equal), and
// writing that again must give the same bytes.
func checkMIMERoundTrip(data []byte) error {
	p, err := mimetree.Parse(bytes.NewReader(data), mimeLimits)
	if err != nil {
		return nil
	}
	w, err := mimetree.Write(p)
	if err != nil {
		return fmt.Errorf("Write of a parsed message: %v", err)
	}
	q, err := mimetree.Parse(bytes.NewReader(w), rewriteLimits)
	if err != nil {
		return fmt.Errorf("Parse(Write(p)) = %v\nwritten:\n%q", err, w)
	}
	if diff := mimetree.Diff(p, q); diff != "" {
		return fmt.Errorf("Parse(Write(p)) differs from p (-p +q):\n%s\nwritten:\n%q", diff, w)
	}
	w2, err := mimetree.Write(q)
	if err != nil {
		return fmt.Errorf("Write(Parse(Write(p))): %v", err)
	}
	if !bytes.Equal(w, w2) {
		return fmt.Errorf("Write is not stable:\n%q\nthen\n%q", w, w2)
	}
	return nil
}
