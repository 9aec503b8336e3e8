@pop3 @rfc1939
Feature: POP3 UIDL: unique-id listings, unique and stable across sessions (RFC 1939 section 7)

  @id:pop3/1939/7/uidl-listing @rfc1939-7 @must @fault:pop3-uidl-text-after-id
  Scenario: UIDL without an argument lists each message's unique-id: 1 to 70 characters of 0x21-0x7E, nothing after it, each once
    # "A unique-id listing consists of the message-number of the message,
    # followed by a single space and the unique-id of the message. No
    # information follows the unique-id in the unique-id listing." "The
    # unique-id of a message is an arbitrary server-determined string,
    # consisting of one to 70 characters in the range 0x21 to 0x7E, which
    # uniquely identifies a message within a maildrop".
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session
    When the client sends "UIDL"
    Then the server replies +OK
    And every line of the listing is a unique-id listing

  @id:pop3/1939/7/uidl-message @rfc1939-7 @must @fault:pop3-uidl-too-long
  Scenario: UIDL msg answers with the unique-id listing of that message
    # "If an argument was given and the POP3 server issues a positive
    # response with a line containing information for that message. This
    # line is called a "unique-id listing" for that message." "consisting
    # of one to 70 characters in the range 0x21 to 0x7E".
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply is a unique-id listing for message "${msg1}"

  @id:pop3/1939/7/uidl-unique @rfc1939-7 @must @fault:pop3-uidl-constant
  Scenario: Two messages have different unique-ids
    # "The unique-id of a message is an arbitrary server-determined string
    # ... which uniquely identifies a message within a maildrop".
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test messages "plain", "pop3-dots"
    And an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1=*}"
    When the client sends "UIDL ${msg2}"
    Then the server replies +OK
    And no line of the reply matches "+OK ${msg2} ${uid1}"

  @id:pop3/1939/7/uidl-stable-across-sessions @rfc1939-7 @must @fault:pop3-uidl-unstable
  Scenario: A message keeps its unique-id in the next session
    # "which uniquely identifies a message within a maildrop and which
    # persists across sessions."
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1=*}"
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection
    Given an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1}"

  @id:pop3/1939/7/uidl-persists-without-update @rfc1939-7 @must @fault:pop3-uidl-unstable
  Scenario: A message keeps its unique-id after a session that ended without QUIT
    # "This persistence is required even if a session ends without entering
    # the UPDATE state."
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1=*}"
    When the client closes the connection
    Given an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1}"

  @id:pop3/1939/7/uidl-deleted-not-listed @rfc1939-7 @must @fault:pop3-dele-noop
  Scenario: A message marked as deleted is not listed by UIDL, and UIDL of it is answered -ERR
    # UIDL: "Arguments: a message-number (optional), which, if present, may
    # NOT refer to a message marked as deleted". "Note that messages marked
    # as deleted are not listed."
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client sends "UIDL ${msg1}"
    Then the server replies -ERR
    When the client sends "UIDL"
    Then the server replies +OK
    And no line of the reply matches "${msg1} *"

  @id:pop3/1939/7/uidl-no-such-message @rfc1939-7 @must @fault:pop3-bad-argument-ok
  Scenario: UIDL of a message number that does not exist is answered -ERR
    # UIDL: "Possible Responses: +OK unique-id listing follows -ERR no such
    # message".
    Given the server advertises UIDL
    And an authenticated POP3 session
    When the client sends "UIDL ${nomsg}"
    Then the server replies -ERR

  @id:pop3/1939/7/uidl-not-reused @rfc1939-7 @should-not @fault:pop3-uidl-constant
  Scenario: A new message does not get the unique-id of a message deleted before
    # "The server should never reuse an unique-id in a given maildrop, for
    # as long as the entity using the unique-id exists."
    Given the server advertises UIDL
    And a disposable account
    And the maildrop holds the test message "plain"
    And an authenticated POP3 session with the test messages located
    When the client sends "UIDL ${msg1}"
    Then the server replies +OK
    And the reply matches "+OK ${msg1} ${uid1=*}"
    When the client sends "DELE ${msg1}"
    Then the server replies +OK
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection
    Given the maildrop holds the test message "pop3-dots"
    And an authenticated POP3 session
    And test message 1 is no longer in the maildrop
    And the test messages are located
    When the client sends "UIDL ${msg2}"
    Then the server replies +OK
    And no line of the reply matches "+OK ${msg2} ${uid1}"
