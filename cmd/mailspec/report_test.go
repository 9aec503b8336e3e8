package main

import (
	"encoding/xml"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/targets/baselines"
	"github.com/mailspec/mailspec/transcripts/library"
)

// copyFS writes every file of fsys into dir, letting edit change each
// file's name and contents.
func copyFS(t *testing.T, fsys fs.FS, dir string, edit func(name string, data []byte) (string, []byte)) {
	t.Helper()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name, data := edit(p, data)
		full := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		return os.WriteFile(full, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestIDsStable renames every case's title and moves and renames every
// file: ids, and so the diff between the two reports, do not change.
func TestIDsStable(t *testing.T) {
	_, profile := startEmbedded(t)
	a, b := t.TempDir(), t.TempDir()
	copyFS(t, library.FS, a, func(name string, data []byte) (string, []byte) { return name, data })
	title := regexp.MustCompile(`(?m)^@title (.*)$`)
	copyFS(t, library.FS, b, func(name string, data []byte) (string, []byte) {
		// Reverse the order files are found in, and retitle every case.
		base := filepath.Base(name)
		return filepath.Join("zz-"+filepath.Dir(name), "renamed-"+strings.ToUpper(base[:1])+base[1:]),
			title.ReplaceAll(data, []byte("@title Retitled: $1"))
	})
	// The same with the Gherkin suites: scenario titles change, feature
	// files move.
	fa, fb := t.TempDir(), t.TempDir()
	copyFS(t, features.FS, fa, func(name string, data []byte) (string, []byte) { return name, data })
	scenario := regexp.MustCompile(`(?m)^(\s*)Scenario: (.*)$`)
	copyFS(t, features.FS, fb, func(name string, data []byte) (string, []byte) {
		// One directory for all: smtp/session.feature and imap/session.feature
		// must not land on the same name.
		moved := "moved-" + filepath.Dir(name) + "-" + filepath.Base(name)
		return filepath.Join("zz", moved), scenario.ReplaceAll(data, []byte("${1}Scenario: Retitled: $2"))
	})
	outA, outB := t.TempDir(), t.TempDir()
	base := "../../targets/baselines/embedded.yaml"
	if code, stdout, stderr := run(t, "run", "--builtin=false", "--profile", profile, "--transcripts", a, "--features", fa, "--out", outA, "--baseline", base); code != 0 {
		t.Fatalf("run A: %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := run(t, "run", "--builtin=false", "--profile", profile, "--transcripts", b, "--features", fb, "--out", outB, "--baseline", base); code != 0 {
		t.Fatalf("run B: %d\n%s%s", code, stdout, stderr)
	}
	ra, _ := reports.ReadJSON(filepath.Join(outA, "report.json"))
	rb, _ := reports.ReadJSON(filepath.Join(outB, "report.json"))
	if len(ra.Cases) != len(rb.Cases) || len(ra.Cases) < 30 {
		t.Fatalf("%d and %d cases", len(ra.Cases), len(rb.Cases))
	}
	for i := range ra.Cases {
		if ra.Cases[i].ID != rb.Cases[i].ID {
			t.Errorf("case %d: id %s became %s", i, ra.Cases[i].ID, rb.Cases[i].ID)
		}
		if ra.Cases[i].Title == rb.Cases[i].Title {
			t.Errorf("%s: the title was not changed by the test", ra.Cases[i].ID)
		}
	}
	code, stdout, _ := run(t, "report", "diff", filepath.Join(outA, "report.json"), filepath.Join(outB, "report.json"))
	if code != 0 || stdout != "no changes\n" {
		t.Errorf("report diff: exit %d:\n%s", code, stdout)
	}
}

func TestReportCommands(t *testing.T) {
	_, profile := startEmbedded(t)
	out := t.TempDir()
	// Without the baseline: the two go-smtp deviations fail.
	if code, _, _ := run(t, "run", "--profile", profile, "--out", out); code != 1 {
		t.Fatalf("run: exit %d, want 1", code)
	}
	rj := filepath.Join(out, "report.json")
	for _, f := range []string{"report.json", "junit.xml", "summary.md", "report.html"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("run did not write %s: %v", f, err)
		}
	}
	// Re-rendering gives the same bytes as run wrote.
	for _, w := range writers {
		_, stdout, stderr := run(t, "report", w.name, rj)
		want, _ := os.ReadFile(filepath.Join(out, w.file))
		if stdout != string(want) {
			t.Errorf("report %s differs from the %s run wrote (stderr %q)", w.name, w.file, stderr)
		}
	}
	if _, stdout, _ := run(t, "report", "junit", rj); xml.Unmarshal([]byte(stdout), new(struct{})) != nil {
		t.Error("report junit is not XML")
	}
	// A baseline written from the report needs its reasons filled in.
	bl := filepath.Join(t.TempDir(), "baseline.yaml")
	saved, _ := reports.ReadJSON(rj)
	if code, _, stderr := run(t, "report", "baseline", rj, "-o", bl); code != 0 || !strings.Contains(stderr, fmt.Sprintf("%d known failures", saved.Totals.Fail)) {
		t.Fatalf("report baseline: exit %d, %s", code, stderr)
	}
	code, _, stderr := run(t, "run", "--profile", profile, "--out", t.TempDir(), "--baseline", bl)
	oneLineError(t, code, stderr, "placeholder")
	data, _ := os.ReadFile(bl)
	os.WriteFile(bl, []byte(strings.ReplaceAll(string(data), reports.Placeholder, "go-smtp")), 0o644)
	if code, stdout, _ := run(t, "run", "--profile", profile, "--out", t.TempDir(), "--baseline", bl); code != 0 {
		t.Errorf("run with the filled-in baseline: exit %d\n%s", code, stdout)
	}
	// A stale entry (a case that passes) fails the run and says so.
	os.WriteFile(bl, append(data, []byte("  - id: smtp/5321/4.1.1.10/quit-221-close\n    reason: was broken once\n")...), 0o644)
	os.WriteFile(bl, []byte(strings.ReplaceAll(string(append(data, []byte("  - id: smtp/5321/4.1.1.10/quit-221-close\n    reason: was broken once\n")...)), reports.Placeholder, "go-smtp")), 0o644)
	code, stdout, _ := run(t, "run", "--profile", profile, "--out", t.TempDir(), "--baseline", bl)
	if code != 1 || !strings.Contains(stdout, "STALE smtp/5321/4.1.1.10/quit-221-close [embedded]") || !strings.Contains(stdout, "remove it from the baseline") {
		t.Errorf("stale baseline entry: exit %d\n%s", code, stdout)
	}
	// Merge two targets' reports into one matrix report.
	other := t.TempDir()
	sys2, profile2 := startEmbedded(t)
	_ = sys2
	p2, _ := os.ReadFile(profile2)
	os.WriteFile(profile2, []byte(strings.Replace(string(p2), "name: embedded", "name: embedded-2", 1)), 0o600)
	if code, _, stderr := run(t, "run", "--profile", profile2, "--out", other, "--baseline", bl); code != 1 {
		t.Fatalf("second run: exit %d %s", code, stderr)
	}
	merged := filepath.Join(t.TempDir(), "merged.json")
	if code, _, stderr := run(t, "report", "merge", rj, filepath.Join(other, "report.json"), "-o", merged); code != 0 {
		t.Fatalf("merge: exit %d %s", code, stderr)
	}
	m, err := reports.ReadJSON(merged)
	if err != nil || len(m.Targets) != 2 {
		t.Fatalf("merged: %v, %d targets", err, len(m.Targets))
	}
	if code, _, stderr := run(t, "report", "merge", rj, rj, "-o", merged); code != 2 || !strings.Contains(stderr, "embedded") {
		t.Errorf("merging a report with itself: exit %d %s", code, stderr)
	}
	// diff exits 1 on a regression.
	pass := filepath.Join(t.TempDir(), "pass.json")
	r, _ := reports.ReadJSON(rj)
	for i := range r.Cases {
		r.Cases[i].Verdict = "pass"
	}
	f, _ := os.Create(pass)
	r.Encode(f)
	f.Close()
	if code, stdout, _ := run(t, "report", "diff", pass, rj); code != 1 || !strings.Contains(stdout, fmt.Sprintf("newly failing (%d)", saved.Totals.Fail)) {
		t.Errorf("diff with regressions: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := run(t, "report", "diff", rj, pass); code != 0 || !strings.Contains(stdout, fmt.Sprintf("newly passing (%d)", saved.Totals.Fail)) {
		t.Errorf("diff with fixes: exit %d\n%s", code, stdout)
	}
	if code, _, _ := run(t, "report", "diff", rj); code != 2 {
		t.Errorf("diff with one report: exit %d, want 2", code)
	}
}

// TestCIExamples checks that the conformance CI examples parse as YAML
// and that every mailspec command line in them uses flags mailspec has.
// (clusterfuzzlite.yml, the fuzzing example, is oss-fuzz/'s to check.)
func TestCIExamples(t *testing.T) {
	files := []string{"../../examples/ci/github-actions.yml", "../../examples/ci/gitlab-ci.yml"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		lines := regexp.MustCompile(`mailspec run [^\n]*`).FindAllString(string(data), -1)
		if len(lines) == 0 {
			t.Errorf("%s runs no mailspec", f)
		}
		for _, l := range lines {
			fsn := newRunFlagSet()
			if err := fsn.Parse(strings.Fields(l)[2:]); err != nil {
				t.Errorf("%s: %q: %v", f, l, err)
			}
		}
		for _, want := range []string{"junit.xml", "summary.md", "report.html", "--baseline"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s does not use %s", f, want)
			}
		}
	}
}

// TestRunEmbeddedAndReal runs everything against the embedded system and
// the Dovecot+Postfix profile as two columns of one report: all four
// formats are written, the JUnit file validates against the XSD, and the
// HTML report has a two-column matrix.
func TestRunEmbeddedAndReal(t *testing.T) {
	real := os.Getenv("MAILSPEC_PROFILE")
	if real == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("MAILSPEC_PROFILE is not set: run the tests under targets/real/with-servers.sh (./test.sh)")
		}
		t.Skip("MAILSPEC_PROFILE is not set: the real servers are not running (./test.sh starts them)")
	}
	_, profile := startEmbedded(t)
	bl := filepath.Join(t.TempDir(), "baseline.yaml")
	var all []byte
	for _, name := range []string{"embedded.yaml", "dovecot-postfix.yaml"} {
		data, _ := baselines.FS.ReadFile(name)
		if len(all) > 0 {
			data = []byte(strings.TrimPrefix(string(data)[strings.Index(string(data), "known_failures:"):], "known_failures:\n"))
		}
		all = append(all, data...)
	}
	os.WriteFile(bl, all, 0o644)
	out := t.TempDir()
	code, stdout, stderr := run(t, "run", "--profile", profile, "--profile", real, "--baseline", bl, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	r, err := reports.ReadJSON(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Targets) != 2 {
		t.Fatalf("%d targets, want 2", len(r.Targets))
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		cmd := exec.Command(xmllint, "--noout", "--schema", "../../reports/testdata/junit.xsd", filepath.Join(out, "junit.xml"))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("junit.xml does not validate: %v\n%s", err, b)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("xmllint is missing (targets/real/install.sh installs libxml2-utils)")
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	if !strings.Contains(string(html), `id="matrix"`) || strings.Count(string(html), `class="matrix-cell`) < 2*len(r.Cases)/2 {
		t.Errorf("report.html has no two-column matrix (%d cells for %d cases)", strings.Count(string(html), `class="matrix-cell`), len(r.Cases))
	}
	md, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	for _, target := range []string{"embedded", "dovecot-postfix"} {
		if !strings.Contains(string(md), target) {
			t.Errorf("summary.md does not mention %s", target)
		}
	}
	// The issues' floors: cases per protocol against each target, and
	// how many apply to Dovecot+Postfix.
	type key struct{ proto, target string }
	cases, applicable := map[key]int{}, map[key]int{}
	for _, c := range r.Cases {
		k := key{c.Protocol, c.Target}
		cases[k]++
		if c.Verdict != "not-applicable" {
			applicable[k]++
		}
	}
	for _, want := range []struct {
		proto              string
		total, applicableR int
	}{{"smtp", 80, 60}, {"imap", 120, 90}, {"pop3", 45, 35}} {
		for _, target := range []string{"embedded", "dovecot-postfix"} {
			if n := cases[key{want.proto, target}]; n < want.total {
				t.Errorf("%s against %s: %d cases, want at least %d", want.proto, target, n, want.total)
			}
		}
		if n := applicable[key{want.proto, "dovecot-postfix"}]; n < want.applicableR {
			t.Errorf("%s against Dovecot+Postfix: %d applicable cases, want at least %d", want.proto, n, want.applicableR)
		}
		t.Logf("%s: %d cases against the embedded system; against Dovecot+Postfix %d, %d applicable", want.proto,
			cases[key{want.proto, "embedded"}], cases[key{want.proto, "dovecot-postfix"}], applicable[key{want.proto, "dovecot-postfix"}])
	}
}

func TestStepsCommand(t *testing.T) {
	code, stdout, _ := run(t, "steps")
	if code != 0 || !strings.Contains(stdout, "e.g. Given an SMTP session") || !strings.Contains(stdout, "e.g. Then the server replies 250") {
		t.Errorf("mailspec steps: exit %d\n%s", code, stdout)
	}
}
