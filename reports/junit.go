package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mailspec/mailspec/transcripts"
)

// JUnit XML has no standard; the structure written here is the common
// ground of the readers CI systems use (dorny/test-reporter and
// mikepenz/action-junit-report on GitHub Actions, GitLab's
// artifacts:reports:junit, Jenkins' junit plugin). testdata/junit.xsd
// writes that structure down, and the tests validate every output
// against it.

// junitTimestamp is the timestamp format the common JUnit schemas accept:
// an xs:dateTime without a zone offset (the time is in UTC).
const junitTimestamp = "2006-01-02T15:04:05"

// Bounds that keep one failure body readable in a CI dashboard.
const (
	junitMaxMessage = 1024       // runes of a message attribute
	junitMaxData    = 16 << 10   // bytes of one transcript entry's data
	junitMaxEntries = 1000       // transcript entries of one case
	junitHeadKeep   = 100        // entries kept from the start when cut
	junitMaxName    = 200        // runes of a finding's testcase name
	junitFindings   = "findings" // name of the findings testsuite
)

type junitSuites struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Time      string       `xml:"time,attr"`
	Timestamp string       `xml:"timestamp,attr,omitempty"`
	Suites    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string           `xml:"name,attr"`
	Tests      int              `xml:"tests,attr"`
	Failures   int              `xml:"failures,attr"`
	Errors     int              `xml:"errors,attr"`
	Skipped    int              `xml:"skipped,attr"`
	Time       string           `xml:"time,attr"`
	Timestamp  string           `xml:"timestamp,attr,omitempty"`
	Properties *junitProperties `xml:"properties"`
	Cases      []junitCase      `xml:"testcase"`
}

type junitProperties struct {
	Props []junitProperty `xml:"property"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitCase is one testcase. At most one of Skipped, Failure and Error is
// set; a passing case has none.
type junitCase struct {
	Name       string           `xml:"name,attr"`
	Classname  string           `xml:"classname,attr"`
	Time       string           `xml:"time,attr"`
	Properties *junitProperties `xml:"properties"`
	Skipped    *junitResult     `xml:"skipped"`
	Failure    *junitResult     `xml:"failure"`
	Error      *junitResult     `xml:"error"`
}

type junitResult struct {
	Message string `xml:"message,attr,omitempty"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

// WriteJUnit writes r as JUnit XML for CI dashboards: a <testsuites> root
// named "mailspec"; one <testsuite> per group and target, named
// "<group> [<target>]", with the target's endpoints and the tool version
// as properties; one <testcase> per case, named by its stable id, with
// classname "<group>.<target>" and the case title, level and RFC sections
// as properties.
//
// Verdicts map to JUnit as follows. pass: an empty testcase. fail: a
// <failure type="<level>"> whose message names the RFC sections, the
// level and the reason, and whose body holds expected vs. got, the
// protocol violations and the transcript, one line per entry (connection,
// direction, time, escaped data; ">" marks the failing exchange). A failure
// that the baseline lists as known (Case.KnownFailure) is written as
// <skipped message="known failure: <baseline reason>"> with the same body:
// a baseline entry must not turn CI red, and every reader counts skipped
// as not failed. not-applicable: <skipped message="not applicable: ...">.
// error: <error type="error">. SHOULD and MAY failures are failures too:
// JUnit has no levels, so the level is the failure's type and the reader
// decides; the exit status (Report.ExitCode) is where levels gate a run.
//
// Report.Findings go in one extra testsuite "findings", a failing testcase
// per finding (name: kind and summary; body: the reproducer transcript).
//
// XML 1.0 allows neither most C0 control characters, nor U+FFFE/U+FFFF,
// nor invalid UTF-8 (XML 1.0 section 2.2); encoding/xml escapes markup
// but does not reject them. Every string is therefore cleaned first:
// such characters, and DEL and the C1 controls, are replaced by the
// transcript's escaped form of their bytes (\xHH, see
// [github.com/mailspec/mailspec/transcripts/script.Escape]). Transcripts
// longer than 1000 entries and entries longer than 16 KiB are cut, with a
// note saying so.
func WriteJUnit(w io.Writer, r *Report) error {
	doc := junitBuild(r)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("reports: junit: %w", err)
	}
	return nil
}

