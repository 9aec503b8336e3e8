// Package steps holds the godog step definitions of mailspec's Gherkin
// suites (features/) and runs them against a target. Steps are thin: they
// drive sessions of package transcripts, and every scenario records its
// transcript like a replayed transcript file does.
//
// Every scenario is tagged with its protocol (@smtp), exactly one case id
// (@id:smtp/5321/4.1.1.1/ehlo-multiline), one or more RFC sections
// (@rfc5321 @rfc5321-4.1.1.1) and exactly one RFC 2119 level (@must,
// @must-not, @should, @should-not, @may).
package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// Scenario is one case of a Gherkin suite, as its tags describe it.
type Scenario struct {
	ID       string
	Title    string
	Protocol string
	Level    string
	RFCs     []RFCRef
	Feature  string   // the feature's name
	File     string   // the .feature file, relative to its FS
	Line     int      // the scenario's line
	Tags     []string // every tag, with its "@"
	Security bool
}

// RFCRef is an RFC number and section from a @rfcNNNN-S.S tag.
type RFCRef struct{ Number, Section string }

var (
	idTag      = regexp.MustCompile(`^@id:((smtp|pop3|imap)/[0-9]+/([0-9]+(\.[0-9]+)*|-)/[a-z0-9]+(-[a-z0-9]+)*)$`)
	rfcTag     = regexp.MustCompile(`^@rfc([0-9]+)-([0-9]+(\.[0-9]+)*)$`)
	rfcNumTag  = regexp.MustCompile(`^@rfc([0-9]+)$`)
	levelTags  = map[string]string{"@must": "MUST", "@must-not": "MUST NOT", "@should": "SHOULD", "@should-not": "SHOULD NOT", "@may": "MAY"}
	protocols  = map[string]bool{"@smtp": true, "@pop3": true, "@imap": true}
	faultTagRE = regexp.MustCompile(`^@fault:[a-z0-9-]+$`)
)

// FaultTag returns the name in a scenario's @fault:NAME tag, if any: the
// fault of package faults that proves the scenario catches the violation.
func (s Scenario) FaultTag() string {
	for _, t := range s.Tags {
		if faultTagRE.MatchString(t) {
			return strings.TrimPrefix(t, "@fault:")
		}
	}
	return ""
}

// Catalogue parses every .feature file of fsys and checks each scenario's
// tags: exactly one id, one level and protocol, at least one RFC section,
// ids unique, the id's protocol and RFC among the tags.
func Catalogue(fsys fs.FS) ([]Scenario, error) {
	var out []Scenario
	var errs []error
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ss, err := parseFeature(p, data)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, ss...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("steps: %w", err)
	}
	seen := map[string]string{}
	for _, s := range out {
		where := s.File + ":" + strconv.Itoa(s.Line)
		if prev, ok := seen[s.ID]; ok && s.ID != "" {
			errs = append(errs, fmt.Errorf("%s: duplicate case id %s (also at %s)", where, s.ID, prev))
		}
		seen[s.ID] = where
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, errors.Join(errs...)
}

