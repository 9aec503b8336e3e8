@imap @rfc9051
Feature: IMAP EXPUNGE, CLOSE and UNSELECT (RFC 9051 sections 6.4.1 to 6.4.3, 7.5.1)

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended
    And the message "imap-nested" is appended
    And the test mailbox is selected

  @id:imap/9051/6.4.3/expunge-removes-deleted @rfc9051-6.4.3 @must @fault:imap-expunge-ignored
  Scenario: EXPUNGE removes exactly the messages flagged \Deleted
    # "The EXPUNGE command permanently removes all messages that have the
    # \Deleted flag set from the currently selected mailbox."
    When the client sends "a1 STORE 2 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 EXPUNGE"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "imap-nested"

  @id:imap/9051/6.4.3/expunge-responses @rfc9051-6.4.3 @must @fault:imap-expunge-dropped
  Scenario: EXPUNGE sends an untagged EXPUNGE for each removed message before the OK
    # "Before returning an OK to the client, an untagged EXPUNGE response is
    # sent for each message that is removed."
    When the client sends "a1 STORE 3 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 EXPUNGE"
    Then the server replies OK
    And the reply matches "\* 3 EXPUNGE"

  @id:imap/9051/7.5.1/expunge-numbering @rfc9051-7.5.1 @must @fault:imap-expunge-not-decremented
  Scenario: Successive EXPUNGE responses use the numbers as already decremented
    # "The message sequence number for each successive message in the
    # mailbox is immediately decremented by 1, and this decrement is
    # reflected in message sequence numbers in subsequent responses
    # (including other untagged EXPUNGE responses)."
    When the client sends "a1 STORE 1:2 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 EXPUNGE"
    Then the server replies OK
    And the selected mailbox holds the messages "imap-nested"

  @id:imap/9051/6.4.1/close-expunges-silently @rfc9051-6.4.1 @must @fault:imap-close-sends-expunge
  Scenario: CLOSE removes the \Deleted messages without untagged EXPUNGE responses
    # "The CLOSE command permanently removes all messages that have the
    # \Deleted flag set from the currently selected mailbox, and it returns
    # to the authenticated state from the selected state. No untagged
    # EXPUNGE responses are sent."
    When the client sends "a1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 CLOSE"
    Then the server replies OK
    And the reply has no untagged EXPUNGE
    When the client sends "a3 SELECT ${mailbox}"
    Then the server replies OK
    And the selected mailbox holds the messages "multipart", "imap-nested"

  @id:imap/9051/6.4.1/close-read-only-keeps @rfc9051-6.4.1 @must-not
  Scenario: CLOSE of a mailbox opened with EXAMINE removes nothing
    # "No messages are removed, and no error is given, if the mailbox is
    # selected by an EXAMINE command or is otherwise selected as read-only."
    When the client sends "a1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 EXAMINE ${mailbox}"
    Then the server replies OK
    When the client sends "a3 CLOSE"
    Then the server replies OK
    When the client sends "a4 SELECT ${mailbox}"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "multipart", "imap-nested"

  @id:imap/9051/6.4.2/unselect-keeps-deleted @rfc9051-6.4.2 @must-not @fault:imap-unselect-expunges
  Scenario: UNSELECT leaves the \Deleted messages in the mailbox
    # "This command performs the same actions as CLOSE, except that no
    # messages are permanently removed from the currently selected mailbox."
    Given the server advertises UNSELECT
    When the client sends "a1 STORE 2 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 UNSELECT"
    Then the server replies OK
    When the client sends "a3 SELECT ${mailbox}"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "multipart", "imap-nested"

  @id:imap/9051/6.4.2/unselect-leaves-selected-state @rfc9051-6.4.2 @must @fault:imap-unselect-ignored
  Scenario: After UNSELECT, commands of the selected state are refused
    # "The UNSELECT command frees a session's resources associated with the
    # selected mailbox and returns the server to the authenticated state."
    Given the server advertises UNSELECT
    When the client sends "a1 UNSELECT"
    Then the server replies OK
    When the client sends "a2 FETCH 1 (FLAGS)"
    Then the server replies BAD or NO

  @id:imap/4315/2.1/uid-expunge-only-listed @rfc4315 @rfc4315-2.1 @must @fault:imap-uid-expunge-all
  Scenario: UID EXPUNGE removes only the listed \Deleted messages
    # RFC 4315 2.1: "The UID EXPUNGE command permanently removes all
    # messages that both have the \Deleted flag set and have a UID that is
    # included in the specified sequence set from the currently selected
    # mailbox."
    Given the server advertises UIDPLUS
    When the client sends "a1 STORE 1:3 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a2 UID EXPUNGE ${uid_multipart}"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "imap-nested"
