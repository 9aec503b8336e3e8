package faults

// Faults of the RFC 5321 core suite (features/smtp/core-*.feature): each
// makes a correct SMTP server break exactly one requirement that a
// scenario of the suite checks, so that the scenario's self-test can show
// it fails through the proxy and passes without it.

import (
	"bytes"
	"regexp"
	"strings"
)

func init() {
	for _, f := range coreFaults {
		f.Protocol = SMTP
		Register(f)
	}
}

// coreFaults are registered by init; their names and descriptions are the
// proxy's documentation.
var coreFaults = []Fault{
	{
		Name:        "smtp-greeting-no-domain",
		Description: "RFC 5321 4.2: the greeting's first word after 220 is not the server's domain or address literal",
		OnGreeting: func(e *Exchange) {
			if smtpCode(e.Raw) == 220 {
				e.Reply = []byte("220 *** mailspec fault: no domain here\r\n")
			}
		},
	},
	{
		Name:        "smtp-ehlo-bad-keyword",
		Description: "RFC 5321 4.1.1.1: the EHLO reply lists a line that is not an ehlo-keyword",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EHLO" && e.SMTPCode() == 250 {
				lines := coreReplyLines(e.Raw)
				lines = append(lines[:1], append([][]byte{[]byte("250 _MAILSPEC_FAULT=1\r\n")}, lines[1:]...)...)
				e.Reply = coreJoinReply(lines)
			}
		},
	},
	{
		Name:        "smtp-helo-extended",
		Description: "RFC 5321 3.2: HELO is answered with the extended EHLO-style response listing service extensions",
		OnReply: func(e *Exchange) {
			switch {
			case e.Verb() == "EHLO" && e.SMTPCode() == 250:
				// Remember the extension lines for later HELO replies, on
				// any connection of this proxy.
				e.Proxy.Lock()
				e.Proxy.Values["smtp-helo-extended"] = coreReplyLines(e.Raw)[1:]
				e.Proxy.Unlock()
			case e.Verb() == "HELO" && e.SMTPCode() == 250:
				e.Proxy.Lock()
				ext, _ := e.Proxy.Values["smtp-helo-extended"].([][]byte)
				e.Proxy.Unlock()
				if len(ext) == 0 {
					ext = [][]byte{[]byte("250 PIPELINING\r\n")}
				}
				e.Reply = coreJoinReply(append(coreReplyLines(e.Raw)[:1], ext...))
			}
		},
	},
	{
		Name:        "smtp-refused-ehlo-resets",
		Description: "RFC 5321 4.1.4: an EHLO refused for lack of a domain still resets the mail transaction",
		OnCommand: func(e *Exchange) {
			if coreBareHello(e.Command) {
				e.Line = []byte("RSET\r\n")
			}
		},
		OnReply: func(e *Exchange) {
			if coreBareHello(e.Command) {
				e.Reply = []byte("501 5.5.4 Syntax: EHLO hostname\r\n")
			}
		},
	},
	{
		Name:        "smtp-noop-resets",
		Description: "RFC 5321 4.1.1.9: NOOP aborts the open mail transaction",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "NOOP" {
				e.Line = []byte("RSET\r\n")
			}
		},
	},
	{
		Name:        "smtp-case-sensitive",
		Description: "RFC 5321 2.4: command verbs and argument keywords are recognised in upper case only",
		OnCommand: func(e *Exchange) {
			if coreLowerCaseKeyword(e.Command) {
				e.Drop()
				e.Respond = []byte("500 5.5.2 Command not recognized\r\n")
			}
		},
	},
	{
		Name:        "smtp-long-command-500",
		Description: "RFC 5321 4.5.3.1.4: command lines longer than 256 octets, 512 included, are refused as too long",
		OnCommand: func(e *Exchange) {
			if len(e.Raw) > 256 {
				e.Drop()
				e.Respond = []byte("500 5.5.2 Line too long\r\n")
			}
		},
	},
	{
		Name:        "smtp-unknown-command-close",
		Description: "RFC 5321 3.8: the server closes the connection after refusing a command it does not recognise",
		OnReply: func(e *Exchange) {
			if e.Command != nil && e.Verb() != "." && !smtpVerbs[e.Verb()] && e.SMTPCode() >= 500 {
				e.CloseAfter = true
			}
		},
	},
	{
		Name:        "smtp-noop-two-replies",
		Description: "RFC 5321 4.2: NOOP generates two replies instead of exactly one",
		OnReply: func(e *Exchange) {
			if e.Verb() == "NOOP" {
				e.After = bytes.Clone(e.Raw)
			}
		},
	},
	{
		Name:        "smtp-reply-code-6yz",
		Description: "RFC 5321 4.2: the reply to NOOP carries a reply code whose first digit is 6",
		OnReply: func(e *Exchange) {
			if e.Verb() == "NOOP" && e.SMTPCode() == 250 {
				var out []byte
				for _, l := range coreReplyLines(e.Raw) {
					out = append(append(out, '6'), l[1:]...)
				}
				e.Reply = out
			}
		},
	},
	{
		Name:        "smtp-null-sender-refused",
		Description: "RFC 1123 5.2.9: MAIL FROM:<> (the null reverse-path) is refused",
		OnReply: func(e *Exchange) {
			if e.Verb() == "MAIL" && e.SMTPCode() == 250 && coreNullReversePath.MatchString(e.Command.Args) {
				e.Reply = []byte("550 5.7.1 Null sender refused\r\n")
			}
		},
	},
	{
		Name:        "smtp-postmaster-refused",
		Description: "RFC 5321 4.5.1: RCPT to the reserved postmaster mailbox is refused",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" && corePostmaster.MatchString(e.Command.Args) {
				e.Reply = []byte("550 5.1.1 No such user here\r\n")
			}
		},
	},
	{
		Name:        "smtp-mail-syntax-553",
		Description: "RFC 5321 4.1.4: a MAIL whose argument is not acceptable is refused with 553 instead of 501",
		OnReply: func(e *Exchange) {
			if e.Verb() == "MAIL" && e.SMTPCode() == 501 {
				e.Reply = []byte("553 5.1.7 Bad sender address\r\n")
			}
		},
	},
	{
		Name:        "smtp-nested-mail-550",
		Description: "RFC 5321 4.1.4: a MAIL inside an open transaction is refused with 550 instead of 503 (or accepted as a new start)",
		OnReply: func(e *Exchange) {
			if e.Verb() == "MAIL" && e.State.InMail {
				e.Reply = []byte("550 5.5.1 A transaction is already open\r\n")
			}
		},
	},
	{
		Name:        "smtp-rset-close",
		Description: "RFC 5321 4.1.1.5: the server closes the connection after its reply to RSET",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RSET" {
				e.CloseAfter = true
			}
		},
	},
	{
		Name:        "smtp-rcpt-limit-50",
		Description: "RFC 5321 4.5.3.1.8: recipients after the 50th of a transaction are refused, fewer than the 100 a server must buffer",
		OnCommand: func(e *Exchange) {
			switch e.Verb() {
			case "MAIL", "RSET", "EHLO", "HELO":
				e.Conn.Values["smtp-rcpt-limit-50"] = 0
			case "RCPT":
				n, _ := e.Conn.Values["smtp-rcpt-limit-50"].(int)
				if n >= 50 {
					e.Drop()
					e.Respond = []byte("452 4.5.3 Too many recipients\r\n")
					return
				}
				e.Conn.Values["smtp-rcpt-limit-50"] = n + 1
			}
		},
	},
	{
		Name:        "smtp-rcpt-limit-451",
		Description: "RFC 5321 4.5.3.1.10: a recipient over the server's limit is refused with 451 instead of 452",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" && e.SMTPCode() == 452 {
				e.Reply = []byte("451 4.3.0 Try again later\r\n")
			}
		},
	},
	{
		Name:        "smtp-source-route-501",
		Description: "RFC 5321 4.1.2: a forward-path with a source route is refused as a syntax error, though it MUST be accepted",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" && coreSourceRoute.MatchString(e.Command.Args) {
				e.Reply = []byte("501 5.1.3 Bad recipient address syntax\r\n")
			}
		},
	},
	{
		Name:        "smtp-second-transaction-503",
		Description: "RFC 5321 4.1.4: after one completed transaction, MAIL is refused: one transaction per session",
		OnReply: func(e *Exchange) {
			switch {
			case e.Verb() == "." && e.SMTPCode() == 250:
				e.Conn.Values["smtp-second-transaction-503"] = true
			case e.Verb() == "MAIL" && e.Conn.Values["smtp-second-transaction-503"] == true:
				e.Reply = []byte("503 5.5.1 One transaction per session\r\n")
			}
		},
	},
	{
		Name:        "smtp-dot-line-ends-data",
		Description: "RFC 5321 4.5.2: a text line beginning with a period ends the mail data instead of losing its first period",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "DATA" {
				e.Conn.Values["smtp-dot-line-ends-data"] = true // at a line start
			}
		},
		OnData: func(e *Exchange) {
			sol, _ := e.Conn.Values["smtp-dot-line-ends-data"].(bool)
			e.Data, sol = coreEndAtDotLines(e.Raw, sol)
			e.Conn.Values["smtp-dot-line-ends-data"] = sol
		},
	},
	{
		Name:        "smtp-long-text-line-refused",
		Description: "RFC 5321 4.5.3.1.6: mail data with a text line of 1000 octets is refused as too long",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "DATA" {
				e.Conn.Values["smtp-long-text-line"] = coreLongLine{}
			}
		},
		OnData: func(e *Exchange) {
			l, _ := e.Conn.Values["smtp-long-text-line"].(coreLongLine)
			e.Conn.Values["smtp-long-text-line"] = l.scan(e.Raw)
		},
		OnReply: func(e *Exchange) {
			if l, _ := e.Conn.Values["smtp-long-text-line"].(coreLongLine); e.Verb() == "." && l.seen {
				e.Reply = []byte("500 5.5.2 Line too long\r\n")
			}
		},
	},
	{
		Name:        "smtp-vrfy-502",
		Description: "RFC 5321 4.5.1: VRFY, a command every server must support, is answered 502 (not implemented)",
		OnReply: func(e *Exchange) {
			if e.Verb() == "VRFY" {
				e.Reply = []byte("502 5.5.1 VRFY command not implemented\r\n")
			}
		},
	},
	{
		Name:        "smtp-vrfy-250",
		Description: "RFC 5321 3.5.3: VRFY is answered 250 for any address, verified or not",
		OnReply: func(e *Exchange) {
			if e.Verb() == "VRFY" {
				e.Reply = []byte("250 2.1.5 <" + strings.Trim(strings.TrimSpace(e.Command.Args), "<>") + ">\r\n")
			}
		},
	},
	{
		Name:        "smtp-vrfy-resets",
		Description: "RFC 5321 4.1.1.6: VRFY aborts the open mail transaction",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "VRFY" {
				e.Line = []byte("RSET\r\n")
			}
		},
		OnReply: func(e *Exchange) {
			if e.Verb() == "VRFY" {
				e.Reply = []byte("252 2.5.0 Cannot VRFY user, but will accept message\r\n")
			}
		},
	},
	{
		Name:        "smtp-expn-250",
		Description: "RFC 5321 3.5.3: EXPN is answered 250 for any list, verified or not",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EXPN" {
				e.Reply = []byte("250 2.1.5 <" + strings.TrimSpace(e.Command.Args) + "@mailspec.invalid>\r\n")
			}
		},
	},
	{
		Name:        "smtp-enhanced-codes-missing",
		Description: "RFC 2034 4: replies other than the greeting and the EHLO and HELO replies lack their enhanced status codes",
		OnReply: func(e *Exchange) {
			if e.Verb() != "EHLO" && e.Verb() != "HELO" {
				e.Reply = coreStripEnhanced(e.Raw)
			}
		},
	},
}

