package steps

// Steps of the SMTP extension, submission, security and end-to-end suites
// (features/smtp/ext-*.feature, security-*.feature, e2e.feature): SIZE
// (RFC 1870), SASL AUTH (RFC 4954), STARTTLS plaintext injection (RFC 3207
// section 4.2), SMTP smuggling (RFC 5321 sections 2.3.8 and 4.1.1.4), and
// delivery read back over IMAP (RFC 5321 sections 4.4 and 6.1).

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Keys of the scenario state these steps keep in the world's variables.
// They contain a dot, so no ${name} reference can reach them.
const (
	// extDataState is what became of a mail data transfer that carried a
	// fake end of data: "open" (still in data), "refused" (the server
	// refused the content with 4xx/5xx) or "closed".
	extDataState = "ext.data-state"
	extFakeEnd   = "ext.fake-end"
	// extConnClosed marks a connection the server closed where closing is
	// a safe answer (the STARTTLS injection case).
	extConnClosed = "ext.closed"
	// extSubject and extMessage hold the end-to-end message sent.
	extSubject = "ext.subject"
	extMessage = "ext.message"
)

// Deadlines of the end-to-end read-back.
const (
	// deliveryWait bounds how long a delivered message may take to appear
	// in the mailbox.
	deliveryWait = 30 * time.Second
	// deliveryPoll is the pause between two searches of the mailbox.
	deliveryPoll = 300 * time.Millisecond
	// smuggledReplyWait is how long the smuggling check waits for a
	// reply to the smuggled commands after the content was refused.
	smuggledReplyWait = 500 * time.Millisecond
	// fakeEndWait is how long the smuggling check waits for a reply to
	// the fake end of data.
	fakeEndWait = 1500 * time.Millisecond
)

func init() {
	addSteps(
		Def{`^the server advertises a fixed maximum message size$`, `Given the server advertises a fixed maximum message size`,
			"not applicable unless the EHLO keyword SIZE carries a non-zero limit (RFC 1870 section 3); sets ${maxsize} and ${oversize} (the limit plus one)", advertisesSizeLimit},
		Def{`^the EHLO keyword ` + capRE + ` has parameters matching the regular expression ` + quotedRE + `$`, `Then the EHLO keyword SIZE has parameters matching the regular expression "^[0-9]*$"`,
			"the parameters of the keyword's line in the last EHLO reply (\"\" when it has none) match the Go regular expression", ehloParamsMatch},
		Def{`^the client authenticates with SASL ` + quotedRE + `$`, `When the client authenticates with SASL "SCRAM-SHA-256"`,
			"starts TLS where offered, then runs AUTH with the mechanism and the first account (RFC 4954 section 4); not applicable unless the mechanism is advertised; anything but 235 fails", authenticatesWith},
		Def{`^the server offers SASL ` + quotedRE + `$`, `Given the server offers SASL "CRAM-MD5"`,
			"not applicable unless the AUTH keyword lists the mechanism (the live session's EHLO reply once there is one, else pre-flight's)", offersSASL},
		Def{`^the server accepts ` + quotedRE + ` or the case is not applicable$`, `Given the server accepts "MAIL FROM:<>" or the case is not applicable`,
			"sends the line; a 2xx reply goes on, any other reply makes the case not applicable (a precondition the server's policy may refuse)", acceptsOrNA},
		Def{`^the server refuses ` + quotedRE + ` or the ` + quotedRE + ` that follows$`, `Then the server refuses "MAIL FROM:<${address}>" or the "RCPT TO:<mailspec@example.net>" that follows`,
			"sends the first line; a 4xx/5xx reply passes; after a 2xx sends the second line, which must then get 4xx/5xx", refusesEitherOf},
		Def{`^the reply text is BASE64$`, `Then the reply text is BASE64`,
			"the text of every line of the last SMTP reply is empty or BASE64 (RFC 4954 sections 4 and 8, continue-req)", replyTextIsBase64},
		Def{`^the client starts TLS on the connection$`, `And the client starts TLS on the connection`,
			"after a 220 to a STARTTLS sent by hand: the TLS handshake only (nothing sent after it); a server that closes instead is noted, not failed; not applicable when the last reply was not 220", startsTLSOnConnection},
		Def{`^no reply to the injected commands arrives within (\d+) ms$`, `Then no reply to the injected commands arrives within 1000 ms`,
			"nothing arrives for that long; a closed connection is a safe answer and passes (RFC 3207 section 4.2)", noInjectedReply},
		Def{`^the client sends mail data with the fake end ` + quotedRE + ` and a smuggled transaction$`, `When the client sends mail data with the fake end "\n.\n" and a smuggled transaction`,
			"in one write: a header and body line, the fake end of data (escapes as in raw), then MAIL FROM:<>, RCPT TO the account and DATA", sendsSmuggled},
		Def{`^the server does not end the mail data at the fake end$`, `Then the server does not end the mail data at the fake end`,
			"no reply for 1500 ms: a 2xx/3xx reply means the data ended early and the smuggled commands ran (fail); a 4xx/5xx refusal or a close is safe", notEndedEarly},
		Def{`^the real end of the mail data is answered$`, `And the real end of the mail data is answered`,
			"sends <CRLF>.<CRLF> unless the content was already refused or the connection closed; any reply (2xx, or a 4xx/5xx refusal) passes", realEndAnswered},
		Def{`^the client sends an? (?:(8-bit|chunked) )?message with a unique subject to the account$`, `When the client sends a message with a unique subject to the account`,
			"MAIL FROM and RCPT TO the first account, then DATA (BODY=8BITMIME for 8-bit, BDAT LAST for chunked) with a message whose Subject is unique; each reply must be positive", sendsUniqueMessage},
		Def{`^the message arrives in the account's mailbox intact$`, `Then the message arrives in the account's mailbox intact`,
			"logs in over IMAP (STARTTLS where offered) as the first account and polls INBOX up to 30 s for the Subject; the stored message must end with the message as sent (header fields and body), only header fields added above it; the message is deleted afterwards", arrivesIntact},
	)
}

