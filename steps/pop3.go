package steps

// Steps of the POP3 suite (features/pop3/): sessions and logins (RFC 1939
// sections 4 and 7, RFC 2595, RFC 5034), test messages delivered by IMAP
// APPEND and found again in the maildrop, the grammar of drop, scan and
// unique-id listings (RFC 1939 sections 5 and 7), retrieved messages
// compared with the delivered ones after un-stuffing (RFC 1939 section 3),
// capabilities (RFC 2449), pipelining (RFC 2449 section 6.6), APOP, the
// STLS plaintext injection (RFC 2595 section 4) and LANG (RFC 6856).

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Keys of the scenario state these steps keep in the world's variables.
// They contain a dot, so no ${name} reference can reach them.
const (
	pop3Count     = "pop3.count"    // how many test messages were delivered
	pop3Cleanup   = "pop3.cleanup"  // "1" once the clean-up is registered
	pop3Greeting  = "pop3.greeting" // the text of the last greeting
	pop3Stat      = "pop3.stat"     // the noted drop listing: "count octets"
	pop3Caps      = "pop3.caps"     // the noted capabilities, one per line
	pop3Lang      = "pop3.lang"     // the language tag selected last
	pop3PipeCount = "pop3.pipe.n"   // how many commands were pipelined
	// pop3LastListed is the message number of the last scan listing
	// checked.
	pop3LastListed = "pop3.lastlisted"
)

// pop3Msg names a key of test message k ("id", "data", "gone", "size").
func pop3Msg(k int, what string) string { return "pop3.msg." + strconv.Itoa(k) + "." + what }

// pop3Listed names the key of the size a scan listing gave for message n.
func pop3Listed(n int) string { return "pop3.listed." + strconv.Itoa(n) }

// Bounds of the POP3 steps.
const (
	// pop3LockWait bounds how long a login retries while the maildrop is
	// still locked by a session that just ended (RFC 1939 section 4
	// allows the refusal; the server notices a dropped connection on its
	// own time).
	pop3LockWait = 5 * time.Second
	// pop3MaxLine is RFC 1939 section 3's limit on a response line,
	// CRLF included, and RFC 2449 section 5's on a capability line.
	pop3MaxLine = 512
	// pop3ScanBack bounds how many messages, from the last one down, are
	// examined for a test message whose size differs from the delivered
	// one (a server may add header fields).
	pop3ScanBack = 50
)

func init() {
	addSteps(
		Def{Expr: `^a POP3 session$`, Example: `Given a POP3 session`,
			Doc: "connects (connection \"1\"), expects the +OK greeting (RFC 1939 section 4) and learns the capabilities with CAPA; no TLS, no login", fn: pop3SessionStep},
		Def{Expr: `^an authenticated POP3 session$`, Example: `Given an authenticated POP3 session`,
			Doc: "a POP3 session, STLS where offered, login with the first account (USER/PASS, else AUTH PLAIN; a maildrop still locked by a session that just ended is retried for 5 s), then STAT; sets ${nomsg} to a message number that does not exist", fn: pop3AuthenticatedStep},
		Def{Expr: `^an authenticated POP3 session with the test messages located$`, Example: `Given an authenticated POP3 session with the test messages located`,
			Doc: "an authenticated POP3 session, then the test messages are located", fn: pop3AuthenticatedLocated},
		Def{Expr: `^the test messages are located$`, Example: `And the test messages are located`,
			Doc: "finds each delivered test message (not known to be gone) in the maildrop by its Message-ID (LIST, then TOP n 1 where TOP is advertised, else RETR) and sets ${msg1}, ${msg2}, ... to their message numbers", fn: pop3LocatedStep},
		Def{Expr: `^the maildrop holds the test messages? ("[a-z0-9-]+"(?:, "[a-z0-9-]+")*)( with bare LF line ends)?$`, Example: `Given the maildrop holds the test messages "plain", "pop3-dots"`,
			Doc: "not applicable without a disposable first account and an IMAP endpoint: APPENDs each features/messages/NAME.eml to its INBOX (with X-Mailspec-Run and a unique Message-ID; bare LF line ends if asked) as test message 1, 2, ...; after the scenario exactly those messages are removed again", fn: pop3Holds},
		Def{Expr: `^test message (\d+) is (still|no longer) in the maildrop$`, Example: `Then test message 1 is still in the maildrop`,
			Doc: "in the current authenticated session, the test message is (or is not) among the messages (found by its Message-ID); the first form sets ${msgN} again", fn: pop3StillThere},
		Def{Expr: `^the reply is a drop listing$`, Example: `And the reply is a drop listing`,
			Doc: "the last reply is \"+OK\" SP count SP octets, with single spaces, anything after a further space (RFC 1939 section 5, STAT)", fn: pop3DropListing},
		Def{Expr: `^the reply is a (scan|unique-id) listing for message ` + quotedRE + `$`, Example: `And the reply is a scan listing for message "${msg1}"`,
			Doc: "the last reply is \"+OK\" SP that message number SP its size (RFC 1939 section 5, LIST msg) or unique-id of 1 to 70 characters of 0x21-0x7E and nothing after it (section 7, UIDL msg)", fn: pop3SingleListing},
		Def{Expr: `^every line of the listing is a (scan|unique-id|language) listing$`, Example: `And every line of the listing is a scan listing`,
			Doc: "every body line of the last multi-line reply is a scan listing (LIST) or unique-id listing (UIDL), with message numbers and unique-ids used once, or a language tag and its description (RFC 6856 LANG)", fn: pop3MultiListing},
		Def{Expr: `^the reply is test message (\d+)$`, Example: `And the reply is test message 1`,
			Doc: "the last reply (RETR), un-stuffed, is the delivered test message octet for octet with CRLF line ends; a server may only have added header fields at the top (RFC 1939 section 5)", fn: pop3IsMessage},
		Def{Expr: `^the reply is the header and the first (\d+) body lines of test message (\d+)$`, Example: `And the reply is the header and the first 3 body lines of test message 1`,
			Doc: "the last reply (TOP), un-stuffed, is the test message's header, the blank line and that many body lines, or the whole message when it has fewer (RFC 1939 section 7)", fn: pop3IsTop},
		Def{Expr: `^the scan listing gave the exact size of the retrieved message$`, Example: `And the scan listing gave the exact size of the retrieved message`,
			Doc: "the size the last scan listing checked gave equals the octets of that message as retrieved and compared, counted with CRLF line ends and without the byte-stuffing (RFC 1939 sections 5 and 11)", fn: pop3SizeMatches},
		Def{Expr: `^STAT agrees with LIST$`, Example: `Then STAT agrees with LIST`,
			Doc: "sends STAT and LIST: the drop listing counts the messages LIST lists and the sum of their sizes (RFC 1939 section 5)", fn: pop3StatAgrees},
		Def{Expr: `^the drop listing is noted$`, Example: `And the drop listing is noted`,
			Doc: "sends STAT and keeps its count and octets", fn: pop3NoteStat},
		Def{Expr: `^STAT gives the noted drop listing( less test message (\d+))?$`, Example: `Then STAT gives the noted drop listing less test message 1`,
			Doc: "sends STAT: the count and octets are those noted, or one message and that message's listed size fewer (RFC 1939 section 5: deleted messages are not counted)", fn: pop3StatAgain},
		Def{Expr: `^the client pipelines ("[^"]*"(?:, "[^"]*")*)$`, Example: `When the client pipelines "STAT", "XMAILSPEC", "NOOP"`,
			Doc: "sends the command lines (${vars} expanded) in one write, without waiting for replies (RFC 2449 section 6.6)", fn: pop3Pipelines},
		Def{Expr: `^the pipelined commands are answered ((?:\+OK|-ERR)(?:, (?:\+OK|-ERR))*) in order$`, Example: `Then the pipelined commands are answered +OK, -ERR, +OK in order`,
			Doc: "reads one response per pipelined command (multi-line where the command's is) and checks their status indicators in order", fn: pop3PipelinedAnswers},
		Def{Expr: `^every line of the reply is a capability$`, Example: `And every line of the reply is a capability`,
			Doc: "every body line of the last CAPA reply is capa-tag *(SP param) of RFC 2449 section 9, within 512 octets", fn: pop3CapabilityLines},
		Def{Expr: `^the capabilities are noted$`, Example: `And the capabilities are noted`,
			Doc: "keeps the capabilities the live session learnt last (CAPA)", fn: pop3NoteCaps},
		Def{Expr: `^CAPA announces the noted capabilities among ([A-Z0-9-]+(?:, [A-Z0-9-]+)*)$`, Example: `Then CAPA announces the noted capabilities among TOP, UIDL`,
			Doc: "sends CAPA: each of these capability names that was noted is announced again (RFC 2449 section 5)", fn: pop3CapsAgain},
		Def{Expr: `^the known capabilities carry the arguments RFC 2449 gives them$`, Example: `And the known capabilities carry the arguments RFC 2449 gives them`,
			Doc: "in the last CAPA reply, TOP, USER, RESP-CODES, PIPELINING, UIDL, STLS and AUTH-RESP-CODE have no argument, LOGIN-DELAY a number and EXPIRE a number or NEVER (each optionally USER), SASL one or more mechanism names (RFC 2449 section 6, RFC 2595, RFC 3206, RFC 4422)", fn: pop3CapArguments},
		Def{Expr: `^every line of the reply is at most (\d+) octets$`, Example: `And every line of the reply is at most 512 octets`,
			Doc: "every line of the last reply as received, its line end included, is at most that long", fn: pop3LineLengths},
		Def{Expr: `^any bracketed text at the start of the reply is a response code$`, Example: `And any bracketed text at the start of the reply is a response code`,
			Doc: "if the text of the last reply begins with \"[\", it is a resp-code of RFC 2449 section 8 (\"[\" resp-level *(\"/\" resp-level) \"]\")", fn: pop3RespCode},
		Def{Expr: `^a login on it is refused or its maildrop holds test message (\d+)$`, Example: `Then a login on it is refused or its maildrop holds test message 1`,
			Doc: "on the current (second) connection: greeting, STLS where offered, login with the first account; a -ERR passes (the maildrop is locked), a +OK passes only if the test message is found in this session too", fn: pop3SecondLogin},
		Def{Expr: `^the client starts TLS after the \+OK to STLS$`, Example: `And the client starts TLS after the +OK to STLS`,
			Doc: "after a +OK to an STLS sent by hand: the TLS handshake only; a server that closes instead is noted, not failed; not applicable when the last reply was not +OK", fn: pop3StartsTLS},
		Def{Expr: `^no reply to the commands pipelined with STLS arrives within (\d+) ms$`, Example: `Then no reply to the commands pipelined with STLS arrives within 1000 ms`,
			Doc: "nothing arrives for that long inside TLS; a closed connection passes (RFC 2595 section 4)", fn: pop3NoInjectedReply},
		Def{Expr: `^the server refuses the line or closes the connection$`, Example: `Then the server refuses the line or closes the connection`,
			Doc: "the next response is -ERR (RFC 1939 section 3), or the server closes the connection; +OK fails", fn: pop3RefusesOrCloses},
		Def{Expr: `^a new POP3 connection is greeted with \+OK$`, Example: `And a new POP3 connection is greeted with +OK`,
			Doc: "opens another connection (\"again\") to the same endpoint: the greeting is +OK", fn: pop3GreetedAgain},
		Def{Expr: `^the client authenticates to POP3 with SASL ` + quotedRE + `$`, Example: `When the client authenticates to POP3 with SASL "PLAIN"`,
			Doc: "starts TLS where offered, then AUTH with the mechanism and the first account (RFC 5034); not applicable unless the SASL capability lists the mechanism; anything but +OK fails", fn: pop3SASL},
		Def{Expr: `^the server answers -ERR to ` + quotedRE + ` or to the ` + quotedRE + ` that follows$`, Example: `Then the server answers -ERR to "USER ${user}" or to the "PASS ${password}" that follows`,
			Doc: "sends the first line: -ERR passes; after +OK sends the second line, which must then get -ERR", fn: pop3RefusesEither},
		Def{Expr: `^the greeting carries an APOP timestamp$`, Example: `And the greeting carries an APOP timestamp`,
			Doc: "not applicable unless the last greeting holds a timestamp <...@...> (RFC 1939 section 7: APOP is offered)", fn: pop3HasTimestamp},
		Def{Expr: `^a new connection's greeting carries a different APOP timestamp$`, Example: `Then a new connection's greeting carries a different APOP timestamp`,
			Doc: "opens another connection (\"again\"): its greeting has a timestamp, and not the one seen before (RFC 1939 section 7)", fn: pop3OtherTimestamp},
		Def{Expr: `^the client logs in with APOP$`, Example: `When the client logs in with APOP`,
			Doc: "sends APOP with the first account's name and the MD5 digest of the greeting's timestamp and the password (RFC 1939 section 7; the digest is recorded as ${redacted})", fn: pop3APOP},
		Def{Expr: `^the client asks for the language listing$`, Example: `When the client asks for the language listing`,
			Doc: "sends LANG without an argument and reads the response, multi-line when positive (RFC 6856 section 3), as the last reply", fn: pop3AsksLanguages},
		Def{Expr: `^the client selects the first listed language$`, Example: `When the client selects the first listed language`,
			Doc: "sends LANG with the language tag of the first line of the last listing", fn: pop3SelectsLanguage},
		Def{Expr: `^the reply names the selected language$`, Example: `And the reply names the selected language`,
			Doc: "the last reply is \"+OK\" SP the language tag selected SP text (RFC 6856 section 3)", fn: pop3NamesLanguage},
	)
}

