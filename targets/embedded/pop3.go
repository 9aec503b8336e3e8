package embedded

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"math"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
)

// maxPOP3Line is the longest command line the POP3 front-end accepts, in
// octets with its CRLF. RFC 2449 section 4 keeps a client's command lines
// within 255 octets; the front-end accepts more and answers -ERR to a
// longer line, which it reads to its end and drops.
const maxPOP3Line = 1024

// pop3Implementation is the IMPLEMENTATION capability's text (RFC 2449
// section 6.9).
const pop3Implementation = "mailspec-embedded"

// POP3 response codes (RFC 2449 section 8, RFC 3206).
const (
	codeInUse   = "IN-USE"
	codeAuth    = "AUTH"
	codeSysTemp = "SYS/TEMP"
)

// pop3Config is what the POP3 front-end needs from the System.
type pop3Config struct {
	tls          *tls.Config // for STLS; nil disables it
	insecureAuth bool        // allow USER, PASS and AUTH without TLS
	log          *log.Logger
	// dial connects to the inner IMAP server, which the maildrops read.
	dial func() (net.Conn, error)
	// account returns the account a user name logs in to, the name of
	// its maildrop's lock.
	account func(username string) string
	// policy is the behaviour where fault injection plugs in; nil is
	// conformPolicy.
	policy pop3Policy
}

// pop3Policy is where the front-end's behaviour can be changed: fault
// injection plugs in here. conformPolicy behaves as RFC 1939 says.
type pop3Policy interface {
	// deleteAtDELE reports whether DELE removes a message at once, instead
	// of in the UPDATE state (RFC 1939 section 6).
	deleteAtDELE() bool
	// uniqueID returns the UIDL unique-id (RFC 1939 section 7) of message
	// uid of a mailbox whose UIDVALIDITY is validity, as shown in the
	// session with serial number session (one per login).
	uniqueID(session uint64, validity uint32, uid imap.UID) string
}

// conformPolicy is the behaviour RFC 1939 asks for.
type conformPolicy struct{}

func (conformPolicy) deleteAtDELE() bool { return false }

// uniqueID is "UIDVALIDITY.UID": digits and a dot, 3 to 21 characters,
// all in 0x21-0x7E as RFC 1939 section 7 requires, and the same in every
// session as long as the mailbox keeps its UIDVALIDITY.
func (conformPolicy) uniqueID(_ uint64, validity uint32, uid imap.UID) string {
	return fmt.Sprintf("%d.%d", validity, uid)
}

// faultPolicy is conformPolicy with deliberate deviations, for the
// harness's self-tests ([Options.Faults]): faults a proxy in front of the
// server cannot make, because they live in the maildrop.
type faultPolicy struct {
	// deleAtOnce: DELE removes the message from the store at once, so a
	// session that ends without QUIT still loses it (breaks RFC 1939
	// section 6).
	deleAtOnce bool
	// unstableUIDs: the unique-id of a message differs in every session
	// (breaks RFC 1939 section 7: it "persists across sessions").
	unstableUIDs bool
}

func (p faultPolicy) deleteAtDELE() bool { return p.deleAtOnce }

func (p faultPolicy) uniqueID(session uint64, validity uint32, uid imap.UID) string {
	if p.unstableUIDs {
		return fmt.Sprintf("%d.%d.%d", validity, uid, session)
	}
	return conformPolicy{}.uniqueID(session, validity, uid)
}

// pop3Server is the hand-written POP3 front-end (RFC 1939).
type pop3Server struct {
	cfg    pop3Config
	policy pop3Policy
	// open logs in to a user's maildrop; a refused login is
	// errBadCredentials.
	open func(username, password string) (maildrop, error)

	// logins numbers the sessions that entered the TRANSACTION state.
	logins atomic.Uint64

	mu     sync.Mutex
	locked map[string]bool // maildrops in use, by account user
}

