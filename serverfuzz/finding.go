package serverfuzz

import (
	"fmt"
	"strings"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// Kind is what went wrong.
type Kind string

// The kinds of finding.
const (
	// Crash: after the exchange the server no longer accepts connections
	// or closes them without a greeting.
	Crash Kind = "crash"
	// Hang: a command got no complete answer within the deadline; or a
	// server no longer greets new connections; or, in-process, the
	// server did not let go of a connection its client had closed (a
	// goroutine leak).
	Hang Kind = "hang"
	// MalformedResponse: an answer breaks the protocol's syntax or
	// framing, as judged by the strict readers of package
	// transcripts/wire.
	MalformedResponse Kind = "malformed-response"
	// Disconnect: the server closed the connection without answering a
	// command, without announcing it (IMAP BYE, SMTP 421), or in the
	// middle of an answer.
	Disconnect Kind = "disconnect"
	// TagMismatch: an IMAP completion carried a tag other than the
	// command's.
	TagMismatch Kind = "tag-mismatch"
	// Panic: an in-process server panicked.
	Panic Kind = "panic"
)

// StateSig is the state of a session as the fuzzer tracks it: the
// protocol phase (SMTP greeted, helo, mail, rcpt; IMAP not-authenticated,
// authenticated, selected, RFC 9051 section 3; POP3 authorization,
// transaction, RFC 1939 section 3) and the TLS and authentication flags.
type StateSig struct {
	Phase string
	TLS   bool
	Auth  bool
}

// String writes the phase, then "+tls" and "+auth" where the phase does
// not say so already: "selected+tls", "helo+auth".
func (s StateSig) String() string {
	out := s.Phase
	if s.TLS {
		out += "+tls"
	}
	switch {
	case !s.Auth, s.Phase == "authenticated", s.Phase == "selected", s.Phase == "transaction":
	default:
		out += "+auth"
	}
	return out
}

// Sig is the signature of one exchange: the command (its dictionary
// name), the answer's code (SMTP reply code, POP3 +OK or -ERR, IMAP OK, NO
// or BAD), the enhanced status code (RFC 3463) or IMAP response code, and
// the state the command was sent in. The set of signatures seen is the
// fuzzer's measure of the states it explored.
type Sig struct {
	Command  string
	Code     string
	Enhanced string
	State    StateSig
}

func (s Sig) String() string {
	return s.Command + " " + s.Code + " [" + s.Enhanced + "] " + s.State.String()
}

// Finding is a fault the fuzzer found.
type Finding struct {
	Kind     Kind
	Protocol Protocol
	// Target names the server.
	Target string
	// Command is the dictionary name of the command that exposed the
	// fault ("greeting" before any command), and State the state it was
	// sent in.
	Command string
	State   StateSig
	// RFC, Section and Level name the requirement broken.
	RFC, Section, Level string
	// Summary says what happened in one line; Detail adds what helps (the
	// violations, a panic's stack).
	Summary string
	Detail  string
	// Violations are the reader's findings in a malformed answer.
	Violations []wire.Violation
	// Line is what the command sent: its line with literals, and what it
	// sent on the server's go-ahead (a message after DATA, SASL
	// responses), each followed by CRLF; nil for the fuzzer's own
	// commands.
	Line []byte
	// Sent is what each command of Program sent (Line's form).
	Sent [][]byte
	// Last is the last answer the server sent before the fault (for a
	// malformed answer, that answer), raw.
	Last []byte
	// Known is why the finding is a known one, as the target's Known
	// function says; "" for a new one.
	Known string
	// Program is the input that reproduces the finding, minimised once
	// the engine has done so; Input is its encoding.
	Program Program
	Input   []byte
	// Seed is the campaign's seed.
	Seed uint64
	// Count is how often the campaign met this finding's signature.
	Count int
	// Minimized says whether the minimiser ran to the end.
	Minimized bool
	// Reproducer is the transcript that replays the finding; Entries the
	// recording of its last run, credentials redacted.
	Reproducer *script.Script
	Entries    []transcripts.Entry

	cmdIndex int // index of Command in Program.Cmds, -1 for the fuzzer's own
}

// Key groups findings: kind, command and state.
func (f *Finding) Key() string {
	return string(f.Kind) + " " + f.Command + " " + f.State.String()
}

// Error makes a Finding an error: its kind, command, state and summary.
func (f *Finding) Error() string {
	return fmt.Sprintf("%s: %s in state %s: %s", f.Kind, f.Command, f.State, f.Summary)
}

// Counts reports whether a finding at its level makes a test fail: MUST
// and MUST NOT always, SHOULD and SHOULD NOT only when strict.
func (f *Finding) Counts(strict bool) bool {
	switch f.Level {
	case "MUST", "MUST NOT":
		return true
	}
	return strict
}

// rule returns the requirement a finding of kind k breaks in protocol p
// (for malformed answers, the violation names its own).
func rule(p Protocol, k Kind) (rfc, section, level string) {
	switch {
	case k == TagMismatch:
		// "tagged with the same tag as the client command which began
		// the operation"
		return "9051", "2.2.2", "MUST"
	case k == Disconnect && p == SMTP:
		// The server MUST NOT intentionally close the connection except
		// after QUIT, after a 421 reply, or on a timeout.
		return "5321", "3.8", "MUST NOT"
	case k == Disconnect && p == IMAP:
		// A server SHOULD NOT close the connection without an untagged
		// BYE first.
		return "9051", "3.4", "SHOULD NOT"
	}
	// Every command gets an answer.
	switch p {
	case SMTP:
		return "5321", "4.2", "MUST"
	case POP3:
		return "1939", "3", "MUST"
	}
	return "9051", "2.2.2", "MUST"
}

// newFinding fills in the rule of the kind.
func newFinding(p Protocol, k Kind, cmd string, st StateSig, idx int, summary string) *Finding {
	f := &Finding{Kind: k, Protocol: p, Command: cmd, State: st, Summary: summary, cmdIndex: idx}
	f.RFC, f.Section, f.Level = rule(p, k)
	return f
}

// malformed is a finding for violations of an answer; only the first
// counting one sets the rule.
func malformed(p Protocol, cmd string, st StateSig, idx int, viols []wire.Violation, strict bool) *Finding {
	var first *wire.Violation
	for i := range viols {
		v := &viols[i]
		if v.Level == wire.LevelMust || v.Level == wire.LevelMustNot || strict {
			first = v
			break
		}
	}
	if first == nil {
		return nil
	}
	f := &Finding{Kind: MalformedResponse, Protocol: p, Command: cmd, State: st, cmdIndex: idx,
		RFC: first.RFC, Section: first.Section, Level: first.Level, Violations: viols,
		Summary: "malformed answer: " + first.String()}
	var d []string
	for _, v := range viols {
		d = append(d, v.String())
	}
	f.Detail = strings.Join(d, "\n")
	return f
}
