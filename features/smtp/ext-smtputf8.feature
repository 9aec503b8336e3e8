@smtp @rfc6531
Feature: SMTP extension for internationalized email (RFC 6531)

  @id:smtp/6531/3.1/smtputf8-announces-8bitmime @rfc6531-3.1 @must @fault:smtp-ehlo-no-8bitmime
  Scenario: A server that offers SMTPUTF8 also announces 8BITMIME
    # RFC 6531 3.1 (8): "Servers offering this extension MUST provide
    # support for, and announce, the 8BITMIME extension [RFC6152]."
    Given the server advertises SMTPUTF8
    And an SMTP session
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And the reply matches "250*8BITMIME"

  @id:smtp/6531/3.4/mail-smtputf8-param-accepted @rfc6531-3.1 @rfc6531-3.4 @must @fault:smtp-smtputf8-param-555
  Scenario: MAIL with the SMTPUTF8 parameter is accepted
    # RFC 6531 3.1 (4): "One OPTIONAL parameter, SMTPUTF8, is added to the
    # MAIL command. The parameter does not accept a value."
    Given the server advertises SMTPUTF8
    And an SMTP session
    When the client sends "MAIL FROM:<> SMTPUTF8"
    Then the server replies 250

  @id:smtp/6531/3.2/utf8-reverse-path-accepted @rfc6531-3.2 @must @fault:smtp-smtputf8-param-555
  Scenario: A reverse-path with a UTF-8 local part is accepted with SMTPUTF8
    # RFC 6531 3.2: "An SMTP server that announces the SMTPUTF8 extension
    # MUST be prepared to accept a UTF-8 string [RFC3629] in any position in
    # which RFC 5321 specifies that a <mailbox> can appear."
    Given the server advertises SMTPUTF8
    And the account has a mail address
    And an SMTP session
    When the client sends "MAIL FROM:<jörg.mailspec@${domain}> SMTPUTF8"
    Then the server replies 250
