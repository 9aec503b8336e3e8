// Package reports holds mailspec's report model and report.json, the
// contract between a run and everything that reads its results: exit
// statuses, baselines of known failures, and (in later writers) JUnit,
// Markdown and HTML.
//
// A report lists one case result per case and target. Each result names
// the RFC sections the case enforces and the RFC 2119 level of the
// requirement (RFC 2119, RFC 8174), its verdict, and the transcript of what
// crossed the wire, with credentials already replaced by variable
// references at the recorder.
package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Schema is the version of report.json this package writes. It changes
// when a field changes meaning or disappears; added fields keep it.
const Schema = "mailspec-report/1"

// Levels, as RFC 2119 writes them.
const (
	Must      = "MUST"
	MustNot   = "MUST NOT"
	Should    = "SHOULD"
	ShouldNot = "SHOULD NOT"
	May       = "MAY"
)

// Report is one run: the tool, the targets and every case result.
type Report struct {
	Schema     string    `json:"schema"`
	Tool       Tool      `json:"tool"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS int64     `json:"duration_ms"`
	Targets    []Target  `json:"targets"`
	Cases      []Case    `json:"cases"`
	Findings   []Finding `json:"findings"`
	Totals     Totals    `json:"totals"`
	// StaleBaseline lists baseline entries whose case now passes: the
	// baseline must be updated, and the run fails until it is.
	StaleBaseline []CaseKey `json:"stale_baseline,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Target is one mail system (one profile) of the run.
type Target struct {
	Name      string           `json:"name"`
	Source    string           `json:"source,omitempty"`
	Endpoints []TargetEndpoint `json:"endpoints"`
}

// TargetEndpoint is what pre-flight saw of an endpoint.
type TargetEndpoint struct {
	URL           string   `json:"url"`
	Protocol      string   `json:"protocol"`
	CapsBeforeTLS []string `json:"capabilities_before_tls"`
	CapsAfterTLS  []string `json:"capabilities_after_tls"`
	TLSVersion    string   `json:"tls_version,omitempty"`
	TLSCipher     string   `json:"tls_cipher,omitempty"`
}

// RFCRef locates a requirement; URL links to the section's text.
type RFCRef struct {
	Number  string `json:"number"`
	Section string `json:"section"`
	URL     string `json:"url"`
}

// RFCURL links an RFC section at the RFC Editor: the section anchor, or
// the whole RFC when the section is "-" or empty.
func RFCURL(number, section string) string {
	u := "https://www.rfc-editor.org/rfc/rfc" + number
	if section != "" && section != "-" {
		u += "#section-" + section
	}
	return u
}

// Case is one case run against one target.
type Case struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Group is the feature (Gherkin) or transcript group (directory) the
	// case comes from: one JUnit testsuite per group.
	Group      string              `json:"group"`
	Protocol   string              `json:"protocol"`
	Target     string              `json:"target"`
	Source     string              `json:"source,omitempty"`
	RFC        []RFCRef            `json:"rfc"`
	Level      string              `json:"level"`
	Verdict    transcripts.Verdict `json:"verdict"`
	DurationMS int64               `json:"duration_ms"`
	Detail     Detail              `json:"detail"`
	// KnownFailure is the baseline's reason when the case is a known failure.
	KnownFailure string            `json:"known_failure,omitempty"`
	Transcript   []TranscriptEntry `json:"transcript"`
}

// Statuses: a case's verdict with known failures told apart, as every
// writer shows it.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusKnownFailure  = "known-failure"
	StatusNotApplicable = "not-applicable"
	StatusError         = "error"
)

// Status is the case's verdict with a baselined failure told apart from a
// new one; "" for a verdict this model does not know.
func (c *Case) Status() string {
	switch c.Verdict {
	case transcripts.Pass:
		return StatusPass
	case transcripts.Fail:
		if c.KnownFailure != "" {
			return StatusKnownFailure
		}
		return StatusFail
	case transcripts.NotApplicable:
		return StatusNotApplicable
	case transcripts.Error:
		return StatusError
	}
	return ""
}

