package transcripts

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/mailspec/mailspec/transcripts/sasl"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// ReplyError is a reply that was well framed but not the one a helper
// needed (e.g. 535 to AUTH). It carries the reply's text.
type ReplyError struct {
	Op    string
	Reply string
}

func (e *ReplyError) Error() string { return e.Op + ": server replied " + e.Reply }

// ViolationError is returned by the helpers when a reply breaks the
// protocol's framing (the reply was read; its violations are listed).
type ViolationError struct {
	Op         string
	Violations []wire.Violation
}

func (e *ViolationError) Error() string {
	msgs := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		msgs[i] = v.String()
	}
	return e.Op + ": protocol violation: " + strings.Join(msgs, "; ")
}

// ---- SMTP (RFC 5321) ----

// ReadSMTP reads one SMTP reply.
func (s *Session) ReadSMTP() (wire.SMTPReply, error) {
	var rep wire.SMTPReply
	err := s.read("SMTP reply", func() ([]byte, error) {
		var err error
		rep, err = s.smtp.ReadReply()
		return rep.Raw, err
	})
	return rep, err
}

// SMTPCommand sends a command line and reads its reply.
func (s *Session) SMTPCommand(line string) (wire.SMTPReply, error) {
	if err := s.Send(line); err != nil {
		return wire.SMTPReply{}, err
	}
	return s.ReadSMTP()
}

func smtpExpect(op string, rep wire.SMTPReply, codes ...int) error {
	if len(rep.Violations) > 0 {
		return &ViolationError{Op: op, Violations: rep.Violations}
	}
	for _, c := range codes {
		if rep.Code == c {
			return nil
		}
	}
	return &ReplyError{Op: op, Reply: strings.TrimRight(string(rep.Raw), "\r\n")}
}

// SMTPHello reads the greeting and sends EHLO, remembering the extension
// keywords (RFC 5321 section 4.1.1.1). With greeting false it only sends
// EHLO (after STARTTLS).
func (s *Session) SMTPHello(greeting bool) ([]string, error) {
	if greeting {
		rep, err := s.ReadSMTP()
		if err != nil {
			return nil, fmt.Errorf("greeting: %w", err)
		}
		if err := smtpExpect("greeting", rep, 220); err != nil {
			return nil, err
		}
	}
	rep, err := s.SMTPCommand("EHLO " + s.opts.ClientName)
	if err != nil {
		return nil, fmt.Errorf("EHLO: %w", err)
	}
	if err := smtpExpect("EHLO", rep, 250); err != nil {
		return nil, err
	}
	var caps []string
	for _, l := range rep.Lines[1:] {
		caps = append(caps, strings.TrimSpace(l))
	}
	s.setCaps(caps)
	return caps, nil
}

func (s *Session) setCaps(caps []string) {
	if s.IsTLS() {
		s.CapsAfterTLS = caps
	} else {
		s.CapsBeforeTLS = caps
	}
}

// Caps are the capabilities seen last (after TLS if TLS is on).
func (s *Session) Caps() []string {
	if s.IsTLS() {
		return s.CapsAfterTLS
	}
	return s.CapsBeforeTLS
}

// HasCap reports whether the last capability list has the keyword
// (case-insensitive, matched on the first word: "AUTH PLAIN" has "AUTH";
// "AUTH=PLAIN" is matched whole, and "SASL PLAIN" has "SASL").
func (s *Session) HasCap(name string) bool { return hasCap(s.Caps(), name) }