// junitBuild turns the report into the JUnit document, every string
// already cleaned for XML.
func junitBuild(r *Report) junitSuites {
	stamp := ""
	if !r.StartedAt.IsZero() {
		stamp = r.StartedAt.UTC().Format(junitTimestamp)
	}
	doc := junitSuites{Name: "mailspec", Timestamp: stamp}

	// Group the cases by (group, target), in the report's order.
	type key struct{ group, target string }
	byKey := map[key][]Case{}
	var keys []key
	for _, c := range r.Cases {
		k := key{junitGroup(c), c.Target}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], c)
	}
	order := junitTargetOrder(r)
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].group != keys[j].group {
			return keys[i].group < keys[j].group
		}
		return order(keys[i].target) < order(keys[j].target)
	})

	var totalMS int64
	for _, k := range keys {
		s := junitSuite{
			Name:       junitAttr(k.group + " [" + k.target + "]"),
			Timestamp:  stamp,
			Properties: junitSuiteProps(r, k.target),
		}
		var ms int64
		for _, c := range byKey[k] {
			jc := junitCaseOf(c, k.group)
			s.Tests++
			switch {
			case jc.Failure != nil:
				s.Failures++
			case jc.Error != nil:
				s.Errors++
			case jc.Skipped != nil:
				s.Skipped++
			}
			ms += c.DurationMS
			s.Cases = append(s.Cases, jc)
		}
		s.Time = junitSeconds(ms)
		totalMS += ms
		doc.Suites = append(doc.Suites, s)
	}

	if len(r.Findings) > 0 {
		s := junitSuite{Name: junitFindings, Timestamp: stamp, Time: junitSeconds(0),
			Properties: &junitProperties{Props: junitToolProps(r)}}
		for _, f := range r.Findings {
			s.Tests++
			s.Failures++
			s.Cases = append(s.Cases, junitFinding(f))
		}
		doc.Suites = append(doc.Suites, s)
	}

	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	if r.DurationMS > 0 {
		totalMS = r.DurationMS
	}
	doc.Time = junitSeconds(totalMS)
	return doc
}

// junitGroup is the case's group, or its protocol when it has none.
func junitGroup(c Case) string {
	switch {
	case c.Group != "":
		return c.Group
	case c.Protocol != "":
		return c.Protocol
	}
	return "cases"
}

// junitTargetOrder ranks target names: the report's order of targets first,
// then unknown names after them, by name.
func junitTargetOrder(r *Report) func(string) string {
	rank := map[string]int{}
	for i, t := range r.Targets {
		if _, ok := rank[t.Name]; !ok {
			rank[t.Name] = i
		}
	}
	return func(name string) string {
		if i, ok := rank[name]; ok {
			return fmt.Sprintf("0%08d", i)
		}
		return "1" + name
	}
}

func junitToolProps(r *Report) []junitProperty {
	return []junitProperty{
		{Name: "tool", Value: junitAttr(r.Tool.Name)},
		{Name: "tool.version", Value: junitAttr(r.Tool.Version)},
	}
}

// junitSuiteProps lists the tool and the target's endpoints: one property
// "endpoint.<scheme>" per endpoint (URL), with "endpoint.<scheme>.tls"
// (version and cipher) when TLS was seen.
func junitSuiteProps(r *Report, target string) *junitProperties {
	props := junitToolProps(r)
	props = append(props, junitProperty{Name: "target", Value: junitAttr(target)})
	for _, t := range r.Targets {
		if t.Name != target {
			continue
		}
		if t.Source != "" {
			props = append(props, junitProperty{Name: "target.source", Value: junitAttr(t.Source)})
		}
		seen := map[string]int{}
		for _, e := range t.Endpoints {
			scheme := e.Protocol
			if u, err := url.Parse(e.URL); err == nil && u.Scheme != "" {
				scheme = u.Scheme
			}
			if scheme == "" {
				scheme = "endpoint"
			}
			seen[scheme]++
			name := "endpoint." + scheme
			if n := seen[scheme]; n > 1 {
				name += "." + strconv.Itoa(n)
			}
			props = append(props, junitProperty{Name: junitAttr(name), Value: junitAttr(e.URL)})
			if e.TLSVersion != "" || e.TLSCipher != "" {
				props = append(props, junitProperty{Name: junitAttr(name + ".tls"),
					Value: junitAttr(strings.TrimSpace(e.TLSVersion + " " + e.TLSCipher))})
			}
		}
		break
	}
	return &junitProperties{Props: props}
}

