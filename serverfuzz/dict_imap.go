package serverfuzz

import (
	"strconv"
	"strings"
)

// The IMAP dictionary: the commands of RFC 9051 and RFC 3501 and the
// extensions servers commonly offer (IDLE RFC 2177, NAMESPACE RFC 2342,
// UIDPLUS RFC 4315, ESEARCH RFC 4731, LIST-EXTENDED RFC 5258, MOVE RFC
// 6851, ENABLE RFC 5161, UNSELECT RFC 3691, ID RFC 2971, BINARY RFC 3516,
// LITERAL+ RFC 7888), with arguments from the grammar's edges: literals of
// every kind, NUL in quoted strings, sequence sets at the integer limits,
// deep lists and searches.

// quoteIMAP writes s as an IMAP quoted string (RFC 9051 section 4.3).
func quoteIMAP(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// isAtom reports whether s can be sent as an IMAP atom.
func isAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// astring writes s as an atom, a quoted string or a literal, picked by v.
func astring(g *gen, s string, v int) {
	switch v % 5 {
	case 0:
		g.text(quoteIMAP(s))
	case 1:
		if isAtom(s) {
			g.text(s)
		} else {
			g.text(quoteIMAP(s))
		}
	case 2:
		g.literal([]byte(s), false, false)
	case 3:
		g.literal([]byte(s), true, false)
	default:
		// A quoted string that ends early or holds a bad escape.
		g.text(`"` + strings.ReplaceAll(s, `"`, "") + `\q`)
	}
}

func gUserI(g *gen) { astring(g, g.ctx.user, g.r.intn(5)) }
func gPassI(g *gen) { astring(g, g.ctx.password, g.r.intn(5)) }

// gAstring writes data as an atom, a quoted string or a literal.
func gAstring(g *gen) {
	v := g.r.intn(6)
	s := string(g.r.chunk(48))
	if v == 5 {
		gOdd(g)
		return
	}
	if v == 1 && !isAtom(s) {
		v = 0
	}
	astring(g, string(lineSafe([]byte(s))), v)
}

var imapMailboxes = []string{
	"INBOX", "inbox", "Sent", `"Drafts"`, "Trash", "Junk", `""`, "mailspec-fuzz", `"mailspec-fuzz/sub"`,
	"INBOX.x", "INBOX/x", `"&AOQ-"`, `"&"`, `"&-"`, `"&Jjo-&Jjo-"`, `"caf\xc3\xa9"`, `"%"`, "*", `"a\\b"`,
	`"\x00"`, "NIL", `"INBOX "`, `" INBOX"`, `"/"`, `"."`, `"..//.."`,
}

// gMbox writes a mailbox name: an existing one, an odd one, or data.
func gMbox(g *gen) {
	v := g.r.byte()
	if int(v) < len(imapMailboxes) {
		g.text(imapMailboxes[v])
		return
	}
	if v%2 == 0 {
		g.literal([]byte("INBOX"), v%4 == 0, false)
		return
	}
	gAstring(g)
}

// gDestMbox writes the destination of COPY and MOVE: a mailbox the
// fuzzer owns, or one that does not exist. Never the selected mailbox: a
// COPY of 1:* into it doubles it at every execution.
func gDestMbox(g *gen) {
	switch v := g.r.intn(6); v {
	case 0:
		g.text("mailspec-fuzz")
	case 1:
		g.text(`"mailspec-fuzz/` + strconv.Itoa(int(g.r.byte())) + `"`)
	case 2:
		g.text("mailspec-fuzz-none")
	case 3:
		g.text(`""`)
	case 4:
		g.literal([]byte("mailspec-fuzz"), g.r.intn(2) == 0, false)
	default:
		g.text(`"mailspec-fuzz/&AOQ-"`)
	}
}

// gNewMbox writes the name of a mailbox the fuzzer may create, rename and
// delete: under "mailspec-fuzz", or an odd name the server must refuse.
func gNewMbox(g *gen) {
	v := g.r.intn(12)
	switch v {
	case 0:
		g.text("mailspec-fuzz")
	case 1:
		g.text("mailspec-fuzz/" + strconv.Itoa(int(g.r.byte())))
	case 2:
		g.text(quoteIMAP("mailspec-fuzz " + string(lineSafe(g.r.chunk(16)))))
	case 3:
		g.text(`"mailspec-fuzz/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z"`)
	case 4:
		g.text("INBOX")
	case 5:
		g.text(`""`)
	case 6:
		g.text(`"mailspec-fuzz/&AOQ-"`)
	case 7:
		g.text(`"mailspec-fuzz/&"`)
	case 8:
		g.text(`"mailspec-fuzz/` + strings.Repeat("x", 1100) + `"`)
	case 9:
		g.literal([]byte("mailspec-fuzz\x00"), false, false)
	case 10:
		g.text(`"mailspec-fuzz/*"`)
	default:
		g.text("INBOX/mailspec-fuzz")
	}
}

var imapSeqs = []string{
	"1", "*", "1:*", "1:2", "2,1", "1,1,1", "3", "4294967295", "0", "4294967296", "$", "1:0", "*:1",
	"18446744073709551616", "1,", ",", ":", "1:*:2", "1:4294967295", "2:4294967295,1", "-1", "1.5",
	"*:*", "1:*,1:*", "4294967295:1",
}

// gSeq writes a sequence set (RFC 9051 section 9, sequence-set).
func gSeq(g *gen) {
	v := g.r.byte()
	if int(v) < len(imapSeqs) {
		g.text(imapSeqs[v])
		return
	}
	// A long set built from data.
	n := int(v)%200 + 2
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(g.r.byte()) + 1))
		if i%3 == 1 {
			b.WriteString(":*")
		}
	}
	g.text(b.String())
}

