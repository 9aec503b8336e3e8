@imap @rfc9051
Feature: IMAP COPY and MOVE (RFC 9051 sections 6.4.7 and 6.4.8, RFC 6851)

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended with flags "(\Flagged)"
    And the test mailbox is selected

  @id:imap/9051/6.4.7/copy-to-destination @rfc9051-6.4.7 @must @fault:imap-copy-ignored
  Scenario: COPY puts the messages into the destination mailbox and leaves the source
    # "The COPY command copies the specified message(s) to the end of the
    # specified destination mailbox."
    When the client sends "a1 COPY 1:2 ${mailbox2}"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "multipart"
    When the client sends "a2 STATUS ${mailbox2} (MESSAGES)"
    Then the server replies OK
    And the reply matches "\* STATUS *(MESSAGES 2)"

  @id:imap/9051/6.4.7/copy-preserves-flags @rfc9051-6.4.7 @should
  Scenario: COPY preserves the flags of the messages
    # "The flags and internal date of the message(s) SHOULD be preserved in
    # the copy."
    When the client sends "a1 COPY 2 ${mailbox2}"
    Then the server replies OK
    When the client sends "a2 SELECT ${mailbox2}"
    Then the server replies OK
    And message 1 has the flag "\Flagged"

  @id:imap/9051/6.4.7/copy-missing-mailbox-trycreate @rfc9051-6.4.7 @must @fault:imap-trycreate-dropped
  Scenario: COPY to a mailbox that does not exist is refused with TRYCREATE
    # "If the destination mailbox does not exist, a server SHOULD return an
    # error. It SHOULD NOT automatically create the mailbox. Unless it is
    # certain that the destination mailbox can not be created, the server
    # MUST send the response code "[TRYCREATE]" as the prefix of the text of
    # the tagged NO response." (A server that creates it is not judged here.)
    When the client sends "a1 COPY 1 ${mailbox}-missing"
    Then the server refuses it with NO, or the case is not applicable
    And the reply matches "a1 NO [TRYCREATE]*"

  @id:imap/9051/6.4.8/move-removes-from-source @rfc9051-6.4.8 @rfc6851 @rfc6851-3.1 @must
  Scenario: MOVE puts the message into the destination and expunges it from the source
    # RFC 6851 3.1: "Each message included in the set is moved, rather than
    # copied, from the selected (source) mailbox to the named (target)
    # mailbox. This means that a new message is created in the target
    # mailbox with a new UID, the original message is removed from the
    # source mailbox, and it appears to the client as a single action." The
    # effect is that of COPY, STORE +FLAGS.SILENT \Deleted and EXPUNGE,
    # whose removals are announced with EXPUNGE (RFC 9051 6.4.3).
    Given the server advertises MOVE
    When the client sends "a1 MOVE 1 ${mailbox2}"
    Then the server replies OK
    And the reply matches "\* 1 EXPUNGE"
    And the selected mailbox holds the messages "multipart"
    When the client sends "a2 STATUS ${mailbox2} (MESSAGES)"
    Then the server replies OK
    And the reply matches "\* STATUS *(MESSAGES 1)"

  @id:imap/9051/6.4.8/uid-move @rfc9051-6.4.8 @rfc9051-6.4.9 @must
  Scenario: UID MOVE of two messages leaves the source empty and numbered right
    # 6.4.8: "Each message included in the set is moved, rather than
    # copied, from the selected (source) mailbox to the named (target)
    # mailbox."
    Given the server advertises MOVE
    When the client sends "a1 UID MOVE ${uid_plain},${uid_multipart} ${mailbox2}"
    Then the server replies OK
    And the selected mailbox holds no messages

  @id:imap/9051/6.4.8/move-missing-mailbox-trycreate @rfc9051-6.4.8 @must @fault:imap-trycreate-dropped
  Scenario: MOVE to a mailbox that does not exist is refused with TRYCREATE and moves nothing
    # 6.4.8: MOVE's errors are COPY's: "Unless it is certain that the
    # destination mailbox can not be created, the server MUST send the
    # response code "[TRYCREATE]" as the prefix of the text of the tagged NO
    # response." (6.4.7)
    Given the server advertises MOVE
    When the client sends "a1 MOVE 1 ${mailbox}-missing"
    Then the server refuses it with NO, or the case is not applicable
    And the reply matches "a1 NO [TRYCREATE]*"
    And the selected mailbox holds the messages "plain", "multipart"
