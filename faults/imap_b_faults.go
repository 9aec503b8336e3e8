package faults

// Faults of the IMAP message, extension and concurrency suites: each makes
// a correct server break one requirement of FETCH data (RFC 9051 section
// 7.5.2), message numbering (section 7.5.1), STORE (6.4.6), SEARCH
// (6.4.4), APPEND and COPY (6.3.12, 6.4.7), UIDPLUS (RFC 4315) or UIDs
// (2.3.1.1, 6.4.9).

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// imapData reports whether raw is the untagged server data "* ... KEYWORD"
// (KEYWORD after an optional number), e.g. "* 3 FETCH (".
func imapData(raw []byte, keyword string) bool {
	tag, second, rest := imapResponseWords(raw)
	if tag != "*" {
		return false
	}
	if strings.EqualFold(second, keyword) {
		return true
	}
	word, _, _ := strings.Cut(rest, " ")
	word, _, _ = strings.Cut(word, "(")
	_, err := strconv.Atoi(second)
	return err == nil && strings.EqualFold(strings.TrimRight(word, "\r\n"), keyword)
}

// isVerb reports whether the exchange answers one of the verbs.
func isVerb(e *Exchange, verbs ...string) bool {
	for _, v := range verbs {
		if e.Verb() == v {
			return true
		}
	}
	return false
}

// isCompletion reports whether raw is the tagged completion of e's command.
func isCompletion(e *Exchange) bool {
	return e.Command != nil && e.IMAPTag() == e.Command.Tag
}

// firstLine returns the end of the first line of raw (after its LF).
func firstLineEnd(raw []byte) int {
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		return i + 1
	}
	return len(raw)
}

// replaceFirstLine applies f to the first line of raw (the part before
// any literal) and keeps the rest.
func replaceFirstLine(raw []byte, f func(string) string) []byte {
	n := firstLineEnd(raw)
	out := []byte(f(string(raw[:n])))
	return append(out, raw[n:]...)
}

var (
	literalAnnRE = regexp.MustCompile(`\{(\d+)\}\r\n`)
	// basicTextRE finds the basic fields of a text part: type, subtype,
	// parameters, id, description, encoding, size, lines (RFC 9051
	// section 9, body-type-text), written as go-imap and Dovecot write
	// them (quoted strings, NIL, a flat parameter list).
	basicTextRE  = regexp.MustCompile(`(?i)\("text" "[^"]*" (?:\([^()]*\)|NIL) (?:"[^"]*"|NIL) (?:"[^"]*"|NIL) "[^"]*" (\d+) (\d+)`)
	rfc822SizeRE = regexp.MustCompile(`(?i)RFC822\.SIZE (\d+)`)
	uidItemRE    = regexp.MustCompile(`(?i)(\(| )UID \d+( |\))`)
	uidvalRE     = regexp.MustCompile(`(?i)\[UIDVALIDITY \d+\]`)
	appendUIDRE  = regexp.MustCompile(`(?i)\[APPENDUID (\d+) (\d+)\]`)
	copyUIDRE    = regexp.MustCompile(`(?i)\[COPYUID (\d+) (\S+) (\S+)\]`)
	trycreateRE  = regexp.MustCompile(`(?i)\[TRYCREATE\] ?`)
	esearchAllRE = regexp.MustCompile(`(?i) ALL ([0-9:,]+)`)
	bodyItemRE   = regexp.MustCompile(`(?i)(BODYSTRUCTURE|BODY) \(`)
)

// bumpSubmatch adds one to the number of submatch group of the first
// match of re in s.
func bumpSubmatch(s string, re *regexp.Regexp, group int) string {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return s
	}
	n, _ := strconv.Atoi(s[m[2*group]:m[2*group+1]])
	return s[:m[2*group]] + strconv.Itoa(n+1) + s[m[2*group+1]:]
}

