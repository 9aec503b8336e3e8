package reports

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// jmHostileText has what a hostile or broken server can put in a reply,
// and what a script or baseline author can put in a reason: XML and
// Markdown markup, a CDATA end, control characters, invalid UTF-8, the
// non-characters XML forbids and a bidirectional override.
const jmHostileText = "a<b>&amp;\"'c ]]> d\x00e\x1b[31mf\x7f\xff\xfeg\u2028h\ufffei\u202ej\r\nk` | * _ $x$ @all #1 [l](http://x) <script>alert(1)</script>"

// jmSample reads the report of a real run against the embedded system
// and Dovecot+Postfix (testdata/sample-report.json).
func jmSample(t *testing.T) *Report {
	t.Helper()
	r, err := ReadJSON(filepath.Join("testdata", "sample-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// jmHostile builds a report over three targets with every verdict, known
// failures, SHOULD failures, an error, findings and hostile strings.
func jmHostile() *Report {
	at := func(i int) *int { return &i }
	tr := []TranscriptEntry{
		{Conn: 1, Dir: "note", TMS: 0.1, Data: "connect smtp://127.0.0.1:2525"},
		{Conn: 1, Dir: "S", TMS: 0.5, Data: `220 ready\r\n`},
		{Conn: 1, Dir: "C", TMS: 0.6, Data: `RCPT TO:<a@b>\r\n`},
		{Conn: 1, Dir: "S", TMS: 0.9, Data: jmHostileText},
	}
	ref := func(n, s string) []RFCRef { return []RFCRef{{n, s, RFCURL(n, s)}} }
	fail := func(id, target, level, known string) Case {
		return Case{ID: id, Title: "Title of " + id + " " + jmHostileText, Group: "transcripts/smtp", Protocol: "smtp",
			Target: target, Source: "smtp/x.txt", RFC: ref("5321", "3.3"), Level: level, Verdict: transcripts.Fail,
			DurationMS: 12, KnownFailure: known,
			Detail: Detail{Reason: "smtp/x.txt:7: " + jmHostileText, Expected: "503*", Got: jmHostileText, Line: 7,
				FailedAt:   at(3),
				Violations: []wire.Violation{{RFC: "5321", Section: "4.2.1", Level: Must, Msg: "bare LF\x00 " + jmHostileText, Offset: 4}}},
			Transcript: tr}
	}
	c := func(id, group, proto, target string, v transcripts.Verdict, reason string) Case {
		return Case{ID: id, Title: id, Group: group, Protocol: proto, Target: target, RFC: ref("9051", "6.1.1"),
			Level: Must, Verdict: v, DurationMS: 3, Detail: Detail{Reason: reason}}
	}
	r := &Report{
		Schema:     Schema,
		Tool:       Tool{Name: "mailspec", Version: "test<&>"},
		StartedAt:  time.Date(2026, 11, 22, 16, 35, 7, 486051095, time.UTC),
		DurationMS: 4321,
		Targets: []Target{
			{Name: "alpha", Source: "/tmp/alpha.yaml", Endpoints: []TargetEndpoint{
				{URL: "smtp://127.0.0.1:2525", Protocol: "smtp", TLSVersion: "TLS 1.3", TLSCipher: "TLS_AES_128_GCM_SHA256"},
				{URL: "smtp://127.0.0.1:2526", Protocol: "smtp"},
				{URL: "imaps://127.0.0.1:9993", Protocol: "imap"}}},
			{Name: "beta"},
			{Name: "gamma<&>\x00"},
		},
		Cases: []Case{
			c("imap/9051/6.1.1/pass", "transcripts/imap", "imap", "alpha", transcripts.Pass, ""),
			c("imap/9051/6.1.1/pass", "transcripts/imap", "imap", "beta", transcripts.Pass, ""),
			c("imap/9051/6.1.1/pass", "transcripts/imap", "imap", "gamma<&>\x00", transcripts.Pass, ""),
			fail("smtp/5321/3.3/must-fail", "alpha", Must, ""),
			c("smtp/5321/3.3/must-fail", "transcripts/smtp", "smtp", "beta", transcripts.Pass, ""),
			c("smtp/5321/3.3/must-fail", "transcripts/smtp", "smtp", "gamma<&>\x00", transcripts.NotApplicable, "no STARTTLS "+jmHostileText),
			fail("smtp/5321/4.2.4/should-fail", "alpha", Should, ""),
			fail("smtp/5321/4.2.4/should-fail", "beta", Should, ""),
			fail("smtp/5321/4.2.4/should-fail", "gamma<&>\x00", Should, ""),
			fail("smtp/5321/4.5.3.1.4/known", "alpha", Must, "Postfix accepts long lines "+jmHostileText),
			c("smtp/5321/4.5.3.1.4/known", "transcripts/smtp", "smtp", "beta", transcripts.Pass, ""),
			fail("smtp/5321/4.5.3.1.4/known", "gamma<&>\x00", Must, ""),
			c("pop3/1939/4/na", "transcripts/pop3", "pop3", "alpha", transcripts.NotApplicable, "no pop3 endpoint"),
			c("pop3/1939/4/na", "transcripts/pop3", "pop3", "beta", transcripts.NotApplicable, "no pop3 endpoint"),
			c("pop3/1939/5/error", "transcripts/pop3", "pop3", "alpha", transcripts.Pass, ""),
			c("pop3/1939/5/error", "transcripts/pop3", "pop3", "beta", transcripts.Error, "dial: "+jmHostileText),
			fail("smtp/5321/2.4/weird|id*_`x`\x1b", "gamma<&>\x00", MustNot, ""),
		},
		Findings: []Finding{
			{Kind: "crash", Target: "alpha", Seed: "seed`1`", Summary: "server closed the connection " + jmHostileText, Transcript: tr},
			{Kind: "hang", Target: "beta", Summary: "no reply in 30 s"},
		},
	}
	// A case without a group, level or RFC, with transcript-only detail.
	r.Cases = append(r.Cases, Case{ID: "x/0/0/bare", Target: "beta", Verdict: transcripts.Fail,
		Detail: Detail{Got: "\x00"}})
	r.Cases[len(r.Cases)-1].Detail.Reason = ""
	r.Finish()
	return r
}

// jmMany builds a report with n failures over three targets and many RFC
// sections, with server text of rep hostile strings.
func jmMany(n, rep int) *Report {
	r := &Report{Schema: Schema, Tool: Tool{Name: "mailspec", Version: "test"}, StartedAt: time.Unix(1e9, 0),
		Targets: []Target{{Name: "t0"}, {Name: "t1"}, {Name: "t2"}}}
	long := strings.Repeat(jmHostileText, rep)
	expected := "250*" + long
	for i := range n {
		sec := fmt.Sprintf("4.%d.%d", i%7, i%13)
		id := fmt.Sprintf("smtp/5321/%s/case-%05d-with-a-rather-long-descriptive-name-%s", sec, i, strings.Repeat("x", i%50))
		r.Cases = append(r.Cases, Case{ID: id, Group: "transcripts/smtp", Protocol: "smtp", Target: fmt.Sprintf("t%d", i%3),
			RFC: []RFCRef{{"5321", sec, RFCURL("5321", sec)}}, Level: []string{Must, Should, May}[i%3], Verdict: transcripts.Fail,
			Detail:     Detail{Reason: long, Expected: expected, Got: long},
			Transcript: []TranscriptEntry{{Conn: 1, Dir: "S", Data: long}}})
	}
	r.Finish()
	return r
}

// Parsed JUnit, as a reader sees it (types of the test, not the writer).
type jxSuites struct {
	Name      string    `xml:"name,attr"`
	Tests     int       `xml:"tests,attr"`
	Failures  int       `xml:"failures,attr"`
	Errors    int       `xml:"errors,attr"`
	Skipped   int       `xml:"skipped,attr"`
	Time      string    `xml:"time,attr"`
	Timestamp string    `xml:"timestamp,attr"`
	Suites    []jxSuite `xml:"testsuite"`
}

type jxSuite struct {
	Name      string   `xml:"name,attr"`
	Tests     int      `xml:"tests,attr"`
	Failures  int      `xml:"failures,attr"`
	Errors    int      `xml:"errors,attr"`
	Skipped   int      `xml:"skipped,attr"`
	Timestamp string   `xml:"timestamp,attr"`
	Props     []jxProp `xml:"properties>property"`
	Cases     []jxCase `xml:"testcase"`
}

type jxProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type jxCase struct {
	Name      string    `xml:"name,attr"`
	Classname string    `xml:"classname,attr"`
	Time      string    `xml:"time,attr"`
	Props     []jxProp  `xml:"properties>property"`
	Skipped   *jxResult `xml:"skipped"`
	Failure   *jxResult `xml:"failure"`
	Error     *jxResult `xml:"error"`
}

type jxResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// kind names the case's outcome element.
func (c jxCase) kind() string {
	n, k := 0, "pass"
	if c.Skipped != nil {
		n, k = n+1, "skipped"
	}
	if c.Failure != nil {
		n, k = n+1, "failure"
	}
	if c.Error != nil {
		n, k = n+1, "error"
	}
	if n > 1 {
		return "several"
	}
	return k
}

func (s jxSuite) prop(name string) string {
	for _, p := range s.Props {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// jmJUnit writes r as JUnit and parses it back.
func jmJUnit(t *testing.T, r *Report) ([]byte, jxSuites) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, r); err != nil {
		t.Fatalf("WriteJUnit: %v", err)
	}
	var doc jxSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("WriteJUnit wrote XML that encoding/xml cannot read: %v", err)
	}
	return buf.Bytes(), doc
}

// jmWantKind is the JUnit element a case result must become.
func jmWantKind(c Case) string {
	switch c.Verdict {
	case transcripts.Pass:
		return "pass"
	case transcripts.Fail:
		if c.KnownFailure != "" {
			return "skipped"
		}
		return "failure"
	case transcripts.NotApplicable:
		return "skipped"
	}
	return "error"
}

// jmCheckJUnit checks the parsed document against the report: root
// counts against Totals, suite counts against their testcases, one
// testcase per case with the element its verdict maps to, and the
// findings suite.
func jmCheckJUnit(t *testing.T, r *Report, doc jxSuites) {
	t.Helper()
	tot := r.Totals
	nf := len(r.Findings)
	want := [4]int{tot.Cases + nf, tot.Fail - tot.KnownFailures + nf, tot.Error, tot.NotApplicable + tot.KnownFailures}
	if got := [4]int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped}; got != want {
		t.Errorf("testsuites tests/failures/errors/skipped = %v, want %v (from the report's totals)", got, want)
	}
	if doc.Name != "mailspec" {
		t.Errorf("testsuites name = %q, want mailspec", doc.Name)
	}
	if !r.StartedAt.IsZero() {
		ts, err := time.Parse(junitTimestamp, doc.Timestamp)
		if err != nil || !ts.Equal(r.StartedAt.UTC().Truncate(time.Second)) {
			t.Errorf("timestamp = %q (%v), want %s", doc.Timestamp, err, r.StartedAt.UTC().Format(junitTimestamp))
		}
	}

	wantKinds := map[string]string{}
	for _, c := range r.Cases {
		key := junitEscape(junitGroup(c)+"."+c.Target, "\t\n") + " " + junitEscape(c.ID, "\t\n")
		wantKinds[key] = jmWantKind(c)
	}
	gotKinds := map[string]string{}
	var sum [4]int
	findings := 0
	for _, s := range doc.Suites {
		var n [4]int
		for _, c := range s.Cases {
			n[0]++
			switch c.kind() {
			case "failure":
				n[1]++
			case "error":
				n[2]++
			case "skipped":
				n[3]++
			}
		}
		if got := [4]int{s.Tests, s.Failures, s.Errors, s.Skipped}; got != n {
			t.Errorf("testsuite %q counts %v, its testcases %v", s.Name, got, n)
		}
		for i := range sum {
			sum[i] += n[i]
		}
		if s.Name == junitFindings {
			findings++
			if len(s.Cases) != nf || s.Failures != nf {
				t.Errorf("findings suite has %d cases, %d failures; want %d of each", len(s.Cases), s.Failures, nf)
			}
			for i, c := range s.Cases {
				if i < nf && !strings.HasPrefix(c.Name, junitEscape(r.Findings[i].Kind, "")) {
					t.Errorf("finding %d named %q, want kind %q first", i, c.Name, r.Findings[i].Kind)
				}
			}
			continue
		}
		if s.Timestamp != doc.Timestamp {
			t.Errorf("testsuite %q timestamp %q, want %q", s.Name, s.Timestamp, doc.Timestamp)
		}
		if s.prop("tool.version") != junitEscape(r.Tool.Version, "\t\n") {
			t.Errorf("testsuite %q tool.version = %q, want %q", s.Name, s.prop("tool.version"), r.Tool.Version)
		}
		for _, c := range s.Cases {
			key := c.Classname + " " + c.Name
			if _, dup := gotKinds[key]; dup {
				t.Errorf("testcase %s written twice", key)
			}
			gotKinds[key] = c.kind()
			if !strings.HasSuffix(s.Name, "]") || !strings.HasPrefix(c.Classname, s.Name[:strings.LastIndex(s.Name, " [")]+".") {
				t.Errorf("testcase %s in testsuite %q: classname is not <group>.<target>", key, s.Name)
			}
		}
	}
	if sum != [4]int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped} {
		t.Errorf("testsuites counts %v, sum over testsuites %v", [4]int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped}, sum)
	}
	if (nf > 0) != (findings == 1) || findings > 1 {
		t.Errorf("%d findings suites for %d findings", findings, nf)
	}
	if d := cmp.Diff(wantKinds, gotKinds); d != "" {
		t.Errorf("testcase outcomes (-want +got):\n%s", d)
	}
}

