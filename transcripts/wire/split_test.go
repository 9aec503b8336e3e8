package wire

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// Split-point tests: a server's bytes arrive in whatever pieces TCP
// delivers, and the readers must see the same responses whatever the
// pieces are. Each stream is read whole, split at every offset into two
// Reads, one byte per Read, and in the other shapes testing/iotest offers;
// every result must equal the unsplit one, violations included
// (reflect.DeepEqual decides, cmp.Diff explains).

// readerShapes returns the ways data is fed to a reader, by name.
func readerShapes(data []byte) map[string]func() io.Reader {
	shapes := map[string]func() io.Reader{
		"one byte per Read": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
		"half Reads":        func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		"EOF with data":     func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
	}
	return shapes
}

func smtpSplitStreams() [][]byte {
	var out [][]byte
	for _, tc := range smtpTests {
		out = append(out, []byte(tc.in))
	}
	out = append(out,
		[]byte("220 ready\r\n"+ehloReply+"250-a\r\nfoo\r\n250 b\r\n354 go\r\n"),
		[]byte("250-a\n250-b\r\n251 c\r\n250 truncated"),
		[]byte(ehlo20()+ehlo20()),
	)
	return out
}

func TestSMTPSplit(t *testing.T) {
	for _, in := range smtpSplitStreams() {
		want, _ := readAllSMTP(bytes.NewReader(in), Limits{})
		check := func(how string, r io.Reader) {
			t.Helper()
			got, _ := readAllSMTP(r, Limits{})
			if reflect.DeepEqual(want, got) {
				return
			}
			if d := cmp.Diff(want, got, bytesEqual); d != "" {
				t.Errorf("stream %q read %s mismatch (-unsplit +split):\n%s", in, how, d)
			}
		}
		for i := 0; i <= len(in); i++ {
			check("split at "+strconv.Itoa(i), splitReader(in, i))
		}
		for name, mk := range readerShapes(in) {
			check(name, mk())
		}
	}
}

type pop3Stream struct {
	in    []byte
	multi []bool // per response; missing entries are false
}

func (s pop3Stream) multiFunc() func(int) bool {
	return func(i int) bool { return i < len(s.multi) && s.multi[i] }
}

func pop3SplitStreams() []pop3Stream {
	var out []pop3Stream
	for _, tc := range pop3Tests {
		out = append(out, pop3Stream{[]byte(tc.in), []bool{tc.multi}})
	}
	out = append(out,
		pop3Stream{[]byte("+OK ready\r\n+OK 2 messages\r\n1 10\r\n2 20\r\n.\r\n+OK\r\n..x\r\n.y\r\n.\r\n-ERR [IN-USE] no\r\n"),
			[]bool{false, true, true, true}},
		pop3Stream{[]byte(pop3Retr(2000)), []bool{true}},
		pop3Stream{[]byte("+OK\r\nnot terminated\r\n"), []bool{true}},
	)
	return out
}

func TestPOP3Split(t *testing.T) {
	for _, s := range pop3SplitStreams() {
		in := s.in
		want, _ := readAllPOP3(bytes.NewReader(in), Limits{}, s.multiFunc())
		check := func(how string, r io.Reader) {
			t.Helper()
			got, _ := readAllPOP3(r, Limits{}, s.multiFunc())
			if reflect.DeepEqual(want, got) {
				return
			}
			if d := cmp.Diff(want, got, bytesEqual); d != "" {
				t.Errorf("stream %.200q read %s mismatch (-unsplit +split):\n%s", in, how, d)
			}
		}
		for i := 0; i <= len(in); i++ {
			check("split at "+strconv.Itoa(i), splitReader(in, i))
		}
		for name, mk := range readerShapes(in) {
			check(name, mk())
		}
	}
}

func imapSplitStreams() [][]byte {
	var out [][]byte
	for _, tc := range imapTests {
		out = append(out, []byte(tc.in))
	}
	out = append(out,
		[]byte(fetchLiteral+fetchTwoLiterals+envelope+"a1 OK FETCH done\r\n"),
		[]byte("+ \r\n"+"* 1 FETCH (BODY[] {20}\r\n"+"+ a1 OK\r\n\r\n* 2 BYE\r\n)\r\na2 NO x\r\n"),
		[]byte("* 1 FETCH (BODY[] {10}\r\nshort"),
		[]byte(imapFetch(1, 3000)+imapFetch(2, 20000)),
	)
	return out
}

func TestIMAPSplit(t *testing.T) {
	for _, in := range imapSplitStreams() {
		want, _ := readAllIMAP(bytes.NewReader(in), Limits{})
		check := func(how string, r io.Reader) {
			t.Helper()
			got, _ := readAllIMAP(r, Limits{})
			if reflect.DeepEqual(want, got) {
				return
			}
			if d := cmp.Diff(want, got, bytesEqual); d != "" {
				t.Errorf("stream %.200q read %s mismatch (-unsplit +split):\n%s", in, how, d)
			}
		}
		step := 1
		if len(in) > 4096 {
			step = 7 // the large extra stream; the small ones are split everywhere
		}
		for i := 0; i <= len(in); i += step {
			check("split at "+strconv.Itoa(i), splitReader(in, i))
		}
		for name, mk := range readerShapes(in) {
			check(name, mk())
		}
	}
}
