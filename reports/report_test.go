package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
)

func TestExitCode(t *testing.T) {
	c := func(level string, v transcripts.Verdict, known string) Case {
		return Case{ID: "x/1/1/" + level, Level: level, Verdict: v, KnownFailure: known}
	}
	tests := []struct {
		name   string
		cases  []Case
		strict bool
		want   int
	}{
		{"all pass", []Case{c(Must, transcripts.Pass, "")}, false, ExitOK},
		{"no cases", nil, false, ExitOK},
		{"must fail", []Case{c(Must, transcripts.Fail, "")}, false, ExitFailures},
		{"must-not fail", []Case{c(MustNot, transcripts.Fail, "")}, false, ExitFailures},
		{"should fail", []Case{c(Should, transcripts.Fail, "")}, false, ExitOK},
		{"should fail strict", []Case{c(Should, transcripts.Fail, "")}, true, ExitFailures},
		{"should-not fail strict", []Case{c(ShouldNot, transcripts.Fail, "")}, true, ExitFailures},
		{"may fail strict", []Case{c(May, transcripts.Fail, "")}, true, ExitOK},
		{"known must fail", []Case{c(Must, transcripts.Fail, "reason")}, false, ExitOK},
		{"not applicable", []Case{c(Must, transcripts.NotApplicable, "")}, false, ExitOK},
		{"error only", []Case{c(Must, transcripts.Error, "")}, false, ExitNoRun},
		{"error and must fail", []Case{c(Must, transcripts.Error, ""), c(Must, transcripts.Fail, "")}, false, ExitFailures},
		{"error and known fail", []Case{c(Must, transcripts.Error, ""), c(Must, transcripts.Fail, "r")}, false, ExitNoRun},
	}
	for _, tt := range tests {
		r := &Report{Cases: tt.cases}
		if got := r.ExitCode(tt.strict); got != tt.want {
			t.Errorf("%s: ExitCode(%v) = %d, want %d", tt.name, tt.strict, got, tt.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := &Report{
		Schema: Schema,
		Tool:   Tool{Name: "mailspec", Version: "test"},
		Targets: []Target{{Name: "t", Endpoints: []TargetEndpoint{{URL: "imap://127.0.0.1:143", Protocol: "imap",
			CapsBeforeTLS: []string{"IMAP4rev1", "STARTTLS"}, CapsAfterTLS: []string{"IMAP4rev1"}, TLSVersion: "TLS 1.3"}}}},
		Cases: []Case{
			{ID: "b/1/1/x", Title: "B", Protocol: "imap", Target: "t", RFC: []RFCRef{{"9051", "6.1.1", RFCURL("9051", "6.1.1")}}, Level: Must, Verdict: transcripts.Fail,
				Detail:     Detail{Reason: "r", Expected: "e", Got: "g", Line: 3},
				Transcript: []TranscriptEntry{{Conn: 1, Dir: "S", TMS: 1.5, Data: `* OK\r\n`}}},
			{ID: "a/1/1/x", Title: "A", Protocol: "smtp", Target: "t", Level: Should, Verdict: transcripts.Pass},
		},
	}
	r.Finish()
	if r.Cases[0].ID != "a/1/1/x" {
		t.Errorf("Finish did not sort cases by id: %s first", r.Cases[0].ID)
	}
	want := Totals{Counts: Counts{Cases: 2, Pass: 1, Fail: 1},
		ByProtocol: map[string]Counts{"imap": {Cases: 1, Fail: 1}, "smtp": {Cases: 1, Pass: 1}},
		ByRFC:      map[string]Counts{"9051": {Cases: 1, Fail: 1}},
		ByLevel:    map[string]Counts{Must: {Cases: 1, Fail: 1}, Should: {Cases: 1, Pass: 1}}}
	if d := cmp.Diff(want, r.Totals); d != "" {
		t.Errorf("Totals (-want +got):\n%s", d)
	}
	dir := t.TempDir()
	path, err := r.WriteJSON(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, got); d != "" {
		t.Errorf("ReadJSON(WriteJSON(r)) differs (-want +got):\n%s", d)
	}
	raw, _ := os.ReadFile(path)
	for _, field := range []string{`"schema"`, `"tool"`, `"targets"`, `"cases"`, `"findings": []`, `"capabilities_before_tls"`, `"duration_ms"`, `"detail"`, `"transcript"`, `"t_ms"`, `"rfc"`, `"number"`, `"section"`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("report.json lacks %s", field)
		}
	}
	os.WriteFile(filepath.Join(dir, "old.json"), []byte(`{"schema":"mailspec-report/0"}`), 0o644)
	if _, err := ReadJSON(filepath.Join(dir, "old.json")); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Errorf("ReadJSON of another schema: err = %v", err)
	}
}

func TestBaseline(t *testing.T) {
	b, err := ParseBaseline("b.yaml", []byte(`known_failures:
  - id: smtp/5321/3.3/x
    reason: go-smtp says 502
  - id: imap/9051/6.1.3/y
    target: other
    reason: only there
`))
	if err != nil {
		t.Fatal(err)
	}
	r := &Report{Cases: []Case{
		{ID: "smtp/5321/3.3/x", Target: "t", Level: Must, Verdict: transcripts.Fail},
		{ID: "imap/9051/6.1.3/y", Target: "t", Level: Must, Verdict: transcripts.Fail},
		{ID: "pop3/1939/4/z", Target: "t", Level: Must, Verdict: transcripts.Pass},
	}}
	b.Apply(r)
	if r.Cases[0].KnownFailure != "go-smtp says 502" || r.Cases[1].KnownFailure != "" || r.Cases[2].KnownFailure != "" {
		t.Errorf("Apply marked %q %q %q", r.Cases[0].KnownFailure, r.Cases[1].KnownFailure, r.Cases[2].KnownFailure)
	}
	if got := r.ExitCode(false); got != ExitFailures {
		t.Errorf("ExitCode = %d: the failure on another target's entry must still count", got)
	}
	for _, bad := range []string{
		"known_failures:\n  - id: a/1/1/b\n",
		"known_failures:\n  - reason: r\n",
		"known_failures:\n  - id: a/1/1/b\n    reason: r\n  - id: a/1/1/b\n    reason: s\n",
		"known_failures:\n  - id: a/1/1/b\n    reason: r\n    color: red\n",
	} {
		if _, err := ParseBaseline("bad.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "bad.yaml") {
			t.Errorf("ParseBaseline(%q) = %v, want an error naming the file", bad, err)
		}
	}
}