// ---- SIZE (RFC 1870) ----

func advertisesSizeLimit(ctx context.Context) error {
	w := worldOf(ctx)
	for _, c := range w.caps() {
		word, rest, _ := strings.Cut(c, " ")
		if !strings.EqualFold(word, "SIZE") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
		if err != nil || n <= 0 || n == 1<<63-1 {
			return w.notApplicable("the server advertises SIZE without a fixed limit (%q)", c)
		}
		w.vars["maxsize"] = strconv.FormatInt(n, 10)
		w.vars["oversize"] = strconv.FormatInt(n+1, 10)
		return nil
	}
	return w.notApplicable("the server does not advertise SIZE")
}

func ehloParamsMatch(ctx context.Context, keyword, expr string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	re, err := regexp.Compile(unquote(expr))
	if err != nil {
		return w.harnessf("bad regular expression: %v", err)
	}
	caps := c.s.Caps()
	if c.code == 250 && strings.EqualFold(strings.SplitN(c.lastCmd, " ", 2)[0], "EHLO") {
		// The last reply is an EHLO reply the scenario asked for itself.
		caps = nil
		for i, l := range c.lines {
			if i > 0 && len(l) > 4 {
				caps = append(caps, strings.TrimRight(l[4:], "\r\n"))
			}
		}
	}
	if len(caps) == 0 && c.code == 0 {
		return w.harnessf("the session has no EHLO reply yet: begin with \"an SMTP session\"")
	}
	for _, line := range caps {
		word, params, _ := strings.Cut(line, " ")
		if !strings.EqualFold(word, keyword) {
			continue
		}
		if !re.MatchString(params) {
			return w.failf(unquote(expr), line, "the parameters of the EHLO keyword %s do not match %s: %q", keyword, unquote(expr), line)
		}
		return nil
	}
	return w.failf(keyword+" in the EHLO reply", strings.Join(caps, " | "), "the EHLO reply has no %s keyword", keyword)
}

// ---- AUTH (RFC 4954) ----

func authenticatesWith(ctx context.Context, mech string) error {
	w := worldOf(ctx)
	mech = strings.ToUpper(unquote(mech))
	c, err := w.current()
	if err != nil {
		return err
	}
	if !c.s.IsTLS() && c.s.HasCap("STARTTLS") {
		if err := tlsStarted(ctx); err != nil {
			return err
		}
	}
	offered := false
	for _, m := range c.s.Mechanisms() {
		offered = offered || strings.EqualFold(m, mech)
	}
	if !offered {
		return w.notApplicable("the server does not advertise AUTH %s on %s (AUTH %s)", mech, c.s.Endpoint.URL, strings.Join(c.s.Mechanisms(), " "))
	}
	if len(w.env.Profile.Accounts) == 0 {
		return w.notApplicable("the profile has no account")
	}
	return w.saslWithFirstAccount(c, mech, "235", `RFC 4954 section 4: "Should the client successfully complete the exchange, the SMTP server issues a 235 reply."`)
}

