@smtp @rfc5321
Feature: SMTP mail transactions: MAIL, RCPT, RSET and their order (RFC 5321)

  @id:smtp/1123/5.2.9/null-reverse-path @rfc1123 @rfc1123-5.2.9 @rfc5321-4.1.2 @must @fault:smtp-null-sender-refused
  Scenario: A transaction with the null reverse-path MAIL FROM:<> is accepted
    # RFC 1123 5.2.9: "An empty reverse path MUST be supported." RFC 5321
    # 4.1.2: "Reverse-path = Path / "<>"".
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies one of 250, 251
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} null reverse-path

      A notification-style message.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.5.1/postmaster-without-domain @rfc5321-4.5.1 @rfc5321-2.3.5 @must
  Scenario: RCPT TO:<Postmaster> without a domain is accepted
    # 4.5.1: "The requirement to accept mail for postmaster implies that
    # RCPT commands that specify a mailbox for postmaster at any of the
    # domains for which the SMTP server provides mail service, as well as
    # the special case of "RCPT TO:<Postmaster>" (with no domain
    # specification), MUST be supported." 2.3.5: "The reserved mailbox
    # name "postmaster" may be used in a RCPT command without domain
    # qualification (see Section 4.1.1.3) and MUST be accepted if so used."
    Given an SMTP session
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<Postmaster>"
    Then the server replies one of 250, 251

  @id:smtp/5321/4.5.1/postmaster-at-domain @rfc5321-4.5.1 @must @fault:smtp-postmaster-refused
  Scenario: RCPT TO the postmaster of the account's domain is accepted
    # "Any system that includes an SMTP server supporting mail relaying or
    # delivery MUST support the reserved mailbox "postmaster" as a case-
    # insensitive local name."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<postmaster@${domain}>"
    Then the server replies one of 250, 251

  @id:smtp/5321/4.5.1/postmaster-case-insensitive @rfc5321-4.5.1 @rfc5321-4.1.1.3 @must @fault:smtp-postmaster-refused
  Scenario: The postmaster mailbox is accepted in any case
    # 4.5.1: "MUST support the reserved mailbox "postmaster" as a case-
    # insensitive local name." 4.1.1.3: "Note that, in a departure from the
    # usual rules for local-parts, the "Postmaster" string shown above is
    # treated as case-insensitive."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<PoStMaStEr@${domain}>"
    Then the server replies one of 250, 251

  @id:smtp/5321/4.1.4/mail-bad-argument-501 @rfc5321-4.1.4 @must @fault:smtp-mail-syntax-553
  Scenario: MAIL with a malformed reverse-path is refused with 501
    # "If the transaction beginning command argument is not acceptable, a
    # 501 failure reply MUST be returned and the SMTP server MUST stay in
    # the same state."
    Given an SMTP session
    When the client sends "MAIL FROM:<mailspec"
    Then the server replies 501

  @id:smtp/5321/4.1.4/mail-refused-no-transaction @rfc5321-4.1.4 @rfc5321-3.3 @must
  Scenario: After a refused MAIL no transaction is open: RCPT is refused with 503
    # 4.1.4: "a 501 failure reply MUST be returned and the SMTP server MUST
    # stay in the same state." 3.3: "If a RCPT command appears without a
    # previous MAIL command, the server MUST return a 503 "Bad sequence of
    # commands" response."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<mailspec"
    Then the server replies 501
    When the client sends "RCPT TO:<${address}>"
    Then the server replies 503

  @id:smtp/5321/4.1.2/mail-control-character-501 @rfc5321-4.1.2 @must
  Scenario: MAIL with a control character in the address is refused with 501
    # "These characters MUST NOT be used in MAIL or RCPT commands or other
    # commands that require mailbox names." (ASCII "control characters",
    # decimal 0-31 and 127) and "SMTP servers that receive a command in
    # which invalid character codes have been employed, and for which there
    # are no other reasons for rejection, MUST reject that command with a
    # 501 response"
    Given an SMTP session
    When the client sends raw "MAIL FROM:<mailspec@mailspec\x01${runid}.test>\r\n"
    Then the server replies 501

  @id:smtp/5321/4.1.4/data-without-rcpt-503 @rfc5321-4.1.4 @rfc5321-3.3 @must
  Scenario: DATA after MAIL but without RCPT is refused with 503 or 554
    # 4.1.4: "If the commands in a transaction are out of order to the
    # degree that they cannot be processed by the server, a 503 failure
    # reply MUST be returned and the SMTP server MUST stay in the same
    # state." 3.3: "If there was no MAIL, or no RCPT, command, or all such
    # commands were rejected, the server MAY return a "command out of
    # sequence" (503) or "no valid recipients" (554) reply in response to
    # the DATA command."
    Given an SMTP session
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "DATA"
    Then the server replies one of 503, 554

  @id:smtp/5321/4.1.4/data-without-mail-503 @rfc5321-4.1.4 @rfc5321-3.3 @must
  Scenario: DATA without any MAIL is refused with 503 or 554
    # 4.1.4: "If the commands in a transaction are out of order to the
    # degree that they cannot be processed by the server, a 503 failure
    # reply MUST be returned and the SMTP server MUST stay in the same
    # state." 3.3: "If there was no MAIL, or no RCPT, command, or all such
    # commands were rejected, the server MAY return a "command out of
    # sequence" (503) or "no valid recipients" (554) reply in response to
    # the DATA command."
    Given an SMTP session
    When the client sends "DATA"
    Then the server replies one of 503, 554

  @id:smtp/5321/3.3/data-after-refused-rcpt @rfc5321-3.3 @rfc5321-4.1.4 @must
  Scenario: DATA after every RCPT was refused is refused with 503 or 554
    # 3.3: "If there was no MAIL, or no RCPT, command, or all such commands
    # were rejected, the server MAY return a "command out of sequence" (503)
    # or "no valid recipients" (554) reply in response to the DATA
    # command." 4.1.4: "a 503 failure reply MUST be returned". (A server
    # that accepts the unknown recipient: not applicable.)
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<mailspec-nobody-${runid}@${domain}>"
    Then the server replies one of 4xx, 5xx unless it replies 2xx, which makes the scenario not applicable
    When the client sends "DATA"
    Then the server replies one of 503, 554

  @id:smtp/5321/4.1.4/nested-mail @rfc5321-4.1.4 @rfc5321-3.3 @must @fault:smtp-nested-mail-550
  Scenario: A MAIL inside an open transaction either restarts it (250) or is refused with 503
    # 4.1.4: "MAIL (or SEND, SOML, or SAML) MUST NOT be sent if a mail
    # transaction is already open" and "If the commands in a transaction
    # are out of order to the degree that they cannot be processed by the
    # server, a 503 failure reply MUST be returned". 3.3: MAIL "tells the
    # SMTP-receiver that a new mail transaction is starting and to reset all
    # its state tables and buffers, including any recipients or mail data."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "MAIL FROM:<>"
    Then the server replies one of 250, 503

  @id:smtp/5321/3.3/nested-mail-clears-recipients @rfc5321-3.3 @rfc5321-4.1.1.2 @must
  Scenario: A MAIL accepted inside a transaction discards the recipients given before it
    # 3.3: "This command tells the SMTP-receiver that a new mail transaction
    # is starting and to reset all its state tables and buffers, including
    # any recipients or mail data." 4.1.1.2: "This command clears the
    # reverse-path buffer, the forward-path buffer, and the mail data
    # buffer". With no recipient left, DATA is refused (3.3: 503 or 554). (A
    # server that refuses the second MAIL: not applicable.)
    Given an SMTP session
    And a mail transaction is started
    When the client sends "MAIL FROM:<>"
    Then the server replies 250 unless it replies 4xx, 5xx, which makes the scenario not applicable
    When the client sends "DATA"
    Then the server replies one of 503, 554

  @id:smtp/5321/4.1.1.5/rset-clears-transaction @rfc5321-4.1.1.5 @rfc5321-3.3 @must
  Scenario: RSET discards the transaction: RCPT after it is refused with 503
    # 4.1.1.5: "Any stored sender, recipients, and mail data MUST be
    # discarded, and all buffers and state tables cleared." 3.3: "If a
    # RCPT command appears without a previous MAIL command, the server MUST
    # return a 503 "Bad sequence of commands" response."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "RSET"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies 503

  @id:smtp/5321/4.1.1.5/rset-keeps-connection @rfc5321-4.1.1.5 @must-not @fault:smtp-rset-close
  Scenario: RSET does not close the connection
    # "An SMTP server MUST NOT close the connection as the result of
    # receiving a RSET; that action is reserved for QUIT"
    Given an SMTP session
    And a mail transaction is started
    When the client sends "RSET"
    Then the server replies 250
    And the session is still usable

  @id:smtp/5321/4.1.1/rset-argument-501 @rfc5321-4.1.1 @rfc5321-4.3.2 @should
  Scenario: RSET with an argument is rejected with 501
    # 4.1.1: "servers SHOULD reject commands containing them as having
    # invalid syntax." 4.3.2: "commands that are specified in this document
    # as not accepting arguments (DATA, RSET, QUIT) SHOULD return a 501
    # message if arguments are supplied in the absence of EHLO-advertised
    # extensions."
    Given an SMTP session
    When the client sends "RSET now"
    Then the server replies 501

  @id:smtp/5321/4.1.1/trailing-space-tolerated @rfc5321-4.1.1 @should
  Scenario: RSET followed by a trailing space is accepted
    # "(In the interest of improved interoperability, SMTP receivers SHOULD
    # tolerate trailing white space before the terminating <CRLF>.)"
    Given an SMTP session
    When the client sends raw "RSET \r\n"
    Then the server replies 250

  @id:smtp/5321/4.5.3.1.8/hundred-recipients @rfc5321-4.5.3.1.8 @must @fault:smtp-rcpt-limit-50
  Scenario: A transaction with 100 recipients is accepted
    # "The minimum total number of recipients that MUST be buffered is 100
    # recipients. Rejection of messages (for excessive recipients) with
    # fewer than 100 RCPT commands is a violation of this specification."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>" 100 times, each answered 25x
    And the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} one hundred recipients

      One hundred RCPT commands, one mailbox.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.5.3.1.10/recipient-limit-452 @rfc5321-4.5.3.1.10 @must @fault:smtp-rcpt-limit-451
  Scenario: A recipient over the advertised RCPTMAX is refused with 452 (or 5yz for a site policy)
    # "If an SMTP server has an implementation limit on the number of RCPT
    # commands and this limit is exhausted, it MUST use a response code of
    # 452 (but the client SHOULD also be prepared for a 552, as noted
    # above). If the server has a configured site-policy limitation on the
    # number of RCPT commands, it MAY instead use a 5yz response code." The
    # limit is the one the server advertises with LIMITS RCPTMAX (RFC
    # 9422); a server that accepts more anyway: not applicable.
    Given the server advertises LIMITS RCPTMAX
    And an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>" ${rcptmax} times, each answered 25x
    And the client sends "RCPT TO:<${address}>"
    Then the server replies one of 452, 5xx unless it replies 2xx, which makes the scenario not applicable

  @id:smtp/5321/4.1.2/source-route-accepted @rfc5321-4.1.2 @rfc5321-3.3 @must @fault:smtp-source-route-501
  Scenario: A forward-path with a source route is not refused as a syntax error
    # 4.1.2: "A-d-l = At-domain *( "," At-domain ) ; Note that this form,
    # the so-called "source route", MUST BE accepted, SHOULD NOT be
    # generated, and SHOULD be ignored." 3.3: "Servers MUST be prepared to
    # encounter a list of source routes in the forward-path, but they
    # SHOULD ignore the routes or MAY decline to support the relaying they
    # imply."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<@relay.mailspec.invalid:${address}>"
    Then the server does not reply 500, 501

  @id:smtp/5321/4.1.1.3/source-route-ignored @rfc5321-4.1.1.3 @rfc5321-4.1.2 @should
  Scenario: The source route of a forward-path to a local mailbox is ignored
    # 4.1.1.3: "Receiving systems MUST recognize source route syntax but
    # SHOULD strip off the source route specification and utilize the
    # domain name associated with the mailbox as if the source route had
    # not been provided."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "RCPT TO:<@relay.mailspec.invalid:${address}>"
    Then the server replies one of 250, 251
