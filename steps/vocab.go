package steps

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
)

// Def is one step of the vocabulary: its expression, an example, what it
// does, and its implementation.
type Def struct {
	Expr    string
	Example string
	Doc     string
	fn      any
}

const (
	capRE    = `([A-Za-z0-9][A-Za-z0-9=_.+-]*)`
	schemeRE = `"(smtp|submission|smtps|imap|imaps|pop3|pop3s)"`
	quotedRE = `"((?:[^"\\]|\\.)*)"`
	codeRE   = `([0-9x]{3}|\+OK|-ERR|OK|NO|BAD|\+)`
)

// more holds steps that other files of this package add with addSteps.
var more []Def

// addSteps adds steps to the vocabulary; call it from an init function.
func addSteps(defs ...Def) { more = append(more, defs...) }

// Vocabulary is every step, in the order `mailspec steps` prints them.
func Vocabulary() []Def {
	return append(baseSteps(), more...)
}

func baseSteps() []Def {
	return []Def{
		// Preconditions: not applicable when they do not hold.
		{`^the server advertises ` + capRE + `$`, `Given the server advertises PIPELINING`,
			"not applicable unless the server advertises the capability (EHLO keyword, IMAP capability, POP3 CAPA tag): the live session's list once it has one, else what pre-flight saw", advertises},
		{`^a disposable account$`, `Given a disposable account`, "not applicable unless the profile's first account is disposable", disposable},
		{`^a second account$`, `Given a second account`, "not applicable unless the profile has two accounts", secondAccount},
		{`^the account has a mail address$`, `Given the account has a mail address`, "not applicable unless the first account has an address", hasAddress},
		{`^the profile claims TLS is required for authentication$`, `Given the profile claims TLS is required for authentication`,
			"not applicable unless the profile says the endpoint refuses authentication before TLS", tlsRequired},
		{`^the profile claims a maximum message size$`, `Given the profile claims a maximum message size`, "not applicable unless the profile gives claims.max_message_size", maxSize},
		{`^the ` + schemeRE + ` endpoint$`, `Given the "submission" endpoint`, "new connections go to this endpoint; not applicable when the profile lacks it", useEndpoint},

		// Connections and preambles.
		{`^the client connects$`, `Given the client connects`, "connects to the protocol's endpoint (reads nothing)", connects},
		{`^the client connects to the ` + schemeRE + ` endpoint$`, `Given the client connects to the "smtps" endpoint`, "connects to that endpoint (not applicable when the profile lacks it)", connectsTo},
		{`^a second connection "(\w+)"$`, `And a second connection "other"`, "opens another connection to the same endpoint and makes it current", secondConnection},
		{`^the client switches to connection "(\w+)"$`, `When the client switches to connection "1"`, "makes a connection current (the first is named \"1\")", switchConn},
		{`^an SMTP session$`, `Given an SMTP session`, "connects, expects the 220 greeting, sends EHLO and expects 250", smtpSession},
		{`^an SMTP session on the ` + schemeRE + ` endpoint$`, `Given an SMTP session on the "submission" endpoint`, "the same on that endpoint", smtpSessionOn},
		{`^TLS is started$`, `And TLS is started`, "STARTTLS (SMTP, IMAP) or STLS (POP3), the go-ahead, the handshake, then EHLO/CAPABILITY/CAPA again; not applicable when not offered", tlsStarted},
		{`^the client is authenticated$`, `And the client is authenticated`, "starts TLS where offered, then logs in with the first account (AUTH PLAIN/LOGIN, LOGIN, USER/PASS); not applicable when AUTH is not offered", authenticated},
		{`^a mail transaction is started$`, `And a mail transaction is started`, "MAIL FROM:<> and RCPT TO the first account's address, both 250", transactionStarted},

		// Actions.
		{`^the client sends ` + quotedRE + `$`, `When the client sends "NOOP"`, "sends the line and CRLF (${vars} expanded: user, address, domain, runid, client, ...)", sends},
		{`^the client sends raw ` + quotedRE + `$`, `When the client sends raw "MAIL FROM:<>\n"`, "sends exactly these bytes (escapes \\r \\n \\t \\\\ \\0 \\xHH; nothing appended)", sendsRaw},
		{`^the client sends the lines:$`, "When the client sends the lines:\n  \"\"\"\n  Subject: test\n\n  body\n  .\n  \"\"\"", "sends each line of the doc string followed by CRLF", sendsLines},
		{`^the client sends a line of (\d+) octets starting with ` + quotedRE + `$`, `When the client sends a line of 2000 octets starting with "NOOP "`, "sends the prefix padded with 'x' to that many octets, CRLF included", sendsLongLine},
		{`^the client closes the connection$`, `When the client closes the connection`, "closes the current connection", closes},

		// Assertions.
		{`^the server replies ` + codeRE + `$`, `Then the server replies 250`, "reads the next reply: an SMTP code (250, or a class such as 5xx), POP3 +OK/-ERR/+, IMAP tagged OK/NO/BAD or +", replies},
		{`^the server replies one of ([0-9x, ]+)$`, `Then the server replies one of 250, 251`, "reads the next SMTP reply: one of these codes", repliesOneOf},
		{`^the reply matches ` + quotedRE + `$`, `And the reply matches "250*PIPELINING*"`, "some line of the last reply matches the pattern (* wildcards)", replyMatches},
		{`^no line of the reply matches ` + quotedRE + `$`, `And no line of the reply matches "*STARTTLS*"`, "no line of the last reply matches the pattern", noLineMatches},
		{`^every line of the reply matches ` + quotedRE + `$`, `And every line of the reply matches "250*"`, "every line of the last reply matches the pattern", everyLineMatches},
		{`^the reply has an enhanced status code$`, `And the reply has an enhanced status code`, "every line of the last SMTP reply starts with an RFC 3463 status code whose class is the reply code's first digit (RFC 2034 section 4)", enhanced},
		{`^the server closes the connection$`, `Then the server closes the connection`, "the server closes the connection (EOF or reset) before sending anything more", serverCloses},
		{`^no reply arrives within (\d+) ms$`, `Then no reply arrives within 1500 ms`, "the server sends nothing for that long", noReplyWithin},
		{`^the session is still usable$`, `And the session is still usable`, "NOOP is answered positively (SMTP 250, POP3 +OK, IMAP OK)", stillUsable},
	}
}

