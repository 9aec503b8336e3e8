package reports

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailspec/mailspec/transcripts"
)

// Bounds of the Markdown summary. GitHub caps a job summary
// ($GITHUB_STEP_SUMMARY) at 1 MiB; with these bounds the summary of any
// report with a handful of targets stays far below it.
const (
	mdMaxLine     = 200 // runes of one line (list items and table rows)
	mdMaxFailures = 200 // failure lines
	mdMaxOther    = 50  // lines of each of: known failures, errors, findings
	mdMaxMatrix   = 100 // matrix rows
	mdMaxCell     = 40  // runes of a target name in a table
)

// Matrix and totals symbols.
const (
	mdPass    = "✅"
	mdFail    = "❌"
	mdKnown   = "📌"
	mdNA      = "➖"
	mdError   = "⚠️"
	mdUnknown = "❔"
)

// WriteMarkdown writes r as a short Markdown summary for a CI job summary
// (GitHub's $GITHUB_STEP_SUMMARY, GitLab and others): a title and status
// line; a totals table per target with a row per protocol (fail counts
// failures that are not known failures; known counts those the baseline
// lists); the failures grouped by RFC section, MUST before SHOULD, one
// line each with expected vs. got; known failures, errors and findings in
// sections of their own; and, when several targets ran, a matrix of the
// case ids whose verdicts differ between targets.
//
// Server text goes in inline code spans whose backtick fence is longer
// than any backtick run inside; other text is backslash-escaped where
// Markdown (or GitHub's extensions: tables, mentions, math) would read it
// as markup. Control characters, invalid UTF-8 and Unicode bidirectional
// controls are written in the transcript's escaped form (\r, \n, \xHH), so
// every item stays on one line. Lines are cut to 200 characters, the
// failure list to 200 lines, the other lists to 50 and the matrix to 100
// rows, each followed by "… and N more".
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	mdHeader(&b, r)
	mdTotals(&b, r)
	mdFailures(&b, r)
	mdKnownFailures(&b, r)
	mdErrors(&b, r)
	mdFindings(&b, r)
	mdMatrix(&b, r)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("reports: markdown: %w", err)
	}
	return nil
}

func mdHeader(b *strings.Builder, r *Report) {
	b.WriteString("## mailspec conformance report\n\n")
	l := &mdLine{}
	name := r.Tool.Name
	if name == "" {
		name = "mailspec"
	}
	l.text(strings.TrimSpace(name+" "+r.Tool.Version), 60)
	if !r.StartedAt.IsZero() {
		l.raw(" · started " + r.StartedAt.UTC().Format("2006-01-02 15:04:05") + " UTC")
	}
	if r.DurationMS > 0 {
		l.raw(fmt.Sprintf(" · %.1f s", float64(r.DurationMS)/1000))
	}
	targets := mdTargets(r)
	l.raw(fmt.Sprintf(" · %d cases on %d %s", len(r.Cases), len(targets), mdPlural(len(targets), "target", "targets")))
	b.WriteString(l.String() + "\n\n")

	var all Counts
	must, should, other := 0, 0, 0
	for _, c := range r.Cases {
		all.add(c.Verdict, c.KnownFailure != "")
		if c.Verdict == transcripts.Fail && c.KnownFailure == "" {
			switch mdLevelRank(c.Level) {
			case 0:
				must++
			case 1:
				should++
			default:
				other++
			}
		}
	}
	fails := all.Fail - all.KnownFailures
	icon := mdPass
	switch {
	case must > 0:
		icon = mdFail
	case fails > 0 || all.Error > 0 || len(r.Findings) > 0:
		icon = mdError
	}
	var levels []string
	for _, p := range []struct {
		n    int
		name string
	}{{must, "MUST"}, {should, "SHOULD"}, {other, "other"}} {
		if p.n > 0 {
			levels = append(levels, fmt.Sprintf("%d %s", p.n, p.name))
		}
	}
	fmt.Fprintf(b, "**%s %d %s", icon, fails, mdPlural(fails, "failure", "failures"))
	if len(levels) > 0 {
		b.WriteString(" (" + strings.Join(levels, ", ") + ")")
	}
	fmt.Fprintf(b, "** · %d passed · %d known %s · %d not applicable · %d %s · %d %s\n\n",
		all.Pass, all.KnownFailures, mdPlural(all.KnownFailures, "failure", "failures"), all.NotApplicable,
		all.Error, mdPlural(all.Error, "error", "errors"), len(r.Findings), mdPlural(len(r.Findings), "finding", "findings"))
}

func mdPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// mdTargets lists the targets that have cases: the report's order first,
// then targets named only by cases, by name.
func mdTargets(r *Report) []string {
	has := map[string]bool{}
	for _, c := range r.Cases {
		has[c.Target] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range r.Targets {
		if has[t.Name] && !seen[t.Name] {
			seen[t.Name] = true
			out = append(out, t.Name)
		}
	}
	var rest []string
	for name := range has {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func mdTotals(b *strings.Builder, r *Report) {
	if len(r.Cases) == 0 {
		return
	}
	b.WriteString("### Totals\n\n")
	for _, t := range mdTargets(r) {
		var all Counts
		byProto := map[string]*Counts{}
		for _, c := range r.Cases {
			if c.Target != t {
				continue
			}
			known := c.KnownFailure != ""
			all.add(c.Verdict, known)
			p := byProto[c.Protocol]
			if p == nil {
				p = &Counts{}
				byProto[c.Protocol] = p
			}
			p.add(c.Verdict, known)
		}
		protos := make([]string, 0, len(byProto))
		for p := range byProto {
			protos = append(protos, p)
		}
		sort.Strings(protos)

		l := &mdLine{}
		l.raw("**")
		l.text(t, mdMaxCell)
		l.raw("**")
		b.WriteString(l.String() + "\n\n")
		b.WriteString("| protocol | cases | " + mdPass + " pass | " + mdFail + " fail | " + mdKnown + " known | " +
			mdNA + " n/a | " + mdError + " error |\n")
		b.WriteString("|:--|--:|--:|--:|--:|--:|--:|\n")
		row := func(name string, bold bool, c Counts) {
			l := &mdLine{}
			l.raw("| ")
			if bold {
				l.raw("**")
			}
			l.text(name, mdMaxCell)
			if bold {
				l.raw("**")
			}
			l.raw(fmt.Sprintf(" | %d | %d | %d | %d | %d | %d |", c.Cases, c.Pass, c.Fail-c.KnownFailures,
				c.KnownFailures, c.NotApplicable, c.Error))
			b.WriteString(l.String() + "\n")
		}
		row("all", true, all)
		for _, p := range protos {
			name := p
			if name == "" {
				name = "(none)"
			}
			row(name, false, *byProto[p])
		}
		b.WriteString("\n")
	}
}

// mdLevelRank orders levels: MUST and MUST NOT, then SHOULD and SHOULD
// NOT, then the rest.
func mdLevelRank(level string) int {
	switch level {
	case Must, MustNot:
		return 0
	case Should, ShouldNot:
		return 1
	}
	return 2
}

// mdSection is the RFC section a failure is listed under: its first.
type mdSection struct{ number, section string }

func mdSectionOf(c Case) mdSection {
	if len(c.RFC) == 0 {
		return mdSection{}
	}
	s := c.RFC[0].Section
	if s == "-" {
		s = ""
	}
	return mdSection{c.RFC[0].Number, s}
}

// mdLess orders RFC sections by number, then section, numerically
// ("4.2.10" after "4.2.9"); the case without RFC comes last.
func mdLess(a, b mdSection) bool {
	if (a.number == "") != (b.number == "") {
		return b.number == ""
	}
	if c := mdCompareDotted(a.number, b.number); c != 0 {
		return c < 0
	}
	return mdCompareDotted(a.section, b.section) < 0
}

func mdCompareDotted(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		switch {
		case aerr == nil && berr == nil && an != bn:
			if an < bn {
				return -1
			}
			return 1
		case (aerr == nil) != (berr == nil):
			if aerr == nil {
				return -1
			}
			return 1
		case as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}

// mdHeading writes the heading of a section's failures, linked to the
// RFC Editor when the number and section look like ones.
func mdHeading(s mdSection) string {
	l := &mdLine{}
	l.raw("#### ")
	if s.number == "" {
		l.raw("Without an RFC section")
		return l.String()
	}
	name := "RFC " + s.number
	if s.section != "" {
		name += " section " + s.section
	}
	if mdPlainRef(s.number, true) && mdPlainRef(s.section, false) {
		l.raw("[" + name + "](" + RFCURL(s.number, s.section) + ")")
		return l.String()
	}
	l.text(name, 80)
	return l.String()
}

// mdPlainRef reports whether s is a plain RFC number (digits) or section
// (letters, digits and dots).
func mdPlainRef(s string, digits bool) bool {
	if len(s) > 20 || (digits && s == "") {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
		case !digits && (c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'):
		default:
			return false
		}
	}
	return true
}

func mdFailures(b *strings.Builder, r *Report) {
	var fails []Case
	for _, c := range r.Cases {
		if c.Verdict == transcripts.Fail && c.KnownFailure == "" {
			fails = append(fails, c)
		}
	}
	if len(fails) == 0 {
		return
	}
	order := junitTargetOrder(r)
	sort.SliceStable(fails, func(i, j int) bool {
		a, b := fails[i], fails[j]
		if sa, sb := mdSectionOf(a), mdSectionOf(b); sa != sb {
			return mdLess(sa, sb)
		}
		if ra, rb := mdLevelRank(a.Level), mdLevelRank(b.Level); ra != rb {
			return ra < rb
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return order(a.Target) < order(b.Target)
	})
	fmt.Fprintf(b, "### Failures (%d)\n", len(fails))
	var cur mdSection
	for i, c := range fails {
		if i == mdMaxFailures {
			fmt.Fprintf(b, "\n… and %d more %s.\n", len(fails)-i, mdPlural(len(fails)-i, "failure", "failures"))
			break
		}
		if s := mdSectionOf(c); i == 0 || s != cur {
			cur = s
			b.WriteString("\n" + mdHeading(s) + "\n\n")
		}
		b.WriteString(mdFailLine(c) + "\n")
	}
	b.WriteString("\n")
}

// mdFailLine is one failure: "- **MUST** id [target]: expected `…`, got `…`".
func mdFailLine(c Case) string {
	l := &mdLine{}
	level := c.Level
	if level == "" {
		level = "FAIL"
	}
	l.raw("- **")
	l.text(level, 12)
	l.raw("** ")
	mdCaseKey(l, c)
	l.raw(": ")
	d := c.Detail
	switch {
	case d.Expected != "" || d.Got != "":
		l.raw("expected ")
		l.code(d.Expected, 60)
		l.raw(", got ")
		l.code(d.Got, mdMaxLine)
	case d.Reason != "":
		l.text(d.Reason, mdMaxLine)
	default:
		l.raw("failed")
	}
	return l.String()
}

// mdCaseKey writes "id [target]".
func mdCaseKey(l *mdLine, c Case) {
	l.text(c.ID, 100)
	l.raw(" \\[")
	l.text(c.Target, mdMaxCell)
	l.raw("\\]")
}

func mdKnownFailures(b *strings.Builder, r *Report) {
	var lines []string
	for _, c := range r.Cases {
		if c.Verdict == transcripts.Fail && c.KnownFailure != "" {
			l := &mdLine{}
			l.raw("- ")
			mdCaseKey(l, c)
			l.raw(": ")
			l.text(c.KnownFailure, mdMaxLine)
			lines = append(lines, l.String())
		}
	}
	mdList(b, "Known failures", lines)
}

func mdErrors(b *strings.Builder, r *Report) {
	var lines []string
	for _, c := range r.Cases {
		if c.Verdict == transcripts.Error {
			l := &mdLine{}
			l.raw("- ")
			mdCaseKey(l, c)
			l.raw(": ")
			if c.Detail.Reason == "" {
				l.raw("error")
			} else {
				l.text(c.Detail.Reason, mdMaxLine)
			}
			lines = append(lines, l.String())
		}
	}
	mdList(b, "Errors", lines)
}

func mdFindings(b *strings.Builder, r *Report) {
	var lines []string
	for _, f := range r.Findings {
		l := &mdLine{}
		kind := f.Kind
		if kind == "" {
			kind = "finding"
		}
		l.raw("- **")
		l.text(kind, 40)
		l.raw("** \\[")
		l.text(f.Target, mdMaxCell)
		l.raw("\\]: ")
		l.code(f.Summary, 120)
		if f.Seed != "" {
			l.raw(" · seed ")
			l.code(f.Seed, mdMaxLine)
		}
		lines = append(lines, l.String())
	}
	mdList(b, "Findings", lines)
}

// mdList writes a section of at most mdMaxOther lines.
func mdList(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s (%d)\n\n", title, len(lines))
	for i, line := range lines {
		if i == mdMaxOther {
			fmt.Fprintf(b, "… and %d more.\n", len(lines)-i)
			break
		}
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
}

// mdCell is the matrix symbol of a case result.
func mdCell(c Case) string {
	if sym, ok := mdSymbols[c.Status()]; ok {
		return sym
	}
	return mdUnknown
}

var mdSymbols = map[string]string{
	StatusPass:          mdPass,
	StatusFail:          mdFail,
	StatusKnownFailure:  mdKnown,
	StatusNotApplicable: mdNA,
	StatusError:         mdError,
}

// mdMatrix writes, when two or more targets ran, the case ids whose
// results differ between targets, one row each, a column per target.
func mdMatrix(b *strings.Builder, r *Report) {
	targets := mdTargets(r)
	if len(targets) < 2 {
		return
	}
	cells := map[string]map[string]string{}
	var ids []string
	for _, c := range r.Cases {
		row := cells[c.ID]
		if row == nil {
			row = map[string]string{}
			cells[c.ID] = row
			ids = append(ids, c.ID)
		}
		row[c.Target] = mdCell(c)
	}
	sort.Strings(ids)
	var differ []string
	for _, id := range ids {
		first := cells[id][targets[0]]
		for _, t := range targets[1:] {
			if cells[id][t] != first {
				differ = append(differ, id)
				break
			}
		}
	}
	fmt.Fprintf(b, "### Matrix\n\n")
	if len(differ) == 0 {
		fmt.Fprintf(b, "All %d targets agree on all %d cases.\n", len(targets), len(ids))
		return
	}
	fmt.Fprintf(b, "%d of %d cases differ between targets.\n\n", len(differ), len(ids))
	// Each target column takes at most mdMaxCell+3 runes; the case column
	// gets what is left of a line, and at least 40.
	caseWidth := max(mdMaxLine-len(targets)*(mdMaxCell+3)-4, 40)
	head := &mdLine{limit: -1}
	head.raw("| case |")
	sep := "|:--|"
	for _, t := range targets {
		head.raw(" ")
		head.text(t, mdMaxCell)
		head.raw(" |")
		sep += ":-:|"
	}
	b.WriteString(head.String() + "\n" + sep + "\n")
	for i, id := range differ {
		if i == mdMaxMatrix {
			fmt.Fprintf(b, "\n… and %d more.\n", len(differ)-i)
			break
		}
		l := &mdLine{limit: -1}
		l.raw("| ")
		l.text(id, caseWidth)
		l.raw(" |")
		for _, t := range targets {
			l.raw(" " + cells[id][t] + " |")
		}
		b.WriteString(l.String() + "\n")
	}
	b.WriteString("\n" + mdPass + " pass · " + mdFail + " fail · " + mdKnown + " known failure · " + mdNA +
		" not applicable · " + mdError + " error · blank: not run\n")
}

// mdLine builds one line of Markdown within a budget of mdMaxLine runes
// (no budget when limit is -1), cutting text to fit.
type mdLine struct {
	b     strings.Builder
	n     int
	limit int
}

func (l *mdLine) String() string { return l.b.String() }

func (l *mdLine) room() int {
	if l.limit < 0 {
		return 1 << 30
	}
	return mdMaxLine - l.n
}

func (l *mdLine) raw(s string) {
	l.b.WriteString(s)
	l.n += utf8.RuneCountInString(s)
}

// mdSpecial are the characters escaped in text: Markdown's inline markup
// and GitHub's extensions (tables, strikethrough, math, mentions, issue
// references).
const mdSpecial = "\\`*_[]<>|~&$!#@"

// text writes s as Markdown text: unsafe characters in escaped form,
// Markdown punctuation backslash-escaped, cut to max runes of output (and
// the line's room), ending in "…" when cut.
func (l *mdLine) text(s string, max int) {
	s = junitEscape(s, "")
	limit := min(max, l.room())
	width := func(r rune) int {
		if strings.ContainsRune(mdSpecial, r) {
			return 2
		}
		return 1
	}
	total := 0
	for _, r := range s {
		total += width(r)
	}
	cut := total > limit
	var out strings.Builder
	n := 0
	for _, r := range s {
		w := width(r)
		if cut && n+w > limit-1 {
			break
		}
		if w == 2 {
			out.WriteByte('\\')
		}
		out.WriteRune(r)
		n += w
	}
	if cut && limit >= 1 {
		out.WriteString("…")
	}
	l.raw(out.String())
}

// code writes s as an inline code span, cut to max runes including its
// fences: the fence is one backtick longer than the longest run inside,
// and a space pads the content when it begins or ends with a backtick (or
// with spaces at both ends, which CommonMark's code span rule strips).
func (l *mdLine) code(s string, max int) {
	s = junitEscape(s, "")
	if s == "" {
		l.raw("nothing")
		return
	}
	fence := strings.Repeat("`", mdLongestRun(s, '`')+1)
	padded := func(s string) bool {
		return s[0] == '`' || s[len(s)-1] == '`' || (s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "")
	}
	room := min(max, l.room())
	limit := room - 2*len(fence)
	if utf8.RuneCountInString(s) > limit {
		s = junitClipRunes(s, limit)
	}
	if limit >= 1 && padded(s) {
		limit -= 2
		s = junitClipRunes(s, limit)
	}
	if limit < 1 {
		if room >= 1 {
			l.raw("…")
		}
		return
	}
	pad := ""
	if padded(s) {
		pad = " "
	}
	l.raw(fence + pad + s + pad + fence)
}

func mdLongestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}