// saslWithFirstAccount runs the SASL mechanism with the profile's first
// account on c and judges the outcome: success is the server's positive
// completion (SMTP 235, POP3 +OK), rule the RFC text that requires it.
func (w *world) saslWithFirstAccount(c *conn, mech, success, rule string) error {
	a := w.env.Profile.Accounts[0]
	err := c.s.Authenticate(w.ctx, mech, transcripts.LoginCredentials{N: 1, User: a.User, Password: a.Password})
	if err == nil {
		return nil
	}
	var re *transcripts.ReplyError
	var ve *transcripts.ViolationError
	switch {
	case errors.As(err, &re):
		return w.failf(success, re.Reply, "AUTH %s with the profile's credentials ended in %q, not %s (%s)", mech, re.Reply, success, rule)
	case errors.As(err, &ve):
		w.violations = append(w.violations, ve.Violations...)
		return w.failf("a well-formed AUTH exchange", err.Error(), "AUTH %s: %v", mech, err)
	case errors.Is(err, transcripts.ErrTimeout), errors.Is(err, transcripts.ErrClosed), errors.Is(err, wire.ErrLimit):
		return w.readFailed(success, err)
	}
	// What is left is the mechanism's own verdict on the server's
	// messages: a challenge that is not BASE64, a wrong SCRAM server
	// signature, a foreign nonce.
	return w.failf("a valid SASL exchange", err.Error(), "AUTH %s: the server's side of the exchange is wrong: %v", mech, err)
}

// base64Text is RFC 4954 section 8's base64, or nothing (a "334 " reply).
var base64Text = regexp.MustCompile(`^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`)

func replyTextIsBase64(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	if c.code == 0 {
		return w.harnessf("the last reply is not an SMTP reply")
	}
	for _, l := range c.lines {
		text := ""
		if len(l) > 4 {
			text = l[4:]
		}
		if !base64Text.MatchString(text) {
			return w.failf("BASE64 text", l, "the text of %q is not BASE64 (RFC 4954 section 4: the challenge \"MUST NOT contain any text other than the BASE64 encoded challenge\")", l)
		}
	}
	return nil
}

// ---- preconditions and refusals ----

func acceptsOrNA(ctx context.Context, line string) error {
	w := worldOf(ctx)
	if err := w.send(unquote(line)); err != nil {
		return err
	}
	c, err := w.readReply("2xx")
	if err != nil {
		return err
	}
	if !statusMatches(c, "2xx") {
		return w.notApplicable("the server refused %q with %q; the case needs it accepted", c.lastCmd, c.text())
	}
	return nil
}

func refusesEitherOf(ctx context.Context, first, second string) error {
	w := worldOf(ctx)
	if err := w.send(unquote(first)); err != nil {
		return err
	}
	c, err := w.readReply("4xx or 5xx")
	if err != nil {
		return err
	}
	if c.code >= 400 {
		return nil
	}
	firstCmd, firstReply := c.lastCmd, c.text()
	if err := w.send(unquote(second)); err != nil {
		return err
	}
	if c, err = w.readReply("4xx or 5xx"); err != nil {
		return err
	}
	if c.code >= 400 {
		return nil
	}
	return w.failf("4xx or 5xx to one of them", firstReply+" / "+c.text(), "the server accepted %q (%q) and then %q (%q)", firstCmd, firstReply, c.lastCmd, c.text())
}

// ---- STARTTLS plaintext injection (RFC 3207 section 4.2) ----

