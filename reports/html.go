package reports

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailspec/mailspec/transcripts"
)

// The HTML report is one self-contained file: the page, its style sheet and
// its script are embedded in the binary and inlined into the output, so the
// file reads the same from file:// as from a server and fetches nothing.
//
//go:embed html/report.html.tmpl html/report.css html/report.js
var htmlFS embed.FS

var (
	htmlTmpl = template.Must(template.New("report.html.tmpl").ParseFS(htmlFS, "html/report.html.tmpl"))
	htmlCSS  = mustRead("html/report.css")
	htmlJS   = mustRead("html/report.js")
	// htmlCSP allows the page's own inline style sheet and script (by
	// hash) and data: images, and nothing else: no request can leave the
	// page even if something slipped past the escaping.
	htmlCSP = "default-src 'none'; img-src data:; style-src " + cspHash(htmlCSS) +
		"; script-src " + cspHash(htmlJS) + "; base-uri 'none'; form-action 'none'"
)

func mustRead(name string) string {
	b, err := htmlFS.ReadFile(name)
	if err != nil {
		panic("reports: embedded " + name + ": " + err.Error()) // a build defect, not input
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// WriteHTML writes r as a single self-contained HTML page for people: a
// header with the tool, the time and the targets (endpoints, TLS, and
// capabilities before and after TLS), a summary of the verdicts per
// protocol, per RFC 2119 level and per RFC, the list of cases (failures
// first) with filters and each case's reason, expected-versus-got and
// transcript, the fuzzing findings, and, when two or more targets ran, a
// matrix of verdicts with cases as rows and targets as columns.
//
// Every string of the report is written through html/template's escaping,
// after control characters, bidirectional-override characters and bytes
// that are not UTF-8 have been replaced by visible escapes; the only
// external links are the RFC Editor's pages of the cited RFC sections. The
// page's Content-Security-Policy allows no request at all.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("reports: WriteHTML: nil report")
	}
	if err := htmlTmpl.Execute(w, buildHTMLPage(r)); err != nil {
		return fmt.Errorf("reports: html: %w", err)
	}
	return nil
}

// Verdict classes: what the page shows for a case. They partition the
// cases: a failure listed in the baseline is a known failure, not a fail.
const (
	classFail  = StatusFail
	classError = StatusError
	classKnown = StatusKnownFailure
	classNA    = StatusNotApplicable
	classPass  = StatusPass
)

// verdictClasses in the order the case list shows them: failures first.
var verdictClasses = []struct{ class, label, symbol string }{
	{classFail, "fail", "✗"},
	{classError, "error", "!"},
	{classKnown, "known failure", "≈"},
	{classNA, "not applicable", "–"},
	{classPass, "pass", "✓"},
}

// verdictClass is the class of c. A verdict the model does not know is
// shown as an error: the report is broken, not the server.
func verdictClass(c *Case) string {
	if st := c.Status(); st != "" {
		return st
	}
	return classError
}

func classRank(class string) int {
	for i, v := range verdictClasses {
		if v.class == class {
			return i
		}
	}
	return len(verdictClasses)
}

// classLabel and classSymbol name a verdict class in words and in the
// matrix's one-character symbols.
func classLabel(class string) string {
	return verdictClasses[classRank(class)%len(verdictClasses)].label
}

func classSymbol(class string) string {
	return verdictClasses[classRank(class)%len(verdictClasses)].symbol
}

func isDigits(s string) bool          { return s != "" && strings.Trim(s, "0123456789") == "" }
func levelIsMust(level string) bool   { return level == Must || level == MustNot }
func levelIsShould(level string) bool { return level == Should || level == ShouldNot }

// plural writes "1 one" or "n many".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// levelRank orders RFC 2119 levels from the strongest.
func levelRank(level string) int {
	switch level {
	case Must:
		return 0
	case MustNot:
		return 1
	case Should:
		return 2
	case ShouldNot:
		return 3
	case May:
		return 4
	}
	return 5
}

