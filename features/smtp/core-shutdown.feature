@smtp @rfc5321
Feature: How an SMTP server may end a session (RFC 5321 section 3.8)

  @id:smtp/5321/3.8/close-only-after-421 @rfc5321-3.8 @must-not
  Scenario: A server that ends the session after repeated errors sends 421 first
    # RFC 5321 3.8: "An SMTP server MUST NOT intentionally close the
    # connection under normal operational circumstances (see Section 7.8)
    # except: After receiving a QUIT command and responding with a 221
    # reply. After detecting the need to shut down the SMTP service and
    # returning a 421 response code. [...] After a timeout". A server may
    # limit errors (Postfix's smtpd_hard_error_limit), but a session it
    # ends must end with a 421; one that never ends it passes too.
    # go-smtp fails this (after five errors: "500 5.5.1 Too many errors.
    # Quiting now", then it closes): a real finding, in the embedded
    # baseline; it is the proof that the scenario catches the violation.
    Given an SMTP session
    When the client sends "XYZZY" 25 times, each answered 5xx unless the server ends the session with 421
