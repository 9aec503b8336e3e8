// Package real holds the scripts that start Dovecot and Postfix for mailspec's tests.
//
// install.sh installs Debian's dovecot and postfix packages, start.sh DIR
// runs a private instance of each on 127.0.0.1 high ports and writes a
// target profile to DIR/profile.yaml, stop.sh DIR stops them by PID, and
// with-servers.sh CMD runs a command between start and stop with
// MAILSPEC_PROFILE set. The package's test checks that such a system really
// serves SMTP (RFC 5321), submission with STARTTLS (RFC 6409, RFC 3207),
// implicit TLS (RFC 8314), IMAP (RFC 3501) and POP3 (RFC 1939, STLS from
// RFC 2595), authenticates with SCRAM-SHA-256 (RFC 7677) and delivers mail
// from submission to POP3. See README.md in this directory.
package real