func hasCap(caps []string, name string) bool {
	for _, c := range caps {
		word, _, _ := strings.Cut(c, " ")
		if strings.EqualFold(word, name) || strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// capArgs returns the arguments of a capability ("AUTH PLAIN LOGIN" ->
// PLAIN, LOGIN; IMAP's AUTH=PLAIN AUTH=LOGIN -> PLAIN, LOGIN).
func capArgs(caps []string, name string) []string {
	var out []string
	for _, c := range caps {
		word, rest, _ := strings.Cut(c, " ")
		if strings.EqualFold(word, name) {
			out = append(out, strings.Fields(rest)...)
		}
		if k, v, ok := strings.Cut(c, "="); ok && strings.EqualFold(k, name) {
			out = append(out, v)
		}
	}
	return out
}

// StartTLSCommand sends the protocol's STARTTLS command, checks the
// go-ahead and performs the handshake.
func (s *Session) StartTLSCommand(ctx context.Context) error {
	switch s.Endpoint.Protocol {
	case SMTP:
		rep, err := s.SMTPCommand("STARTTLS")
		if err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		if err := smtpExpect("STARTTLS", rep, 220); err != nil {
			return err
		}
	case POP3:
		rep, err := s.POP3Command("STLS", false)
		if err != nil {
			return fmt.Errorf("STLS: %w", err)
		}
		if err := pop3Expect("STLS", rep); err != nil {
			return err
		}
	case IMAP:
		_, tagged, err := s.IMAPCommand("STARTTLS")
		if err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		if err := imapExpectOK("STARTTLS", tagged); err != nil {
			return err
		}
	}
	return s.StartTLS(ctx)
}

// ---- POP3 (RFC 1939) ----

// ReadPOP3 reads one POP3 response; multiline reads the body of a +OK
// response up to its terminating line.
func (s *Session) ReadPOP3(multiline bool) (wire.POP3Response, error) {
	var rep wire.POP3Response
	err := s.read("POP3 response", func() ([]byte, error) {
		var err error
		rep, err = s.pop3.ReadResponse(multiline)
		return rep.Raw, err
	})
	return rep, err
}

// POP3Command sends a command line and reads its response.
func (s *Session) POP3Command(line string, multiline bool) (wire.POP3Response, error) {
	if err := s.Send(line); err != nil {
		return wire.POP3Response{}, err
	}
	return s.ReadPOP3(multiline)
}

func pop3Expect(op string, rep wire.POP3Response) error {
	if len(rep.Violations) > 0 {
		return &ViolationError{Op: op, Violations: rep.Violations}
	}
	if !rep.OK {
		return &ReplyError{Op: op, Reply: strings.TrimRight(firstLine(rep.Raw), "\r\n")}
	}
	return nil
}

// POP3Capa sends CAPA (RFC 2449) and remembers the capabilities. A server
// without CAPA (-ERR) yields no capabilities and no error.
func (s *Session) POP3Capa() ([]string, error) {
	rep, err := s.POP3Command("CAPA", true)
	if err != nil {
		return nil, fmt.Errorf("CAPA: %w", err)
	}
	if !rep.OK {
		s.setCaps(nil)
		return nil, nil
	}
	if len(rep.Violations) > 0 {
		return nil, &ViolationError{Op: "CAPA", Violations: rep.Violations}
	}
	caps := make([]string, 0, len(rep.Lines))
	for _, l := range rep.Lines {
		caps = append(caps, string(l))
	}
	s.setCaps(caps)
	return caps, nil
}

// ---- IMAP (RFC 9051) ----

// ReadIMAP reads one IMAP response.
func (s *Session) ReadIMAP() (wire.IMAPResponse, error) {
	var rep wire.IMAPResponse
	err := s.read("IMAP response", func() ([]byte, error) {
		var err error
		rep, err = s.imap.ReadResponse()
		return rep.Raw, err
	})
	return rep, err
}

// NextTag returns a fresh command tag.
func (s *Session) NextTag() string {
	s.tagN++
	return "a" + itoa(s.tagN)
}

// IMAPCommand sends "tag command" and reads responses up to the tagged
// completion with that tag. A continuation request ends the read too (it
// is returned as the tagged response with Kind IMAPContinuation).
func (s *Session) IMAPCommand(cmd string) (untagged []wire.IMAPResponse, tagged wire.IMAPResponse, err error) {
	tag := s.NextTag()
	if err := s.Send(tag + " " + cmd); err != nil {
		return nil, tagged, err
	}
	return s.IMAPReadUntil(tag)
}

// maxUntagged bounds the untagged responses one command may collect.
const maxUntagged = 10000

// IMAPReadUntil reads responses until the tagged response with tag (or a
// continuation request).
func (s *Session) IMAPReadUntil(tag string) (untagged []wire.IMAPResponse, tagged wire.IMAPResponse, err error) {
	for {
		rep, err := s.ReadIMAP()
		if err != nil {
			return untagged, rep, err
		}
		switch rep.Kind {
		case wire.IMAPTagged:
			if rep.Tag == tag {
				return untagged, rep, nil
			}
			return untagged, rep, fmt.Errorf("IMAP: tagged response for %q while waiting for %q", rep.Tag, tag)
		case wire.IMAPContinuation:
			return untagged, rep, nil
		default:
			if len(untagged) >= maxUntagged {
				return untagged, rep, fmt.Errorf("IMAP: more than %d untagged responses before the tagged completion of %s: %w", maxUntagged, tag, wire.ErrLimit)
			}
			untagged = append(untagged, rep)
			if rep.Keyword == "CAPABILITY" {
				s.setCaps(fieldAtoms(rep.Fields))
			}
			if rep.Code == "CAPABILITY" {
				s.setCaps(strings.Fields(rep.CodeArgs))
			}
		}
	}
}

func fieldAtoms(vs []wire.Value) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Str)
	}
	return out
}

