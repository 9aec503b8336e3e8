package steps

// Steps of the IMAP connection, authentication, mailbox and extension
// suites (features/imap/{session,auth,starttls,mailbox,list-ext,ext,
// security}.feature): structured checks of the last reply's parsed
// responses (RFC 9051 section 7), either-or completions where the RFC
// allows both, and the literal and STARTTLS cases that need more than a
// line-by-line exchange.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

const (
	imapStatusRE = `(OK|NO|BAD|\+)`
	keywordRE    = `([A-Za-z][A-Za-z0-9.=-]*)`
	attrRE       = `(\\[A-Za-z]+)`
)

func init() {
	addSteps(
		Def{Expr: `^the server replies ` + imapStatusRE + ` or ` + imapStatusRE + `$`, Example: `Then the server replies NO or BAD`,
			Doc: "reads the next IMAP reply: a tagged completion with either status (or a continuation request for +), where the RFC allows both", fn: repliesEither},
		Def{Expr: `^the server does not advertise ` + capRE + `$`, Example: `Given the server does not advertise LITERAL+`,
			Doc: "not applicable when the server advertises the capability", fn: doesNotAdvertise},
		Def{Expr: `^the server advertises ` + capRE + ` or ` + capRE + `$`, Example: `Given the server advertises LITERAL+ or LITERAL-`,
			Doc: "not applicable unless the server advertises at least one of the two capabilities", fn: advertisesEither},
		Def{Expr: `^every (LIST|LSUB) response has one of the attributes (.+)$`, Example: `And every LIST response has one of the attributes \All \Archive \Drafts \Flagged \Junk \Sent \Trash`,
			Doc: "each untagged LIST (or LSUB) response of the last reply carries at least one of the space-separated attributes, compared case-insensitively", fn: everyListHasAttr},
		Def{Expr: `^the reply has (an|no|exactly one) untagged ` + keywordRE + ` response$`, Example: `And the reply has exactly one untagged CAPABILITY response`,
			Doc: "counts the untagged responses of the last IMAP reply whose keyword (status, data name, or the word after a number: EXISTS) is this, case-insensitively", fn: hasUntagged},
		Def{Expr: `^the reply has an untagged (OK|NO|BAD|BYE|PREAUTH) response with the code ` + keywordRE + `$`, Example: `And the reply has an untagged OK response with the code UIDVALIDITY`,
			Doc: "some untagged status response of the last IMAP reply carries the response code (RFC 9051 section 7.1)", fn: hasUntaggedCode},
		Def{Expr: `^the tagged response (has|does not have) the code ` + keywordRE + `$`, Example: `And the tagged response has the code READ-ONLY`,
			Doc: "the tagged completion of the last IMAP reply begins (or does not begin) with the response code, e.g. [READ-ONLY]", fn: taggedCode},
		Def{Expr: `^the code ` + keywordRE + ` carries a number above (\d+)$`, Example: `And the code UIDVALIDITY carries a number above 0`,
			Doc: "a response of the last IMAP reply carries the response code, and its first argument is a number greater than this", fn: codeNumber},
		Def{Expr: `^the untagged ` + keywordRE + ` response (lists|does not list) ` + `([^\s"]+)$`, Example: `And the untagged CAPABILITY response lists IMAP4rev2`,
			Doc: "the last IMAP reply has the untagged response (CAPABILITY, ENABLED, ...) and its atoms include (or do not include) the word, case-insensitively", fn: untaggedLists},
		Def{Expr: `^the untagged ` + keywordRE + ` response lists one of (.+)$`, Example: `And the untagged CAPABILITY response lists one of IMAP4rev1 IMAP4rev2`,
			Doc: "the last IMAP reply has the untagged response and its atoms include at least one of the space-separated words, case-insensitively", fn: untaggedListsOneOf},
		Def{Expr: `^the untagged CAPABILITY response is remembered as "(\w+)"$`, Example: `And the untagged CAPABILITY response is remembered as "before"`,
			Doc: "keeps the capabilities of the last reply's untagged CAPABILITY response under a name", fn: rememberCaps},
		Def{Expr: `^the untagged CAPABILITY response lists the capabilities remembered as "(\w+)"$`, Example: `Then the untagged CAPABILITY response lists the capabilities remembered as "before"`,
			Doc: "the last reply's untagged CAPABILITY response lists the same capability names as the remembered one, in any order, case-insensitively", fn: sameCaps},
		Def{Expr: `^the (LIST|LSUB) responses (include|do not include) ` + quotedRE + `$`, Example: `And the LIST responses include "${mailbox}${delim}child"`,
			Doc: "the untagged LIST (or LSUB) responses of the last reply name (or do not name) this mailbox, compared exactly after ${vars} expansion", fn: listIncludes},
		Def{Expr: `^the (LIST|LSUB) response for ` + quotedRE + ` (has|does not have) the attribute ` + attrRE + `$`, Example: `And the LIST response for "${mailbox}" has the attribute \HasChildren`,
			Doc: "the untagged LIST (or LSUB) response of the last reply for this mailbox carries (or lacks) the attribute, compared case-insensitively", fn: listAttribute},
		Def{Expr: `^the STATUS response for ` + quotedRE + ` has ` + keywordRE + `(?: (above )?(\d+))?$`, Example: `And the STATUS response for "${mailbox}" has MESSAGES 0`,
			Doc: "the untagged STATUS response of the last reply for this mailbox has the item with a number: this one, one above it, or (without a value) any", fn: statusItem},
		Def{Expr: `^the NAMESPACE response is well-formed$`, Example: `And the NAMESPACE response is well-formed`,
			Doc: "the last reply has exactly one untagged NAMESPACE response of three namespace lists, each NIL or a list of (prefix delimiter ...) (RFC 9051 section 7.3.2, RFC 2342 section 5)", fn: namespaceWellFormed},
		Def{Expr: `^the server refuses the literal with TOOBIG$`, Example: `Then the server refuses the literal with TOOBIG`,
			Doc: "reads the reply to a command with a non-synchronizing literal over 4096 octets: a tagged BAD or NO with [TOOBIG], or an untagged BYE and a close, passes (RFC 7888 sections 4 and 5); OK fails", fn: refusesTooBig},
		Def{Expr: `^the server replies (NO|BAD)(?: or (NO|BAD))? or closes the connection$`, Example: `Then the server replies NO or BAD or closes the connection`,
			Doc: "reads the next IMAP reply: a tagged completion with that status (or either status) passes, and so does the server closing the connection (with or without an untagged BYE first); for BAD an untagged BAD (a line whose command cannot be determined) passes too", fn: repliesOrCloses},
		Def{Expr: `^the server completes the command with (OK|NO|BAD)$`, Example: `Then the server completes the command with OK`,
			Doc: "reads the next IMAP reply like \"the server replies\", but an untagged BAD (the server could not tell which command the line was) fails at once instead of waiting for the tagged completion", fn: completesWith},
		Def{Expr: `^the client continues with a line of (\d+) octets starting with ` + quotedRE + `$`, Example: `And the client continues with a line of 5002 octets starting with "Subject: x\r\n\r\n"`,
			Doc: "sends the prefix (${vars} expanded, escapes as in raw) padded with 'x' to that many octets, CRLF included, as the continuation of the command in progress (the rest of a literal)", fn: continuesLongLine},
		Def{Expr: `^the client is authenticated with the profile's third account$`, Example: `And the client is authenticated with the profile's third account`,
			Doc: "starts TLS where offered and logs in with the third account of the profile (mailboxes the scenario creates are cleaned up with it); not applicable unless the profile has a third account marked disposable", fn: authenticatedThird},
		Def{Expr: `^the client starts TLS after the OK( \(a failed handshake is safe\))?$`, Example: `And the client starts TLS after the OK (a failed handshake is safe)`,
			Doc: "after a tagged OK to a STARTTLS sent by hand: the TLS handshake only (nothing sent after it); data before the handshake fails (RFC 9051 section 6.2.1); a server that closes instead is noted, not failed, and so is a failed handshake when the suffix says so (plaintext pipelined behind STARTTLS may be read as the start of the handshake); not applicable when the last reply was not OK", fn: startsTLSAfterOK},
		Def{Expr: `^the client continues with ` + quotedRE + `$`, Example: `When the client continues with "${plain}"`,
			Doc: "sends the line and CRLF (${vars} expanded) as the continuation of the command in progress (a SASL response, the rest of a command after a literal): the next reply is still read up to that command's tag", fn: continues},
		Def{Expr: `^the connection is protected by TLS$`, Example: `And the connection is protected by TLS`,
			Doc: "starts TLS when the connection is not encrypted and STARTTLS is offered; not applicable when it is neither encrypted nor offers STARTTLS", fn: protectedByTLS},
	)
}

