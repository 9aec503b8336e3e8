@imap @rfc9051
Feature: IMAP authentication: LOGIN, AUTHENTICATE PLAIN, SASL-IR and cancellation (RFC 9051, RFC 4959)

  @id:imap/9051/6.2.3/login-success @rfc9051-6.2.3 @must @fault:imap-a-login-refused
  Scenario: LOGIN with the account's credentials succeeds and enters the authenticated state
    # RFC 9051 6.2.3: "OK -  login completed, now in authenticated state".
    # The case runs over TLS, where LOGINDISABLED does not apply, and is not
    # applicable when the server keeps LOGIN disabled there too.
    Given an IMAP session
    And the connection is protected by TLS
    And the server does not advertise LOGINDISABLED
    When the client sends "t1 LOGIN ${quser} ${qpassword}"
    Then the server replies OK
    When the client sends "t2 EXAMINE INBOX"
    Then the server replies OK

  @id:imap/9051/6.2.3/login-wrong-password-no @rfc9051-6.2.3 @must @fault:imap-a-refusal-ok
  Scenario: LOGIN with a wrong password is answered NO and leaves the client unauthenticated
    # RFC 9051 6.2.3: "NO -  login failure: user name or password
    # rejected". 6.2: "In the not authenticated state, the AUTHENTICATE or
    # LOGIN command establishes authentication and enters the
    # authenticated state."
    Given an IMAP session
    And the connection is protected by TLS
    And the server does not advertise LOGINDISABLED
    When the client sends "t1 LOGIN ${quser} \"${badpassword}\""
    Then the server replies NO
    When the client sends "t2 EXAMINE INBOX"
    Then the server replies NO or BAD

  @id:imap/9051/6.2.3/login-unknown-user-no @rfc9051-6.2.3 @must @fault:imap-a-refusal-ok
  Scenario: LOGIN as a user that does not exist is answered NO
    # RFC 9051 6.2.3: "NO -  login failure: user name or password
    # rejected".
    Given an IMAP session
    And the connection is protected by TLS
    And the server does not advertise LOGINDISABLED
    When the client sends "t1 LOGIN \"mailspec-nobody-${runid}@example.invalid\" \"${badpassword}\""
    Then the server replies NO

  @id:imap/9051/6.2.2/authenticate-plain-continuation @rfc9051-6.2.2 @rfc4959 @rfc4959-3 @must @fault:imap-a-login-refused
  Scenario: AUTHENTICATE PLAIN without an initial response asks for it with a continuation request
    # RFC 9051 6.2.2: "Note that because the initial response is optional,
    # the following negotiation (which does not use the initial response)
    # is still valid and MUST be supported by the server". RFC 4959 3:
    # "Servers that implement this extension MUST support clients that
    # omit the initial client response".
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN"
    Then the server replies +
    When the client continues with "${plain}"
    Then the server replies OK

  @id:imap/4959/3/authenticate-plain-initial-response @rfc4959 @rfc4959-3 @rfc9051-6.2.2 @must @fault:imap-a-sasl-ir-refused
  Scenario: AUTHENTICATE PLAIN with an initial response succeeds where SASL-IR is advertised
    # RFC 9051 6.2.2: "The AUTHENTICATE command supports the optional
    # "initial response" feature defined in Section 4 of [SASL]." RFC 4959
    # 3: "This extension adds an optional second argument to the
    # AUTHENTICATE command".
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises SASL-IR
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN ${plain}"
    Then the server replies OK
    When the client sends "t2 EXAMINE INBOX"
    Then the server replies OK

  @id:imap/4959/3/empty-initial-response-accepted @rfc4959 @rfc4959-3 @rfc9051-6.2.2 @must @fault:imap-a-sasl-ir-refused
  Scenario: An initial response of "=" is taken as an empty response, not as a syntax error
    # RFC 4959 3: "To send a zero-length initial response, the client MUST
    # send a single pad character ("=").  This indicates that the response
    # is present, but is a zero-length string." PLAIN cannot succeed with
    # an empty message: a continuation request or NO is the answer; BAD
    # would refuse the syntax itself.
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises SASL-IR
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN ="
    Then the server replies NO or +

  @id:imap/9051/6.2.2/authenticate-cancel-bad @rfc9051-6.2.2 @must @fault:imap-a-bad-as-no
  Scenario: A "*" line cancels AUTHENTICATE and is answered BAD
    # RFC 9051 6.2.2: "If the client wishes to cancel an authentication
    # exchange, it issues a line consisting of a single "*".  If the server
    # receives such a response, or if it receives an invalid base64 string
    # (e.g., characters outside the base64 alphabet or non-terminal "="),
    # it MUST reject the AUTHENTICATE command by sending a tagged BAD
    # response."
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN"
    Then the server replies +
    When the client continues with "*"
    Then the server replies BAD

  @id:imap/9051/6.2.2/authenticate-invalid-base64-bad @rfc9051-6.2.2 @must @fault:imap-a-bad-as-no
  Scenario: A SASL response that is not base64 is answered BAD
    # RFC 9051 6.2.2: "If the server receives such a response, or if it
    # receives an invalid base64 string (e.g., characters outside the
    # base64 alphabet or non-terminal "="), it MUST reject the AUTHENTICATE
    # command by sending a tagged BAD response." RFC 3501 6.2.2 says it of
    # "*" only: the case needs IMAP4rev2.
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the connection is protected by TLS
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN"
    Then the server replies +
    When the client continues with "%%not-base64%%"
    Then the server replies BAD

  @id:imap/9051/6.2.2/initial-response-invalid-base64-bad @rfc9051-6.2.2 @rfc4959 @rfc4959-3 @must
  Scenario: An initial response with a non-terminal "=" is answered BAD
    # RFC 9051 6.2.2: "When decoding the base64 data in the initial
    # response, decoding errors MUST be treated as in any normal SASL client
    # response, i.e., with a tagged BAD response.  In particular, the
    # server should check for any characters not explicitly allowed by the
    # base64 alphabet, as well as any sequence of base64 characters that
    # contains the pad character ('=') anywhere other than the end of the
    # string (e.g., "=AAA" and "AAA=BBB" are not allowed)." RFC 4959 3 refers
    # to RFC 3501, which does not say how to treat invalid base64: the case
    # needs IMAP4rev2.
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the connection is protected by TLS
    And the server advertises SASL-IR
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN =AAA"
    Then the server replies BAD

  @id:imap/9051/6.2.2/initial-response-to-server-first-mechanism-bad @rfc9051-6.2.2 @rfc4959 @rfc4959-3 @must
  Scenario: An initial response to a mechanism that starts with a server challenge is answered BAD
    # RFC 9051 6.2.2: "If the client uses an initial response with a SASL
    # mechanism that does not support an initial response, the server MUST
    # reject the command with a tagged BAD response." CRAM-MD5 begins with
    # the server's challenge (RFC 2195 2).
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises SASL-IR
    And the server advertises AUTH=CRAM-MD5
    When the client sends "t1 AUTHENTICATE CRAM-MD5 bWFpbHNwZWM="
    Then the server replies BAD

  @id:imap/9051/6.2.2/authenticate-unknown-mechanism-no @rfc9051-6.2.2 @should @fault:imap-a-refusal-ok
  Scenario: AUTHENTICATE with a mechanism the server does not support is answered NO
    # RFC 9051 6.2.2: "If the requested authentication mechanism is not
    # supported, the server SHOULD reject the AUTHENTICATE command by
    # sending a tagged NO response."
    Given an IMAP session
    And the connection is protected by TLS
    When the client sends "t1 AUTHENTICATE X-MAILSPEC-NONE"
    Then the server replies NO

  @id:imap/9051/6.2.2/authenticate-wrong-password-no @rfc9051-6.2.2 @must @fault:imap-a-refusal-ok
  Scenario: AUTHENTICATE PLAIN with a wrong password is answered NO
    # RFC 9051 6.2.2: "NO -  authenticate failure: unsupported
    # authentication mechanism, credentials rejected".
    Given an IMAP session
    And the connection is protected by TLS
    And the server advertises AUTH=PLAIN
    When the client sends "t1 AUTHENTICATE PLAIN"
    Then the server replies +
    When the client continues with "${badplain}"
    Then the server replies NO
