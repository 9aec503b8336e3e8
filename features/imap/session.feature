@imap @rfc9051
Feature: IMAP sessions: greeting, CAPABILITY, NOOP, LOGOUT, tags, command errors and states (RFC 9051, RFC 3501)

  @id:imap/9051/7.1/greeting-ok-or-preauth @rfc9051-7.1 @rfc9051-7.1.1 @must @fault:imap-a-greeting-no
  Scenario: The greeting is an untagged OK or PREAUTH
    # RFC 9051 9: "greeting = "*" SP (resp-cond-auth / resp-cond-bye)
    # CRLF", "resp-cond-auth = ("OK" / "PREAUTH") SP resp-text". A BYE
    # greeting (7.1.5) refuses the client; it ends the case as an error,
    # not a failure.
    Given an IMAP session
    Then the session is still usable

  @id:imap/9051/6.1.1/capability-lists-imap4rev2 @rfc9051-6.1.1 @rfc9051-7.2.2 @must @fault:imap-a-capability-no-version
  Scenario: CAPABILITY answers with a single untagged CAPABILITY listing IMAP4rev2 before the tagged OK
    # RFC 9051 6.1.1: "The server MUST send a single untagged CAPABILITY
    # response with "IMAP4rev2" as one of the listed capabilities before
    # the (tagged) OK response."
    Given the server advertises IMAP4rev2
    And an IMAP session
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the reply has exactly one untagged CAPABILITY response
    And the untagged CAPABILITY response lists IMAP4rev2

  @id:imap/3501/6.1.1/capability-lists-imap4rev1 @rfc3501 @rfc3501-6.1.1 @must @fault:imap-a-capability-no-version
  Scenario: An IMAP4rev1 server's CAPABILITY lists IMAP4rev1 in a single untagged CAPABILITY response
    # RFC 3501 6.1.1: "The server MUST send a single untagged CAPABILITY
    # response with "IMAP4rev1" as one of the listed capabilities before
    # the (tagged) OK response."
    Given the server advertises IMAP4rev1
    And an IMAP session
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the reply has exactly one untagged CAPABILITY response
    And the untagged CAPABILITY response lists IMAP4rev1

  @id:imap/9051/6.1.1/capability-after-login @rfc9051-6.1.1 @rfc9051-6.1 @must @fault:imap-a-capability-no-version
  Scenario: CAPABILITY is answered in the authenticated state too
    # RFC 9051 6.1: "The following commands are valid in any state:
    # CAPABILITY, NOOP, and LOGOUT." 6.1.1: "The server MUST send a single
    # untagged CAPABILITY response with "IMAP4rev2" as one of the listed
    # capabilities before the (tagged) OK response." (IMAP4rev1 for an
    # IMAP4rev1 server, RFC 3501 6.1.1.)
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the reply has exactly one untagged CAPABILITY response
    And the untagged CAPABILITY response lists one of IMAP4rev1 IMAP4rev2

  @id:imap/9051/6.1.2/noop-not-authenticated @rfc9051-6.1.2 @rfc9051-6.1 @must @fault:imap-a-noop-bad
  Scenario: NOOP succeeds in the not authenticated state
    # RFC 9051 6.1.2: "The NOOP command always succeeds.  It does nothing."
    Given an IMAP session
    When the client sends "t1 NOOP"
    Then the server replies OK

  @id:imap/9051/6.1.2/noop-selected @rfc9051-6.1.2 @rfc9051-6.1 @must @fault:imap-a-noop-bad
  Scenario: NOOP succeeds in the selected state
    # RFC 9051 6.1.2: "The NOOP command always succeeds.  It does nothing."
    # 6.1: "The following commands are valid in any state: CAPABILITY,
    # NOOP, and LOGOUT."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the test mailbox is selected
    When the client sends "t1 NOOP"
    Then the server replies OK

  @id:imap/9051/6.1.3/logout-bye-then-ok @rfc9051-6.1.3 @must @fault:imap-a-logout-no-bye
  Scenario: LOGOUT is answered with an untagged BYE before the tagged OK
    # RFC 9051 6.1.3: "The server MUST send a BYE untagged response before
    # the (tagged) OK response, and then close the network connection."
    Given an IMAP session
    When the client sends "t1 LOGOUT"
    Then the server replies OK
    And the reply has an untagged BYE response

  @id:imap/9051/6.1.3/logout-closes @rfc9051-6.1.3 @must @fault:imap-a-logout-no-close
  Scenario: After the tagged OK to LOGOUT the server closes the connection
    # RFC 9051 6.1.3: "The server MUST send a BYE untagged response before
    # the (tagged) OK response, and then close the network connection."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 LOGOUT"
    Then the server replies OK
    And the server closes the connection

  @id:imap/9051/2.2.2/tag-echoed @rfc9051-2.2.2 @must @fault:imap-tag-mismatch
  Scenario: The completion response carries the command's tag
    # RFC 9051 2.2.2: "The server completion result response indicates the
    # success or failure of the operation.  It is tagged with the same tag
    # as the client command that began the operation."
    Given an IMAP session
    When the client sends "mailspec.0042 NOOP"
    Then the server completes the command with OK

  @id:imap/9051/2.2.2/tag-odd-characters @rfc9051-2.2.2 @rfc9051-9 @must @fault:imap-tag-mismatch
  Scenario: A tag of unusual but legal characters is echoed exactly
    # RFC 9051 9: "tag = 1*<any ASTRING-CHAR except "+">", "ASTRING-CHAR =
    # ATOM-CHAR / resp-specials", "ATOM-CHAR = <any CHAR except
    # atom-specials>". 2.2.2: "It is tagged with the same tag as the client
    # command that began the operation." The tag below has no atom-special
    # and no "+".
    Given an IMAP session
    When the client sends "A.b-c_9!#$&'/:;<=>?@[^`|~ NOOP"
    Then the server completes the command with OK

  @id:imap/9051/2.2.2/tag-with-bracket @rfc9051-2.2.2 @rfc9051-9 @must
  Scenario: A tag with "]", legal in a tag though not in an atom, is echoed exactly
    # RFC 9051 9: "tag = 1*<any ASTRING-CHAR except "+">", "ASTRING-CHAR =
    # ATOM-CHAR / resp-specials", "resp-specials = "]"". 2.2.2: "It is
    # tagged with the same tag as the client command that began the
    # operation." (RFC 3501 9 has the same rules.)
    Given an IMAP session
    When the client sends "t]1 NOOP"
    Then the server completes the command with OK

  @id:imap/9051/2.2.2/tag-long @rfc9051-2.2.2 @must @fault:imap-tag-mismatch
  Scenario: A long tag is echoed exactly
    # RFC 9051 9: "tag = 1*<any ASTRING-CHAR except "+">" sets no length
    # limit. 2.2.2: "It is tagged with the same tag as the client command
    # that began the operation."
    Given an IMAP session
    When the client sends "mailspec-tag-0123456789-0123456789-0123456789-0123456789-0123456789-end NOOP"
    Then the server completes the command with OK

  @id:imap/9051/2.2.2/tag-lowercase-kept @rfc9051-2.2.2 @must @fault:imap-a-tag-uppercased
  Scenario: The tag's letter case is kept
    # RFC 9051 2.2.2: "It is tagged with the same tag as the client command
    # that began the operation." A tag is not a keyword: the server echoes
    # it as sent.
    Given an IMAP session
    When the client sends "tAgMiXeD7 noop"
    Then the server completes the command with OK

  @id:imap/9051/2.2.1/tag-reuse-accepted @rfc9051-2.2.1 @must @fault:imap-a-noop-bad
  Scenario: A tag used twice is accepted both times
    # RFC 9051 2.2.1: "the client SHOULD generate a unique tag for every
    # command, but a server MUST accept tag reuse."
    Given an IMAP session
    When the client sends "t1 NOOP"
    Then the server replies OK
    When the client sends "t1 NOOP"
    Then the server replies OK

  @id:imap/9051/2.2.2/unknown-command-bad @rfc9051-2.2.2 @rfc9051-7.1.3 @should @fault:imap-a-bad-as-no
  Scenario: An unknown command is answered BAD
    # RFC 9051 2.2.2: "There are three possible server completion
    # responses: OK (indicating success), NO (indicating failure), or BAD
    # (indicating a protocol error such as unrecognized command or command
    # syntax error)." "Any client command with a protocol syntax error,
    # including (but not limited to) missing or extraneous spaces or
    # arguments, SHOULD be rejected and the client given a BAD server
    # completion response."
    Given an IMAP session
    When the client sends "t1 XMAILSPECUNKNOWN"
    Then the server replies BAD

  @id:imap/9051/2.2.2/extraneous-argument-bad @rfc9051-2.2.2 @rfc9051-6.1.2 @should @fault:imap-a-bad-as-no
  Scenario: A command with an extraneous argument is answered BAD
    # RFC 9051 2.2.2: "Any client command with a protocol syntax error,
    # including (but not limited to) missing or extraneous spaces or
    # arguments, SHOULD be rejected and the client given a BAD server
    # completion response." NOOP takes no arguments (6.1.2).
    Given an IMAP session
    When the client sends "t1 NOOP extra"
    Then the server replies BAD

  @id:imap/9051/2.2.2/missing-argument-bad @rfc9051-2.2.2 @rfc9051-6.3.2 @should @fault:imap-a-bad-as-no
  Scenario: A command missing its argument is answered BAD
    # RFC 9051 2.2.2: "Any client command with a protocol syntax error,
    # including (but not limited to) missing or extraneous spaces or
    # arguments, SHOULD be rejected and the client given a BAD server
    # completion response." SELECT takes a mailbox name (6.3.2).
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 SELECT"
    Then the server replies BAD

  @id:imap/9051/2.2.2/extra-space-bad @rfc9051-2.2.2 @should @fault:imap-a-bad-as-no
  Scenario: A command with a doubled space is answered BAD
    # RFC 9051 2.2.1: "It is a syntax error to send a command with missing
    # or extraneous spaces or arguments." 2.2.2: "Any client command with
    # a protocol syntax error, including (but not limited to) missing or
    # extraneous spaces or arguments, SHOULD be rejected and the client
    # given a BAD server completion response."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 EXAMINE  INBOX"
    Then the server replies BAD

  @id:imap/9051/2.2.2/unbalanced-parenthesis-bad @rfc9051-2.2.2 @rfc9051-6.3.11 @should @fault:imap-a-bad-as-no
  Scenario: A list without its closing parenthesis is answered BAD
    # RFC 9051 2.2.2: "Any client command with a protocol syntax error ...
    # SHOULD be rejected and the client given a BAD server completion
    # response." 9: "status = "STATUS" SP mailbox SP "(" status-att *(SP
    # status-att) ")"".
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 STATUS INBOX (MESSAGES"
    Then the server replies BAD

  @id:imap/9051/6.3/select-before-login-refused @rfc9051-6.3 @rfc9051-3.1 @must @fault:imap-a-refusal-ok
  Scenario: SELECT in the not authenticated state is refused
    # RFC 9051 6.3: "In the authenticated state, commands that manipulate
    # mailboxes as atomic entities are permitted." 6.2: "In addition to the
    # universal commands (CAPABILITY, NOOP, and LOGOUT), the following
    # commands are valid in the not authenticated state: STARTTLS,
    # AUTHENTICATE, and LOGIN." The RFC does not say NO or BAD: either
    # passes, OK fails.
    Given an IMAP session
    When the client sends "t1 SELECT INBOX"
    Then the server replies NO or BAD

  @id:imap/9051/6.4/fetch-without-selected-mailbox-refused @rfc9051-6.4 @rfc9051-3.2 @must @fault:imap-a-refusal-ok
  Scenario: FETCH in the authenticated state, with no mailbox selected, is refused
    # RFC 9051 6.4: "In the selected state, commands that manipulate
    # messages in a mailbox are permitted." 3.2: "In the authenticated
    # state, the client is authenticated and MUST select a mailbox to
    # access before commands that affect messages will be permitted."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 FETCH 1 FLAGS"
    Then the server replies NO or BAD

  @id:imap/9051/6.4.1/close-without-selected-mailbox-refused @rfc9051-6.4.1 @rfc9051-3.2 @must @fault:imap-a-refusal-ok
  Scenario: CLOSE with no mailbox selected is refused
    # RFC 9051 3.2: "In the authenticated state, the client is
    # authenticated and MUST select a mailbox to access before commands
    # that affect messages will be permitted." CLOSE is a command of the
    # selected state (6.4.1).
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 CLOSE"
    Then the server replies NO or BAD

  @id:imap/9051/6.2/login-after-login-refused @rfc9051-6.2 @must @fault:imap-a-refusal-ok
  Scenario: LOGIN in the authenticated state is refused
    # RFC 9051 6.2: "Once authenticated (including as anonymous), it is not
    # possible to re-enter not authenticated state." LOGIN is valid only in
    # the not authenticated state.
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 LOGIN ${quser} ${qpassword}"
    Then the server replies NO or BAD

  @id:imap/9051/6.3.2/failed-select-deselects @rfc9051-6.3.2 @must @fault:imap-a-refusal-ok
  Scenario: A SELECT that fails leaves no mailbox selected
    # RFC 9051 6.3.2: "The SELECT command automatically deselects any
    # currently selected mailbox before attempting the new selection.
    # Consequently, if a mailbox is selected and a SELECT command that
    # fails is attempted, no mailbox is selected."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the test mailbox is selected
    When the client sends "t1 SELECT ${mailbox}-missing"
    Then the server replies NO
    When the client sends "t2 FETCH 1:* FLAGS"
    Then the server replies NO or BAD

  @id:imap/9051/4.3/synchronizing-literal-continuation @rfc9051-4.3 @rfc9051-7.6 @must @fault:imap-a-no-continuation
  Scenario: A synchronizing literal is answered with a command continuation request
    # RFC 9051 4.3: "In the case of synchronizing literals transmitted from
    # client to server, the client MUST wait to receive a command
    # continuation request (described later in this document) before
    # sending the octet data (and the remainder of the command)." 2.2.1:
    # "the server sends a command continuation request response if it is
    # ready for the octets (if appropriate) and the remainder of the
    # command."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 EXAMINE {5}"
    Then the server replies +
    When the client continues with "INBOX"
    Then the server replies OK