// imapReply returns the current connection and its last IMAP reply.
func (w *world) imapReply() (*conn, error) {
	c, err := w.lastReply()
	if err != nil {
		return nil, err
	}
	if c.s.Endpoint.Protocol != transcripts.IMAP || len(c.imap) == 0 {
		return nil, w.harnessf("the last reply is not an IMAP reply read by \"the server replies ...\"")
	}
	return c, nil
}

// untaggedKeyword is the keyword a step names an untagged response by:
// the status or data name, or for message data the word after the number
// ("* 3 EXISTS" is EXISTS).
func untaggedKeyword(r wire.IMAPResponse) string {
	if r.Kind != wire.IMAPUntagged {
		return ""
	}
	return strings.ToUpper(r.Keyword)
}

func (w *world) untagged(c *conn, keyword string) []wire.IMAPResponse {
	var out []wire.IMAPResponse
	for _, r := range c.imap {
		if untaggedKeyword(r) == strings.ToUpper(keyword) {
			out = append(out, r)
		}
	}
	return out
}

func tagged(c *conn) wire.IMAPResponse { return c.imap[len(c.imap)-1] }

func repliesEither(ctx context.Context, a, b string) error {
	w := worldOf(ctx)
	want := a + " or " + b
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	if statusMatches(c, a) || statusMatches(c, b) {
		return nil
	}
	return w.failf(want, c.text(), "expected %s, got %q", want, c.text())
}

