package main

import (
	"strings"
)

// matchTags evaluates a tag expression of the kind godog's --tags takes,
// for cases that are not Gherkin scenarios (transcript files): "@a && ~@b",
// "@a and not @b", "@a || @b", "@a,@b". Conjunctions bind tighter than
// disjunctions; there are no parentheses.
func matchTags(expr string, tags []string) bool {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return true
	}
	has := map[string]bool{}
	for _, t := range tags {
		has[strings.ToLower(t)] = true
	}
	norm := strings.NewReplacer(" and ", "&&", " or ", "||", ",", "||").Replace(" " + expr + " ")
	for _, disj := range strings.Split(norm, "||") {
		all := true
		for _, atom := range strings.Split(disj, "&&") {
			atom = strings.TrimSpace(atom)
			neg := false
			if rest, ok := strings.CutPrefix(atom, "~"); ok {
				neg, atom = true, strings.TrimSpace(rest)
			} else if rest, ok := strings.CutPrefix(atom, "not "); ok {
				neg, atom = true, strings.TrimSpace(rest)
			}
			if atom == "" {
				continue
			}
			if has[strings.ToLower(atom)] == neg {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