func newPOP3Server(cfg pop3Config) *pop3Server {
	policy := cfg.policy
	if policy == nil {
		policy = conformPolicy{}
	}
	s := &pop3Server{cfg: cfg, policy: policy, locked: make(map[string]bool)}
	s.open = func(username, password string) (maildrop, error) {
		md, err := loginIMAPMaildrop(cfg.dial, cfg.account(username), username, password)
		if err != nil {
			return nil, err
		}
		return md, nil
	}
	return s
}

// lock takes the exclusive lock on user's maildrop (RFC 1939 section 4).
func (s *pop3Server) lock(user string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked[user] {
		return false
	}
	s.locked[user] = true
	return true
}

func (s *pop3Server) unlock(user string) {
	s.mu.Lock()
	delete(s.locked, user)
	s.mu.Unlock()
}

// serveFunc returns the accept loop for a listener. A listener of
// *tls.Conn serves implicit TLS (RFC 8314 section 3.2).
func (s *pop3Server) serveFunc() func(net.Listener) error {
	return func(ln net.Listener) error {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			if err != nil {
				s.cfg.log.Printf("pop3: accept: %v", err)
				time.Sleep(10 * time.Millisecond)
				continue
			}
			go s.handle(c)
		}
	}
}

// pop3State is a session state (RFC 1939 section 3). The UPDATE state is
// the QUIT command's work and never waits for input.
type pop3State int

const (
	stateAuthorization pop3State = iota
	stateTransaction
)

// pop3Session is one POP3 connection.
type pop3Session struct {
	srv   *pop3Server
	conn  net.Conn
	br    *bufio.Reader
	bw    *bufio.Writer
	tls   bool
	state pop3State

	user string // the argument of a USER command just before, for PASS

	// TRANSACTION state
	serial     uint64 // the login's number, for pop3Policy.uniqueID
	lockedUser string
	drop       maildrop
	msgs       []dropMessage
	deleted    []bool // marked by DELE
	removed    []bool // already gone from the store (deleteAtDELE)
}

// handle serves one connection until QUIT, a broken connection, the
// autologout timer or Close.
func (s *pop3Server) handle(nc net.Conn) {
	sess := &pop3Session{srv: s, conn: nc}
	// Closing the connection is the last act: the tracker counts the
	// connection as finished then.
	defer func() { sess.conn.Close() }()
	defer sess.release()
	defer func() {
		if v := recover(); v != nil {
			s.cfg.log.Printf("pop3: panic: %v\n%s", v, debug.Stack())
		}
	}()

	if tc, ok := nc.(*tls.Conn); ok {
		nc.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := tc.Handshake(); err != nil {
			return
		}
		nc.SetDeadline(time.Time{})
		sess.tls = true
	}
	sess.br = bufio.NewReader(sess.conn)
	sess.bw = bufio.NewWriter(sess.conn)

	// RFC 1939 section 4: the greeting. No APOP timestamp: APOP is not
	// offered.
	sess.ok("mailspec embedded POP3 server ready")
	for {
		// Answers to pipelined commands (RFC 2449 section 6.6) go out
		// together, once the input is drained.
		if sess.br.Buffered() == 0 {
			if err := sess.flush(); err != nil {
				return
			}
		}
		// RFC 1939 section 3: the autologout timer. When it expires the
		// session ends without entering the UPDATE state and without a
		// response.
		sess.conn.SetReadDeadline(time.Now().Add(pop3ReadTimeout))
		line, err := readLine(sess.br, maxPOP3Line)
		if errors.Is(err, errLineTooLong) {
			sess.fail("", "command line too long")
			continue
		}
		if err != nil {
			return
		}
		if sess.command(line) {
			sess.flush()
			return
		}
	}
}

// release ends the session's hold on the maildrop without touching it.
func (s *pop3Session) release() {
	if s.drop != nil {
		s.drop.close()
		s.drop = nil
	}
	if s.lockedUser != "" {
		s.srv.unlock(s.lockedUser)
		s.lockedUser = ""
	}
}

func (s *pop3Session) flush() error {
	s.conn.SetWriteDeadline(time.Now().Add(pop3WriteTimeout))
	return s.bw.Flush()
}