func advertisesEither(ctx context.Context, a, b string) error {
	w := worldOf(ctx)
	if hasKeyword(w.caps(), a) || hasKeyword(w.caps(), b) {
		return nil
	}
	return w.notApplicable("the server advertises neither %s nor %s", a, b)
}

func everyListHasAttr(ctx context.Context, keyword, list string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	want := strings.Fields(list)
	for _, e := range w.listEntries(c, keyword) {
		ok := slices.ContainsFunc(e.attrs, func(a string) bool {
			return slices.ContainsFunc(want, func(x string) bool { return strings.EqualFold(a, x) })
		})
		if !ok {
			return w.failf(fmt.Sprintf("one of %s on every %s response", list, keyword), c.text(),
				"the %s response for %q has none of the attributes %s (attributes: %s)", keyword, e.name, list, strings.Join(e.attrs, " "))
		}
	}
	return nil
}

func doesNotAdvertise(ctx context.Context, cap string) error {
	w := worldOf(ctx)
	if hasKeyword(w.caps(), cap) {
		return w.notApplicable("the server advertises %s", cap)
	}
	return nil
}

func hasUntagged(ctx context.Context, how, keyword string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	n := len(w.untagged(c, keyword))
	kw := strings.ToUpper(keyword)
	switch {
	case how == "an" && n == 0:
		return w.failf("an untagged "+kw+" response", c.text(), "the reply has no untagged %s response", kw)
	case how == "no" && n > 0:
		return w.failf("no untagged "+kw+" response", c.text(), "the reply has %d untagged %s response(s)", n, kw)
	case how == "exactly one" && n != 1:
		return w.failf("exactly one untagged "+kw+" response", c.text(), "the reply has %d untagged %s responses", n, kw)
	}
	return nil
}

