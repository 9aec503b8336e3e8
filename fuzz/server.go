package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailspec/mailspec/serverfuzz"
	"github.com/mailspec/mailspec/targets/embedded"
)

// The embedded reference system's servers, as the native server fuzz
// targets (server_fuzz_test.go) and mailspec fuzz import drive them: in
// process, a store of their own per connection (embedded.HandlerOptions
// Isolated: every input starts from the same mailboxes), authentication
// allowed without TLS (a TLS handshake per input would cost more than the
// rest of it).

//go:generate env MAILSPEC_UPDATE_SEEDS=1 go test -run=^TestServerSeedCorpus$ .

// embeddedSchemes are the endpoints fuzzed, and the endpoints reproducer
// transcripts name: the implicit-TLS endpoint of the same server, where
// `mailspec replay` finds authentication allowed without an extra
// STARTTLS (the default embedded system refuses it before TLS on the
// plain ports).
var embeddedSchemes = map[serverfuzz.Protocol][2]string{
	serverfuzz.SMTP: {embedded.SchemeSubmission, embedded.SchemeSMTPS},
	serverfuzz.IMAP: {embedded.SchemeIMAP, embedded.SchemeIMAPS},
	serverfuzz.POP3: {embedded.SchemePOP3, embedded.SchemePOP3S},
}

// EmbeddedServer starts the embedded reference system and returns its
// server of protocol p for in-process fuzzing, and a function that stops
// the system.
func EmbeddedServer(p serverfuzz.Protocol) (serverfuzz.Server, func() error, error) {
	schemes, ok := embeddedSchemes[p]
	if !ok {
		return serverfuzz.Server{}, nil, fmt.Errorf("fuzz: unknown protocol %q", p)
	}
	log := &panicLog{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sys, err := embedded.Start(ctx, embedded.Options{InsecureAuth: true, ErrorLog: log})
	if err != nil {
		return serverfuzz.Server{}, nil, fmt.Errorf("fuzz: %w", err)
	}
	h, err := sys.Handler(schemes[0], embedded.HandlerOptions{Isolated: true})
	if err != nil {
		sys.Close()
		return serverfuzz.Server{}, nil, fmt.Errorf("fuzz: %w", err)
	}
	a := sys.Accounts[0]
	srv := serverfuzz.Server{
		Protocol: p, Serve: h, User: a.User, Password: a.Password, Address: a.Address,
		Endpoint: schemes[1], Panicked: log.take, Known: EmbeddedKnown, Avoid: embeddedAvoid(p),
	}
	return srv, sys.Close, nil
}

// panicLog is the embedded system's error log, watched for the panics its
// servers recover from (imapserver and the POP3 front-end log them).
type panicLog struct {
	mu  sync.Mutex
	msg string
}

func (l *panicLog) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("panic")) {
		l.mu.Lock()
		if l.msg == "" {
			l.msg = string(p)
		}
		l.mu.Unlock()
	}
	return len(p), nil
}

// take returns the first panic logged since the last call.
func (l *panicLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.msg
	l.msg = ""
	return m
}

