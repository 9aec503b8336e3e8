package reports

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
)

// jmMarkdown writes r as Markdown and checks what holds for every
// summary: valid UTF-8, no control characters but LF, nothing that
// reorders or breaks a line, no line longer than mdMaxLine, and markup
// outside code spans only where the writer puts it.
func jmMarkdown(t *testing.T, r *Report) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, r); err != nil {
		t.Fatalf("WriteMarkdown: %v", err)
	}
	md := buf.String()
	if !utf8.ValidString(md) {
		t.Errorf("Markdown is not valid UTF-8")
	}
	for i, c := range md {
		if c != '\n' && junitUnsafeRune(c) {
			t.Errorf("Markdown has the raw character %U at byte %d", c, i)
			break
		}
	}
	for _, line := range strings.Split(md, "\n") {
		if n := utf8.RuneCountInString(line); n > mdMaxLine {
			t.Errorf("line of %d characters, want at most %d: %s", n, mdMaxLine, line)
		}
		if strings.HasPrefix(line, "- ") {
			if bad := jmUnescaped(line); bad != "" {
				t.Errorf("list item has markup %q outside code spans: %s", bad, line)
			}
		}
	}
	return md
}

// jmItemMarkup matches the markup the writer itself puts at the start of
// a list item: "- " and a bold level or finding kind.
var jmItemMarkup = regexp.MustCompile(`^- (\*\*[A-Za-z ]+\*\* )?`)

// jmUnescaped scans a list item the way CommonMark reads inline text
// (backslash escapes, code spans closed by a backtick string of the same
// length) and returns the first Markdown-special character found outside
// code spans and not escaped, or "" if there is none. An unclosed code
// span is reported as "`".
func jmUnescaped(line string) string {
	s := jmItemMarkup.ReplaceAllString(line, "")
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i += 2
		case c == '`':
			n := 0
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			fence := s[i : i+n]
			end := -1
			for j := i + n; j < len(s); {
				k := strings.Index(s[j:], fence)
				if k < 0 {
					break
				}
				k += j
				m := 0
				for k+m < len(s) && s[k+m] == '`' {
					m++
				}
				if m == n {
					end = k
					break
				}
				j = k + m
			}
			if end < 0 {
				return "`"
			}
			i = end + n
		case strings.IndexByte("*_[]<>|~&$@#`", c) >= 0:
			return string(c)
		default:
			i++
		}
	}
	return ""
}

// jmSection returns the text of the "### title" section (up to the next
// "### " heading), and its start, or -1.
func jmSection(md, title string) (string, int) {
	i := strings.Index(md, "\n### "+title)
	if i < 0 {
		return "", -1
	}
	rest := md[i+1:]
	if j := strings.Index(rest[4:], "\n### "); j >= 0 {
		rest = rest[:j+5]
	}
	return rest, i
}

