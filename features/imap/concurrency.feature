@imap @rfc9051
Feature: IMAP sessions sharing a mailbox (RFC 9051 sections 5.2, 5.5 and 7.5.1)

  Connection "1" and a second session "2" of the same account have the
  test mailbox selected; one changes it, the other must learn of the
  change only where the RFC allows.

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended
    And the test mailbox is selected
    And a second IMAP session "2" with the test mailbox selected

  @id:imap/9051/7.5.1/no-expunge-during-fetch @rfc9051-7.5.1 @must-not @fault:imap-expunge-during-fetch
  Scenario: A message expunged by another session is not announced during FETCH
    # "An EXPUNGE response MUST NOT be sent when no command is in progress,
    # nor while responding to a FETCH, STORE, or SEARCH command."
    When the client sends "b1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "b2 EXPUNGE"
    Then the server replies OK
    When the client switches to connection "1"
    And the client sends "a1 FETCH 2 (FLAGS)"
    Then the server replies OK
    And the reply has no untagged EXPUNGE

  @id:imap/9051/7.5.1/no-expunge-during-store @rfc9051-7.5.1 @must-not @fault:imap-expunge-during-fetch
  Scenario: A message expunged by another session is not announced during STORE
    # "An EXPUNGE response MUST NOT be sent when no command is in progress,
    # nor while responding to a FETCH, STORE, or SEARCH command."
    When the client sends "b1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "b2 EXPUNGE"
    Then the server replies OK
    When the client switches to connection "1"
    And the client sends "a1 STORE 2 +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply has no untagged EXPUNGE

  @id:imap/9051/7.5.1/no-expunge-during-search @rfc9051-7.5.1 @must-not @fault:imap-expunge-during-fetch
  Scenario: A message expunged by another session is not announced during SEARCH
    # "An EXPUNGE response MUST NOT be sent when no command is in progress,
    # nor while responding to a FETCH, STORE, or SEARCH command."
    When the client sends "b1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "b2 EXPUNGE"
    Then the server replies OK
    When the client switches to connection "1"
    And the client sends "a1 SEARCH ALL"
    Then the server replies OK
    And the reply has no untagged EXPUNGE

  @id:imap/9051/5.2/expunge-on-noop @rfc9051-5.2 @rfc9051-7.5.1 @must @fault:imap-expunge-not-decremented
  Scenario: NOOP delivers the EXPUNGE of another session, numbered as the client knows the mailbox
    # 5.2: "A server MUST send mailbox size updates automatically if a
    # mailbox size change is observed during the processing of a command."
    Given the message "imap-nested" is appended
    When the client switches to connection "1"
    And the client sends "a0 NOOP"
    Then the server replies OK
    When the client switches to connection "2"
    And the client sends "b1 STORE 1:2 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "b2 EXPUNGE"
    Then the server replies OK
    When the client switches to connection "1"
    And the client sends "a1 NOOP"
    Then the server replies OK
    And the selected mailbox holds the messages "imap-nested"

  @id:imap/9051/5.2/exists-on-noop @rfc9051-5.2 @must @fault:imap-noop-exists-dropped
  Scenario: NOOP delivers the EXISTS of a message another session appended
    # 5.2: "A server MUST send mailbox size updates automatically if a
    # mailbox size change is observed during the processing of a command."
    Given the message "imap-nested" is appended
    When the client switches to connection "1"
    And the client sends "a1 NOOP"
    Then the server replies OK
    And the reply matches "\* 3 EXISTS"
    And the selected mailbox holds the messages "plain", "multipart", "imap-nested"

  @id:imap/9051/5.2/flag-update-on-noop @rfc9051-5.2 @should
  Scenario: NOOP delivers the flag change another session made
    # 5.2: "A server SHOULD send message flag updates automatically,
    # without requiring the client to request such updates explicitly."
    When the client sends "b1 STORE 2 +FLAGS (\Flagged)"
    Then the server replies OK
    When the client switches to connection "1"
    And the client sends "a1 NOOP"
    Then the server replies OK
    And the reply includes the FLAGS of message 2 with "\Flagged"

  @id:imap/9051/6.3.3/examine-session-sees-changes @rfc9051-6.3.3 @rfc9051-5.2 @must @fault:imap-noop-exists-dropped
  Scenario: A session that examined the mailbox also learns of new messages
    # 5.2: "A server MUST send mailbox size updates automatically if a
    # mailbox size change is observed during the processing of a command."
    When the client sends "b0 EXAMINE ${mailbox}"
    Then the server replies OK
    When the client switches to connection "1"
    And the message "imap-nested" is appended
    When the client switches to connection "2"
    And the client sends "b1 NOOP"
    Then the server replies OK
    And the reply matches "\* 3 EXISTS"