// The view model: everything the template shows, already cleaned.

type htmlPage struct {
	Title     string
	CSP       string
	CSS       template.CSS
	JS        template.JS
	Tool      string
	Version   string
	Schema    string
	Started   string
	Duration  string
	Outcome   htmlOutcome
	Targets   []htmlTarget
	Tiles     []htmlTile
	Total     int
	Tables    []htmlCountTable
	Cases     []htmlCase
	Filters   htmlFilters
	Findings  []htmlFinding
	Matrix    *htmlMatrix
	TargetSum string
}

type htmlOutcome struct{ Class, Text string }

type htmlTarget struct {
	Name      string
	Source    string
	Endpoints []htmlEndpoint
}

type htmlEndpoint struct {
	URL, Protocol, TLS string
	Before, After      []htmlCap
	NBefore, NAfter    int
}

type htmlCap struct {
	Name   string
	Change string // "added" after TLS, "removed" after TLS, or ""
}

type htmlTile struct {
	Class, Label string
	N            int
}

type htmlCountTable struct {
	ID, Title, Head string
	Rows            []htmlCountRow
}

type htmlCountRow struct {
	Key, Label, URL                     string
	Cases, Fail, Error, Known, NA, Pass int
	Bar                                 []htmlBarSeg
}

type htmlBarSeg struct {
	Class string
	X, W  string
}

type htmlFilters struct {
	Verdicts  []htmlOption
	Protocols []htmlOption
	RFCs      []htmlOption
	Levels    []htmlOption
	Targets   []htmlOption
}

type htmlOption struct {
	Value, Label string
	N            int
}

type htmlCase struct {
	Anchor       string
	Class        string
	Label        string
	ID           string
	Title        string
	Group        string
	Protocol     string
	Target       string
	Source       string
	Level        string
	RFCs         []htmlRFC
	RFCNums      string
	Duration     string
	Reason       string
	Expected     string
	Got          string
	Line         int
	Violations   []htmlViolation
	KnownFailure string
	Transcript   htmlTranscript
}

type htmlRFC struct{ Label, URL string }

type htmlViolation struct {
	RFC    htmlRFC
	Level  string
	Msg    string
	Offset int
}

type htmlTranscript struct {
	Entries  []htmlEntry
	FailedAt int // -1 when no entry failed
}

type htmlEntry struct {
	Index   int
	Conn    int
	T       string
	Kind    string // c, s, tls, note, other
	Prefix  string
	Segs    []htmlSeg
	Failing bool
	NewConn bool
}

// htmlSeg is a piece of transcript data: plain text, or an escape (a
// control byte or a byte that is not UTF-8) shown dimmed. Break ends a
// line after the segment (after "\n").
type htmlSeg struct {
	Text  string
	Esc   bool
	Break bool
}

type htmlFinding struct {
	Kind, Target, Seed, Summary string
	Anchor                      string
	Transcript                  htmlTranscript
}

type htmlMatrix struct {
	Targets []htmlMatrixTarget
	Rows    []htmlMatrixRow
	Differ  int
}

type htmlMatrixTarget struct {
	Name              string
	Pass, Fail, Other int
}

type htmlMatrixRow struct {
	ID, Title string
	Differ    bool
	Cells     []htmlMatrixCell
}

type htmlMatrixCell struct {
	Class, Symbol, Anchor, Label string
}

