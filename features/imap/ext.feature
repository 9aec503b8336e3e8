@imap
Feature: IMAP ENABLE, ID and literals: LITERAL+ and LITERAL- (RFC 5161, RFC 9051, RFC 2971, RFC 7888)

  @id:imap/5161/3.1/enabled-response-sent @rfc5161 @rfc5161-3.1 @rfc9051 @rfc9051-6.3.1 @must @fault:imap-a-enable-no-enabled
  Scenario: ENABLE is answered with an untagged ENABLED response, even when nothing was enabled
    # RFC 5161 3.1: "If the ENABLE command is successful, the server MUST
    # send an untagged ENABLED response (see Section 3.2)." RFC 9051 6.3.1:
    # "The ENABLED response is sent even if no extensions were enabled."
    Given an IMAP session
    And the client is authenticated
    And the server advertises ENABLE or IMAP4rev2
    When the client sends "t1 ENABLE X-MAILSPEC-UNKNOWN"
    Then the server replies OK
    And the reply has an untagged ENABLED response

  @id:imap/5161/3.1/unknown-extension-ignored @rfc5161 @rfc5161-3.1 @rfc9051 @rfc9051-6.3.1 @must @fault:imap-a-enable-echo
  Scenario: ENABLE ignores an extension the server does not know
    # RFC 5161 3.1: "If the argument is not an extension known to the
    # server, the server MUST ignore the argument." 3.2: "The capability
    # listing contains a space-separated listing of capability names that
    # the server supports and that were successfully enabled."
    Given an IMAP session
    And the client is authenticated
    And the server advertises ENABLE or IMAP4rev2
    When the client sends "t1 ENABLE X-MAILSPEC-UNKNOWN"
    Then the server replies OK
    And the untagged ENABLED response does not list X-MAILSPEC-UNKNOWN

  @id:imap/5161/3.1/enable-condstore-listed @rfc5161 @rfc5161-3.1 @rfc5161-3.2 @rfc7162 @rfc7162-3.1 @must
  Scenario: ENABLE CONDSTORE lists CONDSTORE in the ENABLED response
    # RFC 5161 3.1: "If the argument is an extension that is supported by
    # the server and that needs to be enabled, the server MUST enable the
    # extension for the duration of the connection." 3.2: "The capability
    # listing contains a space-separated listing of capability names that
    # the server supports and that were successfully enabled."
    Given an IMAP session
    And the client is authenticated
    And the server advertises CONDSTORE
    When the client sends "t1 ENABLE CONDSTORE"
    Then the server replies OK
    And the untagged ENABLED response lists CONDSTORE

  @id:imap/6855/3/enable-utf8-accept-listed @rfc6855 @rfc6855-3 @rfc5161 @rfc5161-3.2 @must @fault:imap-a-enable-no-enabled
  Scenario: ENABLE UTF8=ACCEPT lists UTF8=ACCEPT in the ENABLED response
    # RFC 6855 3: "A client MUST use the "ENABLE" command [RFC5161] with the
    # "UTF8=ACCEPT" option (defined in Section 4 below) to indicate to the
    # server that the client accepts UTF-8 in quoted-strings and supports
    # the "UTF8=ACCEPT" extension." RFC 5161 3.2: "The capability listing
    # contains a space-separated listing of capability names that the
    # server supports and that were successfully enabled."
    Given an IMAP session
    And the client is authenticated
    And the server advertises UTF8=ACCEPT
    When the client sends "t1 ENABLE UTF8=ACCEPT"
    Then the server replies OK
    And the untagged ENABLED response lists UTF8=ACCEPT

  @id:imap/5161/3.1/enabled-only-newly-condstore @rfc5161 @rfc5161-3.1 @rfc9051 @rfc9051-6.3.1 @should
  Scenario: The ENABLED response to a second ENABLE does not repeat CONDSTORE enabled by the first
    # RFC 5161 3.1: "When multiple ENABLE commands are issued, each
    # corresponding ENABLED response SHOULD only contain extensions enabled
    # by the corresponding ENABLE command." RFC 9051 6.3.1: "for the above
    # example, the ENABLED response to "ENABLE c" should not contain "a" or
    # "b"."
    Given an IMAP session
    And the client is authenticated
    And the server advertises CONDSTORE
    When the client sends "t1 ENABLE CONDSTORE"
    Then the server replies OK
    When the client sends "t2 ENABLE X-MAILSPEC-UNKNOWN"
    Then the server replies OK
    And the untagged ENABLED response does not list CONDSTORE

  @id:imap/5161/3.1/enabled-only-newly-utf8 @rfc5161 @rfc5161-3.1 @rfc6855 @rfc6855-3 @should @fault:imap-a-enable-sticky
  Scenario: The ENABLED response to a second ENABLE does not repeat UTF8=ACCEPT enabled by the first
    # RFC 5161 3.1: "When multiple ENABLE commands are issued, each
    # corresponding ENABLED response SHOULD only contain extensions enabled
    # by the corresponding ENABLE command."
    Given an IMAP session
    And the client is authenticated
    And the server advertises UTF8=ACCEPT
    When the client sends "t1 ENABLE UTF8=ACCEPT"
    Then the server replies OK
    When the client sends "t2 ENABLE X-MAILSPEC-UNKNOWN"
    Then the server replies OK
    And the untagged ENABLED response does not list UTF8=ACCEPT

  @id:imap/5161/3.1/capabilities-unchanged-by-enable @rfc5161 @rfc5161-3.1 @rfc9051 @rfc9051-6.3.1 @must-not @fault:imap-a-capability-grows
  Scenario: ENABLE does not change the CAPABILITY list
    # RFC 5161 3.1: "The server MUST NOT change the CAPABILITY list as a
    # result of executing ENABLE; i.e., a CAPABILITY command issued right
    # after an ENABLE command MUST list the same capabilities as a
    # CAPABILITY command issued before the ENABLE command."
    Given an IMAP session
    And the client is authenticated
    And the server advertises ENABLE or IMAP4rev2
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the untagged CAPABILITY response is remembered as "before"
    When the client sends "t2 ENABLE CONDSTORE UTF8=ACCEPT X-MAILSPEC-UNKNOWN"
    Then the server replies OK
    When the client sends "t3 CAPABILITY"
    Then the server replies OK
    And the untagged CAPABILITY response lists the capabilities remembered as "before"

  @id:imap/5161/3.1/enable-without-argument-bad @rfc5161 @rfc5161-3.1 @rfc5161-4 @rfc9051 @rfc9051-2.2.2 @should
  Scenario: ENABLE without an argument is answered BAD
    # RFC 5161 3.1: "BAD: No arguments, or syntax error in an argument". 4:
    # "command-any =/ "ENABLE" 1*(SP capability)". RFC 9051 2.2.2: "Any
    # client command with a protocol syntax error ... SHOULD be rejected
    # and the client given a BAD server completion response."
    Given an IMAP session
    And the client is authenticated
    And the server advertises ENABLE or IMAP4rev2
    When the client sends "t1 ENABLE"
    Then the server replies BAD

  @id:imap/2971/3.2/id-nil-answered @rfc2971 @rfc2971-3.1 @rfc2971-3.2 @must
  Scenario: ID NIL is answered with an untagged ID response and OK
    # RFC 2971 3.1: "The client may also send NIL instead of the list,
    # indicating that it wants to send no information, but would still
    # accept a server response." 3.2: "A server MUST send a tagged ID
    # response to an ID command.  However, a server MAY send NIL in place
    # of the list." (The ID response is untagged: "id_response ::= "ID"
    # SPACE id_params_list", sent as response_data.)
    Given an IMAP session
    And the server advertises ID
    When the client sends "t1 ID NIL"
    Then the server replies OK
    And the reply has exactly one untagged ID response

  @id:imap/2971/3.1/id-list-answered @rfc2971 @rfc2971-3.1 @rfc2971-3.2 @must
  Scenario: ID with a parameter list is answered with an untagged ID response and OK, also after login
    # RFC 2971 3.1: "This command is valid in any state." 3.2: "A server
    # MUST send a tagged ID response to an ID command."
    Given an IMAP session
    And the client is authenticated
    And the server advertises ID
    When the client sends "t1 ID (\"name\" \"mailspec\" \"version\" \"1\" \"vendor\" NIL)"
    Then the server replies OK
    And the reply has exactly one untagged ID response

  @id:imap/2971/4/id-empty-list-accepted @rfc2971 @rfc2971-4 @should
  Scenario: ID with an empty list is accepted
    # RFC 2971 4: "id_params_list ::= "(" #(string SPACE nstring) ")" /
    # nil". In the augmented BNF the RFC uses, "#" allows zero elements, so
    # "()" is well-formed; 3.1: "BAD   command unknown or arguments
    # invalid".
    Given an IMAP session
    And the server advertises ID
    When the client sends "t1 ID ()"
    Then the server replies OK

  @id:imap/7888/5/not-both-literal-plus-and-minus @rfc7888 @rfc7888-5 @must-not
  Scenario: LITERAL+ and LITERAL- are never advertised together
    # RFC 7888 5: "Because LITERAL- is a more restricted version of
    # LITERAL+, IMAP servers MUST NOT advertise both of these capabilities
    # at the same time."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LITERAL+
    When the client sends "t1 CAPABILITY"
    Then the server replies OK
    And the untagged CAPABILITY response does not list LITERAL-

  @id:imap/7888/3/non-synchronizing-literal-not-a-command @rfc7888 @rfc7888-3 @must @fault:imap-a-literal-plus-dropped
  Scenario: The octets of a non-synchronizing literal are never run as a command
    # RFC 7888 3: "This sequence (if found by the receiver) is the octet
    # count of a non-synchronizing literal, and the server MUST treat the
    # specified number of following octets and the following line (as
    # defined in [RFC3501]) as part of the same command." The literal names
    # a mailbox "t2 NOOP": EXAMINE finds none; a server that misparsed it
    # would answer a command "t2".
    Given an IMAP session
    And the client is authenticated
    And the server advertises LITERAL+ or LITERAL-
    When the client sends raw "t1 EXAMINE {7+}\r\nt2 NOOP\r\n"
    Then the server replies NO
    And no reply arrives within 500 ms

  @id:imap/7888/3/non-synchronizing-literal-no-continuation @rfc7888 @rfc7888-3 @rfc9051 @rfc9051-4.3 @must @fault:imap-a-continuation-for-literal-plus
  Scenario: A non-synchronizing literal is read without a command continuation request
    # RFC 7888 3: "The server does not generate a command continuation
    # request in response to a non-synchronizing literal, and clients are
    # not required to wait before sending the octets of a
    # non-synchronizing literal."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LITERAL+ or LITERAL-
    When the client sends raw "t1 EXAMINE {5+}\r\nINBOX\r\n"
    Then the server replies OK
    And the tagged response has the code READ-ONLY

  @id:imap/7888/3/large-literal-plus-accepted @rfc7888 @rfc7888-3 @rfc7888-4 @must
  Scenario: Under LITERAL+ a non-synchronizing literal of more than 4096 octets is accepted
    # RFC 7888 3: "Non-synchronizing literals may be used with any IMAP
    # server implementation that returns "LITERAL+" or "LITERAL-" as one of
    # the supported capabilities to the CAPABILITY command." 5: "The
    # LITERAL- extension is almost identical to LITERAL+, with one
    # exception: when LITERAL- is advertised, non-synchronizing literals
    # used in any command MUST NOT be larger than 4096 bytes." The message
    # goes to the test mailbox, deleted after the case.
    Given an IMAP session
    And the client is authenticated
    And the server advertises LITERAL+
    And the server does not advertise LITERAL-
    And a test mailbox
    When the client sends raw "t1 APPEND ${mailbox} {5000+}\r\n"
    And the client continues with a line of 5002 octets starting with "Subject: mailspec LITERAL+\r\nX-Mailspec-Run: ${runid}\r\n\r\n"
    Then the server replies OK

  @id:imap/7888/5/literal-minus-toobig @rfc7888 @rfc7888-5 @rfc7888-4 @rfc9051 @rfc9051-4.3 @must
  Scenario: Under LITERAL- a non-synchronizing literal of more than 4096 octets in APPEND is refused with TOOBIG
    # RFC 7888 5: "A server that is compliant with LITERAL- and encounters
    # a non-synchronizing literal larger than 4096 bytes proceeds as
    # described in Section 4.  If responding to an APPEND command, the
    # tagged BAD response MUST contain the TOOBIG response code [RFC4469].
    # If responding with an untagged BYE response, it SHOULD include the
    # TOOBIG response code."
    Given an IMAP session
    And the client is authenticated
    And the server advertises LITERAL-
    And the server does not advertise LITERAL+
    And a test mailbox
    When the client sends raw "t1 APPEND ${mailbox} {4097+}\r\n"
    And the client continues with a line of 4099 octets starting with "Subject: mailspec LITERAL-\r\nX-Mailspec-Run: ${runid}\r\n\r\n"
    Then the server refuses the literal with TOOBIG
