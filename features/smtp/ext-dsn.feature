@smtp @rfc3461
Feature: SMTP delivery status notification parameters (RFC 3461)

  @id:smtp/3461/4.1/rcpt-notify-orcpt-accepted @rfc3461-4.1 @rfc3461-4.2 @must @fault:smtp-dsn-params-555
  Scenario: RCPT with NOTIFY and ORCPT is accepted
    # RFC 3461 4.1: "notify-esmtp-value = "NEVER" / 1#notify-list-element",
    # "notify-list-element = "SUCCESS" / "FAILURE" / "DELAY""; 4.2:
    # "orcpt-parameter = "ORCPT=" original-recipient-address". A server
    # that advertises DSN implements these RCPT parameters.
    Given the server advertises DSN
    And the account has a mail address
    And an SMTP session
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;${address}"
    Then the server replies one of 250, 251

  @id:smtp/3461/4.3/mail-ret-envid-accepted @rfc3461-4.3 @rfc3461-4.4 @must @fault:smtp-dsn-params-555
  Scenario: MAIL with RET and ENVID is accepted
    # RFC 3461 4.3: "ret-value = "FULL" / "HDRS""; 4.4: "envid-parameter =
    # "ENVID=" xtext". A server that advertises DSN implements these MAIL
    # parameters.
    Given the server advertises DSN
    And an SMTP session
    When the client sends "MAIL FROM:<> RET=HDRS ENVID=mailspec+2B${runid}"
    Then the server replies 250

  @id:smtp/3461/4.3/mail-ret-malformed-refused @rfc3461-4.3 @rfc5321 @rfc5321-4.1.4 @must @fault:smtp-dsn-malformed-accepted
  Scenario: MAIL with a RET value outside the grammar is refused
    # RFC 3461 4.3: "ret-value = "FULL" / "HDRS"". RFC 5321 4.1.4: "If the
    # transaction beginning command argument is not acceptable, a 501
    # failure reply MUST be returned". 555 ("MAIL FROM/RCPT TO parameters
    # not recognized or not implemented", RFC 5321 4.1.1.11) is accepted
    # too.
    Given the server advertises DSN
    And an SMTP session
    When the client sends "MAIL FROM:<> RET=BODY"
    Then the server replies one of 501, 555

  @id:smtp/3461/4.4/mail-envid-malformed-refused @rfc3461-4.4 @rfc5321 @rfc5321-4.1.4 @must @fault:smtp-dsn-malformed-accepted
  Scenario: MAIL with an ENVID that is not xtext is refused
    # RFC 3461 4.4: "envid-parameter = "ENVID=" xtext"; in xtext a "+" must
    # be followed by two hexadecimal digits ("hexchar = "+" HEXDIG HEXDIG"
    # in RFC 4954 8, which uses the same xtext). RFC 5321 4.1.4: "If the
    # transaction beginning command argument is not acceptable, a 501
    # failure reply MUST be returned". 555 is accepted too.
    Given the server advertises DSN
    And an SMTP session
    When the client sends "MAIL FROM:<> ENVID=mailspec+ZZ"
    Then the server replies one of 501, 555
