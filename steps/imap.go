package steps

// The IMAP foundation (RFC 9051, RFC 3501): a session that has read the
// greeting, a test mailbox per scenario under the run's prefix, and the
// clean-up that deletes every mailbox a scenario created, also when the
// scenario failed or the run was interrupted. `mailspec clean` removes
// what a killed run left behind with the same helpers (OpenIMAP,
// RemoveMailboxes).

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

func init() {
	addSteps(
		Def{Expr: `^an IMAP session$`, Example: `Given an IMAP session`,
			Doc: "connects to the IMAP endpoint (imap, else imaps) and reads the greeting, which must be OK or PREAUTH (RFC 9051 section 7.1); learns the capabilities from it (or from CAPABILITY, tag c0, when the greeting lists none)", fn: imapSession},
		Def{Expr: `^a second IMAP session "(\w+)"$`, Example: `And a second IMAP session "other"`,
			Doc: "opens another connection to the IMAP endpoint, reads its greeting as \"an IMAP session\" does, and makes it current", fn: anotherIMAPSession},
		Def{Expr: `^a test mailbox$`, Example: `And a test mailbox`,
			Doc: "on the authenticated connection: CREATE mailspec-<runid>-<n> and set ${mailbox} (the second one ${mailbox2}, ...) and ${delim} (the hierarchy delimiter, from LIST \"\" \"\"); after the scenario a fresh connection deletes it and every mailbox under it or named ${mailbox}-..., deepest first", fn: testMailbox},
		Def{Expr: `^the mailbox ` + quotedRE + ` is created$`, Example: `And the mailbox "${mailbox}${delim}child" is created`,
			Doc: "CREATE of a name under the test mailbox (${vars} expanded, sent as a quoted string), answered OK (RFC 9051 section 6.3.4); a spurious NO [ALREADYEXISTS] for the fresh name is accepted when LIST then shows the mailbox", fn: mailboxCreated},
		Def{Expr: `^the test mailbox is selected$`, Example: `And the test mailbox is selected`,
			Doc: "SELECT ${mailbox}, answered OK (RFC 9051 section 6.3.2)", fn: testMailboxSelected},
	)
}

// MailboxPrefix is the prefix of every mailbox a run creates:
// "mailspec-" and the run id (letters, digits and hyphens only) and a
// hyphen. `mailspec clean` removes what is left under "mailspec-".
func MailboxPrefix(runID string) string {
	return "mailspec-" + atomSafe(runID) + "-"
}

// atomSafe keeps ASCII letters, digits and hyphens, replacing anything
// else with a hyphen, so that the name is an atom on every server.
func atomSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

// mailboxSeq numbers the test mailboxes of this process, so that
// concurrent scenarios of one run never share a name.
var mailboxSeq atomic.Uint64

func imapSession(ctx context.Context) error { return openIMAPSession(ctx, "1") }

func anotherIMAPSession(ctx context.Context, name string) error {
	w := worldOf(ctx)
	if _, ok := w.conns[name]; ok {
		return w.harnessf("connection %q is already open", name)
	}
	return openIMAPSession(ctx, name)
}

// openIMAPSession connects connection name, reads the greeting and makes
// sure the capabilities are known.
func openIMAPSession(ctx context.Context, name string) error {
	w := worldOf(ctx)
	if w.proto != transcripts.IMAP {
		return w.harnessf("an IMAP session in a %s scenario", w.proto)
	}
	if err := w.connect(name, ""); err != nil {
		return err
	}
	c, _ := w.current()
	rep, err := c.s.ReadIMAP()
	if err != nil {
		return w.readFailed("a greeting: * OK or * PREAUTH", err)
	}
	c.lines = []string{script.Display("imap", rep.Raw)}
	if len(rep.Violations) > 0 {
		w.violations = append(w.violations, rep.Violations...)
	}
	switch {
	case rep.Kind == wire.IMAPUntagged && rep.Status == "BYE":
		// RFC 9051 section 7.1.5 allows BYE as a greeting: the server will
		// not serve this client, which is no fault the scenario can judge.
		return w.harnessf("the server refused the connection with a BYE greeting (RFC 9051 section 7.1.5): %s", c.lines[0])
	case rep.Kind != wire.IMAPUntagged || (rep.Status != "OK" && rep.Status != "PREAUTH"):
		return w.failf("* OK or * PREAUTH greeting", c.lines[0],
			"the greeting is not an untagged OK, PREAUTH or BYE (RFC 9051 sections 7.1 and 9: \"greeting = \"*\" SP (resp-cond-auth / resp-cond-bye) CRLF\")")
	}
	c.status = rep.Status
	if rep.Code == "CAPABILITY" {
		setSessionCaps(c.s, strings.Fields(rep.CodeArgs))
	}
	if len(c.s.Caps()) == 0 {
		// The TLS and login steps need the capabilities.
		if err := c.s.Send("c0 CAPABILITY"); err != nil {
			return w.sendFailed(err)
		}
		_, tagged, err := c.s.IMAPReadUntil("c0")
		if err != nil {
			return w.readFailed("c0 OK to CAPABILITY", err)
		}
		if tagged.Status != "OK" || len(c.s.Caps()) == 0 {
			return w.failf("* CAPABILITY ... then c0 OK", strings.TrimRight(string(tagged.Raw), "\r\n"),
				"CAPABILITY failed (RFC 9051 section 6.1.1: \"The server MUST send a single untagged CAPABILITY response with \"IMAP4rev2\" as one of the listed capabilities before the (tagged) OK response.\"; 6.1: it is valid in any state)")
		}
	}
	return nil
}

