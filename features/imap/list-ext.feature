@imap @rfc5258
Feature: IMAP LIST extensions: LIST-EXTENDED, LIST-STATUS, SPECIAL-USE (RFC 5258, RFC 5819, RFC 6154, RFC 9051)

  @id:imap/5258/3/unknown-option-bad @rfc5258-3 @rfc9051 @rfc9051-6.3.9 @must @fault:imap-a-bad-as-no
  Scenario: An unknown LIST selection option is answered BAD
    # RFC 5258 3: "A server MUST respond to options it does not recognize
    # with a BAD response."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-EXTENDED
    When the client sends "t1 LIST (X-MAILSPEC-UNKNOWN) \"\" \"*\""
    Then the server replies BAD

  @id:imap/5258/3.1/recursivematch-alone-bad @rfc5258-3.1 @rfc9051 @rfc9051-6.3.9.1 @must @fault:imap-a-bad-as-no
  Scenario: RECURSIVEMATCH as the only selection option is answered BAD
    # RFC 5258 3.1: "The RECURSIVEMATCH option MUST NOT occur as the only
    # selection option (or only with REMOTE), as it only makes sense when
    # other selection options are also used.  The server MUST return BAD
    # tagged response in such case."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-EXTENDED
    When the client sends "t1 LIST (RECURSIVEMATCH) \"\" \"*\""
    Then the server replies BAD

  @id:imap/5258/3.1/subscribed-exactly @rfc5258-3.1 @must @fault:imap-a-list-dropped
  Scenario: LIST (SUBSCRIBED) lists exactly the subscribed names, with \Subscribed
    # RFC 5258 3.1: "In any case, the list MUST include exactly those
    # mailbox names that match the canonical list pattern and are
    # subscribed to." "The "\Subscribed" attribute MUST be supported and
    # MUST be accurately computed when the SUBSCRIBED selection option is
    # specified."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-EXTENDED
    And a test mailbox
    And the mailbox "${mailbox}${delim}subscribed" is created
    When the client sends "t2 SUBSCRIBE ${mailbox}${delim}subscribed"
    Then the server replies OK
    When the client sends "t3 LIST (SUBSCRIBED) \"\" ${mailbox}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}subscribed"
    And the LIST responses do not include "${mailbox}"
    And the LIST response for "${mailbox}${delim}subscribed" has the attribute \Subscribed

  @id:imap/5258/3/option-given-twice @rfc5258-3 @must @fault:imap-a-list-repeated-option-bad
  Scenario: A selection option given twice is taken as given once
    # RFC 5258 3: "The client SHOULD NOT specify any option more than once;
    # however, if the client does this, the server MUST act as if it
    # received the option only once."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-EXTENDED
    And a test mailbox
    When the client sends "t1 SUBSCRIBE ${mailbox}"
    Then the server replies OK
    When the client sends "t2 LIST (SUBSCRIBED SUBSCRIBED) \"\" ${mailbox}"
    Then the server replies OK
    And the LIST response for "${mailbox}" has the attribute \Subscribed

  @id:imap/5258/4/children-never-both @rfc5258-4 @rfc9051 @rfc9051-6.3.9.5 @must-not @fault:imap-a-list-both-children
  Scenario: No LIST response carries both \HasChildren and \HasNoChildren
    # RFC 9051 6.3.9.5: "It is an error for the server to return both a
    # \HasChildren and a \HasNoChildren attribute in the same LIST
    # response." RFC 5258 4: "It is an error for the server to return both
    # a \HasChildren and a \HasNoChildren attribute in the same LIST
    # response."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-EXTENDED
    And a test mailbox
    And the mailbox "${mailbox}${delim}kid" is created
    When the client sends "t2 LIST \"\" ${mailbox}* RETURN (CHILDREN)"
    Then the server replies OK
    And the LIST response for "${mailbox}" does not have the attribute \HasNoChildren
    And the LIST response for "${mailbox}${delim}kid" does not have the attribute \HasChildren

  @id:imap/5819/2/list-return-status @rfc5819 @rfc5819-2 @rfc9051 @rfc9051-6.3.9.2 @must @fault:imap-a-status-dropped
  Scenario: LIST RETURN (STATUS ...) sends a STATUS response for the listed mailbox
    # RFC 5819 2: "For each selectable mailbox matching the list pattern and
    # selection options, the server MUST return an untagged LIST response
    # followed by an untagged STATUS response containing the information
    # requested in the STATUS return option."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LIST-STATUS
    And a test mailbox
    When the client sends "t1 LIST \"\" ${mailbox} RETURN (STATUS (MESSAGES UIDNEXT))"
    Then the server replies OK
    And the LIST responses include "${mailbox}"
    And the STATUS response for "${mailbox}" has MESSAGES 0
    And the STATUS response for "${mailbox}" has UIDNEXT above 0

  @id:imap/6154/2/special-use-selection @rfc6154 @rfc6154-2 @must
  Scenario: LIST (SPECIAL-USE) lists only mailboxes with a special-use attribute
    # RFC 6154 2: "If the client specifies the "SPECIAL-USE" selection
    # option, the LIST command MUST return only those mailboxes that have a
    # special-use attribute set."
    Given an IMAP session
    And the client is authenticated
    And the server advertises SPECIAL-USE
    And the server advertises LIST-EXTENDED
    And a test mailbox
    When the client sends "t1 LIST (SPECIAL-USE) \"\" \"*\""
    Then the server replies OK
    And every LIST response has one of the attributes \All \Archive \Drafts \Flagged \Junk \Sent \Trash
    And the LIST responses do not include "${mailbox}"
