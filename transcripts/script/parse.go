package script

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// Protocols a transcript may speak.
var protocols = []string{"smtp", "pop3", "imap"}

// Levels are the RFC 2119 requirement levels a case may carry.
var Levels = []string{"MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY"}

// NeedsValues are the profile properties @needs may name.
var NeedsValues = []string{"disposable", "second-account", "tls-required", "max-size", "address"}

// endpoints maps each protocol to its endpoint kinds, the plain one first.
var endpoints = map[string][]string{
	"smtp": {"smtp", "submission", "smtps"},
	"pop3": {"pop3", "pop3s"},
	"imap": {"imap", "imaps"},
}

// MaxSilence bounds the duration of "S: <none DURATION>".
const MaxSilence = 10 * time.Minute

// maxErrors bounds the errors Parse reports for one file.
const maxErrors = 20

// ParseFS parses every file of fsys matching glob (see [fs.Glob]), in
// lexical order. It returns the scripts that parsed and, joined, the
// errors of those that did not, an error if no file matches, and an error
// for each @id used by two files.
func ParseFS(fsys fs.FS, glob string) ([]*Script, error) {
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		return nil, fmt.Errorf("script: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("script: no transcript file matches %q", glob)
	}
	var (
		out  []*Script
		errs []error
		ids  = map[string]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("script: %w", err))
			continue
		}
		s, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := ids[s.ID]; dup {
			errs = append(errs, &Error{File: name, Err: fmt.Errorf("duplicate @id %s (also in %s)", s.ID, prev)})
			continue
		}
		ids[s.ID] = name
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

// Parse parses the transcript file data; file names it in errors. Every
// problem found is reported, each as an [*Error] naming file and line,
// joined with [errors.Join].
func Parse(file string, data []byte) (*Script, error) {
	p := &parser{file: file, s: &Script{File: file}, lines: map[string]int{}}
	n := 0
	for len(data) > 0 && len(p.errs) < maxErrors {
		n++
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		p.line(n, string(line))
	}
	if len(p.errs) >= maxErrors {
		p.errs = append(p.errs, &Error{File: file, Line: n, Err: errors.New("too many errors")})
	} else {
		p.finish()
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.s, nil
}

type parser struct {
	file string
	s    *Script
	errs []error
	// lines holds the line of each single-valued directive seen.
	lines map[string]int
	// body is set once a statement has been read.
	body bool
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Err: fmt.Errorf(format, args...)})
}

func (p *parser) line(n int, l string) {
	if strings.Trim(l, " \t") == "" {
		return
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; isControl(c) && c != '\t' {
			p.errorf(n, `control character \x%02x in the file: write it as an escape in C!, S! or a literal`, c)
			return
		}
	}
	switch l[0] {
	case '#':
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: Comment, Text: l[1:]})
	case '@':
		p.directive(n, l)
	case ' ', '\t':
		p.errorf(n, "line starts with white space")
	default:
		p.statement(n, l)
	}
}

