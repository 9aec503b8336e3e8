@imap @rfc4731
Feature: IMAP ESEARCH (RFC 4731)

  Background:
    Given an IMAP session
    And the client is authenticated
    And the server advertises ESEARCH
    And a test mailbox
    And the message "plain" is appended with flags "(\Flagged)"
    And the message "multipart" is appended
    And the message "imap-nested" is appended with flags "(\Flagged)"
    And the test mailbox is selected

  @id:imap/4731/3.1/esearch-all @rfc4731-3.1 @must @fault:imap-search-drops-last
  Scenario: SEARCH RETURN (ALL) is answered with an ESEARCH response listing the matches
    # RFC 4731 3.1: "ALL Return all message numbers/UIDs that satisfy the
    # SEARCH criteria."
    When the client sends "a1 SEARCH RETURN (ALL) FLAGGED"
    Then the server replies OK
    And the reply matches "\* ESEARCH (TAG \"a1\") ALL *"
    And the SEARCH result is the messages "plain", "imap-nested"

  @id:imap/4731/3.1/esearch-min-max-count @rfc4731-3.1 @must
  Scenario: RETURN (MIN MAX COUNT) returns the lowest and highest match and their number
    # RFC 4731 3.1: "MIN Return the lowest message number/UID that
    # satisfies the SEARCH criteria." "MAX Return the highest message
    # number/UID that satisfies the SEARCH criteria." "COUNT Return number of
    # the messages that satisfy the SEARCH criteria."
    When the client sends "a1 SEARCH RETURN (MIN MAX COUNT) FLAGGED"
    Then the server replies OK
    And the reply matches "\* ESEARCH (TAG \"a1\")*MIN 1*"
    And the reply matches "\* ESEARCH (TAG \"a1\")*MAX 3*"
    And the reply matches "\* ESEARCH (TAG \"a1\")*COUNT 2*"

  @id:imap/4731/3.1/uid-esearch-all @rfc4731-3.1 @must @fault:imap-search-drops-last
  Scenario: UID SEARCH RETURN (ALL) returns the UIDs of the matches
    # RFC 4731 3.1: "ALL Return all message numbers/UIDs that satisfy the
    # SEARCH criteria." After UID SEARCH they are UIDs.
    When the client sends "a1 UID SEARCH RETURN (ALL) FLAGGED"
    Then the server replies OK
    And the reply matches "\* ESEARCH (TAG \"a1\")*ALL *"
    And the SEARCH result is the messages "plain", "imap-nested"

  @id:imap/4731/3.1/esearch-no-match @rfc4731-3.1 @must
  Scenario: An ESEARCH without matches has no ALL, MIN or MAX, and COUNT 0
    # RFC 4731 3.1 (MIN, and likewise MAX and ALL): "If the SEARCH results
    # in no matches, the server MUST NOT include the MIN result option in the
    # ESEARCH response; however, it still MUST send the ESEARCH response."
    When the client sends "a1 SEARCH RETURN (MIN MAX COUNT ALL) SUBJECT mailspec-no-such-subject"
    Then the server replies OK
    And the reply matches "\* ESEARCH (TAG \"a1\")*"
    And no line of the reply matches "*MIN *"
    And no line of the reply matches "*MAX *"
    And no line of the reply matches "*ALL *"
    And the reply matches "\* ESEARCH (TAG \"a1\")*COUNT 0*"
