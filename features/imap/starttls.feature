@imap @rfc9051
Feature: IMAP STARTTLS (RFC 9051 section 6.2.1)

  @id:imap/9051/6.2.1/starttls-ok-then-handshake @rfc9051-6.2.1 @must @fault:imap-a-starttls-data-before-tls
  Scenario: STARTTLS is answered OK and the TLS handshake follows at once
    # RFC 9051 6.2.1: "A TLS [TLS-1.3] negotiation begins immediately after
    # the CRLF at the end of the tagged OK response from the server."
    Given the server advertises STARTTLS
    And an IMAP session
    When the client sends "t1 STARTTLS"
    Then the server replies OK
    And the client starts TLS after the OK
    And the session is still usable

  @id:imap/9051/6.2.1/capability-after-starttls @rfc9051-6.2.1 @rfc9051-6.1.1 @must @fault:imap-a-capability-no-version
  Scenario: After STARTTLS the server answers CAPABILITY anew
    # RFC 9051 6.2.1: "Once TLS has been started, the client MUST discard
    # cached information about server capabilities and SHOULD reissue the
    # CAPABILITY command." 6.1.1: "The server MUST send a single untagged
    # CAPABILITY response with "IMAP4rev2" as one of the listed
    # capabilities before the (tagged) OK response."
    Given the server advertises STARTTLS
    And an IMAP session
    And TLS is started
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the reply has exactly one untagged CAPABILITY response
    And the untagged CAPABILITY response lists one of IMAP4rev1 IMAP4rev2

  @id:imap/9051/6.2.1/no-starttls-after-tls @rfc9051-6.2.1 @should-not @fault:imap-a-starttls-still-advertised
  Scenario: STARTTLS is no longer advertised once TLS is on
    # RFC 9051 6.2.1: "The server MAY advertise different capabilities and,
    # in particular, SHOULD NOT advertise the STARTTLS capability, after a
    # successful STARTTLS command."
    Given the server advertises STARTTLS
    And an IMAP session
    And TLS is started
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the untagged CAPABILITY response does not list STARTTLS

  @id:imap/9051/6.2.1/second-starttls-bad @rfc9051-6.2.1 @must @fault:imap-a-bad-as-no
  Scenario: A second STARTTLS on a TLS connection is answered BAD
    # RFC 9051 6.2.1: "BAD -  STARTTLS received after a successful TLS
    # negotiation or arguments invalid".
    Given the server advertises STARTTLS
    And an IMAP session
    And TLS is started
    When the client sends "t1 STARTTLS"
    Then the server replies BAD

  @id:imap/9051/6.2.1/starttls-on-implicit-tls-bad @rfc9051-6.2.1 @rfc8314 @rfc8314-3.3 @must @fault:imap-a-bad-as-no
  Scenario: STARTTLS on the implicit TLS port is answered BAD
    # RFC 9051 6.2.1: "Note that the STARTTLS command is available only on
    # cleartext ports.  The server MUST always respond with a tagged BAD
    # response when the STARTTLS command is received on an Implicit TLS
    # port."
    Given the "imaps" endpoint
    And an IMAP session
    When the client sends "t1 STARTTLS"
    Then the server replies BAD

  @id:imap/9051/6.2.1/starttls-with-argument-bad @rfc9051-6.2.1 @rfc9051-2.2.2 @should @fault:imap-a-bad-as-no
  Scenario: STARTTLS with an argument is answered BAD
    # RFC 9051 6.2.1: "Arguments:    none", "BAD -  STARTTLS received after
    # a successful TLS negotiation or arguments invalid". 2.2.2: "Any client
    # command with a protocol syntax error, including (but not limited to)
    # missing or extraneous spaces or arguments, SHOULD be rejected and the
    # client given a BAD server completion response."
    Given the server advertises STARTTLS
    And an IMAP session
    When the client sends "t1 STARTTLS now"
    Then the server replies BAD
