@imap @rfc9051
Feature: IMAP SEARCH (RFC 9051 section 6.4.4)

  Three messages: "plain" (Subject "plain text test message", from Alice,
  \Flagged), "multipart" (to carol, \Seen) and "imap-nested" (the largest,
  with Sender and Reply-To).

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the message "plain" is appended with flags "(\Flagged)"
    And the message "multipart" is appended with flags "(\Seen)"
    And the message "imap-nested" is appended
    And the test mailbox is selected

  @id:imap/9051/6.4.4/search-all @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH ALL returns every message
    # ALL: "All messages in the mailbox; the default initial key for
    # ANDing."
    When the client sends "a1 SEARCH ALL"
    Then the server replies OK
    And the SEARCH result is the messages "plain", "multipart", "imap-nested"

  @id:imap/9051/6.4.4/search-flags @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH by flags: FLAGGED, SEEN, UNSEEN
    # FLAGGED: "Messages with the \Flagged flag set." UNSEEN: "Messages
    # that do not have the \Seen flag set."
    When the client sends "a1 SEARCH FLAGGED"
    Then the server replies OK
    And the SEARCH result is the messages "plain"
    When the client sends "a2 SEARCH UNSEEN"
    Then the server replies OK
    And the SEARCH result is the messages "plain", "imap-nested"
    When the client sends "a3 SEARCH SEEN"
    Then the server replies OK
    And the SEARCH result is the messages "multipart"

  @id:imap/9051/6.4.4/search-header-keys @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH by SUBJECT, FROM, TO and HEADER (substring, case-insensitive)
    # "In all search keys that use strings, a message matches the key if
    # the string is a substring of the associated text. The matching SHOULD
    # be case-insensitive for characters within the ASCII range."
    When the client sends "a1 SEARCH SUBJECT \"text test\""
    Then the server replies OK
    And the SEARCH result is the messages "plain"
    When the client sends "a2 SEARCH TO carol"
    Then the server replies OK
    And the SEARCH result is the messages "multipart"
    When the client sends "a3 SEARCH HEADER Message-ID nested-1@"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"
    When the client sends "a4 SEARCH HEADER Sender secretary"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"

  @id:imap/9051/6.4.4/search-case-insensitive @rfc9051-6.4.4 @should
  Scenario: SEARCH string matching ignores ASCII case
    # "The matching SHOULD be case-insensitive for characters within the
    # ASCII range."
    When the client sends "a1 SEARCH SUBJECT \"PLAIN TEXT\""
    Then the server replies OK
    And the SEARCH result is the messages "plain"

  @id:imap/9051/6.4.4/search-body-text @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH BODY and TEXT look into the message text
    # BODY <string>: "Messages that contain the specified string in the body
    # of the message." TEXT <string>: "Messages that contain the specified
    # string in the header (including MIME header fields) or body of the
    # message."
    When the client sends "a1 SEARCH BODY \"three lines\""
    Then the server replies OK
    And the SEARCH result is the messages "plain"
    When the client sends "a2 SEARCH TEXT \"group syntax\""
    Then the server replies OK
    And the SEARCH result is empty
    When the client sends "a3 SEARCH TEXT \"nested multipart\""
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"

  @id:imap/9051/6.4.4/search-size @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH LARGER and SMALLER compare RFC822.SIZE
    # LARGER <n>: "Messages with an RFC822.SIZE larger than the specified
    # number of octets." SMALLER <n>: "Messages with an RFC822.SIZE smaller
    # than the specified number of octets."
    When the client sends "a1 SEARCH LARGER 1000"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"
    When the client sends "a2 SEARCH SMALLER 400"
    Then the server replies OK
    And the SEARCH result is the messages "plain"

  @id:imap/9051/6.4.4/search-not-or @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH with NOT, OR and an implicit AND
    # "When multiple keys are specified, the result is the intersection
    # (AND function) of all the messages that match those keys." OR:
    # "Messages that match either search key." NOT: "Messages that do not
    # match the specified search key."
    When the client sends "a1 SEARCH OR FLAGGED SEEN"
    Then the server replies OK
    And the SEARCH result is the messages "plain", "multipart"
    When the client sends "a2 SEARCH NOT FLAGGED FROM alice"
    Then the server replies OK
    And the SEARCH result is the messages "multipart", "imap-nested"

  @id:imap/9051/6.4.4/search-sent-dates @rfc9051-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH SENTBEFORE, SENTON and SENTSINCE use the Date header
    # SENTON <date>: "Messages whose [RFC5322] Date: header (disregarding
    # time and timezone) is within the specified date."
    When the client sends "a1 SEARCH SENTON 2-Nov-2026"
    Then the server replies OK
    And the SEARCH result is the messages "plain"
    When the client sends "a2 SEARCH SENTSINCE 4-Nov-2026"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"
    When the client sends "a3 SEARCH SENTBEFORE 3-Nov-2026"
    Then the server replies OK
    And the SEARCH result is the messages "plain"

  @id:imap/9051/6.4.4/search-sequence-sets @rfc9051-6.4.4 @rfc9051-9 @must @fault:imap-search-drops-last
  Scenario: SEARCH by sequence set, with * and a reversed range
    # seq-range: "two seq-number values and all values between these two
    # regardless of order." "Example: 2:4 and 4:2 are equivalent"
    When the client sends "a1 SEARCH 3:2"
    Then the server replies OK
    And the SEARCH result is the messages "multipart", "imap-nested"
    When the client sends "a2 SEARCH *"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"

  @id:imap/3501/6.4.8/uid-search @rfc3501 @rfc3501-6.4.8 @must @fault:imap-search-drops-last
  Scenario: UID SEARCH returns UIDs
    # RFC 3501 6.4.8: "the numbers returned in a SEARCH response for a UID
    # SEARCH command are unique identifiers instead of message sequence
    # numbers."
    When the client sends "a1 UID SEARCH UNFLAGGED"
    Then the server replies OK
    And the SEARCH result is the messages "multipart", "imap-nested"
    When the client sends "a2 UID SEARCH UID ${uid_plain}"
    Then the server replies OK
    And the SEARCH result is the messages "plain"

  @id:imap/3501/6.4.4/search-charset-us-ascii @rfc3501 @rfc3501-6.4.4 @must @fault:imap-search-drops-last
  Scenario: SEARCH with CHARSET US-ASCII is supported
    # RFC 3501 6.4.4: "US-ASCII MUST be supported; other [CHARSET]s MAY be
    # supported."
    When the client sends "a1 SEARCH CHARSET US-ASCII SUBJECT nested"
    Then the server replies OK
    And the SEARCH result is the messages "imap-nested"

  @id:imap/9051/6.4.4/search-unknown-charset-no @rfc9051-6.4.4 @must @fault:imap-search-badcharset-bad
  Scenario: SEARCH with an unknown charset is refused with NO, not BAD
    # "If the server does not support the specified [CHARSET], it MUST
    # return a tagged NO response (not a BAD)."
    When the client sends "a1 SEARCH CHARSET X-MAILSPEC-UNKNOWN SUBJECT x"
    Then the server replies NO

  @id:imap/9051/6.4.4/search-badcharset-code @rfc9051-6.4.4 @should
  Scenario: The NO to an unknown charset carries BADCHARSET
    # "This response SHOULD contain the BADCHARSET response code, which MAY
    # list the [CHARSET]s supported by the server."
    When the client sends "a1 SEARCH CHARSET X-MAILSPEC-UNKNOWN SUBJECT x"
    Then the server replies NO
    And the reply matches "a1 NO [BADCHARSET*]*"