// register adds the vocabulary to a scenario context.
func register(sc *godog.ScenarioContext) {
	for _, d := range Vocabulary() {
		sc.Step(d.Expr, d.fn)
	}
}

// unquote undoes the \" and \\ escapes of a quoted step argument.
func unquote(s string) string {
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s)
}

func advertises(ctx context.Context, cap string) error {
	w := worldOf(ctx)
	if w.proto == transcripts.POP3 && strings.EqualFold(cap, "CAPA") {
		if len(w.caps()) > 0 {
			return nil
		}
		return w.notApplicable("the server does not answer CAPA with a capability list")
	}
	if !hasKeyword(w.caps(), cap) {
		return w.notApplicable("the server does not advertise %s", cap)
	}
	return nil
}

func disposable(ctx context.Context) error {
	w := worldOf(ctx)
	if a := w.env.Profile.Accounts; len(a) == 0 || !a[0].Disposable {
		return w.notApplicable("the case needs a disposable account")
	}
	return nil
}

func secondAccount(ctx context.Context) error {
	w := worldOf(ctx)
	if len(w.env.Profile.Accounts) < 2 {
		return w.notApplicable("the case needs a second account")
	}
	return nil
}

func hasAddress(ctx context.Context) error {
	w := worldOf(ctx)
	if a := w.env.Profile.Accounts; len(a) == 0 || a[0].Address == "" {
		return w.notApplicable("the account has no mail address")
	}
	return nil
}