func TestJUnitSample(t *testing.T) {
	r := jmSample(t)
	_, doc := jmJUnit(t, r)
	jmCheckJUnit(t, r, doc)

	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	want := []string{
		"transcripts/imap [embedded]", "transcripts/imap [dovecot-postfix]",
		"transcripts/pop3 [embedded]", "transcripts/pop3 [dovecot-postfix]",
		"transcripts/smtp [embedded]", "transcripts/smtp [dovecot-postfix]",
	}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("testsuite names (-want +got):\n%s", d)
	}
	smtp := doc.Suites[4]
	if smtp.prop("endpoint.smtp") != "smtp://127.0.0.1:39991" || smtp.prop("endpoint.submission.tls") != "TLS 1.3 TLS_AES_128_GCM_SHA256" ||
		smtp.prop("tool.version") != "0.1.0-dev" || smtp.prop("target") != "embedded" {
		t.Errorf("smtp [embedded] properties = %+v", smtp.Props)
	}
	var fail *jxCase
	for i, c := range smtp.Cases {
		if c.Name == "smtp/5321/3.3/rcpt-before-mail-503" {
			fail = &smtp.Cases[i]
		}
	}
	if fail == nil || fail.Failure == nil {
		t.Fatalf("smtp/5321/3.3/rcpt-before-mail-503 is not a failure in %s", smtp.Name)
	}
	if fail.Classname != "transcripts/smtp.embedded" || fail.Time != "0.002" {
		t.Errorf("classname, time = %q, %q; want transcripts/smtp.embedded, 0.002", fail.Classname, fail.Time)
	}
	wantMsg := `RFC 5321 3.3 MUST: smtp/bad-sequence.txt:15: expected "503*", got "502 5.5.1 Missing MAIL FROM command."`
	if fail.Failure.Message != wantMsg || fail.Failure.Type != "MUST" {
		t.Errorf("failure message, type = %q, %q; want %q, MUST", fail.Failure.Message, fail.Failure.Type, wantMsg)
	}
	for _, s := range []string{
		"expected: 503*\n",
		"got:      502 5.5.1 Missing MAIL FROM command.\n",
		"  1 C    +1.063ms RCPT TO:<alice@example.test>\\r\\n\n",
		"> 1 S    +2.512ms 502 5.5.1 Missing MAIL FROM command.\\r\\n\n",
	} {
		if !strings.Contains(fail.Failure.Body, s) {
			t.Errorf("failure body lacks %q:\n%s", s, fail.Failure.Body)
		}
	}
	if n := strings.Count(fail.Failure.Body, "\n> "); n != 1 {
		t.Errorf("failure body marks %d failing exchanges, want 1", n)
	}
	title := ""
	for _, p := range fail.Props {
		if p.Name == "title" {
			title = p.Value
		}
	}
	if title != "RCPT before MAIL is refused with 503 (bad sequence of commands)" {
		t.Errorf("title property = %q", title)
	}
}

