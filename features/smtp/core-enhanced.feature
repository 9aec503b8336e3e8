@smtp @rfc2034
Feature: Enhanced status codes on the replies of the core commands (RFC 2034, RFC 3463)

  # RFC 2034 predates RFC 2119; its lower-case "must" is read as MUST.

  @id:smtp/2034/4/enhanced-codes-mail-rcpt @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: With ENHANCEDSTATUSCODES, the replies to MAIL and RCPT carry enhanced status codes
    # 4: "These codes must appear in all 2xx, 4xx, and 5xx response lines
    # other than initial greeting and any response to HELO or EHLO." and
    # "All status codes returned by the server must agree with the primary
    # response code".
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    And the reply has an enhanced status code
    When the client sends "RCPT TO:<${address}>"
    Then the server replies one of 250, 251
    And the reply has an enhanced status code

  @id:smtp/2034/4/enhanced-codes-end-of-data @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: With ENHANCEDSTATUSCODES, the reply to the end of data carries an enhanced status code
    # "These codes must appear in all 2xx, 4xx, and 5xx response lines
    # other than initial greeting and any response to HELO or EHLO. Note
    # that 3xx responses are NOT included in this list." (354 is not
    # checked.)
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    And a mail transaction is started
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} enhanced status codes

      Body.
      .
      """
    Then the server replies 250
    And the reply has an enhanced status code

  @id:smtp/2034/4/enhanced-codes-errors @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: With ENHANCEDSTATUSCODES, error replies carry an enhanced status code of class 5 or 4
    # "These codes must appear in all 2xx, 4xx, and 5xx response lines
    # other than initial greeting and any response to HELO or EHLO." and
    # "a 4xx response must incorporate a 4.X.X code, and a 5xx response
    # must incorporate a 5.X.X code."
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    When the client sends "MAIL FROM:<mailspec"
    Then the server replies one of 4xx, 5xx
    And the reply has an enhanced status code
    When the client sends "DATA"
    Then the server replies one of 4xx, 5xx
    And the reply has an enhanced status code

  @id:smtp/2034/4/enhanced-codes-rset-vrfy @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: With ENHANCEDSTATUSCODES, the replies to RSET and VRFY carry enhanced status codes
    # "These codes must appear in all 2xx, 4xx, and 5xx response lines
    # other than initial greeting and any response to HELO or EHLO."
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    And the account has a mail address
    When the client sends "RSET"
    Then the server replies 250
    And the reply has an enhanced status code
    When the client sends "VRFY ${address}"
    Then the server replies one of 2xx, 4xx, 5xx
    And the reply has an enhanced status code

  @id:smtp/2034/4/enhanced-codes-quit @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: With ENHANCEDSTATUSCODES, the 221 reply to QUIT carries an enhanced status code
    # "These codes must appear in all 2xx, 4xx, and 5xx response lines
    # other than initial greeting and any response to HELO or EHLO."
    Given the server advertises ENHANCEDSTATUSCODES
    And an SMTP session
    When the client sends "QUIT"
    Then the server replies 221
    And the reply has an enhanced status code

  @id:smtp/2034/4/enhanced-codes-after-helo @rfc2034-4 @must @fault:smtp-enhanced-codes-missing
  Scenario: A server with ENHANCEDSTATUSCODES sends the codes after HELO too
    # "Servers supporting this extension must attach enhanced status codes
    # to their responses regardless of whether or not EHLO is employed by
    # the client."
    Given the server advertises ENHANCEDSTATUSCODES
    And the client connects
    And the server replies 220
    When the client sends "HELO ${client}"
    Then the server replies 250
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    And the reply has an enhanced status code