func tlsRequired(ctx context.Context) error {
	w := worldOf(ctx)
	ep, err := w.selectEndpoint("")
	if err != nil {
		return err
	}
	if !ep.TLSRequiredForAuth {
		return w.notApplicable("the profile does not claim %s requires TLS before authentication", ep.URL)
	}
	return nil
}

func maxSize(ctx context.Context) error {
	w := worldOf(ctx)
	if w.env.Profile.Claims.MaxMessageSize <= 0 {
		return w.notApplicable("the profile claims no maximum message size")
	}
	w.vars["maxsize"] = strconv.FormatInt(w.env.Profile.Claims.MaxMessageSize, 10)
	w.vars["oversize"] = strconv.FormatInt(w.env.Profile.Claims.MaxMessageSize+1, 10)
	return nil
}

func useEndpoint(ctx context.Context, scheme string) error {
	w := worldOf(ctx)
	if _, err := w.selectEndpoint(scheme); err != nil {
		return err
	}
	w.endpoint = scheme
	return nil
}

func connects(ctx context.Context) error { return worldOf(ctx).connect("1", "") }

func connectsTo(ctx context.Context, scheme string) error {
	w := worldOf(ctx)
	w.endpoint = scheme
	return w.connect("1", scheme)
}

func secondConnection(ctx context.Context, name string) error {
	w := worldOf(ctx)
	if _, ok := w.conns[name]; ok {
		return w.harnessf("connection %q is already open", name)
	}
	return w.connect(name, "")
}

func switchConn(ctx context.Context, name string) error {
	w := worldOf(ctx)
	if _, ok := w.conns[name]; !ok {
		return w.harnessf("no connection named %q", name)
	}
	w.cur = name
	return nil
}

// expectStep reads a reply in a preamble and fails when it is not want.
func (w *world) expectStep(what, want string) error {
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	if !statusMatches(c, want) {
		return w.failf(want, c.text(), "precondition %s: expected %s, got %q", what, want, c.text())
	}
	return nil
}

func smtpSession(ctx context.Context) error { return smtpSessionOn(ctx, "") }

func smtpSessionOn(ctx context.Context, scheme string) error {
	w := worldOf(ctx)
	if scheme != "" {
		w.endpoint = scheme
	}
	if err := w.connect("1", scheme); err != nil {
		return err
	}
	c, _ := w.current()
	if _, err := c.s.SMTPHello(true); err != nil {
		return w.preambleFailed("greeting and EHLO (RFC 5321 sections 3.1 and 4.1.1.1)", err)
	}
	return nil
}

// preambleFailed reports a failed preamble helper of package transcripts.
func (w *world) preambleFailed(what string, err error) error {
	var re *transcripts.ReplyError
	var ve *transcripts.ViolationError
	switch {
	case asErr(err, &re):
		return w.failf(what, re.Reply, "precondition %s failed: %v", what, err)
	case asErr(err, &ve):
		w.violations = append(w.violations, ve.Violations...)
		return w.failf(what, err.Error(), "precondition %s failed: %v", what, err)
	}
	return w.readFailed(what, err)
}

func tlsStarted(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if !c.s.HasCap("STARTTLS") && !c.s.HasCap("STLS") {
		if len(c.s.Caps()) == 0 && c.s.Endpoint.Protocol != transcripts.SMTP {
			if err := c.s.Greet(); err != nil {
				return w.preambleFailed("greeting and capabilities", err)
			}
		}
		if !c.s.HasCap("STARTTLS") && !c.s.HasCap("STLS") {
			return w.notApplicable("the server does not offer STARTTLS")
		}
	}
	if err := c.s.UpgradeIfOffered(w.ctx); err != nil {
		return w.preambleFailed("STARTTLS (RFC 3207 section 4, RFC 2595, RFC 9051 section 6.2.1)", err)
	}
	return nil
}

