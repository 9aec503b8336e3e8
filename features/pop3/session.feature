@pop3 @rfc1939
Feature: POP3 sessions: greeting, status indicators, command syntax, QUIT (RFC 1939 sections 3, 4 and 6)

  @id:pop3/1939/4/greeting-positive @rfc1939-4 @must @fault:pop3-greeting-err
  Scenario: The greeting is one positive line
    # "Once the TCP connection has been opened by a POP3 client, the POP3
    # server issues a one line greeting. This can be any positive
    # response."
    Given the client connects
    Then the server replies +OK

  @id:pop3/1939/3/status-indicators-upper-case @rfc1939-3 @must @fault:pop3-status-lower-case
  Scenario: The status indicators +OK and -ERR are sent in upper case
    # "There are currently two status indicators: positive ("+OK") and
    # negative ("-ERR"). Servers MUST send the "+OK" and "-ERR" in upper
    # case." The reader fails a status indicator in any other case.
    Given a POP3 session
    When the client sends "CAPA"
    Then the server replies +OK
    When the client sends "XMAILSPEC"
    Then the server replies -ERR

  @id:pop3/1939/3/response-lines-512-octets @rfc1939-3 @rfc1939-4 @must @fault:pop3-long-greeting
  Scenario: The greeting, capability lines and a refusal stay within 512 octets a line
    # RFC 1939 3: "Responses may be up to 512 characters long, including
    # the terminating CRLF." (a limit: the RFC predates RFC 2119's
    # keywords). RFC 2449 4 keeps "the first line of a command response
    # (including the initial greeting)" at 512 octets.
    Given the client connects
    When the server replies +OK
    Then every line of the reply is at most 512 octets
    When the client sends "CAPA"
    Then the server replies +OK
    And every line of the reply is at most 512 octets
    When the client sends "XMAILSPEC"
    Then the server replies -ERR
    And every line of the reply is at most 512 octets

  @id:pop3/1939/3/unknown-command-in-transaction @rfc1939-3 @must @fault:pop3-unknown-command-ok
  Scenario: An unknown command in the TRANSACTION state is answered -ERR and the session goes on
    # "The server MUST respond to an unrecognized, unimplemented, or
    # syntactically invalid command by responding with a negative status
    # indicator."
    Given an authenticated POP3 session
    When the client sends "XMAILSPEC"
    Then the server replies -ERR
    And the session is still usable

  @id:pop3/1939/3/invalid-message-number @rfc1939-3 @rfc1939-5 @must @fault:pop3-bad-argument-ok
  Scenario: LIST with an argument that is no message number is answered -ERR
    # RFC 1939 3: "The server MUST respond to an unrecognized,
    # unimplemented, or syntactically invalid command by responding with a
    # negative status indicator." Section 5, LIST: "Arguments: a
    # message-number (optional)". (LIST, not DELE: a scenario never risks
    # marking a message it did not deliver.)
    Given an authenticated POP3 session
    When the client sends "LIST mailspec"
    Then the server replies -ERR

  @id:pop3/1939/3/keywords-case-insensitive @rfc1939-3 @must @fault:pop3-case-sensitive
  Scenario: Command keywords are case-insensitive
    # "Commands in the POP3 consist of a case-insensitive keyword,
    # possibly followed by one or more arguments."
    Given an authenticated POP3 session
    When the client sends "stat"
    Then the server replies +OK
    And the reply is a drop listing
    When the client sends "NoOp"
    Then the server replies +OK

  @id:pop3/1939/4/quit-in-authorization @rfc1939-4 @rfc1939-6 @must @fault:pop3-quit-no-close
  Scenario: QUIT in the AUTHORIZATION state is answered +OK and ends the session
    # Section 4, QUIT: "Possible Responses: +OK". Section 6: "if the
    # client issues the QUIT command from the AUTHORIZATION state, the POP3
    # session terminates but does NOT enter the UPDATE state."
    Given a POP3 session
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection

  @id:pop3/1939/6/quit-closes-connection @rfc1939-6 @must @fault:pop3-quit-no-close
  Scenario: QUIT in the TRANSACTION state is answered +OK and the server closes the connection
    # "Whether the removal was successful or not, the server then releases
    # any exclusive-access lock on the maildrop and closes the TCP
    # connection."
    Given an authenticated POP3 session
    When the client sends "QUIT"
    Then the server replies +OK
    And the server closes the connection
