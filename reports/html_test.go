package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// hostile is server text and report text meant to break out of the page:
// script tags, a closing script tag, quotes, an HTML comment, control
// characters, a right-to-left override and bytes that are not UTF-8.
const hostile = "<script>alert(1)</script></script><!-- \"dq\" 'sq' & <img src=x onerror=alert(2)> \x00\x1b[31m \xff\xfe \u202eevil"

// htmlTestTargets are the targets of the hand-built reports; the third
// name is hostile too.
var htmlTestTargets = []string{"alpha", "beta", `gamma"<script>alert(3)</script>`}

// htmlTestReport builds a report against the first n targets covering
// every verdict, a SHOULD failure, a known failure, findings, a case that
// did STARTTLS, a long transcript failing near its end, a case that ran
// against one target only, and hostile strings everywhere.
func htmlTestReport(n int) *Report {
	ehlo := []TranscriptEntry{
		{1, "note", 0.1, "connect smtp://127.0.0.1:2525"},
		{1, "S", 0.5, `220 mx.example.test ESMTP\r\n`},
		{1, "C", 0.6, `EHLO mailspec.test\r\n`},
		{1, "S", 0.9, `250-mx.example.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n`},
	}
	starttls := []TranscriptEntry{
		{1, "note", 0.2, "connect imap://127.0.0.1:1143"},
		{1, "S", 1.0, `* OK [CAPABILITY IMAP4rev2 STARTTLS] ready\r\n`},
		{1, "C", 1.1, `a1 STARTTLS\r\n`},
		{1, "S", 1.5, `a1 OK Begin TLS negotiation now\r\n`},
		{1, "tls", 4.0, "TLS 1.3 TLS_AES_128_GCM_SHA256"},
		{1, "C", 4.1, `a2 CAPABILITY\r\n`},
		{1, "S", 5.0, `* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\n`},
		{1, "S", 5.1, `a2 OK CAPABILITY completed\r\n`},
	}
	long := append([]TranscriptEntry{}, starttls[:5]...)
	for i := 0; len(long) < 150; i++ {
		long = append(long,
			TranscriptEntry{1, "C", 6 + float64(i), fmt.Sprintf(`a%d NOOP\r\n`, i+3)},
			TranscriptEntry{1, "S", 6.5 + float64(i), fmt.Sprintf(`a%d OK NOOP completed\r\n`, i+3)})
	}
	longFail := 140
	long[longFail].Data = `a999 BAD what?\r\n`
	hostileTranscript := []TranscriptEntry{
		{1, "note", 0.1, "connect pop3://127.0.0.1:1110 " + hostile},
		{1, "S", 0.4, `+OK <script>alert(1)</script> \x00\xff "quoted" \\x41\r\n`},
		{1, "C", 0.5, `CAPA\r\n`},
		{1, "S", 0.9, "-ERR " + hostile + `\r\n`},
		{2, "weird<dir>", 1.0, "raw control \x01\x7f and \u202e"},
	}
	unknown := append(append([]TranscriptEntry{}, ehlo...),
		TranscriptEntry{1, "C", 1.0, `XMAILSPECUNKNOWN\r\n`},
		TranscriptEntry{1, "S", 1.2, `501 5.5.2 Bad command\r\n`})
	at := func(i int) *int { return &i }
	refs := func(num string, secs ...string) []RFCRef {
		var out []RFCRef
		for _, s := range secs {
			out = append(out, RFCRef{num, s, RFCURL(num, s)})
		}
		return out
	}
	type cell struct {
		verdict transcripts.Verdict
		known   string
		detail  Detail
		tr      []TranscriptEntry
	}
	rows := []struct {
		id, title, proto, level string
		rfc                     []RFCRef
		cells                   []cell // per target; a zero verdict: not run
	}{
		{"smtp/5321/4.1.1.1/ehlo", "EHLO is answered with 250", "smtp", Must,
			append(refs("5321", "4.1.1.1", "2.3.5"), RFCRef{"1869", "-", RFCURL("1869", "-")}),
			[]cell{{transcripts.Pass, "", Detail{}, ehlo}, {transcripts.Pass, "", Detail{}, ehlo}, {transcripts.Pass, "", Detail{}, ehlo}}},
		{"smtp/5321/4.2.4/unknown-command", "An unrecognised command is answered with 500", "smtp", Should, refs("5321", "4.2.4"),
			[]cell{
				{transcripts.Fail, "", Detail{Reason: `unknown.txt:13: expected "500*", got "501 5.5.2 Bad command"`, Expected: "500*", Got: "501 5.5.2 Bad command", Line: 13, FailedAt: at(5)}, unknown},
				{transcripts.Pass, "", Detail{}, unknown},
				{transcripts.Fail, "Postfix answers 502 by design " + hostile, Detail{Reason: "expected 500", Expected: "500*", Got: "502 5.5.2 Error", FailedAt: at(5)}, unknown}}},
		{"imap/9051/6.2.1/starttls", "STARTTLS: tagged OK, TLS handshake, capabilities asked again", "imap", Must, refs("9051", "6.2.1"),
			[]cell{
				{transcripts.Pass, "", Detail{}, starttls},
				{transcripts.Fail, "", Detail{Reason: "a999: expected tagged OK", Expected: "a* OK*", Got: "a999 BAD what?", FailedAt: at(longFail)}, long},
				{transcripts.Error, "", Detail{Reason: "dial tcp 127.0.0.1:1143: connection refused"}, nil}}},
		{"pop3/1939/5/hostile", "Hostile " + hostile, "pop3", MustNot, refs("1939", "5"),
			[]cell{
				{transcripts.Fail, "", Detail{Reason: hostile, Expected: "+OK " + hostile, Got: "-ERR " + hostile, FailedAt: at(3),
					Violations: []wire.Violation{{RFC: "1939", Section: "3", Level: Must, Msg: "reply is not terminated by CRLF " + hostile, Offset: 7}}}, hostileTranscript},
				{transcripts.Pass, "", Detail{}, hostileTranscript},
				{transcripts.Pass, "", Detail{}, hostileTranscript}}},
		{"pop3/2449/5/capa", "CAPA is answered with a multi-line listing", "pop3", Must, refs("2449", "5"),
			[]cell{{transcripts.NotApplicable, "", Detail{Reason: "the server does not announce CAPA"}, nil},
				{transcripts.NotApplicable, "", Detail{Reason: "the server does not announce CAPA"}, nil},
				{transcripts.NotApplicable, "", Detail{Reason: "the server does not announce CAPA"}, nil}}},
		{"imap/3501/6.1.2/noop-may", "NOOP may carry untagged updates", "imap", May, refs("3501", "6.1.2"),
			[]cell{{transcripts.Pass, "", Detail{}, starttls[:2]}, {}, {}}},
	}
	r := &Report{
		Schema:     Schema,
		Tool:       Tool{Name: "mailspec", Version: "1.2.3-test " + hostile},
		StartedAt:  time.Date(2026, 11, 22, 16, 35, 7, 0, time.UTC),
		DurationMS: 1923,
	}
	for i, name := range htmlTestTargets[:n] {
		r.Targets = append(r.Targets, Target{Name: name, Source: "/tmp/" + name + ".yaml", Endpoints: []TargetEndpoint{
			{URL: "imap://127.0.0.1:1143", Protocol: "imap", CapsBeforeTLS: []string{"IMAP4rev2", "STARTTLS", "LOGINDISABLED"},
				CapsAfterTLS: []string{"IMAP4rev2", "AUTH=PLAIN", hostile}, TLSVersion: "TLS 1.3", TLSCipher: "TLS_AES_128_GCM_SHA256"},
			{URL: "pop3s://127.0.0.1:1995", Protocol: "pop3", CapsAfterTLS: []string{"USER", "UIDL"}, TLSVersion: "TLS 1.2", TLSCipher: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
			{URL: "smtp://127.0.0.1:2525", Protocol: "smtp", CapsBeforeTLS: []string{"PIPELINING"}},
		}})
		for _, row := range rows {
			c := row.cells[i]
			if c.verdict == "" {
				continue
			}
			r.Cases = append(r.Cases, Case{
				ID: row.id, Title: row.title, Group: "transcripts/" + row.proto, Protocol: row.proto,
				Target: name, Source: row.proto + "/x.txt", RFC: row.rfc, Level: row.level,
				Verdict: c.verdict, DurationMS: int64(3 + i), Detail: c.detail, KnownFailure: c.known, Transcript: c.tr,
			})
		}
	}
	r.Findings = []Finding{
		{Kind: "hang", Target: "alpha", Seed: "seed-1", Summary: "no reply within 10s after a 2000-octet line", Transcript: ehlo},
		{Kind: "crash " + hostile, Target: "alpha", Seed: hostile, Summary: hostile, Transcript: hostileTranscript},
	}
	r.Finish()
	return r
}

func readSample(t testing.TB) *Report {
	t.Helper()
	r, err := ReadJSON(filepath.Join("testdata", "sample-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func renderHTML(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// htmlReports are the reports every page test renders.
func htmlReports(t *testing.T) map[string]*Report {
	return map[string]*Report{
		"sample":   readSample(t),
		"1-target": htmlTestReport(1),
		"3-target": htmlTestReport(3),
	}
}

var (
	// Every tag of the page. Escaped text holds no "<", and html/template
	// escapes ">" in attribute values, so this finds every tag.
	tagRe  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	attrRe = regexp.MustCompile(`\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)
	rfcRe  = regexp.MustCompile(`^https://www\.rfc-editor\.org/rfc/rfc[0-9]+(#section-[0-9A-Za-z.-]+)?$`)
)

var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "link": true, "title": true, "style": true, "body": true,
	"header": true, "h1": true, "h2": true, "h3": true, "h4": true, "p": true, "span": true, "strong": true,
	"time": true, "details": true, "summary": true, "section": true, "table": true, "thead": true,
	"tbody": true, "tr": true, "th": true, "td": true, "code": true, "div": true, "ul": true, "li": true,
	"nav": true, "a": true, "main": true, "button": true, "caption": true, "svg": true, "rect": true,
	"label": true, "input": true, "select": true, "option": true, "pre": true, "dl": true, "dt": true,
	"dd": true, "footer": true, "script": true, "i": true, "b": true,
}

// TestWriteHTMLSelfContained checks that the page can fetch nothing: no
// tag outside a fixed list, no src, style or event-handler attribute, no
// link but the RFC Editor's RFC pages and in-page anchors, no http(s) URL
// anywhere else, no @import or url(), and a Content-Security-Policy whose
// hashes are those of the one inline style sheet and the one script.
func TestWriteHTMLSelfContained(t *testing.T) {
	for name, r := range htmlReports(t) {
		out := renderHTML(t, r)
		if !utf8.ValidString(out) {
			t.Errorf("%s: output is not valid UTF-8", name)
		}
		rfcLinks := 0
		for _, m := range tagRe.FindAllStringSubmatch(out, -1) {
			tag := strings.ToLower(m[2])
			if !allowedTags[tag] {
				t.Errorf("%s: unexpected tag <%s%s>", name, m[2], m[3])
			}
			for _, a := range attrRe.FindAllStringSubmatch(m[3], -1) {
				attr, val := strings.ToLower(a[1]), a[2]+a[3]+a[4]
				switch {
				case strings.HasPrefix(attr, "on"), attr == "src", attr == "srcset", attr == "style", attr == "action",
					attr == "formaction", attr == "background", attr == "poster", attr == "xlink:href", attr == "ping":
					t.Errorf("%s: attribute %s in <%s%s>", name, attr, m[2], m[3])
				case attr == "href":
					switch {
					case tag == "link" && val == "data:,":
					case tag == "a" && strings.HasPrefix(val, "#"):
					case tag == "a" && rfcRe.MatchString(val):
						rfcLinks++
					default:
						t.Errorf("%s: link %q in <%s%s>", name, val, m[2], m[3])
					}
				}
			}
		}
		if n := strings.Count(out, "http://") + strings.Count(out, "https://"); n != rfcLinks {
			t.Errorf("%s: %d http(s) URLs, want only the %d RFC links", name, n, rfcLinks)
		}
		if rfcLinks == 0 {
			t.Errorf("%s: no RFC link", name)
		}
		for _, bad := range []string{"@import", "url(", "<iframe", "<object", "<embed", "<img", "<base"} {
			if strings.Contains(strings.ToLower(out), bad) {
				t.Errorf("%s: output contains %q", name, bad)
			}
		}
		if n := strings.Count(out, "<script"); n != 1 {
			t.Errorf("%s: %d <script> tags, want 1", name, n)
		}
		if n := strings.Count(out, "<style"); n != 1 {
			t.Errorf("%s: %d <style> tags, want 1", name, n)
		}
		script := between(out, "<script>", "</script>")
		style := between(out, "<style>", "</style>")
		if script != htmlJS || style != htmlCSS {
			t.Errorf("%s: inline script or style differs from the embedded files", name)
		}
		csp := html.UnescapeString(between(out, `http-equiv="Content-Security-Policy" content="`, `"`))
		for _, want := range []string{"default-src 'none'", "script-src " + sha256CSP(script), "style-src " + sha256CSP(style)} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", name, csp, want)
			}
		}
	}
}

func sha256CSP(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// between returns the text of s between the first start and the next end.
func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// caseChunk returns the markup of the case row for id and target.
func caseChunk(t *testing.T, out, id, target string) string {
	t.Helper()
	key := ` data-target="` + html.EscapeString(target) + `" data-id="` + html.EscapeString(id) + `">`
	i := strings.Index(out, key)
	if i < 0 {
		t.Fatalf("no case row %s [%s]", id, target)
	}
	start := strings.LastIndex(out[:i], `<details class="case-row"`)
	end := strings.Index(out[i:], "</details>")
	return out[start : i+end]
}

// TestWriteHTMLHostile checks that hostile strings are shown as text and
// never become markup.
func TestWriteHTMLHostile(t *testing.T) {
	out := renderHTML(t, htmlTestReport(3))
	for _, bad := range []string{"<script>alert", "</script></script>", "<img src", "<!--", "\u202e", "\x00", "\x1b", "\x7f"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q unescaped", bad)
		}
	}
	for i := 0; i < len(out); i++ {
		if c := out[i]; c < 0x20 && c != '\n' && c != '\t' {
			t.Fatalf("output holds control byte %#x at %d: %q", c, i, out[max(0, i-40):i])
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile script tag is not shown escaped")
	}
	// The reason reads back as the text the report holds, with the
	// hidden characters made visible.
	chunk := caseChunk(t, out, "pop3/1939/5/hostile", "alpha")
	gotReason := html.UnescapeString(between(chunk, `<p class="reason"><strong>Reason:</strong> <span>`, "</span>"))
	wantReason := `<script>alert(1)</script></script><!-- "dq" 'sq' & <img src=x onerror=alert(2)> \0\x1b[31m \xff\xfe \u{202e}evil`
	if gotReason != wantReason {
		t.Errorf("reason shown as\n%q\nwant\n%q", gotReason, wantReason)
	}
	if clean(hostile) != wantReason {
		t.Errorf("clean(hostile) = %q, want %q", clean(hostile), wantReason)
	}
	// The transcript shows the server's bytes as text, escapes marked.
	for _, want := range []string{
		`<td>S:<td>-ERR &lt;script&gt;alert(1)&lt;/script&gt;`,
		`<i>\0\x1b</i>[31m <i>\xff\xfe</i> <i>\u{202e}</i>evil<i>\r\n</i>`,
		`<td>weird&lt;dir&gt;<td>raw control <i>\x01\x7f</i> and <i>\u{202e}</i>`,
	} {
		if !strings.Contains(chunk, want) {
			t.Errorf("hostile transcript lacks %q", want)
		}
	}
	// The hostile target name stays one attribute value.
	if !strings.Contains(out, `data-target="gamma&#34;&lt;script&gt;alert(3)&lt;/script&gt;"`) {
		t.Error("hostile target name not escaped as an attribute value")
	}
}

// TestWriteHTMLCases checks the case list: failures first, then errors,
// known failures, not applicable and passes; one row per case with its
// attributes; the failing exchange marked on the entry Detail.FailedAt
// names; TLS handshakes as rows of their own.
func TestWriteHTMLCases(t *testing.T) {
	rowRe := regexp.MustCompile(`<details class="case-row" id="c-[0-9]+" data-verdict="([a-z-]+)" data-protocol="([^"]*)" data-rfc="([^"]*)" data-level="([^"]*)" data-target="([^"]*)" data-id="([^"]*)">`)
	for name, r := range htmlReports(t) {
		out := renderHTML(t, r)
		rows := rowRe.FindAllStringSubmatch(out, -1)
		if len(rows) != len(r.Cases) {
			t.Fatalf("%s: %d case rows, want %d", name, len(rows), len(r.Cases))
		}
		want := map[string]int{}
		for i := range r.Cases {
			want[verdictClass(&r.Cases[i])]++
		}
		got := map[string]int{}
		for i, m := range rows {
			got[m[1]]++
			if i > 0 && classRank(m[1]) < classRank(rows[i-1][1]) {
				t.Errorf("%s: row %d (%s %s) comes after a %s row", name, i, m[1], m[6], rows[i-1][1])
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: verdict classes (-want +got):\n%s", name, d)
		}
		for _, c := range r.Cases {
			if c.Detail.FailedAt == nil {
				continue
			}
			chunk := caseChunk(t, out, c.ID, c.Target)
			trs := strings.Split(between(between(chunk, `<table class="transcript">`, "</table>"), "<tbody>", "</tbody>"), "<tr class=")[1:]
			if len(trs) != len(c.Transcript) {
				t.Errorf("%s: %s [%s]: %d transcript rows, want %d", name, c.ID, c.Target, len(trs), len(c.Transcript))
				continue
			}
			for i, tr := range trs {
				class := between(tr, `"`, `"`)
				failing := strings.Contains(" "+class+" ", " failing ")
				if failing != (i == *c.Detail.FailedAt) {
					t.Errorf("%s: %s [%s]: row %d failing=%v, FailedAt=%d", name, c.ID, c.Target, i, failing, *c.Detail.FailedAt)
				}
			}
		}
	}
	r := htmlTestReport(3)
	out := renderHTML(t, r)
	chunk := caseChunk(t, out, "imap/9051/6.2.1/starttls", "alpha")
	for _, want := range []string{
		"<tr class=\"tls\"><td>1<td>4.000<td>TLS<td>TLS handshake: TLS 1.3 TLS_AES_128_GCM_SHA256\n",
		"<tr class=\"c\"><td>1<td>1.100<td>C:<td>a1 STARTTLS<i>\\r\\n</i>\n",
		"<tr class=\"note\"><td>1<td>0.200<td>#<td>connect imap://127.0.0.1:1143\n",
		`<a href="https://www.rfc-editor.org/rfc/rfc9051#section-6.2.1">RFC 9051 §6.2.1</a>`,
	} {
		if !strings.Contains(chunk, want) {
			t.Errorf("starttls case lacks %q", want)
		}
	}
	// Multi-line replies show one line per reply line, in one entry row.
	chunk = caseChunk(t, out, "smtp/5321/4.1.1.1/ehlo", "beta")
	if want := "<td>S:<td>250-mx.example.test<i>\\r\\n</i>\n250-PIPELINING<i>\\r\\n</i>\n250 STARTTLS<i>\\r\\n</i>\n"; !strings.Contains(chunk, want) {
		t.Errorf("EHLO reply not shown line by line; want %q in\n%s", want, chunk)
	}
	if !strings.Contains(chunk, `data-rfc="5321 1869"`) {
		t.Errorf("data-rfc of a case citing RFC 5321 twice and RFC 1869 is not %q", "5321 1869")
	}
	chunk = caseChunk(t, out, "smtp/5321/4.2.4/unknown-command", htmlTestTargets[2])
	if !strings.Contains(chunk, `data-verdict="known-failure"`) || !strings.Contains(chunk, "Known failure (baseline):</strong> <span>Postfix answers 502 by design &lt;script&gt;") {
		t.Errorf("known failure not shown with its reason:\n%s", chunk[:min(len(chunk), 2000)])
	}
	chunk = caseChunk(t, out, "smtp/5321/4.2.4/unknown-command", "alpha")
	if !strings.Contains(chunk, `data-level="SHOULD"`) || !strings.Contains(chunk, `<pre class="expected">500*</pre>`) || !strings.Contains(chunk, `<pre class="got">501 5.5.2 Bad command</pre>`) {
		t.Errorf("SHOULD failure lacks its level or expected/got:\n%s", chunk[:min(len(chunk), 2000)])
	}
	if !strings.Contains(out, `2 MUST-level failures not in the baseline`) {
		t.Errorf("outcome line does not count the MUST failures not in the baseline")
	}
}

// TestWriteHTMLSummary checks the summary numbers against the totals.
func TestWriteHTMLSummary(t *testing.T) {
	for name, r := range htmlReports(t) {
		out := renderHTML(t, r)
		tot := r.Totals
		for id, n := range map[string]int{
			"cases": tot.Cases, "fail": tot.Fail - tot.KnownFailures, "error": tot.Error,
			"known-failure": tot.KnownFailures, "not-applicable": tot.NotApplicable, "pass": tot.Pass,
		} {
			if want := fmt.Sprintf(`id="count-%s" data-set-verdict="%s" data-count="%d">`, id, strings.TrimPrefix(id, "cases"), n); id != "cases" && !strings.Contains(out, want) {
				t.Errorf("%s: summary lacks %s", name, want)
			}
			if want := fmt.Sprintf(`id="count-cases" data-set-verdict="" data-count="%d">`, tot.Cases); id == "cases" && !strings.Contains(out, want) {
				t.Errorf("%s: summary lacks %s", name, want)
			}
		}
		for table, m := range map[string]map[string]Counts{"by-protocol": tot.ByProtocol, "by-level": tot.ByLevel, "by-rfc": tot.ByRFC} {
			body := between(out, `<table class="counts" id="`+table+`">`, "</table>")
			for k, c := range m {
				row := between(body, `<tr data-key="`+html.EscapeString(k)+`">`, "</tr>")
				for col, n := range map[string]int{"cases": c.Cases, "fail": c.Fail - c.KnownFailures, "pass": c.Pass, "error": c.Error, "known-failure": c.KnownFailures, "not-applicable": c.NotApplicable} {
					if !regexp.MustCompile(`<td data-count="` + col + `"[^>]*>` + fmt.Sprint(n) + `</td>`).MatchString(row) {
						t.Errorf("%s: %s %s: no %s count %d in %q", name, table, k, col, n, row)
					}
				}
			}
		}
	}
}

// TestWriteHTMLMatrix checks the matrix: absent with one target; with
// three, one cell per case id and target, rows that differ marked.
func TestWriteHTMLMatrix(t *testing.T) {
	if out := renderHTML(t, htmlTestReport(1)); strings.Contains(out, `<section id="matrix">`) || strings.Contains(out, `<td class="matrix-cell"`) {
		t.Error("a one-target report has a matrix")
	}
	cellRe := regexp.MustCompile(`<td class="matrix-cell" data-verdict="([a-z-]+)"`)
	rowRe := regexp.MustCompile(`<tr class="matrix-row[^"]*" data-differ="(true|false)" data-id="([^"]*)">`)
	for name, r := range map[string]*Report{"sample": readSample(t), "3-target": htmlTestReport(3)} {
		out := renderHTML(t, r)
		ids := map[string]map[string]string{}
		for i := range r.Cases {
			c := &r.Cases[i]
			if ids[c.ID] == nil {
				ids[c.ID] = map[string]string{}
			}
			ids[c.ID][c.Target] = verdictClass(c)
		}
		wantDiffer := map[string]string{}
		for id, byTarget := range ids {
			differ := len(byTarget) != len(r.Targets)
			for _, v := range byTarget {
				for _, w := range byTarget {
					differ = differ || v != w
				}
			}
			wantDiffer[id] = fmt.Sprint(differ)
		}
		gotDiffer := map[string]string{}
		for _, m := range rowRe.FindAllStringSubmatch(out, -1) {
			gotDiffer[html.UnescapeString(m[2])] = m[1]
		}
		if d := cmp.Diff(wantDiffer, gotDiffer); d != "" {
			t.Errorf("%s: matrix rows (-want +got):\n%s", name, d)
		}
		cells := cellRe.FindAllStringSubmatch(out, -1)
		if len(cells) != len(ids)*len(r.Targets) {
			t.Errorf("%s: %d matrix cells, want %d ids × %d targets", name, len(cells), len(ids), len(r.Targets))
		}
	}
	out := renderHTML(t, htmlTestReport(3))
	row := between(out, `data-id="smtp/5321/4.2.4/unknown-command">`, "</tr>")
	var got []string
	for _, m := range cellRe.FindAllStringSubmatch(row, -1) {
		got = append(got, m[1])
	}
	if d := cmp.Diff([]string{"fail", "pass", "known-failure"}, got); d != "" {
		t.Errorf("unknown-command matrix row (-want +got):\n%s", d)
	}
	row = between(out, `data-id="imap/3501/6.1.2/noop-may">`, "</tr>")
	if n := strings.Count(row, `data-verdict="none"`); n != 2 {
		t.Errorf("case run against one target of three: %d cells marked not run, want 2", n)
	}
}

func TestWriteHTMLFindings(t *testing.T) {
	out := renderHTML(t, htmlTestReport(1))
	f := between(out, `<section id="findings">`, "</section>")
	if n := strings.Count(f, `<details class="finding"`); n != 2 {
		t.Errorf("%d findings shown, want 2", n)
	}
	for _, want := range []string{"<dt>kind</dt><dd>hang</dd>", "<dt>seed</dt><dd><code>seed-1</code></dd>", "no reply within 10s", "<td>S:<td>220 mx.example.test ESMTP<i>\\r\\n</i>\n"} {
		if !strings.Contains(f, want) {
			t.Errorf("findings lack %q", want)
		}
	}
	if out := renderHTML(t, readSample(t)); !strings.Contains(out, "No fuzzing finding in this run.") {
		t.Error("a report without findings does not say so")
	}
}

func TestDataSegments(t *testing.T) {
	tests := []struct {
		in   string
		want []htmlSeg
	}{
		{"", nil},
		{`EHLO x\r\n`, []htmlSeg{{Text: "EHLO x"}, {Text: `\r\n`, Esc: true}}},
		{`250-a\r\n250 b\r\n`, []htmlSeg{{Text: "250-a"}, {Text: `\r\n`, Esc: true, Break: true}, {Text: "250 b"}, {Text: `\r\n`, Esc: true}}},
		{`a\\b \$x \x00\xFF\0\t`, []htmlSeg{{Text: "a"}, {Text: `\\`, Esc: true}, {Text: "b $x "}, {Text: `\x00\xff\0\t`, Esc: true}}},
		{`bad \q \x4 end\`, []htmlSeg{{Text: `bad \q \x4 end\`}}},
		{"raw\x00\xff\u202e\n\nx", []htmlSeg{{Text: "raw"}, {Text: `\0\xff\u{202e}\n`, Esc: true, Break: true}, {Text: `\n`, Esc: true, Break: true}, {Text: "x"}}},
		{"ünïcödé ✓", []htmlSeg{{Text: "ünïcödé ✓"}}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, dataSegments(tt.in)); d != "" {
			t.Errorf("dataSegments(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines\tand tab", "two\nlines\tand tab"},
		{"cr\r nul\x00 esc\x1b del\x7f", `cr\r nul\0 esc\x1b del\x7f`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"c1 \u0085 bidi \u202e\u2066 ok é", `c1 \u{0085} bidi \u{202e}\u{2066} ok é`},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRFCLink(t *testing.T) {
	tests := []struct {
		number, section, url string
		want                 htmlRFC
	}{
		{"5321", "4.2.4", RFCURL("5321", "4.2.4"), htmlRFC{"RFC 5321 §4.2.4", "https://www.rfc-editor.org/rfc/rfc5321#section-4.2.4"}},
		{"5321", "4.2.4", "", htmlRFC{"RFC 5321 §4.2.4", "https://www.rfc-editor.org/rfc/rfc5321#section-4.2.4"}},
		{"1869", "-", "", htmlRFC{"RFC 1869", "https://www.rfc-editor.org/rfc/rfc1869"}},
		{"5321", "2", "https://evil.example/x", htmlRFC{"RFC 5321 §2", "https://www.rfc-editor.org/rfc/rfc5321#section-2"}},
		{"5321", "2", "javascript:alert(1)", htmlRFC{"RFC 5321 §2", "https://www.rfc-editor.org/rfc/rfc5321#section-2"}},
		{"draft-x", "1", "https://evil.example/", htmlRFC{"RFC draft-x §1", ""}},
		{"5321", `1"><x`, "", htmlRFC{`RFC 5321 §1"><x`, ""}},
	}
	for _, tt := range tests {
		if got := rfcLink(tt.number, tt.section, tt.url); got != tt.want {
			t.Errorf("rfcLink(%q, %q, %q) = %+v, want %+v", tt.number, tt.section, tt.url, got, tt.want)
		}
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > 1000 {
		return 0, errors.New("disk full")
	}
	w.n += len(p)
	return len(p), nil
}

func TestWriteHTMLErrors(t *testing.T) {
	if err := WriteHTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("WriteHTML(nil report) = nil error")
	}
	err := WriteHTML(&failWriter{}, htmlTestReport(1))
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.HasPrefix(err.Error(), "reports: ") {
		t.Errorf("WriteHTML to a failing writer = %v, want a reports: error wrapping disk full", err)
	}
	// An empty report still renders, and says it holds nothing.
	out := renderHTML(t, &Report{Schema: Schema})
	if !strings.Contains(out, "The report holds no case") {
		t.Error("empty report: no word that it is empty")
	}
}

// TestWriteHTMLSize renders 2000 case results (1000 cases against two
// targets) with transcripts of 40 entries and notes the page's size.
func TestWriteHTMLSize(t *testing.T) {
	const ids, entries = 1000, 40
	r := &Report{Schema: Schema, Tool: Tool{Name: "mailspec", Version: "size"}, Targets: []Target{{Name: "a"}, {Name: "b"}}}
	dataBytes := 0
	for i := 0; i < ids; i++ {
		for j, tg := range []string{"a", "b"} {
			c := Case{
				ID: fmt.Sprintf("smtp/5321/4.1.%d/case-number-%04d", i%50, i), Title: "A case title of a typical length, saying what is checked",
				Protocol: "smtp", Target: tg, Level: Must, Verdict: transcripts.Pass, DurationMS: 12,
				RFC: []RFCRef{{"5321", "4.1.1", RFCURL("5321", "4.1.1")}},
			}
			if (i+j)%7 == 0 {
				c.Verdict = transcripts.Fail
				c.Detail = Detail{Reason: "x.txt:12: expected \"250*\", got \"550 5.7.1 Relaying denied\"", Expected: "250*", Got: "550 5.7.1 Relaying denied", FailedAt: new(int)}
				*c.Detail.FailedAt = entries - 1
			}
			for k := 0; k < entries; k++ {
				e := TranscriptEntry{Conn: 1 + k/20, Dir: "C", TMS: float64(k) * 1.234, Data: fmt.Sprintf(`MAIL FROM:<sender-%d@example.test> SIZE=%d\r\n`, k, 1000*k)}
				if k%2 == 1 {
					e.Dir, e.Data = "S", `250-mx.example.test\r\n250-PIPELINING\r\n250 2.1.0 Sender OK\r\n`
				}
				dataBytes += len(e.Data)
				c.Transcript = append(c.Transcript, e)
			}
			r.Cases = append(r.Cases, c)
		}
	}
	r.Finish()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	perK := float64(b.Len()) / float64(len(r.Cases)/1000)
	overhead := float64(b.Len()-dataBytes) / float64(len(r.Cases))
	t.Logf("%d case results, %d transcript entries each: %d bytes of HTML, %.2f MB per 1000 cases, of which %.2f MB transcript text; %.0f bytes of markup per case",
		len(r.Cases), entries, b.Len(), perK/1e6, float64(dataBytes)/float64(len(r.Cases)/1000)/1e6, overhead)
	// Markup costs a bounded amount per case and per transcript entry.
	if limit := 2000.0 + 64*entries; overhead > limit {
		t.Errorf("%.0f bytes of markup per case, want at most %.0f", overhead, limit)
	}
	sample := readSample(t)
	n := len(renderHTML(t, sample))
	perK = float64(n) / float64(len(sample.Cases)) * 1000
	t.Logf("sample report: %d case results, %d bytes of HTML (%.2f MB per 1000 cases)", len(sample.Cases), n, perK/1e6)
	if perK > 3e6 {
		t.Errorf("sample report: %.2f MB per 1000 cases, want under 3 MB", perK/1e6)
	}
}

func ExampleWriteHTML() {
	r, err := ReadJSON(filepath.Join("testdata", "sample-report.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Create(filepath.Join(os.TempDir(), "report.html"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	if err := WriteHTML(f, r); err != nil {
		fmt.Println(err)
	}
}
