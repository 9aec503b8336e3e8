@imap @security @rfc9051
Feature: IMAP attacks: STARTTLS injection, huge literals, over-long lines, NUL, LOGIN in cleartext (RFC 9051)

  @id:imap/9051/6.2.1/starttls-plaintext-injection @rfc9051-6.2.1 @must @security @fault:imap-a-starttls-injection
  Scenario: A command pipelined behind STARTTLS in plaintext is not executed after the handshake
    # RFC 9051 6.2.1: "In order to avoid this vulnerability, server
    # implementations MUST do one of the following if any data is received
    # in the same TCP buffer after the CRLF that starts the STARTTLS
    # command: 1.  Extra data from the TCP buffer is interpreted as the
    # beginning of the TLS handshake.  (If the data is in cleartext, this
    # will result in the TLS handshake failing.) 2.  Extra data from the
    # TCP buffer is thrown away." A failed handshake or a close is safe.
    Given the server advertises STARTTLS
    And an IMAP session
    When the client sends raw "t1 STARTTLS\r\nt2 CAPABILITY\r\n"
    Then the server replies OK or BAD
    And the client starts TLS after the OK (a failed handshake is safe)
    And no reply to the injected commands arrives within 1000 ms

  @id:imap/9051/6.2.1/starttls-plaintext-injection-login @rfc9051-6.2.1 @must @security @fault:imap-a-starttls-injection
  Scenario: A LOGIN pipelined behind STARTTLS in plaintext does not log the session in
    # RFC 9051 6.2.1: "server implementations MUST do one of the following
    # if any data is received in the same TCP buffer after the CRLF that
    # starts the STARTTLS command: 1.  Extra data from the TCP buffer is
    # interpreted as the beginning of the TLS handshake. ... 2.  Extra data
    # from the TCP buffer is thrown away." "After successful TLS
    # negotiation, the server remains in the non-authenticated state".
    Given the server advertises STARTTLS
    And an IMAP session
    When the client sends raw "t1 STARTTLS\r\nt2 LOGIN ${quser} ${qpassword}\r\n"
    Then the server replies OK or BAD
    And the client starts TLS after the OK (a failed handshake is safe)
    And no reply to the injected commands arrives within 1000 ms

  @id:imap/9051/6.2.3/login-refused-when-logindisabled @rfc9051-6.2.3 @rfc9051-7.2.2 @must @security @fault:imap-a-login-disabled-ignored
  Scenario: LOGIN in cleartext is refused with NO where LOGINDISABLED is advertised
    # RFC 9051 7.2.2: "The LOGINDISABLED capability indicates that the
    # LOGIN command is disabled, and that the server will respond with a
    # tagged NO response to any attempt to use the LOGIN command even if
    # the user name and password are valid (their validity will not be
    # checked)."
    Given the "imap" endpoint
    And an IMAP session
    And the server advertises LOGINDISABLED
    When the client sends "t1 LOGIN ${quser} ${qpassword}"
    Then the server replies NO
    When the client sends "t2 EXAMINE INBOX"
    Then the server replies NO or BAD

  @id:imap/9051/2.2.2/huge-literal-refused @rfc9051-2.2.2 @rfc9051-9 @should @security @fault:imap-a-huge-literal-accepted
  Scenario: A literal announcing more octets than the grammar allows is refused at once
    # RFC 9051 9: "literal = "{" number64 ["+"] "}" CRLF *CHAR8",
    # "number64 = 1*DIGIT ; Unsigned 63-bit integer ; (0 <= n <=
    # 9,223,372,036,854,775,807)". 2.2.1: "If, instead, the server detected
    # an error in the command, it sends a BAD completion response with a
    # tag matching the command (as described below) to reject the command
    # and prevent the client from sending any more of the command." A
    # continuation request would wait for 2^64 octets; a BYE and a close
    # refuse it too.
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 APPEND ${mailbox} {18446744073709551616}"
    Then the server replies NO or BAD or closes the connection

  @id:imap/9051/2.2.2/over-long-line-answered @rfc9051-2.2.2 @should @security @fault:imap-a-long-line-ok
  Scenario: A 100000-octet command line is answered BAD or the connection is closed, never left hanging
    # RFC 9051 2.2.2: "Any client command with a protocol syntax error,
    # including (but not limited to) missing or extraneous spaces or
    # arguments, SHOULD be rejected and the client given a BAD server
    # completion response." 7.1.3 shows "* BAD Command line too long" as an
    # untagged BAD; closing the connection is a graceful end too.
    Given an IMAP session
    When the client sends a line of 100000 octets starting with "t1 NOOP "
    Then the server replies BAD or closes the connection

  @id:imap/9051/9/nul-in-quoted-string-refused @rfc9051-9 @rfc9051-2.2.2 @should @security @fault:imap-a-refusal-ok
  Scenario: A NUL octet inside a quoted mailbox name is refused and the session survives
    # RFC 9051 9: "QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> /
    # "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4", "TEXT-CHAR = <any
    # CHAR except CR and LF>", "CHAR = <defined in RFC 5234>" (%x01-7F: no
    # NUL). 2.2.2: "Any client command with a protocol syntax error ...
    # SHOULD be rejected and the client given a BAD server completion
    # response." NO is accepted too (no such mailbox); OK means the server
    # cut the name at the NUL.
    Given an IMAP session
    And the client is authenticated
    When the client sends raw "t1 EXAMINE \"INBOX\x00mailspec\"\r\n"
    Then the server replies NO or BAD