var imapFetchItems = []string{
	"FLAGS", "UID", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY[]",
	"BODY.PEEK[]", "BODY[HEADER]", "BODY[TEXT]", "BODY[1]", "BODY[1.MIME]", "BODY[2.1]", "BODY[1.2.3.4.5.6.7.8.9.10]",
	"BODY[0]", "BODY[HEADER.FIELDS (SUBJECT FROM)]", "BODY[HEADER.FIELDS.NOT (DATE)]", "BODY[HEADER.FIELDS ()]",
	"BODY[]<0.10>", "BODY[]<4294967295.1>", "BODY[]<1.4294967295>", "BODY[]<0.0>", "BINARY[1]", "BINARY.SIZE[1]",
	"BINARY.PEEK[]<0.5>", "BINARY[2]", "RFC822", "RFC822.HEADER", "RFC822.TEXT", "ALL", "FAST", "FULL",
	"MODSEQ", "SAVEDATE", "EMAILID", "BODY[HEADER.FIELDS (\"SUBJECT\" {3}\r\nFOO)]", "BODY[", "BODY[]<", "X-UNKNOWN",
	"BODY[1.HEADER]", "BODY[2.TEXT]", "BODY[HEADER]<0.1>",
}

// gFetch writes fetch attributes: one item or a parenthesised list.
func gFetch(g *gen) {
	v := g.r.byte()
	if v < 200 {
		item := imapFetchItems[int(v)%len(imapFetchItems)]
		if strings.Contains(item, "\r\n") {
			item = "BODY[HEADER.FIELDS (SUBJECT)]"
		}
		g.text(item)
		return
	}
	n := int(v) - 199
	g.text("(")
	for i := range n {
		if i > 0 {
			g.text(" ")
		}
		item := imapFetchItems[g.r.intn(len(imapFetchItems))]
		if strings.Contains(item, "\r\n") {
			item = "FLAGS"
		}
		g.text(item)
	}
	g.text(")")
}

var imapSearchKeys = []string{
	"ALL", "UNSEEN", "SEEN", "FLAGGED", "DELETED", "ANSWERED", "DRAFT", "NEW", "OLD", "RECENT",
	"SUBJECT one", `SUBJECT ""`, "BODY message", "TEXT caf\xc3\xa9", "FROM alice", "TO bob", "CC x", "BCC x",
	"HEADER Subject two", `HEADER "" ""`, "SINCE 1-Jan-2020", "BEFORE 1-Jan-2030", "ON 2-Jan-2024",
	"SENTSINCE 32-Foo-99999", "LARGER 4294967295", "SMALLER 0", "LARGER -1", "UID 1:*", "1:*", "2,3",
	"KEYWORD $Forwarded", "UNKEYWORD x", "MODSEQ 1", "SAVEDATESINCE 1-Jan-2020", "$", "UID $",
}

