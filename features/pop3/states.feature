@pop3 @rfc1939
Feature: POP3 states: commands answered -ERR in the wrong state (RFC 1939 section 3)

  # RFC 1939 3: "The server MUST respond to a command issued when the
  # session is in an incorrect state by responding with a negative status
  # indicator." Two wrong commands a connection at most: some servers end
  # the session after a few (which is their right).

  @id:pop3/1939/3/stat-list-before-login @rfc1939-3 @rfc1939-5 @must @fault:pop3-commands-before-login-ok
  Scenario: STAT and LIST before login are answered -ERR
    # "The server MUST respond to a command issued when the session is in
    # an incorrect state by responding with a negative status indicator."
    # Section 5, STAT and LIST: "Restrictions: may only be given in the
    # TRANSACTION state".
    Given a POP3 session
    When the client sends "STAT"
    Then the server replies -ERR
    When the client sends "LIST"
    Then the server replies -ERR

  @id:pop3/1939/3/retr-dele-before-login @rfc1939-3 @rfc1939-5 @must @fault:pop3-commands-before-login-ok
  Scenario: RETR and DELE before login are answered -ERR
    # "The server MUST respond to a command issued when the session is in
    # an incorrect state by responding with a negative status indicator."
    Given a POP3 session
    When the client sends "RETR 1"
    Then the server replies -ERR
    When the client sends "DELE 1"
    Then the server replies -ERR

  @id:pop3/1939/3/noop-rset-before-login @rfc1939-3 @rfc1939-5 @must @fault:pop3-commands-before-login-ok
  Scenario: NOOP and RSET before login are answered -ERR
    # "The server MUST respond to a command issued when the session is in
    # an incorrect state by responding with a negative status indicator."
    # Section 5, NOOP and RSET: "Restrictions: may only be given in the
    # TRANSACTION state".
    Given a POP3 session
    When the client sends "NOOP"
    Then the server replies -ERR
    When the client sends "RSET"
    Then the server replies -ERR

  @id:pop3/1939/3/user-pass-after-login @rfc1939-3 @rfc1939-7 @must @fault:pop3-login-commands-after-login-ok
  Scenario: USER and PASS after login are answered -ERR
    # "The server MUST respond to a command issued when the session is in
    # an incorrect state by responding with a negative status indicator."
    # Section 7, USER and PASS: "may only be given in the AUTHORIZATION
    # state".
    Given an authenticated POP3 session
    When the client sends "USER ${user}"
    Then the server replies -ERR
    When the client sends "PASS ${badpassword}"
    Then the server replies -ERR
    And the session is still usable

  @id:pop3/5034/4/auth-after-login @rfc5034-4 @rfc5034 @rfc1939-3 @must @fault:pop3-login-commands-after-login-ok
  Scenario: AUTH after a successful AUTH is answered -ERR
    # RFC 5034 4: "After an AUTH command has been successfully completed,
    # no more AUTH commands may be issued in the same session. After a
    # successful AUTH command completes, a server MUST reject any further
    # AUTH commands with an -ERR reply."
    Given a POP3 session
    When the client authenticates to POP3 with SASL "PLAIN"
    And the client sends "AUTH PLAIN ${plain}"
    Then the server replies -ERR
    And the session is still usable

  @id:pop3/2595/4/stls-after-login @rfc2595-4 @rfc2595 @rfc1939-3 @must @fault:pop3-login-commands-after-login-ok
  Scenario: STLS after login is answered -ERR
    # RFC 2595 4, STLS: "Restrictions: Only permitted in AUTHORIZATION
    # state." RFC 1939 3: "The server MUST respond to a command issued when
    # the session is in an incorrect state by responding with a negative
    # status indicator."
    Given an authenticated POP3 session
    When the client sends "STLS"
    Then the server replies -ERR
    And the session is still usable
