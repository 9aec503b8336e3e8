@smtp @rfc5321
Feature: SMTP mail data: 354, the end of data, transparency and line length (RFC 5321)

  @id:smtp/5321/4.5.2/dot-stuffed-lines @rfc5321-4.5.2 @rfc5321-4.1.1.4 @must @fault:smtp-dot-line-ends-data
  Scenario: Dot-stuffed lines are message text, not the end of the data
    # 4.5.2: "When a line of mail text is received by the SMTP server, it
    # checks the line. If the line is composed of a single period, it is
    # treated as the end of mail indicator. If the first character is a
    # period and there are other characters on the line, the first
    # character is deleted." 4.1.1.4: "If the processing is successful, the
    # receiver MUST send an OK reply." The stuffed lines "..stuffed", ".."
    # and "..." must not end the data: the one reply comes after the final
    # ".", and the session goes on. (Checking the stored text needs a
    # read-back over IMAP or POP3: the end-to-end suite does that.)
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} transparency

      ..stuffed: a line that began with a period
      ..
      ...
      ..x
      .
      """
    Then the server replies 250
    And the session is still usable

  @id:smtp/5321/4.5.3.1.6/text-line-1000 @rfc5321-4.5.3.1.6 @rfc5321-4.5.3.1 @must @fault:smtp-long-text-line-refused
  Scenario: A message text line of 1000 octets (CRLF included) is accepted
    # 4.5.3.1.6: "The maximum total length of a text line including the
    # <CRLF> is 1000 octets (not counting the leading dot duplicated for
    # transparency)." 4.5.3.1: "Every implementation MUST be able to
    # receive objects of at least these sizes." (Longer lines may be
    # refused: not checked.)
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} a line of 1000 octets

      The next line has 1000 octets, its CRLF included.
      """
    And the client sends a line of 1000 octets starting with "1000 octets with CRLF: "
    And the client sends the lines:
      """
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.1.4/two-transactions @rfc5321-4.1.4 @rfc5321-4.1.1.4 @must @fault:smtp-second-transaction-503
  Scenario: A second mail transaction follows the first in the same session
    # 4.1.4: "There may be zero or more transactions in a session." and
    # MAIL "should be sent only if no mail transaction had been started in
    # the session, or if the previous one successfully concluded with a
    # successful DATA command". 4.1.1.4: "This processing consumes the
    # information in the reverse-path buffer, the forward-path buffer, and
    # the mail data buffer, and on the completion of this command these
    # buffers are cleared."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} first of two

      First message.
      .
      """
    Then the server replies 250
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies one of 250, 251
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} second of two

      Second message.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.1.1/data-argument-501 @rfc5321-4.1.1 @rfc5321-4.3.2 @should
  Scenario: DATA with an argument is rejected with 501
    # 4.1.1: "servers SHOULD reject commands containing them as having
    # invalid syntax." 4.3.2: "commands that are specified in this document
    # as not accepting arguments (DATA, RSET, QUIT) SHOULD return a 501
    # message if arguments are supplied in the absence of EHLO-advertised
    # extensions."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA now"
    Then the server replies 501