func authenticated(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if !c.s.IsTLS() && (c.s.HasCap("STARTTLS") || c.s.HasCap("STLS")) {
		if err := tlsStarted(ctx); err != nil {
			return err
		}
	}
	if c.s.Endpoint.Protocol == transcripts.SMTP && !c.s.HasCap("AUTH") {
		return w.notApplicable("the server does not offer AUTH on %s", c.s.Endpoint.URL)
	}
	a := w.env.Profile.Accounts[0]
	if err := c.s.Login(w.ctx, transcripts.LoginCredentials{N: 1, User: a.User, Password: a.Password}); err != nil {
		return w.preambleFailed("authentication with the profile's first account", err)
	}
	return nil
}

func transactionStarted(ctx context.Context) error {
	w := worldOf(ctx)
	if err := hasAddress(ctx); err != nil {
		return err
	}
	if err := w.send("MAIL FROM:<>"); err != nil {
		return err
	}
	if err := w.expectStep("MAIL FROM:<> (RFC 5321 section 4.1.1.2)", "250"); err != nil {
		return err
	}
	if err := w.send("RCPT TO:<${address}>"); err != nil {
		return err
	}
	return w.expectStep("RCPT TO the account's address (RFC 5321 section 4.1.1.3)", "25x")
}

func sends(ctx context.Context, line string) error { return worldOf(ctx).send(unquote(line)) }