// isClosedErr reports whether err says the peer closed or reset the
// connection.
func isClosedErr(err error) bool {
	return errors.Is(err, transcripts.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

func startsTLSOnConnection(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if c.code != 220 {
		return w.notApplicable("the server answered STARTTLS with %q, not 220 (RFC 3207 section 4 allows 454 and 501)", c.text())
	}
	return w.tlsAfterGoAhead(c, "220 to STARTTLS", `RFC 3207 section 4: 220 means "Ready to start TLS"`)
}

// tlsAfterGoAhead starts TLS on c after the server's go-ahead (goAhead
// names it, rule cites the RFC that says the handshake follows it). A
// server that closes instead is safe: nothing can be injected into a
// session that ends, and noInjectedReply then passes.
func (w *world) tlsAfterGoAhead(c *conn, goAhead, rule string) error {
	err := c.s.StartTLS(w.ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, transcripts.ErrDataBeforeTLS):
		return w.failf("nothing between the "+goAhead+" and the TLS handshake", err.Error(),
			"the server sent more after its %s instead of starting TLS (%s)", goAhead, rule)
	case isClosedErr(err):
		w.vars[extConnClosed+"."+w.cur] = "yes"
		return nil
	}
	return w.failf("a TLS handshake after "+goAhead, err.Error(), "the TLS handshake after %s failed (%s): %v", goAhead, rule, err)
}

// injectedReply waits ms for silence after a handshake that followed
// plaintext pipelined with STARTTLS or STLS, and returns what arrived
// instead: nil when nothing did, or the server closed the connection (or
// had closed it instead of starting TLS).
func (w *world) injectedReply(c *conn, ms int) ([]byte, time.Duration, error) {
	d := clampSilence(time.Duration(ms) * time.Millisecond)
	if w.vars[extConnClosed+"."+w.cur] == "yes" {
		return nil, d, nil
	}
	got, err := c.s.ExpectSilence(d)
	switch {
	case err != nil && isClosedErr(err):
		return nil, d, nil
	case err != nil:
		return nil, d, w.harnessf("waiting for silence: %v", err)
	}
	return got, d, nil
}

func noInjectedReply(ctx context.Context, ms int) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	got, d, err := w.injectedReply(c, ms)
	if err != nil || got == nil {
		return err
	}
	reason := "the server answered, inside TLS, commands the client sent in plaintext before the handshake (RFC 3207 section 4.2: the server \"MUST discard any knowledge obtained from the client ... which was not obtained from the TLS negotiation itself\"; the CVE-2011-0411 class)"
	if rc, rerr := w.readReply("no reply"); rerr == nil {
		return w.failf(fmt.Sprintf("no reply for %s", d), rc.text(), "%s: %q", reason, rc.text())
	}
	return w.failf(fmt.Sprintf("no reply for %s", d), script.Display("smtp", got), "%s", reason)
}

// ---- SMTP smuggling (RFC 5321 sections 2.3.8 and 4.1.1.4) ----

func sendsSmuggled(ctx context.Context, fake string) error {
	w := worldOf(ctx)
	if err := hasAddress(ctx); err != nil {
		return err
	}
	end, err := script.Unescape(unquote(fake))
	if err != nil {
		return w.harnessf("%v", err)
	}
	var b bytes.Buffer
	// X-Mailspec-Run marks the probe as the run's, for mailspec clean.
	b.WriteString("Subject: mailspec smuggling probe " + w.vars["runid"] + "\r\nX-Mailspec-Run: " + w.vars["runid"] + "\r\n\r\n")
	b.WriteString("This message checks that the server ends mail data only at <CRLF>.<CRLF>.")
	b.Write(end)
	b.WriteString("MAIL FROM:<>\r\nRCPT TO:<" + w.env.Profile.Accounts[0].Address + ">\r\nDATA\r\n")
	w.vars[extFakeEnd] = script.Escape(end)
	w.vars[extDataState] = "open"
	return w.sendRaw(b.Bytes())
}

