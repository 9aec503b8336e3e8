package steps

// Steps of the IMAP message, extension and concurrency suites
// (features/imap/append, fetch, store, copy-move, expunge, search, uid,
// idle, uidplus, condstore, esearch and concurrency .feature): APPEND of
// the messages of features.Messages (RFC 9051 section 6.3.12) with their
// UIDs (RFC 4315 APPENDUID), FETCH results checked against the judge's own
// model of each message (package transcripts/imapmsg, RFC 9051 section
// 7.5.2), COPYUID (RFC 4315 section 3), and the message numbering that the
// untagged EXISTS and EXPUNGE responses imply (RFC 9051 sections 7.4.1 and
// 7.5.1), tracked on every connection from the recorded transcript.

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/imapmsg"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

const msgNameRE = `"([a-z0-9][a-z0-9-]*)"`

func init() {
	addSteps(
		Def{Expr: `^the message ` + msgNameRE + ` is appended(?: to "([^"]*)")?(?: with flags "([^"]*)")?$`, Example: `Given the message "plain" is appended`,
			Doc: "APPEND of features/messages/<name>.eml, with \"X-Mailspec-Run: ${runid}\" added on top, to ${mailbox} (or the mailbox given), with the flags given; OK is required (RFC 9051 section 6.3.12); sets ${uid_<name>} (hyphens as _) from APPENDUID (RFC 4315) when the server sends one", fn: messageAppended},
		Def{Expr: `^the message ` + msgNameRE + ` is prepared$`, Example: `Given the message "plain" is prepared`,
			Doc: "makes the message (with the X-Mailspec-Run header) the one \"the client sends the prepared message\" sends, and sets ${size} to its size in octets", fn: messagePrepared},
		Def{Expr: `^the client sends the prepared message$`, Example: `When the client sends the prepared message`,
			Doc: "sends the prepared message and CRLF, the literal of an APPEND whose command line was sent and answered +; the next reply read is still the APPEND's", fn: sendsPrepared},
		Def{Expr: `^the APPEND is answered NO( with TRYCREATE)?$`, Example: `Then the APPEND is answered NO with TRYCREATE`,
			Doc: "after an APPEND command line with a literal: reads the reply; a + is answered with the prepared message first; the completion must be NO (with the TRYCREATE response code, RFC 9051 section 6.3.12)", fn: appendAnsweredNO},
		Def{Expr: `^the reply matches ` + quotedRE + ` or the case is not applicable$`, Example: `And the reply matches "* OK [PERMANENTFLAGS (*\\**)]*" or the case is not applicable`,
			Doc: "some line of the last reply matches the pattern; if none does, the case is not applicable (a server choice the scenario depends on)", fn: replyMatchesOrNA},
		Def{Expr: `^the reply to the bare line is BAD$`, Example: `Then the reply to the bare line is BAD`,
			Doc: "reads one response to a line that is no command (its first word taken as a tag): a BAD, tagged with that word or untagged (RFC 9051 section 7.1.5)", fn: bareLineBAD},
		Def{Expr: `^the server refuses it with NO, or the case is not applicable$`, Example: `Then the server refuses it with NO, or the case is not applicable`,
			Doc: "reads the next IMAP reply: NO passes, OK makes the case not applicable (where the RFC only says SHOULD refuse, e.g. COPY to a missing mailbox), anything else fails", fn: refusesOrNA},
		Def{Expr: `^the client ends IDLE with DONE$`, Example: `When the client ends IDLE with DONE`,
			Doc: "sends DONE (RFC 2177 section 3); the next reply read is the IDLE command's", fn: endsIdle},
		Def{Expr: `^a second IMAP session "(\w+)" with the test mailbox (selected|examined)$`, Example: `And a second IMAP session "2" with the test mailbox selected`,
			Doc: "opens another connection, reads the greeting, starts TLS where offered, logs in with the first account and SELECTs (or EXAMINEs) ${mailbox}, each answered OK; the new connection becomes current", fn: secondIMAPSession},
		Def{Expr: `^the FETCH (.+) of message (\d+) matches the message ` + msgNameRE + `$`, Example: `Then the FETCH ENVELOPE of message 1 matches the message "imap-nested"`,
			Doc: "FETCH n (item): OK, and the item's value for message n is one the RFCs allow for the message as appended (the judge's own parse of it; RFC 9051 sections 6.4.5 and 7.5.2, RFC 3516)", fn: fetchMatches},
		Def{Expr: `^the UID FETCH (.+) of the message ` + msgNameRE + ` matches it$`, Example: `Then the UID FETCH BODY.PEEK[TEXT] of the message "plain" matches it`,
			Doc: "UID FETCH uid (item) with the message's UID: OK, the FETCH response carries the UID (RFC 9051 section 6.4.9) and the item matches the message as appended", fn: uidFetchMatches},
		Def{Expr: `^the reply includes the FLAGS of message (\d+)(?: with "([^"]*)")?$`, Example: `And the reply includes the FLAGS of message 1 with "\Flagged \Seen"`,
			Doc: "the last reply has an untagged FETCH of message n with a FLAGS item, holding every flag given (case-insensitively)", fn: replyIncludesFlags},
		Def{Expr: `^the reply has no untagged (EXPUNGE|FETCH|EXISTS|VANISHED)$`, Example: `And the reply has no untagged EXPUNGE`,
			Doc: "no untagged response of the last reply (all responses since the last command line) has that keyword", fn: replyHasNo},
		Def{Expr: `^message (\d+) (has|does not have) the flag "([^"]+)"$`, Example: `Then message 1 does not have the flag "\Seen"`,
			Doc: "FETCH n (FLAGS) is answered OK with the FLAGS of message n, which include (or do not include) the flag", fn: messageFlag},
		Def{Expr: `^the selected mailbox holds (?:the messages (.+)|no messages)$`, Example: `Then the selected mailbox holds the messages "plain", "imap-nested"`,
			Doc: "UID FETCH 1:* (UID): the mailbox holds exactly these appended messages, in this order; and the numbering the untagged EXISTS and EXPUNGE responses on this connection implied agrees (RFC 9051 section 7.5.1)", fn: mailboxHolds},
		Def{Expr: `^the SEARCH result is (?:the messages (.+)|empty)$`, Example: `Then the SEARCH result is the messages "plain", "multipart"`,
			Doc: "the numbers of the last reply's untagged SEARCH responses (or ESEARCH ALL) are exactly those of these messages: UIDs after UID SEARCH, else sequence numbers", fn: searchResult},
		Def{Expr: `^the APPENDUID response code names the message ` + msgNameRE + `$`, Example: `And the APPENDUID response code names the message "plain"`,
			Doc: "after the prepared message was appended to ${mailbox}: the tagged OK carries [APPENDUID uidvalidity uid] (RFC 4315 section 3) with the mailbox's UIDVALIDITY (from STATUS, or the SELECT of it) and a UID below UIDNEXT; sets ${uid_<name>}", fn: appendUIDNames},
		Def{Expr: `^the COPYUID response code maps the messages (.+) to "([^"]*)"$`, Example: `And the COPYUID response code maps the messages "plain", "multipart" to "${mailbox2}"`,
			Doc: "the last reply carries [COPYUID uidvalidity source-uids destination-uids] (RFC 4315 section 3): the destination's UIDVALIDITY, exactly the UIDs of these messages as source, and destination UIDs that hold the same messages, in the same order (checked over a second connection that EXAMINEs the destination)", fn: copyUIDMaps},
		Def{Expr: `^an untagged response matching ` + quotedRE + ` arrives$`, Example: `Then an untagged response matching "* 1 EXISTS" arrives`,
			Doc: "reads responses (within the reply deadline) until an untagged one matches; a tagged response or a continuation request before it fails", fn: untaggedArrives},
		Def{Expr: `^the number \$\{(\w+)\} is greater than (\d+|\$\{\w+\})$`, Example: `And the number ${uidvalidity} is greater than 0`,
			Doc: "compares two variables (or a variable and a number) as unsigned integers", fn: numberGreater},
	)
}

