package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreMsg compares violations on everything but their wording: the RFC,
// section, level and offset are the contract.
var ignoreMsg = cmpopts.IgnoreFields(Violation{}, "Msg")

// vio builds an expected violation (Msg is ignored by ignoreMsg).
func vio(rfc, section, level string, offset int) Violation {
	return Violation{RFC: rfc, Section: section, Level: level, Offset: offset}
}

// checkMsgs fails if a violation has no message.
func checkMsgs(t *testing.T, vs []Violation) {
	t.Helper()
	for _, v := range vs {
		if v.Msg == "" {
			t.Errorf("violation %+v has no Msg", v)
		}
	}
}

// Value constructors for expected IMAP fields.
func atom(s string) Value        { return Value{Kind: Atom, Str: s} }
func num(n uint64) Value         { return Value{Kind: Number, Num: n} }
func str(s string) Value         { return Value{Kind: String, Str: s} }
func lit(s string) Value         { return Value{Kind: Literal, Str: s} }
func list(vs ...Value) Value     { return Value{Kind: List, List: vs} }
func fields(vs ...Value) []Value { return vs }

var nilv = Value{Kind: Nil}

// repeatReader returns data over and over, filling every Read.
type repeatReader struct {
	data []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.data[r.off:])
		n += k
		r.off = (r.off + k) % len(r.data)
	}
	return n, nil
}

// countingReader counts the bytes its reader delivered.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless returns prefix and then the byte fill forever.
func endless(prefix string, fill byte) io.Reader {
	return io.MultiReader(bytes.NewReader([]byte(prefix)), &repeatReader{data: bytes.Repeat([]byte{fill}, 4096)})
}

// splitReader returns data[:i] in its first Read and the rest after.
func splitReader(data []byte, i int) io.Reader {
	return io.MultiReader(bytes.NewReader(data[:i]), bytes.NewReader(data[i:]))
}

// errAfterReader returns data and then err, forever.
type errAfterReader struct {
	data []byte
	err  error
}

func (r *errAfterReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// errString renders an error for comparisons of whole read results.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The result of reading a stream to its end, for split and fuzz tests.
type smtpResult struct {
	Replies []SMTPReply
	Err     string
}

func readAllSMTP(r io.Reader, l Limits) (smtpResult, error) {
	sr := NewSMTPReader(r, l)
	var res smtpResult
	for {
		rep, err := sr.ReadReply()
		if err != nil {
			res.Err = errString(err)
			return res, err
		}
		res.Replies = append(res.Replies, rep)
	}
}

type pop3Result struct {
	Responses []POP3Response
	Err       string
}

// readAllPOP3 reads responses, the i-th one multi-line if multi(i).
func readAllPOP3(r io.Reader, l Limits, multi func(int) bool) (pop3Result, error) {
	pr := NewPOP3Reader(r, l)
	var res pop3Result
	for i := 0; ; i++ {
		resp, err := pr.ReadResponse(multi(i))
		if err != nil {
			res.Err = errString(err)
			return res, err
		}
		res.Responses = append(res.Responses, resp)
	}
}

type imapResult struct {
	Responses []IMAPResponse
	Errs      []string // errors returned with a response (depth limit)
	Err       string
}

func readAllIMAP(r io.Reader, l Limits) (imapResult, error) {
	ir := NewIMAPReader(r, l)
	var res imapResult
	for {
		resp, err := ir.ReadResponse()
		if err != nil && resp.Raw == nil {
			res.Err = errString(err)
			return res, err
		}
		res.Responses = append(res.Responses, resp)
		if err != nil {
			if !errors.Is(err, ErrLimit) {
				res.Err = "response with a non-limit error: " + err.Error()
				return res, err
			}
			res.Errs = append(res.Errs, err.Error())
		}
	}
}

// bytesEqual compares byte slices as a whole (fast on large literals),
// still telling nil from empty.
var bytesEqual = cmp.Comparer(func(a, b []byte) bool {
	return bytes.Equal(a, b) && (a == nil) == (b == nil)
})

// diff is cmp.Diff with the options every table test uses.
func diff(want, got any) string {
	return cmp.Diff(want, got, ignoreMsg, bytesEqual)
}
