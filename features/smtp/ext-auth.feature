@smtp @rfc4954
Feature: SMTP authentication (RFC 4954)

  @id:smtp/4954/4/auth-plain-submission-235 @rfc4954-4 @rfc4616 @rfc4616-2 @must @fault:smtp-auth-success-535
  Scenario: AUTH PLAIN with valid credentials is answered with 235
    # RFC 4954 4: "Should the client successfully complete the exchange,
    # the SMTP server issues a 235 reply." and "client and server
    # implementations of this extension MUST implement the [PLAIN] SASL
    # mechanism running over TLS".
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    When the client authenticates with SASL "PLAIN"
    Then the session is still usable

  @id:smtp/4954/4/auth-login-235 @rfc4954-4 @must @fault:smtp-auth-success-535
  Scenario: AUTH LOGIN with valid credentials is answered with 235
    # RFC 4954 4: "If the server supports the requested authentication
    # mechanism, it performs the SASL exchange to authenticate the user."
    # and "Should the client successfully complete the exchange, the SMTP
    # server issues a 235 reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    When the client authenticates with SASL "LOGIN"
    Then the session is still usable

  @id:smtp/4954/4/auth-cram-md5-235 @rfc4954-4 @rfc2195 @rfc2195-2 @must
  Scenario: AUTH CRAM-MD5 with valid credentials is answered with 235
    # RFC 4954 4: "If the server supports the requested authentication
    # mechanism, it performs the SASL exchange to authenticate the user."
    # and "Should the client successfully complete the exchange, the SMTP
    # server issues a 235 reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    When the client authenticates with SASL "CRAM-MD5"
    Then the session is still usable

  @id:smtp/4954/4/auth-scram-sha-1-235 @rfc4954-4 @rfc5802 @rfc5802-5 @must
  Scenario: AUTH SCRAM-SHA-1 with valid credentials succeeds, server signature verified
    # RFC 4954 4: "Should the client successfully complete the exchange,
    # the SMTP server issues a 235 reply." The client checks the server
    # signature of RFC 5802 section 5 before accepting the outcome.
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    When the client authenticates with SASL "SCRAM-SHA-1"
    Then the session is still usable

  @id:smtp/4954/4/auth-scram-sha-256-235 @rfc4954-4 @rfc7677 @rfc7677-3 @must
  Scenario: AUTH SCRAM-SHA-256 with valid credentials succeeds, server signature verified
    # RFC 4954 4: "Should the client successfully complete the exchange,
    # the SMTP server issues a 235 reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    When the client authenticates with SASL "SCRAM-SHA-256"
    Then the session is still usable

  @id:smtp/4954/4/second-auth-503 @rfc4954-4 @must @fault:smtp-auth-second-235
  Scenario: A second AUTH after a successful one is refused with 503
    # RFC 4954 4: "After a successful AUTH command completes, a server MUST
    # reject any further AUTH commands with a 503 reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And the client is authenticated
    When the client sends "AUTH PLAIN ${plain}"
    Then the server replies 503

  @id:smtp/4954/4/auth-in-transaction-503 @rfc4954-4 @must
  Scenario: AUTH during a mail transaction is refused with 503
    # RFC 4954 4: "The AUTH command is not permitted during a mail
    # transaction. An AUTH command issued during a mail transaction MUST be
    # rejected with a 503 reply." Needs an endpoint that offers AUTH and
    # accepts MAIL before it.
    Given the server advertises STARTTLS
    And an SMTP session
    And TLS is started
    And the server advertises AUTH
    And the server accepts "MAIL FROM:<>" or the case is not applicable
    When the client sends "AUTH PLAIN ${plain}"
    Then the server replies 503

  @id:smtp/4954/4/auth-in-transaction-503-submission @rfc4954-4 @must
  Scenario: AUTH during a mail transaction on the submission endpoint is refused with 503
    # RFC 4954 4: "An AUTH command issued during a mail transaction MUST be
    # rejected with a 503 reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server advertises AUTH
    And the server accepts "MAIL FROM:<>" or the case is not applicable
    When the client sends "AUTH PLAIN ${plain}"
    Then the server replies 503

  @id:smtp/4954/4/auth-cancel-501 @rfc4954-4 @must @fault:smtp-auth-cancel-535
  Scenario: "*" cancels an AUTH exchange and is answered with 501
    # RFC 4954 4: "If the client wishes to cancel the authentication
    # exchange, it issues a line with a single "*". If the server receives
    # such a response, it MUST reject the AUTH command by sending a 501
    # reply."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "PLAIN"
    When the client sends "AUTH PLAIN"
    Then the server replies 334
    When the client sends "*"
    Then the server replies 501

  @id:smtp/4954/4/auth-challenge-base64 @rfc4954-4 @rfc4954-8 @must-not @fault:smtp-auth-challenge-text
  Scenario: A 334 challenge carries nothing but BASE64
    # RFC 4954 4: "A server challenge is sent as a 334 reply with the text
    # part containing the [BASE64] encoded string supplied by the SASL
    # mechanism. This challenge MUST NOT contain any text other than the
    # BASE64 encoded challenge."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "LOGIN"
    When the client sends "AUTH LOGIN"
    Then the server replies 334
    And the reply text is BASE64

  @id:smtp/4954/4/initial-response-not-base64-501 @rfc4954-4 @must
  Scenario: An initial response that is not BASE64 is refused with 501
    # RFC 4954 4: "If the server cannot [BASE64] decode any client response,
    # it MUST reject the AUTH command with a 501 reply (and an enhanced
    # status code of 5.5.2)." The enhanced code is not checked.
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "PLAIN"
    When the client sends "AUTH PLAIN !!!not-base64!!!"
    Then the server replies 501

  @id:smtp/4954/4/response-interior-pad-501 @rfc4954-4 @must
  Scenario: A response with "=" inside is refused with 501
    # RFC 4954 4: "servers and clients MUST reject (and not ignore) any
    # character not explicitly allowed by the BASE64 alphabet, and MUST
    # reject any sequence of BASE64 characters that contains the pad
    # character ('=') anywhere other than the end of the string (e.g.,
    # "=AAA" and "AAA=BBB" are not allowed)." With the sentence before
    # it, the rejection is "a 501 reply".
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "PLAIN"
    When the client sends "AUTH PLAIN"
    Then the server replies 334
    When the client sends "AAA=BBB"
    Then the server replies 501

  @id:smtp/4954/4/initial-response-server-first-501 @rfc4954-4 @rfc2195 @rfc2195-2 @must
  Scenario: An initial response with a server-first mechanism is refused with 501
    # RFC 4954 4: "If the client uses an initial-response argument to the
    # AUTH command with a SASL mechanism in which the client does not begin
    # the authentication exchange, the server MUST reject the AUTH command
    # with a 501 reply." CRAM-MD5 begins with the server's challenge.
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "CRAM-MD5"
    When the client sends "AUTH CRAM-MD5 bWFpbHNwZWM="
    Then the server replies 501

  @id:smtp/4954/4/unknown-mechanism-504 @rfc4954-4 @should
  Scenario: AUTH with a mechanism the server does not support is refused with 504
    # RFC 4954 4: "If the requested authentication mechanism is invalid
    # (e.g., is not supported or requires an encryption layer), the server
    # rejects the AUTH command with a 504 reply." The sentence has no RFC
    # 2119 keyword, so the case is judged at SHOULD.
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server advertises AUTH
    When the client sends "AUTH X-MAILSPEC-NO-SUCH-MECHANISM"
    Then the server replies 504

  @id:smtp/4954/4/bad-credentials-535 @rfc4954-4 @rfc4954-6 @should
  Scenario: Wrong credentials are refused with 535
    # RFC 4954 4: "If the server is unable to authenticate the client, it
    # SHOULD reject the AUTH command with a 535 reply unless a more specific
    # error code is appropriate."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "PLAIN"
    When the client sends "AUTH PLAIN ${badplain}"
    Then the server replies 535

  @id:smtp/4954/9/no-drop-before-three-failures @rfc4954-9 @should-not
  Scenario: Two failed AUTH attempts do not end the session
    # RFC 4954 9: "Servers MAY implement a policy whereby the connection is
    # dropped after a number of failed authentication attempts. If they do
    # so, they SHOULD NOT drop the connection until at least 3 attempts to
    # authenticate have failed."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server offers SASL "PLAIN"
    When the client sends "AUTH PLAIN ${badplain}"
    Then the server replies 5xx
    When the client sends "AUTH PLAIN ${badplain}"
    Then the server replies 5xx
    And the session is still usable

  @id:smtp/4954/5/mail-auth-param-accepted @rfc4954-5 @must @fault:smtp-mail-auth-param-555
  Scenario: MAIL with AUTH=<> is accepted without authentication
    # RFC 4954 5: "servers that advertise support for this extension MUST
    # support the AUTH parameter to the MAIL FROM command even when the
    # client has not authenticated itself to the server." Needs an
    # endpoint that takes MAIL before AUTH.
    Given the server advertises STARTTLS
    And an SMTP session
    And TLS is started
    And the server advertises AUTH
    And the server accepts "MAIL FROM:<>" or the case is not applicable
    When the client sends "RSET"
    Then the server replies 250
    When the client sends "MAIL FROM:<> AUTH=<>"
    Then the server replies 250

  @id:smtp/4954/5/mail-auth-param-accepted-submission @rfc4954-5 @must
  Scenario: MAIL with AUTH=<> is accepted without authentication on the submission endpoint
    # RFC 4954 5: "servers that advertise support for this extension MUST
    # support the AUTH parameter to the MAIL FROM command even when the
    # client has not authenticated itself to the server."
    Given the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And TLS is started
    And the server advertises AUTH
    And the server accepts "MAIL FROM:<>" or the case is not applicable
    When the client sends "RSET"
    Then the server replies 250
    When the client sends "MAIL FROM:<> AUTH=<>"
    Then the server replies 250