func notEndedEarly(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	got, err := c.s.ExpectSilence(fakeEndWait)
	switch {
	case err != nil && isClosedErr(err):
		w.vars[extDataState] = "closed"
		return nil
	case err != nil:
		return w.harnessf("waiting for silence: %v", err)
	case got == nil:
		return nil
	}
	rc, err := w.readSMTPQuiet()
	if err != nil {
		if isClosedErr(err) {
			w.vars[extDataState] = "closed" // a close is a safe answer
			return nil
		}
		return w.readFailed("no reply before the real end of data", err)
	}
	fake := w.vars[extFakeEnd]
	if rc.code >= 400 {
		// The server refused the content: safe, unless it then runs the
		// smuggled commands that followed the fake end.
		w.vars[extDataState] = "refused"
		more, err := c.s.ExpectSilence(smuggledReplyWait)
		if err != nil || more == nil {
			if err != nil && isClosedErr(err) {
				w.vars[extDataState] = "closed"
			}
			return nil
		}
		next, err := w.readSMTPQuiet()
		if err != nil {
			if isClosedErr(err) {
				w.vars[extDataState] = "closed"
				return nil
			}
			return w.readFailed("no reply to the smuggled commands", err)
		}
		if next.code >= 200 && next.code < 400 {
			return w.failf("no reply to the smuggled commands", next.text(),
				"after refusing the content at \"%s\" the server ran the smuggled MAIL command and answered %q (RFC 5321 section 4.1.1.4: only <CRLF>.<CRLF> ends the mail data)", fake, next.text())
		}
		return nil
	}
	return w.failf("no reply before the real <CRLF>.<CRLF>", rc.text(),
		"the server took \"%s\" for the end of the mail data and answered %q: the commands after it are smuggled into the session (RFC 5321 sections 2.3.8 and 4.1.1.4: only <CRLF>.<CRLF> ends the mail data; CVE-2023-51764 class)", fake, rc.text())
}

func realEndAnswered(ctx context.Context) error {
	w := worldOf(ctx)
	switch w.vars[extDataState] {
	case "closed", "refused":
		return nil
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	if err := c.s.SendRaw([]byte("\r\n.\r\n")); err != nil {
		if isClosedErr(err) {
			return nil // closing on content with bare CR or LF is a safe refusal
		}
		return w.sendFailed(err)
	}
	c, err = w.readSMTPQuiet()
	if err != nil {
		if isClosedErr(err) {
			return nil
		}
		return w.readFailed("a reply to <CRLF>.<CRLF>", err)
	}
	if c.code >= 200 && c.code < 300 || c.code >= 400 {
		return nil
	}
	return w.failf("2xx, or 4xx/5xx refusing the content", c.text(), "unexpected reply to the end of mail data: %q (RFC 5321 section 4.1.1.4)", c.text())
}

// readSMTPQuiet reads the next SMTP reply on the current connection and
// keeps it as the last reply, like readReply, but leaves the verdict on a
// read error (a close may be a safe answer) to the caller.
func (w *world) readSMTPQuiet() (*conn, error) {
	c, err := w.current()
	if err != nil {
		return nil, err
	}
	c.lines, c.status, c.code = nil, "", 0
	rep, err := c.s.ReadSMTP()
	if err != nil {
		return c, err
	}
	w.violations = append(w.violations, rep.Violations...)
	c.code = rep.Code
	c.status = strconv.Itoa(rep.Code)
	c.lines = displayLines("smtp", rep.Raw)
	return c, nil
}

// ---- end to end (RFC 5321 sections 4.4 and 6.1) ----

func randomToken() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return strconv.FormatInt(time.Now().UnixNano(), 16)
	}
	return hex.EncodeToString(b[:])
}

// e2eMessage builds the message the end-to-end steps send: RFC 5322
// header fields, a blank line and a body that exercises transparency
// (lines starting with a period), trailing white space and, for 8-bit,
// UTF-8 text. Lines end in CRLF; the last line too.
func e2eMessage(kind, addr, subject, token string, date time.Time) []byte {
	var b bytes.Buffer
	domain := "mailspec.test"
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		domain = d
	}
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "From: <%s>\r\n", addr)
	fmt.Fprintf(&b, "To: <%s>\r\n", addr)
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", token, domain)
	b.WriteString("MIME-Version: 1.0\r\n")
	if kind == "8-bit" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
		b.WriteString("Content-Transfer-Encoding: 8bit\r\n")
	} else {
		b.WriteString("Content-Type: text/plain; charset=us-ascii\r\n")
	}
	b.WriteString("X-Mailspec-Probe: end-to-end delivery check,\r\n\tfolded over two lines\r\n")
	b.WriteString("\r\n")
	b.WriteString("This message was sent by mailspec to check end-to-end delivery.\r\n")
	b.WriteString(".A line that starts with a period (dot-stuffed on the wire).\r\n")
	b.WriteString("..Two periods.\r\n")
	b.WriteString("Trailing white space stays.  \r\n")
	b.WriteString("\tA tab, then an empty line.\r\n\r\n")
	if kind == "8-bit" {
		b.WriteString("Gr\u00fc\u00dfe, \u00e7a va? \u65e5\u672c\u8a9e \u2713\r\n")
	}
	b.WriteString("Last line.\r\n")
	return b.Bytes()
}