func TestJUnitVerdicts(t *testing.T) {
	r := jmHostile()
	raw, doc := jmJUnit(t, r)
	jmCheckJUnit(t, r, doc)

	find := func(id, target string) jxCase {
		t.Helper()
		for _, s := range doc.Suites {
			for _, c := range s.Cases {
				if c.Name == id && strings.HasSuffix(c.Classname, "."+junitEscape(target, "\t\n")) {
					return c
				}
			}
		}
		t.Fatalf("no testcase %s [%s]", id, target)
		return jxCase{}
	}
	known := find("smtp/5321/4.5.3.1.4/known", "alpha")
	if known.Skipped == nil || !strings.HasPrefix(known.Skipped.Message, "known failure: Postfix accepts long lines a<b>&amp;") {
		t.Errorf("known failure = %+v, want <skipped message=\"known failure: ...\">", known.Skipped)
	} else if !strings.Contains(known.Skipped.Body, "transcript (4 entries") {
		t.Errorf("known failure body lacks the transcript:\n%s", known.Skipped.Body)
	}
	na := find("smtp/5321/3.3/must-fail", "gamma<&>\x00")
	if na.Skipped == nil || !strings.HasPrefix(na.Skipped.Message, "not applicable: no STARTTLS ") || na.Skipped.Body != "" {
		t.Errorf("not applicable = %+v, want an empty <skipped message=\"not applicable: ...\">", na.Skipped)
	}
	e := find("pop3/1939/5/error", "beta")
	if e.Error == nil || e.Error.Type != "error" || !strings.HasPrefix(e.Error.Message, "dial: ") {
		t.Errorf("error = %+v, want <error type=\"error\" message=\"dial: ...\">", e.Error)
	}
	should := find("smtp/5321/4.2.4/should-fail", "beta")
	if should.Failure == nil || should.Failure.Type != Should || !strings.HasPrefix(should.Failure.Message, "RFC 5321 3.3 SHOULD: ") {
		t.Errorf("SHOULD failure = %+v", should.Failure)
	}
	bare := find("x/0/0/bare", "beta")
	if bare.Failure == nil || bare.Failure.Message != `expected "", got "\x00"` || bare.Failure.Type != "fail" {
		t.Errorf("failure without reason, level or RFC = %+v", bare.Failure)
	}

	// Hostile text survives as its escaped form: markup round-trips,
	// forbidden characters are \xHH, and nothing else is lost.
	must := find("smtp/5321/3.3/must-fail", "alpha")
	wantGot := "got:      a<b>&amp;\"'c ]]> d\\x00e\\x1b[31mf\\x7f\\xff\\xfeg\\xe2\\x80\\xa8h\\xef\\xbf\\xbei\\xe2\\x80\\xaej\\r\\nk` | * _ $x$ @all #1 [l](http://x) <script>alert(1)</script>\n"
	if must.Failure == nil || !strings.Contains(must.Failure.Body, wantGot) {
		t.Errorf("failure body lacks %q", wantGot)
	}
	if !strings.Contains(must.Failure.Body, "  RFC 5321 4.2.1 MUST at byte 4: bare LF\\x00 a<b>") {
		t.Errorf("failure body lacks the violation:\n%s", must.Failure.Body)
	}
	if !bytes.Contains(raw, []byte("]]]]><![CDATA[>")) {
		t.Errorf("the CDATA end in server text was not split")
	}

	// The findings suite: kind and summary name the testcase.
	last := doc.Suites[len(doc.Suites)-1]
	if last.Name != "findings" || len(last.Cases) != 2 {
		t.Fatalf("last testsuite = %q with %d cases, want findings with 2", last.Name, len(last.Cases))
	}
	if c := last.Cases[1]; c.Name != "hang: no reply in 30 s" || c.Classname != "findings.beta" || c.Failure == nil || c.Failure.Type != "hang" {
		t.Errorf("finding testcase = %+v", c)
	}
	if c := last.Cases[0]; c.Failure == nil || !strings.Contains(c.Failure.Body, "seed:    seed`1`\n") ||
		!strings.Contains(c.Failure.Body, "transcript (4 entries):\n") {
		t.Errorf("finding body lacks seed or transcript:\n%+v", c.Failure)
	}

	// Endpoints: one property each, a counter for a second of a scheme.
	var alpha jxSuite
	for _, s := range doc.Suites {
		if s.Name == "transcripts/imap [alpha]" {
			alpha = s
		}
	}
	if alpha.Name != "transcripts/imap [alpha]" || alpha.prop("endpoint.smtp") != "smtp://127.0.0.1:2525" ||
		alpha.prop("endpoint.smtp.2") != "smtp://127.0.0.1:2526" || alpha.prop("endpoint.smtp.tls") != "TLS 1.3 TLS_AES_128_GCM_SHA256" ||
		alpha.prop("endpoint.imaps") != "imaps://127.0.0.1:9993" || alpha.prop("target.source") != "/tmp/alpha.yaml" {
		t.Errorf("%s properties = %+v", alpha.Name, alpha.Props)
	}
}

