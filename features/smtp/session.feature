@smtp @rfc5321
Feature: SMTP session basics (RFC 5321)

  @id:smtp/5321/4.1.1.10/quit-221-then-close @rfc5321-4.1.1.10 @must @fault:smtp-quit-no-close
  Scenario: QUIT is answered with 221 and the server closes the connection
    # "This command specifies that the receiver MUST send a "221 OK" reply,
    # and then close the transmission channel."
    Given an SMTP session
    When the client sends "QUIT"
    Then the server replies 221
    And the server closes the connection

  @id:smtp/5321/4.1.1.5/rset-250-after-mail @rfc5321-4.1.1.5 @must @fault:smtp-rset-500
  Scenario: RSET in the middle of a transaction is answered with 250
    # "The receiver MUST send a "250 OK" reply to a RSET command with no
    # arguments."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "RSET"
    Then the server replies 250

  @id:smtp/5321/4.1.1.9/noop-with-parameter @rfc5321-4.1.1.9 @should @fault:smtp-noop-500
  Scenario: NOOP with a parameter is answered with 250
    # "If a parameter string is specified, servers SHOULD ignore it." A
    # server that refuses the parameter breaks that SHOULD.
    Given an SMTP session
    When the client sends "NOOP mailspec was here"
    Then the server replies 250

  @id:smtp/3207/4.2/starttls-not-offered-again @rfc3207 @rfc3207-4.2 @must-not
  Scenario: After TLS the server does not offer STARTTLS again
    # RFC 3207 4.2: "A server MUST NOT return the STARTTLS extension in
    # response to an EHLO command received after a TLS handshake has
    # completed."
    Given the server advertises STARTTLS
    And an SMTP session
    And TLS is started
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And no line of the reply matches "250-STARTTLS"
    And no line of the reply matches "250 STARTTLS"

  @id:smtp/2034/4/enhanced-codes @rfc2034 @rfc2034-4 @must
  Scenario: With ENHANCEDSTATUSCODES, replies carry enhanced status codes
    # RFC 2034 4: once the extension is advertised, "the server MUST
    # preface the text part of almost all response lines with a status
    # code" (the exceptions are the greeting and the EHLO reply).
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    When the client sends "NOOP"
    Then the server replies 250
    And the reply has an enhanced status code
