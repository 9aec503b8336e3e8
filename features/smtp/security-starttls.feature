@smtp @security @rfc3207
Feature: STARTTLS plaintext command injection (RFC 3207, the CVE-2011-0411 class)

  @id:smtp/3207/4.2/starttls-plaintext-injection @rfc3207-4.2 @rfc3207-6 @must @security @fault:smtp-starttls-injection
  Scenario: A command pipelined behind STARTTLS in plaintext is not executed after the handshake
    # RFC 3207 4.2: "The server MUST discard any knowledge obtained from the
    # client, such as the argument to the EHLO command, which was not
    # obtained from the TLS negotiation itself." RFC 3207 6: "clients and
    # servers MUST discard any knowledge obtained prior to the start of the
    # TLS handshake upon completion of the TLS handshake." A server that
    # closes the connection instead is safe.
    Given the server advertises STARTTLS
    And an SMTP session
    When the client sends raw "STARTTLS\r\nNOOP\r\n"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    And no reply to the injected commands arrives within 1000 ms

  @id:smtp/3207/4.2/starttls-plaintext-injection-submission @rfc3207-4.2 @rfc3207-6 @must @security @fault:smtp-starttls-injection
  Scenario: On the submission endpoint, a command pipelined behind STARTTLS is not executed after the handshake
    # RFC 3207 4.2: "The server MUST discard any knowledge obtained from the
    # client, such as the argument to the EHLO command, which was not
    # obtained from the TLS negotiation itself."
    Given the "submission" endpoint
    And the server advertises STARTTLS
    And an SMTP session on the "submission" endpoint
    When the client sends raw "STARTTLS\r\nRSET\r\nNOOP\r\n"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    And no reply to the injected commands arrives within 1000 ms