func junitCaseOf(c Case, group string) junitCase {
	name := c.ID
	if name == "" {
		name = "(no id)"
	}
	jc := junitCase{
		Name:      junitAttr(name),
		Classname: junitAttr(group + "." + c.Target),
		Time:      junitSeconds(c.DurationMS),
	}
	props := []junitProperty{{Name: "title", Value: junitAttr(c.Title)}}
	if c.Level != "" {
		props = append(props, junitProperty{Name: "level", Value: junitAttr(c.Level)})
	}
	for _, ref := range c.RFC {
		props = append(props, junitProperty{Name: "rfc", Value: junitAttr(junitRef(ref))})
	}
	if c.Source != "" {
		props = append(props, junitProperty{Name: "source", Value: junitAttr(c.Source)})
	}
	jc.Properties = &junitProperties{Props: props}

	reason := c.Detail.Reason
	switch c.Verdict {
	case transcripts.Pass:
	case transcripts.Fail:
		if reason == "" {
			reason = "failed"
			if c.Detail.Expected != "" || c.Detail.Got != "" {
				reason = fmt.Sprintf("expected %q, got %q", c.Detail.Expected, c.Detail.Got)
			}
		}
		msg := reason
		if head := junitFailHead(c); head != "" {
			msg = head + ": " + reason
		}
		body := junitFailBody(c)
		if c.KnownFailure != "" {
			jc.Skipped = &junitResult{Message: junitMessage("known failure: " + c.KnownFailure),
				Body: junitText(msg + "\n" + body)}
			break
		}
		typ := c.Level
		if typ == "" {
			typ = "fail"
		}
		jc.Failure = &junitResult{Message: junitMessage(msg), Type: junitAttr(typ), Body: junitText(body)}
	case transcripts.NotApplicable:
		jc.Skipped = &junitResult{Message: junitMessage("not applicable: " + reason)}
	case transcripts.Error:
		if reason == "" {
			reason = "error"
		}
		var b strings.Builder
		b.WriteString("reason: " + junitOneLine(reason) + "\n")
		junitTranscript(&b, c.Transcript, c.Detail.FailedAt)
		jc.Error = &junitResult{Message: junitMessage(reason), Type: "error", Body: junitText(b.String())}
	default:
		jc.Error = &junitResult{Message: junitMessage(fmt.Sprintf("unknown verdict %q: %s", c.Verdict, reason)),
			Type: "error"}
	}
	return jc
}

// junitRef writes an RFC reference as "RFC 5321 3.3" (or "RFC 5321"
// when the requirement is the whole RFC).
func junitRef(ref RFCRef) string {
	s := "RFC " + ref.Number
	if ref.Section != "" && ref.Section != "-" {
		s += " " + ref.Section
	}
	return s
}

// junitFailHead is "RFC 5321 3.3 MUST": the sections and the level.
func junitFailHead(c Case) string {
	parts := make([]string, 0, len(c.RFC)+1)
	for _, ref := range c.RFC {
		parts = append(parts, junitRef(ref))
	}
	head := strings.Join(parts, ", ")
	if c.Level != "" {
		if head != "" {
			head += " "
		}
		head += c.Level
	}
	return head
}

// junitFailBody is the evidence of a failure: sections, reason, expected
// vs. got, violations and transcript.
func junitFailBody(c Case) string {
	var b strings.Builder
	for _, ref := range c.RFC {
		fmt.Fprintf(&b, "%s (%s) %s\n", junitRef(ref), c.Level, junitOneLine(ref.URL))
	}
	if c.Detail.Reason != "" {
		b.WriteString("reason:   " + junitOneLine(c.Detail.Reason) + "\n")
	}
	if c.Detail.Expected != "" || c.Detail.Got != "" {
		b.WriteString("expected: " + junitOneLine(c.Detail.Expected) + "\n")
		b.WriteString("got:      " + junitOneLine(c.Detail.Got) + "\n")
	}
	if c.Source != "" {
		b.WriteString("script:   " + junitOneLine(c.Source))
		if c.Detail.Line > 0 {
			fmt.Fprintf(&b, " line %d", c.Detail.Line)
		}
		b.WriteString("\n")
	}
	if len(c.Detail.Violations) > 0 {
		b.WriteString("violations:\n")
		for _, v := range c.Detail.Violations {
			fmt.Fprintf(&b, "  RFC %s %s %s at byte %d: %s\n", junitOneLine(v.RFC), junitOneLine(v.Section),
				junitOneLine(v.Level), v.Offset, junitOneLine(v.Msg))
		}
	}
	junitTranscript(&b, c.Transcript, c.Detail.FailedAt)
	return b.String()
}

