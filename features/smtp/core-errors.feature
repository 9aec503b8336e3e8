@smtp @rfc5321
Feature: SMTP replies and errors: reply codes, unknown commands, parameters, VRFY, EXPN, HELP (RFC 5321)

  @id:smtp/5321/3.8/unknown-command-keeps-session @rfc5321-3.8 @must-not @fault:smtp-unknown-command-close
  Scenario: An unknown command is refused and the session goes on
    # "An SMTP server MUST NOT intentionally close the connection under
    # normal operational circumstances (see Section 7.8) except" after
    # QUIT, 421 or a timeout. "In particular, a server that closes
    # connections in response to commands that are not understood is in
    # violation of this specification. Servers are expected to be tolerant
    # of unknown commands, issuing a 500 reply and awaiting further
    # instructions from the client."
    Given an SMTP session
    When the client sends "XMAILSPEC${runid}"
    Then the server replies 5xx
    And the session is still usable

  @id:smtp/5321/4.2/reply-code-first-digit @rfc5321-4.2 @rfc5321-4.3.2 @must-not @fault:smtp-reply-code-6yz
  Scenario: Replies to a whole session carry codes whose first digit is 2, 3, 4 or 5
    # 4.2: "In the absence of extensions negotiated with the client, SMTP
    # servers MUST NOT send reply codes whose first digits are other than
    # 2, 3, 4, or 5." 4.3.2: "SMTP servers MUST NOT transmit reply codes to
    # an SMTP client that are other than three digits or that do not start
    # in a digit between 2 and 5 inclusive." (The reader also checks each
    # code against "Reply-code = %x32-35 %x30-35 %x30-39".)
    Given an SMTP session
    And the account has a mail address
    When the client sends "NOOP"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx
    When the client sends "MAIL FROM:<>"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx
    When the client sends "RCPT TO:<${address}>"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx
    When the client sends "XMAILSPEC${runid}"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx
    When the client sends "RSET"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx
    When the client sends "QUIT"
    Then the server replies one of 2xx, 3xx, 4xx, 5xx

  @id:smtp/5321/4.2/one-reply-per-command @rfc5321-4.2 @must @fault:smtp-noop-two-replies
  Scenario: A command gets exactly one reply
    # "Every command MUST generate exactly one reply."
    Given an SMTP session
    When the client sends "NOOP"
    Then the server replies 250
    And no reply arrives within 250 ms
    When the client sends "RSET"
    Then the server replies 250
    And no reply arrives within 250 ms

  @id:smtp/5321/4.1.1.11/mail-unknown-parameter-555 @rfc5321-4.1.1.11 @rfc5321-4.2.1 @should
  Scenario: MAIL with a parameter the server does not know is refused with 555 (or 504)
    # 4.1.1.11: "If the server SMTP does not recognize or cannot implement
    # one or more of the parameters associated with a particular MAIL FROM
    # or RCPT TO command, it will return code 555." 4.2.1: "A refinement of
    # that is the 504 reply for a command that is implemented, but that
    # requests an unimplemented parameter." The text has no RFC 2119
    # keyword: judged at SHOULD. 501 (syntax error in parameters) is
    # accepted too; 500 (command not recognized) or acceptance is not.
    Given an SMTP session
    When the client sends "MAIL FROM:<> XMAILSPEC=1"
    Then the server replies one of 555, 504, 501

  @id:smtp/5321/4.1.1.11/rcpt-unknown-parameter-555 @rfc5321-4.1.1.11 @rfc5321-4.2.1 @should
  Scenario: RCPT with a parameter the server does not know is refused with 555 (or 504)
    # 4.1.1.11: "If the server SMTP does not recognize or cannot implement
    # one or more of the parameters associated with a particular MAIL FROM
    # or RCPT TO command, it will return code 555." 4.2.1: "A refinement of
    # that is the 504 reply for a command that is implemented, but that
    # requests an unimplemented parameter." No RFC 2119 keyword: judged at
    # SHOULD; 501 is accepted too.
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}> XMAILSPEC=1"
    Then the server replies one of 555, 504, 501

  @id:smtp/5321/4.5.1/vrfy-supported @rfc5321-4.5.1 @rfc5321-3.5.3 @must @fault:smtp-vrfy-502
  Scenario: VRFY is supported: it is answered with one of the codes RFC 5321 lists for it
    # 4.5.1: "The following commands MUST be supported to conform to this
    # specification: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY". 3.5.3:
    # "implementations that return 500 or 502 for VRFY are not in full
    # compliance with this specification." 250, 251 and 252 (3.5.3: "reply
    # code 252 SHOULD be returned" where an address cannot be verified in
    # real time) or 550, 551, 553 (3.5.1, 3.4) are all allowed.
    Given an SMTP session
    And the account has a mail address
    When the client sends "VRFY ${address}"
    Then the server replies one of 250, 251, 252, 550, 551, 553

  @id:smtp/5321/3.5.1/vrfy-mailbox-form @rfc5321-3.5.1 @rfc5321-3.5.3 @should
  Scenario: VRFY of the account's address in local-part@domain form is verified or answered 252
    # 3.5.1: "hosts, especially hosts that provide this functionality,
    # SHOULD accept the "local-part@domain" form as a "user name"". 3.5.3:
    # where an address "cannot reasonably be verified in real time ...
    # reply code 252 SHOULD be returned."
    Given an SMTP session
    And the account has a mail address
    When the client sends "VRFY ${address}"
    Then the server replies one of 250, 251, 252

  @id:smtp/5321/3.5.3/vrfy-unknown-not-250 @rfc5321-3.5.3 @must-not @fault:smtp-vrfy-250
  Scenario: VRFY of a mailbox that does not exist is not answered 250
    # "A server MUST NOT return a 250 code in response to a VRFY or EXPN
    # command unless it has actually verified the address. In particular,
    # a server MUST NOT return 250 if all it has done is to verify that the
    # syntax given is valid."
    Given an SMTP session
    And the account has a mail address
    When the client sends "VRFY mailspec-nobody-${runid}@${domain}"
    Then the server does not reply 250

  @id:smtp/5321/3.5.1/vrfy-250-names-mailbox @rfc5321-3.5.1 @must
  Scenario: A 250 reply to VRFY includes the mailbox
    # "If a normal (i.e., 250) response is returned, the response MAY
    # include the full name of the user and MUST include the mailbox of the
    # user. It MUST be in either of the following forms: User Name
    # <local-part@domain> local-part@domain". (A server that does not
    # answer 250: not applicable.)
    Given an SMTP session
    And the account has a mail address
    When the client sends "VRFY ${address}"
    Then the server replies 250 unless it replies 251, 252, 4xx, 5xx, which makes the scenario not applicable
    And the reply matches "250*@*"

  @id:smtp/5321/4.1.1.6/vrfy-keeps-transaction @rfc5321-4.1.1.6 @must @fault:smtp-vrfy-resets
  Scenario: VRFY in the middle of a transaction leaves it intact
    # "This command has no effect on the reverse-path buffer, the forward-
    # path buffer, or the mail data buffer."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "VRFY ${address}"
    Then the server replies one of 2xx, 4xx, 5xx
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} VRFY in a transaction

      The transaction survived a VRFY.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.2.4/advertised-vrfy-implemented @rfc5321-4.2.4 @must-not
  Scenario: A server that lists VRFY in its EHLO reply does not answer VRFY with 500 or 502
    # "Extended SMTP systems MUST NOT list capabilities in response to
    # EHLO for which they will return 502 (or 500) replies."
    Given the server advertises VRFY
    And an SMTP session
    And the account has a mail address
    When the client sends "VRFY ${address}"
    Then the server does not reply 500, 502

  @id:smtp/5321/3.5.3/expn-unknown-not-250 @rfc5321-3.5.3 @must-not @fault:smtp-expn-250
  Scenario: EXPN of a list that does not exist is not answered 250
    # "A server MUST NOT return a 250 code in response to a VRFY or EXPN
    # command unless it has actually verified the address."
    Given an SMTP session
    When the client sends "EXPN mailspec-nobody-${runid}"
    Then the server does not reply 250

  @id:smtp/5321/4.1.1.8/help-supported @rfc5321-4.1.1.8 @rfc5321-4.3.2 @should
  Scenario: HELP without an argument is answered with 211 or 214
    # 4.1.1.8: "SMTP servers SHOULD support HELP without arguments and MAY
    # support it with arguments." 4.3.2: HELP "S: 211, 214".
    Given an SMTP session
    When the client sends "HELP"
    Then the server replies one of 211, 214