// setSessionCaps stores capabilities learnt outside the session's own
// helpers (the greeting's CAPABILITY code, read here with ReadIMAP).
func setSessionCaps(s *transcripts.Session, caps []string) {
	if s.IsTLS() {
		s.CapsAfterTLS = caps
	} else {
		s.CapsBeforeTLS = caps
	}
}

// imapAccounts remembers which account of the profile a connection logged
// in with when a step other than "the client is authenticated" logged it
// in (index into Profile.Accounts); the clean-up logs in as the same. Only
// such sessions are stored: the third-account step's, a few per run.
var imapAccounts sync.Map // *transcripts.Session -> int

// setIMAPAccount records that s is logged in with the profile's account i.
func setIMAPAccount(s *transcripts.Session, i int) { imapAccounts.Store(s, i) }

// accountOf is the index of the account s logged in with (0 unless
// setIMAPAccount said otherwise).
func accountOf(s *transcripts.Session) int {
	if v, ok := imapAccounts.Load(s); ok {
		return v.(int)
	}
	return 0
}

// imapCmd sends "tag cmd" on the current connection (recorded like every
// step's command) and reads up to the tagged completion, keeping the
// reply as the last one.
func (w *world) imapCmd(cmd string) (*conn, []wire.IMAPResponse, wire.IMAPResponse, error) {
	c, err := w.current()
	if err != nil {
		return nil, nil, wire.IMAPResponse{}, err
	}
	if c.s.Endpoint.Protocol != transcripts.IMAP {
		return nil, nil, wire.IMAPResponse{}, w.harnessf("an IMAP step on a %s connection", c.s.Endpoint.Protocol)
	}
	tag := c.s.NextTag()
	line := tag + " " + cmd
	c.lastCmd = line
	if err := c.s.Send(line); err != nil {
		return nil, nil, wire.IMAPResponse{}, w.sendFailed(err)
	}
	untagged, tagged, err := c.s.IMAPReadUntil(tag)
	c.lines, c.status, c.code, c.imap = nil, "", 0, nil
	for _, u := range untagged {
		w.violations = append(w.violations, u.Violations...)
		c.lines = append(c.lines, script.Display("imap", u.Raw))
	}
	if err != nil && tagged.Kind == wire.IMAPTagged && tagged.Tag != tag {
		return nil, nil, wire.IMAPResponse{}, w.foreignTag(c, tag, "OK", tagged)
	}
	if err != nil {
		return nil, nil, wire.IMAPResponse{}, w.readFailed(tag+" OK", err)
	}
	w.violations = append(w.violations, tagged.Violations...)
	c.lines = append(c.lines, script.Display("imap", tagged.Raw))
	c.imap = append(untagged, tagged)
	c.status = tagged.Status
	if tagged.Kind == wire.IMAPContinuation {
		c.status = "+"
	}
	return c, untagged, tagged, nil
}