// buildHTMLPage turns r into the view the template shows: every string
// cleaned, cases ordered failures first, counts and matrix computed.
func buildHTMLPage(r *Report) *htmlPage {
	p := &htmlPage{
		CSP:     htmlCSP,
		CSS:     template.CSS(htmlCSS),
		JS:      template.JS(htmlJS),
		Tool:    clean(r.Tool.Name),
		Version: clean(r.Tool.Version),
		Schema:  clean(r.Schema),
	}
	if p.Tool == "" {
		p.Tool = "mailspec"
	}
	if r.StartedAt.IsZero() {
		p.Started = "unknown time"
	} else {
		p.Started = r.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	p.Duration = formatMS(float64(r.DurationMS))

	// Cases, failures first; anchors follow the order of the page.
	order := make([]int, len(r.Cases))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := &r.Cases[order[a]], &r.Cases[order[b]]
		ra, rb := classRank(verdictClass(ca)), classRank(verdictClass(cb))
		if ra != rb {
			return ra < rb
		}
		if la, lb := levelRank(ca.Level), levelRank(cb.Level); la != lb && ra < classRank(classNA) {
			return la < lb
		}
		if ca.ID != cb.ID {
			return ca.ID < cb.ID
		}
		return ca.Target < cb.Target
	})
	anchors := map[CaseKey]string{}
	classCount := map[string]int{}
	protoCount := map[string]int{}
	levelCount := map[string]int{}
	targetCount := map[string]int{}
	rfcCount := map[string]int{}
	mustFails, shouldFails, nErrors := 0, 0, 0
	for n, i := range order {
		c := &r.Cases[i]
		hc := buildHTMLCase(c, "c-"+strconv.Itoa(n+1))
		p.Cases = append(p.Cases, hc)
		k := CaseKey{ID: c.ID, Target: c.Target}
		if _, dup := anchors[k]; !dup {
			anchors[k] = hc.Anchor
		}
		classCount[hc.Class]++
		protoCount[hc.Protocol]++
		levelCount[hc.Level]++
		targetCount[hc.Target]++
		for _, num := range strings.Fields(hc.RFCNums) {
			rfcCount[num]++
		}
		switch {
		case hc.Class == classFail && levelIsMust(c.Level):
			mustFails++
		case hc.Class == classFail && levelIsShould(c.Level):
			shouldFails++
		case hc.Class == classError:
			nErrors++
		}
	}
	p.Total = len(r.Cases)

	// Outcome: what mailspec run's exit status says, in words.
	switch r.ExitCode(false) {
	case ExitFailures:
		p.Outcome = htmlOutcome{"fail", plural(mustFails, "MUST-level failure", "MUST-level failures") + " not in the baseline"}
	case ExitNoRun:
		p.Outcome = htmlOutcome{"error", plural(nErrors, "case", "cases") + " ended in error (the harness could not run them); no MUST-level failure"}
	default:
		p.Outcome = htmlOutcome{"pass", "No MUST-level failure outside the baseline"}
	}
	if shouldFails > 0 {
		p.Outcome.Text += "; " + plural(shouldFails, "SHOULD-level failure", "SHOULD-level failures") + " (these fail the run only with --strict)"
	}
	if len(r.Cases) == 0 {
		p.Outcome = htmlOutcome{"error", "The report holds no case"}
	}

	// Summary tiles, from the totals the report carries.
	t := r.Totals
	p.Tiles = []htmlTile{
		{classFail, "fail", t.Fail - t.KnownFailures},
		{classError, "error", t.Error},
		{classKnown, "known failure", t.KnownFailures},
		{classNA, "not applicable", t.NotApplicable},
		{classPass, "pass", t.Pass},
	}
	p.Tables = []htmlCountTable{
		countTable("by-protocol", "Per protocol", "protocol", t.ByProtocol, sortedKeys(t.ByProtocol, nil), func(k string) (string, string) { return k, "" }),
		countTable("by-level", "Per requirement level (RFC 2119)", "level", t.ByLevel, sortedKeys(t.ByLevel, func(a, b string) bool {
			if ra, rb := levelRank(a), levelRank(b); ra != rb {
				return ra < rb
			}
			return a < b
		}), func(k string) (string, string) { return k, "" }),
		countTable("by-rfc", "Per RFC", "RFC", t.ByRFC, sortedKeys(t.ByRFC, rfcLess), func(k string) (string, string) {
			if isDigits(k) {
				return "RFC " + k, RFCURL(k, "")
			}
			return k, ""
		}),
	}

	// Filters list what the cases hold.
	for _, v := range verdictClasses {
		p.Filters.Verdicts = append(p.Filters.Verdicts, htmlOption{v.class, v.label, classCount[v.class]})
	}
	p.Filters.Protocols = options(protoCount, nil)
	p.Filters.Levels = options(levelCount, func(a, b string) bool {
		if ra, rb := levelRank(a), levelRank(b); ra != rb {
			return ra < rb
		}
		return a < b
	})
	p.Filters.RFCs = options(rfcCount, rfcLess)
	for i := range p.Filters.RFCs {
		if isDigits(p.Filters.RFCs[i].Value) {
			p.Filters.RFCs[i].Label = "RFC " + p.Filters.RFCs[i].Value
		}
	}

	// Targets: those of the profile list, then any that only cases name.
	var targetNames []string
	seenTarget := map[string]bool{}
	for _, tg := range r.Targets {
		ht := htmlTarget{Name: clean(tg.Name), Source: clean(tg.Source)}
		for _, e := range tg.Endpoints {
			ht.Endpoints = append(ht.Endpoints, buildEndpoint(e))
		}
		p.Targets = append(p.Targets, ht)
		if !seenTarget[ht.Name] {
			seenTarget[ht.Name] = true
			targetNames = append(targetNames, ht.Name)
		}
	}
	for _, hc := range p.Cases {
		if !seenTarget[hc.Target] {
			seenTarget[hc.Target] = true
			targetNames = append(targetNames, hc.Target)
		}
	}
	for _, name := range targetNames {
		p.Filters.Targets = append(p.Filters.Targets, htmlOption{name, name, targetCount[name]})
	}
	var sum []string
	for _, ht := range p.Targets {
		sum = append(sum, ht.Name+" ("+plural(len(ht.Endpoints), "endpoint", "endpoints")+")")
	}
	p.TargetSum = strings.Join(sum, ", ")
	p.Title = p.Tool + " report"
	if len(targetNames) > 0 {
		p.Title += ": " + strings.Join(targetNames, ", ")
	}
	if !r.StartedAt.IsZero() {
		p.Title += " (" + r.StartedAt.UTC().Format("2006-01-02 15:04") + ")"
	}

	for i, f := range r.Findings {
		p.Findings = append(p.Findings, htmlFinding{
			Kind:       clean(f.Kind),
			Target:     clean(f.Target),
			Seed:       clean(f.Seed),
			Summary:    clean(f.Summary),
			Anchor:     "f-" + strconv.Itoa(i+1),
			Transcript: buildTranscript(f.Transcript, nil),
		})
	}

	if len(targetNames) >= 2 {
		p.Matrix = buildMatrix(p.Cases, targetNames, anchors)
	}
	return p
}