func hasUntaggedCode(ctx context.Context, status, code string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	for _, r := range w.untagged(c, status) {
		if strings.EqualFold(r.Code, code) {
			return nil
		}
	}
	want := fmt.Sprintf("* %s [%s ...]", status, strings.ToUpper(code))
	return w.failf(want, c.text(), "the reply has no untagged %s response with the response code %s", status, strings.ToUpper(code))
}

func taggedCode(ctx context.Context, how, code string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	t := tagged(c)
	has := strings.EqualFold(t.Code, code)
	switch {
	case how == "has" && !has:
		return w.failf("a tagged response beginning with ["+strings.ToUpper(code)+"]", script.Display("imap", t.Raw),
			"the tagged response does not begin with the response code %s", strings.ToUpper(code))
	case how == "does not have" && has:
		return w.failf("no ["+strings.ToUpper(code)+"] in the tagged response", script.Display("imap", t.Raw),
			"the tagged response carries the response code %s", strings.ToUpper(code))
	}
	return nil
}

func codeNumber(ctx context.Context, code string, above uint64) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	for _, r := range c.imap {
		if !strings.EqualFold(r.Code, code) {
			continue
		}
		arg, _, _ := strings.Cut(r.CodeArgs, " ")
		n, perr := strconv.ParseUint(arg, 10, 64)
		if perr != nil || n <= above {
			return w.failf(fmt.Sprintf("[%s n] with n above %d", strings.ToUpper(code), above), script.Display("imap", r.Raw),
				"the response code %s carries %q, not a number above %d", strings.ToUpper(code), r.CodeArgs, above)
		}
		return nil
	}
	return w.failf("a response with the code "+strings.ToUpper(code), c.text(), "no response of the reply carries the response code %s", strings.ToUpper(code))
}

// atoms returns the words of an untagged response's fields (atoms,
// numbers and strings) in upper case.
func atoms(r wire.IMAPResponse) []string {
	var out []string
	for _, f := range r.Fields {
		switch f.Kind {
		case wire.Atom, wire.String, wire.Literal:
			out = append(out, strings.ToUpper(f.Str))
		case wire.Number:
			out = append(out, strconv.FormatUint(f.Num, 10))
		}
	}
	return out
}