func testMailbox(ctx context.Context) error {
	w := worldOf(ctx)
	c, err := w.current()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s%d", MailboxPrefix(w.env.RunID), mailboxSeq.Add(1))
	// Clean-up first: a CREATE whose reply is lost may still have created it.
	ep, acct := c.s.Endpoint, accountOf(c.s)
	w.onEnd(func(ctx context.Context) error {
		return w.removeTestMailbox(ctx, ep, acct, name)
	})
	if _, ok := w.vars["delim"]; !ok {
		_, untagged, tagged, err := w.imapCmd(`LIST "" ""`)
		if err != nil {
			return err
		}
		if tagged.Status != "OK" {
			return w.failf("OK to LIST \"\" \"\"", c.text(), "LIST with an empty mailbox name failed (RFC 9051 section 6.3.9: \"An empty (\"\" string) mailbox name argument is a special request to return the hierarchy delimiter and the root name of the name given in the reference.\")")
		}
		for _, u := range untagged {
			if l, ok := parseList(u); ok {
				w.vars["delim"] = l.delim
			}
		}
		if _, ok := w.vars["delim"]; !ok {
			return w.failf("* LIST (\\Noselect) \"/\" \"\"", c.text(), "LIST \"\" \"\" returned no LIST response (RFC 9051 section 6.3.9: it returns the hierarchy delimiter)")
		}
	}
	if err := w.createFresh(name); err != nil {
		return err
	}
	v := "mailbox"
	for i := 2; ; i++ {
		if _, ok := w.vars[v]; !ok {
			break
		}
		v = "mailbox" + strconv.Itoa(i)
	}
	w.vars[v] = name
	return nil
}

// createFresh creates a mailbox whose name no other scenario or run uses
// (it is under the run's prefix). Dovecot 2.3 sometimes answers NO
// [ALREADYEXISTS] to such a CREATE while other sessions of the same user
// create mailboxes, and has created the mailbox all the same: a name that
// LIST then shows is taken as created, since only this scenario can have
// created it. The exchange stays in the transcript.
func (w *world) createFresh(name string) error {
	arg, ok := quoteUTF8Mailbox(name)
	if !ok {
		return w.harnessf("the mailbox name %q cannot be sent as a quoted string", name)
	}
	c, _, tagged, err := w.imapCmd("CREATE " + arg)
	if err != nil {
		return err
	}
	if tagged.Status == "OK" {
		return nil
	}
	created := c.text()
	if strings.EqualFold(tagged.Code, "ALREADYEXISTS") {
		_, untagged, ltagged, err := w.imapCmd(`LIST "" ` + arg)
		if err != nil {
			return err
		}
		for _, u := range untagged {
			if e, ok := parseList(u); ok && e.name == name && ltagged.Status == "OK" {
				return nil
			}
		}
	}
	return w.failf("OK to CREATE "+name, created, "CREATE of a new mailbox failed (RFC 9051 section 6.3.4: \"OK -  create completed\")")
}

// quoteUTF8Mailbox renders a mailbox name as a quoted string, UTF-8
// included (RFC 9051 section 4.3; RFC 6855 section 3 once UTF8=ACCEPT is
// enabled); ok is false for names with NUL, CR or LF.
func quoteUTF8Mailbox(name string) (string, bool) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == 0 || c == '\r' || c == '\n' {
			return "", false
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String(), true
}

func mailboxCreated(ctx context.Context, name string) error {
	w := worldOf(ctx)
	mb, ok := w.vars["mailbox"]
	if !ok {
		return w.harnessf("no test mailbox: begin with \"Given a test mailbox\"")
	}
	text, err := script.Expand(unquote(name), w.vars)
	if err != nil {
		return w.harnessf("%v", err)
	}
	if !ownedBy(text, mb, w.vars["delim"]) || text == mb {
		return w.harnessf("%q is not a new name under the test mailbox %q", text, mb)
	}
	return w.createFresh(text)
}

func testMailboxSelected(ctx context.Context) error {
	w := worldOf(ctx)
	name, ok := w.vars["mailbox"]
	if !ok {
		return w.harnessf("no test mailbox: begin with \"Given a test mailbox\"")
	}
	c, _, tagged, err := w.imapCmd("SELECT " + name)
	if err != nil {
		return err
	}
	if tagged.Status != "OK" {
		return w.failf("OK to SELECT "+name, c.text(), "SELECT of an existing mailbox failed (RFC 9051 section 6.3.2: \"OK - select completed, now in selected state\")")
	}
	return nil
}

// removeTestMailbox deletes name and what the scenario made of it over a
// fresh connection that is not recorded.
func (w *world) removeTestMailbox(ctx context.Context, ep transcripts.Endpoint, acct int, name string) error {
	if acct >= len(w.env.Profile.Accounts) {
		return fmt.Errorf("steps: no account %d to clean up %s with", acct+1, name)
	}
	opts := w.opts
	opts.Recorder = nil
	opts.TLS = nil
	s, err := OpenIMAP(ctx, w.env.Profile, ep, w.env.Profile.Accounts[acct], opts)
	if err != nil {
		return fmt.Errorf("steps: removing %s: %w", name, err)
	}
	defer s.Close()
	_, err = RemoveMailboxes(s, name, func(n, delim string) bool { return ownedBy(n, name, delim) })
	s.Send("z9 LOGOUT")
	return err
}

