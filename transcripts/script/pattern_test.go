package script

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPatternMatch(t *testing.T) {
	vars := map[string]string{"user": "alice", "star": "a*b", "empty": "", "tag": "a1"}
	tests := []struct {
		pattern, input string
		vars           map[string]string
		wantOK         bool
		wantCaps       map[string]string
	}{
		// No wildcard: exact, anchored, case-sensitive.
		{"250 OK", "250 OK", nil, true, nil},
		{"250 OK", "250 OK ", nil, false, nil},
		{"250 OK", " 250 OK", nil, false, nil},
		{"250 OK", "250 ok", nil, false, nil},
		{"", "", nil, true, nil},
		{"", "x", nil, false, nil},
		// Stars.
		{"*", "", nil, true, nil},
		{"*", "anything at all", nil, true, nil},
		{"250 *", "250 ", nil, true, nil},
		{"250 *", "250", nil, false, nil},
		{"250-*", "250 x", nil, false, nil},
		{"*OK", "OK", nil, true, nil},
		{"a*b*c", "abc", nil, true, nil},
		{"a*b*c", "aXbYbZc", nil, true, nil},
		{"a*b*c", "aXbYbZcd", nil, false, nil},
		{"a*b*c", "aXcYc", nil, false, nil},
		{"ab*ba", "aba", nil, false, nil},
		{"ab*ba", "abba", nil, true, nil},
		{"a**b", "ab", nil, true, nil},
		{"*a*a*a*", "aa", nil, false, nil},
		{"*a*a*a*", "xaxaxa", nil, true, nil},
		// Greedy captures: each star as long as the rest allows, the
		// leftmost first.
		{"a${x=*}b${y=*}c", "aXbYbZc", nil, true, map[string]string{"x": "XbY", "y": "Z"}},
		{"${x=*}${y=*}", "abc", nil, true, map[string]string{"x": "abc", "y": ""}},
		{"${x=*} ${y=*}", "a b c", nil, true, map[string]string{"x": "a b", "y": "c"}},
		{"* ${n=*} EXISTS", "* 17 EXISTS", nil, true, map[string]string{"n": "17"}},
		{"${a=*}-${b=*}-${c=*}", "1-2-3-4", nil, true, map[string]string{"a": "1-2", "b": "3", "c": "4"}},
		{"${x=*}b", "aaa", nil, false, nil},
		// Escapes: \* \\ \$ and everything else literal.
		{`\*`, "*", nil, true, nil},
		{`\*`, "x", nil, false, nil},
		{`* OK [PERMANENTFLAGS (\Seen \\\*)] *`, `* OK [PERMANENTFLAGS (\Seen \*)] Limited`, nil, true, nil},
		{`* OK [PERMANENTFLAGS (\Seen \\\*)] *`, `* OK [PERMANENTFLAGS (\Seen \Deleted)] Limited`, nil, false, nil},
		// "\\*" is a backslash then a wildcard.
		{`(\Seen \\*)`, `(\Seen \Deleted)`, nil, true, nil},
		{`* FLAGS (\Answered \Seen)`, `* FLAGS (\Answered \Seen)`, nil, true, nil},
		{`a\\b`, `a\b`, nil, true, nil},
		{`a\\b`, `a\\b`, nil, false, nil},
		{`\$5 and \${x}`, "$5 and ${x}", nil, true, nil},
		{`$5 {x}`, "$5 {x}", nil, true, nil},
		{`trailing\`, `trailing\`, nil, true, nil},
		{`\x0a`, `\x0a`, nil, true, nil},
		// References are literal text, even when the value holds a star.
		{"${tag} OK *", "a1 OK done", vars, true, nil},
		{"${tag} OK *", "a2 OK done", vars, false, nil},
		{"x${star}y", "xa*by", vars, true, nil},
		{"x${star}y", "xaZZby", vars, false, nil},
		{"<${empty}>", "<>", vars, true, nil},
		{"${user}*${user}", "alice and alice", vars, true, nil},
		{"${user}*${user}", "alice", vars, false, nil},
		{"${tag} ${v=*} ${user}", "a1 x alice y alice", vars, true, map[string]string{"v": "x alice y"}},
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("CompilePattern(%q): %v", tt.pattern, err)
		}
		caps, ok, err := p.Match(tt.input, tt.vars)
		if err != nil {
			t.Errorf("Match(%q, %q): %v", tt.pattern, tt.input, err)
			continue
		}
		if ok != tt.wantOK {
			t.Errorf("Match(%q, %q) ok = %v, want %v", tt.pattern, tt.input, ok, tt.wantOK)
		}
		if diff := cmp.Diff(tt.wantCaps, caps); diff != "" {
			t.Errorf("Match(%q, %q) captures (-want +got):\n%s", tt.pattern, tt.input, diff)
		}
	}
}

// TestPatternGreedyAgrees checks Match against a brute-force search
// that tries every split, longest first for the leftmost star.
func TestPatternGreedyAgrees(t *testing.T) {
	patterns := []string{"a*b*c", "*a*", "${x=*}a${y=*}", "${x=*}ab${y=*}b${z=*}", "a${x=*}a${y=*}a", "**", "${x=*}${y=*}a"}
	inputs := []string{"", "a", "aa", "abc", "aXbYbZc", "abab", "aabbaab", "babab", "aaaa", "abcabcabc"}
	for _, ps := range patterns {
		p, err := CompilePattern(ps)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			caps, ok, _ := p.Match(in, nil)
			wantStars, wantOK := bruteMatch(p.lits, in)
			if ok != wantOK {
				t.Errorf("Match(%q, %q) = %v, brute force says %v", ps, in, ok, wantOK)
				continue
			}
			if !ok {
				continue
			}
			for i, name := range p.stars {
				if name != "" && caps[name] != wantStars[i] {
					t.Errorf("Match(%q, %q): %s = %q, brute force says %q", ps, in, name, caps[name], wantStars[i])
				}
			}
		}
	}
}

// bruteMatch matches lits[0] * lits[1] * ... exhaustively, preferring
// longer earlier stars, and returns the stars' texts.
func bruteMatch(lits []string, s string) ([]string, bool) {
	if !strings.HasPrefix(s, lits[0]) {
		return nil, false
	}
	if len(lits) == 1 {
		return nil, s == lits[0]
	}
	rest := s[len(lits[0]):]
	for n := len(rest); n >= 0; n-- {
		if stars, ok := bruteMatch(lits[1:], rest[n:]); ok {
			return append([]string{rest[:n]}, stars...), true
		}
	}
	return nil, false
}

func TestPatternErrors(t *testing.T) {
	for _, tt := range []struct{ pattern, want string }{
		{"${", "unterminated ${"},
		{"${x", "unterminated ${x"},
		{"${x=}", "bad variable reference ${x=}"},
		{"${x=**}", "bad variable reference"},
		{"${-}", "bad variable reference ${-}"},
		{"${a=*}${a=*}", "capture ${a=*} appears twice"},
	} {
		_, err := CompilePattern(tt.pattern)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "script: ") {
			t.Errorf("CompilePattern(%q) error = %v, want %q", tt.pattern, err, tt.want)
		}
	}
	p, err := CompilePattern("${tag} OK")
	if err != nil {
		t.Fatal(err)
	}
	caps, ok, err := p.Match("a1 OK", map[string]string{"other": "x"})
	if err == nil || ok || caps != nil || !strings.Contains(err.Error(), "unknown variable ${tag}") {
		t.Errorf("Match with an unknown variable = %v, %v, %v; want an error", caps, ok, err)
	}
}

func TestPatternAccessors(t *testing.T) {
	p, err := CompilePattern("${a=*} * ${b=*} ${c}")
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != "${a=*} * ${b=*} ${c}" {
		t.Errorf("String() = %q", p.String())
	}
	if diff := cmp.Diff([]string{"a", "b"}, p.Captures()); diff != "" {
		t.Errorf("Captures() (-want +got):\n%s", diff)
	}
}

func TestQuotePattern(t *testing.T) {
	for _, s := range []string{
		"", "plain", "*", `\`, `\\`, `\*`, `\$`, "${x}", `\${x}`, "$", "$$", "a*b*c",
		`* FLAGS (\Answered \Seen)`, `{lit:a\\b\r\n}`, `trailing\`, `\\\`, `\x0a`, "${x=*}",
	} {
		q := QuotePattern(s)
		p, err := CompilePattern(q)
		if err != nil {
			t.Errorf("CompilePattern(QuotePattern(%q) = %q): %v", s, q, err)
			continue
		}
		if _, ok, err := p.Match(s, nil); !ok || err != nil {
			t.Errorf("QuotePattern(%q) = %q does not match its input (%v)", s, q, err)
		}
		if len(p.stars) != 0 {
			t.Errorf("QuotePattern(%q) = %q has a wildcard", s, q)
		}
	}
	if got := QuotePattern(`* FLAGS (\Seen)`); got != `\* FLAGS (\Seen)` {
		t.Errorf("QuotePattern kept no \\Seen as is: %q", got)
	}
}

// TestPatternLinear matches patterns that make a backtracking matcher
// exponential; the test would time out if Match backtracked.
func TestPatternLinear(t *testing.T) {
	line := strings.Repeat("a", 64<<10)
	for _, ps := range []string{strings.Repeat("*a", 20) + "b", strings.Repeat("a*", 20) + "b", strings.Repeat("${x=*}", 1) + strings.Repeat("*a", 30) + "*"} {
		p, err := CompilePattern(ps)
		if err != nil {
			t.Fatal(err)
		}
		_, ok, _ := p.Match(line, nil)
		if want := strings.HasSuffix(ps, "*"); ok != want {
			t.Errorf("Match(%q...) = %v, want %v", ps[:10], ok, want)
		}
	}
}

func BenchmarkPattern20Stars(b *testing.B) {
	line := strings.Repeat("abcdefgh", 8<<10) // 64 KiB
	// 20 stars; the literals are placed from the right, and the last one
	// to place, "x", is nowhere: the whole line is scanned.
	p, err := CompilePattern("*x" + strings.Repeat("*a", 18) + "*h")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, ok, _ := p.Match(line, nil); ok {
			b.Fatal("matched")
		}
	}
}

func BenchmarkPattern20StarsMatch(b *testing.B) {
	line := strings.Repeat("a", 64<<10)
	p, err := CompilePattern(strings.Repeat("${x=*}a", 1) + strings.Repeat("*a", 19) + "*")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, ok, _ := p.Match(line, nil); !ok {
			b.Fatal("no match")
		}
	}
}
