@pop3 @rfc2449
Feature: POP3 CAPA and its capabilities, PIPELINING, maildrop locking (RFC 2449, RFC 1939 section 4)

  @id:pop3/2449/5/capa-listing @rfc2449-5 @rfc2449-9 @must @fault:pop3-capa-bad-line
  Scenario: CAPA lists one capability a line: a tag and its parameters, within 512 octets
    # Section 5: "An +OK response is followed by a list of capabilities,
    # one per line. Each capability name MAY be followed by a single space
    # and a space-separated list of parameters. Each capability line is
    # limited to 512 octets (including the CRLF)." Section 9: "capability
    # = capa-tag *(SP param) CRLF".
    Given the server advertises CAPA
    And a POP3 session
    When the client sends "CAPA"
    Then the server replies +OK
    And every line of the reply is a capability

  @id:pop3/2449/5/capa-in-transaction @rfc2449-5 @must @fault:pop3-capa-refused-after-login
  Scenario: CAPA is answered in the TRANSACTION state too
    # "The POP3 CAPA command returns a list of capabilities supported by
    # the POP3 server. It is available in both the AUTHORIZATION and
    # TRANSACTION states."
    Given the server advertises CAPA
    And an authenticated POP3 session
    When the client sends "CAPA"
    Then the server replies +OK
    And every line of the reply is a capability

  @id:pop3/2449/5/caps-announced-after-login @rfc2449-5 @rfc2449-6 @must @fault:pop3-capa-drops-top-after-login
  Scenario: The capabilities announced before login, TOP and UIDL among them, are announced after login too
    # Section 5: "Capabilities available in the AUTHORIZATION state MUST be
    # announced in both states." Section 6.1: "The TOP capability indicates
    # the optional TOP command is available."
    Given the server advertises CAPA
    And an authenticated POP3 session
    And the capabilities are noted
    Then CAPA announces the noted capabilities among TOP, UIDL, RESP-CODES, PIPELINING, EXPIRE, LOGIN-DELAY, IMPLEMENTATION, AUTH-RESP-CODE, UTF8, LANG

  @id:pop3/2449/5/login-caps-announced-after-login @rfc2449-5 @rfc2449-6.2 @rfc2449-6.3 @must @fault:pop3-capa-drops-user-after-login
  Scenario: USER and SASL, announced before login, are announced after login too
    # Section 5: "Capabilities available in the AUTHORIZATION state MUST be
    # announced in both states." Section 6.2: "The USER capability
    # indicates that the USER and PASS commands are supported, although
    # they may not be available to all users."
    Given the server advertises CAPA
    And an authenticated POP3 session
    And the capabilities are noted
    Then CAPA announces the noted capabilities among USER, SASL

  @id:pop3/2449/6/capability-arguments @rfc2449-6 @rfc2449 @must @fault:pop3-capa-bad-args
  Scenario: The capabilities RFC 2449 defines carry the arguments it gives them
    # Section 6 gives each capability its "Arguments:" (none for TOP, USER,
    # RESP-CODES, PIPELINING and UIDL; seconds for LOGIN-DELAY; days or
    # NEVER for EXPIRE; SASL mechanisms for SASL). Section 6.8: "The UIDL
    # capability indicates that the optional UIDL command is supported."
    Given the server advertises CAPA
    And a POP3 session
    When the client sends "CAPA"
    Then the server replies +OK
    And the known capabilities carry the arguments RFC 2449 gives them

  @id:pop3/2449/6.6/pipelining-in-order @rfc2449-6.6 @must @fault:pop3-responses-out-of-order
  Scenario: Where PIPELINING is announced, commands sent at once are answered in order
    # Section 6.6: "The PIPELINING capability indicates the server is
    # capable of accepting multiple commands at a time; the client does not
    # have to wait for the response to a command before issuing a
    # subsequent command. If a server supports PIPELINING, it MUST process
    # each command in turn."
    Given the server advertises PIPELINING
    And an authenticated POP3 session
    When the client pipelines "STAT", "XMAILSPEC", "NOOP", "LIST"
    Then the pipelined commands are answered +OK, -ERR, +OK, +OK in order

  @id:pop3/1939/4/second-session-locked-or-consistent @rfc1939-4 @rfc1939 @must @fault:pop3-in-use-ok
  Scenario: A second login to a maildrop in use is refused, or sees the same messages
    # RFC 1939 4: "the POP3 server then acquires an exclusive-access lock
    # on the maildrop, as necessary to prevent messages from being modified
    # or removed before the session enters the UPDATE state." "If the
    # maildrop cannot be opened for some reason (for example, a lock can
    # not be acquired ...), the POP3 server responds with a negative status
    # indicator." RFC 2449 8.1.2 names the refusal [IN-USE].
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    And a second connection "other"
    Then a login on it is refused or its maildrop holds test message 1