// dotStuff applies RFC 5321 section 4.5.2 to a message whose lines end in
// CRLF and appends the end of data.
func dotStuff(msg []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(msg, []byte("\r\n")) {
		if len(line) > 0 && line[0] == '.' {
			b.WriteByte('.')
		}
		b.Write(line)
	}
	b.WriteString(".\r\n")
	return b.Bytes()
}

func (w *world) expectPositive(what, want string) error {
	c, err := w.readReply(want)
	if err != nil {
		return err
	}
	if !statusMatches(c, want) {
		return w.failf(want, c.text(), "the server refused the message to the account's own address at %s: %q (RFC 5321 section 6.1: accepted mail \"MUST NOT\" be lost; a refusal here means the account cannot receive mail)", what, c.text())
	}
	return nil
}

func sendsUniqueMessage(ctx context.Context, kind string) error {
	w := worldOf(ctx)
	if err := hasAddress(ctx); err != nil {
		return err
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	param := ""
	switch kind {
	case "8-bit":
		if !c.s.HasCap("8BITMIME") {
			return w.notApplicable("the server does not advertise 8BITMIME")
		}
		param = " BODY=8BITMIME"
	case "chunked":
		if !c.s.HasCap("CHUNKING") {
			return w.notApplicable("the server does not advertise CHUNKING")
		}
	}
	addr := w.env.Profile.Accounts[0].Address
	token := randomToken()
	subject := "mailspec e2e " + token
	msg := e2eMessage(kind, addr, subject, token, time.Now())
	if err := w.send("MAIL FROM:<" + addr + ">" + param); err != nil {
		return err
	}
	if err := w.expectPositive("MAIL", "250"); err != nil {
		return err
	}
	if err := w.send("RCPT TO:<" + addr + ">"); err != nil {
		return err
	}
	if err := w.expectPositive("RCPT", "25x"); err != nil {
		return err
	}
	if kind == "chunked" {
		if err := w.sendRaw(append([]byte(fmt.Sprintf("BDAT %d LAST\r\n", len(msg))), msg...)); err != nil {
			return err
		}
	} else {
		if err := w.send("DATA"); err != nil {
			return err
		}
		if err := w.expectPositive("DATA", "354"); err != nil {
			return err
		}
		if err := w.sendRaw(dotStuff(msg)); err != nil {
			return err
		}
	}
	if err := w.expectPositive("the end of the message", "250"); err != nil {
		return err
	}
	w.vars[extSubject] = token
	w.vars[extMessage] = string(msg)
	return nil
}

// mailboxSession opens an IMAP session as the first account, with TLS
// where the endpoint offers it, and selects INBOX.
func (w *world) mailboxSession() (*transcripts.Session, error) {
	ep, ok := w.env.Profile.Endpoint("imaps")
	if !ok {
		if ep, ok = w.env.Profile.Endpoint("imap"); !ok {
			return nil, w.notApplicable("the profile has no IMAP endpoint to read the delivered message back")
		}
	}
	opts := w.opts
	cfg, err := w.env.Profile.TLSConfig(ep)
	if err != nil {
		return nil, w.harnessf("%v", err)
	}
	opts.TLS = cfg
	s, err := transcripts.Dial(w.ctx, ep, opts)
	if err != nil {
		return nil, w.harnessf("connect to %s to read the mailbox: %v", ep.URL, err)
	}
	w.conns["mailbox"] = &conn{s: s}
	what := "IMAP login as the first account to read the delivered message"
	if _, err := s.IMAPGreeting(); err != nil {
		return nil, w.preambleFailed(what, err)
	}
	if _, err := s.IMAPCapability(); err != nil {
		return nil, w.preambleFailed(what, err)
	}
	if err := s.UpgradeIfOffered(w.ctx); err != nil {
		return nil, w.preambleFailed(what, err)
	}
	a := w.env.Profile.Accounts[0]
	if err := s.Login(w.ctx, transcripts.LoginCredentials{N: 1, User: a.User, Password: a.Password}); err != nil {
		return nil, w.preambleFailed(what, err)
	}
	_, tagged, err := s.IMAPCommand("SELECT INBOX")
	if err != nil {
		return nil, w.preambleFailed(what, err)
	}
	if tagged.Status != "OK" {
		return nil, w.failf("OK to SELECT INBOX", strings.TrimSpace(string(tagged.Raw)), "the account's INBOX cannot be selected")
	}
	return s, nil
}

// searchUIDs returns the UIDs of an IMAP SEARCH or ESEARCH answer (RFC
// 9051 sections 7.3.4 and 7.3.5, RFC 3501 section 7.2.5).
func searchUIDs(untagged []wire.IMAPResponse) []string {
	var out []string
	for _, u := range untagged {
		switch u.Keyword {
		case "SEARCH":
			for _, f := range u.Fields {
				if f.Kind == wire.Number {
					out = append(out, strconv.FormatUint(f.Num, 10))
				}
			}
		case "ESEARCH":
			for i, f := range u.Fields {
				if strings.EqualFold(f.Str, "ALL") && i+1 < len(u.Fields) {
					set := u.Fields[i+1].Str
					if set == "" && u.Fields[i+1].Kind == wire.Number {
						set = strconv.FormatUint(u.Fields[i+1].Num, 10)
					}
					for _, part := range strings.Split(set, ",") {
						lo, hi, _ := strings.Cut(part, ":")
						if hi == "" {
							out = append(out, lo)
							continue
						}
						a, e1 := strconv.ParseUint(lo, 10, 32)
						b, e2 := strconv.ParseUint(hi, 10, 32)
						for n := a; e1 == nil && e2 == nil && n <= b && n-a < 1000; n++ {
							out = append(out, strconv.FormatUint(n, 10))
						}
					}
				}
			}
		}
	}
	return out
}

func arrivesIntact(ctx context.Context) error {
	w := worldOf(ctx)
	token, sent := w.vars[extSubject], w.vars[extMessage]
	if token == "" {
		return w.harnessf("no message was sent: use \"the client sends a message with a unique subject to the account\" first")
	}
	s, err := w.mailboxSession()
	if err != nil {
		return err
	}
	err = w.readBack(s, token, []byte(sent))
	if _, _, lerr := s.IMAPCommand("LOGOUT"); lerr == nil {
		transcripts.WaitClosed(s)
	}
	s.Close()
	delete(w.conns, "mailbox")
	return err
}

func (w *world) readBack(s *transcripts.Session, token string, sent []byte) error {
	deadline := time.Now().Add(deliveryWait)
	var uids []string
	for {
		untagged, tagged, err := s.IMAPCommand(`UID SEARCH HEADER Subject "` + token + `"`)
		if err != nil {
			return w.readFailed("a SEARCH result", err)
		}
		if tagged.Status != "OK" {
			return w.failf("OK to UID SEARCH", strings.TrimSpace(string(tagged.Raw)), "the mailbox cannot be searched for the delivered message (RFC 9051 section 6.4.4)")
		}
		if uids = searchUIDs(untagged); len(uids) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return w.failf("the message in INBOX within "+deliveryWait.String(), "no message with Subject \"mailspec e2e "+token+"\"",
				"the message accepted with 250 did not arrive in the account's INBOX within %s (RFC 5321 section 6.1: the receiver \"MUST NOT lose the message for frivolous reasons\")", deliveryWait)
		}
		select {
		case <-w.ctx.Done():
			return w.harnessf("interrupted while waiting for delivery: %v", w.ctx.Err())
		case <-time.After(deliveryPoll):
		}
	}
	uid := uids[len(uids)-1]
	untagged, tagged, err := s.IMAPCommand("UID FETCH " + uid + " (BODY.PEEK[])")
	if err != nil {
		return w.readFailed("the delivered message", err)
	}
	if tagged.Status != "OK" {
		return w.failf("OK to UID FETCH", strings.TrimSpace(string(tagged.Raw)), "the delivered message cannot be fetched")
	}
	var stored []byte
	for _, u := range untagged {
		if u.Keyword == "FETCH" && len(u.Literals) > 0 {
			stored = u.Literals[len(u.Literals)-1]
		}
	}
	verdict := compareDelivered(sent, stored)
	w.deleteDelivered(s, uid)
	if verdict != nil {
		return w.failf("the message as sent, with only header fields added above it", verdict.Error(),
			"the delivered message is not the one sent: %v (RFC 5321 section 4.4: a server inserts trace fields \"at the beginning of the message content\"; section 4.5.2: storage transformations \"MUST be reversible\")", verdict)
	}
	return nil
}