func (p *parser) directive(n int, l string) {
	name, arg := l, ""
	if i := strings.IndexAny(l, " \t"); i >= 0 {
		name, arg = l[:i], strings.Trim(l[i:], " \t")
	}
	fields := strings.Fields(arg)
	if p.body {
		p.errorf(n, "directive %s after the first statement: directives come first", clip(name))
		return
	}
	single := func() bool {
		if prev, dup := p.lines[name]; dup {
			p.errorf(n, "second %s (the first is on line %d)", name, prev)
			return false
		}
		p.lines[name] = n
		return true
	}
	one := func(what string) (string, bool) {
		if len(fields) != 1 {
			p.errorf(n, "%s takes one %s, got %q", name, what, arg)
			return "", false
		}
		return fields[0], true
	}
	switch name {
	case "@id":
		v, ok := one("case id")
		if !ok || !single() {
			return
		}
		if err := checkID(v); err != nil {
			p.errorf(n, "%v", err)
			return
		}
		p.s.ID = v
	case "@protocol":
		v, ok := one("protocol")
		if !ok || !single() {
			return
		}
		if !slices.Contains(protocols, v) {
			p.errorf(n, "unknown protocol %q: want smtp, pop3 or imap", v)
			return
		}
		p.s.Protocol = v
	case "@title":
		if arg == "" {
			p.errorf(n, "@title needs a text")
			return
		}
		if single() {
			p.s.Title = arg
		}
	case "@rfc":
		if len(fields) != 2 {
			p.errorf(n, `@rfc takes an RFC number and a section ("-" if none), got %q`, arg)
			return
		}
		if !isDigits(fields[0]) {
			p.errorf(n, "bad RFC number %q: want digits", fields[0])
			return
		}
		if !isSection(fields[1]) {
			p.errorf(n, `bad RFC section %q: want digits and dots, such as 4.1.1.1, or "-"`, fields[1])
			return
		}
		ref := RFCRef{Number: fields[0], Section: fields[1]}
		if slices.Contains(p.s.RFCs, ref) {
			p.errorf(n, "@rfc %s %s given twice", ref.Number, ref.Section)
			return
		}
		p.s.RFCs = append(p.s.RFCs, ref)
	case "@level":
		v := strings.Join(fields, " ")
		if !slices.Contains(Levels, v) {
			p.errorf(n, "unknown level %q: want MUST, MUST NOT, SHOULD, SHOULD NOT or MAY", arg)
			return
		}
		if single() {
			p.s.Level = v
		}
	case "@requires":
		v, ok := one("capability")
		if !ok {
			return
		}
		if slices.Contains(p.s.Requires, v) {
			p.errorf(n, "@requires %s given twice", v)
			return
		}
		p.s.Requires = append(p.s.Requires, v)
	case "@needs":
		v, ok := one("profile property")
		if !ok {
			return
		}
		if !slices.Contains(NeedsValues, v) {
			p.errorf(n, "unknown @needs %q: want one of %s", v, strings.Join(NeedsValues, ", "))
			return
		}
		if slices.Contains(p.s.Needs, v) {
			p.errorf(n, "@needs %s given twice", v)
			return
		}
		p.s.Needs = append(p.s.Needs, v)
	case "@endpoint":
		v, ok := one("endpoint kind")
		if !ok || !single() {
			return
		}
		known := false
		for _, kinds := range endpoints {
			known = known || slices.Contains(kinds, v)
		}
		if !known {
			p.errorf(n, "unknown endpoint %q: want smtp, submission, smtps, imap, imaps, pop3 or pop3s", v)
			return
		}
		p.s.Endpoint = v
	case "@ordered":
		if arg != "" {
			p.errorf(n, "@ordered takes no argument, got %q", arg)
			return
		}
		if single() {
			p.s.Ordered = true
		}
	default:
		p.errorf(n, "unknown directive %s", clip(name))
	}
}

// finish checks what needs the whole header.
func (p *parser) finish() {
	s := p.s
	for _, d := range []struct {
		name string
		ok   bool
	}{
		{"@id", p.lines["@id"] > 0},
		{"@protocol", p.lines["@protocol"] > 0},
		{"@rfc", len(s.RFCs) > 0},
		{"@level", p.lines["@level"] > 0},
	} {
		if !d.ok {
			p.errs = append(p.errs, &Error{File: p.file, Err: fmt.Errorf("missing %s", d.name)})
		}
	}
	if s.ID != "" && s.Protocol != "" {
		if idProto, _, _ := strings.Cut(s.ID, "/"); idProto != s.Protocol {
			p.errorf(p.lines["@protocol"], "@protocol %s disagrees with @id %s", s.Protocol, s.ID)
		}
	}
	if s.Endpoint != "" && s.Protocol != "" && !slices.Contains(endpoints[s.Protocol], s.Endpoint) {
		p.errorf(p.lines["@endpoint"], "@endpoint %s is not a %s endpoint: want one of %s",
			s.Endpoint, s.Protocol, strings.Join(endpoints[s.Protocol], ", "))
	}
	if s.Ordered && s.Protocol != "" && s.Protocol != "imap" {
		p.errorf(p.lines["@ordered"], "@ordered applies to IMAP only")
	}
}