// junitTranscript writes the transcript, one line per entry: a marker
// (">" on the failing exchange), connection, direction, time offset and
// the entry's escaped data.
func junitTranscript(b *strings.Builder, es []TranscriptEntry, failedAt *int) {
	if len(es) == 0 {
		return
	}
	fail := -1
	if failedAt != nil {
		fail = *failedAt
	}
	fmt.Fprintf(b, "transcript (%d entries", len(es))
	if fail >= 0 && fail < len(es) {
		b.WriteString(`; ">" marks the failing exchange`)
	}
	b.WriteString("):\n")
	line := func(i int) {
		e := es[i]
		mark := " "
		if i == fail {
			mark = ">"
		}
		fmt.Fprintf(b, "%s %d %-4s +%.3fms %s\n", mark, e.Conn, junitOneLine(e.Dir), e.TMS, junitOneLine(junitClip(e.Data)))
	}
	if len(es) <= junitMaxEntries {
		for i := range es {
			line(i)
		}
		return
	}
	// Too long: keep the start and a window ending a little after the
	// failing exchange (or at the end).
	end := len(es)
	if fail >= 0 && fail+50 < end {
		end = fail + 50
	}
	start := max(end-(junitMaxEntries-junitHeadKeep), junitHeadKeep)
	for i := range junitHeadKeep {
		line(i)
	}
	fmt.Fprintf(b, "  ... %d entries omitted ...\n", start-junitHeadKeep)
	for i := start; i < end; i++ {
		line(i)
	}
	if end < len(es) {
		fmt.Fprintf(b, "  ... %d entries omitted ...\n", len(es)-end)
	}
}

// junitClip cuts s to junitMaxData bytes at a rune boundary.
func junitClip(s string) string {
	if len(s) <= junitMaxData {
		return s
	}
	cut := junitMaxData
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf(" ... (%d more bytes)", len(s)-cut)
}

func junitFinding(f Finding) junitCase {
	name := f.Kind
	if f.Summary != "" {
		name += ": " + f.Summary
	}
	if name == "" {
		name = "finding"
	}
	var b strings.Builder
	b.WriteString("kind:    " + junitOneLine(f.Kind) + "\n")
	b.WriteString("target:  " + junitOneLine(f.Target) + "\n")
	if f.Seed != "" {
		b.WriteString("seed:    " + junitOneLine(f.Seed) + "\n")
	}
	b.WriteString("summary: " + junitOneLine(f.Summary) + "\n")
	junitTranscript(&b, f.Transcript, nil)
	typ := f.Kind
	if typ == "" {
		typ = "finding"
	}
	return junitCase{
		Name:      junitAttr(junitClipRunes(junitOneLine(name), junitMaxName)),
		Classname: junitAttr(junitFindings + "." + f.Target),
		Time:      junitSeconds(0),
		Failure:   &junitResult{Message: junitMessage(f.Summary), Type: junitAttr(typ), Body: junitText(b.String())},
	}
}

// junitSeconds writes milliseconds as seconds with three decimals.
func junitSeconds(ms int64) string {
	if ms < 0 {
		ms = 0
	}
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}

// junitMessage is a message attribute: one line, cut to junitMaxMessage.
func junitMessage(s string) string {
	return junitAttr(junitClipRunes(junitOneLine(s), junitMaxMessage))
}

// junitAttr cleans an attribute value (newlines and tabs are kept and
// encoding/xml writes them as character references).
func junitAttr(s string) string { return junitEscape(s, "\t\n") }

// junitText cleans element text. The text goes in a CDATA section, where
// a parser turns CR into LF (XML 1.0 section 2.11), so CR is escaped too.
func junitText(s string) string { return junitEscape(s, "\t\n") }

// junitOneLine cleans s for one line of a body: CR, LF and tab are
// escaped as in transcripts.
func junitOneLine(s string) string { return junitEscape(s, "") }

// junitClipRunes cuts s to n runes, ending in "…" when cut.
func junitClipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}

// junitEscape returns s with every byte sequence that is not safe in a
// report replaced by the escaped form transcripts use (see
// [github.com/mailspec/mailspec/transcripts/script.Escape]): \r, \n, \t
// for those characters (unless listed in keep), and \xHH for each byte of
// invalid UTF-8, of the other C0 controls and DEL, of the C1 controls, of
// U+FFFE and U+FFFF (XML 1.0 section 2.2 forbids or discourages all of
// these), of the Unicode bidirectional controls, and of the line and
// paragraph separators (which would reorder or break a line of text).
// Backslashes are left alone, so already escaped transcript data is not
// escaped twice. The result is valid UTF-8. The Markdown writer uses it
// too.
func junitEscape(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			junitHex(&b, s[i])
		case strings.ContainsRune(keep, r):
			b.WriteRune(r)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case junitUnsafeRune(r):
			for j := range size {
				junitHex(&b, s[i+j])
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// junitUnsafeRune reports whether r is escaped by junitEscape.
func junitUnsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0xfffe, r == 0xffff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true // bidirectional controls
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0xd800 && r <= 0xdfff:
		return true // cannot occur in decoded UTF-8; guarded anyway
	}
	return false
}

func junitHex(b *strings.Builder, c byte) {
	const hex = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&0xf])
}