// ---- sessions and logins ----

// pop3Conn returns the current connection, which must be a POP3 one.
func (w *world) pop3Conn() (*conn, error) {
	c, err := w.current()
	if err != nil {
		return nil, err
	}
	if c.s.Endpoint.Protocol != transcripts.POP3 {
		return nil, w.harnessf("the current connection is %s, not POP3", c.s.Endpoint.Protocol)
	}
	return c, nil
}

// pop3Exchange sends a command line on c and reads its response
// (multi-line when multi and positive), keeping its violations.
func (w *world) pop3Exchange(c *conn, line string, multi bool) (wire.POP3Response, error) {
	if err := c.s.Send(line); err != nil {
		return wire.POP3Response{}, w.sendFailed(err)
	}
	return w.pop3Read(c, line, multi)
}

// pop3Read reads one response on c to the command line cmd.
func (w *world) pop3Read(c *conn, cmd string, multi bool) (wire.POP3Response, error) {
	rep, err := c.s.ReadPOP3(multi)
	if err != nil {
		return rep, w.readFailed("a response to "+cmd, err)
	}
	w.violations = append(w.violations, rep.Violations...)
	return rep, nil
}

// pop3Keep makes rep the last reply of c, as readReply does.
func pop3Keep(c *conn, cmd string, rep wire.POP3Response) {
	c.lastCmd = cmd
	c.status = rep.Status
	c.code = 0
	c.lines = displayLines("pop3", rep.Raw)
}

// pop3FirstLine returns the first line of a response, without its end.
func pop3FirstLine(raw []byte) string {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	return strings.TrimRight(string(line), "\r")
}

// pop3Greet reads the greeting and sends CAPA on c.
func (w *world) pop3Greet(c *conn) error {
	rep, err := w.pop3Read(c, "the greeting", false)
	if err != nil {
		return err
	}
	if !rep.OK {
		return w.failf("+OK greeting", pop3FirstLine(rep.Raw), "the greeting is not a positive response (RFC 1939 section 4: \"the POP3 server issues a one line greeting. This can be any positive response.\")")
	}
	w.vars[pop3Greeting] = rep.Text
	if _, err := c.s.POP3Capa(); err != nil {
		return w.preambleFailed("CAPA (RFC 2449 section 5)", err)
	}
	return nil
}

