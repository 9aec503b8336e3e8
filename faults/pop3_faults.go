package faults

// The POP3 suite's faults (features/pop3/): each makes a correct server
// break one requirement of RFC 1939, RFC 2449, RFC 2595, RFC 3206 or RFC
// 5034 that a scenario checks.

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// pop3Fault registers a POP3 fault.
func pop3Fault(name, description string, f Fault) {
	f.Name, f.Protocol, f.Description = name, POP3, description
	Register(f)
}

// pop3Err reports whether a response is a negative one.
func pop3Err(resp []byte) bool {
	return len(resp) >= 4 && strings.EqualFold(string(resp[:4]), "-ERR")
}

// pop3BodyLines splits a multi-line response into its status line, its
// body lines (line ends included) and its terminating line; ok is false
// when it has no terminating "." line.
func pop3BodyLines(resp []byte) (status []byte, body [][]byte, term []byte, ok bool) {
	lines := bytes.SplitAfter(resp, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) < 2 || !isDotLine(lines[len(lines)-1]) {
		return nil, nil, nil, false
	}
	return lines[0], lines[1 : len(lines)-1], lines[len(lines)-1], true
}

// pop3JoinBody is the inverse of pop3BodyLines.
func pop3JoinBody(status []byte, body [][]byte, term []byte) []byte {
	out := append([]byte(nil), status...)
	for _, l := range body {
		out = append(out, l...)
	}
	return append(out, term...)
}

// editBody rewrites the body lines of a positive multi-line response; a
// response it cannot frame is left as it is.
func editBody(e *Exchange, f func(body [][]byte) [][]byte) {
	status, body, term, ok := pop3BodyLines(e.Raw)
	if !ok || !e.POP3OK() {
		return
	}
	e.Reply = pop3JoinBody(status, f(body), term)
}

// multiAnswer reports whether cmd's positive answer is multi-line.
func multiAnswer(cmd *Command) bool { return pop3MultiLine(cmd) }

// fakeOK is a positive answer to cmd made up by the proxy: the right
// framing for the command, no content.
func fakeOK(cmd *Command) []byte {
	switch {
	case cmd.Verb == "STAT":
		return []byte("+OK 0 0\r\n")
	case multiAnswer(cmd):
		return []byte("+OK\r\n.\r\n")
	}
	return []byte("+OK\r\n")
}

// args returns the arguments of e's command, split at spaces.
func args(e *Exchange) []string {
	if e.Command == nil {
		return nil
	}
	return strings.Fields(e.Command.Args)
}

// pop3Commands are the commands of RFC 1939, RFC 2449, RFC 2595, RFC 5034
// and RFC 6856.
var pop3Commands = map[string]bool{
	"USER": true, "PASS": true, "APOP": true, "AUTH": true, "STLS": true, "CAPA": true, "QUIT": true,
	"STAT": true, "LIST": true, "RETR": true, "DELE": true, "NOOP": true, "RSET": true, "TOP": true,
	"UIDL": true, "UTF8": true, "LANG": true,
}

// transactionCommands are valid only in the TRANSACTION state (RFC 1939
// section 5 and 7).
var transactionCommands = map[string]bool{
	"STAT": true, "LIST": true, "RETR": true, "DELE": true, "NOOP": true, "RSET": true, "TOP": true, "UIDL": true,
}

// authorizationCommands are valid only in the AUTHORIZATION state (RFC
// 1939 section 7, RFC 2595 section 4, RFC 5034 section 4).
var authorizationCommands = map[string]bool{"USER": true, "PASS": true, "APOP": true, "AUTH": true, "STLS": true}

// answerItself makes the proxy answer e's command with resp instead of
// forwarding it.
func answerItself(e *Exchange, resp []byte) {
	e.Respond = resp
	e.Drop()
}

// verbAsSent returns the keyword of a command line as the client wrote
// it.
func verbAsSent(cmd *Command) string {
	verb, _, _ := strings.Cut(strings.TrimRight(string(cmd.Line), "\r\n"), " ")
	return verb
}

// heldReply is the Conn.Values key of a reply held back by
// pop3-responses-out-of-order.
const heldReply = "pop3.held"

// lineCounts is the Conn.Values key of the lines per message that
// pop3-list-lf-octets learnt from RETR.
const lineCounts = "pop3.lines"