// imapListSpans returns the spans of the elements of the parenthesised
// list that opens at raw[open]: quoted strings, literals, nested lists and
// atoms. ok is false when the list does not close.
func imapListSpans(raw []byte, open int) (spans [][2]int, ok bool) {
	i := open + 1
	for i < len(raw) {
		switch c := raw[i]; {
		case c == ' ':
			i++
		case c == ')':
			return spans, true
		case c == '(':
			depth, j := 0, i
			for ; j < len(raw); j++ {
				if raw[j] == '"' {
					j = skipQuoted(raw, j)
					continue
				}
				if raw[j] == '(' {
					depth++
				} else if raw[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(raw) {
				return nil, false
			}
			spans = append(spans, [2]int{i, j + 1})
			i = j + 1
		case c == '"':
			j := skipQuoted(raw, i)
			spans = append(spans, [2]int{i, j + 1})
			i = j + 1
		case c == '{':
			m := literalAnnRE.FindSubmatchIndex(raw[i:])
			if m == nil || m[0] != 0 {
				return nil, false
			}
			n, _ := strconv.Atoi(string(raw[i+m[2] : i+m[3]]))
			end := i + m[1] + n
			if end > len(raw) {
				return nil, false
			}
			spans = append(spans, [2]int{i, end})
			i = end
		default:
			j := i
			for j < len(raw) && raw[j] != ' ' && raw[j] != ')' && raw[j] != '(' {
				j++
			}
			spans = append(spans, [2]int{i, j})
			i = j
		}
	}
	return nil, false
}

// skipQuoted returns the index of the DQUOTE that closes the quoted
// string opening at raw[i], or len(raw)-1.
func skipQuoted(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(raw) - 1
}

// heldKey is where imap-expunge-not-decremented counts the EXPUNGE
// responses of the command in progress.
const (
	expungeCmdKey   = "imap-expunge-not-decremented.cmd"
	expungeCountKey = "imap-expunge-not-decremented.n"
)

func init() {
	Register(Fault{
		Name:        "imap-literal-wrong-length",
		Protocol:    IMAP,
		Description: "RFC 9051 4.3: a literal in a FETCH response announces one octet more than its content, so it swallows the next octet of the response",
		OnReply: func(e *Exchange) {
			if !imapData(e.Raw, "FETCH") {
				return
			}
			m := literalAnnRE.FindSubmatchIndex(e.Raw)
			if m == nil {
				return
			}
			n, _ := strconv.Atoi(string(e.Raw[m[2]:m[3]]))
			e.Reply = append(append(append([]byte(nil), e.Raw[:m[2]]...), strconv.Itoa(n+1)...), e.Raw[m[3]:]...)
		},
	})
	Register(Fault{
		Name:        "imap-trycreate-dropped",
		Protocol:    IMAP,
		Description: "RFC 9051 6.3.12 and 6.4.7: the NO to APPEND, COPY or MOVE into a missing mailbox lacks the TRYCREATE response code",
		OnReply: func(e *Exchange) {
			if isCompletion(e) && e.IMAPStatus() == "NO" {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string { return trycreateRE.ReplaceAllString(l, "") })
			}
		},
	})
	Register(Fault{
		Name:        "imap-exists-dropped-after-append",
		Protocol:    IMAP,
		Description: "RFC 9051 6.3.12: an APPEND to the selected mailbox is not announced with an untagged EXISTS",
		OnReply: func(e *Exchange) {
			if e.Verb() == "APPEND" && e.State.Selected && imapData(e.Raw, "EXISTS") {
				e.Drop()
			}
		},
	})
	Register(Fault{
		Name:        "imap-envelope-from-sender-swapped",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: ENVELOPE carries the sender in the from field and the from in the sender field",
		OnReply: func(e *Exchange) {
			if !imapData(e.Raw, "FETCH") {
				return
			}
			i := bytes.Index(bytes.ToUpper(e.Raw), []byte("ENVELOPE ("))
			if i < 0 {
				return
			}
			spans, ok := imapListSpans(e.Raw, i+len("ENVELOPE "))
			if !ok || len(spans) != 10 {
				return
			}
			from, sender := spans[2], spans[3]
			var out []byte
			out = append(out, e.Raw[:from[0]]...)
			out = append(out, e.Raw[sender[0]:sender[1]]...)
			out = append(out, e.Raw[from[1]:sender[0]]...)
			out = append(out, e.Raw[from[0]:from[1]]...)
			out = append(out, e.Raw[sender[1]:]...)
			e.Reply = out
		},
	})
	Register(Fault{
		Name:        "imap-body-lines-off-by-one",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: the size in text lines of the first text part in BODY and BODYSTRUCTURE is one too many",
		OnReply: func(e *Exchange) {
			if imapData(e.Raw, "FETCH") && bodyItemRE.Match(e.Raw) {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string { return bumpSubmatch(l, basicTextRE, 2) })
			}
		},
	})
	Register(Fault{
		Name:        "imap-bodystructure-size-off-by-one",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: the body size in octets of the first text part in BODY and BODYSTRUCTURE is one too many",
		OnReply: func(e *Exchange) {
			if imapData(e.Raw, "FETCH") && bodyItemRE.Match(e.Raw) {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string { return bumpSubmatch(l, basicTextRE, 1) })
			}
		},
	})
	Register(Fault{
		Name:        "imap-rfc822-size-off-by-one",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: RFC822.SIZE is one more than the size of the message",
		OnReply: func(e *Exchange) {
			if imapData(e.Raw, "FETCH") {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string { return bumpSubmatch(l, rfc822SizeRE, 1) })
			}
		},
	})
	Register(Fault{
		Name:        "imap-peek-sets-seen",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.5: BODY.PEEK[] sets \\Seen (the proxy asks the server for BODY[] instead)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "FETCH", "UID FETCH") {
				e.Line = bytes.ReplaceAll(e.Line, []byte("BODY.PEEK["), []byte("BODY["))
				e.Line = bytes.ReplaceAll(e.Line, []byte("body.peek["), []byte("body["))
			}
		},
	})
	Register(Fault{
		Name:        "imap-store-no-fetch",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.6: STORE without .SILENT does not return the new flags in an untagged FETCH",
		OnReply: func(e *Exchange) {
			if isVerb(e, "STORE", "UID STORE") && imapData(e.Raw, "FETCH") {
				e.Drop()
			}
		},
	})
	Register(Fault{
		Name:        "imap-expunge-dropped",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.3: EXPUNGE (or MOVE) removes messages without an untagged EXPUNGE for each",
		OnReply: func(e *Exchange) {
			if isVerb(e, "EXPUNGE", "UID EXPUNGE", "MOVE", "UID MOVE") && imapData(e.Raw, "EXPUNGE") {
				e.Drop()
			}
		},
	})
	Register(Fault{
		Name:        "imap-expunge-not-decremented",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.1: successive untagged EXPUNGE responses to one command are numbered as if earlier ones had not removed a message",
		OnReply: func(e *Exchange) {
			if !imapData(e.Raw, "EXPUNGE") {
				return
			}
			if e.Conn.Values[expungeCmdKey] != e.Command {
				e.Conn.Values[expungeCmdKey] = e.Command
				e.Conn.Values[expungeCountKey] = 0
			}
			k, _ := e.Conn.Values[expungeCountKey].(int)
			e.Conn.Values[expungeCountKey] = k + 1
			if k == 0 {
				return
			}
			_, num, _ := imapResponseWords(e.Raw)
			n, err := strconv.Atoi(num)
			if err != nil {
				return
			}
			e.Reply = []byte("* " + strconv.Itoa(n+k) + " EXPUNGE\r\n")
		},
	})
	Register(Fault{
		Name:        "imap-close-sends-expunge",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.1: CLOSE sends an untagged EXPUNGE",
		OnReply: func(e *Exchange) {
			if e.Verb() == "CLOSE" && isCompletion(e) && e.IMAPStatus() == "OK" {
				e.Before = []byte("* 1 EXPUNGE\r\n")
			}
		},
	})
	Register(Fault{
		Name:        "imap-search-drops-last",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.4, RFC 4731 3.1: the SEARCH (or ESEARCH ALL) result leaves out the last matching message",
		OnReply: func(e *Exchange) {
			if !isVerb(e, "SEARCH", "UID SEARCH") {
				return
			}
			switch {
			case imapData(e.Raw, "SEARCH"):
				e.Reply = replaceFirstLine(e.Raw, dropLastNumber)
			case imapData(e.Raw, "ESEARCH"):
				e.Reply = replaceFirstLine(e.Raw, dropLastOfAll)
			}
		},
	})
	Register(Fault{
		Name:        "imap-fetch-uid-omitted",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.9: FETCH responses caused by a UID command lack the UID data item",
		OnReply: func(e *Exchange) {
			if strings.HasPrefix(e.Verb(), "UID ") && imapData(e.Raw, "FETCH") {
				e.Reply = replaceFirstLine(e.Raw, dropUIDItem)
			}
		},
	})
	Register(Fault{
		Name:        "imap-appenduid-swapped",
		Protocol:    IMAP,
		Description: "RFC 4315 3: APPENDUID carries the UID first and the UIDVALIDITY second",
		OnReply: func(e *Exchange) {
			e.Reply = replaceFirstLine(e.Raw, func(l string) string {
				return appendUIDRE.ReplaceAllString(l, "[APPENDUID $2 $1]")
			})
		},
	})
	Register(Fault{
		Name:        "imap-copyuid-swapped",
		Protocol:    IMAP,
		Description: "RFC 4315 3: COPYUID carries the destination UIDs where the source UIDs belong and the other way round",
		OnReply: func(e *Exchange) {
			e.Reply = replaceFirstLine(e.Raw, func(l string) string {
				return copyUIDRE.ReplaceAllString(l, "[COPYUID $1 $3 $2]")
			})
		},
	})
	Register(Fault{
		Name:        "imap-uidvalidity-zero",
		Protocol:    IMAP,
		Description: "RFC 9051 7.1: the UIDVALIDITY response code carries 0, which is not an nz-number",
		OnReply: func(e *Exchange) {
			e.Reply = replaceFirstLine(e.Raw, func(l string) string {
				return uidvalRE.ReplaceAllString(l, "[UIDVALIDITY 0]")
			})
		},
	})
	Register(Fault{
		Name:        "imap-expunge-during-fetch",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.1: an untagged EXPUNGE is sent while responding to FETCH, STORE or SEARCH",
		OnReply: func(e *Exchange) {
			if isVerb(e, "FETCH", "UID FETCH", "STORE", "UID STORE", "SEARCH", "UID SEARCH") && e.State.Selected && isCompletion(e) {
				e.Before = []byte("* 1 EXPUNGE\r\n")
			}
		},
	})
}

