@smtp @rfc2920
Feature: SMTP command pipelining (RFC 2920)

  @id:smtp/2920/3.2/pipelined-replies-in-order @rfc2920-3.2 @rfc5321 @rfc5321-4.2 @must @fault:smtp-rcpt-reply-dropped
  Scenario: MAIL, RCPT and DATA sent in one write get one reply each, in order
    # RFC 2920 3.2: a server that offers pipelining "MUST NOT flush or
    # otherwise lose the contents of the TCP input buffer under any
    # circumstances whatsoever." RFC 5321 4.2: "Every command MUST generate
    # exactly one reply." The three replies differ (250, 250/251, 354), so
    # their order shows.
    Given the server advertises PIPELINING
    And the account has a mail address
    And an SMTP session
    When the client sends raw "MAIL FROM:<>\r\nRCPT TO:<${address}>\r\nDATA\r\n"
    Then the server replies 250
    And the server replies one of 250, 251
    And the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec pipelining probe ${runid}

      pipelined
      .
      """
    Then the server replies 250

  @id:smtp/2920/3.2/pipelined-group-survives-refusal @rfc2920-3.2 @rfc5321 @rfc5321-4.2 @must
  Scenario: Commands pipelined after a refused one are still answered, in order
    # RFC 2920 3.2: the server "MUST NOT flush or otherwise lose the contents of
    # the TCP input buffer under any circumstances whatsoever." The first
    # RCPT has no MAIL before it and is refused (any 5xx); the commands
    # behind it in the same write must still be read and answered.
    Given the server advertises PIPELINING
    And the account has a mail address
    And an SMTP session
    When the client sends raw "RCPT TO:<${address}>\r\nMAIL FROM:<>\r\nRCPT TO:<${address}>\r\nRSET\r\n"
    Then the server replies 5xx
    And the server replies 250
    And the server replies one of 250, 251
    And the server replies 250