func pop3SessionStep(ctx context.Context) error {
	w := worldOf(ctx)
	if _, open := w.conns["1"]; open {
		return w.harnessf("connection \"1\" is still open: end the session (QUIT, or the client closes the connection) before a new one")
	}
	if err := w.connect("1", ""); err != nil {
		return err
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	return w.pop3Greet(c)
}

// pop3InUse reports whether a refused login says the maildrop is locked
// (RFC 2449 section 8.1.2's IN-USE, or words to that effect).
func pop3InUse(reply string) bool {
	r := strings.ToLower(reply)
	return strings.Contains(r, "[in-use]") || strings.Contains(r, "lock") || strings.Contains(r, "in use")
}

// pop3Login starts TLS where offered on c and logs in with the first
// account.
func (w *world) pop3Login(c *conn) error {
	if err := c.s.UpgradeIfOffered(w.ctx); err != nil {
		return w.preambleFailed("STLS and CAPA (RFC 2595 section 4)", err)
	}
	if len(w.env.Profile.Accounts) == 0 {
		return w.notApplicable("the profile has no account")
	}
	a := w.env.Profile.Accounts[0]
	return c.s.Login(w.ctx, transcripts.LoginCredentials{N: 1, User: a.User, Password: a.Password})
}

func pop3AuthenticatedStep(ctx context.Context) error {
	w := worldOf(ctx)
	deadline := time.Now().Add(pop3LockWait)
	for {
		if err := pop3SessionStep(ctx); err != nil {
			return err
		}
		c, _ := w.pop3Conn()
		err := w.pop3Login(c)
		if err == nil {
			break
		}
		var re *transcripts.ReplyError
		if asErr(err, &re) && pop3InUse(re.Reply) && time.Now().Before(deadline) {
			// The session before still holds the lock: try again.
			c.s.Close()
			delete(w.conns, "1")
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if w.na != "" {
			return err
		}
		return w.preambleFailed("login with the profile's first account (RFC 1939 section 7, RFC 5034 section 4)", err)
	}
	c, _ := w.pop3Conn()
	rep, err := w.pop3Exchange(c, "STAT", false)
	if err != nil {
		return err
	}
	n, _, ok := pop3ParseDropListing(pop3FirstLine(rep.Raw))
	if !rep.OK || !ok {
		return w.failf("+OK count octets", pop3FirstLine(rep.Raw), "STAT after login is not a drop listing (RFC 1939 section 5)")
	}
	w.vars["nomsg"] = strconv.Itoa(n + 1)
	return nil
}

func pop3AuthenticatedLocated(ctx context.Context) error {
	if err := pop3AuthenticatedStep(ctx); err != nil {
		return err
	}
	return pop3LocatedStep(ctx)
}

// ---- the grammar of listings (RFC 1939 sections 5 and 7) ----

var (
	// pop3DropListingRE: "+OK" SP count SP octets, then nothing or SP and
	// anything (RFC 1939 section 5: "This memo makes no requirement on
	// what follows the maildrop size").
	pop3DropListingRE = regexp.MustCompile(`^\+OK ([0-9]+) ([0-9]+)(?: .*)?$`)
	// pop3ScanListingRE: message-number SP size [SP anything].
	pop3ScanListingRE = regexp.MustCompile(`^([0-9]+) ([0-9]+)(?: .*)?$`)
	// pop3UniqueIDListingRE: message-number SP unique-id, 1 to 70 characters
	// of 0x21-0x7E, and nothing after it (RFC 1939 section 7).
	pop3UniqueIDListingRE = regexp.MustCompile(`^([0-9]+) ([\x21-\x7e]{1,70})$`)
	// pop3LanguageListingRE: a language tag (RFC 5646, its general shape: 1
	// to 8 letters, then "-" and 1 to 8 letters or digits), SP and a
	// description (RFC 6856 section 3).
	pop3LanguageListingRE = regexp.MustCompile(`^([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*) (.+)$`)
)

// pop3ParseDropListing parses a STAT response line.
func pop3ParseDropListing(line string) (count int, octets int64, ok bool) {
	m := pop3DropListingRE.FindStringSubmatch(line)
	if m == nil {
		return 0, 0, false
	}
	n, err1 := strconv.Atoi(m[1])
	size, err2 := strconv.ParseInt(m[2], 10, 64)
	return n, size, err1 == nil && err2 == nil
}

// pop3ParseScanListing parses "n size[ ...]".
func pop3ParseScanListing(line string) (n int, size int64, ok bool) {
	m := pop3ScanListingRE.FindStringSubmatch(line)
	if m == nil {
		return 0, 0, false
	}
	n, err1 := strconv.Atoi(m[1])
	size, err2 := strconv.ParseInt(m[2], 10, 64)
	return n, size, err1 == nil && err2 == nil && n > 0
}

// pop3ParseUniqueIDListing parses "n unique-id".
func pop3ParseUniqueIDListing(line string) (n int, id string, ok bool) {
	m := pop3UniqueIDListingRE.FindStringSubmatch(line)
	if m == nil {
		return 0, "", false
	}
	n, err := strconv.Atoi(m[1])
	return n, m[2], err == nil && n > 0
}

// pop3LastRaw returns the exact bytes of the last reply read on c: the last
// server entry the recorder holds for its connection.
func (w *world) pop3LastRaw(c *conn) []byte {
	entries := w.rec.Entries()
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Conn == c.s.Conn && e.Dir == transcripts.Server {
			return e.Data
		}
	}
	return nil
}

// pop3Lines splits a response as received into its lines, line ends
// included.
func pop3Lines(raw []byte) [][]byte {
	var out [][]byte
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			return append(out, raw)
		}
		out = append(out, raw[:i+1])
		raw = raw[i+1:]
	}
	return out
}

// pop3Body returns the body of a multi-line response as received: the
// lines between the status line and the terminating ".", un-stuffed, each
// ended by CRLF (RFC 1939 section 3). ok is false without a terminating
// line.
func pop3Body(raw []byte) (body []byte, ok bool) {
	lines := pop3Lines(raw)
	if len(lines) < 2 {
		return nil, false
	}
	for _, l := range lines[1:] {
		content := bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
		if string(content) == "." {
			return body, true
		}
		if len(content) > 0 && content[0] == '.' {
			content = content[1:]
		}
		body = append(append(body, content...), '\r', '\n')
	}
	return body, false
}

// pop3BodyLinesOf returns the body lines of the last multi-line reply of c,
// without line ends and un-stuffed.
func (w *world) pop3BodyLinesOf(c *conn) ([]string, error) {
	raw := w.pop3LastRaw(c)
	body, ok := pop3Body(raw)
	if !ok {
		return nil, w.harnessf("the last reply is not a complete multi-line response")
	}
	if len(body) == 0 {
		return nil, nil
	}
	return strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n"), nil
}

func pop3DropListing(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	line := pop3FirstLine(w.pop3LastRaw(c))
	if _, _, ok := pop3ParseDropListing(line); !ok {
		return w.failf("+OK count SP octets", line, "the reply is not a drop listing (RFC 1939 section 5: \"The positive response consists of \"+OK\" followed by a single space, the number of messages in the maildrop, a single space, and the size of the maildrop in octets.\")")
	}
	return nil
}