func TestMarkdownSample(t *testing.T) {
	md := jmMarkdown(t, jmSample(t))
	if !strings.HasPrefix(md, "## mailspec conformance report\n\nmailspec 0.1.0-dev · started 2026-11-22 16:35:07 UTC · 1.9 s · 76 cases on 2 targets\n\n"+
		"**❌ 2 failures (1 MUST, 1 SHOULD)** · 74 passed · 0 known failures · 0 not applicable · 0 errors · 0 findings\n") {
		t.Errorf("header:\n%s", md[:min(len(md), 400)])
	}
	last := -1
	for _, title := range []string{"Totals", "Failures (2)", "Matrix"} {
		_, at := jmSection(md, title)
		if at < 0 || at < last {
			t.Errorf("section %q at %d, after %d", title, at, last)
		}
		last = at
	}
	for _, title := range []string{"Known failures", "Errors", "Findings"} {
		if _, at := jmSection(md, title); at >= 0 {
			t.Errorf("section %q present without anything in it", title)
		}
	}
	for _, s := range []string{
		"**embedded**\n\n| protocol | cases | ✅ pass | ❌ fail | 📌 known | ➖ n/a | ⚠️ error |\n|:--|--:|--:|--:|--:|--:|--:|\n| **all** | 38 | 36 | 2 | 0 | 0 | 0 |\n| imap | 12 | 12 | 0 | 0 | 0 | 0 |\n| pop3 | 13 | 13 | 0 | 0 | 0 | 0 |\n| smtp | 13 | 11 | 2 | 0 | 0 | 0 |\n",
		"**dovecot-postfix**\n\n",
		"| **all** | 38 | 38 | 0 | 0 | 0 | 0 |\n",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("totals lack %q", s)
		}
	}
	fails, _ := jmSection(md, "Failures")
	want := "### Failures (2)\n\n" +
		"#### [RFC 5321 section 3.3](https://www.rfc-editor.org/rfc/rfc5321#section-3.3)\n\n" +
		"- **MUST** smtp/5321/3.3/rcpt-before-mail-503 \\[embedded\\]: expected `503*`, got `502 5.5.1 Missing MAIL FROM command.`\n\n" +
		"#### [RFC 5321 section 4.2.4](https://www.rfc-editor.org/rfc/rfc5321#section-4.2.4)\n\n" +
		"- **SHOULD** smtp/5321/4.2.4/unknown-command-500 \\[embedded\\]: expected `500*`, got `501 5.5.2 Bad command`\n\n"
	if d := cmp.Diff(want, fails); d != "" {
		t.Errorf("failures (-want +got):\n%s", d)
	}
	matrix, _ := jmSection(md, "Matrix")
	wantMatrix := "### Matrix\n\n2 of 38 cases differ between targets.\n\n" +
		"| case | embedded | dovecot-postfix |\n|:--|:-:|:-:|\n" +
		"| smtp/5321/3.3/rcpt-before-mail-503 | ❌ | ✅ |\n" +
		"| smtp/5321/4.2.4/unknown-command-500 | ❌ | ✅ |\n\n" +
		"✅ pass · ❌ fail · 📌 known failure · ➖ not applicable · ⚠️ error · blank: not run\n"
	if d := cmp.Diff(wantMatrix, matrix); d != "" {
		t.Errorf("matrix (-want +got):\n%s", d)
	}
}

func TestMarkdownVerdicts(t *testing.T) {
	r := jmHostile()
	md := jmMarkdown(t, r)
	last := -1
	for _, title := range []string{"Totals", "Failures (7)", "Known failures (1)", "Errors (1)", "Findings (2)", "Matrix"} {
		_, at := jmSection(md, title)
		if at < 0 || at < last {
			t.Errorf("section %q at %d, after %d", title, at, last)
		}
		last = at
	}
	if !strings.Contains(md, "**❌ 7 failures (3 MUST, 3 SHOULD, 1 other)** · 6 passed · 1 known failure · 3 not applicable · 1 error · 2 findings\n") {
		t.Errorf("status line wrong:\n%s", md[:min(len(md), 600)])
	}

	// Each failure that is not a known failure: exactly one line, in the
	// failures section, MUST before SHOULD within an RFC section.
	fails, _ := jmSection(md, "Failures")
	var items []string
	for _, line := range strings.Split(fails, "\n") {
		if strings.HasPrefix(line, "- ") {
			items = append(items, line)
		}
	}
	var want []string
	for _, c := range r.Cases {
		if c.Verdict == transcripts.Fail && c.KnownFailure == "" {
			// The plain start of the id and the bracketed target.
			id := c.ID
			if i := strings.IndexAny(id, "|*_`\x1b"); i >= 0 {
				id = id[:i]
			}
			target := strings.NewReplacer("<", `\<`, "&", `\&`, ">", `\>`, "\x00", `\\x00`).Replace(c.Target)
			n := 0
			for _, it := range items {
				if strings.Contains(it, " "+id) && strings.Contains(it, `\[`+target+`\]`) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("failure %s [%s] on %d lines, want 1", c.ID, c.Target, n)
			}
			want = append(want, c.Level)
		}
	}
	if len(items) != len(want) {
		t.Errorf("%d failure lines, want %d:\n%s", len(items), len(want), fails)
	}
	for _, s := range []string{
		// Server text in a code span, fenced past its backtick.
		"expected `503*`, got ``a<b>&amp;\"'c ]]> d\\x00e\\x1b[31mf\\x7f\\xff\\xfeg\\xe2\\x80\\xa8h\\xef\\xbf\\xbei\\xe2\\x80\\xaej\\r\\nk` | * _ ",
		"#### Without an RFC section\n\n- **FAIL** x/0/0/bare \\[beta\\]: expected nothing, got `\\x00`\n",
		"- **MUST NOT** smtp/5321/2.4/weird\\|id\\*\\_\\`x\\`\\\\x1b \\[gamma\\<\\&\\>\\\\x00\\]: ",
	} {
		if !strings.Contains(fails, s) {
			t.Errorf("failures lack %q:\n%s", s, fails)
		}
	}
	if i, j := strings.Index(fails, "**MUST** smtp/5321/3.3/must-fail"), strings.Index(fails, "**SHOULD** smtp/5321/4.2.4/should-fail \\[alpha"); i < 0 || j < i {
		t.Errorf("MUST failure at %d, SHOULD at %d: want MUST first", i, j)
	}

	known, _ := jmSection(md, "Known failures")
	if !strings.Contains(known, "- smtp/5321/4.5.3.1.4/known \\[alpha\\]: Postfix accepts long lines a\\<b\\>\\&amp;\"'c \\]\\]\\> d\\\\x00") {
		t.Errorf("known failures:\n%s", known)
	}
	errs, _ := jmSection(md, "Errors")
	if !strings.Contains(errs, "- pop3/1939/5/error \\[beta\\]: dial: a\\<b\\>") {
		t.Errorf("errors:\n%s", errs)
	}
	findings, _ := jmSection(md, "Findings")
	for _, s := range []string{"- **crash** \\[alpha\\]: ``server closed the connection a<b>", "· seed `` seed`1` ``\n",
		"- **hang** \\[beta\\]: `no reply in 30 s`\n"} {
		if !strings.Contains(findings, s) {
			t.Errorf("findings lack %q:\n%s", s, findings)
		}
	}

	matrix, _ := jmSection(md, "Matrix")
	for _, s := range []string{
		"6 of 8 cases differ between targets.",
		"| case | alpha | beta | gamma\\<\\&\\>\\\\x00 |\n|:--|:-:|:-:|:-:|\n",
		"| pop3/1939/4/na | ➖ | ➖ |  |\n",
		"| pop3/1939/5/error | ✅ | ⚠️ |  |\n",
		"| smtp/5321/3.3/must-fail | ❌ | ✅ | ➖ |\n",
		"| smtp/5321/4.5.3.1.4/known | 📌 | ✅ | ❌ |\n",
		"| smtp/5321/2.4/weird\\|id\\*\\_\\`x\\`\\\\x1b |  |  | ❌ |\n",
	} {
		if !strings.Contains(matrix, s) {
			t.Errorf("matrix lacks %q:\n%s", s, matrix)
		}
	}
	for _, s := range []string{"imap/9051/6.1.1/pass", "should-fail"} {
		if strings.Contains(matrix, s) {
			t.Errorf("matrix lists %s, whose verdicts are the same on every target", s)
		}
	}
}

