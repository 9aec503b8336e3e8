@smtp @rfc3030
Feature: SMTP CHUNKING, the BDAT command (RFC 3030)

  @id:smtp/3030/2/bdat-last-250 @rfc3030-2 @must @fault:smtp-bdat-not-250
  Scenario: A whole message in one BDAT LAST chunk is answered with 250
    # RFC 3030 2: "A 250 response MUST be sent to each successful BDAT data
    # block within a mail transaction."
    Given the server advertises CHUNKING
    And an SMTP session
    And a mail transaction is started
    When the client sends raw "BDAT 44 LAST\r\nSubject: mailspec BDAT probe\r\n\r\nOne chunk.\r\n"
    Then the server replies 250

  @id:smtp/3030/2/bdat-chunks-250-each @rfc3030-2 @must @fault:smtp-bdat-not-250
  Scenario: Each chunk of a message sent in two BDAT chunks is answered with 250
    # RFC 3030 2: "A 250 response MUST be sent to each successful BDAT data
    # block within a mail transaction."
    Given the server advertises CHUNKING
    And an SMTP session
    And a mail transaction is started
    When the client sends raw "BDAT 32\r\nSubject: mailspec BDAT probe\r\n\r\n"
    Then the server replies 250
    When the client sends raw "BDAT 13 LAST\r\nTwo chunks.\r\n"
    Then the server replies 250

  @id:smtp/3030/2/bdat-zero-last-250 @rfc3030-2 @must @fault:smtp-bdat-not-250
  Scenario: A final BDAT of zero octets ends the message and is answered with 250
    # RFC 3030 2: "The last BDAT command MAY have a byte-count of zero
    # indicating there is no additional data to be sent." and "A 250
    # response MUST be sent to each successful BDAT data block within a
    # mail transaction."
    Given the server advertises CHUNKING
    And an SMTP session
    And a mail transaction is started
    When the client sends raw "BDAT 46\r\nSubject: mailspec BDAT probe\r\n\r\nZero to end.\r\n"
    Then the server replies 250
    When the client sends "BDAT 0 LAST"
    Then the server replies 250

  @id:smtp/3030/2/data-after-bdat-503 @rfc3030-2 @must
  Scenario: DATA after BDAT in the same transaction is refused with 503
    # RFC 3030 2: "DATA and BDAT commands cannot be used in the same
    # transaction. If a DATA statement is issued after a BDAT for the
    # current transaction, a 503 "Bad sequence of commands" MUST be issued."
    Given the server advertises CHUNKING
    And an SMTP session
    And a mail transaction is started
    When the client sends raw "BDAT 32\r\nSubject: mailspec BDAT probe\r\n\r\n"
    Then the server replies 250
    When the client sends "DATA"
    Then the server replies 503

  @id:smtp/3030/2/bdat-after-last-503 @rfc3030-2 @must
  Scenario: BDAT after BDAT LAST is refused with 503
    # RFC 3030 2: "Any BDAT command sent after the BDAT LAST is illegal and
    # MUST be replied to with a 503 "Bad sequence of commands" reply code."
    Given the server advertises CHUNKING
    And an SMTP session
    And a mail transaction is started
    When the client sends raw "BDAT 44 LAST\r\nSubject: mailspec BDAT probe\r\n\r\nOne chunk.\r\n"
    Then the server replies 250
    When the client sends "BDAT 0 LAST"
    Then the server replies 503
