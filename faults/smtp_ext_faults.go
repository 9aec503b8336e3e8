package faults

// Faults for the SMTP extension, submission, security and end-to-end
// suites (features/smtp/ext-*.feature, security-*.feature, e2e.feature):
// each breaks one requirement of RFC 1870 (SIZE), RFC 6152 (8BITMIME), RFC
// 2920 (PIPELINING), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 6531
// (SMTPUTF8), RFC 3030 (CHUNKING), RFC 3461 (DSN), RFC 6409 (submission)
// or RFC 5321 (end of mail data, delivery).

import (
	"bytes"
	"regexp"
	"strings"
)

func init() {
	for _, f := range extFaults {
		Register(f)
	}
}

// extFaults are this file's faults, in the order of the suites.
var extFaults = []Fault{
	{
		Name:        "smtp-size-keyword-garbled",
		Protocol:    SMTP,
		Description: "RFC 1870 3: the SIZE keyword of the EHLO reply carries a parameter that is not a decimal number (\"10485760MB\")",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EHLO" && e.SMTPCode() == 250 {
				e.Reply = sizeParamRE.ReplaceAll(e.Raw, []byte("${1}MB"))
			}
		},
	},
	{
		Name:        "smtp-size-ignored",
		Protocol:    SMTP,
		Description: "RFC 1870 6.1: a MAIL command declaring a SIZE over the advertised limit is accepted (the parameter is dropped on its way to the server)",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "MAIL" {
				e.Line = dropParam(e.Raw, "SIZE")
			}
		},
	},
	{
		Name:        "smtp-size-param-555",
		Protocol:    SMTP,
		Description: "RFC 1870 4: MAIL with a SIZE parameter is refused with 555 although SIZE is advertised",
		OnReply:     refuseMailWithParam("SIZE", "555 5.5.4 SIZE parameter not supported\r\n"),
	},
	{
		Name:        "smtp-body-param-555",
		Protocol:    SMTP,
		Description: "RFC 6152 3: MAIL with a BODY parameter is refused with 555 although 8BITMIME is advertised",
		OnReply:     refuseMailWithParam("BODY", "555 5.5.4 BODY parameter not supported\r\n"),
	},
	{
		Name:        "smtp-8bit-content-554",
		Protocol:    SMTP,
		Description: "RFC 6152 3: mail data with octets above 127 is refused with 554 at the end of data although 8BITMIME was advertised and requested",
		OnData: func(e *Exchange) {
			for _, b := range e.Raw {
				if b >= 0x80 {
					e.Conn.Values["8bit"] = true
					break
				}
			}
		},
		OnReply: func(e *Exchange) {
			if e.Verb() == "." && e.Conn.Values["8bit"] == true {
				e.Reply = []byte("554 5.6.0 8-bit content refused\r\n")
				delete(e.Conn.Values, "8bit")
			}
		},
	},
	{
		Name:        "smtp-rcpt-reply-dropped",
		Protocol:    SMTP,
		Description: "RFC 2920 3.2 and RFC 5321 4.2: replies to RCPT are never sent, so pipelined commands no longer get one reply each",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" {
				e.Drop()
			}
		},
	},
	{
		Name:        "smtp-rcpt-after-starttls-250",
		Protocol:    SMTP,
		Description: "RFC 3207 4.2: after the TLS handshake a RCPT without a new MAIL is accepted, as if the transaction begun before STARTTLS had survived",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" && e.State.TLS && !e.State.InMail && e.SMTPCode() >= 400 {
				e.Reply = []byte("250 2.1.5 OK\r\n")
			}
		},
	},
	{
		Name:        "smtp-require-starttls",
		Protocol:    SMTP,
		Description: "RFC 3207 4: MAIL before STARTTLS is refused with 530, so the MX requires TLS to deliver mail locally",
		OnReply: func(e *Exchange) {
			if e.Verb() == "MAIL" && !e.State.TLS {
				e.Reply = []byte("530 5.7.0 Must issue a STARTTLS command first\r\n")
			}
		},
	},
	{
		Name:        "smtp-auth-success-535",
		Protocol:    SMTP,
		Description: "RFC 4954 4: a successful AUTH exchange is answered with 535 instead of 235",
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && e.SMTPCode() == 235 {
				e.Reply = []byte("535 5.7.8 Authentication credentials invalid\r\n")
			}
		},
	},
	{
		Name:        "smtp-auth-second-235",
		Protocol:    SMTP,
		Description: "RFC 4954 4: a second AUTH after a successful one is answered with 235 instead of 503",
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && e.State.Authenticated && e.SMTPCode() == 503 {
				e.Reply = []byte("235 2.7.0 Authentication successful\r\n")
			}
		},
	},
	{
		Name:        "smtp-auth-cancel-535",
		Protocol:    SMTP,
		Description: "RFC 4954 4: an AUTH exchange cancelled with \"*\" is answered with 535 instead of 501",
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && e.SMTPCode() == 501 {
				e.Reply = []byte("535 5.7.8 Authentication failed\r\n")
			}
		},
	},
	{
		Name:        "smtp-auth-challenge-text",
		Protocol:    SMTP,
		Description: "RFC 4954 4: a 334 challenge carries text that is not BASE64 (\"Username:\")",
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && e.SMTPCode() == 334 {
				e.Reply = []byte("334 Username:\r\n")
			}
		},
	},
	{
		Name:        "smtp-mail-auth-param-555",
		Protocol:    SMTP,
		Description: "RFC 4954 5: MAIL with an AUTH= parameter is refused with 555 although AUTH is advertised",
		OnReply:     refuseMailWithParam("AUTH", "555 5.5.4 AUTH parameter not supported\r\n"),
	},
	{
		Name:        "smtp-ehlo-no-8bitmime",
		Protocol:    SMTP,
		Description: "RFC 6531 3.1: the EHLO reply offers SMTPUTF8 without announcing 8BITMIME",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EHLO" && e.SMTPCode() == 250 {
				e.Reply = removeEHLOKeyword(e.Raw, "8BITMIME")
			}
		},
	},
	{
		Name:        "smtp-smtputf8-param-555",
		Protocol:    SMTP,
		Description: "RFC 6531 3.1 and 3.2: MAIL with the SMTPUTF8 parameter (and a UTF-8 reverse-path) is refused with 555 although SMTPUTF8 is advertised",
		OnReply:     refuseMailWithParam("SMTPUTF8", "555 5.5.4 SMTPUTF8 not supported\r\n"),
	},
	{
		Name:        "smtp-bdat-not-250",
		Protocol:    SMTP,
		Description: "RFC 3030 2: a successful BDAT chunk is answered with 451 instead of 250",
		OnReply: func(e *Exchange) {
			if e.Verb() == "BDAT" && e.SMTPCode() == 250 {
				e.Reply = []byte("451 4.3.0 Chunk not taken\r\n")
			}
		},
	},
	{
		Name:     "smtp-dsn-params-555",
		Protocol: SMTP,
		Description: "RFC 3461 4: MAIL with RET or ENVID and RCPT with NOTIFY or ORCPT are refused with 555 " +
			"although DSN is advertised",
		OnReply: func(e *Exchange) {
			switch e.Verb() {
			case "MAIL":
				if hasParam(e.Command.Args, "RET") || hasParam(e.Command.Args, "ENVID") {
					e.Reply = []byte("555 5.5.4 DSN parameters not supported\r\n")
				}
			case "RCPT":
				if hasParam(e.Command.Args, "NOTIFY") || hasParam(e.Command.Args, "ORCPT") {
					e.Reply = []byte("555 5.5.4 DSN parameters not supported\r\n")
				}
			}
		},
	},
	{
		Name:     "smtp-dsn-malformed-accepted",
		Protocol: SMTP,
		Description: "RFC 3461 4.3 and 4.4 with RFC 5321 4.1.4: MAIL with a RET or ENVID value outside the grammar is accepted " +
			"(the parameters are dropped on their way to the server)",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "MAIL" {
				e.Line = dropParam(dropParam(e.Raw, "RET"), "ENVID")
			}
		},
	},
	{
		Name:        "smtp-open-relay-before-auth",
		Protocol:    SMTP,
		Description: "RFC 6409 4.3: before AUTH, MAIL and RCPT to a remote domain are accepted with 250 instead of refused",
		OnReply: func(e *Exchange) {
			if e.State.Authenticated || e.SMTPCode() < 400 {
				return
			}
			switch e.Verb() {
			case "MAIL":
				e.Reply = []byte("250 2.1.0 OK\r\n")
			case "RCPT":
				e.Reply = []byte("250 2.1.5 OK\r\n")
			}
		},
	},
	{
		Name:        "smtp-auth-advertised-before-tls",
		Protocol:    SMTP,
		Description: "RFC 4954 4: the EHLO reply before STARTTLS offers the plaintext password mechanisms PLAIN and LOGIN",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EHLO" && !e.State.TLS && e.SMTPCode() == 250 {
				e.Reply = insertEHLOLine(e.Raw, "AUTH PLAIN LOGIN")
			}
		},
	},
	{
		Name:        "smtp-auth-plaintext-334",
		Protocol:    SMTP,
		Description: "RFC 4954 4: AUTH PLAIN before STARTTLS is answered with the 334 go-ahead, permitting a plaintext password in cleartext",
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && !e.State.TLS {
				e.Reply = []byte("334 \r\n")
			}
		},
	},
	{
		Name:     "smtp-lenient-end-of-data",
		Protocol: SMTP,
		Description: "RFC 5321 2.3.8 and 4.1.1.4: bare CR, bare LF and NUL variants of <CRLF>.<CRLF> in the mail data " +
			"end it as <CRLF>.<CRLF> would (SMTP smuggling, CVE-2023-51764)",
		OnData: func(e *Exchange) {
			if e.Verb() == "DATA" {
				e.Data = fakeEndsToCRLF(e.Raw)
			}
		},
	},
	{
		Name:        "smtp-content-altered",
		Protocol:    SMTP,
		Description: "RFC 5321 4.5.2 and 6.1: the message content is changed on its way to the server (\"end-to-end\" becomes \"END-TO-END\")",
		OnData: func(e *Exchange) {
			e.Data = bytes.ReplaceAll(e.Raw, []byte("end-to-end"), []byte("END-TO-END"))
		},
	},
	{
		Name:        "smtp-8bit-stripped",
		Protocol:    SMTP,
		Description: "RFC 6152 3: the high-order bit of every octet of the mail data is cleared on its way to the server",
		OnData: func(e *Exchange) {
			out := bytes.Clone(e.Raw)
			for i := range out {
				out[i] &^= 0x80
			}
			e.Data = out
		},
	},
}