// ok writes a +OK response line.
func (s *pop3Session) ok(text string) {
	s.bw.WriteString("+OK " + text + "\r\n")
}

// fail writes a -ERR response line with an optional response code (RFC
// 2449 section 8).
func (s *pop3Session) fail(code, text string) {
	if code != "" {
		text = "[" + code + "] " + text
	}
	s.bw.WriteString("-ERR " + text + "\r\n")
}

// multiline writes the lines of a multi-line response and its terminator;
// none of the lines starts with ".".
func (s *pop3Session) multiline(lines []string) {
	for _, l := range lines {
		s.bw.WriteString(l + "\r\n")
	}
	s.bw.WriteString(".\r\n")
}

// command runs one command line and reports whether the session ends.
func (s *pop3Session) command(line string) (quit bool) {
	keyword, arg := splitCommand(line)
	user := s.user
	s.user = "" // PASS must come right after USER
	// Keywords are case-insensitive (RFC 1939 section 3).
	switch strings.ToUpper(keyword) {
	case "CAPA":
		s.capa(arg)
	case "QUIT":
		return s.quit(arg)
	case "STLS":
		return s.stls(arg)
	case "USER":
		s.userCmd(arg)
	case "PASS":
		s.pass(user, arg)
	case "AUTH":
		return s.auth(arg)
	case "STAT":
		s.stat(arg)
	case "LIST":
		s.list(arg, false)
	case "UIDL":
		s.list(arg, true)
	case "RETR":
		s.retr(arg)
	case "TOP":
		s.top(arg)
	case "DELE":
		s.dele(arg)
	case "RSET":
		s.rset(arg)
	case "NOOP":
		if s.inState(stateTransaction) && s.noArgs(arg) {
			s.ok("")
		}
	default:
		s.fail("", "unknown command")
	}
	return false
}

// inState answers -ERR unless the session is in state.
func (s *pop3Session) inState(state pop3State) bool {
	if s.state == state {
		return true
	}
	if state == stateAuthorization {
		s.fail("", "command valid only before login")
	} else {
		s.fail("", "command valid only after login")
	}
	return false
}

// noArgs answers -ERR if the command has arguments.
func (s *pop3Session) noArgs(arg string) bool {
	if strings.TrimSpace(arg) == "" {
		return true
	}
	s.fail("", "command takes no arguments")
	return false
}

// authAllowed reports whether a login may happen on this connection: on
// TLS, or anywhere if insecure authentication is allowed (RFC 2595 section
// 2.1, RFC 8314 section 3).
func (s *pop3Session) authAllowed() bool {
	return s.tls || s.srv.cfg.insecureAuth
}

// capa answers CAPA (RFC 2449 section 5), which is valid in both states
// and lists the same capabilities in both.
func (s *pop3Session) capa(arg string) {
	if !s.noArgs(arg) {
		return
	}
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
	if s.authAllowed() {
		caps = append(caps, "USER", "SASL PLAIN")
	}
	if !s.tls && s.srv.cfg.tls != nil {
		caps = append(caps, "STLS")
	}
	caps = append(caps, "IMPLEMENTATION "+pop3Implementation)
	s.ok("Capability list follows")
	s.multiline(caps)
}

// stls starts TLS (RFC 2595 section 4). Whatever the client sent after
// STLS before the handshake is discarded, never read as a command.
func (s *pop3Session) stls(arg string) (quit bool) {
	if !s.inState(stateAuthorization) || !s.noArgs(arg) {
		return false
	}
	if s.tls {
		s.fail("", "TLS already active")
		return false
	}
	if s.srv.cfg.tls == nil {
		s.fail("", "STLS not available")
		return false
	}
	s.ok("Begin TLS negotiation")
	if err := s.flush(); err != nil {
		return true
	}
	tc := tls.Server(s.conn, s.srv.cfg.tls)
	tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.Handshake(); err != nil {
		return true
	}
	tc.SetDeadline(time.Time{})
	s.conn = tc
	s.tls = true
	s.br.Reset(tc)
	s.bw.Reset(tc)
	return false
}