func TestMarkdownCap(t *testing.T) {
	const n = 5000
	md := jmMarkdown(t, jmMany(n, 200))
	t.Logf("summary of %d failures: %d bytes", n, len(md))
	if len(md) > 128<<10 {
		t.Errorf("summary of %d failures is %d bytes, want at most 128 KiB (GitHub's limit is 1 MiB)", n, len(md))
	}
	fails, _ := jmSection(md, "Failures")
	if got := strings.Count(fails, "\n- **"); got != mdMaxFailures {
		t.Errorf("%d failure lines, want %d", got, mdMaxFailures)
	}
	if !strings.Contains(fails, "\n… and 4800 more failures.\n") {
		t.Errorf("no \"… and 4800 more failures.\" line")
	}
	matrix, _ := jmSection(md, "Matrix")
	if got := strings.Count(matrix, "\n| smtp/"); got != mdMaxMatrix {
		t.Errorf("%d matrix rows, want %d", got, mdMaxMatrix)
	}
	if !strings.Contains(matrix, "\n… and 4900 more.\n") {
		t.Errorf("no \"… and 4900 more.\" after the matrix")
	}
}

func TestMarkdownOneTarget(t *testing.T) {
	r := &Report{Targets: []Target{{Name: "only"}}, Cases: []Case{
		{ID: "a/1/1/x", Protocol: "smtp", Target: "only", Level: Must, Verdict: transcripts.Pass},
		{ID: "a/1/1/y", Protocol: "smtp", Target: "only", Level: Should, Verdict: transcripts.Fail,
			RFC: []RFCRef{{"5321", "-", ""}, {"1939", "3", ""}}, Detail: Detail{Reason: "no *reply* in 30 s"}},
		{ID: "a/1/1/z", Protocol: "smtp", Target: "only", Level: Must, Verdict: transcripts.Fail, KnownFailure: "by design"},
	}}
	r.Finish()
	md := jmMarkdown(t, r)
	if _, at := jmSection(md, "Matrix"); at >= 0 {
		t.Errorf("matrix for one target:\n%s", md)
	}
	for _, s := range []string{
		"**⚠️ 1 failure (1 SHOULD)** · 1 passed · 1 known failure",
		"#### [RFC 5321](https://www.rfc-editor.org/rfc/rfc5321)\n\n- **SHOULD** a/1/1/y \\[only\\]: no \\*reply\\* in 30 s\n",
		"### Known failures (1)\n\n- a/1/1/z \\[only\\]: by design\n",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("summary lacks %q:\n%s", s, md)
		}
	}

	r.Cases = r.Cases[:1]
	r.Finish()
	md = jmMarkdown(t, r)
	if !strings.Contains(md, "**✅ 0 failures** · 1 passed") {
		t.Errorf("status of a clean run:\n%s", md)
	}
	if _, at := jmSection(md, "Failures"); at >= 0 {
		t.Errorf("failures section in a clean run:\n%s", md)
	}
}