// Detail explains a verdict.
type Detail struct {
	Reason   string `json:"reason,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
	Line     int    `json:"line,omitempty"`
	// FailedAt indexes the transcript entry of the failing exchange
	// (omitted unless the case failed).
	FailedAt   *int             `json:"failed_at,omitempty"`
	Violations []wire.Violation `json:"violations,omitempty"`
}

// TranscriptEntry is one recorded event: bytes sent (C) or received (S), a
// TLS handshake, or a note. Data is the exact bytes as an escaped string
// (\r, \n, \t, \\, \xHH for other control and non-UTF-8 bytes).
type TranscriptEntry struct {
	Conn int     `json:"conn"`
	Dir  string  `json:"dir"`
	TMS  float64 `json:"t_ms"`
	Data string  `json:"data"`
}

// Finding is a fuzzing finding (filled by mailspec fuzz).
type Finding struct {
	Kind       string            `json:"kind"`
	Target     string            `json:"target"`
	Seed       string            `json:"seed,omitempty"`
	Summary    string            `json:"summary"`
	Transcript []TranscriptEntry `json:"transcript"`
}

// Counts count verdicts.
type Counts struct {
	Cases         int `json:"cases"`
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	NotApplicable int `json:"not_applicable"`
	Error         int `json:"error"`
	KnownFailures int `json:"known_failures"`
}

func (c *Counts) add(v transcripts.Verdict, known bool) {
	c.Cases++
	switch v {
	case transcripts.Pass:
		c.Pass++
	case transcripts.Fail:
		c.Fail++
		if known {
			c.KnownFailures++
		}
	case transcripts.NotApplicable:
		c.NotApplicable++
	case transcripts.Error:
		c.Error++
	}
}

// Totals count verdicts over the whole run, and per protocol, per RFC
// (by number) and per level.
type Totals struct {
	Counts
	ByProtocol map[string]Counts `json:"by_protocol"`
	ByRFC      map[string]Counts `json:"by_rfc"`
	ByLevel    map[string]Counts `json:"by_level"`
}

// ConvertEntries turns recorded entries into report entries.
func ConvertEntries(es []transcripts.Entry) []TranscriptEntry {
	out := make([]TranscriptEntry, 0, len(es))
	for _, e := range es {
		out = append(out, TranscriptEntry{
			Conn: e.Conn,
			Dir:  string(e.Dir),
			TMS:  float64(e.At.Microseconds()) / 1000,
			Data: script.Escape(e.Data),
		})
	}
	return out
}

// CaseFromOutcome builds a case result of a transcript script.
func CaseFromOutcome(s *script.Script, target string, o transcripts.Outcome) Case {
	c := Case{
		ID:         s.ID,
		Title:      s.Title,
		Group:      "transcripts/" + s.Protocol,
		Protocol:   s.Protocol,
		Target:     target,
		Source:     s.File,
		Level:      s.Level,
		Verdict:    o.Verdict,
		DurationMS: o.Duration.Milliseconds(),
		Detail: Detail{
			Reason:     o.Reason,
			Expected:   o.Expected,
			Got:        o.Got,
			Line:       o.Line,
			Violations: o.Violations,
		},
		Transcript: ConvertEntries(o.Entries),
	}
	if o.Verdict == transcripts.Fail && o.FailedAt >= 0 {
		at := o.FailedAt
		c.Detail.FailedAt = &at
	}
	for _, r := range s.RFCs {
		c.RFC = append(c.RFC, RFCRef{Number: r.Number, Section: r.Section, URL: RFCURL(r.Number, r.Section)})
	}
	return c
}

// Finish sorts cases by id and target and computes the totals.
func (r *Report) Finish() {
	sort.SliceStable(r.Cases, func(i, j int) bool {
		if r.Cases[i].ID != r.Cases[j].ID {
			return r.Cases[i].ID < r.Cases[j].ID
		}
		return r.Cases[i].Target < r.Cases[j].Target
	})
	t := Totals{ByProtocol: map[string]Counts{}, ByRFC: map[string]Counts{}, ByLevel: map[string]Counts{}}
	bump := func(m map[string]Counts, k string, c Case) {
		n := m[k]
		n.add(c.Verdict, c.KnownFailure != "")
		m[k] = n
	}
	for _, c := range r.Cases {
		t.add(c.Verdict, c.KnownFailure != "")
		bump(t.ByProtocol, c.Protocol, c)
		bump(t.ByLevel, c.Level, c)
		seen := map[string]bool{}
		for _, ref := range c.RFC {
			if !seen[ref.Number] {
				seen[ref.Number] = true
				bump(t.ByRFC, ref.Number, c)
			}
		}
	}
	r.Totals = t
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	if r.Targets == nil {
		r.Targets = []Target{}
	}
	for i := range r.Cases {
		if r.Cases[i].Transcript == nil {
			r.Cases[i].Transcript = []TranscriptEntry{}
		}
		if r.Cases[i].RFC == nil {
			r.Cases[i].RFC = []RFCRef{}
		}
	}
}

// Exit statuses of mailspec run and replay.
const (
	ExitOK       = 0 // no MUST-level failure and no error
	ExitFailures = 1 // a case failed at level MUST/MUST NOT (or SHOULD with strict)
	ExitNoRun    = 2 // the run could not start, or cases ended in error and none failed
)

// counts reports whether a failure at level counts toward exit 1.
func counts(level string, strict bool) bool {
	switch level {
	case Must, MustNot:
		return true
	case Should, ShouldNot:
		return strict
	}
	return false
}

// ExitCode is the process exit status for the report: 1 when a case that
// is not a known failure failed at level MUST/MUST NOT (with strict,
// SHOULD/SHOULD NOT too) or a baseline entry is stale; otherwise 2 when a
// case ended in error; else 0.
func (r *Report) ExitCode(strict bool) int {
	if len(r.StaleBaseline) > 0 {
		return ExitFailures
	}
	errs := false
	for _, c := range r.Cases {
		switch c.Verdict {
		case transcripts.Fail:
			if c.KnownFailure == "" && counts(c.Level, strict) {
				return ExitFailures
			}
		case transcripts.Error:
			errs = true
		}
	}
	if errs {
		return ExitNoRun
	}
	return ExitOK
}

// WriteJSON writes the report as DIR/report.json (creating DIR).
func (r *Report) WriteJSON(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		return "", err
	}
	b := buf.Bytes()
	path := filepath.Join(dir, "report.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	return path, nil
}

// Encode writes the report as indented JSON.
func (r *Report) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// ReadJSON reads a report.json.
func ReadJSON(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reports: %s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("reports: %s: schema %q, this mailspec reads %q", path, r.Schema, Schema)
	}
	return &r, nil
}