func pop3SingleListing(ctx context.Context, kind, num string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	text, err := script.Expand(unquote(num), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	want, err := strconv.Atoi(text)
	if err != nil {
		return w.harnessf("message number %q is not a number", text)
	}
	line := pop3FirstLine(w.pop3LastRaw(c))
	rest, found := strings.CutPrefix(line, "+OK ")
	if kind == "scan" {
		n, size, ok := pop3ParseScanListing(rest)
		if !found || !ok {
			return w.failf("+OK "+text+" size", line, "the reply is not a scan listing (RFC 1939 section 5: \"A scan listing consists of the message-number of the message, followed by a single space and the exact size of the message in octets.\")")
		}
		if n != want {
			return w.failf("+OK "+text+" size", line, "the scan listing is for message %d, not the message %d asked for (RFC 1939 section 5)", n, want)
		}
		w.vars[pop3Listed(n)] = strconv.FormatInt(size, 10)
		w.vars[pop3LastListed] = strconv.Itoa(n)
		return nil
	}
	n, _, ok := pop3ParseUniqueIDListing(rest)
	if !found || !ok {
		return w.failf("+OK "+text+" unique-id", line, "the reply is not a unique-id listing (RFC 1939 section 7: \"A unique-id listing consists of the message-number of the message, followed by a single space and the unique-id of the message. No information follows the unique-id in the unique-id listing. The unique-id of a message is an arbitrary server-determined string, consisting of one to 70 characters in the range 0x21 to 0x7E\")")
	}
	if n != want {
		return w.failf("+OK "+text+" unique-id", line, "the unique-id listing is for message %d, not the message %d asked for (RFC 1939 section 7)", n, want)
	}
	return nil
}

// pop3CheckListing checks the body lines of a LIST, UIDL or LANG response; it
// returns what is wrong, or "".
func pop3CheckListing(kind string, lines []string) string {
	numbers := map[int]bool{}
	ids := map[string]int{}
	for _, l := range lines {
		switch kind {
		case "scan":
			n, _, ok := pop3ParseScanListing(l)
			if !ok {
				return fmt.Sprintf("%q is not a scan listing (RFC 1939 section 5: \"A scan listing consists of the message-number of the message, followed by a single space and the exact size of the message in octets.\")", l)
			}
			if numbers[n] {
				return fmt.Sprintf("message %d is listed twice (RFC 1939 section 5)", n)
			}
			numbers[n] = true
		case "unique-id":
			n, id, ok := pop3ParseUniqueIDListing(l)
			if !ok {
				return fmt.Sprintf("%q is not a unique-id listing (RFC 1939 section 7: \"one to 70 characters in the range 0x21 to 0x7E\", and \"No information follows the unique-id in the unique-id listing.\")", l)
			}
			if numbers[n] {
				return fmt.Sprintf("message %d is listed twice (RFC 1939 section 7)", n)
			}
			numbers[n] = true
			if prev, dup := ids[id]; dup {
				return fmt.Sprintf("messages %d and %d have the same unique-id %q (RFC 1939 section 7: it \"uniquely identifies a message within a maildrop\")", prev, n, id)
			}
			ids[id] = n
		case "language":
			if !pop3LanguageListingRE.MatchString(l) {
				return fmt.Sprintf("%q is not a language tag, a space and a description (RFC 6856 section 3)", l)
			}
		}
	}
	return ""
}

func pop3MultiListing(ctx context.Context, kind string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	if c.status != "+OK" {
		return w.harnessf("the last reply is not a positive multi-line response")
	}
	lines, err := w.pop3BodyLinesOf(c)
	if err != nil {
		return err
	}
	if kind == "language" && len(lines) == 0 {
		return w.failf("one language listing or more", c.text(), "the positive response to LANG lists no language (RFC 6856 section 3)")
	}
	if problem := pop3CheckListing(kind, lines); problem != "" {
		return w.failf(kind+" listings", c.text(), "%s", problem)
	}
	return nil
}

// ---- test messages ----

// pop3Names parses `"a", "b"`.
func pop3Names(list string) []string {
	var out []string
	for _, f := range strings.Split(list, ",") {
		out = append(out, strings.Trim(strings.TrimSpace(f), `"`))
	}
	return out
}

// pop3IDSafe keeps the characters of s that may stand in a Message-ID's
// id-left (RFC 5322 section 3.6.4, dot-atom-text), others become "-".
func pop3IDSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

// pop3TestMessage prepares a features/messages file for delivery: its
// Message-ID header field is replaced by msgID, an X-Mailspec-Run field
// names the run, and every line ends in CRLF.
func pop3TestMessage(eml []byte, msgID, runID string) []byte {
	eml = bytes.ReplaceAll(eml, []byte("\r\n"), []byte("\n"))
	head, body, _ := bytes.Cut(eml, []byte("\n\n"))
	var out bytes.Buffer
	out.WriteString("Message-ID: " + msgID + "\r\n")
	out.WriteString("X-Mailspec-Run: " + runID + "\r\n")
	skip := false
	for _, l := range bytes.Split(head, []byte("\n")) {
		if len(l) > 0 && (l[0] == ' ' || l[0] == '\t') {
			if !skip {
				out.Write(l)
				out.WriteString("\r\n")
			}
			continue
		}
		name, _, _ := bytes.Cut(l, []byte(":"))
		skip = strings.EqualFold(strings.TrimSpace(string(name)), "Message-ID")
		if !skip {
			out.Write(l)
			out.WriteString("\r\n")
		}
	}
	out.WriteString("\r\n")
	body = bytes.TrimSuffix(body, []byte("\n"))
	if len(body) > 0 {
		out.Write(bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n")))
		out.WriteString("\r\n")
	}
	return out.Bytes()
}

// pop3IMAPSession opens an IMAP session as the first account, to deliver
// or remove test messages; rec says whether it is recorded.
func (w *world) pop3IMAPSession(ctx context.Context, rec bool) (*transcripts.Session, error) {
	ep, ok := w.env.Profile.Endpoint("imaps")
	if !ok {
		if ep, ok = w.env.Profile.Endpoint("imap"); !ok {
			return nil, errPOP3NoIMAP
		}
	}
	opts := w.opts
	if !rec {
		opts.Recorder = nil
	}
	cfg, err := w.env.Profile.TLSConfig(ep)
	if err != nil {
		return nil, err
	}
	opts.TLS = cfg
	s, err := transcripts.Dial(ctx, ep, opts)
	if err != nil {
		return nil, fmt.Errorf("steps: connect to %s: %w", ep.URL, err)
	}
	fail := func(err error) (*transcripts.Session, error) {
		s.Close()
		return nil, fmt.Errorf("steps: IMAP session on %s as the first account: %w", ep.URL, err)
	}
	if _, err := s.IMAPGreeting(); err != nil {
		return fail(err)
	}
	if _, err := s.IMAPCapability(); err != nil {
		return fail(err)
	}
	if err := s.UpgradeIfOffered(ctx); err != nil {
		return fail(err)
	}
	a := w.env.Profile.Accounts[0]
	if err := s.Login(ctx, transcripts.LoginCredentials{N: 1, User: a.User, Password: a.Password}); err != nil {
		return fail(err)
	}
	if _, err := s.IMAPCapability(); err != nil {
		return fail(err)
	}
	if _, tagged, err := s.IMAPCommand("SELECT INBOX"); err != nil || tagged.Status != "OK" {
		if err == nil {
			err = fmt.Errorf("SELECT INBOX: %s", pop3FirstLine(tagged.Raw))
		}
		return fail(err)
	}
	return s, nil
}

var errPOP3NoIMAP = errors.New("steps: the profile has no IMAP endpoint")

// pop3EndIMAP logs out and closes s.
func pop3EndIMAP(s *transcripts.Session) {
	if _, _, err := s.IMAPCommand("LOGOUT"); err == nil {
		transcripts.WaitClosed(s)
	}
	s.Close()
}

// pop3Append appends msg to the selected session's INBOX with a
// synchronising literal (RFC 9051 section 6.3.12). It returns the tagged
// response.
func pop3Append(s *transcripts.Session, msg []byte) (wire.IMAPResponse, error) {
	tag := s.NextTag()
	if err := s.Send(fmt.Sprintf("%s APPEND INBOX {%d}", tag, len(msg))); err != nil {
		return wire.IMAPResponse{}, err
	}
	_, tagged, err := s.IMAPReadUntil(tag)
	if err != nil || tagged.Kind != wire.IMAPContinuation {
		return tagged, err
	}
	if err := s.SendRaw(append(append([]byte(nil), msg...), '\r', '\n')); err != nil {
		return wire.IMAPResponse{}, err
	}
	_, tagged, err = s.IMAPReadUntil(tag)
	return tagged, err
}

func pop3Holds(ctx context.Context, list, bareLF string) error {
	w := worldOf(ctx)
	if err := disposable(ctx); err != nil {
		return err
	}
	s, err := w.pop3IMAPSession(w.ctx, true)
	if errors.Is(err, errPOP3NoIMAP) {
		return w.notApplicable("the profile has no IMAP endpoint to deliver the test messages through (IMAP APPEND)")
	}
	if err != nil {
		return w.harnessf("delivering the test messages: %v", err)
	}
	defer pop3EndIMAP(s)
	if w.vars[pop3Cleanup] == "" {
		w.vars[pop3Cleanup] = "1"
		w.onEnd(w.pop3RemoveTestMessages)
	}
	k, _ := strconv.Atoi(w.vars[pop3Count])
	for _, name := range pop3Names(list) {
		eml, err := features.Messages.ReadFile("messages/" + name + ".eml")
		if err != nil {
			return w.harnessf("no test message %q in features/messages: %v", name, err)
		}
		k++
		msgID := fmt.Sprintf("<mailspec-pop3.%s.%d.%s@mailspec.test>", pop3IDSafe(w.vars["runid"]), k, randomToken())
		msg := pop3TestMessage(eml, msgID, w.vars["runid"])
		sent := msg
		if bareLF != "" {
			sent = bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
		}
		// The clean-up looks for the Message-ID from now on.
		w.vars[pop3Msg(k, "id")] = msgID
		w.vars[pop3Msg(k, "data")] = string(msg)
		w.vars[pop3Count] = strconv.Itoa(k)
		tagged, err := pop3Append(s, sent)
		if err != nil {
			return w.harnessf("APPEND of test message %q: %v", name, err)
		}
		if tagged.Status != "OK" {
			return w.notApplicable("the server refused to APPEND test message %q to INBOX: %s", name, pop3FirstLine(tagged.Raw))
		}
	}
	return nil
}

// pop3RemoveTestMessages removes exactly the test messages the scenario
// delivered, found by their Message-ID over IMAP, and nothing else.
func (w *world) pop3RemoveTestMessages(ctx context.Context) error {
	k, _ := strconv.Atoi(w.vars[pop3Count])
	if k == 0 {
		return nil
	}
	s, err := w.pop3IMAPSession(ctx, false)
	if err != nil {
		return err
	}
	defer pop3EndIMAP(s)
	var uids []string
	for i := 1; i <= k; i++ {
		id := w.vars[pop3Msg(i, "id")]
		untagged, tagged, err := s.IMAPCommand(`UID SEARCH HEADER Message-ID "` + id + `"`)
		if err != nil || tagged.Status != "OK" {
			return fmt.Errorf("steps: searching INBOX for test message %s: %v %s", id, err, pop3FirstLine(tagged.Raw))
		}
		uids = append(uids, searchUIDs(untagged)...)
	}
	if len(uids) == 0 {
		return nil
	}
	set := strings.Join(uids, ",")
	uidExpunge := s.HasCap("UIDPLUS") || s.HasCap("IMAP4rev2")
	if !uidExpunge {
		// A plain EXPUNGE removes every message marked \Deleted: only if
		// ours are the only ones.
		untagged, tagged, err := s.IMAPCommand("UID SEARCH DELETED")
		if err != nil || tagged.Status != "OK" {
			return fmt.Errorf("steps: searching INBOX for deleted messages: %v %s", err, pop3FirstLine(tagged.Raw))
		}
		ours := map[string]bool{}
		for _, u := range uids {
			ours[u] = true
		}
		for _, u := range searchUIDs(untagged) {
			if !ours[u] {
				return fmt.Errorf("steps: the test messages (UIDs %s) were left in INBOX: other messages are marked \\Deleted and the server has no UIDPLUS to expunge only ours", set)
			}
		}
	}
	if _, tagged, err := s.IMAPCommand("UID STORE " + set + ` +FLAGS.SILENT (\Deleted)`); err != nil || tagged.Status != "OK" {
		return fmt.Errorf("steps: marking the test messages (UIDs %s) deleted: %v %s", set, err, pop3FirstLine(tagged.Raw))
	}
	expunge := "EXPUNGE"
	if uidExpunge {
		expunge = "UID EXPUNGE " + set
	}
	if _, tagged, err := s.IMAPCommand(expunge); err != nil || tagged.Status != "OK" {
		return fmt.Errorf("steps: expunging the test messages (UIDs %s): %v %s", set, err, pop3FirstLine(tagged.Raw))
	}
	return nil
}

// pop3Find looks for the test messages ks in the maildrop of the
// authenticated session c: it returns their message numbers and the
// sizes LIST gives them.
func (w *world) pop3Find(c *conn, ks []int) (found map[int]int, sizes map[int]int64, err error) {
	rep, err := w.pop3Exchange(c, "LIST", true)
	if err != nil {
		return nil, nil, err
	}
	if !rep.OK {
		return nil, nil, w.failf("+OK scan listings", pop3FirstLine(rep.Raw), "LIST was refused in the TRANSACTION state (RFC 1939 section 5)")
	}
	type listing struct {
		n    int
		size int64
	}
	var all []listing
	for _, l := range rep.Lines {
		if n, size, ok := pop3ParseScanListing(string(l)); ok {
			all = append(all, listing{n, size})
		}
	}
	found, sizes = map[int]int{}, map[int]int64{}
	taken := map[int]bool{}
	top := c.s.HasCap("TOP")
	// fetch returns whether message n is test message k.
	fetch := func(n, k int) (bool, error) {
		// One body line: a TOP of the header alone is itself a case.
		cmd := fmt.Sprintf("TOP %d 1", n)
		if !top {
			cmd = fmt.Sprintf("RETR %d", n)
		}
		if err := c.s.Send(cmd); err != nil {
			return false, w.sendFailed(err)
		}
		r, err := c.s.ReadPOP3(true)
		if err != nil {
			return false, w.readFailed("a response to "+cmd, err)
		}
		if !r.OK {
			return false, nil
		}
		want := "message-id: " + strings.ToLower(w.vars[pop3Msg(k, "id")])
		for _, l := range r.Lines {
			if len(l) == 0 {
				break
			}
			if strings.ToLower(strings.TrimSpace(string(l))) == want {
				w.violations = append(w.violations, r.Violations...)
				return true, nil
			}
		}
		return false, nil
	}
	for _, k := range ks {
		size := int64(len(w.vars[pop3Msg(k, "data")]))
		// Same size first, from the last message down; then the last
		// messages whatever their size.
		for pass := 0; pass < 2 && found[k] == 0; pass++ {
			tried := 0
			for i := len(all) - 1; i >= 0 && found[k] == 0 && tried < pop3ScanBack; i-- {
				l := all[i]
				if taken[l.n] || (pass == 0) != (l.size == size) {
					continue
				}
				tried++
				ok, err := fetch(l.n, k)
				if err != nil {
					return nil, nil, err
				}
				if ok {
					found[k], sizes[k] = l.n, l.size
					taken[l.n] = true
				}
			}
		}
	}
	return found, sizes, nil
}

// pop3TestMessages returns the numbers of the delivered test messages not
// known to be gone.
func (w *world) pop3TestMessages() []int {
	n, _ := strconv.Atoi(w.vars[pop3Count])
	var ks []int
	for k := 1; k <= n; k++ {
		if w.vars[pop3Msg(k, "gone")] == "" {
			ks = append(ks, k)
		}
	}
	return ks
}

func pop3LocatedStep(ctx context.Context) error {
	w := worldOf(ctx)
	ks := w.pop3TestMessages()
	if len(ks) == 0 {
		return w.harnessf("no test message to locate: deliver some with \"the maildrop holds the test messages ...\" first")
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	found, sizes, err := w.pop3Find(c, ks)
	if err != nil {
		return err
	}
	for _, k := range ks {
		n, ok := found[k]
		if !ok {
			return w.harnessf("test message %d (Message-ID %s), appended to INBOX over IMAP, is not in the POP3 maildrop: the profile's POP3 maildrop must be its IMAP INBOX", k, w.vars[pop3Msg(k, "id")])
		}
		w.vars["msg"+strconv.Itoa(k)] = strconv.Itoa(n)
		w.vars[pop3Msg(k, "size")] = strconv.FormatInt(sizes[k], 10)
	}
	return nil
}

func pop3StillThere(ctx context.Context, num, which string) error {
	w := worldOf(ctx)
	k, _ := strconv.Atoi(num)
	if w.vars[pop3Msg(k, "id")] == "" {
		return w.harnessf("there is no test message %d", k)
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	found, sizes, err := w.pop3Find(c, []int{k})
	if err != nil {
		return err
	}
	n, ok := found[k]
	switch {
	case which == "still" && !ok:
		return w.failf("test message "+num+" in the maildrop", "not found", "test message %d (Message-ID %s) is no longer in the maildrop", k, w.vars[pop3Msg(k, "id")])
	case which == "still":
		w.vars["msg"+num] = strconv.Itoa(n)
		w.vars[pop3Msg(k, "size")] = strconv.FormatInt(sizes[k], 10)
	case ok:
		return w.failf("test message "+num+" removed", fmt.Sprintf("message %d", n), "test message %d (Message-ID %s) is still in the maildrop, as message %d", k, w.vars[pop3Msg(k, "id")], n)
	default:
		w.vars[pop3Msg(k, "gone")] = "1"
	}
	return nil
}

// ---- retrieved content (RFC 1939 sections 3, 5 and 7) ----

// pop3MessageData returns the delivered bytes of test message k.
func (w *world) pop3MessageData(num string) ([]byte, error) {
	k, _ := strconv.Atoi(num)
	data, ok := w.vars[pop3Msg(k, "data")]
	if !ok {
		return nil, w.harnessf("there is no test message %s", num)
	}
	return []byte(data), nil
}

// pop3Retrieved returns the body of the last reply of c, which must be a
// positive multi-line response.
func (w *world) pop3Retrieved(c *conn) ([]byte, error) {
	if c.status != "+OK" {
		return nil, w.harnessf("the last reply is not a positive response: assert \"the server replies +OK\" first")
	}
	body, ok := pop3Body(w.pop3LastRaw(c))
	if !ok {
		return nil, w.harnessf("the last reply is not a complete multi-line response")
	}
	return body, nil
}

func pop3IsMessage(ctx context.Context, num string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	want, err := w.pop3MessageData(num)
	if err != nil {
		return err
	}
	got, err := w.pop3Retrieved(c)
	if err != nil {
		return err
	}
	if n := pop3RetrNumber(c.lastCmd); n > 0 {
		w.vars["pop3.retrieved."+strconv.Itoa(n)] = strconv.Itoa(len(got))
	}
	if problem := compareDelivered(want, got); problem != nil {
		return w.failf("test message "+num+" as delivered", problem.Error(),
			"the retrieved message is not the one delivered: %v (RFC 1939 section 5: the server \"sends the message corresponding to the given message-number, being careful to byte-stuff the termination character\")", problem)
	}
	return nil
}

// pop3RetrNumber returns the message number of a RETR command line, or 0.
func pop3RetrNumber(cmd string) int {
	f := strings.Fields(cmd)
	if len(f) != 2 || !strings.EqualFold(f[0], "RETR") {
		return 0
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return 0
	}
	return n
}

// pop3TopOf returns what TOP with n lines sends of msg (CRLF line ends): the
// header, the blank line, and the first n lines of the body, or all of
// msg when the body has fewer (RFC 1939 section 7).
func pop3TopOf(msg []byte, n int) []byte {
	i := bytes.Index(msg, []byte("\r\n\r\n"))
	if i < 0 {
		return msg
	}
	end := i + 4
	for ; n > 0 && end < len(msg); n-- {
		j := bytes.Index(msg[end:], []byte("\r\n"))
		if j < 0 {
			return msg
		}
		end += j + 2
	}
	return msg[:end]
}

func pop3IsTop(ctx context.Context, lines, num string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	msg, err := w.pop3MessageData(num)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(lines)
	got, err := w.pop3Retrieved(c)
	if err != nil {
		return err
	}
	want := pop3TopOf(msg, n)
	if problem := compareDelivered(want, got); problem != nil {
		return w.failf(fmt.Sprintf("the header and %d body lines of test message %s", n, num), problem.Error(),
			"TOP did not send the header, the blank line and %d lines of the body: %v (RFC 1939 section 7: \"the POP3 server sends the headers of the message, the blank line separating the headers from the body, and then the number of lines of the indicated message's body, being careful to byte-stuff the termination character\")", n, problem)
	}
	return nil
}

func pop3SizeMatches(ctx context.Context) error {
	w := worldOf(ctx)
	num := w.vars[pop3LastListed]
	listed, ok := w.vars["pop3.listed."+num]
	if num == "" || !ok {
		return w.harnessf("no scan listing was checked: LIST the message and assert \"the reply is a scan listing for message ...\" first")
	}
	got, ok := w.vars["pop3.retrieved."+num]
	if !ok {
		return w.harnessf("message %s was not retrieved and compared: RETR it and assert \"the reply is test message N\" first", num)
	}
	n, _ := strconv.Atoi(num)
	if got != listed {
		return w.failf(got+" octets (the retrieved message)", listed+" octets", "the scan listing of message %d gave %s octets, the message retrieved has %s (RFC 1939 section 5: \"the exact size of the message in octets\"; section 11: each end of line counts as the two octets of CRLF)", n, listed, got)
	}
	return nil
}

// ---- drop listings (RFC 1939 section 5, STAT) ----

// pop3StatNow sends STAT on c and parses the drop listing.
func (w *world) pop3StatNow(c *conn) (int, int64, error) {
	rep, err := w.pop3Exchange(c, "STAT", false)
	if err != nil {
		return 0, 0, err
	}
	line := pop3FirstLine(rep.Raw)
	n, size, ok := pop3ParseDropListing(line)
	if !rep.OK || !ok {
		return 0, 0, w.failf("+OK count octets", line, "STAT in the TRANSACTION state is not answered with a drop listing (RFC 1939 section 5)")
	}
	return n, size, nil
}

func pop3StatAgrees(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	n, size, err := w.pop3StatNow(c)
	if err != nil {
		return err
	}
	rep, err := w.pop3Exchange(c, "LIST", true)
	if err != nil {
		return err
	}
	if !rep.OK {
		return w.failf("+OK scan listings", pop3FirstLine(rep.Raw), "LIST was refused in the TRANSACTION state (RFC 1939 section 5)")
	}
	var sum int64
	for _, l := range rep.Lines {
		_, s, ok := pop3ParseScanListing(string(l))
		if !ok {
			return w.failf("scan listings", string(l), "%q is not a scan listing (RFC 1939 section 5)", l)
		}
		sum += s
	}
	if n != len(rep.Lines) || size != sum {
		return w.failf(fmt.Sprintf("+OK %d %d (LIST: %d messages, %d octets)", len(rep.Lines), sum, len(rep.Lines), sum), fmt.Sprintf("+OK %d %d", n, size),
			"STAT does not count the messages and octets LIST lists (RFC 1939 section 5: the drop listing gives \"the number of messages in the maildrop\" and \"the size of the maildrop in octets\"; LIST gives \"the exact size of the message in octets\" of each)")
	}
	return nil
}

func pop3NoteStat(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	n, size, err := w.pop3StatNow(c)
	if err != nil {
		return err
	}
	w.vars[pop3Stat] = fmt.Sprintf("%d %d", n, size)
	return nil
}

func pop3StatAgain(ctx context.Context, less, num string) error {
	w := worldOf(ctx)
	noted := w.vars[pop3Stat]
	if noted == "" {
		return w.harnessf("no drop listing was noted: use \"the drop listing is noted\" first")
	}
	var n0 int
	var size0 int64
	fmt.Sscanf(noted, "%d %d", &n0, &size0)
	if less != "" {
		k, _ := strconv.Atoi(num)
		s, ok := w.vars[pop3Msg(k, "size")]
		if !ok {
			return w.harnessf("test message %s was not located", num)
		}
		ms, _ := strconv.ParseInt(s, 10, 64)
		n0, size0 = n0-1, size0-ms
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	n, size, err := w.pop3StatNow(c)
	if err != nil {
		return err
	}
	if n != n0 || size != size0 {
		reason := "STAT changed, though no message was deleted since it was noted (RFC 1939 section 5)"
		if less != "" {
			reason = "STAT still counts the message marked as deleted (RFC 1939 section 5, STAT: \"Note that messages marked as deleted are not counted in either total.\")"
		}
		return w.failf(fmt.Sprintf("+OK %d %d", n0, size0), fmt.Sprintf("+OK %d %d", n, size), "%s", reason)
	}
	return nil
}

// ---- pipelining (RFC 2449 section 6.6) ----

// quotedList parses `"a", "b"` into its unquoted strings.
var pop3QuotedItem = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

func pop3Pipelines(ctx context.Context, list string) error {
	w := worldOf(ctx)
	var b []byte
	items := pop3QuotedItem.FindAllStringSubmatch(list, -1)
	for i, m := range items {
		line, err := script.Expand(unquote(m[1]), w.vars)
		if err != nil {
			return w.harnessf("%v", err)
		}
		w.vars["pop3.pipe."+strconv.Itoa(i)] = line
		b = append(append(b, line...), '\r', '\n')
	}
	w.vars[pop3PipeCount] = strconv.Itoa(len(items))
	return w.sendRaw(b)
}

func pop3PipelinedAnswers(ctx context.Context, list string) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	want := strings.Split(list, ", ")
	n, _ := strconv.Atoi(w.vars[pop3PipeCount])
	if n != len(want) {
		return w.harnessf("%d commands were pipelined, %d answers are expected", n, len(want))
	}
	for i, status := range want {
		cmd := w.vars["pop3.pipe."+strconv.Itoa(i)]
		rep, err := w.pop3Read(c, cmd, pop3Multiline(cmd))
		if err != nil {
			return err
		}
		pop3Keep(c, cmd, rep)
		if rep.Status != status {
			return w.failf(status+" to "+cmd, pop3FirstLine(rep.Raw), "the response to pipelined command %d (%s) is %q, not %s: the responses do not come in the order of the commands (RFC 2449 section 6.6: \"If a server supports PIPELINING, it MUST process each command in turn.\")", i+1, cmd, pop3FirstLine(rep.Raw), status)
		}
	}
	return nil
}

// ---- capabilities (RFC 2449) ----

var (
	// pop3CapabilityRE is RFC 2449 section 9's capability line:
	// capa-tag *(SP param), capa-tag = 1*cchar, param = 1*pchar,
	// cchar = %x21-2D / %x2F-7F, pchar = %x21-7F.
	pop3CapabilityRE = regexp.MustCompile(`^[\x21-\x2d\x2f-\x7f]+(?: [\x21-\x7f]+)*$`)
	// pop3SASLMechRE is a SASL mechanism name (RFC 4422 section 3.1).
	pop3SASLMechRE = regexp.MustCompile(`^[A-Z0-9_-]{1,20}$`)
)

// pop3CapabilityProblem checks one capability line of a CAPA response
// against RFC 2449 section 9 and the arguments section 6 (and RFC 2595,
// RFC 3206) give the known capabilities. It returns what is wrong, or "".
func pop3CapabilityProblem(line string, args bool) string {
	if !pop3CapabilityRE.MatchString(line) {
		return fmt.Sprintf("%q is not capa-tag *(SP param) (RFC 2449 section 9)", line)
	}
	if !args {
		return ""
	}
	f := strings.Split(line, " ")
	tag, params := strings.ToUpper(f[0]), f[1:]
	optUser := func(ps []string) []string {
		if len(ps) > 0 && strings.EqualFold(ps[len(ps)-1], "USER") {
			return ps[:len(ps)-1]
		}
		return ps
	}
	switch tag {
	case "TOP", "USER", "RESP-CODES", "PIPELINING", "UIDL", "STLS", "AUTH-RESP-CODE":
		if len(params) > 0 {
			return fmt.Sprintf("%s takes no argument, got %q", tag, line)
		}
	case "LOGIN-DELAY":
		ps := optUser(params)
		if len(ps) != 1 || strings.Trim(ps[0], "0123456789") != "" {
			return fmt.Sprintf("LOGIN-DELAY takes a number of seconds (and USER), got %q", line)
		}
	case "EXPIRE":
		ps := optUser(params)
		if len(ps) != 1 || (!strings.EqualFold(ps[0], "NEVER") && strings.Trim(ps[0], "0123456789") != "") {
			return fmt.Sprintf("EXPIRE takes a number of days or NEVER (and USER), got %q", line)
		}
	case "SASL":
		if len(params) == 0 {
			return fmt.Sprintf("SASL lists no mechanism: %q", line)
		}
		for _, m := range params {
			if !pop3SASLMechRE.MatchString(strings.ToUpper(m)) {
				return fmt.Sprintf("%q in %q is not a SASL mechanism name (RFC 4422 section 3.1)", m, line)
			}
		}
	}
	return ""
}

// pop3CapaLines returns the body lines of the last reply of c, which must
// answer CAPA.
func (w *world) pop3CapaLines(c *conn) ([]string, error) {
	if f := strings.Fields(c.lastCmd); len(f) == 0 || !strings.EqualFold(f[0], "CAPA") || c.status != "+OK" {
		return nil, w.harnessf("the last reply is not a positive response to CAPA")
	}
	return w.pop3BodyLinesOf(c)
}

func pop3CapabilityLines(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	lines, err := w.pop3CapaLines(c)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if p := pop3CapabilityProblem(l, false); p != "" {
			return w.failf("capa-tag *(SP param)", l, "%s: \"capability = capa-tag *(SP param) CRLF\"", p)
		}
		if len(l)+2 > pop3MaxLine {
			return w.failf("at most 512 octets", fmt.Sprintf("%d octets", len(l)+2), "a capability line is longer than 512 octets (RFC 2449 section 5: \"Each capability line is limited to 512 octets (including the CRLF).\")")
		}
	}
	return nil
}

func pop3CapArguments(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	lines, err := w.pop3CapaLines(c)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if p := pop3CapabilityProblem(l, true); p != "" {
			return w.failf("the arguments RFC 2449 section 6 defines", l, "%s (RFC 2449 section 6 defines each capability's arguments)", p)
		}
	}
	return nil
}

func pop3NoteCaps(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	if len(c.s.Caps()) == 0 {
		return w.notApplicable("the server does not answer CAPA with a capability list")
	}
	w.vars[pop3Caps] = strings.Join(c.s.Caps(), "\n")
	return nil
}

func pop3CapsAgain(ctx context.Context, list string) error {
	w := worldOf(ctx)
	noted, ok := w.vars[pop3Caps]
	if !ok {
		return w.harnessf("no capabilities were noted: use \"the capabilities are noted\" first")
	}
	var expect []string
	for _, name := range strings.Split(list, ", ") {
		if hasKeyword(strings.Split(noted, "\n"), name) {
			expect = append(expect, name)
		}
	}
	if len(expect) == 0 {
		return w.notApplicable("none of %s was announced before", list)
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	rep, err := w.pop3Exchange(c, "CAPA", true)
	if err != nil {
		return err
	}
	pop3Keep(c, "CAPA", rep)
	if !rep.OK {
		return w.failf("+OK and the capabilities", pop3FirstLine(rep.Raw), "CAPA was refused (RFC 2449 section 5: \"It is available in both the AUTHORIZATION and TRANSACTION states.\")")
	}
	var now []string
	for _, l := range rep.Lines {
		now = append(now, string(l))
	}
	var missing []string
	for _, name := range expect {
		if !hasKeyword(now, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return w.failf(strings.Join(expect, " "), strings.Join(now, " "), "CAPA no longer announces %s, announced before login (RFC 2449 section 5: \"Capabilities available in the AUTHORIZATION state MUST be announced in both states.\")", strings.Join(missing, ", "))
	}
	return nil
}

func pop3LineLengths(ctx context.Context, max int) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	for _, l := range pop3Lines(w.pop3LastRaw(c)) {
		if len(l) > max {
			return w.failf(fmt.Sprintf("at most %d octets", max), fmt.Sprintf("%d octets: %s", len(l), script.Display("pop3", l)),
				"a response line is %d octets long (RFC 1939 section 3: \"Responses may be up to 512 characters long, including the terminating CRLF.\"; RFC 2449 section 4: the first line of a response is limited to 512 octets, section 5: \"Each capability line is limited to 512 octets (including the CRLF).\")", len(l))
		}
	}
	return nil
}

// pop3RespCodeRE is RFC 2449 section 8's resp-code at the start of a text:
// "[" resp-level *("/" resp-level) "]", resp-level = 1*rchar, rchar =
// %x21-2E / %x30-5C / %x5E-7F.
var pop3RespCodeRE = regexp.MustCompile(`^\[[\x21-\x2e\x30-\x5c\x5e-\x7f]+(?:/[\x21-\x2e\x30-\x5c\x5e-\x7f]+)*\]`)

func pop3RespCode(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	line := pop3FirstLine(w.pop3LastRaw(c))
	_, text, _ := strings.Cut(line, " ")
	if strings.HasPrefix(text, "[") && !pop3RespCodeRE.MatchString(text) {
		return w.failf("[resp-code] or text without \"[\"", line, "the response text begins with \"[\" but is not a response code (RFC 2449 section 6.4: \"The RESP-CODES capability indicates that any response text issued by this server which begins with an open square bracket (\"[\") is an extended response code\"; section 8: resp-code = \"[\" resp-level *(\"/\" resp-level) \"]\")")
	}
	return nil
}

// ---- a second session on the same maildrop (RFC 1939 section 4) ----

func pop3SecondLogin(ctx context.Context, num string) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	if err := w.pop3Greet(c); err != nil {
		return err
	}
	err = w.pop3Login(c)
	var re *transcripts.ReplyError
	switch {
	case err != nil && asErr(err, &re):
		return nil // the maildrop is locked: the refusal RFC 1939 section 4 allows
	case err != nil:
		if w.na != "" {
			return err
		}
		return w.preambleFailed("a second login with the first account", err)
	}
	k, _ := strconv.Atoi(num)
	found, _, err := w.pop3Find(c, []int{k})
	if err != nil {
		return err
	}
	if _, ok := found[k]; !ok {
		return w.failf("a -ERR refusal, or the same maildrop", "a session without test message "+num,
			"a second session on the locked maildrop was let in but does not see test message %s, which the first session holds (RFC 1939 section 4: the server \"acquires an exclusive-access lock on the maildrop, as necessary to prevent messages from being modified or removed before the session enters the UPDATE state\")", num)
	}
	return nil
}

// ---- STLS plaintext injection (RFC 2595 section 4) ----

func pop3StartsTLS(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	if c.status != "+OK" {
		return w.notApplicable("the server answered STLS with %q, not +OK", c.text())
	}
	return w.tlsAfterGoAhead(c, "+OK to STLS", `RFC 2595 section 4: "A TLS negotiation begins immediately after the CRLF at the end of the +OK response from the server."`)
}

func pop3NoInjectedReply(ctx context.Context, ms int) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	got, d, err := w.injectedReply(c, ms)
	if err != nil || got == nil {
		return err
	}
	reason := "the server answered, inside TLS, commands the client sent in plaintext together with STLS (RFC 2595 section 4: \"A TLS negotiation begins immediately after the CRLF at the end of the +OK response from the server.\"; what came before the negotiation is not part of the TLS session: the CVE-2011-0411 class)"
	if rep, rerr := c.s.ReadPOP3(false); rerr == nil {
		return w.failf(fmt.Sprintf("no reply for %s", d), pop3FirstLine(rep.Raw), "%s: %q", reason, pop3FirstLine(rep.Raw))
	}
	return w.failf(fmt.Sprintf("no reply for %s", d), script.Display("pop3", got), "%s", reason)
}

// ---- over-long lines ----

func pop3RefusesOrCloses(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	rep, err := c.s.ReadPOP3(false)
	if err != nil {
		if isClosedErr(err) {
			delete(w.conns, w.cur)
			return nil
		}
		return w.readFailed("-ERR or a close", err)
	}
	w.violations = append(w.violations, rep.Violations...)
	pop3Keep(c, c.lastCmd, rep)
	if rep.Status != "-ERR" {
		return w.failf("-ERR or a close", pop3FirstLine(rep.Raw), "the over-long command line was not refused (RFC 1939 section 3: \"The server MUST respond to an unrecognized, unimplemented, or syntactically invalid command by responding with a negative status indicator.\"; RFC 2449 section 4 bounds a command at 255 octets)")
	}
	return nil
}

func pop3GreetedAgain(ctx context.Context) error {
	w := worldOf(ctx)
	if _, open := w.conns["again"]; open {
		return w.harnessf("connection \"again\" is already open")
	}
	if err := w.connect("again", ""); err != nil {
		return err
	}
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	rep, err := w.pop3Read(c, "the greeting", false)
	if err != nil {
		return err
	}
	pop3Keep(c, "", rep)
	if !rep.OK {
		return w.failf("+OK greeting", pop3FirstLine(rep.Raw), "a new connection is not greeted with a positive response (RFC 1939 section 4)")
	}
	return nil
}

// ---- SASL (RFC 5034) ----

func pop3SASL(ctx context.Context, mech string) error {
	w := worldOf(ctx)
	mech = strings.ToUpper(unquote(mech))
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	if !c.s.IsTLS() && c.s.HasCap("STLS") {
		if err := c.s.UpgradeIfOffered(w.ctx); err != nil {
			return w.preambleFailed("STLS and CAPA (RFC 2595 section 4)", err)
		}
	}
	offered := false
	for _, m := range c.s.Mechanisms() {
		offered = offered || strings.EqualFold(m, mech)
	}
	if !offered {
		return w.notApplicable("the server does not list %s in its SASL capability (SASL %s)", mech, strings.Join(c.s.Mechanisms(), " "))
	}
	return w.saslWithFirstAccount(c, mech, "+OK", "RFC 5034 section 4")
}

func pop3RefusesEither(ctx context.Context, first, second string) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	var replies []string
	for _, line := range []string{first, second} {
		if err := w.send(unquote(line)); err != nil {
			return err
		}
		rep, err := w.pop3Read(c, c.lastCmd, false)
		if err != nil {
			return err
		}
		pop3Keep(c, c.lastCmd, rep)
		if rep.Status == "-ERR" {
			return nil
		}
		replies = append(replies, pop3FirstLine(rep.Raw))
	}
	return w.failf("-ERR to one of them", strings.Join(replies, " / "), "the server accepted both %q and %q where the profile says it requires TLS for authentication (RFC 2595 section 2.2: \"Server sites SHOULD NOT use any configurations which permit a plaintext password mechanism without such a protection mechanism against password snooping.\")", unquote(first), unquote(second))
}

