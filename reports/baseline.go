package reports

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/mailspec/mailspec/transcripts"
)

// Baseline lists known failures: cases that fail against a target for a
// reason a person has written down. They are reported but do not set exit
// status 1.
//
//	known_failures:
//	  - id: smtp/5321/4.5.3.1.4/line-length
//	    target: dovecot-postfix   # optional: every target when empty
//	    reason: Postfix accepts 2000-octet lines by design (see RFC 5321 4.5.3.1.4 text).
type Baseline struct {
	KnownFailures []KnownFailure `yaml:"known_failures"`
}

// KnownFailure is one baseline entry.
type KnownFailure struct {
	ID     string `yaml:"id"`
	Target string `yaml:"target,omitempty"`
	Reason string `yaml:"reason"`
}

// LoadBaseline reads a baseline file. Every entry needs an id and a reason.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return ParseBaseline(path, data)
}

// ParseBaseline parses baseline YAML; path names it in errors.
func ParseBaseline(path string, data []byte) (*Baseline, error) {
	var b Baseline
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	seen := map[string]bool{}
	for i, k := range b.KnownFailures {
		if k.ID == "" {
			return nil, fmt.Errorf("baseline %s: entry %d has no id", path, i+1)
		}
		if k.Reason == "" {
			return nil, fmt.Errorf("baseline %s: %s has no reason", path, k.ID)
		}
		if strings.HasPrefix(k.Reason, Placeholder) {
			return nil, fmt.Errorf("baseline %s: %s: the reason is still the placeholder: say why the server is at fault", path, k.ID)
		}
		key := k.ID + "\x00" + k.Target
		if seen[key] {
			return nil, fmt.Errorf("baseline %s: %s listed twice", path, k.ID)
		}
		seen[key] = true
	}
	return &b, nil
}

// Apply marks the report's failing cases that the baseline lists, and
// records as stale every entry whose case ran and passed: a baseline must
// stay honest, so a known failure that is fixed fails the run until the
// entry is removed.
func (b *Baseline) Apply(r *Report) {
	for i := range r.Cases {
		c := &r.Cases[i]
		for _, k := range b.KnownFailures {
			if k.ID != c.ID || (k.Target != "" && k.Target != c.Target) {
				continue
			}
			switch c.Verdict {
			case transcripts.Fail:
				c.KnownFailure = k.Reason
			case transcripts.Pass:
				r.StaleBaseline = append(r.StaleBaseline, CaseKey{c.ID, c.Target})
			}
			break
		}
	}
}

// Placeholder begins the reason of every entry FromReport writes: a person
// replaces it, and LoadBaseline refuses a baseline that still has it.
const Placeholder = "FILL IN"

// FromReport writes a baseline listing every failure of the report, each
// with a reason placeholder that a person must replace with the RFC text
// the server violates and why the server, not the suite, is at fault.
func FromReport(r *Report) *Baseline {
	b := &Baseline{}
	for _, c := range r.Cases {
		if c.Verdict != transcripts.Fail {
			continue
		}
		reason := c.KnownFailure
		if reason == "" {
			reason = Placeholder + ": which RFC text (" + refs(c.RFC) + ", " + c.Level + ") the server violates and why the server, not the suite, is at fault. Seen: " + c.Detail.Reason
		}
		b.KnownFailures = append(b.KnownFailures, KnownFailure{ID: c.ID, Target: c.Target, Reason: reason})
	}
	return b
}

func refs(rs []RFCRef) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = "RFC " + r.Number + " " + r.Section
	}
	return strings.Join(out, ", ")
}

// Marshal writes the baseline as YAML.
func (b *Baseline) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# mailspec baseline: known failures, each with the RFC text the server\n# violates and why the server, not the suite, is at fault.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(b); err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	return buf.Bytes(), nil
}