// ownedBy reports whether mailbox n belongs to the test mailbox name: the
// name itself, a mailbox under it, or a rename of it to name + "-...".
// Another test mailbox whose number starts with the same digits does not.
func ownedBy(n, name, delim string) bool {
	rest, ok := strings.CutPrefix(n, name)
	if !ok {
		return false
	}
	return rest == "" || rest[0] == '-' || (delim != "" && strings.HasPrefix(rest, delim))
}

// OpenIMAP opens an IMAP session for clean-up and administration: it
// connects to ep, reads the greeting, learns the capabilities, starts TLS
// where offered and logs in with acct (unless the greeting was PREAUTH).
// opts.TLS nil means the profile's TLS configuration.
func OpenIMAP(ctx context.Context, p *transcripts.Profile, ep transcripts.Endpoint, acct transcripts.Account, opts transcripts.Options) (*transcripts.Session, error) {
	if opts.TLS == nil {
		cfg, err := p.TLSConfig(ep)
		if err != nil {
			return nil, err
		}
		opts.TLS = cfg
	}
	s, err := transcripts.Dial(ctx, ep, opts)
	if err != nil {
		return nil, err
	}
	greeting, err := s.IMAPGreeting()
	if err == nil {
		_, err = s.IMAPCapability()
	}
	if err == nil {
		err = s.UpgradeIfOffered(ctx)
	}
	if err == nil && greeting.Status != "PREAUTH" {
		err = s.Login(ctx, transcripts.LoginCredentials{N: 1, User: acct.User, Password: acct.Password})
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// listEntry is one untagged LIST or LSUB response (RFC 9051 section
// 7.3.1): its attributes, hierarchy delimiter ("" for NIL) and name.
type listEntry struct {
	attrs []string
	delim string
	name  string
}

// parseList reads a LIST or LSUB response's fields: mailbox-list =
// "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP
// mailbox [SP mbox-list-extended].
func parseList(r wire.IMAPResponse) (listEntry, bool) {
	if r.Kind != wire.IMAPUntagged || (r.Keyword != "LIST" && r.Keyword != "LSUB") || len(r.Fields) < 3 {
		return listEntry{}, false
	}
	f := r.Fields
	if f[0].Kind != wire.List {
		return listEntry{}, false
	}
	var e listEntry
	for _, a := range f[0].List {
		e.attrs = append(e.attrs, a.Str)
	}
	switch f[1].Kind {
	case wire.String:
		e.delim = f[1].Str
	case wire.Nil:
	default:
		return listEntry{}, false
	}
	switch f[2].Kind {
	case wire.Atom, wire.String, wire.Literal:
		e.name = f[2].Str
	case wire.Number:
		e.name = strconv.FormatUint(f[2].Num, 10)
	case wire.Nil:
		e.name = "NIL"
	default:
		return listEntry{}, false
	}
	return e, true
}

// quoteMailbox renders a mailbox name as an IMAP quoted string (RFC 9051
// section 4.3); ok is false for names a quoted string cannot carry.
func quoteMailbox(name string) (string, bool) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == 0 || c == '\r' || c == '\n' || c >= 0x80 {
			return "", false
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String(), true
}

// RemoveMailboxes deletes, on the authenticated session s, every mailbox
// that LIST "" "<prefix>*" returns and keep accepts (given the name and
// its hierarchy delimiter), deepest first, and unsubscribes every such
// name LSUB returns. It returns the names it deleted. The prefix must be
// made of atom characters: names are matched, never interpreted.
func RemoveMailboxes(s *transcripts.Session, prefix string, keep func(name, delim string) bool) ([]string, error) {
	if strings.ContainsAny(prefix, "*%\"\\ \r\n") || prefix == "" {
		return nil, fmt.Errorf("steps: %q is not a mailbox prefix", prefix)
	}
	entries, err := listPrefix(s, "LIST", prefix)
	if err != nil {
		return nil, err
	}
	var names []listEntry
	for _, e := range entries {
		// A \NonExistent name only stands for the hierarchy above an
		// existing mailbox (RFC 9051 section 7.3.1): nothing to delete.
		if keep(e.name, e.delim) && !e.has(`\NonExistent`) {
			names = append(names, e)
		}
	}
	// Deepest first: a server may refuse to delete a mailbox with
	// inferiors, or keep it as \Noselect (RFC 9051 section 6.3.5).
	sort.SliceStable(names, func(i, j int) bool {
		di, dj := depth(names[i]), depth(names[j])
		if di != dj {
			return di > dj
		}
		return len(names[i].name) > len(names[j].name)
	})
	var removed []string
	failed := map[string]string{}
	for _, e := range names {
		tagged, err := mailboxCommand(s, "DELETE", e.name)
		if err != nil {
			return removed, fmt.Errorf("steps: DELETE %q: %w", e.name, err)
		}
		if tagged.Status != "OK" {
			// A \Noselect name may vanish with its last inferior; whether
			// it is really left is decided by listing again below.
			failed[e.name] = strings.TrimSpace(string(tagged.Raw))
			continue
		}
		removed = append(removed, e.name)
	}
	var errs []error
	if len(failed) > 0 {
		left, err := listPrefix(s, "LIST", prefix)
		if err != nil {
			return removed, err
		}
		for _, e := range left {
			if why, ok := failed[e.name]; ok && !e.has(`\NonExistent`) {
				errs = append(errs, fmt.Errorf("steps: DELETE %q: %s", e.name, why))
			}
		}
	}
	subs, err := listPrefix(s, "LSUB", prefix)
	if err != nil {
		return removed, errors.Join(append(errs, err)...)
	}
	for _, e := range subs {
		if !keep(e.name, e.delim) {
			continue
		}
		if _, err := mailboxCommand(s, "UNSUBSCRIBE", e.name); err != nil {
			return removed, fmt.Errorf("steps: UNSUBSCRIBE %q: %w", e.name, err)
		}
	}
	return removed, errors.Join(errs...)
}

// has reports whether the entry carries the attribute (case-insensitive).
func (e listEntry) has(attr string) bool {
	for _, a := range e.attrs {
		if strings.EqualFold(a, attr) {
			return true
		}
	}
	return false
}

// mailboxCommand runs "cmd name" with the name as a quoted string, or as
// a synchronizing literal when a quoted string cannot carry it (8-bit or
// control octets, RFC 9051 section 4.3).
func mailboxCommand(s *transcripts.Session, cmd, name string) (wire.IMAPResponse, error) {
	if q, ok := quoteMailbox(name); ok {
		_, tagged, err := s.IMAPCommand(cmd + " " + q)
		return tagged, err
	}
	tag := s.NextTag()
	if err := s.SendRaw([]byte(fmt.Sprintf("%s %s {%d}\r\n", tag, cmd, len(name)))); err != nil {
		return wire.IMAPResponse{}, err
	}
	_, cont, err := s.IMAPReadUntil(tag)
	if err != nil || cont.Kind != wire.IMAPContinuation {
		return cont, err
	}
	if err := s.SendRaw([]byte(name + "\r\n")); err != nil {
		return wire.IMAPResponse{}, err
	}
	_, tagged, err := s.IMAPReadUntil(tag)
	return tagged, err
}

func depth(e listEntry) int {
	if e.delim == "" {
		return 0
	}
	return strings.Count(e.name, e.delim)
}

// listPrefix runs LIST or LSUB "" "<prefix>*" and returns its entries.
func listPrefix(s *transcripts.Session, cmd, prefix string) ([]listEntry, error) {
	untagged, tagged, err := s.IMAPCommand(cmd + ` "" "` + prefix + `*"`)
	if err != nil {
		return nil, fmt.Errorf("steps: %s: %w", cmd, err)
	}
	if tagged.Status != "OK" {
		return nil, fmt.Errorf("steps: %s: %s", cmd, strings.TrimSpace(string(tagged.Raw)))
	}
	var out []listEntry
	for _, u := range untagged {
		if e, ok := parseList(u); ok && strings.HasPrefix(e.name, prefix) {
			out = append(out, e)
		}
	}
	return out, nil
}

// foreignTag fails the scenario on a tagged response whose tag is not the
// command's (RFC 9051 section 2.2.2): read in place of the completion of
// tag, it keeps the response as the last reply.
func (w *world) foreignTag(c *conn, tag, expected string, got wire.IMAPResponse) error {
	line := script.Display("imap", got.Raw)
	c.lines = append(c.lines, line)
	return w.failf(tag+" "+expected, line,
		"a tagged response carries the tag %q, not the command's %q (RFC 9051 section 2.2.2: \"The server completion result response indicates the success or failure of the operation.  It is tagged with the same tag as the client command that began the operation.\")", got.Tag, tag)
}
