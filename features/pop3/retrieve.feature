@pop3 @rfc1939
Feature: POP3 RETR and TOP: whole messages, byte-stuffing, CRLF lines, the terminating "." (RFC 1939 sections 3, 5 and 7)

  # Each scenario delivers its own test message (over IMAP, to a disposable
  # account) and compares what RETR or TOP sends, un-stuffed, with it.

  @id:pop3/1939/5/retr-whole-message @rfc1939-5 @must @fault:pop3-message-last-line-dropped
  Scenario: RETR sends the whole message
    # RETR: "After the initial +OK, the POP3 server sends the message
    # corresponding to the given message-number, being careful to
    # byte-stuff the termination character (as with all multi-line
    # responses)."
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1

  @id:pop3/1939/3/retr-byte-stuffed @rfc1939-3 @rfc1939-5 @must @fault:pop3-dot-unstuffed
  Scenario: RETR byte-stuffs every line that begins with ".", a line holding only "." included
    # Section 3: "If any line of the multi-line response begins with the
    # termination octet, the line is "byte-stuffed" by pre-pending the
    # termination octet to that line of the response." The reader fails an
    # unstuffed line; a "." line unstuffed ends the response early.
    Given a disposable account
    And the maildrop holds the test message "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1

  @id:pop3/1939/3/retr-byte-stuffed-lf-message @rfc1939-3 @rfc1939-11 @must @fault:pop3-dot-unstuffed
  Scenario: A message stored with bare LF line ends is sent with CRLF lines, its "." lines byte-stuffed
    # Section 3: "any additional lines are sent, each terminated by a CRLF
    # pair", and "If any line of the multi-line response begins with the
    # termination octet, the line is "byte-stuffed" by pre-pending the
    # termination octet to that line of the response." A "." line that
    # ended in a bare LF in the store is the case servers most often miss.
    Given a disposable account
    And the maildrop holds the test message "pop3-dots" with bare LF line ends
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1

  @id:pop3/1939/3/multiline-terminated @rfc1939-3 @must @fault:pop3-multiline-no-terminator
  Scenario: The response to RETR ends with the line "."
    # "When all lines of the response have been sent, a final line is sent,
    # consisting of a termination octet (decimal code 046, ".") and a CRLF
    # pair." "Hence a multi-line response is terminated with the five
    # octets "CRLF.CRLF"."
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1

  @id:pop3/1939/3/multiline-crlf-lines @rfc1939-3 @must @fault:pop3-body-bare-lf
  Scenario: Every line of the response to RETR ends in CRLF
    # "after sending the first line of the response and a CRLF, any
    # additional lines are sent, each terminated by a CRLF pair." The
    # reader fails a line that ends in a bare LF.
    Given a disposable account
    And the maildrop holds the test message "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK

  @id:pop3/1939/7/top-header-and-lines @rfc1939-7 @must @fault:pop3-top-extra-line
  Scenario: TOP msg n sends the header, the blank line and n lines of the body
    # TOP: "the POP3 server sends the headers of the message, the blank
    # line separating the headers from the body, and then the number of
    # lines of the indicated message's body, being careful to byte-stuff
    # the termination character (as with all multi-line responses)."
    Given the server advertises TOP
    And a disposable account
    And the maildrop holds the test message "pop3-lines"
    And an authenticated POP3 session with the test messages located
    When the client sends "TOP ${msg1} 3"
    Then the server replies +OK
    And the reply is the header and the first 3 body lines of test message 1

  @id:pop3/1939/7/top-zero-lines @rfc1939-7 @must @fault:pop3-top-zero-refused
  Scenario: TOP msg 0 sends the header and the blank line only
    # TOP: "Arguments: a message-number (required) which may NOT refer to
    # to a message marked as deleted, and a non-negative number of lines
    # (required)". Zero is a non-negative number of lines.
    Given the server advertises TOP
    And a disposable account
    And the maildrop holds the test message "pop3-lines"
    And an authenticated POP3 session with the test messages located
    When the client sends "TOP ${msg1} 0"
    Then the server replies +OK
    And the reply is the header and the first 0 body lines of test message 1

  @id:pop3/1939/7/top-byte-stuffed @rfc1939-7 @rfc1939-3 @must @fault:pop3-dot-unstuffed
  Scenario: TOP byte-stuffs the body lines that begin with "."
    # TOP: "... and then the number of lines of the indicated message's
    # body, being careful to byte-stuff the termination character (as with
    # all multi-line responses)."
    Given the server advertises TOP
    And a disposable account
    And the maildrop holds the test message "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "TOP ${msg1} 4"
    Then the server replies +OK
    And the reply is the header and the first 4 body lines of test message 1

  @id:pop3/1939/7/top-more-lines-than-body @rfc1939-7 @must @fault:pop3-message-last-line-dropped
  Scenario: TOP with more lines than the body has sends the entire message
    # TOP: "Note that if the number of lines requested by the POP3 client
    # is greater than than the number of lines in the body, then the POP3
    # server sends the entire message."
    Given the server advertises TOP
    And a disposable account
    And the maildrop holds the test message "pop3-lines"
    And an authenticated POP3 session with the test messages located
    When the client sends "TOP ${msg1} 100"
    Then the server replies +OK
    And the reply is test message 1

  @id:pop3/1939/7/top-no-such-message @rfc1939-7 @must @fault:pop3-bad-argument-ok
  Scenario: TOP of a message number that does not exist is answered -ERR
    # TOP: "Possible Responses: +OK top of message follows -ERR no such
    # message".
    Given the server advertises TOP
    And an authenticated POP3 session
    When the client sends "TOP ${nomsg} 0"
    Then the server replies -ERR