// dropLastNumber removes the last number of a "* SEARCH n n n" line.
func dropLastNumber(l string) string {
	body := strings.TrimRight(l, "\r\n")
	f := strings.Fields(body)
	// * SEARCH n ... (a trailing "(MODSEQ n)" of RFC 7162 is left alone)
	for i := len(f) - 1; i >= 2; i-- {
		if _, err := strconv.Atoi(f[i]); err == nil {
			f = append(f[:i], f[i+1:]...)
			return strings.Join(f, " ") + "\r\n"
		}
	}
	return l
}

// dropLastOfAll removes the highest number of ESEARCH's ALL set.
func dropLastOfAll(l string) string {
	m := esearchAllRE.FindStringSubmatchIndex(l)
	if m == nil {
		return l
	}
	var nums []int
	for _, p := range strings.Split(l[m[2]:m[3]], ",") {
		a, b, rng := strings.Cut(p, ":")
		x, _ := strconv.Atoi(a)
		y := x
		if rng {
			y, _ = strconv.Atoi(b)
		}
		if x > y {
			x, y = y, x
		}
		for v := x; v <= y && v-x < 100000; v++ {
			nums = append(nums, v)
		}
	}
	sort.Ints(nums)
	if len(nums) < 2 {
		// Leaving ALL out entirely would claim no match: drop the item.
		return l[:m[0]] + l[m[1]:]
	}
	parts := make([]string, 0, len(nums)-1)
	for _, n := range nums[:len(nums)-1] {
		parts = append(parts, strconv.Itoa(n))
	}
	return l[:m[2]] + strings.Join(parts, ",") + l[m[3]:]
}