// gSearch writes a search key, nested to a depth read from data.
func gSearch(g *gen) {
	g.depth++
	defer func() { g.depth-- }()
	v := g.r.byte()
	switch {
	case g.depth > 8 || v < 160:
		g.text(imapSearchKeys[int(v)%len(imapSearchKeys)])
	case v < 180:
		g.text("NOT ")
		gSearch(g)
	case v < 200:
		g.text("OR ")
		gSearch(g)
		g.text(" ")
		gSearch(g)
	case v < 220:
		g.text("(")
		gSearch(g)
		g.text(" ")
		gSearch(g)
		g.text(")")
	case v < 230:
		// Deep parentheses, as in known stack exhaustion bugs.
		d := int(g.r.byte())%200 + 20
		g.text(strings.Repeat("(", d) + "ALL" + strings.Repeat(")", d))
	case v < 240:
		g.text("SUBJECT ")
		gAstring(g)
	case v < 250:
		g.text("HEADER ")
		gAstring(g)
		g.text(" ")
		gAstring(g)
	default:
		// Many keys in a row.
		g.text(strings.Repeat("OR ALL ", 100) + "ALL")
	}
}

var imapFlags = []string{
	`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`, "$Forwarded", `\*`, "keyword",
	`\Unknown`, "(", `\`, "", "caf\xc3\xa9", strings.Repeat("k", 300), "$MDNSent", `\seen`, `"\Seen"`,
}

// gFlags writes a flag list.
func gFlags(g *gen) {
	v := g.r.byte()
	n := int(v) % 5
	if v >= 250 {
		n = 1000
	}
	g.text("(")
	for i := range n {
		if i > 0 {
			g.text(" ")
		}
		g.pick(imapFlags)
	}
	g.text(")")
}

func gFlag(g *gen) { g.pick(imapFlags) }

func gStoreOp(g *gen) {
	g.pick([]string{"+FLAGS", "FLAGS", "-FLAGS", "+FLAGS.SILENT", "FLAGS.SILENT", "-FLAGS.SILENT", "XFLAGS", "+FLAGS (UNCHANGEDSINCE 1)", "(UNCHANGEDSINCE 0) +FLAGS", "+flags"})
}

func gStatusAtts(g *gen) {
	atts := []string{"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "RECENT", "HIGHESTMODSEQ", "APPENDLIMIT", "MAILBOXID", "BOGUS", ""}
	n := g.r.intn(4) + 1
	g.text("(")
	for i := range n {
		if i > 0 {
			g.text(" ")
		}
		g.pick(atts)
	}
	g.text(")")
}

func gRef(g *gen) {
	g.pick([]string{`""`, `"INBOX"`, `"mailspec-fuzz"`, "~", `"/"`, `"%"`, `"*"`, `"&"`})
}

func gPat(g *gen) {
	v := g.r.intn(10)
	switch v {
	case 9:
		// Many wildcards: a pattern that backtracks badly in naive
		// matchers.
		g.text(quoteIMAP(strings.Repeat("*%", 40) + "x"))
	case 8:
		gAstring(g)
	default:
		g.pick([]string{`"*"`, "%", `""`, "INBOX", `"*x*"`, `"mailspec-fuzz/*"`, `"%/%"`, `"&"`})
	}
}

func gDate(g *gen) {
	g.pick([]string{`"01-Jan-2024 10:00:00 +0000"`, `" 1-Jan-2024 10:00:00 +0000"`, `"31-Feb-2024 25:61:61 +9999"`, `""`, `"01-Jan-0000 00:00:00 -2400"`, `"1-jan-99999 00:00:00 +0000"`, "NIL", `"01-Jan-2024"`})
}

// messages the fuzzer appends: plain, multipart, odd.
var imapMessages = []string{
	"Subject: fuzz\r\n\r\nbody\r\n",
	"From: a@example.test\r\nSubject: multi\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--b--\r\n",
	"",
	"no header line\r\n",
	"Subject: nul\r\n\r\nNUL \x00 byte\r\n",
	"Subject: bare lf\n\nbody\n",
	"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\n----\r\n",
}

// gLitMsg writes a message as a literal: synchronising, non-synchronising
// or literal8, or an announcement too large to send, which the server
// must refuse.
func gLitMsg(g *gen) {
	v := g.r.byte()
	msg := []byte(imapMessages[int(v)%len(imapMessages)])
	if extra := g.r.chunk(64); len(extra) > 0 {
		msg = append(append([]byte(nil), msg...), extra...)
	}
	switch (v / 16) % 8 {
	case 1:
		g.literal(msg, true, false)
	case 2:
		g.literal(msg, false, true)
	case 3:
		// A literal larger than any server accepts: the server must say
		// NO or BAD instead of "+".
		g.literal(nil, false, false)
		g.segs[len(g.segs)-1].decl = 4294967296
	case 4:
		// Deep MIME nesting.
		var b strings.Builder
		for i := range 60 {
			b.WriteString("Content-Type: multipart/mixed; boundary=b" + strconv.Itoa(i) + "\r\n\r\n--b" + strconv.Itoa(i) + "\r\n")
		}
		g.literal([]byte(b.String()), false, false)
	default:
		g.literal(msg, false, false)
	}
}

func gCapI(g *gen) {
	g.pick([]string{"IMAP4rev2", "UTF8=ACCEPT", "CONDSTORE", "QRESYNC", "X-UNKNOWN", "IMAP4rev1", "", strings.Repeat("A", 500)})
}

func gSelectOpts(g *gen) {
	g.pick([]string{"(CONDSTORE)", "(QRESYNC (1 1))", "()", "(X)", "(CONDSTORE CONDSTORE)", "(QRESYNC (4294967295 18446744073709551615 1:* (1:* 1:*)))"})
}

func gListSel(g *gen) {
	g.pick([]string{"()", "(SUBSCRIBED)", "(REMOTE)", "(RECURSIVEMATCH)", "(SUBSCRIBED RECURSIVEMATCH)", "(SPECIAL-USE)", "(X)"})
}

func gListRet(g *gen) {
	g.pick([]string{"()", "(CHILDREN)", "(SUBSCRIBED)", "(STATUS (MESSAGES UNSEEN))", "(SPECIAL-USE)", "(STATUS ())", "(STATUS (BOGUS))"})
}

func gSearchRet(g *gen) {
	g.pick([]string{"()", "(MIN MAX)", "(ALL COUNT)", "(SAVE)", "(MIN MAX ALL COUNT SAVE)", "(X)"})
}

func gCharset(g *gen) {
	g.pick([]string{"UTF-8", "US-ASCII", "ISO-8859-1", "X-UNKNOWN", `""`, "utf-8"})
}

func gID(g *gen) {
	g.pick([]string{"NIL", `("name" "mailspec")`, `("name")`, "()", `("a" NIL "b" "c")`, `(` + strings.Repeat(`"k" "v" `, 40) + `)`})
}

func gList(g *gen) {
	d := g.r.intn(40) + 1
	g.text(strings.Repeat("(", d))
	gAtom(g)
	g.text(strings.Repeat(")", d))
}

var imapGens = map[string]genFunc{
	"user": gUserI, "pass": gPassI, "astring": gAstring, "mbox": gMbox, "newmbox": gNewMbox, "destmbox": gDestMbox,
	"seq": gSeq, "fetch": gFetch, "search": gSearch, "flags": gFlags, "flag": gFlag,
	"storeop": gStoreOp, "statusatts": gStatusAtts, "ref": gRef, "pat": gPat, "date": gDate,
	"litmsg": gLitMsg, "cap": gCapI, "selectopts": gSelectOpts, "listsel": gListSel,
	"listret": gListRet, "searchret": gSearchRet, "charset": gCharset, "id": gID, "list": gList,
	"text": gText, "atom": gAtom, "num": gNum, "long": gLong, "odd": gOdd, "b64": gB64,
	"plainir": gPlainIR, "mech": gMech, "saslplain": gSASLPlain, "sasllogin": gSASLLogin,
	"raw":         rawGen(0, "STARTTLS", "COMPRESS", "AUTHENTICATE", "IDLE", "APPEND"),
	"rawuntagged": rawGen(1, "STARTTLS", "COMPRESS", "AUTHENTICATE", "IDLE", "APPEND", "LOGOUT"),
}

func imapSpec(name string, tmpls ...string) spec {
	return spec{name: name, forms: parseForms(imapGens, tmpls...)}
}

func init() {
	dicts[IMAP] = newDict(IMAP, []spec{
		imapSpec("CAPABILITY", "CAPABILITY", "CAPABILITY $text"),
		imapSpec("NOOP", "NOOP", "NOOP $text", "CHECK"),
		imapSpec("LOGOUT", "LOGOUT", "LOGOUT $text"),
		imapSpec("STARTTLS", "STARTTLS", "STARTTLS $text"),
		imapSpec("LOGIN", "LOGIN $user $pass", "LOGIN $astring $astring", "LOGIN $user $astring", "LOGIN $text", "LOGIN $user", "LOGIN $long $long"),
		imapSpec("AUTHENTICATE", "AUTHENTICATE PLAIN $plainir", "AUTHENTICATE PLAIN$saslplain", "AUTHENTICATE LOGIN$sasllogin", "AUTHENTICATE $mech $b64", "AUTHENTICATE $mech$saslplain"),
		imapSpec("ID", "ID $id"),
		imapSpec("ENABLE", "ENABLE $cap", "ENABLE $cap $cap", "ENABLE"),
		imapSpec("SELECT", "SELECT $mbox", "SELECT $mbox $selectopts", "SELECT $newmbox"),
		imapSpec("EXAMINE", "EXAMINE $mbox", "EXAMINE $mbox $selectopts"),
		imapSpec("CREATE", "CREATE $newmbox", "CREATE $newmbox (USE (\\Drafts))", "CREATE $mbox"),
		imapSpec("DELETE", "DELETE $newmbox"),
		imapSpec("RENAME", "RENAME $newmbox $newmbox", "RENAME $mbox $newmbox"),
		imapSpec("SUBSCRIBE", "SUBSCRIBE $mbox", "UNSUBSCRIBE $mbox"),
		imapSpec("LIST", "LIST $ref $pat", "LIST $listsel $ref $pat RETURN $listret", "LIST $ref ($pat $pat)", "LSUB $ref $pat"),
		imapSpec("NAMESPACE", "NAMESPACE"),
		imapSpec("STATUS", "STATUS $mbox $statusatts", "STATUS $mbox ()", "STATUS $mbox"),
		imapSpec("APPEND", "APPEND $mbox $litmsg", "APPEND $mbox $flags $litmsg", "APPEND $mbox $flags $date $litmsg", "APPEND $mbox $date $litmsg", "APPEND $mbox $text"),
		imapSpec("IDLE", "IDLE"),
		imapSpec("CLOSE", "CLOSE", "UNSELECT"),
		imapSpec("EXPUNGE", "EXPUNGE", "UID EXPUNGE $seq"),
		imapSpec("SEARCH", "SEARCH $search", "SEARCH CHARSET $charset $search", "SEARCH RETURN $searchret $search", "UID SEARCH $search", "SEARCH $search $search"),
		imapSpec("FETCH", "FETCH $seq $fetch", "UID FETCH $seq $fetch", "FETCH $seq ($fetch $fetch)", "FETCH $seq $fetch (CHANGEDSINCE 1)", "FETCH $seq", "FETCH $seq $list"),
		imapSpec("STORE", "STORE $seq $storeop $flags", "UID STORE $seq $storeop $flags", "STORE $seq $storeop $flag"),
		imapSpec("COPY", "COPY $seq $destmbox", "UID COPY $seq $destmbox", "COPY $seq $newmbox"),
		imapSpec("MOVE", "MOVE $seq $destmbox", "UID MOVE $seq $destmbox"),
		imapSpec("UNAUTHENTICATE", "UNAUTHENTICATE"),
		imapSpec("raw", "$raw"),
		imapSpec("raw-untagged", "$rawuntagged"),
	})
}