var (
	// coreNullReversePath matches the argument of MAIL FROM:<>.
	coreNullReversePath = regexp.MustCompile(`(?i)^FROM:<>`)
	// corePostmaster matches RCPT TO:<postmaster> with or without a domain.
	corePostmaster = regexp.MustCompile(`(?i)^TO:<postmaster(@[^>]*)?>`)
	// coreSourceRoute matches a forward-path with an A-d-l (RFC 5321 4.1.2).
	coreSourceRoute = regexp.MustCompile(`(?i)^TO:<@`)
	// coreEnhancedCode is an RFC 3463 status code after "NNN-" or "NNN ".
	coreEnhancedCode = regexp.MustCompile(`^([0-9]{3}[ -])[245]\.[0-9]{1,3}\.[0-9]{1,3} ?`)
)

// coreBareHello reports whether cmd is an EHLO or HELO without a domain.
func coreBareHello(cmd *Command) bool {
	return cmd != nil && (cmd.Verb == "EHLO" || cmd.Verb == "HELO") && strings.TrimSpace(cmd.Args) == ""
}

// coreReplyLines splits an SMTP reply into its lines, line ends included.
func coreReplyLines(raw []byte) [][]byte {
	var out [][]byte
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			out = append(out, raw)
			break
		}
		out = append(out, raw[:i+1])
		raw = raw[i+1:]
	}
	return out
}

