package faults

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The protocols a proxy speaks, the values of [Options.Protocol] and
// [Fault.Protocol].
const (
	SMTP = "smtp"
	POP3 = "pop3"
	IMAP = "imap"
)

// A Fault is one deliberate violation of one requirement: named,
// described, and acting on the exchange through its hooks. The zero Fault
// changes nothing (a transparent proxy).
//
// Hooks run on the proxy's connection goroutines, one at a time per
// connection: a hook may use [Exchange.Conn] freely, but must lock
// [Exchange.Proxy] to use the state shared by all connections.
type Fault struct {
	// Name is the fault's stable identifier, such as "smtp-quit-no-close".
	Name string
	// Protocol is SMTP, POP3 or IMAP.
	Protocol string
	// Description says in one sentence which requirement the fault breaks,
	// citing the RFC section, e.g. "RFC 5321 4.1.1.10: after 221 to QUIT
	// the server does not close the connection".
	Description string

	// Backend names a fault of the embedded reference system
	// (embedded.Options.Faults) for a violation a proxy cannot make, such
	// as a POP3 DELE that deletes at once. A Fault with a Backend has no
	// hooks: its self-test runs against an embedded system started with
	// that fault instead of through a proxy (a proxy with it is
	// transparent).
	Backend string

	// OnGreeting sees the server's greeting (the first server reply).
	OnGreeting func(e *Exchange)
	// OnReply sees every later server reply (SMTP), response (POP3,
	// multi-line body included) or response (IMAP, literals included),
	// with the client command it answers in e.Command.
	OnReply func(e *Exchange)
	// OnCommand sees every client command line before it goes upstream.
	// SASL responses, IMAP literals and the lines that continue an IMAP
	// command after a literal pass through without it.
	OnCommand func(e *Exchange)
	// OnData sees the SMTP message content on its way upstream: the DATA
	// payload up to and including <CRLF>.<CRLF> and BDAT chunks (RFC
	// 3030), in the pieces the client's bytes arrive in.
	OnData func(e *Exchange)
}

// registry holds the registered faults by name.
var registry = struct {
	sync.Mutex
	m map[string]Fault
}{m: make(map[string]Fault)}

