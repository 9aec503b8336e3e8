package mimetree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/features"
)

// nested returns a message of depth multiparts nested in one another
// around a text leaf of bodySize octets, each level with one more sibling
// leaf of siblingSize octets.
func nested(depth, bodySize, siblingSize int) string {
	var b strings.Builder
	b.WriteString("Subject: nested\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\n")
	b.WriteString(strings.Repeat("x", bodySize))
	for i := depth - 1; i >= 0; i-- {
		if siblingSize > 0 {
			fmt.Fprintf(&b, "\r\n--b%d\r\n\r\n%s", i, strings.Repeat("y", siblingSize))
		}
		fmt.Fprintf(&b, "\r\n--b%d--", i)
	}
	b.WriteString("\r\n")
	return b.String()
}

func mustParse(t *testing.T, s string) *Part {
	t.Helper()
	p, err := Parse(strings.NewReader(s), Limits{})
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return p
}

func TestParseStructure(t *testing.T) {
	in := "From: a@example.test\r\nSubject: folded\r\n  twice\r\nContent-Type: Multipart/Mixed; Boundary=\"xx\"\r\n\r\n" +
		"preamble\r\n--xx\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9=\r\n au\r\n" +
		"--xx\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\nAw==\r\n--xx\r\nContent-Transfer-Encoding: x-uue\r\n\r\nraw\r\n" +
		"--xx\r\nContent-Transfer-Encoding: base64\r\n\r\nAA!!\r\n--xx--\r\nepilogue\r\n"
	got := mustParse(t, in)
	want := &Part{
		Header: []Field{
			{"From", "a@example.test"}, {"Subject", "folded twice"},
			{"Content-Type", `Multipart/Mixed; Boundary="xx"`},
		},
		MediaType: "multipart/mixed",
		Params:    map[string]string{"boundary": "xx"},
		Parts: []*Part{
			{
				Header:    []Field{{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Transfer-Encoding", "quoted-printable"}},
				MediaType: "text/plain", Params: map[string]string{"charset": "utf-8"},
				Body: []byte("café au"), RawBody: []byte("caf=C3=A9=\r\n au"),
			},
			{
				Header:    []Field{{"Content-Transfer-Encoding", "base64"}},
				MediaType: "text/plain",
				Body:      []byte{0, 1, 2, 3}, RawBody: []byte("AAEC\r\nAw=="),
			},
			{
				Header:    []Field{{"Content-Transfer-Encoding", "x-uue"}},
				MediaType: "text/plain",
				Body:      []byte("raw"), RawBody: []byte("raw"),
				DecodeErr: `encoding error: unhandled encoding "x-uue"`,
			},
			{
				Header:    []Field{{"Content-Transfer-Encoding", "base64"}},
				MediaType: "text/plain",
				Body:      []byte{}, RawBody: []byte("AA!!"),
				DecodeErr: "illegal base64 data at input byte 2",
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	var paths []string
	got.Walk(func(path []int, p *Part) { paths = append(paths, fmt.Sprint(path)) })
	if diff := cmp.Diff([]string{"[]", "[1]", "[2]", "[3]", "[4]"}, paths); diff != "" {
		t.Errorf("Walk paths (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	small := Limits{MaxDepth: 3, MaxParts: 4, MaxHeaderBytes: 100, MaxSize: 2000, MaxWork: 4000}
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"depth", nested(4, 1, 0), ErrLimit},
		{"depth ok", nested(3, 1, 0), nil},
		{"parts ok", nested(2, 1, 0), nil},
		{"too many parts", "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n\r\nx\r\n", 4) + "--b--\r\n", ErrLimit},
		{"root header", "Subject: " + strings.Repeat("x", 100) + "\r\n\r\nbody", ErrLimit},
		{"part header", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX: " + strings.Repeat("x", 100) + "\r\n\r\nx\r\n--b--\r\n", ErrLimit},
		{"size", "Subject: x\r\n\r\n" + strings.Repeat("x", 2000), ErrLimit},
		{"work", nested(3, 1500, 0), ErrLimit},
		{"no boundary", "Content-Type: multipart/mixed\r\n\r\n--\r\n", ErrMalformed},
		{"no close delimiter", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n", ErrMalformed},
		{"text where a delimiter is due", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n\r\nz\r\n--b-- x", ErrMalformed},
		{"bad header line", "no colon here\r\n\r\n", ErrMalformed},
		{"bad header key", "Bad Key: x\r\n\r\n", ErrMalformed},
	} {
		_, err := Parse(strings.NewReader(tc.in), small)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Parse = %v, want %v", tc.name, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "mimetree: ") {
			t.Errorf("%s: error %q lacks the package prefix", tc.name, err)
		}
	}
}

func TestWriteRoundTripMessages(t *testing.T) {
	names, err := fs.Glob(features.Messages, "messages/*.eml")
	if err != nil || len(names) == 0 {
		t.Fatalf("no messages: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(features.Messages, name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(bytes.NewReader(data), Limits{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		w, err := Write(p)
		if err != nil {
			t.Fatalf("%s: Write: %v", name, err)
		}
		q, err := Parse(bytes.NewReader(w), Limits{})
		if err != nil {
			t.Fatalf("%s: Parse(Write(p)): %v\n%s", name, err, w)
		}
		if diff := Diff(p, q); diff != "" {
			t.Errorf("%s: Parse(Write(p)) differs (-p +q):\n%s", name, diff)
		}
	}
}

func TestWriteBuiltTree(t *testing.T) {
	long := strings.Repeat("word ", 300) + "end"
	p := &Part{
		Header:    []Field{{"Subject", long}, {"Content-Type", "multipart/mixed; boundary=b"}},
		MediaType: "multipart/mixed",
		Params:    map[string]string{"boundary": "b"},
		Parts: []*Part{
			// A body holding the boundary makes Write choose another.
			{MediaType: "text/plain", Body: []byte("text\r\n--b\r\nmore"), Header: []Field{{"X-A", "1"}}},
			{
				Header:    []Field{{"Content-Transfer-Encoding", "Quoted-Printable"}},
				MediaType: "text/plain",
				Body:      []byte("bare\nLF and = sign and trailing space \r\n"),
			},
			{
				Header:    []Field{{"Content-Transfer-Encoding", "base64"}},
				MediaType: "text/plain",
				Body:      bytes.Repeat([]byte{0xff, 0, 'a'}, 40),
			},
		},
	}
	w, err := Write(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(w), "\r\n") {
		if len(l) > maxLine {
			t.Errorf("line of %d octets: %.40q...", len(l), l)
		}
	}
	if !bytes.Contains(w, []byte(`boundary="=_mimetree_0"`)) {
		t.Errorf("the boundary was not replaced:\n%s", w)
	}
	q := mustParse(t, string(w))
	if diff := Diff(p, q); diff != "" {
		t.Errorf("Parse(Write(p)) differs (-p +q):\n%s\n%s", diff, w)
	}
	if q.Get("subject") != long {
		t.Errorf("folded Subject reads back as %q", q.Get("subject"))
	}
	if Equal(p, &Part{}) {
		t.Error("Equal(p, empty) = true")
	}
	q.Parts[1].Body = []byte("changed")
	if d := Diff(p, q); !strings.HasPrefix(d, "part 2 (0 and 0 parts):") || !strings.Contains(d, "changed") {
		t.Errorf("Diff after a change in part 2 = %q", d)
	}
}

func TestWriteRejects(t *testing.T) {
	for _, p := range []*Part{
		{Header: []Field{{"Bad Key", "x"}}},
		{Header: []Field{{"", "x"}}},
		{Header: []Field{{"X", "a\r\nb"}}},
		{Header: []Field{{"X", " padded"}}},
		{Header: []Field{{"Content-Transfer-Encoding", "x-unknown"}}, Body: []byte("x")},
	} {
		if _, err := Write(p); err == nil || !strings.HasPrefix(err.Error(), "mimetree: ") {
			t.Errorf("Write(%+v) = %v, want a mimetree error", p, err)
		}
	}
}

// TestDeepNestingBounded reads a message nested far deeper than MaxDepth:
// it fails with ErrLimit after reading a bounded amount.
func TestDeepNestingBounded(t *testing.T) {
	in := nested(5000, 10, 0)
	done := make(chan error, 1)
	go func() {
		_, err := Parse(strings.NewReader(in), Limits{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("Parse = %v, want ErrLimit", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing check
		t.Fatal("Parse of a deeply nested message did not return")
	}
}

func BenchmarkParseDeepNesting(b *testing.B) {
	for _, depth := range []int{31, 5000} {
		in := nested(depth, 100, 100)
		b.Run(fmt.Sprint(depth), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				Parse(strings.NewReader(in), Limits{})
			}
		})
	}
}

// BenchmarkParseWork is the worst shape for the work bound: a large leaf
// at the deepest allowed level, read once by every level around it.
func BenchmarkParseWork(b *testing.B) {
	in := nested(31, 4<<20, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(strings.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseManyParts(b *testing.B) {
	in := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n", 999) + "--b--\r\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(strings.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseManyAddresses(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("To: ")
	for i := range 5000 {
		if i > 0 {
			sb.WriteString(",\r\n ")
		}
		fmt.Fprintf(&sb, "User %d <user%d@example.test>", i, i)
	}
	in := sb.String() + "\r\nSubject: many\r\n\r\nbody\r\n"
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(strings.NewReader(in), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
