@smtp @rfc8689
Feature: REQUIRETLS (RFC 8689), where the server offers it
  # Neither go-smtp nor Postfix 3.7 offers REQUIRETLS: against them both
  # scenarios are not applicable. steps/requiretls_test.go runs them
  # through the fault injector, which offers the extension in front of
  # the embedded server correctly (fault smtp-requiretls-offered: both
  # pass) and wrongly (smtp-requiretls-before-tls-only,
  # smtp-requiretls-param-555: each fails its scenario).

  @id:smtp/8689/2/requiretls-advertised-after-starttls @rfc8689-2 @must
  Scenario: A server offering REQUIRETLS advertises it in the EHLO reply after STARTTLS
    # RFC 8689 2: "Following the negotiation of STARTTLS, the SMTP server
    # MUST advertise in the subsequent EHLO response that it supports
    # REQUIRETLS."
    Given the server advertises REQUIRETLS
    And the server advertises STARTTLS
    And an SMTP session
    When the client sends "STARTTLS"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And the EHLO keyword REQUIRETLS has parameters matching the regular expression "^$"

  @id:smtp/8689/4.1/requiretls-mail-parameter-accepted @rfc8689-4.1 @rfc8689-2 @must
  Scenario: MAIL with the REQUIRETLS parameter is accepted over TLS where MAIL without it is
    # RFC 8689 2: "One optional parameter ("REQUIRETLS") is added to the
    # MAIL FROM command by this extension. No value is associated with this
    # parameter." 4.1: "Upon receipt of the REQUIRETLS option on a MAIL FROM
    # command during the receipt of a message, an SMTP server MUST tag that
    # message as needing REQUIRETLS handling." The same MAIL without the
    # parameter is tried first, so that a policy refusal is not mistaken
    # for a refusal of the parameter.
    Given the server advertises REQUIRETLS
    And the server advertises STARTTLS
    And the account has a mail address
    And an SMTP session
    When the client sends "STARTTLS"
    Then the server replies one of 220, 454
    And the client starts TLS on the connection
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And the server accepts "MAIL FROM:<${address}>" or the case is not applicable
    When the client sends "RSET"
    Then the server replies 250
    When the client sends "MAIL FROM:<${address}> REQUIRETLS"
    Then the server replies 250