// ---- Scenario state ----

// storedMsg is a message the scenario appended (or copied).
type storedMsg struct {
	name, mailbox string
	raw           []byte
	model         *imapmsg.Message
	uid           uint32
	// at is how many transcript entries there were when the UID became
	// known: the message can fill a place in the numbering from then on.
	at int
}

// msgState is what these steps keep for one scenario.
type msgState struct {
	msgs     []*storedMsg
	prepared *storedMsg
	cursor   int              // recorder entries already tracked
	track    map[int]*tracker // by recorder connection number
}

var msgStates sync.Map // *world -> *msgState

func msgStateOf(w *world) *msgState {
	if v, ok := msgStates.Load(w); ok {
		return v.(*msgState)
	}
	st := &msgState{track: map[int]*tracker{}}
	msgStates.Store(w, st)
	w.onEnd(func(context.Context) error { msgStates.Delete(w); return nil })
	return st
}

// find returns the message called name in mailbox.
func (st *msgState) find(name, mailbox string) *storedMsg {
	for i := len(st.msgs) - 1; i >= 0; i-- {
		if m := st.msgs[i]; m.name == name && m.mailbox == mailbox {
			return m
		}
	}
	return nil
}

// loadMessage reads features/messages/<name>.eml and adds the run's
// header on top.
func (w *world) loadMessage(name, mailbox string) (*storedMsg, error) {
	raw, err := features.Messages.ReadFile("messages/" + name + ".eml")
	if err != nil {
		return nil, w.harnessf("no message %q in features/messages", name)
	}
	full := append([]byte("X-Mailspec-Run: "+w.env.RunID+"\r\n"), raw...)
	m, err := imapmsg.Parse(full)
	if err != nil {
		return nil, w.harnessf("message %s: %v", name, err)
	}
	return &storedMsg{name: name, mailbox: mailbox, raw: full, model: m}, nil
}

func uidVar(name string) string { return "uid_" + strings.ReplaceAll(name, "-", "_") }

// ---- Tracking the numbering (RFC 9051 sections 7.4.1, 7.5.1) ----

// tracker follows one connection's view of its selected mailbox from the
// recorded transcript: the UID at each message sequence number (0 when
// not known yet).
type tracker struct {
	selected    string
	uidvalidity string
	pending     map[string]string // tag of SELECT/EXAMINE -> mailbox
	closing     map[string]bool   // tag of CLOSE/UNSELECT
	seq         []uint32
	last        []wire.IMAPResponse // the responses since the last client line
	problems    []string
}

// sync feeds the recorded entries not seen yet to their trackers.
func (w *world) sync() *msgState {
	st := msgStateOf(w)
	entries := w.rec.Entries()
	for i, e := range entries[min(st.cursor, len(entries)):] {
		tr := st.track[e.Conn]
		if tr == nil {
			tr = &tracker{pending: map[string]string{}, closing: map[string]bool{}}
			st.track[e.Conn] = tr
		}
		switch e.Dir {
		case transcripts.Client:
			tr.client(e.Data)
		case transcripts.Server:
			r, err := wire.NewIMAPReader(bytes.NewReader(e.Data), wire.Limits{}).ReadResponse()
			if err == nil {
				if r.Keyword == "EXPUNGE" || r.Keyword == "VANISHED" {
					// Known UIDs first: an EXPUNGE must remove a known one.
					tr.fillBefore(st, st.cursor+i)
				}
				tr.server(r)
			}
		}
	}
	st.cursor = len(entries)
	return st
}

func (tr *tracker) client(data []byte) {
	tr.last = nil
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		verb := strings.ToUpper(f[1])
		switch verb {
		case "SELECT", "EXAMINE":
			if len(f) >= 3 {
				tr.pending[f[0]] = strings.Trim(f[2], `"`)
				tr.selected, tr.seq, tr.uidvalidity = "", nil, ""
			}
		case "CLOSE", "UNSELECT":
			tr.closing[f[0]] = true
		}
	}
}

func (tr *tracker) problemf(format string, args ...any) {
	tr.problems = append(tr.problems, fmt.Sprintf(format, args...))
}

