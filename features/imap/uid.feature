@imap @rfc9051
Feature: IMAP unique identifiers and sequence sets (RFC 9051 sections 2.3.1, 6.4.9 and 9)

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended
    And the test mailbox is selected

  @id:imap/9051/6.4.9/uid-fetch-includes-uid @rfc9051-6.4.9 @must @fault:imap-fetch-uid-omitted
  Scenario: Every FETCH response to UID FETCH carries the UID
    # "the UID data item MUST be included in any FETCH response caused by a
    # UID command, regardless of whether a UID was specified as a message
    # data item to the FETCH."
    Then the UID FETCH BODY.PEEK[HEADER] of the message "multipart" matches it
    And the UID FETCH RFC822.SIZE of the message "plain" matches it

  @id:imap/9051/6.4.9/uid-store-includes-uid @rfc9051-6.4.9 @must @fault:imap-fetch-uid-omitted
  Scenario: The FETCH responses to UID STORE carry the UID
    # "the UID data item MUST be included in any FETCH response caused by a
    # UID command"
    When the client sends "a1 UID STORE ${uid_multipart} +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply matches "\* 2 FETCH (*UID ${uid_multipart}*)"

  @id:imap/9051/6.4.9/uid-fetch-missing-uid-ok @rfc9051-6.4.9 @must
  Scenario: UID FETCH of UIDs that do not exist is answered OK without data
    # "A non-existent unique identifier is ignored without any error message
    # generated. Thus, it is possible for a UID FETCH command to return an OK
    # without any data"
    When the client sends "a1 UID FETCH 4000000000 (FLAGS)"
    Then the server replies OK
    And the reply has no untagged FETCH

  @id:imap/9051/6.4.9/uid-range-star-includes-last @rfc9051-6.4.9 @rfc9051-9 @must @fault:imap-fetch-uid-omitted
  Scenario: A UID range from above the highest UID to * still names the last message
    # "a UID range of 559:* always includes the UID of the last message in
    # the mailbox, even if 559 is higher than any assigned UID value."
    When the client sends "a1 UID FETCH 4000000000:* (UID)"
    Then the server replies OK
    And the reply matches "\* 2 FETCH (*UID ${uid_multipart}*)"

  @id:imap/9051/9/sequence-range-reversed @rfc9051-9 @must
  Scenario: A reversed sequence range names the same messages
    # seq-range: "two seq-number values and all values between these two
    # regardless of order." "Example: 2:4 and 4:2 are equivalent and
    # indicate values 2, 3, and 4."
    When the client sends "a1 FETCH 2:1 (UID)"
    Then the server replies OK
    And the reply matches "\* 1 FETCH (*UID ${uid_plain}*)"
    And the reply matches "\* 2 FETCH (*UID ${uid_multipart}*)"

  @id:imap/9051/9/sequence-star-last @rfc9051-9 @must @fault:imap-rfc822-size-off-by-one
  Scenario: * names the last message
    # seq-number: ""*" represents the largest number in use. In the case of
    # message sequence numbers, it is the number of messages in a non-empty
    # mailbox."
    Then the FETCH RFC822.SIZE of message 2 matches the message "multipart"
    When the client sends "a1 FETCH * (UID)"
    Then the server replies OK
    And the reply matches "\* 2 FETCH (*UID ${uid_multipart}*)"

  @id:imap/9051/2.3.1.1/uidvalidity-nonzero @rfc9051-2.3.1.1 @rfc9051-7.1 @must @fault:imap-uidvalidity-zero
  Scenario: UIDVALIDITY is a non-zero number
    # 7.1: "UIDVALIDITY" SP nz-number; 2.3.1.1: "The unique identifier
    # validity value is sent in a UIDVALIDITY response code in an OK
    # untagged response at mailbox selection time."
    When the client sends "a1 SELECT ${mailbox}"
    Then the server replies OK
    And the reply matches "\* OK [UIDVALIDITY ${uidvalidity=*}]*"
    And the number ${uidvalidity} is greater than 0

  @id:imap/9051/2.3.1.1/uids-stable-across-sessions @rfc9051-2.3.1.1 @must
  Scenario: Another session sees the same UIDVALIDITY and UIDs
    # "The combination of mailbox name, UIDVALIDITY, and UID must refer to a
    # single, immutable (or expunged) message on that server forever."
    When the client sends "a1 SELECT ${mailbox}"
    Then the server replies OK
    And the reply matches "\* OK [UIDVALIDITY ${uidvalidity=*}]*"
    Given a second IMAP session "2" with the test mailbox examined
    When the client sends "b1 EXAMINE ${mailbox}"
    Then the server replies OK
    And the reply matches "\* OK [UIDVALIDITY ${uidvalidity}]*"
    And the selected mailbox holds the messages "plain", "multipart"
