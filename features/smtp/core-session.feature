@smtp @rfc5321
Feature: SMTP sessions: greeting, EHLO and HELO, QUIT, NOOP, command syntax (RFC 5321)

  @id:smtp/5321/4.2/greeting-names-host @rfc5321-4.2 @rfc5321-4.3.1 @must @fault:smtp-greeting-no-domain
  Scenario: The greeting names the server's domain or address literal first
    # RFC 5321 4.2: Greeting = ( "220 " (Domain / address-literal)
    # [ SP textstring ] CRLF ) / ( "220-" (Domain / address-literal)
    # [ SP textstring ] CRLF *( "220-" [ textstring ] CRLF ) "220" [ SP
    # textstring ] CRLF ). 4.3.1: "all the greeting-type replies have the
    # official name (the fully-qualified primary domain name) of the server
    # host as the first word following the reply code." A multi-line
    # greeting is legal; the reader checks its framing.
    Given the client connects
    Then the server replies 220
    And the reply is a well-formed greeting

  @id:smtp/5321/4.1.1.1/ehlo-reply-grammar @rfc5321-4.1.1.1 @must @fault:smtp-ehlo-bad-keyword
  Scenario: The EHLO reply names the server, then lists one extension keyword per line
    # "ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF ) / ( "250-"
    # Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF ) "250" SP
    # ehlo-line CRLF )", "ehlo-line = ehlo-keyword *( SP ehlo-param )",
    # "ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")".
    Given the client connects
    And the server replies 220
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And the reply is a well-formed EHLO reply

  @id:smtp/5321/4.2.1/ehlo-multiline-one-code @rfc5321-4.2.1 @must @fault:smtp-ehlo-code-mismatch
  Scenario: Every line of the multi-line EHLO reply carries the same code
    # "In a multiline reply, the reply code on each of the lines MUST be
    # the same."
    Given the client connects
    And the server replies 220
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And every line of the reply matches "250*"

  @id:smtp/5321/2.3.8/reply-lines-end-crlf @rfc5321-2.3.8 @must-not @fault:smtp-ehlo-bare-lf
  Scenario: The lines of the EHLO reply end in CRLF, never a bare LF
    # "Conforming implementations MUST NOT recognize or generate any other
    # character or character sequence as a line terminator." The reader
    # fails a reply line that ends in a bare LF.
    Given the client connects
    And the server replies 220
    When the client sends "EHLO ${client}"
    Then the server replies 250

  @id:smtp/5321/4.1.4/ehlo-clears-transaction @rfc5321-4.1.4 @rfc5321-3.3 @must
  Scenario: A new EHLO aborts the open transaction: RCPT after it is refused with 503
    # 4.1.4: "If it is issued after the session begins and the EHLO command
    # is acceptable to the SMTP server, the SMTP server MUST clear all
    # buffers and reset the state exactly as if a RSET command had been
    # issued." 3.3: "If a RCPT command appears without a previous MAIL
    # command, the server MUST return a 503 "Bad sequence of commands"
    # response."
    Given an SMTP session
    And the account has a mail address
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "EHLO ${client}"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies 503

  @id:smtp/5321/4.1.1.1/helo-clears-transaction @rfc5321-4.1.1.1 @rfc5321-3.3 @must
  Scenario: A new HELO aborts the open transaction: RCPT after it is refused with 503
    # 4.1.1.1: "These commands, and a "250 OK" reply to one of them,
    # confirm that both the SMTP client and the SMTP server are in the
    # initial state, that is, there is no transaction in progress and all
    # state tables and buffers are cleared." 3.3: "If a RCPT command
    # appears without a previous MAIL command, the server MUST return a 503
    # "Bad sequence of commands" response."
    Given the account has a mail address
    And the client connects
    And the server replies 220
    When the client sends "HELO ${client}"
    Then the server replies 250
    When the client sends "MAIL FROM:<>"
    Then the server replies 250
    When the client sends "HELO ${client}"
    Then the server replies 250
    When the client sends "RCPT TO:<${address}>"
    Then the server replies 503

  @id:smtp/5321/3.2/helo-reply-not-extended @rfc5321-3.2 @must-not @fault:smtp-helo-extended
  Scenario: HELO is answered without the EHLO-style list of extensions
    # "Servers MUST NOT return the extended EHLO-style response to a HELO
    # command."
    Given the client connects
    And the server replies 220
    When the client sends "HELO ${client}"
    Then the server replies 250
    And the reply lists no service extension

  @id:smtp/5321/4.1.4/refused-ehlo-keeps-state @rfc5321-4.1.4 @must @fault:smtp-refused-ehlo-resets
  Scenario: An EHLO without a domain is refused with 500, 501, 502 or 550 and the transaction stays open
    # "If the EHLO command is not acceptable to the SMTP server, 501, 500,
    # 502, or 550 failure replies MUST be returned as appropriate. The SMTP
    # server MUST stay in the same state after transmitting these replies
    # that it was in before the EHLO was received." (A server that accepts
    # the bare EHLO resets instead: not applicable.)
    Given an SMTP session
    And a mail transaction is started
    When the client sends "EHLO"
    Then the server replies one of 500, 501, 502, 550 unless it replies 2xx, which makes the scenario not applicable
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} refused EHLO

      The transaction survived a refused EHLO.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.1.1.10/quit-ends-transaction @rfc5321-4.1.1.10 @must @fault:smtp-quit-no-close
  Scenario: QUIT in the middle of a transaction is answered with 221 and the connection closes
    # "The QUIT command may be issued at any time. Any current uncompleted
    # mail transaction will be aborted." and "the receiver MUST send a
    # "221 OK" reply, and then close the transmission channel."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "QUIT"
    Then the server replies 221
    And the server closes the connection

  @id:smtp/5321/4.1.1/quit-argument-501 @rfc5321-4.1.1 @rfc5321-4.3.2 @should
  Scenario: QUIT with an argument is rejected with 501
    # 4.1.1: "Several commands (RSET, DATA, QUIT) are specified as not
    # permitting parameters. In the absence of specific extensions offered
    # by the server and accepted by the client, clients MUST NOT send such
    # parameters and servers SHOULD reject commands containing them as
    # having invalid syntax." 4.3.2: "commands that are specified in this
    # document as not accepting arguments (DATA, RSET, QUIT) SHOULD return
    # a 501 message if arguments are supplied in the absence of EHLO-
    # advertised extensions."
    Given an SMTP session
    When the client sends "QUIT now"
    Then the server replies 501

  @id:smtp/5321/4.1.1.9/noop-keeps-transaction @rfc5321-4.1.1.9 @must @fault:smtp-noop-resets
  Scenario: NOOP in the middle of a transaction leaves it intact
    # "This command does not affect any parameters or previously entered
    # commands." and "This command has no effect on the reverse-path
    # buffer, the forward-path buffer, or the mail data buffer, and it may
    # be issued at any time."
    Given an SMTP session
    And a mail transaction is started
    When the client sends "NOOP"
    Then the server replies 250
    When the client sends "DATA"
    Then the server replies 354
    When the client sends the lines:
      """
      Subject: mailspec ${runid} NOOP in a transaction

      The transaction survived a NOOP.
      .
      """
    Then the server replies 250

  @id:smtp/5321/4.1.4/noop-before-ehlo @rfc5321-4.1.4 @should
  Scenario: NOOP before EHLO is processed normally, not refused with 503
    # "The NOOP, HELP, EXPN, VRFY, and RSET commands can be used at any time
    # during a session, or without previously initializing a session. SMTP
    # servers SHOULD process these normally (that is, not return a 503
    # code) even if no EHLO command has yet been received"
    Given the client connects
    And the server replies 220
    When the client sends "NOOP"
    Then the server does not reply 503

  @id:smtp/5321/4.1.4/rset-before-ehlo @rfc5321-4.1.4 @should
  Scenario: RSET before EHLO is processed normally, not refused with 503
    # "The NOOP, HELP, EXPN, VRFY, and RSET commands can be used at any time
    # during a session, or without previously initializing a session. SMTP
    # servers SHOULD process these normally (that is, not return a 503
    # code) even if no EHLO command has yet been received"
    Given the client connects
    And the server replies 220
    When the client sends "RSET"
    Then the server does not reply 503

  @id:smtp/5321/4.1.4/vrfy-before-ehlo @rfc5321-4.1.4 @should
  Scenario: VRFY before EHLO is processed normally, not refused with 503
    # "The NOOP, HELP, EXPN, VRFY, and RSET commands can be used at any time
    # during a session, or without previously initializing a session. SMTP
    # servers SHOULD process these normally (that is, not return a 503
    # code) even if no EHLO command has yet been received"
    Given the account has a mail address
    And the client connects
    And the server replies 220
    When the client sends "VRFY ${address}"
    Then the server does not reply 503

  @id:smtp/5321/2.4/verbs-case-insensitive @rfc5321-2.4 @must @fault:smtp-case-sensitive
  Scenario: Command verbs and argument keywords are accepted in lower and mixed case
    # "Verbs and argument values (e.g., "TO:" or "to:" in the RCPT command
    # and extension name keywords) are not case sensitive, with the sole
    # exception in this specification of a mailbox local-part" and "A few
    # SMTP servers, in violation of this specification (and RFC 821)
    # require that command verbs be encoded by clients in upper case."
    Given the account has a mail address
    And the client connects
    And the server replies 220
    When the client sends "ehlo ${client}"
    Then the server replies 250
    When the client sends "mail from:<>"
    Then the server replies 250
    When the client sends "Rcpt To:<${address}>"
    Then the server replies one of 250, 251
    When the client sends "nOoP"
    Then the server replies 250
    When the client sends "rset"
    Then the server replies 250

  @id:smtp/5321/2.4/parameter-keywords-case-insensitive @rfc5321-2.4 @must @fault:smtp-case-sensitive
  Scenario: A MAIL parameter keyword and value are accepted in lower case
    # "Verbs and argument values (e.g., "TO:" or "to:" in the RCPT command
    # and extension name keywords) are not case sensitive, with the sole
    # exception in this specification of a mailbox local-part (SMTP
    # Extensions may explicitly specify case-sensitive elements)." RFC 6152
    # defines BODY=8BITMIME; its keyword and value are not case-sensitive
    # elements.
    Given the server advertises 8BITMIME
    And an SMTP session
    When the client sends "MAIL FROM:<> body=8bitmime"
    Then the server replies 250

  @id:smtp/5321/4.5.3.1.4/command-line-512 @rfc5321-4.5.3.1.4 @rfc5321-4.5.3.1 @must @fault:smtp-long-command-500
  Scenario: A command line of exactly 512 octets is accepted
    # 4.5.3.1.4: "The maximum total length of a command line including the
    # command word and the <CRLF> is 512 octets." 4.5.3.1: "Every
    # implementation MUST be able to receive objects of at least these
    # sizes." (Longer lines may be refused: 4.2.2 lists "500 Syntax error,
    # command unrecognized (This may include errors such as command line
    # too long)".)
    Given an SMTP session
    When the client sends a line of 512 octets starting with "NOOP "
    Then the server replies 250