// coreJoinReply joins reply lines into one reply: "-" after the code on every
// line but the last, " " on the last (RFC 5321 section 4.2.1).
func coreJoinReply(lines [][]byte) []byte {
	var out []byte
	for i, l := range lines {
		l = bytes.Clone(l)
		if len(l) >= 4 {
			l[3] = '-'
			if i == len(lines)-1 {
				l[3] = ' '
			}
		}
		out = append(out, l...)
	}
	return out
}

// coreLowerCaseKeyword reports whether a command uses lower case where RFC
// 5321 section 2.4 says case does not matter: the verb, the FROM: or TO:
// keyword of MAIL and RCPT, or the keyword or value of an ESMTP parameter.
func coreLowerCaseKeyword(cmd *Command) bool {
	if cmd == nil || cmd.Verb == "." {
		return false
	}
	verb, _, _ := strings.Cut(strings.TrimRight(string(cmd.Line), "\r\n"), " ")
	if verb != strings.ToUpper(verb) {
		return true
	}
	if cmd.Verb != "MAIL" && cmd.Verb != "RCPT" {
		return false
	}
	head, rest, _ := strings.Cut(cmd.Args, "<")
	if head != strings.ToUpper(head) {
		return true
	}
	_, params, _ := strings.Cut(rest, ">")
	return params != strings.ToUpper(params)
}