// refuseInsecure answers -ERR [AUTH] to a login before TLS when that is
// not allowed; RFC 3206 section 5 counts authenticating without TLS
// against policy among the AUTH conditions.
func (s *pop3Session) refuseInsecure() bool {
	if s.authAllowed() {
		return false
	}
	s.fail(codeAuth, "TLS required: use STLS first")
	return true
}

// userCmd answers USER name (RFC 1939 section 7).
func (s *pop3Session) userCmd(arg string) {
	if !s.inState(stateAuthorization) || s.refuseInsecure() {
		return
	}
	if arg == "" {
		s.fail("", "USER needs a name")
		return
	}
	s.user = arg
	s.ok("send PASS")
}

// pass answers PASS string (RFC 1939 section 7); the password is the rest
// of the line, spaces included.
func (s *pop3Session) pass(user, password string) {
	if !s.inState(stateAuthorization) || s.refuseInsecure() {
		return
	}
	if user == "" {
		s.fail("", "PASS must follow USER")
		return
	}
	if password == "" {
		s.fail("", "PASS needs a password")
		return
	}
	s.login(user, password)
}

// auth answers AUTH mechanism [initial-response] (RFC 5034 section 4) for
// the PLAIN mechanism (RFC 4616).
func (s *pop3Session) auth(arg string) (quit bool) {
	if !s.inState(stateAuthorization) || s.refuseInsecure() {
		return false
	}
	fields := strings.Fields(arg)
	if len(fields) == 0 || len(fields) > 2 {
		s.fail("", "usage: AUTH mechanism [initial-response]")
		return false
	}
	if !strings.EqualFold(fields[0], "PLAIN") {
		s.fail("", "unsupported SASL mechanism")
		return false
	}
	var encoded string
	if len(fields) == 2 {
		encoded = fields[1]
	} else {
		// An empty challenge: "+ " (RFC 5034 section 4).
		s.bw.WriteString("+ \r\n")
		if err := s.flush(); err != nil {
			return true
		}
		s.conn.SetReadDeadline(time.Now().Add(pop3ReadTimeout))
		line, err := readLine(s.br, maxPOP3Line)
		if errors.Is(err, errLineTooLong) {
			s.fail("", "response too long")
			return false
		}
		if err != nil {
			return true
		}
		if line == "*" {
			s.fail("", "authentication cancelled")
			return false
		}
		encoded = line
	}
	response, ok := decodeSASL(encoded)
	if !ok {
		s.fail("", "invalid base64")
		return false
	}
	authzid, authcid, password, ok := parsePlain(response)
	if !ok {
		s.fail(codeAuth, "malformed PLAIN response")
		return false
	}
	if authzid != "" && authzid != authcid {
		s.fail(codeAuth, "authorization identity not allowed")
		return false
	}
	s.login(authcid, password)
	return false
}