func imapExpectOK(op string, rep wire.IMAPResponse) error {
	if len(rep.Violations) > 0 {
		return &ViolationError{Op: op, Violations: rep.Violations}
	}
	if rep.Kind != wire.IMAPTagged || rep.Status != "OK" {
		return &ReplyError{Op: op, Reply: strings.TrimRight(firstLine(rep.Raw), "\r\n")}
	}
	return nil
}

// IMAPGreeting reads the greeting (OK or PREAUTH; BYE is an error) and
// remembers capabilities sent in it.
func (s *Session) IMAPGreeting() (wire.IMAPResponse, error) {
	rep, err := s.ReadIMAP()
	if err != nil {
		return rep, fmt.Errorf("greeting: %w", err)
	}
	if len(rep.Violations) > 0 {
		return rep, &ViolationError{Op: "greeting", Violations: rep.Violations}
	}
	if rep.Kind != wire.IMAPUntagged || (rep.Status != "OK" && rep.Status != "PREAUTH") {
		return rep, &ReplyError{Op: "greeting", Reply: strings.TrimRight(firstLine(rep.Raw), "\r\n")}
	}
	if rep.Code == "CAPABILITY" {
		s.setCaps(strings.Fields(rep.CodeArgs))
	}
	return rep, nil
}

// IMAPCapability sends CAPABILITY and remembers the list.
func (s *Session) IMAPCapability() ([]string, error) {
	_, tagged, err := s.IMAPCommand("CAPABILITY")
	if err != nil {
		return nil, fmt.Errorf("CAPABILITY: %w", err)
	}
	if err := imapExpectOK("CAPABILITY", tagged); err != nil {
		return nil, err
	}
	return s.Caps(), nil
}

// quoteIMAP renders s as an IMAP quoted string (RFC 9051 section 4.3).
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

// ---- Login, for all three ----

// LoginCredentials are one account's credentials and its number in the
// profile (1 for the first account), which names its replay variables.
type LoginCredentials struct {
	N        int
	User     string
	Password string
}

// Greet reads the greeting and learns the capabilities (EHLO, CAPABILITY
// or CAPA).
func (s *Session) Greet() error {
	switch s.Endpoint.Protocol {
	case SMTP:
		_, err := s.SMTPHello(true)
		return err
	case POP3:
		rep, err := s.ReadPOP3(false)
		if err != nil {
			return fmt.Errorf("greeting: %w", err)
		}
		if err := pop3Expect("greeting", rep); err != nil {
			return err
		}
		_, err = s.POP3Capa()
		return err
	case IMAP:
		if _, err := s.IMAPGreeting(); err != nil {
			return err
		}
		_, err := s.IMAPCapability()
		return err
	}
	return fmt.Errorf("unknown protocol %q", s.Endpoint.Protocol)
}

// UpgradeIfOffered starts TLS on a plain endpoint when the server offers it
// (STARTTLS / STLS), then re-learns the capabilities.
func (s *Session) UpgradeIfOffered(ctx context.Context) error {
	if s.IsTLS() {
		return nil
	}
	offered := s.HasCap("STARTTLS") || s.HasCap("STLS")
	if !offered {
		if s.Endpoint.TLSRequiredForAuth {
			return fmt.Errorf("%s claims TLS is required for authentication but does not offer STARTTLS", s.Endpoint.URL)
		}
		return nil
	}
	if err := s.StartTLSCommand(ctx); err != nil {
		return err
	}
	switch s.Endpoint.Protocol {
	case SMTP:
		_, err := s.SMTPHello(false)
		return err
	case POP3:
		_, err := s.POP3Capa()
		return err
	case IMAP:
		_, err := s.IMAPCapability()
		return err
	}
	return nil
}

