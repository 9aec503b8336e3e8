@imap @rfc9051
Feature: IMAP APPEND (RFC 9051 section 6.3.12, RFC 4315)

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox

  @id:imap/9051/6.3.12/append-literal-stored-exactly @rfc9051-6.3.12 @must @fault:imap-literal-wrong-length
  Scenario: A message appended with a literal is stored octet for octet
    # "The APPEND command appends the literal argument as a new message to
    # the end of the specified destination mailbox." The literal's lines
    # look like IMAP responses; only the literal's length frames them.
    Given the message "imap-literal" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[] of message 1 matches the message "imap-literal"
    And the FETCH RFC822.SIZE of message 1 matches the message "imap-literal"

  @id:imap/9051/6.3.12/append-no-final-crlf @rfc9051-6.3.12 @must @fault:imap-literal-wrong-length
  Scenario: A message without a final line end is stored as appended
    # "The APPEND command appends the literal argument as a new message to
    # the end of the specified destination mailbox."
    Given the message "imap-no-final-crlf" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[] of message 1 matches the message "imap-no-final-crlf"

  @id:imap/9051/6.3.12/append-8bit @rfc9051-6.3.12 @must @fault:imap-literal-wrong-length
  Scenario: A message with an 8-bit body is stored as appended
    # "The APPEND command appends the literal argument as a new message to
    # the end of the specified destination mailbox." A literal may carry any
    # octet but NUL (section 4.3).
    Given the message "imap-encoded" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[] of message 1 matches the message "imap-encoded"

  @id:imap/9051/6.3.12/append-literal-continuation @rfc9051-6.3.12 @rfc9051-4.3 @must @fault:imap-append-refused
  Scenario: APPEND with a synchronising literal gets a continuation request, then OK
    # Section 4.3: "the server sends a command continuation request
    # indicating that it is ready to accept the literal"; 6.3.12:
    # "OK - append completed".
    Given the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox} {${size}}"
    Then the server replies +
    When the client sends the prepared message
    Then the server replies OK

  @id:imap/9051/6.3.12/append-flags-set @rfc9051-6.3.12 @should
  Scenario: The flags given to APPEND are set on the new message
    # "If a flag parenthesized list is specified, the flags SHOULD be set in
    # the resulting message"
    Given the message "plain" is appended with flags "(\Flagged \Seen)"
    And the test mailbox is selected
    Then message 1 has the flag "\Flagged"
    And message 1 has the flag "\Seen"

  @id:imap/9051/6.3.12/append-no-flags-empty @rfc9051-6.3.12 @must @fault:imap-fetch-flags-seen-added
  Scenario: A message appended without flags has none of \Seen, \Flagged, \Deleted
    # "otherwise, the flag list of the resulting message is set to empty by
    # default."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then message 1 does not have the flag "\Seen"
    And message 1 does not have the flag "\Deleted"
    And message 1 does not have the flag "\Flagged"

  @id:imap/9051/6.3.12/append-internal-date @rfc9051-6.3.12 @should
  Scenario: The date-time given to APPEND becomes the internal date
    # "If a date-time is specified, the internal date SHOULD be set in the
    # resulting message"
    Given the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox} \"11-Feb-2024 10:11:12 +0000\" {${size}}"
    Then the server replies +
    When the client sends the prepared message
    Then the server replies OK
    When the client sends "a2 EXAMINE ${mailbox}"
    Then the server replies OK
    When the client sends "a3 FETCH 1 (INTERNALDATE)"
    Then the server replies OK
    And the reply matches "* 1 FETCH (*INTERNALDATE \"11-Feb-2024 10:11:12 +0000\"*)"

  @id:imap/9051/6.3.12/append-missing-mailbox-trycreate @rfc9051-6.3.12 @must @fault:imap-trycreate-dropped
  Scenario: APPEND to a mailbox that does not exist is refused with TRYCREATE
    # "Unless it is certain that the destination mailbox can not be created,
    # the server MUST send the response code "[TRYCREATE]" as the prefix of
    # the text of the tagged NO response." A name under the test mailbox can
    # be created.
    Given the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox}-missing {${size}}"
    Then the APPEND is answered NO with TRYCREATE

  @id:imap/9051/6.3.12/append-missing-mailbox-not-created @rfc9051-6.3.12 @must-not
  Scenario: APPEND to a mailbox that does not exist does not create it
    # "If the destination mailbox does not exist, a server MUST return an
    # error, and MUST NOT automatically create the mailbox."
    Given the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox}-missing {${size}}"
    Then the APPEND is answered NO
    When the client sends "a2 LIST \"\" ${mailbox}-missing"
    Then the server replies OK
    And no line of the reply matches "\\* LIST *"

  @id:imap/9051/6.3.12/append-selected-exists @rfc9051-6.3.12 @should @fault:imap-exists-dropped-after-append
  Scenario: APPEND to the selected mailbox announces the new message with EXISTS
    # "If the mailbox is currently selected, the normal new mail actions
    # SHOULD occur. Specifically, the server SHOULD notify the client
    # immediately via an untagged EXISTS response."
    Given the message "plain" is appended
    And the test mailbox is selected
    When the message "multipart" is appended
    Then the reply matches "* 2 EXISTS"
