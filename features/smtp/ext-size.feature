@smtp @rfc1870
Feature: SMTP message size declaration (RFC 1870)

  @id:smtp/1870/3/size-keyword-syntax @rfc1870-3 @must @fault:smtp-size-keyword-garbled
  Scenario: The SIZE keyword's parameter is a decimal number or absent
    # RFC 1870 3 (3): "one optional parameter is allowed with this EHLO
    # keyword value, a decimal number indicating the fixed maximum message
    # size in bytes that the server will accept. ... size-param ::=
    # [1*DIGIT]" (RFC 1870 predates RFC 2119; the grammar is normative.)
    Given the server advertises SIZE
    And an SMTP session
    Then the EHLO keyword SIZE has parameters matching the regular expression "^[0-9]*$"

  @id:smtp/1870/6.1/mail-size-over-limit-refused @rfc1870-4 @rfc1870-6.1 @must @fault:smtp-size-ignored
  Scenario: MAIL declaring a size over the advertised limit is refused with a permanent failure
    # RFC 1870 4: "Any attempt by a client to transfer a message which is
    # larger than this limit will be rejected with a permanent failure
    # (552) reply code." Any permanent failure (5xx) passes: the scenario
    # checks the refusal and its permanence, 552 being the code named.
    Given the server advertises a fixed maximum message size
    And an SMTP session
    When the client sends "MAIL FROM:<> SIZE=${oversize}"
    Then the server replies 5xx

  @id:smtp/1870/6.1/mail-size-within-limit-accepted @rfc1870-4 @rfc1870-6.1 @must @fault:smtp-size-param-555
  Scenario: MAIL declaring a small size is accepted
    # RFC 1870 4: "A server that supports the Message Size Declaration
    # extension will accept the extended version of the MAIL command
    # described below."
    Given the server advertises SIZE
    And an SMTP session
    When the client sends "MAIL FROM:<> SIZE=1000"
    Then the server replies 250

  @id:smtp/1870/6.1/mail-size-at-limit-accepted @rfc1870-6.1 @must @fault:smtp-size-param-555
  Scenario: MAIL declaring exactly the advertised limit is accepted
    # RFC 1870 4: "If a numeric parameter follows the SIZE keyword value of
    # the EHLO response, it indicates the size of the largest message that
    # the server is willing to accept." A message of that size is not
    # larger than the limit, so the extended MAIL is accepted.
    Given the server advertises a fixed maximum message size
    And an SMTP session
    When the client sends "MAIL FROM:<> SIZE=${maxsize}"
    Then the server replies 250