// Login authenticates: IMAP LOGIN (or AUTHENTICATE PLAIN when LOGIN is
// disabled), POP3 USER/PASS (or AUTH PLAIN), SMTP AUTH PLAIN (or LOGIN).
// Credentials are recorded as ${user}/${password}-style references.
func (s *Session) Login(ctx context.Context, c LoginCredentials) error {
	suffix := ""
	if c.N > 1 {
		suffix = itoa(c.N)
	}
	if s.rec != nil {
		s.rec.Credentials(max(c.N, 1), c.User, c.Password)
	}
	switch s.Endpoint.Protocol {
	case IMAP:
		if s.HasCap("LOGINDISABLED") {
			return s.Authenticate(ctx, "PLAIN", c)
		}
		line := s.NextTag()
		tag := line
		actual := tag + " LOGIN " + quoteIMAP(c.User) + " " + quoteIMAP(c.Password) + "\r\n"
		recorded := tag + " LOGIN ${quser" + suffix + "} ${qpassword" + suffix + "}\r\n"
		if err := s.SendRecorded([]byte(actual), []byte(recorded)); err != nil {
			return err
		}
		_, tagged, err := s.IMAPReadUntil(tag)
		if err != nil {
			return fmt.Errorf("LOGIN: %w", err)
		}
		if err := imapExpectOK("LOGIN", tagged); err != nil {
			return err
		}
		if tagged.Code == "CAPABILITY" {
			s.setCaps(strings.Fields(tagged.CodeArgs))
		}
		return nil
	case POP3:
		if !s.HasCap("USER") && hasMech(capArgs(s.Caps(), "SASL"), "PLAIN") {
			return s.Authenticate(ctx, "PLAIN", c)
		}
		if err := s.SendRecorded([]byte("USER "+c.User+"\r\n"), []byte("USER ${user"+suffix+"}\r\n")); err != nil {
			return err
		}
		rep, err := s.ReadPOP3(false)
		if err != nil {
			return fmt.Errorf("USER: %w", err)
		}
		if err := pop3Expect("USER", rep); err != nil {
			return err
		}
		if err := s.SendRecorded([]byte("PASS "+c.Password+"\r\n"), []byte("PASS ${password"+suffix+"}\r\n")); err != nil {
			return err
		}
		rep, err = s.ReadPOP3(false)
		if err != nil {
			return fmt.Errorf("PASS: %w", err)
		}
		return pop3Expect("PASS", rep)
	case SMTP:
		mechs := capArgs(s.Caps(), "AUTH")
		switch {
		case hasMech(mechs, "PLAIN"):
			return s.Authenticate(ctx, "PLAIN", c)
		case hasMech(mechs, "LOGIN"):
			return s.Authenticate(ctx, "LOGIN", c)
		case len(mechs) == 0:
			return fmt.Errorf("%s offers no AUTH (EHLO keywords: %s)", s.Endpoint.URL, strings.Join(s.Caps(), ", "))
		}
		return fmt.Errorf("%s offers neither AUTH PLAIN nor LOGIN (AUTH %s)", s.Endpoint.URL, strings.Join(mechs, " "))
	}
	return fmt.Errorf("unknown protocol %q", s.Endpoint.Protocol)
}

// Mechanisms lists the SASL mechanisms the server advertises now: SMTP's
// AUTH keyword (RFC 4954), IMAP's AUTH= capabilities (RFC 9051 section
// 6.2.2), POP3's SASL capability (RFC 5034).
func (s *Session) Mechanisms() []string {
	switch s.Endpoint.Protocol {
	case SMTP:
		return capArgs(s.Caps(), "AUTH")
	case POP3:
		return capArgs(s.Caps(), "SASL")
	}
	var out []string
	for _, c := range s.Caps() {
		if k, v, ok := strings.Cut(c, "="); ok && strings.EqualFold(k, "AUTH") {
			out = append(out, v)
		}
	}
	return out
}

func hasMech(mechs []string, m string) bool {
	for _, x := range mechs {
		if strings.EqualFold(x, m) {
			return true
		}
	}
	return false
}