// TestJUnitCharacters checks that every character of the output is one
// XML 1.0 allows (section 2.2), whatever the report holds.
func TestJUnitCharacters(t *testing.T) {
	for name, r := range map[string]*Report{"hostile": jmHostile(), "many": jmMany(50, 20)} {
		var buf bytes.Buffer
		if err := WriteJUnit(&buf, r); err != nil {
			t.Fatal(err)
		}
		b := buf.Bytes()
		if !utf8.Valid(b) {
			t.Errorf("%s: output is not valid UTF-8", name)
		}
		for i, c := range string(b) {
			ok := c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c <= 0xd7ff || c >= 0xe000 && c <= 0xfffd || c >= 0x10000 && c <= 0x10ffff
			if !ok || c == utf8.RuneError && !bytes.HasPrefix(b[i:], []byte("\ufffd")) {
				t.Errorf("%s: character %U at byte %d is not allowed in XML 1.0", name, c, i)
				break
			}
		}
	}
}

func TestJUnitLongTranscript(t *testing.T) {
	var es []TranscriptEntry
	for i := range 3000 {
		es = append(es, TranscriptEntry{Conn: 1, Dir: "S", Data: fmt.Sprintf("entry-%04d", i)})
	}
	es[10].Data = strings.Repeat("y", 40<<10)
	fail := 2500
	r := &Report{Cases: []Case{{ID: "a/1/1/long", Target: "t", Level: Must, Verdict: transcripts.Fail,
		Detail: Detail{Reason: "r", FailedAt: &fail}, Transcript: es}}}
	r.Finish()
	_, doc := jmJUnit(t, r)
	jmCheckJUnit(t, r, doc)
	body := doc.Suites[0].Cases[0].Failure.Body
	for _, s := range []string{"transcript (3000 entries", "entry-0099\n", "entry-1650\n", "  ... 1550 entries omitted ...\n",
		"> 1 S    +0.000ms entry-2500\n", "entry-2549\n", "  ... 450 entries omitted ...\n", "(24576 more bytes)"} {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
		}
	}
	for _, s := range []string{"entry-0100\n", "entry-1649\n", "entry-2550\n"} {
		if strings.Contains(body, s) {
			t.Errorf("body has %q, which should have been cut", s)
		}
	}
	if n := strings.Count(body, "\n"); n > junitMaxEntries+20 {
		t.Errorf("body has %d lines, want at most about %d", n, junitMaxEntries)
	}
}