func sendsRaw(ctx context.Context, esc string) error {
	w := worldOf(ctx)
	text, err := script.Expand(unquote(esc), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	b, err := script.Unescape(text)
	if err != nil {
		return w.harnessf("%v", err)
	}
	return w.sendRaw(b)
}

func sendsLines(ctx context.Context, doc *godog.DocString) error {
	w := worldOf(ctx)
	text, err := script.Expand(doc.Content, w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	var b []byte
	for _, l := range strings.Split(text, "\n") {
		b = append(append(b, l...), '\r', '\n')
	}
	return w.sendRaw(b)
}

func sendsLongLine(ctx context.Context, n int, prefix string) error {
	w := worldOf(ctx)
	p := unquote(prefix)
	if n < len(p)+2 || n > 1<<20 {
		return w.harnessf("a line of %d octets cannot start with %q (or is over 1 MiB)", n, p)
	}
	b := make([]byte, 0, n)
	b = append(b, p...)
	for len(b) < n-2 {
		b = append(b, 'x')
	}
	return w.sendRaw(append(b, '\r', '\n'))
}

func closes(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	c.s.Close()
	delete(w.conns, w.cur)
	return nil
}

func replies(ctx context.Context, want string) error {
	w := worldOf(ctx)
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	if !statusMatches(c, want) {
		return w.failf(want, c.text(), "expected %s, got %q", want, c.text())
	}
	return nil
}

func repliesOneOf(ctx context.Context, list string) error {
	w := worldOf(ctx)
	c, err := w.readReply(list)
	if err != nil {
		return err
	}
	for _, code := range strings.Split(list, ",") {
		if statusMatches(c, strings.TrimSpace(code)) {
			return nil
		}
	}
	return w.failf("one of "+list, c.text(), "expected one of %s, got %q", list, c.text())
}

func (w *world) lastReply() (*conn, error) {
	c, err := w.current()
	if err != nil {
		return nil, err
	}
	if len(c.lines) == 0 {
		return nil, w.harnessf("no reply has been read yet: assert \"the server replies ...\" first")
	}
	return c, nil
}

func (w *world) pattern(p string) (*script.Pattern, error) {
	pat, err := script.CompilePattern(unquote(p))
	if err != nil {
		return nil, w.harnessf("%v", err)
	}
	return pat, nil
}

func (w *world) matchLine(pat *script.Pattern, line string) (bool, error) {
	caps, ok, err := pat.Match(line, w.vars)
	if err != nil {
		return false, w.harnessf("%v", err)
	}
	for k, v := range caps {
		w.vars[k] = v
	}
	return ok, nil
}

// lineMode says how many lines of the reply a pattern must match.
type lineMode int

const (
	someLine lineMode = iota
	noLine
	everyLine
	// someLineOrNA: some line, or the case is not applicable.
	someLineOrNA
)

func replyMatches(ctx context.Context, p string) error     { return linesMatch(ctx, p, someLine) }
func noLineMatches(ctx context.Context, p string) error    { return linesMatch(ctx, p, noLine) }
func everyLineMatches(ctx context.Context, p string) error { return linesMatch(ctx, p, everyLine) }

// linesMatch matches a pattern against the lines of the last reply.
func linesMatch(ctx context.Context, p string, mode lineMode) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	pat, err := w.pattern(p)
	if err != nil {
		return err
	}
	want := unquote(p)
	for _, l := range c.lines {
		ok, err := w.matchLine(pat, l)
		if err != nil {
			return err
		}
		switch {
		case ok && (mode == someLine || mode == someLineOrNA):
			return nil
		case ok && mode == noLine:
			return w.failf("no line matching "+want, l, "a line of the reply matches %q: %q", want, l)
		case !ok && mode == everyLine:
			return w.failf(want, l, "a line of the reply does not match %q: %q", want, l)
		}
	}
	switch mode {
	case someLine:
		return w.failf(want, c.text(), "no line of the reply matches %q: got %q", want, c.text())
	case someLineOrNA:
		return w.notApplicable("no line of the reply matches %q: %s", want, c.text())
	}
	return nil
}

// enhancedCode is RFC 3463's status-code = class "." subject "." detail.
var enhancedCode = regexp.MustCompile(`^([245])\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})( |$)`)

func enhanced(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	if c.code == 0 {
		return w.harnessf("the last reply is not an SMTP reply")
	}
	class := strconv.Itoa(c.code / 100)
	for _, l := range c.lines {
		text := ""
		if len(l) > 4 {
			text = l[4:]
		}
		m := enhancedCode.FindStringSubmatch(text)
		if m == nil {
			return w.failf(class+".x.y at the start of every line", l, "the line %q does not start with an enhanced status code (RFC 2034 section 4, RFC 3463 section 2)", l)
		}
		if m[1] != class {
			return w.failf(class+".x.y", l, "the enhanced status code's class %s differs from the reply code's %s (RFC 3463 section 2)", m[1], class)
		}
	}
	return nil
}

func serverCloses(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	got, err := c.s.ExpectClose()
	if err != nil {
		return w.failf("the server closes the connection", err.Error(), "the server did not close the connection: %v", err)
	}
	if got != nil {
		return w.failf("the server closes the connection", script.Display(string(w.proto), got), "the server sent more instead of closing")
	}
	delete(w.conns, w.cur)
	return nil
}

func noReplyWithin(ctx context.Context, ms int) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	d := clampSilence(time.Duration(ms) * time.Millisecond)
	got, err := c.s.ExpectSilence(d)
	if err != nil {
		return w.failf(fmt.Sprintf("no reply for %s", d), err.Error(), "%v", err)
	}
	if got != nil {
		// Read the whole reply for the record.
		if rc, rerr := w.readReply("no reply"); rerr == nil {
			return w.failf(fmt.Sprintf("no reply for %s", d), rc.text(), "the server replied within %s: %q", d, rc.text())
		}
		return w.failf(fmt.Sprintf("no reply for %s", d), script.Display(string(w.proto), got), "the server replied within %s", d)
	}
	return nil
}

func stillUsable(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	cmd, want := "NOOP", "250"
	switch c.s.Endpoint.Protocol {
	case transcripts.POP3:
		want = "+OK"
	case transcripts.IMAP:
		cmd, want = c.s.NextTag()+" NOOP", "OK"
	}
	if err := w.send(cmd); err != nil {
		return err
	}
	return replies(ctx, want)
}