// checkID checks the case id format <protocol>/<rfc>/<section>/<name>.
func checkID(id string) error {
	parts := strings.Split(id, "/")
	const want = "want <protocol>/<rfc>/<section>/<name>, such as smtp/5321/4.1.1.1/ehlo-multiline"
	switch {
	case len(parts) != 4:
		return fmt.Errorf("bad @id %q: %s", id, want)
	case !slices.Contains(protocols, parts[0]):
		return fmt.Errorf("bad @id %q: protocol %q is not smtp, pop3 or imap", id, parts[0])
	case !isDigits(parts[1]):
		return fmt.Errorf("bad @id %q: RFC number %q is not digits", id, parts[1])
	case !isSection(parts[2]):
		return fmt.Errorf(`bad @id %q: section %q is not digits and dots or "-"`, id, parts[2])
	case !isName(parts[3]):
		return fmt.Errorf("bad @id %q: name %q is not [a-z0-9-]+", id, parts[3])
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isSection reports whether s is "-" or digit groups joined by single
// dots.
func isSection(s string) bool {
	if s == "-" {
		return true
	}
	for _, g := range strings.Split(s, ".") {
		if !isDigits(g) {
			return false
		}
	}
	return true
}

func isName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return s != ""
}

// isConnName reports whether s is a word naming a connection.
func isConnName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isNameByte(c) || c == '-' || c == '.') {
			return false
		}
	}
	return s != "" && len(s) <= 64
}

// specialForm reports whether an S: text is (or tries to be) one of the
// special forms <closed> and <none DURATION>.
func specialForm(text string) bool {
	return strings.HasPrefix(text, "<closed") || strings.HasPrefix(text, "<none")
}

func (p *parser) statement(n int, l string) {
	p.body = true
	// prefixed reads "X: text" forms: the single space after the marker
	// is not part of the text; an empty text may omit it.
	prefixed := func(marker string) (string, bool) {
		rest := l[len(marker):]
		if rest == "" {
			return "", true
		}
		if rest[0] != ' ' {
			p.errorf(n, "want a space after %s", marker)
			return "", false
		}
		return rest[1:], true
	}
	switch {
	case strings.HasPrefix(l, "C:"):
		text, ok := prefixed("C:")
		if !ok {
			return
		}
		segs, err := parseSend(text)
		if err != nil {
			p.errorf(n, "%v", err)
			return
		}
		if p.s.Protocol != "imap" && slices.ContainsFunc(segs, func(sg Segment) bool { return sg.IsLiteral }) {
			p.errorf(n, "{lit:...} literals are IMAP only: use C! to send these characters")
			return
		}
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: Send, Text: text, Segments: segs})
	case strings.HasPrefix(l, "C!"):
		text, ok := prefixed("C!")
		if !ok {
			return
		}
		if text == "" {
			p.errorf(n, "C! needs the bytes to send")
			return
		}
		raw, _, err := decodeEscaped(text, false, varsKeep, nil)
		if err != nil {
			p.errorf(n, "%v", err)
			return
		}
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: SendRaw, Text: text, Raw: raw})
	case strings.HasPrefix(l, "S!"):
		text, ok := prefixed("S!")
		if !ok {
			return
		}
		if text == "" {
			p.errorf(n, "S! needs the bytes expected")
			return
		}
		raw, _, err := decodeEscaped(text, false, varsForbid, nil)
		if err != nil {
			p.errorf(n, "%v", err)
			return
		}
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: ExpectRaw, Raw: raw})
	case strings.HasPrefix(l, "S*:"):
		text, ok := prefixed("S*:")
		if !ok {
			return
		}
		pat, ok := p.pattern(n, text)
		if !ok {
			return
		}
		if len(pat.names) > 0 {
			p.errorf(n, "S*: takes no captures (it may match no line)")
			return
		}
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: ExpectMany, Text: text})
	case strings.HasPrefix(l, "S:"):
		text, ok := prefixed("S:")
		if !ok {
			return
		}
		if specialForm(text) {
			p.special(n, text)
			return
		}
		if _, ok := p.pattern(n, text); ok {
			p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: Expect, Text: text})
		}
	default:
		fields := strings.Fields(l)
		if len(fields) == 0 { // only Unicode white space, such as U+2000
			p.errorf(n, "unknown statement %q: want C:, C!, S:, S!, S*:, conn, starttls, close, # or @", clip(l))
			return
		}
		switch fields[0] {
		case "conn":
			if len(fields) != 2 || !isConnName(fields[1]) {
				p.errorf(n, "conn takes one name (letters, digits, _ - .), got %q", clip(l))
				return
			}
			p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: Conn, Text: fields[1]})
		case "starttls", "close":
			if len(fields) != 1 {
				p.errorf(n, "%s takes no argument", fields[0])
				return
			}
			kind := StartTLS
			if fields[0] == "close" {
				kind = Close
			}
			p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: kind})
		default:
			p.errorf(n, "unknown statement %q: want C:, C!, S:, S!, S*:, conn, starttls, close, # or @", clip(fields[0]))
		}
	}
}

