package steps

// Steps of the RFC 5321 core suite (features/smtp/core-*.feature): reply
// codes a server must not send, requirements that apply only after a
// given reply, repeated commands (RFC 5321 section 4.5.3.1.8), the LIMITS
// extension's RCPTMAX (RFC 9422), and the grammar of the greeting and the
// EHLO reply (RFC 5321 sections 4.2 and 4.1.1.1).

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// maxRepeat bounds "the client sends ... N times": a scenario stays
// well under a second against a local server.
const maxRepeat = 1000

func init() {
	addSteps(
		Def{Expr: `^the server does not reply ([0-9x, ]+)$`, Example: `Then the server does not reply 500, 502`,
			Doc: "reads the next SMTP reply: any code but these (a class such as 5xx counts as every code in it)", fn: doesNotReply},
		Def{Expr: `^the server replies (one of [0-9x, ]+|[0-9x]{3}) unless it replies ([0-9x, ]+), which makes the scenario not applicable$`,
			Example: `Then the server replies one of 452, 5xx unless it replies 2xx, which makes the scenario not applicable`,
			Doc:     "reads the next SMTP reply: one of the first codes passes, one of the second makes the scenario not applicable (the requirement applies only after such a reply), anything else fails", fn: repliesUnless},
		Def{Expr: `^the client sends ` + quotedRE + ` (\d+|\$\{[A-Za-z0-9_]+\}) times, each answered ([0-9x]{3})$`,
			Example: `When the client sends "RCPT TO:<${address}>" 100 times, each answered 25x`,
			Doc:     "sends the line that many times (a number or a variable such as ${rcptmax}, at most 1000), reading each reply before the next command", fn: sendsTimes},
		Def{Expr: `^the server advertises LIMITS RCPTMAX$`, Example: `Given the server advertises LIMITS RCPTMAX`,
			Doc: "not applicable unless the EHLO reply has LIMITS with RCPTMAX=N (RFC 9422), N at most 1000; sets ${rcptmax} to N", fn: advertisesRcptmax},
		Def{Expr: `^the reply is a well-formed (greeting|EHLO reply)$`, Example: `And the reply is a well-formed EHLO reply`,
			Doc: "the last SMTP reply follows RFC 5321's grammar: Greeting (section 4.2: a domain or address literal first) or ehlo-ok-rsp (section 4.1.1.1: a domain first, then one ehlo-line per line)", fn: wellFormed},
		Def{Expr: `^the reply lists no service extension$`, Example: `And the reply lists no service extension`,
			Doc: "no line after the first of the last SMTP reply starts with an extension keyword the server advertises in its EHLO reply (RFC 5321 section 3.2)", fn: listsNoExtension},
	)
}

// parseCodes splits "452, 5xx" into patterns of three digits or x.
func parseCodes(list string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if len(f) != 3 || strings.Trim(f, "0123456789x") != "" {
			return nil, fmt.Errorf("steps: %q is not a reply code (three digits, x for any)", f)
		}
		out = append(out, f)
	}
	return out, nil
}

// matchesAny reports whether the last reply of c matches one of codes.
func matchesAny(c *conn, codes []string) bool {
	for _, code := range codes {
		if statusMatches(c, code) {
			return true
		}
	}
	return false
}

func doesNotReply(ctx context.Context, list string) error {
	w := worldOf(ctx)
	codes, err := parseCodes(list)
	if err != nil {
		return w.harnessf("%v", err)
	}
	c, err := w.readReply("not " + list)
	if err != nil {
		return err
	}
	if matchesAny(c, codes) {
		return w.failf("any reply but "+list, c.text(), "the server replied %q, one of the codes it must not send here (%s)", c.text(), list)
	}
	return nil
}

func repliesUnless(ctx context.Context, want, na string) error {
	w := worldOf(ctx)
	want = strings.TrimPrefix(want, "one of ")
	wantCodes, err := parseCodes(want)
	if err != nil {
		return w.harnessf("%v", err)
	}
	naCodes, err := parseCodes(na)
	if err != nil {
		return w.harnessf("%v", err)
	}
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	switch {
	case matchesAny(c, wantCodes):
		return nil
	case matchesAny(c, naCodes):
		return w.notApplicable("the server replied %q to %q: the requirement applies only after %s", c.text(), c.lastCmd, want)
	}
	return w.failf("one of "+want, c.text(), "expected one of %s, got %q", want, c.text())
}

