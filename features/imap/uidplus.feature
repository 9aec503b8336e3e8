@imap @rfc4315
Feature: IMAP UIDPLUS (RFC 4315): APPENDUID and COPYUID

  Background:
    Given an IMAP session
    And the client is authenticated
    And the server advertises UIDPLUS
    And a test mailbox
    And a test mailbox

  @id:imap/4315/3/appenduid @rfc4315-3 @must @fault:imap-appenduid-swapped
  Scenario: APPEND is answered with APPENDUID: the mailbox's UIDVALIDITY and the new UID
    # "APPENDUID Followed by the UIDVALIDITY of the destination mailbox and
    # the UID assigned to the appended message in the destination mailbox,
    # indicates that the message has been appended to the destination
    # mailbox with that UID."
    Given the message "multipart" is appended
    And the message "imap-nested" is appended
    And the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox} {${size}}"
    Then the server replies +
    When the client sends the prepared message
    Then the server replies OK
    And the APPENDUID response code names the message "plain"
    When the client sends "a2 SELECT ${mailbox}"
    Then the server replies OK
    And the UID FETCH RFC822.SIZE of the message "plain" matches it

  @id:imap/4315/3/appenduid-selected @rfc4315-3 @must @fault:imap-appenduid-swapped
  Scenario: APPENDUID of an APPEND to the selected mailbox names the new message
    # "APPENDUID Followed by the UIDVALIDITY of the destination mailbox and
    # the UID assigned to the appended message in the destination mailbox"
    Given the message "multipart" is appended
    And the message "imap-nested" is appended
    And the test mailbox is selected
    And the message "plain" is prepared
    When the client sends "a1 APPEND ${mailbox} {${size}}"
    Then the server replies +
    When the client sends the prepared message
    Then the server replies OK
    And the APPENDUID response code names the message "plain"
    And the UID FETCH BODY.PEEK[HEADER] of the message "plain" matches it

  @id:imap/4315/3/copyuid @rfc4315-3 @must @fault:imap-copyuid-swapped
  Scenario: COPY is answered with COPYUID: destination UIDVALIDITY, source and destination UIDs
    # "COPYUID Followed by the UIDVALIDITY of the destination mailbox, a UID
    # set containing the UIDs of the message(s) in the source mailbox that
    # were copied to the destination mailbox and containing the UIDs
    # assigned to the copied message(s) in the destination mailbox,
    # indicates that the message(s) have been copied to the destination
    # mailbox with the stated UID(s)."
    Given the message "plain" is appended to "${mailbox2}"
    And the message "plain" is appended
    And the message "multipart" is appended
    And the test mailbox is selected
    When the client sends "a1 UID COPY ${uid_plain},${uid_multipart} ${mailbox2}"
    Then the server replies OK
    And the COPYUID response code maps the messages "plain", "multipart" to "${mailbox2}"

  @id:imap/6851/4.3/move-copyuid @rfc6851 @rfc6851-4.3 @should @fault:imap-copyuid-swapped
  Scenario: UID MOVE reports the new UIDs with COPYUID
    # RFC 6851 4.3: "Servers supporting UIDPLUS [RFC4315] SHOULD send
    # COPYUID in response to a UID MOVE command."
    Given the server advertises MOVE
    And the message "plain" is appended to "${mailbox2}"
    And the message "multipart" is appended
    And the message "imap-nested" is appended
    And the test mailbox is selected
    When the client sends "a1 UID MOVE ${uid_multipart},${uid_imap_nested} ${mailbox2}"
    Then the server replies OK
    And the COPYUID response code maps the messages "multipart", "imap-nested" to "${mailbox2}"

  @id:imap/4315/3/uids-ascending @rfc4315-3 @rfc9051 @rfc9051-2.3.1.1 @must
  Scenario: Each appended message gets a higher UID than the ones before
    # RFC 9051 2.3.1.1: "Unique identifiers are assigned in a strictly
    # ascending fashion in the mailbox"
    Given the message "plain" is appended
    And the message "multipart" is appended
    And the message "imap-nested" is appended
    When the client sends "a1 SELECT ${mailbox}"
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "multipart", "imap-nested"
