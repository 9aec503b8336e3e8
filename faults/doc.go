// Package faults is the fault injector: a protocol-aware TCP proxy that
// sits in front of a known-correct mail server and makes it violate
// exactly one requirement. A conformance scenario's self-test runs the
// scenario twice, against the correct server (it must pass) and through
// the proxy configured with the one [Fault] that breaks the requirement
// the scenario checks (it must fail, naming that RFC section).
//
// The proxy speaks enough of each protocol to know where one server reply
// ends and which client command it answers:
//
//   - SMTP (RFC 5321): a reply is the lines up to the first one whose
//     fourth octet is not "-" (section 4.2.1); the DATA payload runs to
//     <CRLF>.<CRLF> (section 4.1.1.4); BDAT chunks (RFC 3030) by length;
//     STARTTLS (RFC 3207); AUTH exchanges (RFC 4954) pass through.
//   - POP3 (RFC 1939): a status line, plus a body ended by "." when the
//     command has a multi-line answer (LIST and UIDL without argument,
//     RETR, TOP, CAPA of RFC 2449, AUTH without argument); STLS (RFC
//     2595); AUTH exchanges (RFC 5034) pass through.
//   - IMAP (RFC 9051, RFC 3501): a response is a line plus the literals it
//     announces ({n}, {n+}, ~{n}), framed by length; client literals are
//     passed through exactly, a synchronising one only after the server's
//     "+" continuation request (section 4.3), a non-synchronising one
//     (RFC 7888) at once; STARTTLS, AUTHENTICATE and IDLE (RFC 2177).
//
// Its framing is its own and deliberately lenient: the injector must not
// share the judge's parser (package transcripts/wire), or the two could
// not see each other's mistakes. With a zero [Fault] the proxy is
// transparent: the client sees exactly the bytes it would see on a direct
// connection, and the server sees exactly the client's bytes.
//
// A fault is a few lines: a [Fault] value with a name, the RFC section it
// breaks, and hooks that see each [Exchange] (the greeting, each reply with
// the command it answers, each command, each piece of DATA content) and
// change what is forwarded. Each fault lives in its own file and registers
// itself with [Register] from an init function; self-tests find it with
// [Lookup]. For example, smtp_rset_500.go:
//
//	func init() {
//		Register(Fault{
//			Name:        "smtp-rset-500",
//			Protocol:    SMTP,
//			Description: "RFC 5321 4.1.1.5: RSET is answered 500 instead of the required 250",
//			OnReply: func(e *Exchange) {
//				if e.Verb() == "RSET" && e.SMTPCode() == 250 {
//					e.Reply = []byte("500 5.5.1 Unknown command\r\n")
//				}
//			},
//		})
//	}
//
// and a case in faultCases (faults_test.go) proves that it changes that
// reply and nothing else in a short session.
//
// A self-test points the scenario at [Proxy.Addr] instead of the server,
// trusting [Proxy.CertPEM]; proxies for several endpoints of one system
// can share one certificate ([SelfSignedTLS]).
package faults