func (tr *tracker) server(r wire.IMAPResponse) {
	tr.last = append(tr.last, r)
	switch r.Kind {
	case wire.IMAPTagged:
		if mb, ok := tr.pending[r.Tag]; ok {
			delete(tr.pending, r.Tag)
			if r.Status == "OK" {
				tr.selected = mb
			} else {
				tr.seq = nil
			}
		}
		if tr.closing[r.Tag] {
			delete(tr.closing, r.Tag)
			if r.Status == "OK" {
				tr.selected, tr.seq = "", nil
			}
		}
		return
	case wire.IMAPUntagged:
	default:
		return
	}
	if r.Status == "OK" && r.Code == "UIDVALIDITY" && len(tr.pending) > 0 {
		tr.uidvalidity = r.CodeArgs
	}
	n := int(r.Number)
	switch r.Keyword {
	case "EXISTS":
		if n < len(tr.seq) {
			tr.problemf("* %d EXISTS while %d messages were known: only EXPUNGE may lower the count (RFC 9051 section 7.4.1)", n, len(tr.seq))
			tr.seq = tr.seq[:n]
		}
		for len(tr.seq) < n {
			tr.seq = append(tr.seq, 0)
		}
	case "EXPUNGE":
		if n < 1 || n > len(tr.seq) {
			tr.problemf("* %d EXPUNGE for a mailbox of %d messages", n, len(tr.seq))
			return
		}
		tr.seq = append(tr.seq[:n-1], tr.seq[n:]...)
	case "FETCH":
		items, err := imapmsg.FetchItems(r)
		if err != nil {
			return
		}
		uid, ok := items["UID"]
		if !ok || uid.Kind != wire.Number {
			return
		}
		if n < 1 || n > len(tr.seq) {
			tr.problemf("* %d FETCH (UID %d) for a mailbox of %d messages", n, uid.Num, len(tr.seq))
			return
		}
		switch have := tr.seq[n-1]; {
		case have == 0:
			tr.seq[n-1] = uint32(uid.Num)
		case uint64(have) != uid.Num:
			tr.problemf("* %d FETCH says UID %d, but the EXISTS and EXPUNGE responses so far put UID %d at number %d", n, uid.Num, have, n)
			tr.seq[n-1] = uint32(uid.Num)
		}
	}
}

// fill puts the UIDs of the scenario's messages of the selected mailbox
// into the unknown places, when there are exactly as many.
func (tr *tracker) fill(st *msgState) { tr.fillBefore(st, -1) }

// fillBefore is fill with only the messages whose UID was known before
// transcript entry idx (all of them when idx < 0).
func (tr *tracker) fillBefore(st *msgState, idx int) {
	known := map[uint32]bool{}
	var holes []int
	for i, u := range tr.seq {
		if u == 0 {
			holes = append(holes, i)
		} else {
			known[u] = true
		}
	}
	if len(holes) == 0 {
		return
	}
	var cands []uint32
	for _, m := range st.msgs {
		if m.mailbox == tr.selected && m.uid != 0 && !known[m.uid] && (idx < 0 || m.at <= idx) {
			cands = append(cands, m.uid)
			known[m.uid] = true
		}
	}
	if len(cands) != len(holes) {
		return
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i] < cands[j] })
	for i, h := range holes {
		tr.seq[h] = cands[i]
	}
}

// trackerOf returns the current connection's tracker, up to date.
func (w *world) trackerOf(c *conn) (*msgState, *tracker) {
	st := w.sync()
	tr := st.track[c.s.Conn]
	if tr == nil {
		tr = &tracker{pending: map[string]string{}, closing: map[string]bool{}}
		st.track[c.s.Conn] = tr
	}
	tr.fill(st)
	return st, tr
}

// ---- APPEND ----

