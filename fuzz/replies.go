package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailspec/mailspec/transcripts/wire"
)

// readLimits are the bounds the server-reply targets read with: small, so
// that the fuzzer reaches every one of them.
var readLimits = wire.Limits{MaxLine: 512, MaxLiteral: 2048, MaxLines: 64, MaxResponse: 8192}

// reprintLimits read a canonical form back: it may be a little longer than
// what it was printed from (CRLF for bare LF), never by more than twice.
var reprintLimits = wire.Limits{MaxLine: 2 * 512, MaxLiteral: 2048, MaxLines: 64, MaxResponse: 2 * 8192}

// maxReplies bounds how many replies one input is read as, so that an
// input of many empty lines costs bounded time.
const maxReplies = 4096

// endOfStream checks the error that ended a stream: a clean EOF only
// after the whole input was consumed, otherwise the end in the middle of
// a reply or a bound; and the concatenated Raw bytes are a prefix of the
// input.
func endOfStream(data, consumed []byte, err error) error {
	if !bytes.HasPrefix(data, consumed) {
		return fmt.Errorf("the replies' Raw bytes %q are not a prefix of the input %q", consumed, data)
	}
	switch {
	case err == io.EOF:
		if !bytes.Equal(data, consumed) {
			return fmt.Errorf("clean EOF after %d of %d octets", len(consumed), len(data))
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, wire.ErrLimit):
	default:
		return fmt.Errorf("unexpected error: %v", err)
	}
	return nil
}

// checkViolations checks that every violation points into raw and is
// complete.
func checkViolations(raw []byte, vs []wire.Violation) error {
	for _, v := range vs {
		if v.Offset < 0 || v.Offset > len(raw) || v.RFC == "" || v.Section == "" || v.Level == "" || v.Msg == "" {
			return fmt.Errorf("violation %+v is incomplete or outside Raw (%d octets)", v, len(raw))
		}
	}
	return nil
}

// checkSMTPReplies reads data as a stream of SMTP replies (RFC 5321
// section 4.2) and checks every one: it respects the limits, its
// violations point into it, and its canonical form reads back as the same
// code and lines (without violations if it had none), and prints the
// same again.
func checkSMTPReplies(data []byte) error {
	r := wire.NewSMTPReader(bytes.NewReader(data), readLimits)
	var consumed []byte
	for range maxReplies {
		rep, err := r.ReadReply()
		if err != nil {
			return endOfStream(data, consumed, err)
		}
		consumed = append(consumed, rep.Raw...)
		if len(rep.Raw) > int(readLimits.MaxResponse) || len(rep.Lines) > readLimits.MaxLines || len(rep.Lines) == 0 {
			return fmt.Errorf("reply of %d octets, %d lines breaks the limits", len(rep.Raw), len(rep.Lines))
		}
		if err := checkViolations(rep.Raw, rep.Violations); err != nil {
			return err
		}
		canon := rep.Canonical()
		if canon == nil {
			if rep.Code != 0 {
				return fmt.Errorf("no canonical form for reply code %d", rep.Code)
			}
			continue
		}
		again, err := readOne(canon, func(r io.Reader) (wire.SMTPReply, error) {
			return wire.NewSMTPReader(r, reprintLimits).ReadReply()
		}, func(x wire.SMTPReply) []byte { return x.Raw })
		if err != nil {
			return fmt.Errorf("canonical form %q of %q: %w", canon, rep.Raw, err)
		}
		if again.Code != rep.Code || !cmp.Equal(again.Lines, rep.Lines) {
			return fmt.Errorf("reply %q prints as %q, which reads as %d %q, want %d %q",
				rep.Raw, canon, again.Code, again.Lines, rep.Code, rep.Lines)
		}
		if rep.Violations == nil && again.Violations != nil {
			return fmt.Errorf("reply %q has no violation but its canonical form %q has %v", rep.Raw, canon, again.Violations)
		}
		if c2 := again.Canonical(); !bytes.Equal(c2, canon) {
			return fmt.Errorf("canonical form is not stable: %q then %q", canon, c2)
		}
	}
	return nil
}

// readOne reads exactly one reply from b with read, and checks that it
// consumed all of b.
func readOne[T any](b []byte, read func(io.Reader) (T, error), raw func(T) []byte) (T, error) {
	x, err := read(bytes.NewReader(b))
	if err != nil {
		return x, err
	}
	if !bytes.Equal(raw(x), b) {
		return x, fmt.Errorf("read back as %q, not the whole of it", raw(x))
	}
	return x, nil
}

