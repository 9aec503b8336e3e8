@smtp @rfc3207
Feature: SMTP over TLS with STARTTLS (RFC 3207)

  @id:smtp/3207/4/starttls-220-then-handshake @rfc3207-4 @must
  Scenario: STARTTLS is answered with 220 and the TLS handshake follows
    # RFC 3207 4: "After the client gives the STARTTLS command, the server
    # responds with one of the following reply codes: 220 Ready to start
    # TLS, 501 Syntax error (no parameters allowed), 454 TLS not available
    # due to temporary reason". A 454 makes the rest not applicable.
    Given the server advertises STARTTLS
    And an SMTP session
    When the client sends "STARTTLS"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    When the client sends "EHLO ${client}"
    Then the server replies 250

  @id:smtp/3207/4.2/transaction-discarded-after-tls @rfc3207-4.2 @must @fault:smtp-rcpt-after-starttls-250
  Scenario: A mail transaction begun before STARTTLS is gone after the handshake
    # RFC 3207 4.2: "Upon completion of the TLS handshake, the SMTP protocol
    # is reset to the initial state (the state in SMTP after a server issues
    # a 220 service ready greeting). The server MUST discard any knowledge
    # obtained from the client, such as the argument to the EHLO command,
    # which was not obtained from the TLS negotiation itself." A RCPT after
    # the handshake has no MAIL left to belong to: it is refused (503 by
    # RFC 5321 3.3; any 5xx here, the code is the core suite's business).
    Given the server advertises STARTTLS
    And the account has a mail address
    And an SMTP session
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "STARTTLS"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    When the client sends "EHLO ${client}"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies 5xx

  @id:smtp/3207/4/mx-accepts-mail-without-tls @rfc3207-4 @must-not @fault:smtp-require-starttls
  Scenario: The MX endpoint does not require STARTTLS to take mail for its own users
    # RFC 3207 4: "A publicly-referenced SMTP server MUST NOT require use of
    # the STARTTLS extension in order to deliver mail locally." The
    # profile's smtp endpoint is the MX (port 25) one.
    Given the "smtp" endpoint
    And an SMTP session
    And a mail transaction is started
    When the client sends "RSET"
    Then the server replies 250

  @id:smtp/3207/4/submission-530-before-tls @rfc3207-4 @rfc4954 @rfc4954-6 @should
  Scenario: Where TLS is required, MAIL before STARTTLS is answered with 530
    # RFC 3207 4: a server that requires TLS "SHOULD return the reply code:
    # 530 Must issue a STARTTLS command first to every command other than
    # NOOP, EHLO, STARTTLS, or QUIT." RFC 4954 6: 530 "SHOULD be returned
    # by any command other than AUTH, EHLO, HELO, NOOP, RSET, or QUIT when
    # server policy requires authentication".
    Given the "submission" endpoint
    And the profile claims TLS is required for authentication
    And the account has a mail address
    And an SMTP session on the "submission" endpoint
    When the client sends "MAIL FROM:<${address}>"
    Then the server replies 530
