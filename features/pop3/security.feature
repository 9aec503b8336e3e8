@pop3 @security
Feature: POP3 attacks: STLS command injection, over-long command lines, cleartext passwords where TLS is required

  @id:pop3/2595/4/stls-plaintext-injection @rfc2595-4 @rfc2595 @must @security @fault:pop3-stls-injection
  Scenario: A command pipelined behind STLS in plaintext is not executed after the TLS negotiation
    # RFC 2595 4: "A TLS negotiation begins immediately after the CRLF at
    # the end of the +OK response from the server." What the client sent
    # before the negotiation is not part of the TLS session (the
    # CVE-2011-0411 class); a server that closes the connection instead is
    # safe.
    Given the server advertises STLS
    And a POP3 session
    When the client sends raw "STLS\r\nCAPA\r\n"
    Then the server replies +OK
    And the client starts TLS after the +OK to STLS
    And no reply to the commands pipelined with STLS arrives within 1000 ms

  @id:pop3/1939/3/overlong-command-line @rfc1939-3 @rfc1939 @rfc2449-4 @rfc2449 @must @security @fault:pop3-long-line-ok
  Scenario: A command line of 2000 octets is refused, or the connection closed, and the server lives on
    # RFC 1939 3: "The server MUST respond to an unrecognized,
    # unimplemented, or syntactically invalid command by responding with a
    # negative status indicator." RFC 2449 4: "The maximum length of a
    # command is increased from 47 characters (4 character command, single
    # space, 40 character argument, CRLF) to 255 octets, including the
    # terminating CRLF." Closing the connection is a safe answer too.
    Given a POP3 session
    When the client sends a line of 2000 octets starting with "USER "
    Then the server refuses the line or closes the connection
    And a new POP3 connection is greeted with +OK

  @id:pop3/2595/2.2/no-cleartext-login-where-tls-required @rfc2595-2.2 @rfc2595 @rfc1939-7 @rfc1939 @should-not @security
  Scenario: Where the profile says TLS is required, USER and PASS before STLS are refused
    # RFC 2595 1: "There is a strong desire in the IETF to eliminate the
    # transmission of clear-text passwords over unencrypted channels."
    # Section 2.2 asks that servers be configurable to refuse plaintext
    # passwords before TLS, and that sites so configure them; the profile
    # says this one is. The password is sent only if USER was accepted.
    Given the profile claims TLS is required for authentication
    And a POP3 session
    Then the server answers -ERR to "USER ${user}" or to the "PASS ${password}" that follows
