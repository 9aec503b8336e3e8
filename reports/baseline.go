package reports

import (
	"bytes"
	"fmt"
	"os"

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
		key := k.ID + "\x00" + k.Target
		if seen[key] {
			return nil, fmt.Errorf("baseline %s: %s listed twice", path, k.ID)
		}
		seen[key] = true
	}
	return &b, nil
}

// Apply marks the report's failing cases that the baseline lists.
func (b *Baseline) Apply(r *Report) {
	for i := range r.Cases {
		c := &r.Cases[i]
		if c.Verdict != transcripts.Fail {
			continue
		}
		for _, k := range b.KnownFailures {
			if k.ID == c.ID && (k.Target == "" || k.Target == c.Target) {
				c.KnownFailure = k.Reason
				break
			}
		}
	}
}
