package wire

import (
	"fmt"
	"strings"
	"testing"
)

// pop3Retr returns a multi-line RETR response of about size octets in
// which every tenth line is dot-stuffed.
func pop3Retr(size int) string {
	var b strings.Builder
	body := 0
	var lines strings.Builder
	for i := 0; body < size; i++ {
		var l string
		if i%10 == 3 {
			l = "..a line that began with a dot, stuffed by the server\r\n"
		} else {
			l = fmt.Sprintf("Line %d of the message body, plain text of a usual length.\r\n", i)
		}
		lines.WriteString(l)
		body += len(l)
	}
	fmt.Fprintf(&b, "+OK %d octets\r\n", body)
	b.WriteString(lines.String())
	b.WriteString(".\r\n")
	return b.String()
}

// imapFetch returns a FETCH response carrying a BODY[] literal of size
// octets of message text.
func imapFetch(seq, size int) string {
	line := "Some message text, with ) and * and {5} in it.\r\n"
	body := strings.Repeat(line, size/len(line)+1)[:size]
	return fmt.Sprintf("* %d FETCH (UID %d FLAGS (\\Seen) BODY[] {%d}\r\n%s)\r\n", seq, seq+1000, size, body)
}

func BenchmarkSMTPReader(b *testing.B) {
	for _, bc := range []struct {
		name  string
		reply string
	}{
		{"1line", "250 2.0.0 Ok: queued as 4C0F9A1E23\r\n"},
		{"20lines", ehlo20()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := NewSMTPReader(&repeatReader{data: []byte(bc.reply)}, Limits{})
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.reply)))
			for b.Loop() {
				if _, err := r.ReadReply(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPOP3Reader(b *testing.B) {
	resp := pop3Retr(100 << 10)
	r := NewPOP3Reader(&repeatReader{data: []byte(resp)}, Limits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(resp)))
	for b.Loop() {
		if _, err := r.ReadResponse(true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIMAPReaderFetchLiterals(b *testing.B) {
	resp := imapFetch(1, 64<<10)
	r := NewIMAPReader(&repeatReader{data: []byte(resp)}, Limits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(resp)))
	for b.Loop() {
		got, err := r.ReadResponse()
		if err != nil || len(got.Literals) != 1 {
			b.Fatalf("ReadResponse = %d literals, %v", len(got.Literals), err)
		}
	}
}
