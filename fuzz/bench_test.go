package fuzz

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/mimetree"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Benchmarks of the worst input shapes the fuzz targets know, each at two
// sizes a factor 4 apart: time per octet that stays flat from one size to
// the next is linear. The shapes are read with the default limits, as
// the harness reads a hostile server.

func benchShape(b *testing.B, sizes []int, build func(n int) []byte, run func(b *testing.B, in []byte)) {
	for _, n := range sizes {
		in := build(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				run(b, in)
			}
		})
	}
}

func readAllIMAP(b *testing.B, in []byte) {
	r := wire.NewIMAPReader(bytes.NewReader(in), wire.Limits{})
	for {
		if resp, err := r.ReadResponse(); err != nil && resp.Raw == nil {
			return
		}
	}
}

// BenchmarkIMAPDeepLists: lists nested to the reader's cap (64), n times
// in one response, and then nested past it.
func BenchmarkIMAPDeepLists(b *testing.B) {
	benchShape(b, []int{100, 400}, func(n int) []byte {
		one := strings.Repeat("(", 64) + strings.Repeat(")", 64)
		return []byte("* X " + strings.Repeat(one+" ", n) + strings.Repeat("(", 10000) + "\r\n")
	}, readAllIMAP)
}

// BenchmarkIMAPManyLiterals: one response of n small literals.
func BenchmarkIMAPManyLiterals(b *testing.B) {
	benchShape(b, []int{2500, 10000}, func(n int) []byte {
		return []byte("* 1 FETCH (" + strings.Repeat("X {3}\r\nabc ", n) + ")\r\n")
	}, readAllIMAP)
}

// BenchmarkIMAPHugeLiteralCounts: announcements of absurd literals, which
// must fail before anything is allocated for them.
func BenchmarkIMAPHugeLiteralCounts(b *testing.B) {
	benchShape(b, []int{1, 4}, func(n int) []byte {
		return []byte("* 1 FETCH (BODY[] {" + strings.Repeat("9", 20*n) + "}\r\n")
	}, readAllIMAP)
}

// BenchmarkLongLines: one line of n octets, under MaxLine, for each
// protocol.
func BenchmarkLongLines(b *testing.B) {
	build := func(prefix string) func(n int) []byte {
		return func(n int) []byte { return []byte(prefix + strings.Repeat("a", n) + "\r\n") }
	}
	b.Run("smtp", func(b *testing.B) {
		benchShape(b, []int{16 << 10, 64<<10 - 16}, build("250 "), func(b *testing.B, in []byte) {
			if _, err := wire.NewSMTPReader(bytes.NewReader(in), wire.Limits{}).ReadReply(); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("imap", func(b *testing.B) {
		benchShape(b, []int{16 << 10, 64<<10 - 16}, build("* CAPABILITY "), readAllIMAP)
	})
}

// BenchmarkSMTPManyLines: a multi-line reply of n lines.
func BenchmarkSMTPManyLines(b *testing.B) {
	benchShape(b, []int{10000, 40000}, func(n int) []byte {
		return []byte(strings.Repeat("250-x\r\n", n) + "250 end\r\n")
	}, func(b *testing.B, in []byte) {
		if _, err := wire.NewSMTPReader(bytes.NewReader(in), wire.Limits{}).ReadReply(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkPOP3DotLines: a multi-line response of n lines that all need
// unstuffing.
func BenchmarkPOP3DotLines(b *testing.B) {
	benchShape(b, []int{10000, 40000}, func(n int) []byte {
		return []byte("+OK\r\n" + strings.Repeat("..x\r\n", n) + ".\r\n")
	}, func(b *testing.B, in []byte) {
		if _, err := wire.NewPOP3Reader(bytes.NewReader(in), wire.Limits{}).ReadResponse(true); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCanonicalDeepIMAP prints a response with the deepest lists the
// reader keeps, n times.
func BenchmarkCanonicalDeepIMAP(b *testing.B) {
	benchShape(b, []int{100, 400}, func(n int) []byte {
		one := strings.Repeat("(", 64) + "a" + strings.Repeat(")", 64)
		return []byte("* X " + strings.Repeat(one+" ", n) + "\r\n")
	}, func(b *testing.B, in []byte) {
		resp, err := wire.NewIMAPReader(bytes.NewReader(in), wire.Limits{}).ReadResponse()
		if err != nil {
			b.Fatal(err)
		}
		resp.Canonical()
	})
}

// BenchmarkTranscriptManyLines parses a transcript of n steps.
func BenchmarkTranscriptManyLines(b *testing.B) {
	benchShape(b, []int{2500, 10000}, func(n int) []byte {
		return []byte("@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MUST\n" +
			strings.Repeat("C: a1 APPEND INBOX {lit:x\\r\\n}\nS: * 1 FETCH (BODY[] {lit:x\\r\\n})\n", n))
	}, func(b *testing.B, in []byte) {
		if _, err := script.Parse("bench.txt", in); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkMIMEManyAddresses reads a To field of n addresses with both
// MIME readers of the differential target.
func BenchmarkMIMEManyAddresses(b *testing.B) {
	benchShape(b, []int{1000, 4000}, func(n int) []byte {
		var sb strings.Builder
		sb.WriteString("To: ")
		for i := range n {
			if i > 0 {
				sb.WriteString(",\r\n ")
			}
			fmt.Fprintf(&sb, "User %d <u%d@example.test>", i, i)
		}
		return []byte(sb.String() + "\r\nSubject: x\r\n\r\nbody\r\n")
	}, func(b *testing.B, in []byte) {
		l := mimetree.Limits{MaxHeaderBytes: 1 << 20}
		readGoMessage(in, l)
		readStdlib(in, l)
	})
}