func buildHTMLCase(c *Case, anchor string) htmlCase {
	class := verdictClass(c)
	label := classLabel(class)
	if class == classError && c.Verdict != transcripts.Error {
		label = "error (verdict " + strconv.Quote(clean(string(c.Verdict))) + ")"
	}
	hc := htmlCase{
		Anchor:       anchor,
		Class:        class,
		Label:        label,
		ID:           clean(c.ID),
		Title:        clean(c.Title),
		Group:        clean(c.Group),
		Protocol:     clean(c.Protocol),
		Target:       clean(c.Target),
		Source:       clean(c.Source),
		Level:        clean(c.Level),
		Duration:     formatMS(float64(c.DurationMS)),
		Reason:       clean(c.Detail.Reason),
		Expected:     clean(c.Detail.Expected),
		Got:          clean(c.Detail.Got),
		Line:         c.Detail.Line,
		KnownFailure: clean(c.KnownFailure),
		Transcript:   buildTranscript(c.Transcript, c.Detail.FailedAt),
	}
	var nums []string
	seen := map[string]bool{}
	for _, ref := range c.RFC {
		hc.RFCs = append(hc.RFCs, rfcLink(ref.Number, ref.Section, ref.URL))
		if n := clean(ref.Number); n != "" && !seen[n] && !strings.ContainsAny(n, " \t\n") {
			seen[n] = true
			nums = append(nums, n)
		}
	}
	hc.RFCNums = strings.Join(nums, " ")
	for _, v := range c.Detail.Violations {
		hc.Violations = append(hc.Violations, htmlViolation{
			RFC:    rfcLink(v.RFC, v.Section, ""),
			Level:  clean(v.Level),
			Msg:    clean(v.Msg),
			Offset: v.Offset,
		})
	}
	return hc
}