// deleteDelivered removes the message this scenario delivered (and only
// it): UID EXPUNGE where UIDPLUS or IMAP4rev2 provides it, else it stays.
func (w *world) deleteDelivered(s *transcripts.Session, uid string) {
	if !s.HasCap("UIDPLUS") && !s.HasCap("IMAP4rev2") {
		return
	}
	if _, tagged, err := s.IMAPCommand("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)"); err != nil || tagged.Status != "OK" {
		return
	}
	s.IMAPCommand("UID EXPUNGE " + uid)
}

// compareDelivered checks a stored message against the one sent: the
// stored bytes must end with the sent message exactly (its header fields,
// blank line and body), and whatever precedes it must be header fields
// (trace fields and others a server adds at the top, RFC 5321 section
// 4.4). It returns nil or what differs.
func compareDelivered(sent, stored []byte) error {
	if stored == nil {
		return errors.New("steps: the FETCH answer carried no message")
	}
	if bytes.HasSuffix(stored, sent) {
		added := stored[:len(stored)-len(sent)]
		for i, line := range bytes.SplitAfter(added, []byte("\r\n")) {
			if len(line) == 0 {
				continue
			}
			if !bytes.HasSuffix(line, []byte("\r\n")) || !isHeaderLine(line, i == 0) {
				return fmt.Errorf("steps: the server added %q above the message, which is not a header field", line)
			}
		}
		return nil
	}
	sentHead, sentBody, _ := bytes.Cut(sent, []byte("\r\n\r\n"))
	storedHead, storedBody, ok := bytes.Cut(stored, []byte("\r\n\r\n"))
	if !ok {
		return errors.New("steps: the stored message has no blank line after its header section")
	}
	if !bytes.Equal(sentBody, storedBody) {
		return fmt.Errorf("steps: the body differs: %s", firstDifference(sentBody, storedBody))
	}
	if !bytes.HasSuffix(storedHead, sentHead) {
		for _, f := range headerFields(sentHead) {
			if !bytes.Contains(storedHead, f) {
				return fmt.Errorf("steps: the header field %q is missing or changed", f)
			}
		}
		return errors.New("steps: the header fields sent are not the last ones of the stored header section, in order")
	}
	return errors.New("steps: the stored message differs from the one sent")
}