// ---- APOP (RFC 1939 section 7) ----

// pop3APOPTimestamp finds the timestamp of a greeting text: "<" ... "@" ...
// ">" (RFC 1939 section 7: its syntax is RFC 822's msg-id).
var pop3APOPTimestamp = regexp.MustCompile(`<[^<>@\s]+@[^<>\s]+>`)

func pop3HasTimestamp(ctx context.Context) error {
	w := worldOf(ctx)
	g, ok := w.vars[pop3Greeting]
	if !ok {
		return w.harnessf("no greeting was read: begin with \"a POP3 session\"")
	}
	if pop3APOPTimestamp.FindString(g) == "" {
		return w.notApplicable("the greeting has no APOP timestamp: APOP is not offered")
	}
	return nil
}

func pop3OtherTimestamp(ctx context.Context) error {
	w := worldOf(ctx)
	first := pop3APOPTimestamp.FindString(w.vars[pop3Greeting])
	if err := pop3GreetedAgain(ctx); err != nil {
		return err
	}
	c, _ := w.pop3Conn()
	_, text, _ := strings.Cut(pop3FirstLine(w.pop3LastRaw(c)), " ")
	second := pop3APOPTimestamp.FindString(text)
	switch {
	case second == "":
		return w.failf("a timestamp <...@...>", text, "the second greeting has no APOP timestamp, the first had %s (RFC 1939 section 7: \"A POP3 server which implements the APOP command will include a timestamp in its banner greeting.\")", first)
	case second == first:
		return w.failf("a timestamp other than "+first, second, "two greetings carry the same APOP timestamp (RFC 1939 section 7: the timestamp \"MUST be different each time the POP3 server issues a banner greeting\")")
	}
	return nil
}