// rfcLink labels an RFC section and links it at the RFC Editor. A URL the
// report carries is used only when it points there; otherwise the link is
// built from the number, and a number that is not one gets no link.
func rfcLink(number, section, url string) htmlRFC {
	number, section = clean(number), clean(section)
	label := "RFC " + number
	if section != "" && section != "-" {
		label += " §" + section
	}
	l := htmlRFC{Label: label}
	switch {
	case strings.HasPrefix(url, "https://www.rfc-editor.org/") && url == clean(url) && !strings.ContainsAny(url, " \"'<>`"):
		l.URL = url
	case isDigits(number) && !strings.ContainsAny(section, " \"'<>`#?/"):
		l.URL = RFCURL(number, section)
	}
	return l
}

func rfcLess(a, b string) bool {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil && na != nb:
		return na < nb
	case (ea == nil) != (eb == nil):
		return ea == nil
	}
	return a < b
}

func sortedKeys(m map[string]Counts, less func(a, b string) bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if less == nil {
		sort.Strings(keys)
	} else {
		sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	}
	return keys
}

func options(m map[string]int, less func(a, b string) bool) []htmlOption {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if less == nil {
		sort.Strings(keys)
	} else {
		sort.Slice(keys, func(i, j int) bool { return less(keys[i], keys[j]) })
	}
	out := make([]htmlOption, 0, len(keys))
	for _, k := range keys {
		label := k
		if label == "" {
			label = "(none)"
		}
		out = append(out, htmlOption{k, label, m[k]})
	}
	return out
}