// decodeSASL decodes a base64 SASL response; "=" is the empty initial
// response (RFC 5034 section 4).
func decodeSASL(s string) ([]byte, bool) {
	if s == "=" {
		return []byte{}, true
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return b, err == nil
}

// parsePlain splits a PLAIN message: authzid NUL authcid NUL passwd (RFC
// 4616 section 2).
func parsePlain(msg []byte) (authzid, authcid, password string, ok bool) {
	parts := strings.Split(string(msg), "\x00")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// login opens and locks the user's maildrop and enters the TRANSACTION
// state (RFC 1939 section 4).
func (s *pop3Session) login(username, password string) {
	drop, err := s.srv.open(username, password)
	if errors.Is(err, errBadCredentials) {
		s.fail(codeAuth, "invalid user name or password")
		return
	}
	if err != nil {
		s.srv.cfg.log.Printf("pop3: open maildrop: %v", err)
		s.fail(codeSysTemp, "maildrop unavailable")
		return
	}
	key := drop.user()
	if !s.srv.lock(key) {
		drop.close()
		s.fail(codeInUse, "maildrop already locked by another session")
		return
	}
	s.lockedUser = key
	s.drop = drop
	// The snapshot is taken under the lock, so it sees every deletion of
	// the session that held the lock before.
	if err := drop.load(); err != nil {
		s.srv.cfg.log.Printf("pop3: load maildrop: %v", err)
		s.release()
		s.fail(codeSysTemp, "maildrop unavailable")
		return
	}
	s.msgs = drop.messages()
	s.serial = s.srv.logins.Add(1)
	s.deleted = make([]bool, len(s.msgs))
	s.removed = make([]bool, len(s.msgs))
	s.state = stateTransaction
	n, size := s.tally()
	s.ok(fmt.Sprintf("maildrop has %d messages (%d octets)", n, size))
}

// tally counts the messages not marked deleted and their octets.
func (s *pop3Session) tally() (n int, size int64) {
	for i, m := range s.msgs {
		if !s.deleted[i] {
			n++
			size += m.size
		}
	}
	return n, size
}

// message resolves a message-number argument; it answers -ERR for a bad,
// unknown or deleted one (RFC 1939 section 5).
func (s *pop3Session) message(arg string) (int, bool) {
	n, ok := parseNumber(arg)
	if !ok {
		s.fail("", "invalid message number")
		return 0, false
	}
	if n < 1 || n > len(s.msgs) {
		s.fail("", "no such message")
		return 0, false
	}
	if s.deleted[n-1] {
		s.fail("", fmt.Sprintf("message %d already deleted", n))
		return 0, false
	}
	return n - 1, true
}

// stat answers STAT (RFC 1939 section 5): "+OK nn mm".
func (s *pop3Session) stat(arg string) {
	if !s.inState(stateTransaction) || !s.noArgs(arg) {
		return
	}
	n, size := s.tally()
	s.ok(fmt.Sprintf("%d %d", n, size))
}

// list answers LIST [msg] or, with uidl, UIDL [msg] (RFC 1939 sections 5
// and 7).
func (s *pop3Session) list(arg string, uidl bool) {
	if !s.inState(stateTransaction) {
		return
	}
	item := func(i int) string {
		if uidl {
			return fmt.Sprintf("%d %s", i+1, s.srv.policy.uniqueID(s.serial, s.drop.uidValidity(), s.msgs[i].uid))
		}
		return fmt.Sprintf("%d %d", i+1, s.msgs[i].size)
	}
	args := strings.Fields(arg)
	switch len(args) {
	case 0:
		var lines []string
		for i := range s.msgs {
			if !s.deleted[i] {
				lines = append(lines, item(i))
			}
		}
		if uidl {
			s.ok("unique-id listing follows")
		} else {
			n, size := s.tally()
			s.ok(fmt.Sprintf("%d messages (%d octets)", n, size))
		}
		s.multiline(lines)
	case 1:
		if i, ok := s.message(args[0]); ok {
			s.ok(item(i))
		}
	default:
		s.fail("", "too many arguments")
	}
}

// content fetches message i; it answers -ERR if that fails.
func (s *pop3Session) content(i int) ([]byte, bool) {
	msg, err := s.drop.content(s.msgs[i].uid)
	if errors.Is(err, errGone) {
		s.fail("", fmt.Sprintf("message %d was removed by another client", i+1))
		return nil, false
	}
	if err != nil {
		s.srv.cfg.log.Printf("pop3: fetch: %v", err)
		s.fail(codeSysTemp, "cannot read the message")
		return nil, false
	}
	return msg, true
}

// retr answers RETR msg (RFC 1939 section 5): the message, byte-stuffed.
func (s *pop3Session) retr(arg string) {
	if !s.inState(stateTransaction) {
		return
	}
	args := strings.Fields(arg)
	if len(args) != 1 {
		s.fail("", "usage: RETR msg")
		return
	}
	i, ok := s.message(args[0])
	if !ok {
		return
	}
	msg, ok := s.content(i)
	if !ok {
		return
	}
	s.ok(fmt.Sprintf("%d octets", len(msg)))
	s.bw.Write(dotStuff(msg))
	s.bw.WriteString(".\r\n")
}

// top answers TOP msg n (RFC 1939 section 7): the header, the blank line
// and n lines of the body, byte-stuffed.
func (s *pop3Session) top(arg string) {
	if !s.inState(stateTransaction) {
		return
	}
	args := strings.Fields(arg)
	if len(args) != 2 {
		s.fail("", "usage: TOP msg n")
		return
	}
	lines, ok := parseCount(args[1])
	if !ok {
		s.fail("", "invalid line count")
		return
	}
	i, ok := s.message(args[0])
	if !ok {
		return
	}
	msg, ok := s.content(i)
	if !ok {
		return
	}
	s.ok("top of message follows")
	s.bw.Write(dotStuff(topOf(msg, lines)))
	s.bw.WriteString(".\r\n")
}

// dele answers DELE msg (RFC 1939 section 5): the message is marked, and
// removed only in the UPDATE state.
func (s *pop3Session) dele(arg string) {
	if !s.inState(stateTransaction) {
		return
	}
	args := strings.Fields(arg)
	if len(args) != 1 {
		s.fail("", "usage: DELE msg")
		return
	}
	i, ok := s.message(args[0])
	if !ok {
		return
	}
	if s.srv.policy.deleteAtDELE() {
		if err := s.drop.remove([]imap.UID{s.msgs[i].uid}); err != nil {
			s.srv.cfg.log.Printf("pop3: remove: %v", err)
			s.fail(codeSysTemp, "cannot delete the message")
			return
		}
		s.removed[i] = true
	}
	s.deleted[i] = true
	s.ok(fmt.Sprintf("message %d deleted", i+1))
}

// rset answers RSET (RFC 1939 section 5): every mark is undone.
func (s *pop3Session) rset(arg string) {
	if !s.inState(stateTransaction) || !s.noArgs(arg) {
		return
	}
	for i := range s.deleted {
		s.deleted[i] = false
	}
	n, size := s.tally()
	s.ok(fmt.Sprintf("maildrop has %d messages (%d octets)", n, size))
}

// quit answers QUIT (RFC 1939 sections 5 and 6). In the TRANSACTION state
// it enters the UPDATE state: the marked messages are removed.
func (s *pop3Session) quit(arg string) (quit bool) {
	if !s.noArgs(arg) {
		return false
	}
	if s.state == stateAuthorization {
		s.ok("bye")
		return true
	}
	var uids []imap.UID
	for i, d := range s.deleted {
		if d && !s.removed[i] {
			uids = append(uids, s.msgs[i].uid)
		}
	}
	if err := s.drop.remove(uids); err != nil {
		s.srv.cfg.log.Printf("pop3: update: %v", err)
		s.fail(codeSysTemp, "some deleted messages not removed")
		return true
	}
	n, _ := s.tally()
	// The maildrop is unlocked before the client reads +OK: a session
	// that starts after it sees the maildrop free and updated.
	s.release()
	s.ok(fmt.Sprintf("bye (%d messages left)", n))
	return true
}

// errLineTooLong is a command line over the limit.
var errLineTooLong = errors.New("embedded: line too long")

// readLine reads one line ended by LF (CRLF or, leniently, a bare LF) and
// returns it without the line end. A line of more than max octets, line
// end included, is read to its end, dropped, and reported as
// errLineTooLong, so that the session can go on.
func readLine(br *bufio.Reader, max int) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > max {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return "", err
		}
		break
	}
	if tooLong {
		return "", errLineTooLong
	}
	s := strings.TrimSuffix(string(line), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// splitCommand splits a command line into its keyword and the rest after
// the first space (RFC 1939 section 3: keyword and arguments are separated
// by single spaces).
func splitCommand(line string) (keyword, arg string) {
	keyword, arg, _ = strings.Cut(line, " ")
	return keyword, arg
}

// parseNumber parses a message number: 1 to 9 decimal digits.
func parseNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// parseCount parses TOP's non-negative line count; a count too large to
// represent means "all lines".
func parseCount(s string) (int, bool) {
	if len(s) > 9 {
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		return math.MaxInt32, true
	}
	return parseNumber(s)
}