// isHeaderLine reports whether a line can belong to a header section: a
// field name and colon, or (not first) a folded continuation.
func isHeaderLine(line []byte, first bool) bool {
	if line[0] == ' ' || line[0] == '\t' {
		return !first
	}
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c >= 127 {
			return false
		}
	}
	return true
}

// headerFields splits a header section (without its final CRLF) into
// fields, folded lines kept with their field.
func headerFields(head []byte) [][]byte {
	var out [][]byte
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		if len(out) > 0 && len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			out[len(out)-1] = append(append(out[len(out)-1], "\r\n"...), line...)
			continue
		}
		out = append(out, append([]byte(nil), line...))
	}
	return out
}

// firstDifference describes the first line where two bodies differ.
func firstDifference(want, got []byte) string {
	wl := bytes.Split(want, []byte("\r\n"))
	gl := bytes.Split(got, []byte("\r\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var a, b []byte
		if i < len(wl) {
			a = wl[i]
		}
		if i < len(gl) {
			b = gl[i]
		}
		if !bytes.Equal(a, b) || (i >= len(wl)) != (i >= len(gl)) {
			return fmt.Sprintf("line %d: sent %q, stored %q", i+1, a, b)
		}
	}
	return "same lines, different bytes"
}

func offersSASL(ctx context.Context, mech string) error {
	w := worldOf(ctx)
	mech = unquote(mech)
	var mechs []string
	if c, ok := w.conns[w.cur]; ok && len(c.s.Caps()) > 0 {
		mechs = c.s.Mechanisms()
	} else {
		for _, c := range w.caps() {
			if word, rest, _ := strings.Cut(c, " "); strings.EqualFold(word, "AUTH") {
				mechs = append(mechs, strings.Fields(rest)...)
			}
		}
	}
	for _, m := range mechs {
		if strings.EqualFold(m, mech) {
			return nil
		}
	}
	return w.notApplicable("the server does not advertise AUTH %s (AUTH %s)", mech, strings.Join(mechs, " "))
}
