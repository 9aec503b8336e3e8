package faults

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/transcripts/wire"
)

// The proxy's framing is lenient, the harness's readers (transcripts/wire)
// are strict: on every stream the readers find no fault in, the two must
// cut the same frames, or the proxy would hand a fault a reply that is not
// the server's. These targets check that, and that the proxy neither
// loses nor invents octets, on both sides of the connection. They are
// listed in package fuzz's documentation.

// proxyFrames cuts data with read over a small buffer (so that lines span
// buffer fills) and returns the frames; the last one is what was read
// when the input ended, if anything.
func proxyFrames(data []byte, read func(*bufio.Reader) ([]byte, error)) [][]byte {
	br := bufio.NewReaderSize(bytes.NewReader(data), 16)
	var out [][]byte
	for len(out) < 4096 {
		b, err := read(br)
		if len(b) > 0 {
			out = append(out, b)
		}
		if err != nil {
			break
		}
	}
	return out
}

// checkWhole checks that the frames put together are the input.
func checkWhole(t *testing.T, data []byte, frames [][]byte) {
	t.Helper()
	if got := bytes.Join(frames, nil); len(frames) < 4096 && !bytes.Equal(got, data) {
		t.Fatalf("frames %q put together are not the input %q", frames, data)
	}
}

// checkSameFrames compares the proxy's frames with the strict reader's
// responses up to the first one that the reader finds a violation in or
// cannot read.
func checkSameFrames(t *testing.T, frames [][]byte, next func() ([]byte, bool)) {
	t.Helper()
	for i := 0; ; i++ {
		raw, clean := next()
		if !clean {
			return
		}
		if i >= len(frames) || !bytes.Equal(frames[i], raw) {
			var got []byte
			if i < len(frames) {
				got = frames[i]
			}
			t.Fatalf("frame %d: the proxy cuts %q, the reader reads %q without fault", i, got, raw)
		}
	}
}

// checkCommands parses every line of data as a client command.
func checkCommands(t *testing.T, protocol string, data []byte) {
	t.Helper()
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		cmd := parseCommand(protocol, line)
		if !bytes.Equal(cmd.Line, line) {
			t.Fatalf("parseCommand(%q).Line = %q", line, cmd.Line)
		}
		// The words of the line, the verb in ASCII upper case (keywords
		// are ASCII; Unicode case mapping would turn "ſTARTTLS" into
		// STARTTLS), the rest as it is.
		content := strings.TrimRight(string(line), "\r\n")
		rebuilt := cmd.Verb
		if protocol == IMAP {
			rebuilt = cmd.Tag + " " + rebuilt
		}
		if cmd.Args != "" || strings.Count(content, " ") > strings.Count(rebuilt, " ") {
			rebuilt += " " + cmd.Args
		}
		rebuilt, content = strings.TrimRight(rebuilt, " "), strings.TrimRight(content, " ")
		if len(rebuilt) != len(content) {
			t.Fatalf("parseCommand(%q) = tag %q, verb %q, args %q: not the line", line, cmd.Tag, cmd.Verb, cmd.Args)
		}
		for i := 0; i < len(content); i++ {
			if c, r := content[i], rebuilt[i]; c != r && !('a' <= c && c <= 'z' && r == c-'a'+'A') {
				t.Fatalf("parseCommand(%q) = tag %q, verb %q, args %q: not the line", line, cmd.Tag, cmd.Verb, cmd.Args)
			}
		}
		if n, ok := bdatSize(cmd); ok && n < 0 {
			t.Fatalf("bdatSize(%q) = %d", line, n)
		}
	}
}

func FuzzProxySMTPFraming(f *testing.F) {
	for _, s := range []string{
		"220 hi\r\n250-a\r\n250 b\r\n",
		"250-a\n251 b\n25\r\n",
		"MAIL FROM:<a@b> SIZE=5\r\nBDAT 99999999999999999999 LAST\r\nrcpt to:<x>\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := proxyFrames(data, readSMTPReply)
		checkWhole(t, data, frames)
		r := wire.NewSMTPReader(bytes.NewReader(data), wire.Limits{})
		checkSameFrames(t, frames, func() ([]byte, bool) {
			rep, err := r.ReadReply()
			return rep.Raw, err == nil && rep.Violations == nil
		})
		checkCommands(t, SMTP, data)
	})
}