func countTable(id, title, head string, m map[string]Counts, keys []string, label func(string) (string, string)) htmlCountTable {
	t := htmlCountTable{ID: id, Title: title, Head: head}
	for _, k := range keys {
		c := m[k]
		ck := clean(k)
		l, url := label(ck)
		if l == "" {
			l = "(none)"
		}
		row := htmlCountRow{
			Key: ck, Label: l, URL: url,
			Cases: c.Cases, Fail: c.Fail - c.KnownFailures, Error: c.Error,
			Known: c.KnownFailures, NA: c.NotApplicable, Pass: c.Pass,
		}
		row.Bar = bar(row)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// bar is a stacked bar of a count row, in percent of its cases.
func bar(r htmlCountRow) []htmlBarSeg {
	if r.Cases <= 0 {
		return nil
	}
	var segs []htmlBarSeg
	x := 0.0
	for _, s := range []struct {
		class string
		n     int
	}{{classFail, r.Fail}, {classError, r.Error}, {classKnown, r.Known}, {classNA, r.NA}, {classPass, r.Pass}} {
		if s.n <= 0 {
			continue
		}
		w := 100 * float64(s.n) / float64(r.Cases)
		segs = append(segs, htmlBarSeg{s.class, strconv.FormatFloat(x, 'f', 2, 64), strconv.FormatFloat(w, 'f', 2, 64)})
		x += w
	}
	return segs
}

func buildEndpoint(e TargetEndpoint) htmlEndpoint {
	he := htmlEndpoint{URL: clean(e.URL), Protocol: clean(e.Protocol)}
	if e.TLSVersion != "" || e.TLSCipher != "" {
		he.TLS = strings.TrimSpace(clean(e.TLSVersion) + " " + clean(e.TLSCipher))
	}
	before := map[string]bool{}
	for _, c := range e.CapsBeforeTLS {
		before[c] = true
	}
	after := map[string]bool{}
	for _, c := range e.CapsAfterTLS {
		after[c] = true
	}
	// Capabilities are compared only when both lists exist: an implicit
	// TLS endpoint has no list before TLS.
	compare := len(e.CapsBeforeTLS) > 0 && len(e.CapsAfterTLS) > 0
	for _, c := range e.CapsBeforeTLS {
		hc := htmlCap{Name: clean(c)}
		if compare && !after[c] {
			hc.Change = "removed"
		}
		he.Before = append(he.Before, hc)
	}
	for _, c := range e.CapsAfterTLS {
		hc := htmlCap{Name: clean(c)}
		if compare && !before[c] {
			hc.Change = "added"
		}
		he.After = append(he.After, hc)
	}
	he.NBefore, he.NAfter = len(he.Before), len(he.After)
	return he
}

func buildTranscript(es []TranscriptEntry, failedAt *int) htmlTranscript {
	t := htmlTranscript{FailedAt: -1}
	if failedAt != nil && *failedAt >= 0 && *failedAt < len(es) {
		t.FailedAt = *failedAt
	}
	t.Entries = make([]htmlEntry, 0, len(es))
	for i, e := range es {
		he := htmlEntry{
			Index:   i,
			Conn:    e.Conn,
			T:       strconv.FormatFloat(e.TMS, 'f', 3, 64),
			Segs:    dataSegments(e.Data),
			Failing: i == t.FailedAt,
			NewConn: i > 0 && e.Conn != es[i-1].Conn,
		}
		switch e.Dir {
		case string(transcripts.Client):
			he.Kind, he.Prefix = "c", "C:"
		case string(transcripts.Server):
			he.Kind, he.Prefix = "s", "S:"
		case string(transcripts.TLS):
			he.Kind, he.Prefix = "tls", "TLS"
		case string(transcripts.Note):
			he.Kind, he.Prefix = "note", "#"
		default:
			he.Kind, he.Prefix = "other", clean(e.Dir)
		}
		t.Entries = append(t.Entries, he)
	}
	return t
}

func buildMatrix(cases []htmlCase, targets []string, anchors map[CaseKey]string) *htmlMatrix {
	m := &htmlMatrix{}
	col := map[string]int{}
	for i, name := range targets {
		col[name] = i
		m.Targets = append(m.Targets, htmlMatrixTarget{Name: name})
	}
	type rowAcc struct {
		title string
		cells []*htmlCase
	}
	rows := map[string]*rowAcc{}
	var ids []string
	for i := range cases {
		c := &cases[i]
		ra := rows[c.ID]
		if ra == nil {
			ra = &rowAcc{title: c.Title, cells: make([]*htmlCase, len(targets))}
			rows[c.ID] = ra
			ids = append(ids, c.ID)
		}
		if j, ok := col[c.Target]; ok && ra.cells[j] == nil {
			ra.cells[j] = c
			switch c.Class {
			case classPass:
				m.Targets[j].Pass++
			case classFail:
				m.Targets[j].Fail++
			default:
				m.Targets[j].Other++
			}
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		ra := rows[id]
		row := htmlMatrixRow{ID: id, Title: ra.title}
		first := ""
		for j, c := range ra.cells {
			cell := htmlMatrixCell{Class: "none", Symbol: "·", Label: targets[j] + ": not run"}
			if c != nil {
				cell.Class = c.Class
				cell.Symbol = classSymbol(c.Class)
				cell.Anchor = anchors[CaseKey{ID: c.ID, Target: c.Target}]
				cell.Label = ""
				if c.Class != classPass {
					cell.Label = targets[j] + ": " + classLabel(c.Class)
					if c.Reason != "" {
						cell.Label += ": " + truncate(c.Reason, 200)
					}
				}
			}
			if j == 0 {
				first = cell.Class
			} else if cell.Class != first {
				row.Differ = true
			}
			row.Cells = append(row.Cells, cell)
		}
		if row.Differ {
			m.Differ++
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// formatMS writes a duration given in milliseconds.
func formatMS(ms float64) string {
	switch {
	case ms < 0:
		return "–"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	case ms < 60000:
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
	}
	return (time.Duration(ms) * time.Millisecond).Round(time.Second).String()
}

// hiddenRune reports whether a rune would hide or disguise text on the page:
// control characters (C0, DEL, C1) and the bidirectional formatting
// characters that reorder what a reader sees (the "Trojan Source" trick).
func hiddenRune(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// escapeRune writes a hidden rune as an escape: \r \n \t \0, \xHH below
// 0x80, \u{HHHH} above.
func escapeRune(sb *strings.Builder, r rune) {
	switch r {
	case '\r':
		sb.WriteString(`\r`)
	case '\n':
		sb.WriteString(`\n`)
	case '\t':
		sb.WriteString(`\t`)
	case 0:
		sb.WriteString(`\0`)
	default:
		if r < 0x80 {
			fmt.Fprintf(sb, `\x%02x`, r)
		} else {
			fmt.Fprintf(sb, `\u{%04x}`, r)
		}
	}
}

// clean makes a report string safe to show as text: bytes that are not
// UTF-8 become \xHH, hidden runes become escapes. Line feeds and tabs in
// prose (reasons, expected-versus-got) are kept.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || (hiddenRune(r) && r != '\n' && r != '\t') {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&sb, `\x%02x`, s[i])
		case r != '\n' && r != '\t' && hiddenRune(r):
			escapeRune(&sb, r)
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// dataSegments splits transcript data, the escaped form of
// [TranscriptEntry.Data], into plain text and escapes. The escapes of the
// format (\r \n \t \0 \\ \xHH) are kept as written and marked, "\$" is
// shown as the dollar it stands for, and raw hidden runes or bytes that
// are not UTF-8 (which a well-formed report does not hold) become escapes
// too. A line ends after each "\n" that is not the last thing.
func dataSegments(s string) []htmlSeg {
	var segs []htmlSeg
	var text, esc strings.Builder
	flushText := func() {
		if text.Len() > 0 {
			segs = append(segs, htmlSeg{Text: text.String()})
			text.Reset()
		}
	}
	flushEsc := func(brk bool) {
		if esc.Len() > 0 {
			segs = append(segs, htmlSeg{Text: esc.String(), Esc: true, Break: brk})
			esc.Reset()
		}
	}
	addEsc := func(e string) {
		flushText()
		esc.WriteString(e)
		if e == `\n` {
			flushEsc(true)
		}
	}
	addText := func(t string) {
		flushEsc(false)
		text.WriteString(t)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch d := s[i+1]; d {
			case 'r', 'n', 't', '0', '\\':
				addEsc(s[i : i+2])
				i += 2
				continue
			case '$':
				addText("$")
				i += 2
				continue
			case 'x':
				if i+4 <= len(s) && isHex(s[i+2]) && isHex(s[i+3]) {
					addEsc(strings.ToLower(s[i : i+4]))
					i += 4
					continue
				}
			}
			addText(`\`)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			addEsc(fmt.Sprintf(`\x%02x`, c))
		case hiddenRune(r):
			var sb strings.Builder
			escapeRune(&sb, r)
			addEsc(sb.String())
		default:
			addText(s[i : i+size])
		}
		i += size
	}
	flushText()
	flushEsc(false)
	if n := len(segs); n > 0 {
		segs[n-1].Break = false
	}
	return segs
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