// Register adds a fault to the registry; faults register themselves from
// an init function. A fault without a name or protocol, or a second fault
// with a name already registered, is a programming error: Register panics
// on it, at init time, before any input is read.
func Register(f Fault) {
	if f.Name == "" {
		panic("faults: Register: fault without a name")
	}
	switch f.Protocol {
	case SMTP, POP3, IMAP:
	default:
		panic(fmt.Sprintf("faults: Register %s: unknown protocol %q", f.Name, f.Protocol))
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[f.Name]; dup {
		panic(fmt.Sprintf("faults: Register: duplicate fault %q", f.Name))
	}
	registry.m[f.Name] = f
}

// Lookup returns the registered fault called name.
func Lookup(name string) (Fault, bool) {
	registry.Lock()
	defer registry.Unlock()
	f, ok := registry.m[name]
	return f, ok
}

// List returns every registered fault, sorted by name.
func List() []Fault {
	registry.Lock()
	defer registry.Unlock()
	out := make([]Fault, 0, len(registry.m))
	for _, f := range registry.m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// State is the protocol state of one proxied connection, as the proxy saw
// it from the client's commands and the server's replies.
type State struct {
	// Greeted: the server's greeting has been seen (false in OnGreeting).
	Greeted bool
	// Hello: SMTP, an EHLO or HELO was accepted since the start or the
	// last STARTTLS (RFC 3207 section 4.2 resets it).
	Hello bool
	// TLS: the connection runs over TLS (implicit, or after STARTTLS/STLS).
	TLS bool
	// Authenticated: a login or SASL exchange succeeded (SMTP AUTH, POP3
	// USER/PASS, APOP or AUTH, IMAP LOGIN or AUTHENTICATE, or a PREAUTH
	// greeting).
	Authenticated bool
	// InMail: SMTP, a MAIL command was accepted and the transaction has
	// not ended yet (RFC 5321 section 3.3).
	InMail bool
	// InData: SMTP, the client is sending message content (after 354 to
	// DATA until <CRLF>.<CRLF>, or inside a BDAT chunk).
	InData bool
	// Selected: IMAP, a mailbox is selected (RFC 9051 section 3.3).
	Selected bool
}

// Command is one client command as the proxy parsed it.
type Command struct {
	// Line is the command line as the client sent it, line end included.
	// For the end of SMTP message content it is ".\r\n".
	Line []byte
	// Tag is the IMAP tag; empty for SMTP and POP3.
	Tag string
	// Verb is the command keyword in upper case ("EHLO", "RETR",
	// "SELECT"; IMAP "UID FETCH" for UID commands; "." for the end of
	// SMTP message content).
	Verb string
	// Args is the rest of the line after the keyword, without the line
	// end.
	Args string
}

// ConnState is what a proxy keeps for one client connection.
type ConnState struct {
	// ID numbers the proxy's connections from 1.
	ID int
	// Values is the connection's memory for faults that need one. Hooks of
	// one connection never run at once, so it needs no lock.
	Values map[string]any
}

// Shared is the state all connections of one proxy share, for faults
// whose memory spans sessions (such as UIDs that change between
// sessions). Lock it around any use of Values.
type Shared struct {
	sync.Mutex
	Values map[string]any
}

// Exchange is what a hook sees and changes: one server reply, one client
// command or one piece of message content.
//
// The hook changes what is forwarded by changing Reply (OnGreeting,
// OnReply: the bytes sent to the client), Line (OnCommand: the bytes sent
// upstream) or Data (OnData: the bytes sent upstream); an empty value
// forwards nothing. Before and After inject bytes in the same direction;
// Delay holds the forwarding back; CloseAfter and HoldOpen change how the
// connection ends.
type Exchange struct {
	// Proxy is the state shared by the proxy's connections.
	Proxy *Shared
	// Conn is this connection's state.
	Conn *ConnState
	// State is the protocol state before this exchange took effect.
	State State
	// Command is the client command that the reply answers (OnReply), or
	// the command on its way upstream (OnCommand), or the command whose
	// content this is (OnData: DATA or BDAT). It is nil for the greeting
	// and for a reply the proxy cannot attribute to a command.
	Command *Command
	// Raw is the original bytes: the framed reply, the command line or the
	// content piece. Hooks must not modify it.
	Raw []byte

	// Reply is what the client gets for this reply; it starts as a copy
	// of Raw.
	Reply []byte
	// Line is what goes upstream for this command; it starts as a copy of
	// Raw.
	Line []byte
	// Data is what goes upstream for this content piece; it starts as a
	// copy of Raw.
	Data []byte

	// Pipelined (OnCommand of STARTTLS and STLS only) is what the client
	// sent after the command in the same write: by default it goes
	// upstream in plaintext right behind the command, before the upstream
	// TLS handshake, as on a direct connection (the server decides what to
	// do with it).
	Pipelined []byte
	// PipelinedAfterTLS (OnCommand of STARTTLS and STLS) holds Pipelined
	// back and replays it as client commands over the new TLS session when
	// the server accepts STARTTLS: the injection of CVE-2011-0411.
	PipelinedAfterTLS bool
	// Respond (OnCommand) is sent to the client at once, for a fault that
	// answers a command itself.
	Respond []byte

	// Before and After are sent, in the same direction, right before and
	// after the forwarded bytes, each in a write of its own: a fault can
	// split a command across TCP segments by moving its first part from
	// Line to Before.
	Before, After []byte
	// Delay holds the forwarding back (and everything behind it in the
	// same direction).
	Delay time.Duration
	// CloseAfter closes the client connection (and the upstream one) once
	// the bytes are sent.
	CloseAfter bool
	// HoldOpen keeps the client connection open for up to this long when
	// the server closes its side after this exchange, until the client
	// closes or the proxy stops; what the client sends meanwhile is
	// dropped.
	HoldOpen time.Duration
}

// Drop forwards nothing for this exchange: it empties Reply, Line and
// Data.
func (e *Exchange) Drop() {
	e.Reply, e.Line, e.Data = nil, nil, nil
}

// Verb returns the keyword of e.Command, or "" without a command.
func (e *Exchange) Verb() string {
	if e.Command == nil {
		return ""
	}
	return e.Command.Verb
}

// SMTPCode returns the reply code of an SMTP reply in Raw: the first
// three digits of its last line (RFC 5321 section 4.2), or 0.
func (e *Exchange) SMTPCode() int { return smtpCode(e.Raw) }

// POP3OK reports whether Raw is a POP3 positive status ("+OK", RFC 1939
// section 3).
func (e *Exchange) POP3OK() bool { return pop3OK(e.Raw) }

// IMAPTag returns the first word of an IMAP response in Raw: "*" for
// untagged data, "+" for a continuation request, else the tag (RFC 9051
// section 2.2.2).
func (e *Exchange) IMAPTag() string {
	tag, _, _ := imapResponseWords(e.Raw)
	return tag
}

// IMAPStatus returns the upper-cased second word of an IMAP response in
// Raw: "OK", "NO", "BAD", "BYE" or "PREAUTH" for a status response, the
// number of a message-data response ("* 3 EXISTS" gives "3"), or "".
func (e *Exchange) IMAPStatus() string {
	_, status, _ := imapResponseWords(e.Raw)
	return status
}

// smtpCode returns the code of the last line of an SMTP reply, or 0.
func smtpCode(reply []byte) int {
	last := reply
	trimmed := bytes.TrimRight(reply, "\r\n")
	if i := bytes.LastIndexByte(trimmed, '\n'); i >= 0 {
		last = trimmed[i+1:]
	}
	if len(last) < 3 {
		return 0
	}
	n, err := strconv.Atoi(string(last[:3]))
	if err != nil || n < 100 {
		return 0
	}
	return n
}

// pop3OK reports whether a POP3 response starts with "+OK".
func pop3OK(resp []byte) bool {
	return len(resp) >= 3 && strings.EqualFold(string(resp[:3]), "+OK")
}

// imapResponseWords returns the first word of an IMAP response, its
// second word upper-cased, and the rest of the first line.
func imapResponseWords(resp []byte) (tag, second, rest string) {
	line := resp
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	s := strings.TrimRight(string(line), "\r")
	tag, s, _ = strings.Cut(s, " ")
	second, rest, _ = strings.Cut(s, " ")
	return tag, strings.ToUpper(second), rest
}
