@smtp @rfc6152
Feature: SMTP 8-bit MIME transport (RFC 6152)

  @id:smtp/6152/2/body-8bitmime-accepted @rfc6152-2 @rfc6152-3 @must @fault:smtp-body-param-555
  Scenario: MAIL with BODY=8BITMIME is accepted
    # RFC 6152 3: with the EHLO keyword 8BITMIME "the server SMTP is
    # indicating that it supports the extended MAIL command and will accept
    # MIME messages containing arbitrary octet-aligned material." Section 2:
    # "body-value = "7BIT" / "8BITMIME""
    Given the server advertises 8BITMIME
    And an SMTP session
    When the client sends "MAIL FROM:<> BODY=8BITMIME"
    Then the server replies 250

  @id:smtp/6152/2/body-7bit-accepted @rfc6152-2 @rfc6152-3 @must @fault:smtp-body-param-555
  Scenario: MAIL with BODY=7BIT is accepted
    # RFC 6152 2: "body-value = "7BIT" / "8BITMIME"", and section 3: the
    # server "supports the extended MAIL command".
    Given the server advertises 8BITMIME
    And an SMTP session
    When the client sends "MAIL FROM:<> BODY=7BIT"
    Then the server replies 250

  @id:smtp/6152/3/8bit-content-accepted @rfc6152-3 @must @fault:smtp-8bit-content-554
  Scenario: Content with octets above 127 is accepted after BODY=8BITMIME
    # RFC 6152 3: the server "will accept MIME messages containing
    # arbitrary octet-aligned material." (RFC 6152 words its requirements
    # in lower case, "shall" and "must"; they carry requirement force.)
    Given the server advertises 8BITMIME
    And the account has a mail address
    And an SMTP session
    When the client sends "MAIL FROM:<> BODY=8BITMIME"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies one of 250, 251
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec 8BITMIME probe ${runid}
      MIME-Version: 1.0
      Content-Type: text/plain; charset=utf-8
      Content-Transfer-Encoding: 8bit

      Grüße aus mailspec, ça va? 日本語 ✓
      .
      """
    Then the server replies 250
