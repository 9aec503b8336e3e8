@smtp @rfc6409 @rfc8314
Feature: Message submission (RFC 6409) and implicit TLS (RFC 8314)

  @id:smtp/6409/4.3/no-relay-before-auth @rfc6409-4.3 @must @fault:smtp-open-relay-before-auth
  Scenario: Before AUTH, the submission endpoint takes no mail for a remote domain
    # RFC 6409 4.3: "The MSA MUST by default issue an error response to the
    # MAIL command if the session has not been authenticated using
    # [SMTP-AUTH], unless it has already independently established
    # authentication or authorization (such as being within a protected
    # subnetwork)." This case accepts the refusal at MAIL or at the RCPT to
    # a remote domain that follows; the next case checks MAIL itself.
    Given the "submission" endpoint
    And the account has a mail address
    And an SMTP session on the "submission" endpoint
    And TLS is started
    Then the server refuses "MAIL FROM:<${address}>" or the "RCPT TO:<mailspec-relay-probe@example.net>" that follows

  @id:smtp/6409/4.3/mail-refused-before-auth @rfc6409-4.3 @must @fault:smtp-open-relay-before-auth
  Scenario: Before AUTH, the submission endpoint answers MAIL with an error
    # RFC 6409 4.3: "The MSA MUST by default issue an error response to the
    # MAIL command if the session has not been authenticated using
    # [SMTP-AUTH]". "Reply code 530 [SMTP-AUTH] is used for this purpose";
    # any error reply passes.
    Given the "submission" endpoint
    And the account has a mail address
    And an SMTP session on the "submission" endpoint
    And TLS is started
    When the client sends "MAIL FROM:<${address}>"
    Then the server replies one of 4xx, 5xx

  @id:smtp/8314/3.3/smtps-greeting-after-handshake @rfc8314-3.3 @must
  Scenario: On the implicit-TLS port the TLS handshake comes first, then the greeting
    # RFC 8314 3.3: "When a TCP connection is established for the
    # "submissions" service (default port 465), a TLS handshake begins
    # immediately. ... Once the TLS session is established, Message
    # Submission protocol data [RFC6409] is exchanged as TLS application
    # data for the remainder of the TCP connection."
    Given an SMTP session on the "smtps" endpoint
    When the client sends "NOOP"
    Then the server replies 250

  @id:smtp/8314/3.3/smtps-auth-plain-235 @rfc8314-3.3 @rfc4954 @rfc4954-4 @must @fault:smtp-auth-success-535
  Scenario: On the implicit-TLS port AUTH PLAIN with valid credentials succeeds
    # RFC 4954 4: "client and server implementations of this extension MUST
    # implement the [PLAIN] SASL mechanism running over TLS" and "Should
    # the client successfully complete the exchange, the SMTP server issues
    # a 235 reply." Not applicable where AUTH PLAIN is not offered.
    Given an SMTP session on the "smtps" endpoint
    When the client authenticates with SASL "PLAIN"
    Then the session is still usable

  @id:smtp/6409/4.3/smtps-no-relay-before-auth @rfc6409-4.3 @rfc8314-3.3 @must @fault:smtp-open-relay-before-auth
  Scenario: Before AUTH, the implicit-TLS submission port takes no mail for a remote domain
    # RFC 6409 4.3: "The MSA MUST by default issue an error response to the
    # MAIL command if the session has not been authenticated using
    # [SMTP-AUTH]". The refusal at the RCPT that follows is accepted too.
    Given the account has a mail address
    And an SMTP session on the "smtps" endpoint
    Then the server refuses "MAIL FROM:<${address}>" or the "RCPT TO:<mailspec-relay-probe@example.net>" that follows