func untaggedLists(ctx context.Context, keyword, how, word string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	kw := strings.ToUpper(keyword)
	rs := w.untagged(c, keyword)
	if len(rs) == 0 && how == "lists" {
		return w.failf("an untagged "+kw+" response", c.text(), "the reply has no untagged %s response", kw)
	}
	text, err := script.Expand(word, w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	found := false
	for _, r := range rs {
		if slices.Contains(atoms(r), strings.ToUpper(text)) {
			found = true
		}
	}
	switch {
	case how == "lists" && !found:
		return w.failf(kw+" ... "+text+" ...", c.text(), "the untagged %s response does not list %s", kw, text)
	case how == "does not list" && found:
		return w.failf(kw+" without "+text, c.text(), "the untagged %s response lists %s", kw, text)
	}
	return nil
}

func untaggedListsOneOf(ctx context.Context, keyword, words string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	kw := strings.ToUpper(keyword)
	for _, r := range w.untagged(c, keyword) {
		for _, word := range strings.Fields(words) {
			if slices.Contains(atoms(r), strings.ToUpper(word)) {
				return nil
			}
		}
	}
	return w.failf(kw+" with one of "+words, c.text(), "no untagged %s response lists any of %s", kw, words)
}

// capsVar is where remembered capability lists are kept among the vars
// (a name no pattern can reference).
func capsVar(name string) string { return "\x00caps." + name }

func rememberCaps(ctx context.Context, name string) error {
	w := worldOf(ctx)
	caps, err := w.replyCaps()
	if err != nil {
		return err
	}
	w.vars[capsVar(name)] = caps
	return nil
}

// replyCaps returns the capabilities of the last reply's untagged
// CAPABILITY response, sorted and joined by spaces.
func (w *world) replyCaps() (string, error) {
	c, err := w.imapReply()
	if err != nil {
		return "", err
	}
	rs := w.untagged(c, "CAPABILITY")
	if len(rs) == 0 {
		return "", w.failf("an untagged CAPABILITY response", c.text(), "the reply to CAPABILITY has no untagged CAPABILITY response (RFC 9051 section 6.1.1: \"The server MUST send a single untagged CAPABILITY response\")")
	}
	caps := atoms(rs[0])
	slices.Sort(caps)
	return strings.Join(caps, " "), nil
}

func sameCaps(ctx context.Context, name string) error {
	w := worldOf(ctx)
	before, ok := w.vars[capsVar(name)]
	if !ok {
		return w.harnessf("no capabilities remembered as %q", name)
	}
	now, err := w.replyCaps()
	if err != nil {
		return err
	}
	if now != before {
		return w.failf(before, now, "the capabilities differ from those remembered as %q", name)
	}
	return nil
}

// listEntries returns the parsed LIST (or LSUB) responses of the last
// reply.
func (w *world) listEntries(c *conn, keyword string) []listEntry {
	var out []listEntry
	for _, r := range w.untagged(c, keyword) {
		if e, ok := parseList(r); ok {
			out = append(out, e)
		}
	}
	return out
}

func listIncludes(ctx context.Context, keyword, how, name string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	want, err := script.Expand(unquote(name), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	found := false
	for _, e := range w.listEntries(c, keyword) {
		if e.name == want {
			found = true
		}
	}
	switch {
	case how == "include" && !found:
		return w.failf(fmt.Sprintf("* %s ... %q", keyword, want), c.text(), "no untagged %s response names %q", keyword, want)
	case how == "do not include" && found:
		return w.failf(fmt.Sprintf("no * %s ... %q", keyword, want), c.text(), "an untagged %s response names %q", keyword, want)
	}
	return nil
}

func listAttribute(ctx context.Context, keyword, name, how, attr string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	want, err := script.Expand(unquote(name), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	for _, e := range w.listEntries(c, keyword) {
		if e.name != want {
			continue
		}
		has := slices.ContainsFunc(e.attrs, func(a string) bool { return strings.EqualFold(a, attr) })
		switch {
		case how == "has" && !has:
			return w.failf(fmt.Sprintf("%s in the attributes of %q", attr, want), c.text(), "the %s response for %q lacks the attribute %s (attributes: %s)", keyword, want, attr, strings.Join(e.attrs, " "))
		case how == "does not have" && has:
			return w.failf(fmt.Sprintf("no %s in the attributes of %q", attr, want), c.text(), "the %s response for %q carries the attribute %s", keyword, want, attr)
		}
		return nil
	}
	return w.failf(fmt.Sprintf("* %s ... %q", keyword, want), c.text(), "no untagged %s response names %q", keyword, want)
}

func statusItem(ctx context.Context, name, item, above, value string) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	want, err := script.Expand(unquote(name), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	n, _ := strconv.ParseUint(value, 10, 64)
	item = strings.ToUpper(item)
	for _, r := range w.untagged(c, "STATUS") {
		// mailbox-data =/ "STATUS" SP mailbox SP "(" [status-att-list] ")"
		if len(r.Fields) < 2 || r.Fields[0].Str != want || r.Fields[1].Kind != wire.List {
			continue
		}
		l := r.Fields[1].List
		for i := 0; i+1 < len(l); i += 2 {
			if !strings.EqualFold(l[i].Str, item) {
				continue
			}
			got := l[i+1]
			ok := got.Kind == wire.Number && (value == "" || above == "" && got.Num == n || above != "" && got.Num > n)
			if !ok {
				return w.failf(fmt.Sprintf("%s %s%d", item, above, n), script.Display("imap", r.Raw), "the STATUS response for %q has %s %s", want, item, valueText(got))
			}
			return nil
		}
		return w.failf(fmt.Sprintf("%s %s%d", item, above, n), script.Display("imap", r.Raw), "the STATUS response for %q lacks the item %s it was asked for (RFC 9051 section 6.3.11)", want, item)
	}
	return w.failf(fmt.Sprintf("* STATUS %q (... %s ...)", want, item), c.text(), "no untagged STATUS response for %q (RFC 9051 section 6.3.11: \"REQUIRED untagged responses:  STATUS\")", want)
}

func valueText(v wire.Value) string {
	switch v.Kind {
	case wire.Number:
		return strconv.FormatUint(v.Num, 10)
	case wire.Nil:
		return "NIL"
	case wire.List:
		return "(...)"
	}
	return v.Str
}

func namespaceWellFormed(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.imapReply()
	if err != nil {
		return err
	}
	rs := w.untagged(c, "NAMESPACE")
	if len(rs) != 1 {
		return w.failf("a single untagged NAMESPACE response", c.text(), "the reply has %d untagged NAMESPACE responses (RFC 9051 section 6.3.10: \"The NAMESPACE command causes a single untagged NAMESPACE response to be returned.\")", len(rs))
	}
	if p := namespaceProblem(rs[0].Fields); p != "" {
		return w.failf("NAMESPACE (personal) (other users) (shared), each NIL or ((prefix delimiter) ...)", script.Display("imap", rs[0].Raw),
			"the NAMESPACE response is malformed: %s (RFC 9051 section 9: namespace-response = \"NAMESPACE\" SP namespace SP namespace SP namespace; namespace = nil / \"(\" 1*namespace-descr \")\")", p)
	}
	return nil
}

// namespaceProblem checks the fields of a NAMESPACE response against
// RFC 9051's namespace-response (and RFC 2342's): three namespaces, each
// NIL or a non-empty list of descriptions "(" string SP (DQUOTE
// QUOTED-CHAR DQUOTE / nil) [extensions] ")".
func namespaceProblem(fields []wire.Value) string {
	if len(fields) != 3 {
		return fmt.Sprintf("%d namespaces, not 3", len(fields))
	}
	for i, ns := range fields {
		switch ns.Kind {
		case wire.Nil:
			continue
		case wire.List:
		default:
			return fmt.Sprintf("namespace %d is neither NIL nor a list", i+1)
		}
		if len(ns.List) == 0 {
			return fmt.Sprintf("namespace %d is an empty list (NIL is the form for none)", i+1)
		}
		for _, d := range ns.List {
			if d.Kind != wire.List || len(d.List) < 2 {
				return fmt.Sprintf("namespace %d has a description that is not (prefix delimiter ...)", i+1)
			}
			if k := d.List[0].Kind; k != wire.String && k != wire.Literal {
				return fmt.Sprintf("namespace %d has a prefix that is not a string", i+1)
			}
			switch dl := d.List[1]; {
			case dl.Kind == wire.Nil:
			case dl.Kind == wire.String && len(dl.Str) == 1:
			default:
				return fmt.Sprintf("namespace %d has a delimiter that is neither NIL nor a quoted single character", i+1)
			}
			if len(d.List)%2 != 0 {
				return fmt.Sprintf("namespace %d has an extension without its values", i+1)
			}
		}
	}
	return ""
}

// readIMAPOrClose reads the next reply of the current IMAP connection,
// telling a close apart from other errors: closed is true when the
// server closed the connection (after whatever untagged responses it
// sent first, kept as the last reply).
func (w *world) readIMAPOrClose(expected string) (c *conn, closed bool, err error) {
	c, err = w.current()
	if err != nil {
		return nil, false, err
	}
	tag, _, _ := strings.Cut(c.lastCmd, " ")
	c.lines, c.status, c.code, c.imap = nil, "", 0, nil
	untagged, t, rerr := c.s.IMAPReadUntil(tag)
	for _, u := range untagged {
		w.violations = append(w.violations, u.Violations...)
		c.lines = append(c.lines, script.Display("imap", u.Raw))
	}
	c.imap = untagged
	switch {
	case rerr != nil && errors.Is(rerr, transcripts.ErrClosed):
		return c, true, nil
	case rerr != nil && t.Kind == wire.IMAPTagged && t.Tag != tag:
		return nil, false, w.foreignTag(c, tag, expected, t)
	case rerr != nil:
		return nil, false, w.readFailed(expected, rerr)
	}
	w.violations = append(w.violations, t.Violations...)
	c.lines = append(c.lines, script.Display("imap", t.Raw))
	c.imap = append(c.imap, t)
	c.status = t.Status
	if t.Kind == wire.IMAPContinuation {
		c.status = "+"
	}
	return c, false, nil
}

func refusesTooBig(ctx context.Context) error {
	w := worldOf(ctx)
	const want = "a tagged BAD [TOOBIG] (or an untagged BYE and a close)"
	c, closed, err := w.readIMAPOrClose(want)
	if err != nil {
		return err
	}
	if closed {
		if len(w.untagged(c, "BYE")) == 0 {
			return w.failf(want, "the connection closed without BYE", "the server closed the connection without an untagged BYE (RFC 7888 section 4: \"Send an untagged BYE response explaining the reason for rejecting the literal ... and close the connection.\")")
		}
		delete(w.conns, w.cur)
		return nil
	}
	t := tagged(c)
	switch {
	case t.Kind == wire.IMAPContinuation:
		return w.failf(want, c.text(), "the server sent a command continuation request for a non-synchronizing literal (RFC 7888 section 3: \"The server does not generate a command continuation request in response to a non-synchronizing literal\")")
	case t.Status == "OK":
		return w.failf(want, c.text(), "the server accepted a non-synchronizing literal over 4096 octets under LITERAL- (RFC 7888 section 5: \"A server that is compliant with LITERAL- and encounters a non-synchronizing literal larger than 4096 bytes proceeds as described in Section 4.\")")
	case !strings.EqualFold(t.Code, "TOOBIG"):
		return w.failf(want, c.text(), "the refusal lacks the TOOBIG response code (RFC 7888 section 5: \"If responding to an APPEND command, the tagged BAD response MUST contain the TOOBIG response code\")")
	}
	return nil
}

// maxUntaggedRead bounds the responses a step reads one by one.
const maxUntaggedRead = 1000

func repliesOrCloses(ctx context.Context, status, other string) error {
	w := worldOf(ctx)
	if other != "" {
		status += " or " + other
	}
	return w.readCompletion(status, true)
}

func completesWith(ctx context.Context, status string) error {
	return worldOf(ctx).readCompletion(status, false)
}

// readCompletion reads responses up to the completion of the last
// command: a tagged response with one of the statuses in want ("BAD",
// "NO or BAD") passes. With closeOK, a close (after a BYE or not) passes,
// and an untagged BAD passes when BAD is wanted; without it an untagged
// BAD fails at once: the server did not recognise the command's tag.
func (w *world) readCompletion(status string, closeOK bool) error {
	want := "a tagged " + status
	if closeOK {
		want += " (or an untagged BAD or BYE) or a close"
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	tag, _, _ := strings.Cut(c.lastCmd, " ")
	c.lines, c.status, c.code, c.imap = nil, "", 0, nil
	for n := 0; ; n++ {
		if n > maxUntaggedRead {
			return w.failf(want, c.text(), "more than %d untagged responses and no completion", maxUntaggedRead)
		}
		r, err := c.s.ReadIMAP()
		switch {
		case errors.Is(err, transcripts.ErrClosed) && closeOK:
			delete(w.conns, w.cur)
			return nil
		case err != nil:
			return w.readFailed(want, err)
		}
		w.violations = append(w.violations, r.Violations...)
		c.lines = append(c.lines, script.Display("imap", r.Raw))
		c.imap = append(c.imap, r)
		switch {
		case r.Kind == wire.IMAPTagged && r.Tag != tag:
			return w.foreignTag(c, tag, status, r)
		case r.Kind == wire.IMAPTagged:
			c.status = r.Status
			for _, st := range strings.Split(status, " or ") {
				if statusMatches(c, st) {
					return nil
				}
			}
			return w.failf(want, c.text(), "expected %s, got %q", want, c.text())
		case r.Kind == wire.IMAPContinuation:
			return w.failf(want, c.text(), "the server sent a command continuation request, got %q", c.text())
		case r.Status == "BAD" && !closeOK:
			return w.failf(tag+" "+status, c.text(), "the server answered with an untagged BAD: it did not take %q as the tag of a command (RFC 9051 section 2.2.2: the completion result response \"is tagged with the same tag as the client command that began the operation\")", tag)
		case r.Status == "BYE" && closeOK:
			// The close should follow at once (RFC 9051 section 7.1.5).
			continue
		case r.Status == "BAD" && strings.Contains(status, "BAD"):
			// An untagged BAD answers a line whose command cannot be
			// determined (RFC 9051 section 7.1.3); a tagged completion
			// may still follow.
			if got, serr := c.s.ExpectSilence(time.Second); serr == nil && got != nil {
				if r2, err := c.s.ReadIMAP(); err == nil {
					c.lines = append(c.lines, script.Display("imap", r2.Raw))
					if r2.Kind == wire.IMAPTagged && r2.Tag == tag && r2.Status != "BAD" {
						return w.failf(want, c.text(), "after an untagged BAD the command was completed %s", r2.Status)
					}
				}
			}
			return nil
		}
	}
}

func continuesLongLine(ctx context.Context, n int, prefix string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	text, err := script.Expand(unquote(prefix), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	p, err := script.Unescape(text)
	if err != nil {
		return w.harnessf("%v", err)
	}
	if n < len(p)+2 || n > 1<<20 {
		return w.harnessf("a line of %d octets cannot start with %q (or is over 1 MiB)", n, p)
	}
	b := make([]byte, 0, n)
	b = append(b, p...)
	for len(b) < n-2 {
		b = append(b, 'x')
	}
	if err := c.s.SendRaw(append(b, '\r', '\n')); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func authenticatedThird(ctx context.Context) error {
	w := worldOf(ctx)
	a := w.env.Profile.Accounts
	if len(a) < 3 || !a[2].Disposable {
		return w.notApplicable("the case needs a third account marked disposable (it changes that account's INBOX)")
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	if !c.s.IsTLS() && c.s.HasCap("STARTTLS") {
		if err := tlsStarted(ctx); err != nil {
			return err
		}
	}
	if err := c.s.Login(w.ctx, transcripts.LoginCredentials{N: 3, User: a[2].User, Password: a[2].Password}); err != nil {
		return w.preambleFailed("authentication with the profile's third account", err)
	}
	setIMAPAccount(c.s, 2)
	return nil
}

func continues(ctx context.Context, line string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	text, err := script.Expand(unquote(line), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	if err := c.s.Send(text); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func protectedByTLS(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if c.s.IsTLS() {
		return nil
	}
	if !c.s.HasCap("STARTTLS") {
		return w.notApplicable("the connection is not encrypted and the server does not offer STARTTLS")
	}
	return tlsStarted(ctx)
}

func startsTLSAfterOK(ctx context.Context, failedIsSafe string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if !strings.EqualFold(c.status, "OK") {
		return w.notApplicable("the server answered STARTTLS with %q, not OK", c.text())
	}
	err = c.s.StartTLS(w.ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, transcripts.ErrDataBeforeTLS):
		return w.failf("nothing between the OK and the TLS handshake", err.Error(),
			"the server sent more after its OK to STARTTLS instead of starting TLS (RFC 9051 section 6.2.1: \"A TLS negotiation begins immediately after the CRLF at the end of the tagged OK response from the server.\")")
	case isClosedErr(err), failedIsSafe != "":
		// Closing, or failing the handshake on plaintext read as its
		// start (RFC 9051 section 6.2.1, option 1), is a safe answer:
		// nothing can be injected into a session that ends.
		c.s.Close()
		w.vars[extConnClosed+"."+w.cur] = "yes"
		return nil
	}
	return w.failf("a TLS handshake after OK", err.Error(), "the TLS handshake after OK to STARTTLS failed (RFC 9051 section 6.2.1): %v", err)
}