// EmbeddedKnown names the embedded system's known faults, found by these
// targets, so that a fuzzing run goes on looking for new ones. Each has a
// reproducer in the report of the campaign that found it.
func EmbeddedKnown(f *serverfuzz.Finding) string {
	line, last := string(f.Line), string(f.Last)
	switch f.Protocol {
	case serverfuzz.IMAP:
		if f.Kind == serverfuzz.Hang && unterminatedQuote(line) {
			// go-imap v2.0.0-beta.8 reads a quoted string past the end
			// of its line: the command never completes.
			return "go-imap: a quoted string left open at the end of the line keeps the server waiting"
		}
		if f.Kind != serverfuzz.Hang && f.Kind != serverfuzz.Panic && longLine(f.Sent, 50<<10) {
			// go-imap answers a command longer than its 50 KiB limit with
			// NO [SERVERBUG] and reads the rest of the line as a new
			// command, whose completion carries a tag the client never
			// sent (a tag mismatch, or a malformed answer when the rest
			// begins with "+"), and whose text the client never meant
			// as a command.
			return "go-imap: splits a command line over its 50 KiB limit and runs the rest as a command"
		}
		if (f.Kind == serverfuzz.TagMismatch || f.Kind == serverfuzz.MalformedResponse) && nonSyncLiteral(f.Sent) {
			// go-imap refuses some commands (the wrong state, a bad
			// argument) before it has read the rest of the command,
			// and then reads the octets of its non-synchronising
			// literals (RFC 7888) as commands of their own.
			return "go-imap: reads the non-synchronising literals of a refused command as commands"
		}
		if f.Kind == serverfuzz.Hang && manyWildcards(line) {
			// imapmemserver matches LIST patterns by backtracking: a
			// pattern of many "*" and "%" takes exponential time.
			return "imapmemserver: a LIST pattern with many wildcards takes exponential time"
		}
		if f.Kind == serverfuzz.MalformedResponse && f.Command == "raw-untagged" && !validTag(firstToken(line)) {
			// go-imap takes a first token that is no tag (octets
			// outside ASTRING-CHAR, a "+") for a tag and answers with
			// it, where the grammar allows only an untagged BAD.
			return "go-imap: answers with a tag made of octets the grammar does not allow in a tag"
		}
	case serverfuzz.SMTP:
		switch {
		case f.Kind == serverfuzz.Panic && strings.Contains(f.Detail, "handleBdat"):
			// go-smtp runs the backend's Data for a BDAT chunk in a
			// goroutine that dereferences the session, which is gone
			// when the client closed the connection first: a race,
			// recovered and logged.
			return "go-smtp: BDAT's goroutine uses the session after the connection closed (a race)"
		case f.Kind == serverfuzz.Disconnect && (strings.Contains(last, "Too many errors") || strings.Contains(last, "Too long line")):
			// go-smtp v0.25.1 answers a line over 2000 octets, or a
			// fourth error, with 500 and closes the connection (the
			// latter after a second reply to the same command), where
			// RFC 5321 section 3.8 allows a close only after 421.
			return "go-smtp: closes the connection after a 500 reply (too long a line, too many errors) instead of 421"
		case f.Kind == serverfuzz.MalformedResponse && strings.Contains(f.Summary, "control character") && hasControl(line):
			// go-smtp echoes the client's argument (HELO's domain, a
			// path) in its reply text, control characters included.
			return "go-smtp: echoes control characters of the command in the reply text"
		case f.Kind == serverfuzz.Hang && strings.Contains(line, "\r\r\n.\r\n"):
			// go-smtp's DATA reader misses the end of data when the
			// line before it ends in CR CR LF.
			return "go-smtp: misses CRLF.CRLF after a line ending in CR CR LF"
		}
	}
	return ""
}

// embeddedAvoid keeps the fuzzer away from the known hangs: each would
// cost the answer deadline every time the fuzzer meets it.
func embeddedAvoid(p serverfuzz.Protocol) func([]byte) bool {
	switch p {
	case serverfuzz.IMAP:
		return func(cmd []byte) bool {
			s := string(cmd)
			return unterminatedQuote(s) || manyWildcards(s) || longLine([][]byte{cmd}, 50<<10)
		}
	case serverfuzz.SMTP:
		return func(cmd []byte) bool { return strings.Contains(string(cmd), "\r\r\n.\r\n") }
	}
	return nil
}

// manyWildcards reports whether a command holds more than 8 of the
// LIST wildcards "*" and "%" (a sequence set's "*" counts too: the check
// is coarse, and only keeps known hangs away).
func manyWildcards(line string) bool {
	return strings.Count(line, "*")+strings.Count(line, "%") > 8 && (strings.Contains(strings.ToUpper(line), "LIST") || strings.Contains(strings.ToUpper(line), "LSUB"))
}

// nonSyncLiteral reports whether a command sent a non-synchronising
// literal.
func nonSyncLiteral(sent [][]byte) bool {
	for _, b := range sent {
		if strings.Contains(string(b), "+}\r\n") {
			return true
		}
	}
	return false
}

// longLine reports whether a command sent a line longer than n.
func longLine(sent [][]byte, n int) bool {
	for _, b := range sent {
		for _, l := range strings.Split(string(b), "\n") {
			if len(l) > n {
				return true
			}
		}
	}
	return false
}

// firstToken is the text of line up to its first space or line end.
func firstToken(line string) string {
	if i := strings.IndexAny(line, " \r\n"); i >= 0 {
		return line[:i]
	}
	return line
}

// validTag reports whether s is an IMAP tag: 1*<any ASTRING-CHAR except
// "+"> (RFC 9051 section 9).
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\+`, c) >= 0 {
			return false
		}
	}
	return true
}

// hasControl reports whether a command line holds a control character
// other than its line ending.
func hasControl(line string) bool {
	line, _, _ = strings.Cut(line, "\r\n")
	for i := 0; i < len(line); i++ {
		if line[i] < 0x20 && line[i] != '\t' || line[i] == 0x7f {
			return true
		}
	}
	return false
}

// unterminatedQuote reports whether a command line leaves an IMAP quoted
// string open at its end. Literals ({n} or {n+} and CRLF) are skipped.
func unterminatedQuote(line string) bool {
	open := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case open && c == '\\':
			i++
		case c == '"':
			open = !open
		case c == '\n':
			return open
		case !open && c == '{':
			j := i + 1
			for j < len(line) && line[j] >= '0' && line[j] <= '9' {
				j++
			}
			n, err := strconv.Atoi(line[i+1 : j])
			if j < len(line) && line[j] == '+' {
				j++
			}
			if err == nil && strings.HasPrefix(line[j:], "}\r\n") {
				i = j + 2 + n
			}
		}
	}
	return open
}
