@imap @rfc7162
Feature: IMAP CONDSTORE basics (RFC 7162)

  Background:
    Given an IMAP session
    And the client is authenticated
    And the server advertises CONDSTORE
    And a test mailbox
    And the message "plain" is appended
    And the message "multipart" is appended

  @id:imap/7162/7/highestmodseq-nonzero @rfc7162-7 @must
  Scenario: SELECT (CONDSTORE) reports a HIGHESTMODSEQ that is a positive number
    # RFC 7162 7: "mod-sequence-value = 1*DIGIT ;; Positive unsigned 63-bit
    # integer (mod-sequence) ;; (1 <= n <= 9,223,372,036,854,775,807)."
    When the client sends "a1 SELECT ${mailbox} (CONDSTORE)"
    Then the server replies OK
    And the reply matches "\* OK [HIGHESTMODSEQ ${highestmodseq=*}]*" or the case is not applicable
    And the number ${highestmodseq} is greater than 0

  @id:imap/7162/7/fetch-modseq-nonzero @rfc7162-7 @must
  Scenario: FETCH MODSEQ returns a positive mod-sequence for each message
    # RFC 7162 7: "fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")""
    # and "permsg-modsequence = mod-sequence-value", a positive number.
    When the client sends "a1 SELECT ${mailbox} (CONDSTORE)"
    Then the server replies OK
    When the client sends "a2 FETCH 2 (MODSEQ)"
    Then the server replies OK
    And the reply matches "\* 2 FETCH (*MODSEQ (${modseq=*})*)"
    And the number ${modseq} is greater than 0

  @id:imap/7162/3.1/store-fetch-modseq @rfc7162-3.1 @must
  Scenario: After a CONDSTORE enabling command, the FETCH responses of STORE carry MODSEQ
    # RFC 7162 3.1: "Once a client issues a CONDSTORE enabling command, it
    # has announced itself as a "CONDSTORE-aware client". The server MUST
    # then include mod-sequence data in all subsequent untagged FETCH
    # responses (until the connection is closed), whether they were caused
    # by a regular STORE, a STORE with an UNCHANGEDSINCE modifier, or an
    # external agent." "a SELECT or EXAMINE command with the CONDSTORE
    # parameter" is such a command.
    When the client sends "a1 SELECT ${mailbox} (CONDSTORE)"
    Then the server replies OK
    When the client sends "a2 STORE 1 +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply matches "\* 1 FETCH (*MODSEQ (*)*)"

  @id:imap/7162/3.2.4/store-fetch-uid-qresync @rfc7162-3.2.4 @must
  Scenario: On a QRESYNC server, the FETCH responses of STORE after SELECT (CONDSTORE) carry UID too
    # RFC 7162 3.2.4 (Additional Requirements on QRESYNC Servers): "Once a
    # CONDSTORE enabling command is issued by the client, the server MUST
    # automatically include both UID and mod-sequence data in all
    # subsequent untagged FETCH responses (until the connection is closed),
    # whether they were caused by a regular STORE/UID STORE, [...]".
    # Servers with CONDSTORE but not QRESYNC "SHOULD comply": not asserted.
    Given the server advertises QRESYNC
    When the client sends "a1 SELECT ${mailbox} (CONDSTORE)"
    Then the server replies OK
    When the client sends "a2 STORE 1 +FLAGS (\Flagged)"
    Then the server replies OK
    And the reply matches "\* 1 FETCH (*UID ${uid_plain}*)"
    And the reply matches "\* 1 FETCH (*MODSEQ (*)*)"
