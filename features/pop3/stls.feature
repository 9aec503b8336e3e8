@pop3 @rfc2595
Feature: POP3 over TLS: STLS and implicit TLS on the pop3s port (RFC 2595, RFC 8314)

  @id:pop3/2595/4/stls-negotiation @rfc2595-4 @must @fault:pop3-stls-data-before-tls
  Scenario: STLS is answered +OK and TLS starts right after it; CAPA is answered again under TLS
    # RFC 2595 4: "A TLS negotiation begins immediately after the CRLF at
    # the end of the +OK response from the server." "Once TLS has been
    # started, the client MUST discard cached information about server
    # capabilities and SHOULD re-issue the CAPA command."
    Given the server advertises STLS
    And a POP3 session
    When the client sends "STLS"
    Then the server replies +OK
    And the client starts TLS after the +OK to STLS
    When the client sends "CAPA"
    Then the server replies +OK
    And every line of the reply is a capability

  @id:pop3/8314/3.1/pop3s-starts-in-authorization @rfc8314-3.1 @rfc8314 @rfc1939-3 @rfc1939 @must @fault:pop3-commands-before-login-ok
  Scenario: On the pop3s port the session starts, after the TLS handshake and the greeting, in the AUTHORIZATION state
    # RFC 8314 3.1: "When a TCP connection is established for the "pop3s"
    # service (default port 995), a TLS handshake begins immediately."
    # "After the server sends an +OK greeting, the server and client MUST
    # enter the AUTHORIZATION state, even if a client certificate was
    # supplied during the TLS handshake."
    Given the client connects to the "pop3s" endpoint
    Then the server replies +OK
    When the client sends "STAT"
    Then the server replies -ERR

  @id:pop3/8314/3.1/pop3s-login @rfc8314-3.1 @rfc8314 @must @fault:pop3-login-refused
  Scenario: On the pop3s port the account logs in and reads its maildrop
    # RFC 8314 3.1: "When a TCP connection is established for the "pop3s"
    # service (default port 995), a TLS handshake begins immediately."
    # RFC 1939 7, PASS: "+OK maildrop locked and ready".
    Given the "pop3s" endpoint
    And an authenticated POP3 session
    When the client sends "STAT"
    Then the server replies +OK
    And the reply is a drop listing