// dropUIDItem removes the "UID n" item from a FETCH response line.
func dropUIDItem(l string) string {
	m := uidItemRE.FindStringSubmatchIndex(l)
	if m == nil {
		return l
	}
	before, after := l[m[2]:m[3]], l[m[4]:m[5]]
	repl := before + after
	switch {
	case after == " ":
		repl = before
	case before == " ":
		repl = after
	}
	return l[:m[0]] + repl + l[m[1]:]
}

// asCommand replaces a command line with another command of the same tag.
func asCommand(e *Exchange, line string) {
	e.Line = []byte(e.Command.Tag + " " + line + "\r\n")
}

var (
	flagsListRE = regexp.MustCompile(`(?i)FLAGS \(([^)]*)\)`)
	seenFlagRE  = regexp.MustCompile(`(?i)\\Seen ?`)
)

func init() {
	Register(Fault{
		Name:        "imap-append-refused",
		Protocol:    IMAP,
		Description: "RFC 9051 6.3.12: a successful APPEND is answered NO",
		OnReply: func(e *Exchange) {
			if e.Verb() == "APPEND" && isCompletion(e) && e.IMAPStatus() == "OK" {
				e.Reply = []byte(e.Command.Tag + " NO append failed\r\n")
			}
		},
	})
	Register(Fault{
		Name:        "imap-fetch-flags-seen-added",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: FETCH FLAGS reports \\Seen on messages that do not have it",
		OnReply: func(e *Exchange) {
			if imapData(e.Raw, "FETCH") {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string {
					return flagsListRE.ReplaceAllStringFunc(l, func(m string) string {
						if strings.Contains(strings.ToLower(m), `\seen`) {
							return m
						}
						return strings.Replace(m, "(", `(\Seen `, 1)
					})
				})
			}
		},
	})
	Register(Fault{
		Name:        "imap-fetch-flags-seen-dropped",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.5: BODY[] does not set \\Seen (FETCH FLAGS never reports it)",
		OnReply: func(e *Exchange) {
			if imapData(e.Raw, "FETCH") {
				e.Reply = replaceFirstLine(e.Raw, func(l string) string {
					return flagsListRE.ReplaceAllStringFunc(l, func(m string) string {
						return seenFlagRE.ReplaceAllString(m, "")
					})
				})
			}
		},
	})
	Register(Fault{
		Name:        "imap-envelope-reply-to-nil",
		Protocol:    IMAP,
		Description: "RFC 9051 7.5.2: the reply-to member of ENVELOPE is NIL instead of the Reply-To addresses (or those of From by default)",
		OnReply: func(e *Exchange) {
			if !imapData(e.Raw, "FETCH") {
				return
			}
			i := bytes.Index(bytes.ToUpper(e.Raw), []byte("ENVELOPE ("))
			if i < 0 {
				return
			}
			spans, ok := imapListSpans(e.Raw, i+len("ENVELOPE "))
			if !ok || len(spans) != 10 {
				return
			}
			r := spans[4]
			e.Reply = append(append(append([]byte(nil), e.Raw[:r[0]]...), "NIL"...), e.Raw[r[1]:]...)
		},
	})
	Register(Fault{
		Name:        "imap-store-silent-fetch",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.6: STORE with .SILENT returns the new flags in an untagged FETCH",
		OnReply: func(e *Exchange) {
			if isVerb(e, "STORE", "UID STORE") && isCompletion(e) && strings.Contains(strings.ToUpper(e.Command.Args), ".SILENT") {
				e.Before = []byte("* 1 FETCH (FLAGS (\\Flagged))\r\n")
			}
		},
	})
	Register(Fault{
		Name:        "imap-copy-ignored",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.7: COPY is answered OK but copies nothing (the proxy sends NOOP instead)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "COPY") {
				asCommand(e, "NOOP")
			}
		},
	})
	Register(Fault{
		Name:        "imap-expunge-ignored",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.3: EXPUNGE is answered OK but removes nothing (the proxy sends NOOP instead)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "EXPUNGE") {
				asCommand(e, "NOOP")
			}
		},
	})
	Register(Fault{
		Name:        "imap-uid-expunge-all",
		Protocol:    IMAP,
		Description: "RFC 4315 2.1: UID EXPUNGE removes every \\Deleted message, not only those in its UID set (the proxy sends EXPUNGE)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "UID EXPUNGE") {
				asCommand(e, "EXPUNGE")
			}
		},
	})
	Register(Fault{
		Name:        "imap-unselect-expunges",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.2: UNSELECT removes the \\Deleted messages (the proxy sends CLOSE)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "UNSELECT") {
				asCommand(e, "CLOSE")
			}
		},
	})
	Register(Fault{
		Name:        "imap-unselect-ignored",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.2: UNSELECT is answered OK but the mailbox stays selected (the proxy sends NOOP)",
		OnCommand: func(e *Exchange) {
			if isVerb(e, "UNSELECT") {
				asCommand(e, "NOOP")
			}
		},
	})
	Register(Fault{
		Name:        "imap-search-badcharset-bad",
		Protocol:    IMAP,
		Description: "RFC 9051 6.4.4: SEARCH with an unsupported charset is answered BAD instead of NO",
		OnReply: func(e *Exchange) {
			if isVerb(e, "SEARCH", "UID SEARCH") && isCompletion(e) && e.IMAPStatus() == "NO" {
				e.Reply = []byte(e.Command.Tag + " BAD unknown charset\r\n")
			}
		},
	})
	Register(Fault{
		Name:        "imap-idle-refused",
		Protocol:    IMAP,
		Description: "RFC 2177 3: IDLE is answered BAD instead of a continuation request",
		OnReply: func(e *Exchange) {
			if e.Verb() == "IDLE" && e.IMAPTag() == "+" {
				e.Reply = []byte(e.Command.Tag + " BAD no idling\r\n")
			}
		},
	})
	Register(Fault{
		Name:        "imap-idle-updates-dropped",
		Protocol:    IMAP,
		Description: "RFC 9051 5.2: while idling, the EXISTS and EXPUNGE of changes by other sessions are not sent",
		OnReply: func(e *Exchange) {
			if e.Verb() == "IDLE" && !isCompletion(e) && (imapData(e.Raw, "EXISTS") || imapData(e.Raw, "EXPUNGE")) {
				e.Drop()
			}
		},
	})
	Register(Fault{
		Name:        "imap-noop-exists-dropped",
		Protocol:    IMAP,
		Description: "RFC 9051 5.2: NOOP does not send the EXISTS of messages other sessions added",
		OnReply: func(e *Exchange) {
			if e.Verb() == "NOOP" && imapData(e.Raw, "EXISTS") {
				e.Drop()
			}
		},
	})
}
