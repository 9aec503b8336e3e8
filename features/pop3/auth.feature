@pop3 @rfc1939
Feature: POP3 logins: USER and PASS, APOP, SASL AUTH and the AUTH response code (RFC 1939, RFC 5034, RFC 3206)

  @id:pop3/1939/7/user-pass-login @rfc1939-7 @rfc1939-4 @must @fault:pop3-login-refused
  Scenario: USER and PASS with the account's credentials enter the TRANSACTION state
    # Section 7, PASS: "Possible Responses: +OK maildrop locked and ready".
    # Section 4: "If the lock is successfully acquired, the POP3 server
    # responds with a positive status indicator. The POP3 session now
    # enters the TRANSACTION state".
    Given a POP3 session
    And TLS is started
    And the server advertises USER
    When the client sends "USER ${user}"
    Then the server replies +OK
    When the client sends "PASS ${password}"
    Then the server replies +OK
    When the client sends "STAT"
    Then the server replies +OK
    And the reply is a drop listing

  @id:pop3/1939/4/failed-login-stays-in-authorization @rfc1939-4 @rfc1939-7 @rfc1939-3 @must @fault:pop3-bad-pass-ok
  Scenario: PASS with a wrong password is answered -ERR and the session stays in the AUTHORIZATION state
    # Section 7, PASS: "-ERR invalid password". Section 4: "If the server
    # does not close the connection, the client may either issue a new
    # authentication command and start again, or the client may issue the
    # QUIT command." Section 3: "The server MUST respond to a command
    # issued when the session is in an incorrect state by responding with
    # a negative status indicator."
    Given a POP3 session
    And TLS is started
    And the server advertises USER
    When the client sends "USER ${user}"
    Then the server replies +OK
    When the client sends "PASS ${badpassword}"
    Then the server replies -ERR
    When the client sends "STAT"
    Then the server replies -ERR

  @id:pop3/3206/6/auth-code-for-bad-password @rfc3206-6 @rfc3206-5 @rfc3206 @must @fault:pop3-auth-code-missing
  Scenario: Where AUTH-RESP-CODE is announced, a wrong password is refused with [AUTH]
    # RFC 3206 6: "The AUTH-RESP-CODE capability indicates that the server
    # includes the AUTH response code with any authentication error caused
    # by a problem with the user's credentials."
    Given a POP3 session
    And TLS is started
    And the server advertises AUTH-RESP-CODE
    And the server advertises USER
    When the client sends "USER ${user}"
    Then the server replies +OK
    When the client sends "PASS ${badpassword}"
    Then the server replies -ERR
    And the reply matches "-ERR [AUTH]*"

  @id:pop3/2449/6.4/resp-codes-bracket-is-code @rfc2449-6.4 @rfc2449-8 @rfc2449 @must @fault:pop3-resp-code-malformed
  Scenario: Where RESP-CODES is announced, response text beginning with "[" is a response code
    # RFC 2449 6.4: "The RESP-CODES capability indicates that any response
    # text issued by this server which begins with an open square bracket
    # ("[") is an extended response code (see section 8)." Section 8:
    # resp-code = "[" resp-level *("/" resp-level) "]".
    Given a POP3 session
    And TLS is started
    And the server advertises RESP-CODES
    And the server advertises USER
    When the client sends "USER ${user}"
    Then the server replies +OK
    When the client sends "PASS ${badpassword}"
    Then the server replies -ERR
    And any bracketed text at the start of the reply is a response code

  @id:pop3/5034/4/auth-plain-initial-response @rfc5034-4 @rfc5034 @must @fault:pop3-login-refused
  Scenario: AUTH PLAIN with an initial response logs in
    # RFC 5034 4: "The optional initial-response argument to the AUTH
    # command is used to save a round trip when using authentication
    # mechanisms that support an initial client response." The exchange
    # ends in +OK for the account's own credentials.
    Given a POP3 session
    When the client authenticates to POP3 with SASL "PLAIN"
    And the client sends "STAT"
    Then the server replies +OK
    And the reply is a drop listing

  @id:pop3/5034/4/auth-empty-challenge @rfc5034-4 @rfc5034 @must @fault:pop3-auth-challenge-text
  Scenario: AUTH PLAIN without an initial response gets the empty challenge "+ " and then logs in
    # RFC 5034 4: "If the initial response argument is omitted and the
    # chosen mechanism requires an initial client response, the server
    # MUST proceed by issuing an empty challenge, as defined in Section 3
    # of [RFC4422]. In POP3, an empty server challenge is defined as a
    # line with only a "+", followed by a single space. It MUST NOT
    # contain any other data."
    Given a POP3 session
    And TLS is started
    And the server advertises SASL
    When the client sends "AUTH PLAIN"
    Then the server replies +
    And every line of the reply matches "+ "
    When the client sends "${plain}"
    Then the server replies +OK

  @id:pop3/5034/4/auth-cancelled @rfc5034-4 @rfc5034 @must @fault:pop3-auth-cancel-accepted
  Scenario: An AUTH exchange cancelled with "*" is answered -ERR
    # RFC 5034 4: "If the client wishes to cancel the authentication
    # exchange, it issues a line with a single "*". If the server receives
    # such a response, it MUST reject the AUTH command by sending an -ERR
    # reply."
    Given a POP3 session
    And TLS is started
    And the server advertises SASL
    When the client sends "AUTH PLAIN"
    Then the server replies +
    When the client sends "*"
    Then the server replies -ERR

  @id:pop3/5034/4/auth-login @rfc5034-4 @rfc5034 @rfc2449-6.3 @rfc2449 @must
  Scenario: Where LOGIN is offered, AUTH LOGIN logs in
    # RFC 2449 6.3: "The SASL capability indicates that the AUTH command is
    # available and that it supports an optional base64 encoded second
    # argument for an initial client response as described in the SASL
    # specification." A mechanism it lists authenticates the account with
    # its own credentials (RFC 5034 4).
    Given a POP3 session
    When the client authenticates to POP3 with SASL "LOGIN"
    And the client sends "STAT"
    Then the server replies +OK

  @id:pop3/5034/4/auth-cram-md5 @rfc5034-4 @rfc5034 @rfc2449-6.3 @rfc2449 @must
  Scenario: Where CRAM-MD5 is offered, AUTH CRAM-MD5 logs in
    # RFC 2449 6.3: "The SASL capability indicates that the AUTH command is
    # available and that it supports an optional base64 encoded second
    # argument for an initial client response as described in the SASL
    # specification." A mechanism it lists authenticates the account with
    # its own credentials (RFC 5034 4).
    Given a POP3 session
    When the client authenticates to POP3 with SASL "CRAM-MD5"
    And the client sends "STAT"
    Then the server replies +OK

  @id:pop3/1939/7/apop-timestamp-unique @rfc1939-7 @must
  Scenario: Where APOP is offered, each greeting carries a different timestamp
    # Section 7, APOP: "A POP3 server which implements the APOP command
    # will include a timestamp in its banner greeting. The syntax of the
    # timestamp corresponds to the `msg-id' in [RFC822], and MUST be
    # different each time the POP3 server issues a banner greeting."
    Given a POP3 session
    And the greeting carries an APOP timestamp
    Then a new connection's greeting carries a different APOP timestamp

  @id:pop3/1939/7/apop-login @rfc1939-7 @must
  Scenario: Where APOP is offered, APOP with the digest of timestamp and password logs in
    # Section 7, APOP: "A POP3 server which implements the APOP command
    # will include a timestamp in its banner greeting." The example: "S:
    # +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "C: APOP
    # mrose c4c9334bac560ecc979e58001b3e22fb", "S: +OK maildrop has 1
    # message (369 octets)": the MD5 digest of the timestamp and the
    # shared secret logs in.
    Given a POP3 session
    And the greeting carries an APOP timestamp
    When the client logs in with APOP
    Then the server replies +OK
