package script

import (
	"os"
	"strings"
	"testing"
)

// TestFormatExamples parses every example block of FORMAT.md, so the
// documentation cannot drift from the parser.
func TestFormatExamples(t *testing.T) {
	doc, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	const header = "@id imap/9051/1/doc\n@protocol imap\n@rfc 9051 1\n@level MUST\n"
	var blocks []string
	var cur []string
	in := false
	for _, l := range strings.Split(string(doc), "\n") {
		trimmed := strings.TrimLeft(l, " ")
		if strings.HasPrefix(trimmed, "```") {
			if in {
				blocks = append(blocks, strings.Join(cur, "\n")+"\n")
				cur = nil
			}
			in = !in
			continue
		}
		if in {
			cur = append(cur, trimmed)
		}
	}
	if len(blocks) < 8 {
		t.Fatalf("found %d example blocks in FORMAT.md, want at least 8", len(blocks))
	}
	for i, b := range blocks {
		data := b
		if !strings.Contains(b, "@id ") {
			data = header + b
		}
		if _, err := Parse("FORMAT.md", []byte(data)); err != nil {
			t.Errorf("example %d of FORMAT.md does not parse: %v\n%s", i+1, err, b)
		}
	}
}
