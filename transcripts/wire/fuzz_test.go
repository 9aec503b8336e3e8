package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// The fuzz targets read a stream to its end with small limits, so that
// the fuzzer reaches every bound. The property: no panic; the Raw bytes of
// the responses, concatenated, are a prefix of the input, and all of it
// when the stream ended cleanly; every violation points inside its Raw.

var fuzzLimits = Limits{MaxLine: 200, MaxLiteral: 300, MaxLines: 40, MaxResponse: 2000}

func checkRawPrefix(t *testing.T, data, consumed []byte, err error) {
	t.Helper()
	if !bytes.HasPrefix(data, consumed) {
		t.Fatalf("concatenated Raw %q is not a prefix of the input %q", consumed, data)
	}
	if err == io.EOF && !bytes.Equal(data, consumed) {
		t.Fatalf("clean EOF but Raw %q is not the whole input %q", consumed, data)
	}
	if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrLimit) {
		t.Fatalf("unexpected error kind: %v", err)
	}
}

func checkOffsets(t *testing.T, raw []byte, vs []Violation) {
	t.Helper()
	for _, v := range vs {
		if v.Offset < 0 || v.Offset > len(raw) || v.RFC == "" || v.Section == "" || v.Level == "" || v.Msg == "" {
			t.Fatalf("violation %+v is incomplete or outside Raw (%d octets)", v, len(raw))
		}
	}
}

func FuzzSMTPReply(f *testing.F) {
	for _, tc := range smtpTests {
		f.Add([]byte(tc.in))
	}
	for _, s := range smtpSplitStreams() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewSMTPReader(bytes.NewReader(data), fuzzLimits)
		var consumed []byte
		for {
			rep, err := r.ReadReply()
			if err != nil {
				checkRawPrefix(t, data, consumed, err)
				return
			}
			if len(rep.Raw) == 0 || len(rep.Lines) == 0 {
				t.Fatalf("empty reply %+v", rep)
			}
			checkOffsets(t, rep.Raw, rep.Violations)
			consumed = append(consumed, rep.Raw...)
		}
	})
}

func FuzzPOP3Response(f *testing.F) {
	// The first byte of an input chooses, bit by bit, which responses are
	// read as multi-line.
	for _, s := range pop3SplitStreams() {
		var bits byte
		for i, m := range s.multi {
			if m && i < 8 {
				bits |= 1 << i
			}
		}
		f.Add(append([]byte{bits}, s.in...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		bits, data := data[0], data[1:]
		r := NewPOP3Reader(bytes.NewReader(data), fuzzLimits)
		var consumed []byte
		for i := 0; ; i++ {
			resp, err := r.ReadResponse(bits&(1<<(i%8)) != 0)
			if err != nil {
				checkRawPrefix(t, data, consumed, err)
				return
			}
			if resp.OK != (resp.Status == "+OK") {
				t.Fatalf("OK = %v with Status %q", resp.OK, resp.Status)
			}
			checkOffsets(t, resp.Raw, resp.Violations)
			consumed = append(consumed, resp.Raw...)
		}
	})
}

func FuzzIMAPResponse(f *testing.F) {
	for _, s := range imapSplitStreams() {
		f.Add(s)
	}
	f.Add([]byte("* X " + string(bytes.Repeat([]byte("("), 70)) + "\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewIMAPReader(bytes.NewReader(data), fuzzLimits)
		var consumed []byte
		for {
			resp, err := r.ReadResponse()
			if err != nil && resp.Raw == nil {
				checkRawPrefix(t, data, consumed, err)
				return
			}
			if err != nil && !errors.Is(err, ErrLimit) {
				t.Fatalf("a response returned with a non-limit error: %v", err)
			}
			checkOffsets(t, resp.Raw, resp.Violations)
			for _, l := range resp.Literals {
				if !bytes.Contains(resp.Raw, l) {
					t.Fatalf("literal %q is not in Raw %q", l, resp.Raw)
				}
			}
			consumed = append(consumed, resp.Raw...)
		}
	})
}
