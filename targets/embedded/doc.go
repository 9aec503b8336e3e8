// Package embedded is the embedded reference mail system: an SMTP, IMAP and
// POP3 server over one in-memory store, started in-process on loopback
// ports chosen by the operating system.
//
// It is a server under test, not part of the judge, so it imports nothing
// of the harness (no transcripts, steps or reports): a judge that shares its
// parser with the judged cannot see their common mistakes. It is built from
// well-kept libraries instead:
//
//   - SMTP (RFC 5321) with github.com/emersion/go-smtp: ESMTP with
//     PIPELINING (RFC 2920), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
//     ENHANCEDSTATUSCODES (RFC 2034, RFC 3463), SIZE (RFC 1870), CHUNKING
//     (RFC 3030), DSN (RFC 3461, parameters accepted; no delivery status
//     notification is ever sent), STARTTLS (RFC 3207) and AUTH PLAIN and
//     LOGIN (RFC 4954, RFC 4616). The "smtp" endpoint is MX-style: it
//     accepts mail for the local accounts without authentication and
//     refuses relaying. The "submission" endpoint (RFC 6409) requires
//     AUTH, and "smtps" is submission over implicit TLS (RFC 8314).
//     Delivery prepends a Received: trace header (RFC 5321 section 4.4)
//     and appends the message to each local recipient's INBOX.
//   - IMAP (RFC 9051 and RFC 3501) with github.com/emersion/go-imap/v2
//     imapserver and imapmemserver, on "imap" (STARTTLS) and "imaps".
//   - POP3 (RFC 1939) with a small hand-written front-end: CAPA (RFC 2449),
//     STLS (RFC 2595), AUTH PLAIN (RFC 5034), the SYS and AUTH response
//     codes (RFC 3206), on "pop3" (STLS) and "pop3s". The front-end reads
//     the store as the user through go-imap's own client over an in-memory
//     pipe, so mail delivered by SMTP is readable by IMAP and POP3, and
//     POP3 deletions show in IMAP.
//
// This is a test system, and some of its choices are only right for one:
// every account is disposable, passwords are generated per Start, mail
// that an authenticated client submits for a remote domain is accepted
// and then dropped (nothing ever leaves the process), and the TLS
// certificate is self-signed and generated per Start (clients verify it
// against [System.CertPEM]).
//
// Passwords are secrets: the system never logs them, and the servers'
// wire-debugging outputs stay off.
package embedded
