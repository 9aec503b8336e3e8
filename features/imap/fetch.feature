@imap @rfc9051
Feature: IMAP FETCH data items checked against the message as appended (RFC 9051 sections 6.4.5 and 7.5.2)

  Every value is compared with the judge's own parse of the message
  (package transcripts/imapmsg, built on go-message), accepting every
  reading the RFC allows.

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox

  @id:imap/9051/7.5.2/envelope-fields @rfc9051-7.5.2 @must @fault:imap-envelope-from-sender-swapped
  Scenario: ENVELOPE lists date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to and message-id
    # "The fields of the envelope structure are in the following order:
    # date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, and
    # message-id."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH ENVELOPE of message 1 matches the message "imap-nested"

  @id:imap/9051/7.5.2/envelope-defaults @rfc9051-7.5.2 @must @fault:imap-envelope-reply-to-nil
  Scenario: ENVELOPE of a message without Date, Subject, Sender, Reply-To: NIL and defaults from From
    # "If the Sender or Reply-To header fields are absent in the [RFC5322]
    # header, or are present but empty, the server sets the corresponding
    # member of the envelope to be the same value as the from member"
    Given the message "imap-minimal" is appended
    And the test mailbox is selected
    Then the FETCH ENVELOPE of message 1 matches the message "imap-minimal"

  @id:imap/9051/7.5.2/envelope-group-syntax @rfc9051-7.5.2 @must
  Scenario: ENVELOPE renders RFC 5322 groups with start and end markers
    # "[RFC5322] group syntax is indicated by a special form of address
    # structure in which the host name field is NIL. If the mailbox name
    # field is also NIL, this is an end of group marker (semicolon in RFC
    # 822 syntax). If the mailbox name field is non-NIL, this is the start of
    # a group marker, and the mailbox name field holds the group name
    # phrase."
    Given the message "imap-groups" is appended
    And the test mailbox is selected
    Then the FETCH ENVELOPE of message 1 matches the message "imap-groups"

  @id:imap/9051/7.5.2/envelope-encoded-words @rfc9051-7.5.2 @must @fault:imap-envelope-reply-to-nil
  Scenario: ENVELOPE of encoded words, quoted display names and a folded Subject
    # "This is computed by the server by parsing the [RFC5322] header into
    # the component parts, defaulting various fields as necessary."
    Given the message "imap-encoded" is appended
    And the test mailbox is selected
    Then the FETCH ENVELOPE of message 1 matches the message "imap-encoded"

  @id:imap/9051/7.5.2/bodystructure-text @rfc9051-7.5.2 @must @fault:imap-body-lines-off-by-one
  Scenario: BODYSTRUCTURE of a text/plain message: type, parameters, encoding, size and lines
    # "A body type of type TEXT contains, immediately after the basic
    # fields, the size of the body in text lines."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 1 matches the message "plain"

  @id:imap/9051/7.5.2/bodystructure-multipart @rfc9051-7.5.2 @must @fault:imap-bodystructure-size-off-by-one
  Scenario: BODYSTRUCTURE of a multipart/mixed message with an attachment
    # body size: "A number giving the size of the body in octets. Note that
    # this size is the size in its transfer encoding and not the resulting
    # size after any decoding."
    Given the message "multipart" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 1 matches the message "multipart"

  @id:imap/9051/7.5.2/bodystructure-nested @rfc9051-7.5.2 @must @fault:imap-bodystructure-size-off-by-one
  Scenario: BODYSTRUCTURE of nested multiparts and an encapsulated message/rfc822
    # "A body type of type MESSAGE and subtype RFC822 contains, immediately
    # after the basic fields, the envelope structure, body structure, and
    # size in text lines of the encapsulated message."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 1 matches the message "imap-nested"

  @id:imap/9051/7.5.2/body-without-extension-data @rfc9051-7.5.2 @must @fault:imap-bodystructure-size-off-by-one
  Scenario: BODY is the body structure without extension data
    # BODY: "A form of BODYSTRUCTURE without extension data." "Extension
    # data is never returned with the BODY fetch"
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODY of message 1 matches the message "imap-nested"

  @id:imap/9051/7.5.2/bodystructure-default-content-type @rfc9051-7.5.2 @rfc2045 @rfc2045-5.2 @must @fault:imap-body-lines-off-by-one
  Scenario: BODYSTRUCTURE of a message without Content-Type is text/plain (the MIME default)
    # "This is computed by the server by parsing the [MIME-IMB] header
    # fields, defaulting various fields as necessary." RFC 2045 5.2: "This
    # default is assumed if no Content-Type header field is specified."
    Given the message "imap-minimal" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 1 matches the message "imap-minimal"

  @id:imap/9051/7.5.2/bodystructure-extension-data @rfc9051-7.5.2 @must
  Scenario: BODYSTRUCTURE extension data: MD5, language and an 8-bit body
    # body MD5: "A string giving the body MD5 value as defined in [MD5]."
    # body language: "A string or parenthesized list giving the body
    # language value as defined in [LANGUAGE-TAGS]."
    Given the message "imap-encoded" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 1 matches the message "imap-encoded"

  @id:imap/9051/7.5.2/rfc822-size @rfc9051-7.5.2 @rfc9051-2.3.4 @must @fault:imap-rfc822-size-off-by-one
  Scenario: RFC822.SIZE is the size of the message as appended, in octets
    # RFC822.SIZE: "A number expressing the size of a message, as described
    # in Section 2.3.4."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH RFC822.SIZE of message 1 matches the message "imap-nested"

  @id:imap/9051/6.4.5/body-section-whole @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: BODY.PEEK[] is the whole message
    # "An empty section specification refers to the entire message,
    # including the header."
    Given the message "multipart" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[] of message 1 matches the message "multipart"

  @id:imap/9051/6.4.5/body-section-header-text @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: BODY.PEEK[HEADER] and BODY.PEEK[TEXT] split the message at the blank line
    # "The HEADER, HEADER.FIELDS, and HEADER.FIELDS.NOT part specifiers refer
    # to the [RFC5322] header of the message or of an encapsulated [MIME-IMT]
    # MESSAGE/RFC822 or MESSAGE/GLOBAL message." "The TEXT part specifier
    # refers to the text body of the message, omitting the [RFC5322] header."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[HEADER] of message 1 matches the message "plain"
    And the FETCH BODY.PEEK[TEXT] of message 1 matches the message "plain"

  @id:imap/9051/6.4.5/body-section-part-one @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: Part 1 of a single-part message is its body
    # "Every message has at least one part number. Non-[MIME-IMB] messages,
    # and non-multipart [MIME-IMB] messages with no encapsulated message,
    # only have a part 1."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[1] of message 1 matches the message "plain"

  @id:imap/9051/6.4.5/body-section-parts @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: Numbered parts of nested multiparts
    # "Each part of a message has a part specifier... Multipart messages are
    # assigned consecutive part numbers, as they occur in the message."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[1] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[2.1] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[2.2] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[4] of message 1 matches the message "imap-nested"

  @id:imap/9051/6.4.5/body-section-mime @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: BODY.PEEK[n.MIME] is the MIME header of the part
    # "The MIME part specifier refers to the [MIME-IMB] header for this
    # part."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[1.MIME] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[2.2.MIME] of message 1 matches the message "imap-nested"

  @id:imap/9051/6.4.5/body-section-encapsulated @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: Sections of an encapsulated message/rfc822 part
    # "The HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, and TEXT part
    # specifiers can be the sole part specifier or can be prefixed by one or
    # more numeric part specifiers, provided that the numeric part specifier
    # refers to a part of type MESSAGE/RFC822 or MESSAGE/GLOBAL."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[3] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[3.HEADER] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[3.TEXT] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[3.1] of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[3.2] of message 1 matches the message "imap-nested"

  @id:imap/9051/6.4.5/body-header-fields @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: BODY.PEEK[HEADER.FIELDS (...)] returns the named fields and the blank line
    # "The subset returned by HEADER.FIELDS contains only those header
    # fields with a field-name that matches one of the names in the list"
    # "The field-matching is case-insensitive but otherwise exact."
    Given the message "imap-encoded" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[HEADER.FIELDS (subject FROM X-Absent)] of message 1 matches the message "imap-encoded"

  @id:imap/9051/6.4.5/body-header-fields-not @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: BODY.PEEK[HEADER.FIELDS.NOT (...)] returns the other fields and the blank line
    # "similarly, the subset returned by HEADER.FIELDS.NOT contains only the
    # header fields with a non-matching field-name."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[HEADER.FIELDS.NOT (Subject Message-ID Date)] of message 1 matches the message "plain"

  @id:imap/9051/6.4.5/body-partial @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: A partial fetch returns the octets from the origin
    # "It is possible to fetch a substring of the designated text. This is
    # done by appending an open angle bracket ("<"), the octet position of
    # the first desired octet, a period, the maximum number of octets
    # desired, and a close angle bracket (">") to the part specifier."
    Given the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[]<10.30> of message 1 matches the message "imap-nested"
    And the FETCH BODY.PEEK[TEXT]<0.1000000> of message 1 matches the message "imap-nested"

  @id:imap/9051/6.4.5/body-partial-beyond-end @rfc9051-6.4.5 @must @fault:imap-literal-wrong-length
  Scenario: A partial fetch from beyond the end returns an empty string
    # "If the origin octet is beyond the end of the text, an empty string is
    # returned."
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH BODY.PEEK[TEXT]<100000.10> of message 1 matches the message "plain"

  @id:imap/9051/6.4.5/body-peek-keeps-unseen @rfc9051-6.4.5 @must-not @fault:imap-peek-sets-seen
  Scenario: BODY.PEEK[] does not set \Seen
    # BODY.PEEK: "An alternate form of BODY[<section>] that does not
    # implicitly set the \Seen flag."
    Given the message "plain" is appended
    And the test mailbox is selected
    When the client sends "a1 FETCH 1 (BODY.PEEK[])"
    Then the server replies OK
    And message 1 does not have the flag "\Seen"

  @id:imap/9051/6.4.5/body-sets-seen @rfc9051-6.4.5 @must @fault:imap-fetch-flags-seen-dropped
  Scenario: BODY[] in a read-write mailbox sets \Seen
    # BODY[<section>]<<partial>>: "The \Seen flag is implicitly set; if this
    # causes the flags to change, they SHOULD be included as part of the
    # FETCH responses."
    Given the message "plain" is appended
    And the test mailbox is selected
    When the client sends "a1 FETCH 1 (BODY[TEXT])"
    Then the server replies OK
    And message 1 has the flag "\Seen"

  @id:imap/9051/6.4.5/fetch-fast-macro @rfc9051-6.4.5 @must
  Scenario: The FAST macro returns FLAGS, INTERNALDATE and RFC822.SIZE
    # FAST: "Macro equivalent to: (FLAGS INTERNALDATE RFC822.SIZE)"
    Given the message "plain" is appended
    And the test mailbox is selected
    When the client sends "a1 FETCH 1 FAST"
    Then the server replies OK
    And the reply matches "* 1 FETCH (*FLAGS (*)*)"
    And the reply matches "* 1 FETCH (*INTERNALDATE \"*\"*)"
    And the reply matches "* 1 FETCH (*RFC822.SIZE *)"

  @id:imap/3516/4.2/binary-decoded @rfc3516 @rfc3516-4.2 @must @fault:imap-literal-wrong-length
  Scenario: BINARY[n] returns the part with its transfer encoding removed
    # RFC 3516 4.2: "BINARY[<section-binary>]<<partial>> Requests that the
    # specified section be transmitted after performing Content-Transfer-
    # Encoding-related decoding."
    Given the server advertises BINARY
    And the message "multipart" is appended
    And the test mailbox is selected
    Then the FETCH BINARY.PEEK[1] of message 1 matches the message "multipart"
    And the FETCH BINARY.PEEK[2] of message 1 matches the message "multipart"

  @id:imap/3516/4.2/binary-size @rfc3516 @rfc3516-4.2 @must
  Scenario: BINARY.SIZE[n] is the size of the decoded part
    # RFC 3516 4.2: "BINARY.SIZE[<section-binary>] Requests the decoded size
    # of the section (i.e., the size to expect in response to the
    # corresponding FETCH BINARY request)."
    Given the server advertises BINARY
    And the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BINARY.SIZE[4] of message 1 matches the message "imap-nested"
    And the FETCH BINARY.SIZE[1] of message 1 matches the message "imap-nested"