func TestMarkdownSpans(t *testing.T) {
	code := []struct {
		in   string
		max  int
		want string
	}{
		{"503*", 100, "`503*`"},
		{"a`b", 100, "``a`b``"},
		{"`x`", 100, "`` `x` ``"},
		{"a``b```c", 100, "````a``b```c````"},
		{" x ", 100, "`  x  `"},
		{"   ", 100, "`   `"},
		{"", 100, "nothing"},
		{"a\r\nb\x00\x1b\xff", 100, "`a\\r\\nb\\x00\\x1b\\xff`"},
		{"<b>|*_</b>", 100, "`<b>|*_</b>`"},
		{"0123456789abcdef", 10, "`0123456…`"},
		{"`0123456789", 10, "`` `01… ``"},
		{"0123456789`", 10, "``01234…``"},
		{"0123456789", 3, "`…`"},
		{"0123456789", 2, "…"},
	}
	for _, tt := range code {
		l := &mdLine{}
		l.code(tt.in, tt.max)
		if got := l.String(); got != tt.want {
			t.Errorf("code(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(l.String()); n > tt.max && tt.in != "" {
			t.Errorf("code(%q, %d) has %d characters", tt.in, tt.max, n)
		}
	}
	text := []struct {
		in   string
		max  int
		want string
	}{
		{"plain text, é", 100, "plain text, é"},
		{"a*b_c`d|e<f>&g$h@i#j[k]~l!m\\n", 100, `a\*b\_c\` + "`" + `d\|e\<f\>\&g\$h\@i\#j\[k\]\~l\!m\\n`},
		{"x\r\n- item\x00", 100, `x\\r\\n- item\\x00`},
		{strings.Repeat("*", 50), 11, `\*\*\*\*\*…`},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"abcde*", 6, "abcde…"},
		{"abcd*", 6, "abcd\\*"},
	}
	for _, tt := range text {
		l := &mdLine{}
		l.text(tt.in, tt.max)
		if got := l.String(); got != tt.want {
			t.Errorf("text(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(l.String()); n > tt.max {
			t.Errorf("text(%q, %d) has %d characters", tt.in, tt.max, n)
		}
	}
	// The budget of a line holds whatever is added to it.
	l := &mdLine{}
	l.raw("- ")
	for range 10 {
		l.text(strings.Repeat("<", 30), 100)
		l.code(strings.Repeat("`", 30), 100)
	}
	if n := utf8.RuneCountInString(l.String()); n > mdMaxLine {
		t.Errorf("line of %d characters after overfilling, want at most %d", n, mdMaxLine)
	}
}

func TestMarkdownUnescapedScanner(t *testing.T) {
	// jmUnescaped is the judge of the list items above: check it judges.
	tests := []struct{ in, want string }{
		{"- **MUST** a/b \\[t\\]: expected `x*`, got ``a`b``", ""},
		{"- a *b*", "*"},
		{"- a `b", "`"},
		{"- a ``b` c", "`"},
		{"- a \\| b | c", "|"},
		{"- a `<` <b>", "<"},
		{"- **crash** x_y", "_"},
	}
	for _, tt := range tests {
		if got := jmUnescaped(tt.in); got != tt.want {
			t.Errorf("jmUnescaped(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
