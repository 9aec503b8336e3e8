package faults

// Faults of the IMAP connection, authentication, mailbox and extension
// suites (features/imap/{session,auth,starttls,mailbox,list-ext,ext,
// security}.feature). Each breaks one requirement of RFC 9051, RFC 3501,
// RFC 5161, RFC 5258, RFC 5819 or RFC 7888 on a correct server.

import (
	"bytes"
	"strings"
)

func init() {
	for _, f := range []Fault{
		{
			Name: "imap-a-greeting-no", Protocol: IMAP,
			Description: "RFC 9051 7.1: the greeting is an untagged NO, which is neither OK, PREAUTH nor BYE (greeting = \"*\" SP (resp-cond-auth / resp-cond-bye) CRLF)",
			OnGreeting: func(e *Exchange) {
				if _, rest, ok := iaSplitStatus(e.Raw); ok {
					e.Reply = []byte("* NO " + rest)
				}
			},
		},
		{
			Name: "imap-a-capability-no-version", Protocol: IMAP,
			Description: "RFC 9051 6.1.1: the untagged CAPABILITY response lists neither IMAP4rev2 nor IMAP4rev1",
			OnReply: func(e *Exchange) {
				if e.IMAPTag() == "*" && e.IMAPStatus() == "CAPABILITY" {
					e.Reply = iaEditAtoms(e.Raw, func(a string) bool {
						return !strings.EqualFold(a, "IMAP4rev1") && !strings.EqualFold(a, "IMAP4rev2")
					}, "")
				}
			},
		},
		{
			Name: "imap-a-noop-bad", Protocol: IMAP,
			Description: "RFC 9051 6.1.2: NOOP, which always succeeds, is answered with a tagged BAD",
			OnReply: func(e *Exchange) {
				if e.Verb() == "NOOP" && iaIsTagged(e) {
					e.Reply = []byte(e.Command.Tag + " BAD NOOP refused\r\n")
				}
			},
		},
		{
			Name: "imap-a-logout-no-bye", Protocol: IMAP,
			Description: "RFC 9051 6.1.3: LOGOUT is answered without the untagged BYE before the tagged OK",
			OnReply: func(e *Exchange) {
				if e.Verb() == "LOGOUT" && e.IMAPTag() == "*" && e.IMAPStatus() == "BYE" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-logout-no-close", Protocol: IMAP,
			Description: "RFC 9051 6.1.3: after the tagged OK to LOGOUT the server sends more instead of closing the connection",
			OnReply: func(e *Exchange) {
				if e.Verb() == "LOGOUT" && iaIsTagged(e) {
					e.After = []byte("* OK still here\r\n")
				}
			},
		},
		{
			Name: "imap-a-tag-uppercased", Protocol: IMAP,
			Description: "RFC 9051 2.2.2: the completion response carries the command's tag in upper case, not the tag as sent",
			OnReply: func(e *Exchange) {
				if iaIsTagged(e) {
					e.Reply = append([]byte(strings.ToUpper(e.Command.Tag)), e.Raw[len(e.Command.Tag):]...)
				}
			},
		},
		{
			Name: "imap-a-bad-as-no", Protocol: IMAP,
			Description: "RFC 9051 7.1.3: protocol-level errors (unknown commands, syntax errors, a cancelled AUTHENTICATE, STARTTLS where it is not allowed) are answered with a tagged NO instead of BAD",
			OnReply: func(e *Exchange) {
				if iaIsTagged(e) && e.IMAPStatus() == "BAD" {
					e.Reply = iaSetStatus(e.Raw, "NO")
				}
			},
		},
		{
			Name: "imap-a-refusal-ok", Protocol: IMAP,
			Description: "RFC 9051 6.3.4: commands the server must refuse (CREATE of an existing name, DELETE or SELECT of a missing one, a wrong password, a command in the wrong state) are answered with a tagged OK",
			OnReply: func(e *Exchange) {
				if iaIsTagged(e) && (e.IMAPStatus() == "NO" || e.IMAPStatus() == "BAD") {
					e.Reply = iaSetStatus(e.Raw, "OK")
				}
			},
		},
		{
			Name: "imap-a-login-refused", Protocol: IMAP,
			Description: "RFC 9051 6.2.3: LOGIN and AUTHENTICATE with the account's valid credentials are answered with a tagged NO",
			OnReply: func(e *Exchange) {
				if (e.Verb() == "LOGIN" || e.Verb() == "AUTHENTICATE") && iaIsTagged(e) && e.IMAPStatus() == "OK" {
					e.Reply = []byte(e.Command.Tag + " NO [AUTHENTICATIONFAILED] refused\r\n")
				}
			},
		},
		{
			Name: "imap-a-login-disabled-ignored", Protocol: IMAP,
			Description: "RFC 9051 7.2.2: LOGIN before TLS, where the server advertises LOGINDISABLED, is answered with a tagged OK",
			OnReply: func(e *Exchange) {
				if e.Verb() == "LOGIN" && !e.State.TLS && iaIsTagged(e) && e.IMAPStatus() != "OK" {
					e.Reply = iaSetStatus(e.Raw, "OK")
				}
			},
		},
		{
			Name: "imap-a-sasl-ir-refused", Protocol: IMAP,
			Description: "RFC 4959 3: AUTHENTICATE with an initial response (the SASL-IR second argument) is refused with a tagged BAD",
			OnCommand: func(e *Exchange) {
				if e.Verb() != "AUTHENTICATE" {
					return
				}
				if _, ir, ok := strings.Cut(strings.TrimSpace(e.Command.Args), " "); ok && ir != "" {
					e.Respond = []byte(e.Command.Tag + " BAD initial response not accepted\r\n")
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-starttls-data-before-tls", Protocol: IMAP,
			Description: "RFC 9051 6.2.1: the server sends an untagged response in plaintext after its OK to STARTTLS, before the TLS handshake",
			OnReply: func(e *Exchange) {
				if e.Verb() == "STARTTLS" && iaIsTagged(e) && e.IMAPStatus() == "OK" {
					e.After = []byte("* OK [ALERT] plaintext after the go-ahead\r\n")
				}
			},
		},
		{
			Name: "imap-a-starttls-still-advertised", Protocol: IMAP,
			Description: "RFC 9051 6.2.1: STARTTLS is still advertised in the CAPABILITY response after a successful STARTTLS",
			OnReply: func(e *Exchange) {
				if e.State.TLS && e.IMAPTag() == "*" && e.IMAPStatus() == "CAPABILITY" && !iaHasAtom(e.Raw, "STARTTLS") {
					e.Reply = iaEditAtoms(e.Raw, nil, "STARTTLS")
				}
			},
		},
		{
			Name: "imap-a-starttls-injection", Protocol: IMAP,
			Description: "RFC 9051 6.2.1: commands pipelined in plaintext behind STARTTLS are executed after the TLS handshake (the STARTTLS command injection of CERT-555316)",
			OnCommand: func(e *Exchange) {
				if e.Verb() == "STARTTLS" {
					e.PipelinedAfterTLS = true
				}
			},
		},
		{
			Name: "imap-a-huge-literal-accepted", Protocol: IMAP,
			Description: "RFC 9051 2.2.1: a literal announcing more octets than number64 allows is answered with a command continuation request instead of BAD",
			OnReply: func(e *Exchange) {
				if e.Command != nil && iaHugeLiteral(e.Command.Args) && (iaIsTagged(e) || e.IMAPTag() == "*" && e.IMAPStatus() == "BYE") {
					e.Reply = []byte("+ go ahead\r\n")
				}
			},
		},
		{
			Name: "imap-a-long-line-ok", Protocol: IMAP,
			Description: "RFC 9051 2.2.2: a 100000-octet command line with extraneous arguments is answered with a tagged OK",
			OnReply: func(e *Exchange) {
				if e.Command != nil && len(e.Command.Line) > 50000 && iaIsTagged(e) {
					e.Reply = iaSetStatus(e.Raw, "OK")
				}
			},
		},
		{
			Name: "imap-a-no-continuation", Protocol: IMAP,
			Description: "RFC 9051 4.3: a synchronizing literal is answered with a tagged NO instead of the command continuation request the client waits for",
			OnReply: func(e *Exchange) {
				if e.Command == nil || e.IMAPTag() != "+" || e.Verb() == "AUTHENTICATE" || e.Verb() == "IDLE" {
					return
				}
				if _, nonSync, ok := literalAtEnd(e.Command.Line); ok && !nonSync {
					e.Reply = []byte(e.Command.Tag + " NO no literal wanted\r\n")
				}
			},
		},
		{
			Name: "imap-a-select-uidvalidity-zero", Protocol: IMAP,
			Description: "RFC 9051 6.3.2: SELECT and EXAMINE send OK [UIDVALIDITY 0], though UIDVALIDITY is an nz-number",
			OnReply: func(e *Exchange) {
				if iaSelecting(e) && iaUntaggedCode(e.Raw) == "UIDVALIDITY" {
					e.Reply = iaSetCodeArgs(e.Raw, "0")
				}
			},
		},
		{
			Name: "imap-a-select-no-permanentflags", Protocol: IMAP,
			Description: "RFC 9051 6.3.2: SELECT sends no OK [PERMANENTFLAGS (...)]",
			OnReply: func(e *Exchange) {
				if iaSelecting(e) && iaUntaggedCode(e.Raw) == "PERMANENTFLAGS" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-select-no-recent", Protocol: IMAP,
			Description: "RFC 3501 6.3.1: SELECT sends no untagged RECENT",
			OnReply: func(e *Exchange) {
				if iaSelecting(e) && e.IMAPTag() == "*" && iaDataName(e.Raw) == "RECENT" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-select-read-only", Protocol: IMAP,
			Description: "RFC 9051 6.3.2: SELECT of a mailbox the client may modify answers OK [READ-ONLY] instead of [READ-WRITE]",
			OnReply: func(e *Exchange) {
				if e.Verb() == "SELECT" && iaIsTagged(e) {
					e.Reply = bytes.Replace(e.Raw, []byte("[READ-WRITE]"), []byte("[READ-ONLY]"), 1)
				}
			},
		},
		{
			Name: "imap-a-examine-read-write", Protocol: IMAP,
			Description: "RFC 9051 6.3.3: the tagged OK to EXAMINE begins with [READ-WRITE] instead of [READ-ONLY]",
			OnReply: func(e *Exchange) {
				if e.Verb() == "EXAMINE" && iaIsTagged(e) {
					e.Reply = bytes.Replace(e.Raw, []byte("[READ-ONLY]"), []byte("[READ-WRITE]"), 1)
				}
			},
		},
		{
			Name: "imap-a-list-dropped", Protocol: IMAP,
			Description: "RFC 9051 6.3.9: LIST and LSUB leave out the mailbox names that match their patterns (all untagged LIST and LSUB responses with a non-empty name are dropped)",
			OnReply: func(e *Exchange) {
				if name, ok := iaListName(e.Raw); ok && name != `""` {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-list-root-dropped", Protocol: IMAP,
			Description: "RFC 9051 6.3.9: LIST with an empty mailbox name returns no LIST response with the hierarchy delimiter",
			OnReply: func(e *Exchange) {
				if name, ok := iaListName(e.Raw); ok && name == `""` {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-list-stale", Protocol: IMAP,
			Description: "RFC 9051 6.3.5: a mailbox name deleted, renamed away or unsubscribed is still listed by LIST and LSUB",
			OnCommand: func(e *Exchange) {
				var old string
				switch e.Verb() {
				case "DELETE", "UNSUBSCRIBE":
					old = strings.TrimSpace(e.Command.Args)
				case "RENAME":
					old, _, _ = strings.Cut(strings.TrimSpace(e.Command.Args), " ")
				default:
					return
				}
				gone, _ := e.Conn.Values[iaStaleKey].([]string)
				e.Conn.Values[iaStaleKey] = append(gone, old)
			},
			OnReply: func(e *Exchange) {
				if (e.Verb() != "LIST" && e.Verb() != "LSUB") || !iaIsTagged(e) {
					return
				}
				gone, _ := e.Conn.Values[iaStaleKey].([]string)
				var b []byte
				for _, name := range gone {
					b = append(b, "* "+e.Verb()+" () NIL "+name+"\r\n"...)
				}
				e.Before = b
			},
		},
		{
			Name: "imap-a-list-percent-as-star", Protocol: IMAP,
			Description: "RFC 9051 6.3.9: the \"%\" wildcard of LIST matches the hierarchy delimiter as \"*\" does",
			OnCommand: func(e *Exchange) {
				if e.Verb() == "LIST" {
					e.Line = bytes.ReplaceAll(e.Raw, []byte("%"), []byte("*"))
				}
			},
		},
		{
			Name: "imap-a-list-both-children", Protocol: IMAP,
			Description: "RFC 9051 6.3.9.5: LIST responses carry both \\HasChildren and \\HasNoChildren",
			OnReply: func(e *Exchange) {
				if _, ok := iaListName(e.Raw); ok {
					e.Reply = iaListAttrs(e.Raw, `\HasChildren \HasNoChildren`)
				}
			},
		},
		{
			Name: "imap-a-status-dropped", Protocol: IMAP,
			Description: "RFC 9051 6.3.11: STATUS (and LIST RETURN (STATUS)) send no untagged STATUS response",
			OnReply: func(e *Exchange) {
				if e.IMAPTag() == "*" && e.IMAPStatus() == "STATUS" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-namespace-dropped", Protocol: IMAP,
			Description: "RFC 9051 6.3.10: NAMESPACE sends no untagged NAMESPACE response",
			OnReply: func(e *Exchange) {
				if e.IMAPTag() == "*" && e.IMAPStatus() == "NAMESPACE" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-enable-no-enabled", Protocol: IMAP,
			Description: "RFC 5161 3.1: a successful ENABLE is answered without the untagged ENABLED response",
			OnReply: func(e *Exchange) {
				if e.IMAPTag() == "*" && e.IMAPStatus() == "ENABLED" {
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-enable-echo", Protocol: IMAP,
			Description: "RFC 5161 3.1: the ENABLED response lists every argument of ENABLE, also extensions the server does not know",
			OnReply: func(e *Exchange) {
				if e.Verb() == "ENABLE" && e.IMAPTag() == "*" && e.IMAPStatus() == "ENABLED" {
					e.Reply = []byte("* ENABLED " + strings.TrimSpace(e.Command.Args) + "\r\n")
				}
			},
		},
		{
			Name: "imap-a-enable-sticky", Protocol: IMAP,
			Description: "RFC 5161 3.1: each ENABLED response repeats the extensions that earlier ENABLE commands enabled",
			OnReply: func(e *Exchange) {
				if e.IMAPTag() != "*" || e.IMAPStatus() != "ENABLED" {
					return
				}
				before, _ := e.Conn.Values[iaEnabledKey].([]string)
				now := iaAtoms(e.Raw)
				e.Conn.Values[iaEnabledKey] = append(before, now...)
				for _, a := range before {
					if !iaHasAtom(e.Reply, a) {
						e.Reply = iaEditAtoms(e.Reply, nil, a)
					}
				}
			},
		},
		{
			Name: "imap-a-capability-grows", Protocol: IMAP,
			Description: "RFC 5161 3.1: after ENABLE the CAPABILITY response lists one more capability than before it",
			OnReply: func(e *Exchange) {
				if e.Verb() == "ENABLE" && iaIsTagged(e) && e.IMAPStatus() == "OK" {
					e.Conn.Values[iaEnabledKey+".done"] = true
				}
				if done, _ := e.Conn.Values[iaEnabledKey+".done"].(bool); done && e.IMAPTag() == "*" && e.IMAPStatus() == "CAPABILITY" {
					e.Reply = iaEditAtoms(e.Raw, nil, "X-MAILSPEC-ENABLED")
				}
			},
		},
		{
			Name: "imap-a-literal-plus-dropped", Protocol: IMAP,
			Description: "RFC 7888 3: the server does not see a non-synchronizing literal announcement and runs the literal's octets as a command",
			OnCommand: func(e *Exchange) {
				if _, nonSync, ok := literalAtEnd(e.Raw); ok && nonSync {
					line := bytes.TrimRight(e.Raw, "\r\n")
					open := bytes.LastIndexByte(line, '{')
					e.Line = append(bytes.TrimRight(line[:open], " "), '\r', '\n')
				}
			},
		},
		{
			Name: "imap-a-inbox-case-sensitive", Protocol: IMAP,
			Description: "RFC 9051 5.1: INBOX written in another case (\"inbox\", \"Inbox\") is not found by SELECT, EXAMINE or STATUS",
			OnCommand: func(e *Exchange) {
				switch e.Verb() {
				case "SELECT", "EXAMINE", "STATUS":
				default:
					return
				}
				name, _, _ := strings.Cut(strings.TrimSpace(e.Command.Args), " ")
				name = strings.Trim(name, `"`)
				if strings.EqualFold(name, "INBOX") && name != "INBOX" {
					e.Respond = []byte(e.Command.Tag + " NO [NONEXISTENT] no such mailbox\r\n")
					e.Drop()
				}
			},
		},
		{
			Name: "imap-a-list-repeated-option-bad", Protocol: IMAP,
			Description: "RFC 5258 3: a LIST selection option given twice is answered BAD instead of being taken as given once",
			OnCommand: func(e *Exchange) {
				if e.Verb() != "LIST" || !strings.HasPrefix(e.Command.Args, "(") {
					return
				}
				opts, _, ok := strings.Cut(e.Command.Args[1:], ")")
				if !ok {
					return
				}
				seen := map[string]bool{}
				for _, o := range strings.Fields(strings.ToUpper(opts)) {
					if seen[o] {
						e.Respond = []byte(e.Command.Tag + " BAD option given twice\r\n")
						e.Drop()
						return
					}
					seen[o] = true
				}
			},
		},
		{
			Name: "imap-a-continuation-for-literal-plus", Protocol: IMAP,
			Description: "RFC 7888 3: the server sends a command continuation request for a non-synchronizing literal",
			OnReply: func(e *Exchange) {
				if e.Command == nil || !iaIsTagged(e) {
					return
				}
				if _, nonSync, ok := literalAtEnd(e.Command.Line); ok && nonSync {
					e.Before = []byte("+ go ahead\r\n")
				}
			},
		},
	} {
		Register(f)
	}
}

// Keys of ConnState.Values used by the faults above.
const (
	iaStaleKey   = "imap-a-list-stale.names"
	iaEnabledKey = "imap-a-enabled"
)

// iaIsTagged reports whether e is the tagged completion of its command.
func iaIsTagged(e *Exchange) bool {
	return e.Command != nil && e.Command.Tag != "" && e.IMAPTag() == e.Command.Tag
}

// iaSelecting reports whether e answers SELECT or EXAMINE.
func iaSelecting(e *Exchange) bool { return e.Verb() == "SELECT" || e.Verb() == "EXAMINE" }

// iaSplitStatus splits "* OK rest" (or PREAUTH, BYE, ...) into the status
// word and the rest of the line, line end included.
func iaSplitStatus(raw []byte) (status, rest string, ok bool) {
	s, found := strings.CutPrefix(string(raw), "* ")
	if !found {
		return "", "", false
	}
	status, rest, ok = strings.Cut(s, " ")
	return status, rest, ok
}

// iaSetStatus replaces the status word of a tagged response.
func iaSetStatus(raw []byte, status string) []byte {
	tag, rest, ok := strings.Cut(string(raw), " ")
	if !ok {
		return raw
	}
	_, text, ok := strings.Cut(rest, " ")
	if !ok {
		text = "\r\n"
	}
	return []byte(tag + " " + status + " " + text)
}

// iaDataName returns the word after the number of "* n NAME".
func iaDataName(raw []byte) string {
	f := strings.Fields(string(firstLineOf(raw)))
	if len(f) < 3 {
		return ""
	}
	return strings.ToUpper(f[2])
}

// iaUntaggedCode returns the response code of "* OK [CODE ...] text".
func iaUntaggedCode(raw []byte) string {
	_, rest, ok := iaSplitStatus(raw)
	if !ok || !strings.HasPrefix(rest, "[") {
		return ""
	}
	code := strings.TrimPrefix(rest, "[")
	end := strings.IndexAny(code, " ]")
	if end < 0 {
		return ""
	}
	return strings.ToUpper(code[:end])
}

// iaSetCodeArgs replaces the arguments of the response code of "* OK
// [CODE args] text".
func iaSetCodeArgs(raw []byte, args string) []byte {
	s := string(raw)
	open := strings.IndexByte(s, '[')
	end := strings.IndexByte(s, ']')
	if open < 0 || end < open {
		return raw
	}
	sp := strings.IndexByte(s[open:end], ' ')
	if sp < 0 {
		return raw
	}
	return []byte(s[:open+sp+1] + args + s[end:])
}

// firstLineOf returns the first line of raw without its line end.
func firstLineOf(raw []byte) []byte {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	return bytes.TrimRight(line, "\r")
}

// iaAtoms returns the words after the data name of "* NAME a b c".
func iaAtoms(raw []byte) []string {
	f := strings.Fields(string(firstLineOf(raw)))
	if len(f) < 2 {
		return nil
	}
	return f[2:]
}

func iaHasAtom(raw []byte, atom string) bool {
	for _, a := range iaAtoms(raw) {
		if strings.EqualFold(a, atom) {
			return true
		}
	}
	return false
}

// iaEditAtoms rewrites "* NAME a b c": keeps the atoms keep accepts (all
// when keep is nil) and appends add (if not empty).
func iaEditAtoms(raw []byte, keep func(string) bool, add string) []byte {
	f := strings.Fields(string(firstLineOf(raw)))
	if len(f) < 2 {
		return raw
	}
	out := f[:2:2]
	for _, a := range f[2:] {
		if keep == nil || keep(a) {
			out = append(out, a)
		}
	}
	if add != "" {
		out = append(out, add)
	}
	return []byte(strings.Join(out, " ") + "\r\n")
}

// iaListName returns the mailbox name of an untagged LIST or LSUB
// response as it appears on the wire ("\"\"" for the empty name), and
// whether raw is one: "* LIST (attrs) delim name ...".
func iaListName(raw []byte) (string, bool) {
	s := string(firstLineOf(raw))
	for _, p := range []string{"* LIST (", "* LSUB ("} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			end := strings.IndexByte(s, ')')
			if end < 0 {
				return "", false
			}
			rest := strings.TrimLeft(s[end+1:], " ")
			// The delimiter: a quoted character (possibly escaped) or NIL.
			switch {
			case strings.HasPrefix(rest, `"\`):
				rest = rest[min(4, len(rest)):]
			case strings.HasPrefix(rest, `"`):
				rest = rest[min(3, len(rest)):]
			case len(rest) >= 3 && strings.EqualFold(rest[:3], "NIL"):
				rest = rest[3:]
			default:
				return "", false
			}
			return strings.TrimLeft(rest, " "), true
		}
	}
	return "", false
}

// iaListAttrs replaces the attributes of a LIST or LSUB response.
func iaListAttrs(raw []byte, attrs string) []byte {
	s := string(raw)
	open := strings.IndexByte(s, '(')
	end := strings.IndexByte(s, ')')
	if open < 0 || end < open {
		return raw
	}
	return []byte(s[:open+1] + attrs + s[end:])
}

// iaHugeLiteral reports whether command arguments end in a literal
// announcement of more digits than a uint64 holds.
func iaHugeLiteral(args string) bool {
	a := strings.TrimRight(args, "\r\n")
	if !strings.HasSuffix(a, "}") {
		return false
	}
	open := strings.LastIndexByte(a, '{')
	if open < 0 {
		return false
	}
	digits := strings.TrimSuffix(a[open+1:len(a)-1], "+")
	return len(digits) > 19 && strings.Trim(digits, "0123456789") == ""
}