func FuzzProxyPOP3Framing(f *testing.F) {
	// The first byte says, bit by bit, which responses are multi-line.
	for _, s := range []string{
		"\x02+OK ready\r\n+OK 2\r\n1 10\r\n..x\r\n.\r\n-ERR no\r\n",
		"\x01+OK\r\n.\n+OK\r\n",
		"\x00RETR 1\r\nTOP 1 0\r\nuidl\r\nAUTH PLAIN x\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		bits, data := data[0], data[1:]
		i := 0
		frames := proxyFrames(data, func(br *bufio.Reader) ([]byte, error) {
			multi := bits&(1<<(i%8)) != 0
			i++
			status, err := readLine(br, maxLine)
			if err != nil || !multi || !bytes.HasPrefix(status, []byte("+OK")) {
				return status, err
			}
			body, err := readPOP3Body(br)
			return append(status, body...), err
		})
		checkWhole(t, data, frames)
		r := wire.NewPOP3Reader(bytes.NewReader(data), wire.Limits{})
		j := 0
		checkSameFrames(t, frames, func() ([]byte, bool) {
			resp, err := r.ReadResponse(bits&(1<<(j%8)) != 0)
			j++
			return resp.Raw, err == nil && resp.Violations == nil
		})
		checkCommands(t, POP3, data)
	})
}

func FuzzProxyIMAPFraming(f *testing.F) {
	for _, s := range []string{
		"* OK ready\r\n* 1 FETCH (BODY[] {5}\r\na\r\nb) X ~{2}\r\n\x00x)\r\na1 OK done\r\n",
		"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\na2 SELECT INBOX\r\n",
		"* LIST () \"/\" {99999999999999999999}\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := proxyFrames(data, readIMAPResponse)
		checkWhole(t, data, frames)
		r := wire.NewIMAPReader(bytes.NewReader(data), wire.Limits{})
		checkSameFrames(t, frames, func() ([]byte, bool) {
			resp, err := r.ReadResponse()
			return resp.Raw, err == nil && resp.Violations == nil
		})
		checkCommands(t, IMAP, data)
		// The same octets as a client's commands: the proxy relays a
		// line and, while it ends in a literal announcement, the
		// literal and the next line (imapCommand in conn.go); the IMAP
		// reader, reading them as server data, finds the same literals.
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		for range 4096 {
			line, err := readLine(br, maxLine)
			if err != nil {
				return
			}
			cmd := append([]byte(nil), line...)
			var lits [][]byte
			for {
				n, _, lit := literalAtEnd(line)
				if !lit {
					break
				}
				var buf bytes.Buffer
				if _, err := io.CopyN(&buf, br, n); err != nil {
					return
				}
				lits = append(lits, buf.Bytes())
				cmd = append(cmd, buf.Bytes()...)
				if line, err = readLine(br, maxLine); err != nil {
					return
				}
				cmd = append(cmd, line...)
			}
			resp, err := wire.NewIMAPReader(bytes.NewReader(append([]byte("* X "), cmd...)), wire.Limits{}).ReadResponse()
			if err != nil && !errors.Is(err, wire.ErrLimit) {
				t.Fatalf("command %q framed by the proxy: the IMAP reader fails: %v", cmd, err)
			}
			if err == nil && (len(resp.Raw) != len(cmd)+4 || len(resp.Literals) != len(lits)) {
				t.Fatalf("command %q framed by the proxy with %d literals; the reader reads %q with %d", cmd, len(lits), resp.Raw, len(resp.Literals))
			}
		}
	})
}

// FuzzProxyEndOfData feeds SMTP message content to the end-of-data
// scanner in chunks of a size the first byte gives: wherever the chunks
// are cut, the content ends right after the first CRLF "." CRLF (RFC 5321
// section 4.1.1.4), counting the CRLF of the DATA command line.
func FuzzProxyEndOfData(f *testing.F) {
	for _, s := range []string{"\x03line\r\n.\r\nQUIT\r\n", "\x01.\r\n", "\x05a\n.\r\nb\r\n.\n\r\n.\r\n", "\x02..\r\n.\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		size, data := int(data[0]%16)+1, data[1:]
		want, wantEnd := len(data), false
		if i := bytes.Index(append([]byte("\r\n"), data...), []byte("\r\n.\r\n")); i >= 0 {
			want, wantEnd = i+3, true
		}
		var s eodScanner
		got, ended := 0, false
		for p := data; len(p) > 0 && !ended; {
			chunk := p[:min(size, len(p))]
			n, end := s.scan(chunk)
			if n > len(chunk) || (!end && n != len(chunk)) {
				t.Fatalf("scan(%q) = %d, %v", chunk, n, end)
			}
			got += n
			ended = end
			p = p[len(chunk):]
		}
		if got != want || ended != wantEnd {
			t.Fatalf("content %q in chunks of %d ends after %d (%v), want %d (%v)", data, size, got, ended, want, wantEnd)
		}
	})
}