func messageAppended(ctx context.Context, name, mailbox, flags string) error {
	w := worldOf(ctx)
	if mailbox == "" {
		mailbox = "${mailbox}"
	}
	mb, err := w.expand(mailbox)
	if err != nil {
		return err
	}
	m, err := w.loadMessage(name, mb)
	if err != nil {
		return err
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	tag := c.s.NextTag()
	line := tag + " APPEND " + mb
	if flags != "" {
		line += " " + flags
	}
	line += " {" + strconv.Itoa(len(m.raw)) + "}"
	c.lastCmd = line
	if err := c.s.Send(line); err != nil {
		return w.sendFailed(err)
	}
	untagged, tagged, err := c.s.IMAPReadUntil(tag)
	if err != nil {
		return w.readFailed("+ to APPEND's literal", err)
	}
	w.noteReply(c, untagged, tagged)
	if tagged.Kind != wire.IMAPContinuation {
		return w.failf("+ (ready for the literal)", c.text(), "APPEND of a new message to a test mailbox was not accepted (RFC 9051 section 6.3.12)")
	}
	if err := c.s.SendRaw(append(append([]byte(nil), m.raw...), '\r', '\n')); err != nil {
		return w.sendFailed(err)
	}
	untagged, tagged, err = c.s.IMAPReadUntil(tag)
	if err != nil {
		return w.readFailed(tag+" OK to APPEND", err)
	}
	w.noteReply(c, untagged, tagged)
	if tagged.Status != "OK" {
		return w.failf(tag+" OK", c.text(), "APPEND of a new message to a test mailbox failed (RFC 9051 section 6.3.12)")
	}
	st := msgStateOf(w)
	st.msgs = append(st.msgs, m)
	m.at = len(w.rec.Entries())
	if tagged.Code == "APPENDUID" {
		if f := strings.Fields(tagged.CodeArgs); len(f) == 2 {
			if uid, err := strconv.ParseUint(f[1], 10, 32); err == nil && uid > 0 {
				m.uid = uint32(uid)
				w.vars[uidVar(name)] = f[1]
			}
		}
	}
	return nil
}

// noteReply keeps a reply read by a step as the connection's last reply.
func (w *world) noteReply(c *conn, untagged []wire.IMAPResponse, tagged wire.IMAPResponse) {
	c.lines, c.status, c.code = nil, "", 0
	for _, u := range untagged {
		w.violations = append(w.violations, u.Violations...)
		c.lines = append(c.lines, displayIMAP(u))
	}
	w.violations = append(w.violations, tagged.Violations...)
	c.lines = append(c.lines, displayIMAP(tagged))
	c.status = tagged.Status
	if tagged.Kind == wire.IMAPContinuation {
		c.status = "+"
	}
}

func displayIMAP(r wire.IMAPResponse) string { return script.Display("imap", r.Raw) }

func (w *world) expand(s string) (string, error) {
	out := s
	for {
		i := strings.Index(out, "${")
		if i < 0 {
			return out, nil
		}
		j := strings.IndexByte(out[i:], '}')
		if j < 0 {
			return "", w.harnessf("unterminated variable in %q", s)
		}
		v, ok := w.vars[out[i+2:i+j]]
		if !ok {
			return "", w.harnessf("unknown variable ${%s}", out[i+2:i+j])
		}
		out = out[:i] + v + out[i+j+1:]
	}
}

func messagePrepared(ctx context.Context, name string) error {
	w := worldOf(ctx)
	mb := w.vars["mailbox"]
	m, err := w.loadMessage(name, mb)
	if err != nil {
		return err
	}
	msgStateOf(w).prepared = m
	w.vars["size"] = strconv.Itoa(len(m.raw))
	return nil
}

func sendsPrepared(ctx context.Context) error {
	w := worldOf(ctx)
	st := msgStateOf(w)
	if st.prepared == nil {
		return w.harnessf("no prepared message: use \"the message ... is prepared\" first")
	}
	c, err := w.current()
	if err != nil {
		return err
	}
	if err := c.s.SendRaw(append(append([]byte(nil), st.prepared.raw...), '\r', '\n')); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func appendAnsweredNO(ctx context.Context, trycreate string) error {
	w := worldOf(ctx)
	c, err := w.readReply("NO")
	if err != nil {
		return err
	}
	if c.status == "+" {
		if err := sendsPrepared(ctx); err != nil {
			return err
		}
		if c, err = w.readReply("NO"); err != nil {
			return err
		}
	}
	if c.status != "NO" {
		return w.failf("NO", c.text(), "APPEND to a mailbox that does not exist was not refused with NO (RFC 9051 section 6.3.12: \"If the destination mailbox does not exist, a server MUST return an error, and MUST NOT automatically create the mailbox.\")")
	}
	if trycreate != "" {
		last := c.lines[len(c.lines)-1]
		_, rest, _ := strings.Cut(last, " NO ")
		if !strings.HasPrefix(strings.ToUpper(rest), "[TRYCREATE]") {
			return w.failf("NO [TRYCREATE] ...", last, "the NO lacks the TRYCREATE response code (RFC 9051 section 6.3.12: \"Unless it is certain that the destination mailbox can not be created, the server MUST send the response code \"[TRYCREATE]\" as the prefix of the text of the tagged NO response.\")")
		}
	}
	return nil
}

func replyMatchesOrNA(ctx context.Context, p string) error {
	return linesMatch(ctx, p, someLineOrNA)
}

func bareLineBAD(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	tag, _, _ := strings.Cut(c.lastCmd, " ")
	for i := 0; i < 100; i++ {
		r, err := c.s.ReadIMAP()
		if err != nil {
			return w.readFailed("BAD", err)
		}
		w.violations = append(w.violations, r.Violations...)
		line := displayIMAP(r)
		c.lines = []string{line}
		switch {
		case r.Status == "BAD" && (r.Kind == wire.IMAPUntagged || r.Tag == tag):
			return nil
		case r.Kind == wire.IMAPUntagged && r.Status == "":
			continue // unsolicited data (RFC 9051 section 5.2)
		}
		return w.failf(tag+" BAD or * BAD", line, "a line that is no command was not answered BAD (RFC 9051 section 7.1.5: BAD \"reports a protocol-level error in the client's command\")")
	}
	return w.failf("BAD", c.text(), "no BAD among 100 responses")
}

func refusesOrNA(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.readReply("NO")
	if err != nil {
		return err
	}
	switch {
	case statusMatches(c, "NO"):
		return nil
	case statusMatches(c, "OK"):
		return w.notApplicable("the server accepted the command (%s); the refusal is a SHOULD", c.text())
	}
	return w.failf("NO", c.text(), "expected NO, got %q", c.text())
}

func endsIdle(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	if err := c.s.Send("DONE"); err != nil {
		return w.sendFailed(err)
	}
	return nil
}

func secondIMAPSession(ctx context.Context, name, mode string) error {
	w := worldOf(ctx)
	mb, ok := w.vars["mailbox"]
	if !ok {
		return w.harnessf("no test mailbox: begin with \"Given a test mailbox\"")
	}
	if _, ok := w.conns[name]; ok {
		return w.harnessf("connection %q is already open", name)
	}
	if err := w.connect(name, ""); err != nil {
		return err
	}
	c, _ := w.current()
	if _, err := c.s.IMAPGreeting(); err != nil {
		return w.preambleFailed("the greeting (RFC 9051 section 7.1)", err)
	}
	if len(c.s.Caps()) == 0 {
		if _, err := c.s.IMAPCapability(); err != nil {
			return w.preambleFailed("CAPABILITY (RFC 9051 section 6.1.1)", err)
		}
	}
	if err := authenticated(ctx); err != nil {
		return err
	}
	cmd := "SELECT "
	if mode == "examined" {
		cmd = "EXAMINE "
	}
	_, _, tagged, err := w.imapCmd(cmd + mb)
	if err != nil {
		return err
	}
	if tagged.Status != "OK" {
		return w.failf("OK to "+cmd+mb, c.text(), "%s of an existing mailbox failed (RFC 9051 sections 6.3.2 and 6.3.3)", strings.TrimSpace(cmd))
	}
	return nil
}

// ---- FETCH checks ----

// fetchSection names the RFC section that defines a FETCH item's value.
func fetchSection(item string) string {
	k := imapmsg.ItemKey(item)
	switch {
	case strings.HasPrefix(k, "BINARY"):
		return "RFC 3516 section 4.2"
	case strings.HasPrefix(k, "BODY["):
		return "RFC 9051 section 6.4.5"
	}
	return "RFC 9051 section 7.5.2"
}

// fetchItems sends cmd (a FETCH or UID FETCH) and returns the data items
// of the FETCH responses for message number n (all of them when n is 0),
// merged.
func (w *world) fetchItems(cmd string, n uint32, byUID uint32) (map[string]wire.Value, *conn, error) {
	c, untagged, tagged, err := w.imapCmd(cmd)
	if err != nil {
		return nil, nil, err
	}
	if tagged.Status != "OK" {
		return nil, c, w.failf("OK", c.text(), "%s was not answered OK (RFC 9051 section 6.4.5)", cmd)
	}
	items := map[string]wire.Value{}
	for _, u := range untagged {
		if u.Keyword != "FETCH" {
			continue
		}
		its, err := imapmsg.FetchItems(u)
		if err != nil {
			return nil, c, w.failf("* n FETCH (name value ...)", displayIMAP(u), "malformed FETCH response (RFC 9051 section 7.5.2): %v", err)
		}
		if byUID != 0 {
			if v, ok := its["UID"]; !ok || v.Kind != wire.Number || v.Num != uint64(byUID) {
				continue
			}
		} else if n != 0 && u.Number != n {
			continue
		}
		for k, v := range its {
			items[k] = v
		}
	}
	return items, c, nil
}

func (w *world) compareItem(c *conn, m *storedMsg, item string, items map[string]wire.Value, which string) error {
	got, ok := items[imapmsg.ItemKey(item)]
	if !ok {
		return w.failf(imapmsg.ItemKey(item)+" of "+which, c.text(), "the FETCH response for %s lacks the requested data item %s (%s)", which, imapmsg.ItemKey(item), fetchSection(item))
	}
	d, err := m.model.Compare(item, got)
	if err != nil {
		return w.harnessf("%v", err)
	}
	if d != "" {
		return w.failf("the value for the message "+m.name+" as appended", d, "FETCH %s of %s does not describe the message as appended (%s):\n%s", item, which, fetchSection(item), d)
	}
	return nil
}

func (w *world) namedMessage(name string) (*storedMsg, error) {
	st := msgStateOf(w)
	mb := w.vars["mailbox"]
	if m := st.find(name, mb); m != nil {
		return m, nil
	}
	for i := len(st.msgs) - 1; i >= 0; i-- {
		if st.msgs[i].name == name {
			return st.msgs[i], nil
		}
	}
	// A message the scenario did not append: compared as it would have
	// been appended.
	return w.loadMessage(name, "")
}

func fetchMatches(ctx context.Context, item string, n int, name string) error {
	w := worldOf(ctx)
	m, err := w.namedMessage(name)
	if err != nil {
		return err
	}
	items, c, err := w.fetchItems(fmt.Sprintf("FETCH %d (%s)", n, item), uint32(n), 0)
	if err != nil {
		return err
	}
	return w.compareItem(c, m, item, items, "message "+strconv.Itoa(n))
}

func uidFetchMatches(ctx context.Context, item, name string) error {
	w := worldOf(ctx)
	m, err := w.namedMessage(name)
	if err != nil {
		return err
	}
	if m.uid == 0 {
		return w.notApplicable("the UID of %s is unknown: the server sent no APPENDUID (RFC 4315)", name)
	}
	cmd := fmt.Sprintf("UID FETCH %d (%s)", m.uid, item)
	c, untagged, tagged, err := w.imapCmd(cmd)
	if err != nil {
		return err
	}
	if tagged.Status != "OK" {
		return w.failf("OK", c.text(), "%s was not answered OK (RFC 9051 section 6.4.9)", cmd)
	}
	var fetches []wire.IMAPResponse
	for _, u := range untagged {
		if u.Keyword == "FETCH" {
			fetches = append(fetches, u)
		}
	}
	if len(fetches) == 0 {
		return w.failf("* n FETCH (UID "+strconv.Itoa(int(m.uid))+" ...)", c.text(), "UID FETCH of the UID the server gave the message returned no FETCH response (RFC 9051 section 6.4.9)")
	}
	items := map[string]wire.Value{}
	for _, u := range fetches {
		its, err := imapmsg.FetchItems(u)
		if err != nil {
			return w.failf("* n FETCH (name value ...)", displayIMAP(u), "malformed FETCH response (RFC 9051 section 7.5.2): %v", err)
		}
		if _, ok := its["UID"]; !ok {
			return w.failf("a UID data item", displayIMAP(u), "a FETCH response to UID FETCH lacks the UID (RFC 9051 section 6.4.9: \"the UID data item MUST be included in any FETCH response caused by a UID command\")")
		}
		if v := its["UID"]; v.Kind != wire.Number || v.Num != uint64(m.uid) {
			continue
		}
		for k, v := range its {
			items[k] = v
		}
	}
	if len(items) == 0 {
		return w.failf("* n FETCH (UID "+strconv.Itoa(int(m.uid))+" ...)", c.text(), "no FETCH response for UID %d (RFC 9051 section 6.4.9)", m.uid)
	}
	return w.compareItem(c, m, item, items, "UID "+strconv.Itoa(int(m.uid)))
}

// flagsOf reads a FLAGS value.
func flagsOf(v wire.Value) ([]string, bool) {
	if v.Kind != wire.List {
		return nil, false
	}
	var out []string
	for _, f := range v.List {
		out = append(out, f.Str)
	}
	return out, true
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

func replyIncludesFlags(ctx context.Context, n int, want string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	_, tr := w.trackerOf(c)
	for _, r := range tr.last {
		if r.Kind != wire.IMAPUntagged || r.Keyword != "FETCH" || int(r.Number) != n {
			continue
		}
		items, err := imapmsg.FetchItems(r)
		if err != nil {
			continue
		}
		flags, ok := flagsOf(items["FLAGS"])
		if !ok {
			continue
		}
		for _, f := range strings.Fields(want) {
			if !hasFlag(flags, f) {
				return w.failf("FLAGS with "+f, displayIMAP(r), "the FETCH FLAGS of message %d lack %s after it was stored (RFC 9051 section 6.4.6)", n, f)
			}
		}
		return nil
	}
	return w.failf(fmt.Sprintf("* %d FETCH (FLAGS (...))", n), c.text(), "the reply has no untagged FETCH with the FLAGS of message %d (RFC 9051 section 6.4.6: \"The new value of the flags is returned as if a FETCH of those flags was done.\")", n)
}

func replyHasNo(ctx context.Context, kw string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	_, tr := w.trackerOf(c)
	for _, r := range tr.last {
		if r.Kind == wire.IMAPUntagged && r.Keyword == kw {
			reason := "the reply has an untagged " + kw
			switch kw {
			case "EXPUNGE":
				reason += " (RFC 9051 section 7.5.1: \"An EXPUNGE response MUST NOT be sent when no command is in progress, nor while responding to a FETCH, STORE, or SEARCH command.\")"
			case "FETCH":
				reason += " (RFC 9051 section 6.4.6: .SILENT stores \"without returning a new value\")"
			}
			return w.failf("no untagged "+kw, displayIMAP(r), "%s", reason)
		}
	}
	return nil
}

func messageFlag(ctx context.Context, n int, has, flag string) error {
	w := worldOf(ctx)
	items, c, err := w.fetchItems(fmt.Sprintf("FETCH %d (FLAGS)", n), uint32(n), 0)
	if err != nil {
		return err
	}
	flags, ok := flagsOf(items["FLAGS"])
	if !ok {
		return w.failf(fmt.Sprintf("* %d FETCH (FLAGS (...))", n), c.text(), "FETCH FLAGS of message %d returned no FLAGS (RFC 9051 section 7.5.2)", n)
	}
	if got := hasFlag(flags, flag); got != (has == "has") {
		want := "FLAGS with " + flag
		if has != "has" {
			want = "FLAGS without " + flag
		}
		return w.failf(want, c.text(), "message %d %s the flag %s: (%s)", n, map[bool]string{true: "has", false: "does not have"}[got], flag, strings.Join(flags, " "))
	}
	return nil
}

// ---- Mailbox contents and numbering ----

// parseNames reads `"a", "b"` into names.
func parseNames(list string) []string {
	var out []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.Trim(strings.TrimSpace(p), `"`); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func mailboxHolds(ctx context.Context, list string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	st, tr := w.trackerOf(c)
	if tr.selected == "" {
		return w.harnessf("no mailbox is selected on this connection")
	}
	var want []uint32
	var names []string
	for _, name := range parseNames(list) {
		m := st.find(name, tr.selected)
		if m == nil || m.uid == 0 {
			return w.harnessf("the UID of %q in %s is unknown (no APPENDUID?)", name, tr.selected)
		}
		want = append(want, m.uid)
		names = append(names, fmt.Sprintf("%s (UID %d)", name, m.uid))
	}
	view := append([]uint32(nil), tr.seq...)
	problems := append([]string(nil), tr.problems...)
	_, untagged, tagged, err := w.imapCmd("UID FETCH 1:* (UID)")
	if err != nil {
		return err
	}
	if tagged.Status != "OK" {
		return w.failf("OK", c.text(), "UID FETCH 1:* (UID) was not answered OK (RFC 9051 section 6.4.9)")
	}
	// The responses to this command may renumber too: apply them to the
	// view first.
	actual := map[uint32]uint32{}
	count := len(view)
	for _, u := range untagged {
		switch u.Keyword {
		case "EXISTS":
			count = int(u.Number)
			for len(view) < count {
				view = append(view, 0)
			}
		case "EXPUNGE":
			if n := int(u.Number); n >= 1 && n <= len(view) {
				view = append(view[:n-1], view[n:]...)
				count--
			}
		case "FETCH":
			items, err := imapmsg.FetchItems(u)
			if err != nil {
				continue
			}
			if v, ok := items["UID"]; ok && v.Kind == wire.Number {
				actual[u.Number] = uint32(v.Num)
			}
		}
	}
	var got []uint32
	for i := 1; i <= len(actual); i++ {
		uid, ok := actual[uint32(i)]
		if !ok {
			return w.failf(fmt.Sprintf("a FETCH for every message 1..%d", len(actual)), c.text(), "the FETCH responses to UID FETCH 1:* do not number the messages 1 to %d (RFC 9051 section 2.3.1.2: sequence numbers run from 1 without gaps)", len(actual))
		}
		got = append(got, uid)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return w.failf(fmt.Sprintf("UIDs %v: %s", want, strings.Join(names, ", ")), fmt.Sprintf("UIDs %v", got), "the mailbox does not hold exactly the expected messages in order")
	}
	// The numbering the untagged responses implied must agree.
	for i := range view {
		if i < len(got) && view[i] != 0 && view[i] != got[i] {
			problems = append(problems, fmt.Sprintf("number %d: the EXISTS and EXPUNGE responses put UID %d there, the mailbox has UID %d", i+1, view[i], got[i]))
		}
	}
	if len(view) != len(got) {
		problems = append(problems, fmt.Sprintf("the EXISTS and EXPUNGE responses left %d messages, the mailbox has %d", len(view), len(got)))
	}
	if len(problems) > 0 {
		return w.failf("EXISTS/EXPUNGE responses that describe the mailbox", strings.Join(problems, "; "),
			"the untagged EXISTS and EXPUNGE responses do not describe the mailbox (RFC 9051 section 7.5.1: \"The message sequence number for each successive message in the mailbox is immediately decremented by 1, and this decrement is reflected in message sequence numbers in subsequent responses (including other untagged EXPUNGE responses).\"): %s", strings.Join(problems, "; "))
	}
	tr.seq = got
	return nil
}

// parseSet expands a sequence set of numbers ("1:3,5"; no "*").
func parseSet(s string) ([]uint32, bool) {
	var out []uint32
	for _, p := range strings.Split(s, ",") {
		a, b, rng := strings.Cut(p, ":")
		x, err := strconv.ParseUint(a, 10, 32)
		if err != nil {
			return nil, false
		}
		y := x
		if rng {
			if y, err = strconv.ParseUint(b, 10, 32); err != nil {
				return nil, false
			}
		}
		if x > y {
			x, y = y, x
		}
		if y-x > 100000 {
			return nil, false
		}
		for v := x; v <= y; v++ {
			out = append(out, uint32(v))
		}
	}
	return out, true
}

func searchResult(ctx context.Context, list string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	st, tr := w.trackerOf(c)
	f := strings.Fields(strings.ToUpper(c.lastCmd))
	byUID := len(f) > 1 && f[1] == "UID"
	var got []uint32
	for _, r := range tr.last {
		if r.Kind != wire.IMAPUntagged {
			continue
		}
		switch r.Keyword {
		case "SEARCH":
			for _, v := range r.Fields {
				if v.Kind == wire.Number {
					got = append(got, uint32(v.Num))
				}
				// "(MODSEQ n)" of RFC 7162 is not a message.
			}
		case "ESEARCH":
			fs := r.Fields
			for i := 0; i+1 < len(fs); i++ {
				if fs[i].Kind == wire.Atom && strings.EqualFold(fs[i].Str, "ALL") {
					set := fs[i+1].Str
					if fs[i+1].Kind == wire.Number {
						set = strconv.FormatUint(fs[i+1].Num, 10)
					}
					nums, ok := parseSet(set)
					if !ok {
						return w.failf("ALL sequence-set", displayIMAP(r), "ESEARCH ALL is not a sequence set (RFC 4731 section 3.1)")
					}
					got = append(got, nums...)
				}
			}
		}
	}
	var want []uint32
	for _, name := range parseNames(list) {
		m := st.find(name, tr.selected)
		if m == nil || m.uid == 0 {
			return w.harnessf("the UID of %q in %s is unknown", name, tr.selected)
		}
		if byUID {
			want = append(want, m.uid)
			continue
		}
		found := false
		for i, u := range tr.seq {
			if u == m.uid {
				want, found = append(want, uint32(i+1)), true
			}
		}
		if !found {
			return w.harnessf("the sequence number of %q is unknown", name)
		}
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	kind := "sequence numbers"
	if byUID {
		kind = "UIDs"
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return w.failf(fmt.Sprintf("%s %v (%s)", kind, want, list), fmt.Sprintf("%v", got), "the search matched other messages than the ones the criteria select (RFC 9051 section 6.4.4)")
	}
	return nil
}

// ---- UIDPLUS (RFC 4315) ----

// statusOf asks STATUS for items of a mailbox that is not selected on c.
func (w *world) statusOf(mb string, items ...string) (map[string]uint64, error) {
	c, untagged, tagged, err := w.imapCmd("STATUS " + mb + " (" + strings.Join(items, " ") + ")")
	if err != nil {
		return nil, err
	}
	if tagged.Status != "OK" {
		return nil, w.failf("OK", c.text(), "STATUS of an existing mailbox failed (RFC 9051 section 6.3.11)")
	}
	out := map[string]uint64{}
	for _, u := range untagged {
		if u.Keyword != "STATUS" || len(u.Fields) < 2 || u.Fields[len(u.Fields)-1].Kind != wire.List {
			continue
		}
		l := u.Fields[len(u.Fields)-1].List
		for i := 0; i+1 < len(l); i += 2 {
			out[strings.ToUpper(l[i].Str)] = l[i+1].Num
		}
	}
	return out, nil
}

// taggedOf returns the last reply's response with a response code, the
// tagged one first.
func responseWithCode(rs []wire.IMAPResponse, code string) (wire.IMAPResponse, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Code == code {
			return rs[i], true
		}
	}
	return wire.IMAPResponse{}, false
}

func appendUIDNames(ctx context.Context, name string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	st, tr := w.trackerOf(c)
	m := st.prepared
	if m == nil || m.name != name {
		return w.harnessf("the message %q was not prepared", name)
	}
	r, ok := responseWithCode(tr.last, "APPENDUID")
	if !ok {
		return w.failf("OK [APPENDUID uidvalidity uid]", c.text(), "the APPEND was not answered with APPENDUID (RFC 4315 section 3: servers that support UIDPLUS return it on a successful APPEND)")
	}
	f := strings.Fields(r.CodeArgs)
	if len(f) != 2 {
		return w.failf("[APPENDUID uidvalidity uid]", displayIMAP(r), "APPENDUID does not carry two numbers (RFC 4315 section 4: resp-code-apnd = \"APPENDUID\" SP nz-number SP append-uid)")
	}
	uv, err1 := strconv.ParseUint(f[0], 10, 32)
	uid, err2 := strconv.ParseUint(f[1], 10, 32)
	if err1 != nil || err2 != nil || uv == 0 || uid == 0 {
		return w.failf("two non-zero numbers", displayIMAP(r), "APPENDUID does not carry two non-zero numbers (RFC 4315 section 4: nz-number)")
	}
	mb := m.mailbox
	var wantUV, uidnext uint64
	if tr.selected == mb && tr.uidvalidity != "" {
		wantUV, _ = strconv.ParseUint(tr.uidvalidity, 10, 32)
	} else {
		s, err := w.statusOf(mb, "UIDVALIDITY", "UIDNEXT")
		if err != nil {
			return err
		}
		wantUV, uidnext = s["UIDVALIDITY"], s["UIDNEXT"]
	}
	if uv != wantUV {
		return w.failf(fmt.Sprintf("[APPENDUID %d ...]", wantUV), displayIMAP(r), "the APPENDUID's first number is not the destination mailbox's UIDVALIDITY %d (RFC 4315 section 3: \"followed by the UIDVALIDITY of the destination mailbox and the UID assigned to the appended message\")", wantUV)
	}
	if uidnext != 0 && uid >= uidnext {
		return w.failf(fmt.Sprintf("a UID below UIDNEXT %d", uidnext), displayIMAP(r), "the APPENDUID's UID is not below the mailbox's UIDNEXT (RFC 9051 section 2.3.1.1: UIDNEXT is the UID the next message will be given)")
	}
	m.uid = uint32(uid)
	m.at = len(w.rec.Entries())
	st.msgs = append(st.msgs, m)
	st.prepared = nil
	w.vars[uidVar(name)] = f[1]
	return nil
}

func copyUIDMaps(ctx context.Context, list, dest string) error {
	w := worldOf(ctx)
	c, err := w.lastReply()
	if err != nil {
		return err
	}
	st, tr := w.trackerOf(c)
	mb, err := w.expand(dest)
	if err != nil {
		return err
	}
	r, ok := responseWithCode(tr.last, "COPYUID")
	if !ok {
		return w.failf("[COPYUID uidvalidity source-uids destination-uids]", c.text(), "the copy was not answered with COPYUID (RFC 4315 section 3)")
	}
	f := strings.Fields(r.CodeArgs)
	if len(f) != 3 {
		return w.failf("[COPYUID uidvalidity source-uids destination-uids]", displayIMAP(r), "COPYUID does not carry three fields (RFC 4315 section 4)")
	}
	uv, err := strconv.ParseUint(f[0], 10, 32)
	src, ok1 := parseSet(f[1])
	dst, ok2 := parseSet(f[2])
	if err != nil || uv == 0 || !ok1 || !ok2 {
		return w.failf("nz-number SP uid-set SP uid-set", displayIMAP(r), "COPYUID's fields are not a UIDVALIDITY and two UID sets (RFC 4315 section 4)")
	}
	var names []string
	want := map[uint32]*storedMsg{}
	for _, name := range parseNames(list) {
		m := st.find(name, tr.selected)
		if m == nil || m.uid == 0 {
			return w.harnessf("the UID of %q in %s is unknown", name, tr.selected)
		}
		want[m.uid] = m
		names = append(names, fmt.Sprintf("%s=%d", name, m.uid))
	}
	gotSrc := map[uint32]bool{}
	for _, u := range src {
		gotSrc[u] = true
	}
	if len(gotSrc) != len(want) || len(src) != len(want) {
		return w.failf("source UIDs "+strings.Join(names, ","), displayIMAP(r), "COPYUID's source set is not the UIDs of the copied messages (RFC 4315 section 3: \"a UID set containing the UIDs of the message(s) in the source mailbox that were copied\")")
	}
	for u := range gotSrc {
		if want[u] == nil {
			return w.failf("source UIDs "+strings.Join(names, ","), displayIMAP(r), "COPYUID's source set is not the UIDs of the copied messages (RFC 4315 section 3: \"a UID set containing the UIDs of the message(s) in the source mailbox that were copied\")")
		}
	}
	if len(dst) != len(src) {
		return w.failf(fmt.Sprintf("%d destination UIDs", len(src)), displayIMAP(r), "COPYUID's destination set has not one UID per copied message (RFC 4315 section 3: \"the destination UID set corresponds to the source UID set and is in the same order\")")
	}
	// Check the destination over a second, recorded connection.
	ep := c.s.Endpoint
	opts := w.opts
	opts.TLS = nil
	aux, err := OpenIMAP(w.ctx, w.env.Profile, ep, w.env.Profile.Accounts[accountOf(c.s)], opts)
	if err != nil {
		return w.harnessf("a second connection to check COPYUID: %v", err)
	}
	defer func() { aux.Send("z1 LOGOUT"); aux.Close() }()
	untagged, tagged, err := aux.IMAPCommand("EXAMINE " + mb)
	if err != nil || tagged.Status != "OK" {
		return w.harnessf("EXAMINE %s on a second connection: %v %s", mb, err, strings.TrimSpace(string(tagged.Raw)))
	}
	for _, u := range untagged {
		if u.Code == "UIDVALIDITY" {
			if n, _ := strconv.ParseUint(u.CodeArgs, 10, 32); n != uv {
				return w.failf(fmt.Sprintf("[COPYUID %d ...]", n), displayIMAP(r), "COPYUID's UIDVALIDITY is not the destination mailbox's %d (RFC 4315 section 3: \"the UIDVALIDITY of the destination mailbox\")", n)
			}
		}
	}
	for i, d := range dst {
		m := want[src[i]]
		untagged, tagged, err := aux.IMAPCommand(fmt.Sprintf("UID FETCH %d (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", d))
		if err != nil || tagged.Status != "OK" {
			return w.harnessf("UID FETCH in %s: %v", mb, err)
		}
		matched := false
		for _, u := range untagged {
			items, err := imapmsg.FetchItems(u)
			if err != nil {
				continue
			}
			if diff, _ := m.model.Compare("BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]", items["BODY[HEADER.FIELDS (MESSAGE-ID)]"]); diff == "" {
				if sz, ok := items["RFC822.SIZE"]; ok && sz.Num == uint64(len(m.raw)) {
					matched = true
				}
			}
		}
		if !matched {
			return w.failf(fmt.Sprintf("UID %d in %s holds %s (source UID %d)", d, mb, m.name, src[i]), c.text(),
				"the destination UID COPYUID pairs with source UID %d does not hold that message (RFC 4315 section 3: \"the destination UID set corresponds to the source UID set and is in the same order\")", src[i])
		}
		cp := *m
		cp.mailbox, cp.uid, cp.at = mb, d, len(w.rec.Entries())
		st.msgs = append(st.msgs, &cp)
	}
	return nil
}

// ---- Unsolicited responses and numbers ----

func untaggedArrives(ctx context.Context, p string) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	pat, err := w.pattern(p)
	if err != nil {
		return err
	}
	want := unquote(p)
	for i := 0; i < 1000; i++ {
		r, err := c.s.ReadIMAP()
		if err != nil {
			return w.readFailed("an untagged response matching "+want, err)
		}
		w.violations = append(w.violations, r.Violations...)
		line := displayIMAP(r)
		c.lines = append(c.lines, line)
		if r.Kind != wire.IMAPUntagged {
			return w.failf("an untagged response matching "+want, line, "a %s response came before an untagged response matching %q", r.Kind, want)
		}
		ok, err := w.matchLine(pat, line)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
	}
	return w.failf("an untagged response matching "+want, c.text(), "no untagged response matching %q", want)
}

func numberGreater(ctx context.Context, name, than string) error {
	w := worldOf(ctx)
	a, err := strconv.ParseUint(w.vars[name], 10, 64)
	if err != nil {
		return w.failf("a number in ${"+name+"}", w.vars[name], "${%s} is not a number", name)
	}
	bs := than
	if strings.HasPrefix(than, "${") {
		bs = w.vars[strings.TrimSuffix(strings.TrimPrefix(than, "${"), "}")]
	}
	b, err := strconv.ParseUint(bs, 10, 64)
	if err != nil {
		return w.harnessf("%s is not a number (%q)", than, bs)
	}
	if a <= b {
		return w.failf(fmt.Sprintf("more than %d", b), strconv.FormatUint(a, 10), "${%s} = %d is not greater than %d", name, a, b)
	}
	return nil
}