// checkPOP3Responses reads data[1:] as a stream of POP3 responses (RFC
// 1939 section 3); bit i%8 of data[0] says whether response i is read as
// multi-line. Every response must respect the limits and print to a
// canonical form that reads back as the same status, code, text and
// lines.
func checkPOP3Responses(data []byte) error {
	if len(data) == 0 {
		return nil
	}
	bits, data := data[0], data[1:]
	r := wire.NewPOP3Reader(bytes.NewReader(data), readLimits)
	var consumed []byte
	for i := range maxReplies {
		multi := bits&(1<<(i%8)) != 0
		resp, err := r.ReadResponse(multi)
		if err != nil {
			return endOfStream(data, consumed, err)
		}
		consumed = append(consumed, resp.Raw...)
		if len(resp.Raw) > int(readLimits.MaxResponse) || len(resp.Lines) > readLimits.MaxLines {
			return fmt.Errorf("response of %d octets, %d lines breaks the limits", len(resp.Raw), len(resp.Lines))
		}
		if resp.OK != (resp.Status == "+OK") {
			return fmt.Errorf("OK = %v with Status %q", resp.OK, resp.Status)
		}
		if err := checkViolations(resp.Raw, resp.Violations); err != nil {
			return err
		}
		canon := resp.Canonical()
		again, err := readOne(canon, func(r io.Reader) (wire.POP3Response, error) {
			return wire.NewPOP3Reader(r, reprintLimits).ReadResponse(resp.Lines != nil)
		}, func(x wire.POP3Response) []byte { return x.Raw })
		if err != nil {
			return fmt.Errorf("canonical form %q of %q: %w", canon, resp.Raw, err)
		}
		if diff := cmp.Diff(resp, again, cmpopts.IgnoreFields(wire.POP3Response{}, "Raw", "Violations")); diff != "" {
			return fmt.Errorf("response %q prints as %q, which reads differently (-want +got):\n%s", resp.Raw, canon, diff)
		}
		if resp.Violations == nil && again.Violations != nil {
			return fmt.Errorf("response %q has no violation but its canonical form %q has %v", resp.Raw, canon, again.Violations)
		}
		if c2 := again.Canonical(); !bytes.Equal(c2, canon) {
			return fmt.Errorf("canonical form is not stable: %q then %q", canon, c2)
		}
	}
	return nil
}

// sameIMAP reports whether two responses were parsed the same, whatever
// the bytes they were parsed from.
func sameIMAP(a, b wire.IMAPResponse) bool {
	return a.Kind == b.Kind && a.Tag == b.Tag && a.Number == b.Number && a.HasNumber == b.HasNumber &&
		a.Keyword == b.Keyword && a.Status == b.Status && a.Code == b.Code && a.CodeArgs == b.CodeArgs &&
		a.Text == b.Text && sameValues(a.Fields, b.Fields)
}

// maxListDepth is the IMAP reader's bound on nested lists.
const maxListDepth = 64

// checkIMAPResponses reads data as a stream of IMAP responses (RFC 9051
// section 7, literals of section 4.3) and checks every one: limits, Raw
// prefix, literals inside Raw, list depth, and a canonical form that reads
// back as the same fields.
func checkIMAPResponses(data []byte) error {
	r := wire.NewIMAPReader(bytes.NewReader(data), readLimits)
	var consumed []byte
	for range maxReplies {
		resp, err := r.ReadResponse()
		if err != nil && resp.Raw == nil {
			return endOfStream(data, consumed, err)
		}
		consumed = append(consumed, resp.Raw...)
		if err != nil && !errors.Is(err, wire.ErrLimit) {
			return fmt.Errorf("a response came with an error that is not a limit: %v", err)
		}
		if len(resp.Raw) > int(readLimits.MaxResponse) || len(resp.Literals) >= readLimits.MaxLines {
			return fmt.Errorf("response of %d octets, %d literals breaks the limits", len(resp.Raw), len(resp.Literals))
		}
		if d := depth(resp.Fields); d > maxListDepth+1 {
			return fmt.Errorf("fields nest %d deep", d)
		}
		if err := checkViolations(resp.Raw, resp.Violations); err != nil {
			return err
		}
		for _, l := range resp.Literals {
			if len(l) > int(readLimits.MaxLiteral) || !bytes.Contains(resp.Raw, l) {
				return fmt.Errorf("literal %q is too long or not in Raw %q", l, resp.Raw)
			}
		}
		if err != nil {
			continue // Fields are partial: nothing to print
		}
		canon := resp.Canonical()
		again, err := readOne(canon, func(r io.Reader) (wire.IMAPResponse, error) {
			return wire.NewIMAPReader(r, reprintLimits).ReadResponse()
		}, func(x wire.IMAPResponse) []byte { return x.Raw })
		if err != nil {
			return fmt.Errorf("canonical form %q of %q: %w", canon, resp.Raw, err)
		}
		if !sameIMAP(resp, again) {
			return fmt.Errorf("response %q prints as %q, which reads differently: %+v, want %+v", resp.Raw, canon, again, resp)
		}
		if resp.Violations == nil && again.Violations != nil {
			return fmt.Errorf("response %q has no violation but its canonical form %q has %v", resp.Raw, canon, again.Violations)
		}
		if c2 := again.Canonical(); !bytes.Equal(c2, canon) {
			return fmt.Errorf("canonical form is not stable: %q then %q", canon, c2)
		}
	}
	return nil
}

// depth returns how deeply lists nest in vs (1 for a flat list of
// values, 0 for none).
func depth(vs []wire.Value) int {
	d := 0
	for _, v := range vs {
		if v.Kind == wire.List {
			d = max(d, depth(v.List))
		}
	}
	if len(vs) == 0 {
		return 0
	}
	return d + 1
}

// sameValues reports whether two value trees are equal. go-cmp is not
// used for them: its slice diffing takes exponential time on deeply
// nested lists that differ.
func sameValues(a, b []wire.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Str != y.Str || x.Num != y.Num || !sameValues(x.List, y.List) {
			return false
		}
	}
	return true
}