// replayableMech: mechanisms whose client messages are fixed functions of
// the credentials, recorded as variable references; the others (challenge
// dependent) are recorded as ${redacted}.
func replayableMech(m string) bool { return m == "PLAIN" || m == "LOGIN" }

// Authenticate runs a SASL exchange: SMTP AUTH (RFC 4954), IMAP
// AUTHENTICATE (RFC 9051 section 6.2.2, with SASL-IR per RFC 4959 when
// advertised) or POP3 AUTH (RFC 5034).
func (s *Session) Authenticate(ctx context.Context, mech string, c LoginCredentials) error {
	mech = strings.ToUpper(mech)
	if s.rec != nil {
		s.rec.Credentials(max(c.N, 1), c.User, c.Password)
		s.rec.Secret(base64.StdEncoding.EncodeToString([]byte(c.User)), "b64user"+suffixOf(c.N))
	}
	cl, err := sasl.New(mech, sasl.Credentials{User: c.User, Password: c.Password, Host: s.Endpoint.Host, Port: s.Endpoint.Port})
	if err != nil {
		return err
	}
	_, ir, err := cl.Start()
	if err != nil {
		return fmt.Errorf("AUTH %s: %w", mech, err)
	}
	enc := func(b []byte) string {
		if len(b) == 0 {
			return "="
		}
		return base64.StdEncoding.EncodeToString(b)
	}
	recordAs := func(actual string) string {
		if replayableMech(mech) {
			return actual // the recorder replaces the credential encodings
		}
		return "${redacted}"
	}
	tag := ""
	cmd := "AUTH " + mech
	useIR := ir != nil
	switch s.Endpoint.Protocol {
	case IMAP:
		tag = s.NextTag()
		cmd = tag + " AUTHENTICATE " + mech
		useIR = useIR && s.HasCap("SASL-IR")
	case SMTP, POP3:
	}
	if useIR {
		e := enc(ir)
		err = s.SendRecorded([]byte(cmd+" "+e+"\r\n"), []byte(cmd+" "+recordAs(e)+"\r\n"))
		ir = nil
	} else {
		err = s.Send(cmd)
	}
	if err != nil {
		return err
	}
	op := "AUTH " + mech
	for step := 0; step < 16; step++ {
		var challenge string
		var done bool
		switch s.Endpoint.Protocol {
		case SMTP:
			rep, err := s.ReadSMTP()
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			if rep.Code == 235 {
				return smtpExpect(op, rep, 235)
			}
			if rep.Code != 334 {
				return smtpExpect(op, rep, 235)
			}
			challenge = strings.TrimSpace(rep.Text())
		case POP3:
			rep, err := s.ReadPOP3(false)
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			if rep.Status != "+" {
				return pop3Expect(op, rep)
			}
			challenge = strings.TrimSpace(rep.Text)
		case IMAP:
			_, rep, err := s.IMAPReadUntil(tag)
			if err != nil {
				return fmt.Errorf("%s: %w", op, err)
			}
			if rep.Kind != wire.IMAPContinuation {
				if err := imapExpectOK(op, rep); err != nil {
					return err
				}
				if rep.Code == "CAPABILITY" {
					s.setCaps(strings.Fields(rep.CodeArgs))
				}
				done = true
			}
			challenge = strings.TrimSpace(rep.Text)
		}
		if done {
			return nil
		}
		var resp []byte
		if ir != nil {
			// The server asked for the initial response we did not send.
			resp, ir = ir, nil
		} else {
			ch, err := base64.StdEncoding.DecodeString(challenge)
			if err != nil {
				s.Send("*")
				return fmt.Errorf("%s: challenge is not base64 (%q): %w", op, challenge, err)
			}
			resp, err = cl.Next(ch)
			if err != nil {
				s.Send("*")
				return fmt.Errorf("%s: %w", op, err)
			}
		}
		e := base64.StdEncoding.EncodeToString(resp)
		if err := s.SendRecorded([]byte(e+"\r\n"), []byte(recordAs(e)+"\r\n")); err != nil {
			return err
		}
	}
	return errors.New(op + ": more than 16 challenges")
}

func suffixOf(n int) string {
	if n > 1 {
		return itoa(n)
	}
	return ""
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return s
}