func pop3APOP(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	ts := pop3APOPTimestamp.FindString(w.vars[pop3Greeting])
	if ts == "" {
		return w.notApplicable("the greeting has no APOP timestamp: APOP is not offered")
	}
	a := w.env.Profile.Accounts[0]
	sum := md5.Sum([]byte(ts + a.Password))
	digest := hex.EncodeToString(sum[:])
	line := "APOP " + a.User + " " + digest
	c.lastCmd = line
	if err := c.s.SendRecorded([]byte(line+"\r\n"), []byte("APOP ${user} ${redacted}\r\n")); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

// ---- LANG (RFC 6856) ----

func pop3AsksLanguages(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.pop3Conn()
	if err != nil {
		return err
	}
	rep, err := w.pop3Exchange(c, "LANG", true)
	if err != nil {
		return err
	}
	pop3Keep(c, "LANG", rep)
	return nil
}

func pop3SelectsLanguage(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	if c.lastCmd != "LANG" || c.status != "+OK" {
		return w.harnessf("the last reply is not a positive response to LANG: ask for the language listing first")
	}
	lines, err := w.pop3BodyLinesOf(c)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		return w.failf("a language listing", c.text(), "the positive response to LANG lists no language (RFC 6856 section 3)")
	}
	tag, _, _ := strings.Cut(lines[0], " ")
	w.vars[pop3Lang] = tag
	return w.send("LANG " + tag)
}

func pop3NamesLanguage(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	tag := w.vars[pop3Lang]
	line := pop3FirstLine(w.pop3LastRaw(c))
	rest, ok := strings.CutPrefix(line, "+OK ")
	got, _, _ := strings.Cut(rest, " ")
	if !ok || !strings.EqualFold(got, tag) || !strings.HasPrefix(rest, got+" ") {
		return w.failf("+OK "+tag+" text", line, "the positive response to LANG %s does not name the language tag selected (RFC 6856 section 3: \"If the command succeeds, the server returns a +OK response followed by a single space, the exact language tag selected, and another space.\")", tag)
	}
	return nil
}