func TestJUnitEscape(t *testing.T) {
	tests := []struct{ in, keep, want string }{
		{"plain <&> \"text\" é 😀", "", "plain <&> \"text\" é 😀"},
		{"a\r\nb\tc", "", `a\r\nb\tc`},
		{"a\r\nb\tc", "\t\n", "a\\r\nb\tc"},
		{"\x00\x01\x08\x0b\x0c\x0e\x1f\x1b[0m", "", `\x00\x01\x08\x0b\x0c\x0e\x1f\x1b[0m`},
		{"del\x7f c1\u0085", "", `del\x7f c1\xc2\x85`},
		{"bad\xff\xc3(", "", `bad\xff\xc3(`},
		{"\ufffe\uffff\ufffd", "", `\xef\xbf\xbe\xef\xbf\xbf` + "\ufffd"},
		{"rtl\u202eltr\u2066 ls\u2028", "", `rtl\xe2\x80\xaeltr\xe2\x81\xa6 ls\xe2\x80\xa8`},
		{`already\x00escaped\\`, "", `already\x00escaped\\`},
		{"\xed\xa0\x80", "", `\xed\xa0\x80`}, // a surrogate in UTF-8 form is invalid
	}
	for _, tt := range tests {
		if got := junitEscape(tt.in, tt.keep); got != tt.want {
			t.Errorf("junitEscape(%q, %q) = %q, want %q", tt.in, tt.keep, got, tt.want)
		}
	}
}

