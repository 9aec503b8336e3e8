@imap @rfc9051
Feature: IMAP STORE (RFC 9051 section 6.4.6)

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended
    And the test mailbox is selected

  @id:imap/9051/6.4.6/store-flags-returns-fetch @rfc9051-6.4.6 @must @fault:imap-store-no-fetch
  Scenario: STORE FLAGS replaces the flags and returns them in an untagged FETCH
    # FLAGS <flag list>: "Replace the flags for the message with the
    # argument. The new value of the flags is returned as if a FETCH of those
    # flags was done."
    When the client sends "a1 STORE 1 FLAGS (\Flagged \Draft)"
    Then the server replies OK
    And the reply includes the FLAGS of message 1 with "\Flagged \Draft"
    And message 1 has the flag "\Flagged"
    And message 1 has the flag "\Draft"

  @id:imap/9051/6.4.6/store-add-flags @rfc9051-6.4.6 @must @fault:imap-store-no-fetch
  Scenario: STORE +FLAGS adds flags and returns the new value
    # +FLAGS <flag list>: "Add the argument to the flags for the message.
    # The new value of the flags is returned as if a FETCH of those flags was
    # done."
    When the client sends "a1 STORE 2 FLAGS (\Answered)"
    Then the server replies OK
    When the client sends "a2 STORE 2 +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply includes the FLAGS of message 2 with "\Answered \Flagged"

  @id:imap/9051/6.4.6/store-remove-flags @rfc9051-6.4.6 @must @fault:imap-store-no-fetch
  Scenario: STORE -FLAGS removes flags and returns the new value
    # -FLAGS <flag list>: "Remove the argument from the flags for the
    # message. The new value of the flags is returned as if a FETCH of those
    # flags was done."
    When the client sends "a1 STORE 1 FLAGS (\Answered \Flagged)"
    Then the server replies OK
    When the client sends "a2 STORE 1 -FLAGS (\Flagged)"
    Then the server replies OK
    And the reply includes the FLAGS of message 1 with "\Answered"
    And message 1 does not have the flag "\Flagged"

  @id:imap/9051/6.4.6/store-silent-no-fetch @rfc9051-6.4.6 @must @fault:imap-store-silent-fetch
  Scenario: STORE +FLAGS.SILENT sets the flag without returning it
    # +FLAGS.SILENT <flag list>: "Equivalent to +FLAGS, but without
    # returning a new value."
    When the client sends "a1 STORE 1 +FLAGS.SILENT (\Flagged)"
    Then the server replies OK
    And the reply has no untagged FETCH
    And message 1 has the flag "\Flagged"

  @id:imap/9051/6.4.6/store-sequence-range @rfc9051-6.4.6 @rfc9051-9 @must @fault:imap-store-no-fetch
  Scenario: STORE on the range 1:* changes every message
    # seq-number: ""*" represents the largest number in use."
    When the client sends "a1 STORE 1:* +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply includes the FLAGS of message 1 with "\Flagged"
    And the reply includes the FLAGS of message 2 with "\Flagged"

  @id:imap/9051/6.4.6/store-keyword @rfc9051-6.4.6 @rfc9051-2.3.2 @must @fault:imap-store-no-fetch
  Scenario: A keyword the server accepts is stored and returned
    # 2.3.2: "A keyword is defined by the server implementation. Keywords
    # do not begin with "\"." Only where PERMANENTFLAGS has \* (the client
    # can create keywords).
    When the client sends "a2 SELECT ${mailbox}"
    Then the server replies OK
    And the reply matches "* OK [PERMANENTFLAGS (*\\**)]*" or the case is not applicable
    When the client sends "a3 STORE 1 +FLAGS ($MailspecKeyword)"
    Then the server replies OK
    And the reply includes the FLAGS of message 1 with "$MailspecKeyword"
    And message 1 has the flag "$MailspecKeyword"

  @id:imap/9051/6.3.3/examine-store-refused @rfc9051-6.3.3 @must-not
  Scenario: STORE in a mailbox opened with EXAMINE does not change the flags
    # 6.3.3: "The EXAMINE command is identical to SELECT and returns the
    # same output; however, the selected mailbox is identified as read-only.
    # No changes to the permanent state of the mailbox, including per-user
    # state, are permitted."
    When the client sends "a1 EXAMINE ${mailbox}"
    Then the server replies OK
    When the client sends "a2 STORE 1 +FLAGS (\Flagged)"
    Then the server replies OK or NO
    And message 1 does not have the flag "\Flagged"

  @id:imap/9051/6.3.3/examine-body-keeps-unseen @rfc9051-6.3.3 @must-not
  Scenario: BODY[] in a mailbox opened with EXAMINE does not set \Seen
    # 6.3.3: "No changes to the permanent state of the mailbox, including
    # per-user state, are permitted."
    When the client sends "a1 EXAMINE ${mailbox}"
    Then the server replies OK
    When the client sends "a2 FETCH 1 (BODY[])"
    Then the server replies OK
    When the client sends "a3 SELECT ${mailbox}"
    Then the server replies OK
    And message 1 does not have the flag "\Seen"