func parseFeature(file string, data []byte) ([]Scenario, error) {
	n := 0
	newID := func() string { n++; return strconv.Itoa(n) }
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(data), newID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Feature == nil {
		return nil, nil
	}
	lines := map[string]int{}
	var walk func(children []*messages.FeatureChild)
	walk = func(children []*messages.FeatureChild) {
		for _, c := range children {
			if c.Scenario != nil {
				lines[c.Scenario.Id] = int(c.Scenario.Location.Line)
				for _, ex := range c.Scenario.Examples {
					for _, row := range ex.TableBody {
						lines[row.Id] = int(row.Location.Line)
					}
				}
			}
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					if rc.Scenario != nil {
						lines[rc.Scenario.Id] = int(rc.Scenario.Location.Line)
					}
				}
			}
		}
	}
	walk(doc.Feature.Children)
	var out []Scenario
	var errs []error
	for _, p := range gherkin.Pickles(*doc, file, newID) {
		line := 0
		for i := len(p.AstNodeIds) - 1; i >= 0 && line == 0; i-- {
			line = lines[p.AstNodeIds[i]]
		}
		s, err := scenarioFromTags(p, doc.Feature.Name, file, line)
		if err != nil {
			errs = append(errs, err)
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

func scenarioFromTags(p *messages.Pickle, feature, file string, line int) (Scenario, error) {
	s := Scenario{Title: p.Name, Feature: feature, File: file, Line: line}
	var ids, levels, protos []string
	rfcNums := map[string]bool{}
	for _, t := range p.Tags {
		s.Tags = append(s.Tags, t.Name)
		switch {
		case strings.HasPrefix(t.Name, "@id:"):
			ids = append(ids, t.Name)
		case levelTags[t.Name] != "":
			levels = append(levels, levelTags[t.Name])
		case protocols[t.Name]:
			protos = append(protos, strings.TrimPrefix(t.Name, "@"))
		case t.Name == "@security":
			s.Security = true
		case rfcTag.MatchString(t.Name):
			m := rfcTag.FindStringSubmatch(t.Name)
			s.RFCs = append(s.RFCs, RFCRef{m[1], m[2]})
		case rfcNumTag.MatchString(t.Name):
			rfcNums[rfcNumTag.FindStringSubmatch(t.Name)[1]] = true
		}
	}
	where := fmt.Sprintf("%s:%d: scenario %q", file, line, p.Name)
	var problems []string
	if len(ids) != 1 {
		problems = append(problems, fmt.Sprintf("%d @id: tags, want exactly one", len(ids)))
	} else if m := idTag.FindStringSubmatch(ids[0]); m == nil {
		problems = append(problems, fmt.Sprintf("bad id tag %s (want @id:<protocol>/<rfc>/<section>/<name>)", ids[0]))
	} else {
		s.ID = m[1]
	}
	if len(levels) != 1 {
		problems = append(problems, fmt.Sprintf("%d level tags, want exactly one of @must @must-not @should @should-not @may", len(levels)))
	} else {
		s.Level = levels[0]
	}
	if len(protos) != 1 {
		problems = append(problems, fmt.Sprintf("%d protocol tags, want exactly one of @smtp @pop3 @imap", len(protos)))
	} else {
		s.Protocol = protos[0]
	}
	if len(s.RFCs) == 0 {
		problems = append(problems, "no @rfcNNNN-section tag")
	}
	for _, r := range s.RFCs {
		if !rfcNums[r.Number] {
			problems = append(problems, "@rfc"+r.Number+"-"+r.Section+" without @rfc"+r.Number)
		}
	}
	if s.ID != "" {
		parts := strings.SplitN(s.ID, "/", 4)
		if s.Protocol != "" && parts[0] != s.Protocol {
			problems = append(problems, "the id's protocol "+parts[0]+" is not the @"+s.Protocol+" tag")
		}
		found := false
		for _, r := range s.RFCs {
			found = found || r.Number == parts[1]
		}
		if !found {
			problems = append(problems, "the id's RFC "+parts[1]+" has no @rfc"+parts[1]+"-section tag")
		}
	}
	if len(problems) > 0 {
		return s, fmt.Errorf("%s: %s", where, strings.Join(problems, "; "))
	}
	return s, nil
}

// Select keeps the scenarios whose id matches one of the patterns (a
// path.Match glob or an id prefix); all of them when there are none.
func Select(ss []Scenario, ids []string) []Scenario {
	if len(ids) == 0 {
		return ss
	}
	var out []Scenario
	for _, s := range ss {
		for _, pat := range ids {
			if ok, _ := MatchID(pat, s.ID); ok {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// MatchID reports whether an --id pattern selects a case id: a path.Match
// glob that matches the id or one of its leading parts, so that
// "smtp/5321", "smtp/5321/*" and "smtp/*/4.1.1.1" all select
// "smtp/5321/4.1.1.1/ehlo-multiline". A malformed glob is an error.
func MatchID(pat, id string) (bool, error) {
	pat = strings.TrimSuffix(pat, "/")
	for prefix := id; ; {
		ok, err := path.Match(pat, prefix)
		if err != nil || ok {
			return ok, err
		}
		i := strings.LastIndexByte(prefix, '/')
		if i < 0 {
			return false, nil
		}
		prefix = prefix[:i]
	}
}