// authChallenged is the Conn.Values key that pop3-auth-cancel-accepted
// sets when an AUTH exchange has seen a challenge.
const authChallenged = "pop3.challenged"

func init() {
	// ---- sessions and status lines (RFC 1939 sections 3 and 4) ----
	pop3Fault("pop3-greeting-err", "RFC 1939 4: the greeting is a negative response (-ERR) instead of a positive one", Fault{
		OnGreeting: func(e *Exchange) { e.Reply = []byte("-ERR mailspec fault: not ready\r\n") },
	})
	pop3Fault("pop3-status-lower-case", "RFC 1939 3: the negative status indicator is sent as \"-err\", not in upper case", Fault{
		OnReply: func(e *Exchange) {
			if pop3Err(e.Raw) {
				e.Reply = append([]byte("-err"), e.Raw[4:]...)
			}
		},
	})
	pop3Fault("pop3-long-greeting", "RFC 1939 3: the greeting is 600 octets long, over the 512 a response may have", Fault{
		OnGreeting: func(e *Exchange) {
			line := bytes.TrimRight(e.Raw, "\r\n")
			pad := 598 - len(line) - 1
			if pad > 0 {
				e.Reply = append(append(append(line, ' '), bytes.Repeat([]byte("x"), pad)...), '\r', '\n')
			}
		},
	})
	pop3Fault("pop3-unknown-command-ok", "RFC 1939 3: an unknown command is answered +OK instead of -ERR", Fault{
		OnCommand: func(e *Exchange) {
			if e.Command != nil && !pop3Commands[e.Verb()] {
				answerItself(e, []byte("+OK\r\n"))
			}
		},
	})
	pop3Fault("pop3-case-sensitive", "RFC 1939 3: command keywords are case-sensitive: a keyword not in upper case is refused", Fault{
		OnCommand: func(e *Exchange) {
			if e.Command != nil && verbAsSent(e.Command) != e.Verb() {
				answerItself(e, []byte("-ERR unknown command\r\n"))
			}
		},
	})
	pop3Fault("pop3-bad-argument-ok", "RFC 1939 5: a command naming a message that does not exist, or no message number at all, is answered +OK instead of -ERR", Fault{
		OnReply: func(e *Exchange) {
			switch e.Verb() {
			case "DELE", "LIST", "UIDL", "RETR", "TOP":
			default:
				return
			}
			a := args(e)
			if len(a) == 0 || !pop3Err(e.Raw) {
				return
			}
			switch e.Verb() {
			case "LIST":
				e.Reply = []byte("+OK " + a[0] + " 100\r\n")
			case "UIDL":
				e.Reply = []byte("+OK " + a[0] + " mailspec-fault\r\n")
			default:
				e.Reply = fakeOK(e.Command)
			}
		},
	})
	pop3Fault("pop3-long-line-ok", "RFC 1939 3: a command line over 255 octets is answered +OK instead of being refused", Fault{
		OnReply: func(e *Exchange) {
			if e.Command != nil && len(e.Command.Line) > 255 && pop3Err(e.Raw) {
				e.Reply = []byte("+OK\r\n")
			}
		},
	})

	// ---- states (RFC 1939 section 3) ----
	pop3Fault("pop3-commands-before-login-ok", "RFC 1939 3: the TRANSACTION-state commands (STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL) are answered +OK in the AUTHORIZATION state", Fault{
		OnCommand: func(e *Exchange) {
			if !e.State.Authenticated && transactionCommands[e.Verb()] {
				answerItself(e, fakeOK(e.Command))
			}
		},
	})
	pop3Fault("pop3-login-commands-after-login-ok", "RFC 1939 3: USER, PASS, APOP, AUTH and STLS are answered +OK in the TRANSACTION state", Fault{
		OnCommand: func(e *Exchange) {
			if e.State.Authenticated && authorizationCommands[e.Verb()] {
				answerItself(e, []byte("+OK\r\n"))
			}
		},
	})
	pop3Fault("pop3-quit-no-close", "RFC 1939 6: after +OK to QUIT the server does not close the connection", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "QUIT" && e.POP3OK() {
				e.HoldOpen = quitHold
			}
		},
	})

	// ---- logins (RFC 1939 section 7, RFC 5034, RFC 3206, RFC 2449) ----
	pop3Fault("pop3-bad-pass-ok", "RFC 1939 7: PASS with a wrong password is answered +OK", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "PASS" && pop3Err(e.Raw) {
				e.Reply = []byte("+OK maildrop locked and ready\r\n")
			}
		},
	})
	pop3Fault("pop3-login-refused", "RFC 1939 7: a login with the right credentials (PASS, APOP, or AUTH per RFC 5034) is answered -ERR", Fault{
		OnReply: func(e *Exchange) {
			switch e.Verb() {
			case "PASS", "APOP", "AUTH":
				if e.POP3OK() {
					e.Reply = []byte("-ERR [AUTH] invalid credentials\r\n")
				}
			}
		},
	})
	pop3Fault("pop3-auth-cancel-accepted", "RFC 5034 4: an AUTH exchange that ends in -ERR after a challenge, as one the client cancels with \"*\" does, is answered +OK", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "AUTH" {
				return
			}
			if pop3Continuation(e.Raw) {
				e.Conn.Values[authChallenged] = true
				return
			}
			if e.Conn.Values[authChallenged] == true && pop3Err(e.Raw) {
				e.Reply = []byte("+OK authenticated\r\n")
			}
			delete(e.Conn.Values, authChallenged)
		},
	})
	pop3Fault("pop3-auth-challenge-text", "RFC 5034 4: the empty challenge to AUTH without an initial response carries data after \"+ \"", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "AUTH" && string(e.Raw) == "+ \r\n" {
				e.Reply = []byte("+ bWFpbHNwZWM=\r\n")
			}
		},
	})
	pop3Fault("pop3-auth-code-missing", "RFC 3206 6: a login refused for its credentials lacks the [AUTH] response code, though AUTH-RESP-CODE is announced", Fault{
		OnReply: func(e *Exchange) {
			if rest, ok := bytes.CutPrefix(e.Raw, []byte("-ERR [AUTH]")); ok {
				e.Reply = append([]byte("-ERR"), rest...)
			}
		},
	})
	pop3Fault("pop3-resp-code-malformed", "RFC 2449 6.4: a response text begins with \"[\" but is no response code (its closing bracket is missing)", Fault{
		OnReply: func(e *Exchange) {
			if !pop3Err(e.Raw) || !bytes.HasPrefix(e.Raw[4:], []byte(" [")) {
				return
			}
			if i := bytes.IndexByte(e.Raw, ']'); i > 0 {
				e.Reply = append(append([]byte(nil), e.Raw[:i]...), e.Raw[i+1:]...)
			}
		},
	})
	pop3Fault("pop3-in-use-ok", "RFC 1939 4: a login refused because the maildrop is locked is answered +OK, though the session did not open the maildrop", Fault{
		OnReply: func(e *Exchange) {
			if (e.Verb() == "PASS" || e.Verb() == "AUTH") && pop3Err(e.Raw) && bytes.Contains(e.Raw, []byte("[IN-USE]")) {
				e.Reply = []byte("+OK maildrop locked and ready\r\n")
			}
		},
	})

	// ---- STAT, LIST, DELE, RSET, NOOP, QUIT (RFC 1939 sections 5 and 6) ----
	pop3Fault("pop3-stat-two-spaces", "RFC 1939 5: the drop listing of STAT has two spaces after \"+OK\"", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "STAT" && e.POP3OK() {
				e.Reply = append([]byte("+OK  "), bytes.TrimLeft(e.Raw[3:], " ")...)
			}
		},
	})
	pop3Fault("pop3-list-two-spaces", "RFC 1939 5: the scan listings of LIST have two spaces between the message number and the size", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "LIST" || len(args(e)) > 0 {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				out := make([][]byte, len(body))
				for i, l := range body {
					out[i] = bytes.Replace(l, []byte(" "), []byte("  "), 1)
				}
				return out
			})
		},
	})
	pop3Fault("pop3-list-lf-octets", "RFC 1939 11: LIST counts each end of line of a message (seen by RETR before) as one octet, not the two of CRLF", Fault{
		OnReply: func(e *Exchange) {
			counts, _ := e.Conn.Values[lineCounts].(map[string]int)
			if counts == nil {
				counts = map[string]int{}
				e.Conn.Values[lineCounts] = counts
			}
			a := args(e)
			switch {
			case e.Verb() == "RETR" && len(a) == 1 && e.POP3OK():
				if _, body, _, ok := pop3BodyLines(e.Raw); ok {
					counts[a[0]] = len(body)
				}
			case e.Verb() == "LIST" && len(a) == 1 && e.POP3OK():
				f := strings.Fields(strings.TrimRight(string(e.Raw), "\r\n"))
				if len(f) < 3 || counts[a[0]] == 0 {
					return
				}
				size, err := strconv.Atoi(f[2])
				if err != nil {
					return
				}
				f[2] = strconv.Itoa(size - counts[a[0]])
				e.Reply = []byte(strings.Join(f, " ") + "\r\n")
			}
		},
	})
	pop3Fault("pop3-dele-noop", "RFC 1939 5: DELE is answered +OK but the message is not marked as deleted", Fault{
		OnCommand: func(e *Exchange) {
			if e.State.Authenticated && e.Verb() == "DELE" {
				answerItself(e, []byte("+OK message deleted\r\n"))
			}
		},
	})
	pop3Fault("pop3-rset-noop", "RFC 1939 5: RSET is answered +OK but the messages marked as deleted stay marked", Fault{
		OnCommand: func(e *Exchange) {
			if e.State.Authenticated && e.Verb() == "RSET" {
				answerItself(e, []byte("+OK\r\n"))
			}
		},
	})
	pop3Fault("pop3-noop-err", "RFC 1939 5: NOOP in the TRANSACTION state is answered -ERR", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "NOOP" && e.POP3OK() {
				e.Reply = []byte("-ERR\r\n")
			}
		},
	})
	pop3Fault("pop3-quit-no-update", "RFC 1939 6: QUIT in the TRANSACTION state is answered +OK, but the session ends without the UPDATE state: the messages marked as deleted stay", Fault{
		OnCommand: func(e *Exchange) {
			if e.State.Authenticated && e.Verb() == "QUIT" {
				answerItself(e, []byte("+OK bye\r\n"))
				e.CloseAfter = true
			}
		},
	})

	// ---- RETR and TOP (RFC 1939 sections 3, 5 and 7) ----
	pop3Fault("pop3-message-last-line-dropped", "RFC 1939 5: RETR and TOP leave out the last line they should send", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "RETR" && e.Verb() != "TOP" {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				if len(body) == 0 {
					return body
				}
				return body[:len(body)-1]
			})
		},
	})
	pop3Fault("pop3-multiline-no-terminator", "RFC 1939 3: the multi-line response to RETR ends without its terminating \".\" line (and the connection closes)", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "RETR" {
				return
			}
			if status, body, _, ok := pop3BodyLines(e.Raw); ok && e.POP3OK() {
				e.Reply = pop3JoinBody(status, body, nil)
				e.CloseAfter = true
			}
		},
	})
	pop3Fault("pop3-body-bare-lf", "RFC 1939 3: the lines of a RETR response end in a bare LF instead of CRLF", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "RETR" {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				out := make([][]byte, len(body))
				for i, l := range body {
					out[i] = append(bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r")), '\n')
				}
				return out
			})
		},
	})
	pop3Fault("pop3-top-extra-line", "RFC 1939 7: TOP msg n (n > 0) sends one line more than the header and n body lines", Fault{
		OnReply: func(e *Exchange) {
			if a := args(e); e.Verb() != "TOP" || len(a) != 2 || a[1] == "0" {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				return append(body, []byte("mailspec fault: one line too many\r\n"))
			})
		},
	})
	pop3Fault("pop3-top-zero-refused", "RFC 1939 7: TOP msg 0 (the header only) is refused with -ERR", Fault{
		OnReply: func(e *Exchange) {
			if a := args(e); e.Verb() == "TOP" && len(a) == 2 && strings.Trim(a[1], "0") == "" && e.POP3OK() {
				e.Reply = []byte("-ERR invalid number of lines\r\n")
			}
		},
	})

	// ---- UIDL (RFC 1939 section 7) ----
	pop3Fault("pop3-uidl-text-after-id", "RFC 1939 7: the unique-id listings of UIDL carry text after the unique-id", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "UIDL" || len(args(e)) > 0 {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				out := make([][]byte, len(body))
				for i, l := range body {
					out[i] = append(bytes.TrimRight(l, "\r\n"), " mailspec-fault\r\n"...)
				}
				return out
			})
		},
	})
	pop3Fault("pop3-uidl-too-long", "RFC 1939 7: the unique-id that UIDL msg gives is 71 characters long", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "UIDL" || len(args(e)) != 1 || !e.POP3OK() {
				return
			}
			f := strings.Fields(strings.TrimRight(string(e.Raw), "\r\n"))
			if len(f) == 3 {
				id := (f[2] + strings.Repeat("x", 71))[:71]
				e.Reply = []byte(fmt.Sprintf("+OK %s %s\r\n", f[1], id))
			}
		},
	})
	pop3Fault("pop3-uidl-constant", "RFC 1939 7: every message has the same unique-id", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "UIDL" || !e.POP3OK() {
				return
			}
			if len(args(e)) == 1 {
				f := strings.Fields(strings.TrimRight(string(e.Raw), "\r\n"))
				if len(f) == 3 {
					e.Reply = []byte("+OK " + f[1] + " mailspec\r\n")
				}
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				out := make([][]byte, len(body))
				for i, l := range body {
					n, _, _ := bytes.Cut(l, []byte(" "))
					out[i] = append(append([]byte(nil), n...), " mailspec\r\n"...)
				}
				return out
			})
		},
	})

	// ---- CAPA (RFC 2449) ----
	pop3Fault("pop3-capa-bad-line", "RFC 2449 9: CAPA lists a capability line with an empty parameter (two spaces)", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "CAPA" {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				return append(body, []byte("X-MAILSPEC  FAULT\r\n"))
			})
		},
	})
	pop3Fault("pop3-capa-bad-args", "RFC 2449 6.7: CAPA announces EXPIRE with an argument that is neither a number of days nor NEVER", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() != "CAPA" {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				return append(body, []byte("EXPIRE SOON\r\n"))
			})
		},
	})
	pop3Fault("pop3-capa-refused-after-login", "RFC 2449 5: CAPA is refused with -ERR in the TRANSACTION state", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "CAPA" && e.State.Authenticated && e.POP3OK() {
				e.Reply = []byte("-ERR unknown command\r\n")
			}
		},
	})
	dropCaps := func(names ...string) func(e *Exchange) {
		return func(e *Exchange) {
			if e.Verb() != "CAPA" || !e.State.Authenticated {
				return
			}
			editBody(e, func(body [][]byte) [][]byte {
				var out [][]byte
				for _, l := range body {
					word, _, _ := strings.Cut(strings.TrimRight(string(l), "\r\n"), " ")
					drop := false
					for _, n := range names {
						drop = drop || strings.EqualFold(word, n)
					}
					if !drop {
						out = append(out, l)
					}
				}
				return out
			})
		}
	}
	pop3Fault("pop3-capa-drops-top-after-login", "RFC 2449 5: in the TRANSACTION state CAPA no longer announces TOP", Fault{
		OnReply: dropCaps("TOP"),
	})
	pop3Fault("pop3-capa-drops-user-after-login", "RFC 2449 5: in the TRANSACTION state CAPA no longer announces USER and SASL", Fault{
		OnReply: dropCaps("USER", "SASL"),
	})
	pop3Fault("pop3-responses-out-of-order", "RFC 2449 6.6: the response to an unknown command is sent after the response to the command that follows it", Fault{
		OnReply: func(e *Exchange) {
			held, _ := e.Conn.Values[heldReply].([]byte)
			if e.Command != nil && !pop3Commands[e.Verb()] && held == nil {
				e.Conn.Values[heldReply] = e.Reply
				e.Drop()
				return
			}
			if held != nil {
				e.After = held
				delete(e.Conn.Values, heldReply)
			}
		},
	})

	// ---- STLS (RFC 2595 section 4) ----
	pop3Fault("pop3-stls-data-before-tls", "RFC 2595 4: the server sends a line after its +OK to STLS, before the TLS negotiation", Fault{
		OnReply: func(e *Exchange) {
			if e.Verb() == "STLS" && e.POP3OK() {
				e.After = []byte("+OK and more\r\n")
			}
		},
	})
	pop3Fault("pop3-stls-injection", "RFC 2595 4: commands pipelined in plaintext behind STLS are executed after the TLS negotiation (CVE-2011-0411)", Fault{
		OnCommand: func(e *Exchange) {
			if e.Verb() == "STLS" {
				e.PipelinedAfterTLS = true
			}
		},
	})
}
