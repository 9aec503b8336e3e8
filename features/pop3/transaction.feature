@pop3 @rfc1939
Feature: POP3 TRANSACTION state: STAT, LIST, DELE, RSET, NOOP and the UPDATE state (RFC 1939 sections 5, 6 and 11)

  # The scenarios that delete deliver their own test messages first (over
  # IMAP, to a disposable account) and delete only those.

  @id:pop3/1939/5/stat-drop-listing @rfc1939-5 @must @fault:pop3-stat-two-spaces
  Scenario: STAT answers with a drop listing: "+OK", the message count and the octets, single spaces
    # "The positive response consists of "+OK" followed by a single space,
    # the number of messages in the maildrop, a single space, and the size
    # of the maildrop in octets."
    Given an authenticated POP3 session
    When the client sends "STAT"
    Then the server replies +OK
    And the reply is a drop listing

  @id:pop3/1939/5/stat-totals-match-list @rfc1939-5 @must @fault:pop3-stat-off-by-one
  Scenario: STAT counts the messages LIST lists and the sum of their sizes
    # STAT: "the number of messages in the maildrop, a single space, and
    # the size of the maildrop in octets". LIST: "A scan listing consists
    # of the message-number of the message, followed by a single space and
    # the exact size of the message in octets."
    Given a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session
    Then STAT agrees with LIST

  @id:pop3/1939/5/list-scan-listings @rfc1939-5 @must @fault:pop3-list-two-spaces
  Scenario: LIST without an argument answers with one scan listing a message and the terminating "."
    # "If no argument was given and the POP3 server issues a positive
    # response, then the response given is multi-line. After the initial
    # +OK, for each message in the maildrop, the POP3 server responds with
    # a line containing information for that message." "A scan listing
    # consists of the message-number of the message, followed by a single
    # space and the exact size of the message in octets."
    Given a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session
    When the client sends "LIST"
    Then the server replies +OK
    And every line of the listing is a scan listing

  @id:pop3/1939/5/list-exact-size @rfc1939-5 @rfc1939-11 @must @fault:pop3-list-lf-octets
  Scenario: LIST msg gives the exact size of the message as RETR sends it, CRLF line ends counted
    # Section 5: "A scan listing consists of the message-number of the
    # message, followed by a single space and the exact size of the message
    # in octets." Section 11: "if the POP3 server host internally
    # represents end-of-line as a single character, then the POP3 server
    # simply counts each occurrence of this character in a message as two
    # octets."
    Given a disposable account
    And the maildrop holds the test message "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1
    When the client sends "LIST ${msg1}"
    Then the server replies +OK
    And the reply is a scan listing for message "${msg1}"
    And the scan listing gave the exact size of the retrieved message

  @id:pop3/1939/11/size-counts-crlf-for-lf-message @rfc1939-11 @rfc1939-5 @must @fault:pop3-list-lf-octets
  Scenario: A message stored with bare LF line ends is listed with the size of its CRLF form
    # Section 11: "It is important to note that the octet count for a
    # message on the server host may differ from the octet count assigned
    # to that message due to local conventions for designating
    # end-of-line." "if the POP3 server host internally represents
    # end-of-line as a single character, then the POP3 server simply counts
    # each occurrence of this character in a message as two octets."
    Given a disposable account
    And the maildrop holds the test message "pop3-lines" with bare LF line ends
    And an authenticated POP3 session with the test messages located
    When the client sends "RETR ${msg1}"
    Then the server replies +OK
    And the reply is test message 1
    When the client sends "LIST ${msg1}"
    Then the server replies +OK
    And the reply is a scan listing for message "${msg1}"
    And the scan listing gave the exact size of the retrieved message

  @id:pop3/1939/5/no-such-message @rfc1939-5 @rfc1939-4 @must @fault:pop3-bad-argument-ok
  Scenario: LIST of a message number that does not exist, or of 0, is answered -ERR
    # Section 5, LIST: "Possible Responses: +OK scan listing follows -ERR
    # no such message". Section 4: "the nth message in a maildrop is
    # assigned a message-number of "n"". (DELE of such a number is not
    # tried: a scenario never risks marking a message it did not deliver.)
    Given an authenticated POP3 session
    When the client sends "LIST ${nomsg}"
    Then the server replies -ERR
    When the client sends "LIST 0"
    Then the server replies -ERR

  @id:pop3/1939/5/dele-marks-message @rfc1939-5 @must @fault:pop3-dele-noop
  Scenario: After DELE, LIST, RETR and DELE of that message are answered -ERR
    # DELE: "The POP3 server marks the message as deleted. Any future
    # reference to the message-number associated with the message in a
    # POP3 command generates an error."
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client sends "LIST ${msg1}"
    Then the server replies -ERR
    When the client sends "RETR ${msg1}"
    Then the server replies -ERR
    When the client sends "DELE ${msg1}"
    Then the server replies -ERR

  @id:pop3/1939/5/deleted-not-counted @rfc1939-5 @must @fault:pop3-dele-noop
  Scenario: STAT and LIST leave out a message marked as deleted
    # STAT: "Note that messages marked as deleted are not counted in either
    # total." LIST: "Note that messages marked as deleted are not listed."
    Given a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session with the test messages located
    And the drop listing is noted
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    And STAT gives the noted drop listing less test message 1
    When the client sends "LIST"
    Then the server replies +OK
    And no line of the reply matches "${msg1} *"

  @id:pop3/1939/5/rset-unmarks @rfc1939-5 @must @fault:pop3-rset-noop
  Scenario: RSET unmarks the messages marked as deleted, and QUIT then keeps them
    # RSET: "If any messages have been marked as deleted by the POP3
    # server, they are unmarked. The POP3 server then replies with a
    # positive response."
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    And the drop listing is noted
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client sends "RSET"
    Then the server replies +OK
    And STAT gives the noted drop listing
    When the client sends "LIST ${msg1}"
    Then the server replies +OK
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection
    Given an authenticated POP3 session
    Then test message 1 is still in the maildrop

  @id:pop3/1939/5/noop-positive @rfc1939-5 @must @fault:pop3-noop-err
  Scenario: NOOP in the TRANSACTION state is answered +OK
    # NOOP: "The POP3 server does nothing, it merely replies with a
    # positive response."
    Given an authenticated POP3 session
    When the client sends "NOOP"
    Then the server replies +OK

  @id:pop3/1939/6/no-update-without-quit @rfc1939-6 @must-not @fault:pop3-dele-immediate
  Scenario: A session that ends without QUIT deletes nothing, not even the messages it marked
    # "If a session terminates for some reason other than a client-issued
    # QUIT command, the POP3 session does NOT enter the UPDATE state and
    # MUST not remove any messages from the maildrop."
    Given a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client closes the connection
    Given an authenticated POP3 session
    Then test message 1 is still in the maildrop

  @id:pop3/1939/6/quit-removes-marked-only @rfc1939-6 @must @fault:pop3-quit-no-update
  Scenario: QUIT in the TRANSACTION state removes the messages marked as deleted and only those
    # QUIT: "The POP3 server removes all messages marked as deleted from
    # the maildrop and replies as to the status of this operation." "In no
    # case may the server remove any messages not marked as deleted."
    Given a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection
    Given an authenticated POP3 session
    Then test message 1 is no longer in the maildrop
    And test message 2 is still in the maildrop