func sendsTimes(ctx context.Context, line, count, want string) error {
	w := worldOf(ctx)
	n, err := w.count(count)
	if err != nil {
		return err
	}
	text := unquote(line)
	for i := 1; i <= n; i++ {
		if err := w.send(text); err != nil {
			return err
		}
		c, err := w.readReply(want)
		if err != nil {
			return err
		}
		if !statusMatches(c, want) {
			return w.failf(want, c.text(), "command %d of %d (%q): expected %s, got %q", i, n, c.lastCmd, want, c.text())
		}
	}
	return nil
}

// count resolves a repeat count: a number or a ${variable}.
func (w *world) count(s string) (int, error) {
	v := s
	if name, ok := strings.CutPrefix(s, "${"); ok {
		name = strings.TrimSuffix(name, "}")
		var set bool
		if v, set = w.vars[name]; !set {
			return 0, w.harnessf("the variable ${%s} is not set (a Given step sets it, e.g. \"the server advertises LIMITS RCPTMAX\")", name)
		}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxRepeat {
		return 0, w.harnessf("a repeat count must be a number from 0 to %d, got %q", maxRepeat, v)
	}
	return n, nil
}

func advertisesRcptmax(ctx context.Context) error {
	w := worldOf(ctx)
	n, ok := rcptmax(w.caps())
	if !ok {
		return w.notApplicable("the server does not advertise LIMITS with RCPTMAX (RFC 9422)")
	}
	if n > maxRepeat {
		return w.notApplicable("the server's RCPTMAX is %d, more recipients than this scenario sends (at most %d)", n, maxRepeat)
	}
	w.vars["rcptmax"] = strconv.Itoa(n)
	return nil
}

// rcptmax finds RCPTMAX=N among the parameters of a LIMITS keyword (RFC
// 9422 section 3: limit names are case-insensitive).
func rcptmax(caps []string) (int, bool) {
	for _, c := range caps {
		f := strings.Fields(c)
		if len(f) == 0 || !strings.EqualFold(f[0], "LIMITS") {
			continue
		}
		for _, p := range f[1:] {
			name, val, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(name, "RCPTMAX") {
				continue
			}
			if n, err := strconv.Atoi(val); err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

func wellFormed(ctx context.Context, kind string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	if c.code == 0 {
		return w.harnessf("the last reply is not an SMTP reply")
	}
	var problem string
	if kind == "greeting" {
		problem = greetingProblem(c.lines)
	} else {
		problem = ehloProblem(c.lines)
	}
	if problem != "" {
		rule := "Greeting, RFC 5321 section 4.2"
		if kind != "greeting" {
			rule = "ehlo-ok-rsp, RFC 5321 section 4.1.1.1"
		}
		return w.failf("a well-formed "+kind, c.text(), "the %s breaks its grammar (%s): %s", kind, rule, problem)
	}
	return nil
}

// replyText returns what follows "NNN-" or "NNN " on a display line.
func replyText(line string) string {
	if len(line) <= 4 {
		return ""
	}
	return line[4:]
}

// greetingProblem checks the first line of a greeting (RFC 5321 section
// 4.2): "220" SP or "-", then a Domain or address-literal, then the end of
// the line or SP and text. It returns "" when the greeting is well formed.
func greetingProblem(lines []string) string {
	if len(lines) == 0 {
		return "the reply is empty"
	}
	return namesHost(lines[0], true)
}

// namesHost checks that a reply line's text starts with a Domain (or an
// address-literal when literal is true) followed by SP or the line end.
func namesHost(line string, literal bool) string {
	text := replyText(line)
	host, _, _ := strings.Cut(text, " ")
	switch {
	case host == "":
		return fmt.Sprintf("%q does not name the server's domain after the reply code", line)
	case strings.HasPrefix(host, "["):
		if !literal || !isAddressLiteral(host) {
			return fmt.Sprintf("%q is not a valid address literal (RFC 5321 section 4.1.3)", host)
		}
	case !isDomain(host):
		return fmt.Sprintf("%q is not a domain name (RFC 5321 section 4.1.2: labels of letters, digits and inner hyphens)", host)
	}
	return ""
}

// ehloProblem checks an EHLO reply (RFC 5321 section 4.1.1.1): the first
// line names the server, every later line is ehlo-line = ehlo-keyword
// *(SP ehlo-param). Address literals are accepted on the first line too,
// as section 4.3.1 allows them where a host has no name.
func ehloProblem(lines []string) string {
	if len(lines) == 0 {
		return "the reply is empty"
	}
	if p := namesHost(lines[0], true); p != "" {
		return p
	}
	for _, l := range lines[1:] {
		if p := ehloLineProblem(replyText(l)); p != "" {
			return fmt.Sprintf("line %q: %s", l, p)
		}
	}
	return ""
}

// ehloLineProblem checks ehlo-line = ehlo-keyword *( SP ehlo-param ),
// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"), ehlo-param =
// 1*(%d33-126).
func ehloLineProblem(s string) string {
	parts := strings.Split(s, " ")
	kw := parts[0]
	if kw == "" {
		return "no extension keyword"
	}
	for i := 0; i < len(kw); i++ {
		b := kw[i]
		if !isAlnum(b) && (i == 0 || b != '-') {
			return fmt.Sprintf("%q is not an ehlo-keyword (letters, digits and hyphens, starting with a letter or digit)", kw)
		}
	}
	for _, p := range parts[1:] {
		if p == "" {
			return "parameters are separated by more than one space, or the line ends in a space"
		}
		for i := 0; i < len(p); i++ {
			if p[i] < 33 || p[i] > 126 {
				return fmt.Sprintf("parameter %q has a character outside %%d33-126", p)
			}
		}
	}
	return ""
}

func isAlnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// isDomain: Domain = sub-domain *("." sub-domain), sub-domain = Let-dig
// [Ldh-str] (RFC 5321 section 4.1.2), at most 255 octets (4.5.3.1.2).
func isDomain(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

// isAddressLiteral: "[" IPv4-address-literal / IPv6-address-literal /
// General-address-literal "]" (RFC 5321 section 4.1.3).
func isAddressLiteral(s string) bool {
	inner, ok := strings.CutPrefix(s, "[")
	if !ok {
		return false
	}
	inner, ok = strings.CutSuffix(inner, "]")
	if !ok || inner == "" {
		return false
	}
	if v6, ok := strings.CutPrefix(inner, "IPv6:"); ok {
		ip := net.ParseIP(v6)
		return ip != nil && strings.Contains(v6, ":")
	}
	if tag, content, ok := strings.Cut(inner, ":"); ok {
		// General-address-literal = Standardized-tag ":" 1*dcontent.
		if tag == "" || !isAlnum(tag[len(tag)-1]) || content == "" {
			return false
		}
		for i := 0; i < len(tag); i++ {
			if !isAlnum(tag[i]) && tag[i] != '-' {
				return false
			}
		}
		for i := 0; i < len(content); i++ {
			if b := content[i]; b < 33 || b > 126 || b == '[' || b == '\\' || b == ']' {
				return false
			}
		}
		return true
	}
	nums := strings.Split(inner, ".")
	if len(nums) != 4 {
		return false
	}
	for _, n := range nums {
		if n == "" || len(n) > 3 || strings.Trim(n, "0123456789") != "" {
			return false
		}
		if v, _ := strconv.Atoi(n); v > 255 {
			return false
		}
	}
	return true
}

func listsNoExtension(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	caps := w.caps()
	for _, l := range c.lines[1:] {
		kw, _, _ := strings.Cut(replyText(l), " ")
		if kw != "" && hasKeyword(caps, kw) {
			return w.failf("no service extension in the reply", l,
				"the reply lists the service extension %s, as an EHLO reply would (RFC 5321 section 3.2: servers MUST NOT return the extended EHLO-style response to a HELO command)", kw)
		}
	}
	return nil
}
