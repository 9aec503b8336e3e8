package reports

// The real-browser test of the HTML report: headless Chromium driven by
// chromedriver through the W3C WebDriver HTTP API
// (https://www.w3.org/TR/webdriver2/), from net/http. Chromium and
// chromedriver come from Debian (targets/browser/install.sh).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	chromiumPath     = "/usr/bin/chromium"
	chromedriverPath = "/usr/bin/chromedriver"
	// waitLimit bounds every wait for the browser: a hang guard for a
	// loaded machine, not a timing assertion.
	waitLimit = 30 * time.Second
)

func TestHTMLInBrowser(t *testing.T) {
	for _, p := range []string{chromiumPath, chromedriverPath} {
		if _, err := os.Stat(p); err != nil {
			msg := fmt.Sprintf("%s is missing: run targets/browser/install.sh", p)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	out := os.Getenv("MAILSPEC_ARTIFACTS")
	if out == "" {
		out = filepath.Join("testdata", "out")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startBrowser(t)
	pages := t.TempDir()
	for _, tc := range []struct {
		name, shot string
		r          *Report
	}{
		{"sample", "report.png", readSample(t)},
		{"3-targets", "report-3-targets.png", htmlTestReport(3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(pages, tc.name+".html")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteHTML(f, tc.r); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				t.Fatal(err)
			}
			d.call(t, "POST", d.sess("/url"), map[string]any{"url": "file://" + filepath.ToSlash(abs)})
			d.waitFor(t, "page loaded", `return document.readyState === 'complete'`)
			checkPage(t, d, tc.r)
			d.screenshot(t, filepath.Join(out, tc.shot), tc.r)
		})
	}
}

// caseKeyOf is how the checks name a case row: "id [target]".
func caseKeyOf(c *Case) string { return clean(c.ID) + " [" + clean(c.Target) + "]" }

// jsVisibleRows lists the case rows the reader sees.
const jsVisibleRows = `return Array.from(document.querySelectorAll('details.case-row'))
	.filter(r => r.getClientRects().length > 0)
	.map(r => r.dataset.id + ' [' + r.dataset.target + ']');`

func checkPage(t *testing.T, d *webDriver, r *Report) {
	all := func(keep func(c *Case) bool) []string {
		keys := []string{}
		for i := range r.Cases {
			if keep(&r.Cases[i]) {
				keys = append(keys, caseKeyOf(&r.Cases[i]))
			}
		}
		sort.Strings(keys)
		return keys
	}
	visible := func() []string {
		keys := []string{}
		d.exec(t, &keys, jsVisibleRows)
		sort.Strings(keys)
		return keys
	}

	// No request left the page, and nothing was injected into it.
	var page struct {
		Resources []string `json:"resources"`
		Scripts   int      `json:"scripts"`
		Images    int      `json:"images"`
		Title     string   `json:"title"`
	}
	d.exec(t, &page, `return {resources: performance.getEntriesByType('resource').map(e => e.name),
		scripts: document.scripts.length, images: document.images.length, title: document.title};`)
	if len(page.Resources) != 0 || page.Scripts != 1 || page.Images != 0 {
		t.Errorf("page loaded resources %q, has %d scripts and %d images; want none, 1 and 0", page.Resources, page.Scripts, page.Images)
	}

	// The summary shows the report's totals.
	var summary struct {
		Tiles  map[string]int                       `json:"tiles"`
		Tables map[string]map[string]map[string]int `json:"tables"`
	}
	d.exec(t, &summary, `const out = {tiles: {}, tables: {}};
		document.querySelectorAll('#summary .tile').forEach(b => { out.tiles[b.id.replace('count-', '')] = Number(b.querySelector('.n').textContent); });
		for (const id of ['by-protocol', 'by-level', 'by-rfc']) {
			const m = {};
			document.querySelectorAll('#' + id + ' tbody tr[data-key]').forEach(tr => {
				const c = {};
				tr.querySelectorAll('td[data-count]').forEach(td => { c[td.dataset.count] = Number(td.textContent); });
				m[tr.dataset.key] = c;
			});
			out.tables[id] = m;
		}
		return out;`)
	counts := func(c Counts) map[string]int {
		return map[string]int{"cases": c.Cases, "fail": c.Fail - c.KnownFailures, "error": c.Error,
			"known-failure": c.KnownFailures, "not-applicable": c.NotApplicable, "pass": c.Pass}
	}
	if d := cmp.Diff(counts(r.Totals.Counts), summary.Tiles); d != "" {
		t.Errorf("summary tiles differ from the totals (-want +got):\n%s", d)
	}
	for id, m := range map[string]map[string]Counts{"by-protocol": r.Totals.ByProtocol, "by-level": r.Totals.ByLevel, "by-rfc": r.Totals.ByRFC} {
		want := map[string]map[string]int{}
		for k, c := range m {
			want[k] = counts(c)
		}
		if d := cmp.Diff(want, summary.Tables[id]); d != "" {
			t.Errorf("summary table %s differs from the totals (-want +got):\n%s", id, d)
		}
	}

	// Failures come first, then errors, known failures, n/a, passes.
	var order []string
	d.exec(t, &order, `return Array.from(document.querySelectorAll('details.case-row')).map(r => r.dataset.verdict);`)
	if len(order) != len(r.Cases) {
		t.Fatalf("%d case rows, want %d", len(order), len(r.Cases))
	}
	for i := 1; i < len(order); i++ {
		if classRank(order[i]) < classRank(order[i-1]) {
			t.Errorf("row %d is %s after a %s row", i, order[i], order[i-1])
		}
	}
	if r.Totals.Fail-r.Totals.KnownFailures > 0 && order[0] != classFail {
		t.Errorf("first row is %s, want a failure", order[0])
	}
	if got := visible(); len(got) != len(r.Cases) {
		t.Errorf("%d rows visible before filtering, want %d", len(got), len(r.Cases))
	}

	// Each filter leaves exactly the matching rows.
	type filterCheck struct {
		sel, value string
		keep       func(c *Case) bool
	}
	var checks []filterCheck
	for _, v := range verdictClasses {
		checks = append(checks, filterCheck{"filter-verdict", v.class, func(c *Case) bool { return verdictClass(c) == v.class }})
	}
	for p := range r.Totals.ByProtocol {
		checks = append(checks, filterCheck{"filter-protocol", p, func(c *Case) bool { return c.Protocol == p }})
	}
	for l := range r.Totals.ByLevel {
		checks = append(checks, filterCheck{"filter-level", l, func(c *Case) bool { return c.Level == l }})
	}
	for n := range r.Totals.ByRFC {
		checks = append(checks, filterCheck{"filter-rfc", n, func(c *Case) bool {
			for _, ref := range c.RFC {
				if ref.Number == n {
					return true
				}
			}
			return false
		}})
	}
	for _, tg := range r.Targets {
		checks = append(checks, filterCheck{"filter-target", clean(tg.Name), func(c *Case) bool { return clean(c.Target) == clean(tg.Name) }})
	}
	// (Here the filters are set by script, as the change event of a
	// reader's choice would; the combined check below clicks options.)
	for _, fc := range checks {
		want := all(fc.keep)
		var got struct {
			Value   string   `json:"value"`
			Rows    []string `json:"rows"`
			NoMatch bool     `json:"noMatch"`
		}
		d.exec(t, &got, `const s = document.getElementById(arguments[0]);
			s.value = arguments[1];
			s.dispatchEvent(new Event('change', {bubbles: true}));
			const rows = (function () { `+jsVisibleRows+` })();
			const out = {value: s.value, rows: rows, noMatch: document.getElementById('no-match').getClientRects().length > 0};
			s.value = '';
			s.dispatchEvent(new Event('change', {bubbles: true}));
			return out;`, fc.sel, fc.value)
		sort.Strings(got.Rows)
		if got.Value != fc.value {
			t.Errorf("select#%s = %q after choosing %q", fc.sel, got.Value, fc.value)
		}
		if diff := cmp.Diff(want, got.Rows); diff != "" {
			t.Errorf("%s = %q: visible rows (-want +got):\n%s", fc.sel, fc.value, diff)
		}
		if noMatch := got.NoMatch; noMatch != (len(want) == 0) {
			t.Errorf("%s = %q: 'no case matches' shown = %v with %d rows", fc.sel, fc.value, noMatch, len(want))
		}
	}
	// Filters combine.
	d.selectOption(t, "filter-verdict", classPass)
	d.selectOption(t, "filter-protocol", "smtp")
	if diff := cmp.Diff(all(func(c *Case) bool { return verdictClass(c) == classPass && c.Protocol == "smtp" }), visible()); diff != "" {
		t.Errorf("verdict=pass and protocol=smtp: visible rows (-want +got):\n%s", diff)
	}
	d.click(t, d.find(t, "#filter-reset"))
	if got := visible(); len(got) != len(r.Cases) {
		t.Errorf("%d rows visible after reset, want %d", len(got), len(r.Cases))
	}

	// The text search, on ids and titles, then in transcripts.
	var failing []*Case
	for i := range r.Cases {
		if c := &r.Cases[i]; verdictClass(c) == classFail && c.Detail.FailedAt != nil {
			failing = append(failing, c)
		}
	}
	if len(failing) == 0 {
		t.Fatal("the report has no failing case with a failing exchange")
	}
	sort.Slice(failing, func(i, j int) bool { return caseKeyOf(failing[i]) < caseKeyOf(failing[j]) })
	q := failing[0].ID
	text := d.find(t, "#filter-text")
	d.sendKeys(t, text, strings.ToUpper(q))
	if diff := cmp.Diff(all(func(c *Case) bool { return c.ID == q }), visible()); diff != "" {
		t.Errorf("search %q: visible rows (-want +got):\n%s", q, diff)
	}
	d.click(t, d.find(t, "#filter-reset"))
	deepWord := "XMAILSPECUNKNOWN"
	d.click(t, d.find(t, "#filter-transcripts"))
	d.sendKeys(t, text, deepWord)
	want := all(func(c *Case) bool {
		for _, e := range c.Transcript {
			if strings.Contains(e.Data, deepWord) {
				return true
			}
		}
		return false
	})
	if len(want) == 0 {
		t.Errorf("no transcript holds %q: the search in transcripts is not tested", deepWord)
	}
	if diff := cmp.Diff(want, visible()); diff != "" {
		t.Errorf("search %q in transcripts: visible rows (-want +got):\n%s", deepWord, diff)
	}
	d.click(t, d.find(t, "#filter-reset"))

	// Opening a failing case shows its transcript, C and S rows told
	// apart, the failing exchange marked and in view.
	for _, c := range failing {
		anchor := d.anchor(t, c)
		d.click(t, d.find(t, "#"+anchor+" > summary"))
		d.waitFor(t, "failing row of "+caseKeyOf(c)+" in view", `const row = document.getElementById(arguments[0]);
			const f = row.open && row.querySelector('tr.failing');
			if (!f) return false;
			const fr = f.getBoundingClientRect(), wr = row.querySelector('.transcript-wrap').getBoundingClientRect();
			return fr.top >= wr.top - 1 && fr.bottom <= wr.bottom + 1 && fr.top >= -1 && fr.bottom <= window.innerHeight + 1;`, anchor)
		var tr struct {
			Rows         int      `json:"rows"`
			Prefixes     []string `json:"prefixes"`
			Failing      int      `json:"failing"`
			FailingIndex int      `json:"failingIndex"`
			FailingText  string   `json:"failingText"`
			CColor       string   `json:"cColor"`
			SColor       string   `json:"sColor"`
		}
		d.exec(t, &tr, `const row = document.getElementById(arguments[0]);
			const trs = Array.from(row.querySelectorAll('table.transcript tbody tr'));
			const f = row.querySelectorAll('tr.failing');
			const c = row.querySelector('tr.c'), s = row.querySelector('tr.s');
			return {rows: trs.length, prefixes: trs.map(r => r.cells[2].textContent), failing: f.length,
				failingIndex: trs.indexOf(f[0]), failingText: f[0].cells[3].textContent,
				cColor: c ? getComputedStyle(c.cells[3]).color : '', sColor: s ? getComputedStyle(s.cells[3]).color : ''};`, anchor)
		var wantPrefixes []string
		for _, e := range c.Transcript {
			p, ok := map[string]string{"C": "C:", "S": "S:", "tls": "TLS", "note": "#"}[e.Dir]
			if !ok {
				p = clean(e.Dir)
			}
			wantPrefixes = append(wantPrefixes, p)
		}
		if diff := cmp.Diff(wantPrefixes, tr.Prefixes); diff != "" {
			t.Errorf("%s: transcript prefixes (-want +got):\n%s", caseKeyOf(c), diff)
		}
		if tr.Failing != 1 || tr.FailingIndex != *c.Detail.FailedAt {
			t.Errorf("%s: %d failing rows, the first at %d; want 1 at %d", caseKeyOf(c), tr.Failing, tr.FailingIndex, *c.Detail.FailedAt)
		}
		if got := clean(c.Detail.Got); !strings.Contains(tr.FailingText, got) {
			t.Errorf("%s: failing row reads %q, want it to hold %q", caseKeyOf(c), tr.FailingText, got)
		}
		if tr.CColor == "" || tr.SColor == "" || tr.CColor == tr.SColor {
			t.Errorf("%s: C rows coloured %q, S rows %q: want two colours", caseKeyOf(c), tr.CColor, tr.SColor)
		}
		d.click(t, d.find(t, "#"+anchor+" > summary"))
	}

	// A case that did STARTTLS shows the handshake as a row of its own.
	var tlsCase *Case
	for i := range r.Cases {
		for _, e := range r.Cases[i].Transcript {
			if e.Dir == "tls" && strings.Contains(strings.ToLower(r.Cases[i].ID), "starttls") {
				tlsCase = &r.Cases[i]
			}
		}
	}
	if tlsCase == nil {
		t.Fatal("the report has no STARTTLS case with a TLS entry")
	}
	anchor := d.anchor(t, tlsCase)
	d.click(t, d.find(t, "#"+anchor+" > summary"))
	d.waitFor(t, "STARTTLS case open", `return document.getElementById(arguments[0]).open;`, anchor)
	var tls []struct {
		Index  int    `json:"index"`
		Text   string `json:"text"`
		Border string `json:"border"`
	}
	d.exec(t, &tls, `const trs = Array.from(document.getElementById(arguments[0]).querySelectorAll('table.transcript tbody tr'));
		return trs.filter(r => r.classList.contains('tls')).map(r => ({index: trs.indexOf(r), text: r.textContent,
			border: getComputedStyle(r.cells[3]).borderTopStyle}));`, anchor)
	var wantTLS []int
	for i, e := range tlsCase.Transcript {
		if e.Dir == "tls" {
			wantTLS = append(wantTLS, i)
		}
	}
	if len(tls) != len(wantTLS) {
		t.Fatalf("%s: %d TLS rows, want %d", caseKeyOf(tlsCase), len(tls), len(wantTLS))
	}
	for i, row := range tls {
		data := tlsCase.Transcript[wantTLS[i]].Data
		if row.Index != wantTLS[i] || !strings.Contains(row.Text, data) || row.Border != "dashed" {
			t.Errorf("%s: TLS row %+v, want at %d reading %q with a dashed boundary", caseKeyOf(tlsCase), row, wantTLS[i], data)
		}
	}
	d.click(t, d.find(t, "#"+anchor+" > summary"))

	// The matrix: one cell per case id and target; the toggle leaves the
	// rows whose verdicts differ.
	byID := map[string]map[string]string{}
	for i := range r.Cases {
		c := &r.Cases[i]
		if byID[clean(c.ID)] == nil {
			byID[clean(c.ID)] = map[string]string{}
		}
		byID[clean(c.ID)][clean(c.Target)] = verdictClass(c)
	}
	var differ []string
	for id, m := range byID {
		same := len(m) == len(r.Targets)
		for _, v := range m {
			for _, w := range m {
				same = same && v == w
			}
		}
		if !same {
			differ = append(differ, id)
		}
	}
	sort.Strings(differ)
	var cells int
	d.exec(t, &cells, `return document.querySelectorAll('#matrix .matrix-cell').length;`)
	if cells != len(byID)*len(r.Targets) {
		t.Errorf("matrix has %d cells, want %d cases × %d targets", cells, len(byID), len(r.Targets))
	}
	matrixRows := func() []string {
		var ids []string
		d.exec(t, &ids, `return Array.from(document.querySelectorAll('#matrix tr.matrix-row')).filter(r => r.getClientRects().length > 0).map(r => r.dataset.id);`)
		sort.Strings(ids)
		return ids
	}
	if got := matrixRows(); len(got) != len(byID) {
		t.Errorf("%d matrix rows visible, want %d", len(got), len(byID))
	}
	toggle := d.find(t, "#matrix-differ")
	d.click(t, toggle)
	if diff := cmp.Diff(differ, matrixRows()); diff != "" {
		t.Errorf("matrix rows that differ (-want +got):\n%s", diff)
	}
	d.click(t, toggle)
	if got := matrixRows(); len(got) != len(byID) {
		t.Errorf("%d matrix rows visible after the toggle is off, want %d", len(got), len(byID))
	}
	// A failing cell links to its case: following it opens the case, even
	// when a filter hid it.
	d.selectOption(t, "filter-verdict", classPass)
	d.click(t, d.find(t, `#matrix .matrix-cell[data-verdict="fail"] a`))
	var target string
	d.exec(t, &target, `return document.querySelector('#matrix .matrix-cell[data-verdict="fail"] a').getAttribute('href').slice(1);`)
	d.waitFor(t, "case linked from the matrix open and shown", `const row = document.getElementById(arguments[0]);
		return row.open && row.getClientRects().length > 0 && row.dataset.verdict === 'fail';`, target)
	d.click(t, d.find(t, "#close-all"))

	// Still nothing fetched after all that.
	d.exec(t, &page.Resources, `return performance.getEntriesByType('resource').map(e => e.name);`)
	if len(page.Resources) != 0 {
		t.Errorf("the page fetched %q", page.Resources)
	}
}

// webDriver is a minimal W3C WebDriver client.
type webDriver struct {
	base    string
	session string
	client  *http.Client
}

// lockedBuffer collects chromedriver's output for failure messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}

// startBrowser starts chromedriver on a free loopback port and a headless
// Chromium session; cleanups end both (the session first, then
// chromedriver by its PID).
func startBrowser(t *testing.T) *webDriver {
	profile, err := os.MkdirTemp("", "mailspec-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's helpers may still be closing their files.
		for i := 0; i < 50; i++ {
			if err := os.RemoveAll(profile); err == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", profile)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	logs := &lockedBuffer{}
	cmd := exec.Command(chromedriverPath, "--port="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromedriver: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	d := &webDriver{base: "http://127.0.0.1:" + strconv.Itoa(port), client: &http.Client{Timeout: 2 * waitLimit}}
	deadline := time.Now().Add(waitLimit)
	for {
		var status struct {
			Ready bool `json:"ready"`
		}
		v, err := d.do("GET", "/status", nil)
		if err == nil && json.Unmarshal(v, &status) == nil && status.Ready {
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("chromedriver exited: %v\n%s", err, logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("chromedriver not ready after %v: %v\n%s", waitLimit, err, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	v, err := d.do("POST", "/session", map[string]any{"capabilities": map[string]any{"alwaysMatch": map[string]any{
		"browserName":      "chrome",
		"pageLoadStrategy": "normal",
		"timeouts":         map[string]any{"script": waitLimit.Milliseconds(), "pageLoad": 2 * waitLimit.Milliseconds()},
		"goog:chromeOptions": map[string]any{
			"binary": chromiumPath,
			"args": []string{"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--user-data-dir=" + profile, "--window-size=1280,900"},
		},
	}}})
	if err != nil {
		t.Fatalf("new session: %v\n%s", err, logs)
	}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(v, &s); err != nil || s.SessionID == "" {
		t.Fatalf("new session: %s (%v)", v, err)
	}
	d.session = s.SessionID
	t.Cleanup(func() {
		if _, err := d.do("DELETE", "/session/"+d.session, nil); err != nil {
			t.Logf("delete session: %v", err)
		}
	})
	return d
}

func (d *webDriver) sess(path string) string { return "/session/" + d.session + path }

// do sends one command and returns the response's value.
func (d *webDriver) do(method, path string, body any) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, d.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%s %s: HTTP %d: %.300q", method, path, resp.StatusCode, data)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(env.Value, &e)
		return nil, fmt.Errorf("%s %s: HTTP %d: %s: %.500s", method, path, resp.StatusCode, e.Error, e.Message)
	}
	return env.Value, nil
}

func (d *webDriver) call(t testing.TB, method, path string, body any) json.RawMessage {
	t.Helper()
	v, err := d.do(method, path, body)
	if err != nil {
		t.Fatalf("webdriver: %v", err)
	}
	return v
}

// exec runs script in the page (its arguments as arguments[i]) and
// decodes what it returns into out.
func (d *webDriver) exec(t testing.TB, out any, script string, args ...any) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	v := d.call(t, "POST", d.sess("/execute/sync"), map[string]any{"script": script, "args": args})
	if out != nil {
		if err := json.Unmarshal(v, out); err != nil {
			t.Fatalf("script result %.300s: %v", v, err)
		}
	}
}

// waitFor polls script until it returns true.
func (d *webDriver) waitFor(t testing.TB, what, script string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		var ok bool
		d.exec(t, &ok, script, args...)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var dbg any
			d.exec(t, &dbg, `const row = document.getElementById(arguments[0]); if (!row || !row.querySelector) return null; const f = row.querySelector('tr.failing'); const w = row.querySelector('.transcript-wrap'); return {open: row.open, f: f && f.getBoundingClientRect(), w: w && w.getBoundingClientRect(), st: w && w.scrollTop, ih: window.innerHeight, sy: window.scrollY};`, append(args, "")[0])
			t.Fatalf("waited %v for: %s (%v)", waitLimit, what, dbg)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const elementKey = "element-6066-11e4-a52e-4f735466cecf"

func (d *webDriver) findAll(t testing.TB, css string) []string {
	t.Helper()
	var els []map[string]string
	if err := json.Unmarshal(d.call(t, "POST", d.sess("/elements"), map[string]any{"using": "css selector", "value": css}), &els); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(els))
	for i, e := range els {
		ids[i] = e[elementKey]
	}
	return ids
}

func (d *webDriver) find(t testing.TB, css string) string {
	t.Helper()
	els := d.findAll(t, css)
	if len(els) == 0 {
		t.Fatalf("no element %s", css)
	}
	return els[0]
}

func (d *webDriver) click(t testing.TB, el string) {
	t.Helper()
	d.call(t, "POST", d.sess("/element/"+el+"/click"), map[string]any{})
}

func (d *webDriver) sendKeys(t testing.TB, el, text string) {
	t.Helper()
	d.call(t, "POST", d.sess("/element/"+el+"/value"), map[string]any{"text": text})
}

// selectOption picks the option of select#id whose value is value, by
// clicking it as a reader would.
func (d *webDriver) selectOption(t testing.TB, id, value string) {
	t.Helper()
	var el map[string]string
	d.exec(t, &el, `const s = document.getElementById(arguments[0]);
		return s && Array.from(s.options).find(o => o.value === arguments[1]) || null;`, id, value)
	if el[elementKey] == "" {
		t.Fatalf("select#%s has no option %q", id, value)
	}
	d.click(t, el[elementKey])
}

// anchor returns the element id of c's row.
func (d *webDriver) anchor(t testing.TB, c *Case) string {
	t.Helper()
	var id string
	d.exec(t, &id, `const r = Array.from(document.querySelectorAll('details.case-row')).find(r => r.dataset.id === arguments[0] && r.dataset.target === arguments[1]);
		return r ? r.id : '';`, clean(c.ID), clean(c.Target))
	if id == "" {
		t.Fatalf("no row for %s", caseKeyOf(c))
	}
	return id
}

// screenshot saves a PNG of the whole page, with the first failing case
// open, by growing the window to the page's height.
func (d *webDriver) screenshot(t testing.TB, path string, r *Report) {
	t.Helper()
	d.click(t, d.find(t, "#filter-reset"))
	d.click(t, d.find(t, "#close-all"))
	d.click(t, d.find(t, "details.case-row[data-verdict=fail] > summary"))
	d.exec(t, nil, `window.scrollTo(0, 0);`)
	const width = 1280
	for i := 0; i < 3; i++ {
		var m struct {
			Page  int `json:"page"`
			Inner int `json:"inner"`
			Outer int `json:"outer"`
		}
		d.exec(t, &m, `return {page: Math.ceil(document.documentElement.scrollHeight), inner: window.innerHeight, outer: window.outerHeight};`)
		if m.Inner >= m.Page || m.Inner >= 16000 {
			break
		}
		d.call(t, "POST", d.sess("/window/rect"), map[string]any{"width": width, "height": min(m.Page+m.Outer-m.Inner, 16000)})
	}
	var b64 string
	if err := json.Unmarshal(d.call(t, "GET", d.sess("/screenshot"), nil), &b64); err != nil {
		t.Fatal(err)
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a PNG (%v)", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of %d cases: %s (%d bytes)", len(r.Cases), path, len(png))
	d.call(t, "POST", d.sess("/window/rect"), map[string]any{"width": width, "height": 900})
}