// coreEndAtDotLines inserts an end of data (".\r\n") before every line of p
// that begins with a period and has more on it, as a server that took
// such lines for the end would see it. sol says whether p starts at the
// beginning of a line; the result's second value says whether the next
// piece does.
func coreEndAtDotLines(p []byte, sol bool) ([]byte, bool) {
	out := make([]byte, 0, len(p)+16)
	for i, c := range p {
		if sol && c == '.' && i+1 < len(p) && p[i+1] != '\r' {
			out = append(out, ".\r\n"...)
		}
		out = append(out, c)
		sol = c == '\n'
	}
	return out, sol
}

// coreLongLine tracks the length of the current text line across pieces of
// mail data, and whether a line of 1000 octets or more (CRLF included)
// was seen.
type coreLongLine struct {
	cur  int
	seen bool
}

func (l coreLongLine) scan(p []byte) coreLongLine {
	for _, c := range p {
		l.cur++
		if c == '\n' {
			if l.cur >= 1000 {
				l.seen = true
			}
			l.cur = 0
		}
	}
	return l
}

// coreStripEnhanced removes the RFC 3463 status code from every line of an
// SMTP reply.
func coreStripEnhanced(raw []byte) []byte {
	var out []byte
	for _, l := range coreReplyLines(raw) {
		out = append(out, coreEnhancedCode.ReplaceAll(l, []byte("$1"))...)
	}
	return out
}
