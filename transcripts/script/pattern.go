package script

import (
	"fmt"
	"strings"
)

// Pattern is a compiled server-line pattern: literal text, "*" wildcards,
// ${name} references and ${name=*} captures. The escapes are "\*" (a
// star), "\\" (a backslash) and "\$" (a dollar); a backslash before any
// other character is literal, so IMAP flags such as "\Seen" are written as
// is. A pattern matches a whole line (it is anchored at both ends),
// case-sensitively.
type Pattern struct {
	src  string
	toks []token
	// names are the capture names, in order.
	names []string
	// hasRefs says whether the pattern has ${name} references; if not,
	// lits and stars are computed once at compile time.
	hasRefs bool
	lits    []string
	stars   []string
}

type tokenKind uint8

const (
	tokLit  tokenKind = iota // text is literal
	tokStar                  // text is the capture name, or empty
	tokRef                   // text is the variable name
)

type token struct {
	kind tokenKind
	text string
}

// CompilePattern compiles p. It fails on a malformed ${...} and on a
// capture name used twice.
func CompilePattern(p string) (*Pattern, error) {
	pat := &Pattern{src: p}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			pat.toks = append(pat.toks, token{tokLit, lit.String()})
			lit.Reset()
		}
	}
	seen := map[string]bool{}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\' || p[i+1] == '$'):
			lit.WriteByte(p[i+1])
			i += 2
		case c == '*':
			flush()
			pat.toks = append(pat.toks, token{tokStar, ""})
			i++
		case c == '$' && strings.HasPrefix(p[i:], "${"):
			name, capture, end, err := parseVarRef(p, i)
			if err != nil {
				return nil, fmt.Errorf("script: %w", err)
			}
			flush()
			if capture {
				if seen[name] {
					return nil, fmt.Errorf("script: capture ${%s=*} appears twice", name)
				}
				seen[name] = true
				pat.names = append(pat.names, name)
				pat.toks = append(pat.toks, token{tokStar, name})
			} else {
				pat.hasRefs = true
				pat.toks = append(pat.toks, token{tokRef, name})
			}
			i = end
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if !pat.hasRefs {
		pat.lits, pat.stars, _ = pat.split(nil)
	}
	return pat, nil
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Captures returns the names of the pattern's captures, in order.
func (p *Pattern) Captures() []string { return append([]string(nil), p.names...) }

// split expands the references of p from vars and returns the literal
// runs between the stars (one more than the stars) and the stars' capture
// names ("" for a plain star).
func (p *Pattern) split(vars map[string]string) (lits, stars []string, err error) {
	var cur strings.Builder
	for _, t := range p.toks {
		switch t.kind {
		case tokLit:
			cur.WriteString(t.text)
		case tokRef:
			v, ok := vars[t.text]
			if !ok {
				return nil, nil, fmt.Errorf("script: unknown variable ${%s} in pattern %q", t.text, p.src)
			}
			cur.WriteString(v)
		case tokStar:
			lits = append(lits, cur.String())
			cur.Reset()
			stars = append(stars, t.text)
		}
	}
	lits = append(lits, cur.String())
	return lits, stars, nil
}

// Match reports whether the whole of s matches p, with each ${name}
// reference standing for the literal text vars[name] (an unknown variable
// is an error). Each star takes the longest run that lets the rest of the
// pattern match, the leftmost star first, as ".*" does in a regular
// expression; captures is nil when p has no captures or does not match.
//
// Match runs in time linear in len(s) plus the pattern's length: it places
// the literal runs between the stars from the right, each at its last
// occurrence, which is both the greedy assignment and a proof that no
// other exists when it fails.
func (p *Pattern) Match(s string, vars map[string]string) (captures map[string]string, ok bool, err error) {
	lits, stars := p.lits, p.stars
	if p.hasRefs {
		lits, stars, err = p.split(vars)
		if err != nil {
			return nil, false, err
		}
	}
	k := len(stars)
	if k == 0 {
		return nil, s == lits[0], nil
	}
	first, last := lits[0], lits[k]
	if !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return nil, false, nil
	}
	lo := len(first)
	bound := len(s) - len(last)
	if bound < lo {
		return nil, false, nil
	}
	// pos[i] is where lits[i] starts.
	pos := make([]int, k+1)
	pos[k] = bound
	for i := k - 1; i >= 1; i-- {
		j := strings.LastIndex(s[lo:bound], lits[i])
		if j < 0 {
			return nil, false, nil
		}
		pos[i] = lo + j
		bound = pos[i]
	}
	if len(p.names) == 0 {
		return nil, true, nil
	}
	captures = make(map[string]string, len(p.names))
	for i, name := range stars {
		if name != "" {
			captures[name] = s[pos[i]+len(lits[i]) : pos[i+1]]
		}
	}
	return captures, true, nil
}