// pattern compiles an S: or S*: pattern.
func (p *parser) pattern(n int, text string) (*Pattern, bool) {
	if strings.IndexByte(text, '\t') >= 0 {
		p.errorf(n, `a tab in a pattern never matches: the display form shows a tab as \x09`)
		return nil, false
	}
	pat, err := CompilePattern(text)
	if err != nil {
		p.errorf(n, "%v", strings.TrimPrefix(err.Error(), "script: "))
		return nil, false
	}
	return pat, true
}

// special reads "<closed>" and "<none DURATION>".
func (p *parser) special(n int, text string) {
	if text == "<closed>" {
		p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: ExpectClose})
		return
	}
	inner, ok := strings.CutPrefix(text, "<none ")
	if ok {
		inner, ok = strings.CutSuffix(inner, ">")
	}
	if !ok {
		p.errorf(n, "malformed %q: want <closed> or <none DURATION> (use S! to expect such a line literally)", clip(text))
		return
	}
	d, err := time.ParseDuration(inner)
	if err != nil || d <= 0 || d > MaxSilence {
		p.errorf(n, "bad duration %q in <none ...>: want a positive Go duration up to %v, such as 2s", clip(inner), MaxSilence)
		return
	}
	p.s.Steps = append(p.s.Steps, Step{Line: n, Kind: ExpectSilence, Duration: d})
}

// parseSend splits the text of a C: line into text and literal segments,
// checking its variable references and the escapes of its literals.
func parseSend(s string) ([]Segment, error) {
	var segs []Segment
	start := 0
	for i := 0; i < len(s); {
		switch {
		case s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '$'):
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			_, capture, end, err := parseVarRef(s, i)
			if err != nil {
				return nil, err
			}
			if capture {
				return nil, fmt.Errorf("capture %s: captures belong in S: patterns", s[i:end])
			}
			i = end
		case strings.HasPrefix(s[i:], "{lit:") || strings.HasPrefix(s[i:], "{lit+:"):
			if i > start {
				segs = append(segs, Segment{Text: s[start:i]})
			}
			nonSync := s[i+4] == '+'
			open := len("{lit:")
			if nonSync {
				open = len("{lit+:")
			}
			body := s[i+open:]
			lit, n, err := decodeEscaped(body, true, varsKeep, nil)
			if err != nil {
				return nil, fmt.Errorf("in literal: %w", err)
			}
			if n < 0 {
				return nil, fmt.Errorf(`unterminated %s: a literal ends at "}" (write \x7d for a "}" inside it)`, s[i:i+open])
			}
			segs = append(segs, Segment{Text: body[:n], Literal: lit, IsLiteral: true, NonSync: nonSync})
			i += open + n + 1
			start = i
		default:
			i++
		}
	}
	if start < len(s) {
		segs = append(segs, Segment{Text: s[start:]})
	}
	return segs, nil
}