// sizeParamRE finds the parameter of the SIZE keyword in an EHLO reply.
var sizeParamRE = regexp.MustCompile(`(?im)^(250[ -]SIZE [0-9]+)`)

// hasParam reports whether the arguments of a MAIL or RCPT command carry
// the ESMTP parameter name (RFC 5321 section 4.1.2, esmtp-keyword
// case-insensitive).
func hasParam(args, name string) bool {
	for _, f := range strings.Fields(args) {
		k, _, _ := strings.Cut(f, "=")
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// dropParam removes the ESMTP parameter name from a MAIL or RCPT command
// line, keeping everything else (and the line end) as it was.
func dropParam(line []byte, name string) []byte {
	body := bytes.TrimRight(line, "\r\n")
	end := line[len(body):]
	words := bytes.Split(body, []byte(" "))
	out := words[:0:0]
	for i, w := range words {
		k, _, _ := bytes.Cut(w, []byte("="))
		if i > 0 && bytes.EqualFold(k, []byte(name)) {
			continue
		}
		out = append(out, w)
	}
	return append(bytes.Join(out, []byte(" ")), end...)
}

// refuseMailWithParam returns an OnReply hook that replaces the reply to a
// MAIL command carrying the parameter name with reply.
func refuseMailWithParam(name, reply string) func(e *Exchange) {
	return func(e *Exchange) {
		if e.Verb() == "MAIL" && hasParam(e.Command.Args, name) {
			e.Reply = []byte(reply)
		}
	}
}

// ehloLines splits an EHLO reply into its lines, line ends kept.
func ehloLines(raw []byte) [][]byte {
	var out [][]byte
	for _, l := range bytes.SplitAfter(raw, []byte("\n")) {
		if len(l) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// joinEHLO joins reply lines, making every separator "-" but the last
// line's " " (RFC 5321 section 4.2.1).
func joinEHLO(lines [][]byte) []byte {
	var b bytes.Buffer
	for i, l := range lines {
		l = bytes.Clone(l)
		if len(l) > 3 {
			if i == len(lines)-1 {
				l[3] = ' '
			} else {
				l[3] = '-'
			}
		}
		b.Write(l)
	}
	return b.Bytes()
}

// removeEHLOKeyword drops the line of an EHLO keyword from the reply.
func removeEHLOKeyword(raw []byte, keyword string) []byte {
	lines := ehloLines(raw)
	out := lines[:0:0]
	for i, l := range lines {
		if i > 0 && len(l) > 4 {
			if f := bytes.Fields(l[4:]); len(f) > 0 && bytes.EqualFold(f[0], []byte(keyword)) {
				continue
			}
		}
		out = append(out, l)
	}
	return joinEHLO(out)
}

// insertEHLOLine adds a keyword line right after the first line of an
// EHLO reply.
func insertEHLOLine(raw []byte, text string) []byte {
	lines := ehloLines(raw)
	if len(lines) == 0 {
		return raw
	}
	out := [][]byte{lines[0], []byte("250-" + text + "\r\n")}
	out = append(out, lines[1:]...)
	return joinEHLO(out)
}

// fakeEnds are the bare CR, bare LF and NUL look-alikes of <CRLF>.<CRLF>
// that lenient servers take for the end of mail data, longest first.
var fakeEnds = [][]byte{
	[]byte("\r\n.\r\r\n"), []byte("\r\n\x00.\r\n"), []byte("\r\n.\x00\r\n"),
	[]byte("\n\n.\r\n"), []byte("\n.\r\n"), []byte("\r\n.\n"), []byte("\r.\r\n"), []byte("\r\n.\r"),
	[]byte("\n.\n"), []byte("\r.\r"), []byte("\r.\n"), []byte("\n.\r"),
}

// fakeEndsToCRLF rewrites each look-alike of <CRLF>.<CRLF> in a piece of
// mail data into <CRLF>.<CRLF>, leaving real ones alone.
func fakeEndsToCRLF(p []byte) []byte {
	crlf := []byte("\r\n.\r\n")
	out := make([]byte, 0, len(p)+8)
	for i := 0; i < len(p); {
		if bytes.HasPrefix(p[i:], crlf) {
			out = append(out, crlf...)
			i += len(crlf)
			continue
		}
		matched := false
		for _, f := range fakeEnds {
			if bytes.HasPrefix(p[i:], f) {
				out = append(out, crlf...)
				i += len(f)
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, p[i])
			i++
		}
	}
	return out
}
