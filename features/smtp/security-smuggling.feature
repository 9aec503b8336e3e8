@smtp @security @rfc5321
Feature: SMTP smuggling: only <CRLF>.<CRLF> ends the mail data (RFC 5321, the CVE-2023-51764 class)

  # Each case sends, in one write after 354, a line of content, a fake end
  # of data and a smuggled "MAIL FROM:<>", "RCPT TO" and "DATA". A reply
  # within 1.5 s that accepts (2xx/3xx) means the server ended the data
  # early and ran the smuggled commands: that fails. Refusing the content
  # (4xx/5xx, now or at the real end) or closing the connection is safe.

  @id:smtp/5321/4.1.1.4/smuggling-lf-dot-lf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <LF>.<LF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "In particular, the sequence "<LF>.<LF>" (bare line
    # feeds, without carriage returns) MUST NOT be treated as equivalent to
    # <CRLF>.<CRLF> as the end of mail data indication."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\n.\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-cr-dot-cr @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CR>.<CR> inside the mail data does not end it
    # RFC 5321 2.3.8: "Conforming implementations MUST NOT recognize or
    # generate any other character or character sequence as a line
    # terminator." Ending the data here takes each bare CR for a line end.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r.\r" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-cr-dot-lf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CR>.<LF> inside the mail data does not end it
    # RFC 5321 2.3.8: "Conforming implementations MUST NOT recognize or
    # generate any other character or character sequence as a line
    # terminator." 4.1.1.4: accepting lines ending only in <LF> "SMTP server
    # systems MUST NOT do".
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r.\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-lf-dot-cr @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <LF>.<CR> inside the mail data does not end it
    # RFC 5321 2.3.8: "Conforming implementations MUST NOT recognize or
    # generate any other character or character sequence as a line
    # terminator." 4.1.1.4: accepting lines ending only in <LF> "SMTP server
    # systems MUST NOT do".
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\n.\r" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-lf-dot-crlf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <LF>.<CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "The custom of accepting lines ending only in <LF>,
    # as a concession to non-conforming behavior on the part of some UNIX
    # systems, has proven to cause more interoperability problems than it
    # solves, and SMTP server systems MUST NOT do this, even in the name of
    # improved robustness." (CVE-2023-51764)
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\n.\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-crlf-dot-lf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CRLF>.<LF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: accepting lines ending only in <LF> "SMTP server
    # systems MUST NOT do this, even in the name of improved robustness."
    # Here the "." line itself ends in a bare LF.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r\n.\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-cr-dot-crlf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CR>.<CRLF> inside the mail data does not end it
    # RFC 5321 2.3.8: "Conforming implementations MUST NOT recognize or
    # generate any other character or character sequence as a line
    # terminator." The line before the "." would end in a bare CR.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r.\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-crlf-dot-cr @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CRLF>.<CR> inside the mail data does not end it
    # RFC 5321 2.3.8: "Conforming implementations MUST NOT recognize or
    # generate any other character or character sequence as a line
    # terminator." The "." line would end in a bare CR.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r\n.\r" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-crlf-nul-dot-crlf @rfc5321-4.1.1.4 @should-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CRLF><NUL>.<CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "The mail data are terminated by a line containing
    # only a period, that is, the character sequence "<CRLF>.<CRLF>"". A line
    # of NUL and a period is not that line, but no sentence with an RFC 2119
    # keyword covers NUL, so the case is judged at SHOULD NOT.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r\n\x00.\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-crlf-dot-nul-crlf @rfc5321-4.1.1.4 @should-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CRLF>.<NUL><CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "The mail data are terminated by a line containing
    # only a period, that is, the character sequence "<CRLF>.<CRLF>"". No
    # sentence with an RFC 2119 keyword covers a NUL after the period, so the
    # case is judged at SHOULD NOT.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r\n.\x00\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-lf-lf-dot-crlf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <LF><LF>.<CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: accepting lines ending only in <LF> "SMTP server
    # systems MUST NOT do this, even in the name of improved robustness."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\n\n.\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-crlf-dot-cr-crlf @rfc5321-4.1.1.4 @should-not @security @fault:smtp-lenient-end-of-data
  Scenario: <CRLF>.<CR><CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "The mail data are terminated by a line containing
    # only a period, that is, the character sequence "<CRLF>.<CRLF>"". The
    # line here is a period and a CR; ending the data means dropping the CR
    # or taking it for a line end. Dropping it is covered by no RFC 2119
    # keyword, so the case is judged at SHOULD NOT.
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\r\n.\r\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered

  @id:smtp/5321/4.1.1.4/smuggling-lf-dot-lf-crlf @rfc5321-4.1.1.4 @rfc5321-2.3.8 @must-not @security @fault:smtp-lenient-end-of-data
  Scenario: <LF>.<LF><CRLF> inside the mail data does not end it
    # RFC 5321 4.1.1.4: "In particular, the sequence "<LF>.<LF>" (bare line
    # feeds, without carriage returns) MUST NOT be treated as equivalent to
    # <CRLF>.<CRLF> as the end of mail data indication."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends mail data with the fake end "\n.\n\r\n" and a smuggled transaction
    Then the server does not end the mail data at the fake end
    And the real end of the mail data is answered
