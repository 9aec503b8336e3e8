package steps

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mailspec/mailspec/features"
)

// TestBuiltinTags checks every built-in scenario: exactly one id and one
// level, at least one RFC section, ids unique.
func TestBuiltinTags(t *testing.T) {
	ss, err := Catalogue(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) == 0 {
		t.Fatal("no scenarios")
	}
	for _, s := range ss {
		if s.ID == "" || s.Level == "" || len(s.RFCs) == 0 || s.Protocol == "" || s.Title == "" || s.Line == 0 {
			t.Errorf("%s:%d: incomplete scenario %+v", s.File, s.Line, s)
		}
	}
}

func TestCatalogueRejectsBadTags(t *testing.T) {
	tests := map[string]string{
		"no id":            "@smtp @rfc5321 @rfc5321-4.1 @must\n  Scenario: x\n    Given an SMTP session\n",
		"two ids":          "@smtp @id:smtp/5321/4.1/a @id:smtp/5321/4.1/b @rfc5321 @rfc5321-4.1 @must\n  Scenario: x\n    Given an SMTP session\n",
		"no level":         "@smtp @id:smtp/5321/4.1/a @rfc5321 @rfc5321-4.1\n  Scenario: x\n    Given an SMTP session\n",
		"two levels":       "@smtp @id:smtp/5321/4.1/a @rfc5321 @rfc5321-4.1 @must @should\n  Scenario: x\n    Given an SMTP session\n",
		"no section":       "@smtp @id:smtp/5321/4.1/a @rfc5321 @must\n  Scenario: x\n    Given an SMTP session\n",
		"bad id":           "@smtp @id:smtp/5321/4.1/Bad_Name @rfc5321 @rfc5321-4.1 @must\n  Scenario: x\n    Given an SMTP session\n",
		"protocol differs": "@pop3 @id:smtp/5321/4.1/a @rfc5321 @rfc5321-4.1 @must\n  Scenario: x\n    Given an SMTP session\n",
		"rfc not tagged":   "@smtp @id:smtp/5321/4.1/a @rfc3207 @rfc3207-4 @must\n  Scenario: x\n    Given an SMTP session\n",
	}
	for name, body := range tests {
		fsys := fstest.MapFS{"smtp/x.feature": {Data: []byte("Feature: f\n\n  " + body)}}
		if _, err := Catalogue(fsys); err == nil || !strings.Contains(err.Error(), "smtp/x.feature:") {
			t.Errorf("%s: Catalogue = %v, want an error naming the file and line", name, err)
		}
	}
	dup := "@smtp @id:smtp/5321/4.1/a @rfc5321 @rfc5321-4.1 @must\n  Scenario: x\n    Given an SMTP session\n"
	fsys := fstest.MapFS{"a.feature": {Data: []byte("Feature: f\n\n  " + dup)}, "b.feature": {Data: []byte("Feature: g\n\n  " + dup)}}
	if _, err := Catalogue(fsys); err == nil || !strings.Contains(err.Error(), "duplicate case id") {
		t.Errorf("duplicate ids: %v", err)
	}
	good := "@smtp @id:smtp/5321/4.1/a @rfc5321 @rfc5321-4.1 @should @security @fault:smtp-x\n  Scenario: x\n    Given an SMTP session\n"
	ss, err := Catalogue(fstest.MapFS{"a.feature": {Data: []byte("Feature: f\n\n  " + good)}})
	if err != nil || len(ss) != 1 || ss[0].Level != "SHOULD" || !ss[0].Security || ss[0].FaultTag() != "smtp-x" || ss[0].Line != 4 {
		t.Errorf("good scenario: %v %+v", err, ss)
	}
}

// TestVocabularyExamples checks that every step's example matches its own
// expression, so `mailspec steps` never shows an example that would not run.
func TestVocabularyExamples(t *testing.T) {
	for _, d := range Vocabulary() {
		first := strings.SplitN(d.Example, "\n", 2)[0]
		for _, kw := range []string{"Given ", "When ", "Then ", "And ", "But "} {
			first = strings.TrimPrefix(first, kw)
		}
		if !mustCompile(d.Expr).MatchString(first) {
			t.Errorf("example %q does not match %s", first, d.Expr)
		}
	}
}

func TestMatchID(t *testing.T) {
	const id = "smtp/5321/4.1.1.1/ehlo-multiline"
	for pat, want := range map[string]bool{
		"smtp": true, "smtp/": true, "smtp/5321": true, "smtp/5321/*": true, "smtp/*/4.1.1.1": true,
		"smtp/5321/4.1.1.1/ehlo-multiline": true, "*/*/*/ehlo-*": true, "smtp/5321/4.1.1.1/*": true,
		"imap": false, "smtp/532": false, "smtp/5321/4.1.1": false, "smtp/5321/4.1.1.1/ehlo": false, "*/ehlo-multiline": false,
	} {
		if got, err := MatchID(pat, id); got != want || err != nil {
			t.Errorf("MatchID(%q) = %v, %v; want %v", pat, got, err, want)
		}
	}
	if _, err := MatchID("smtp/[", id); err == nil {
		t.Error("MatchID accepts a malformed glob")
	}
}