func TestJUnitEmpty(t *testing.T) {
	r := &Report{Schema: Schema}
	r.Finish()
	raw, doc := jmJUnit(t, r)
	jmCheckJUnit(t, r, doc)
	if len(doc.Suites) != 0 || doc.Tests != 0 || bytes.Contains(raw, []byte("timestamp")) {
		t.Errorf("empty report: %s", raw)
	}
}

// jmXMLLint returns the path of xmllint, or ends the test: a failure in
// CI (CI=true), where the install script provides it, a skip elsewhere.
func jmXMLLint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err == nil {
		return path
	}
	msg := "xmllint is missing: install it with DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends --no-upgrade libxml2-utils"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// jmValidate validates the file against testdata/junit.xsd.
func jmValidate(t *testing.T, xmllint, file string) error {
	t.Helper()
	xsd, err := filepath.Abs(filepath.Join("testdata", "junit.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		return fmt.Errorf("xmllint %s: %v\n%s", filepath.Base(file), err, out)
	}
	if !bytes.Contains(out, []byte(" validates")) {
		return fmt.Errorf("xmllint %s: no verdict:\n%s", filepath.Base(file), out)
	}
	return nil
}

// TestJUnitSchema validates every JUnit file the tests generate against
// testdata/junit.xsd, and checks that the schema rejects what the readers
// would misread.
func TestJUnitSchema(t *testing.T) {
	xmllint := jmXMLLint(t)
	dir := t.TempDir()
	empty := &Report{Schema: Schema}
	empty.Finish()
	var es []TranscriptEntry
	for i := range 1500 {
		es = append(es, TranscriptEntry{Conn: i % 3, Dir: "C", Data: jmHostileText})
	}
	long := &Report{StartedAt: time.Now(), Cases: []Case{{ID: "a/1/1/long", Target: "t", Verdict: transcripts.Error,
		Detail: Detail{Reason: jmHostileText}, Transcript: es}}}
	long.Finish()
	reports := map[string]*Report{
		"sample":  jmSample(t),
		"hostile": jmHostile(),
		"many":    jmMany(300, 5),
		"empty":   empty,
		"long":    long,
	}
	for name, r := range reports {
		raw, _ := jmJUnit(t, r)
		file := filepath.Join(dir, "junit-"+name+".xml")
		if err := os.WriteFile(file, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := jmValidate(t, xmllint, file); err != nil {
			t.Errorf("%s report: %v", name, err)
		}
	}

	// The schema is not a rubber stamp.
	for name, doc := range map[string]string{
		"no classname":   `<testsuites name="m" tests="1" failures="0" errors="0" skipped="0" time="0"><testsuite name="s" tests="1" failures="0" errors="0" skipped="0" time="0"><testcase name="c" time="0"/></testsuite></testsuites>`,
		"count not int":  `<testsuites name="m" tests="x" failures="0" errors="0" skipped="0" time="0"/>`,
		"zone in stamp":  `<testsuites name="m" tests="0" failures="0" errors="0" skipped="0" time="0" timestamp="2026-11-22T16:35:07Z"/>`,
		"skip and fail":  `<testsuites name="m" tests="1" failures="1" errors="0" skipped="1" time="0"><testsuite name="s" tests="1" failures="1" errors="0" skipped="1" time="0"><testcase name="c" classname="k" time="0"><skipped/><failure/></testcase></testsuite></testsuites>`,
		"negative time":  `<testsuites name="m" tests="0" failures="0" errors="0" skipped="0" time="-1"/>`,
		"unknown child":  `<testsuites name="m" tests="0" failures="0" errors="0" skipped="0" time="0"><testcase name="c" classname="k" time="0"/></testsuites>`,
		"property value": `<testsuites name="m" tests="0" failures="0" errors="0" skipped="0" time="0"><testsuite name="s" tests="0" failures="0" errors="0" skipped="0" time="0"><properties><property name="p"/></properties></testsuite></testsuites>`,
	} {
		file := filepath.Join(dir, "bad.xml")
		if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if jmValidate(t, xmllint, file) == nil {
			t.Errorf("junit.xsd accepts a document with %s", name)
		}
	}
}
