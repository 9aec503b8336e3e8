@imap @rfc9051
Feature: IMAP mailboxes: SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, LIST, STATUS, NAMESPACE (RFC 9051, RFC 3501)

  @id:imap/9051/6.3.2/select-flags-exists @rfc9051-6.3.2 @must @fault:imap-untagged-after-tagged
  Scenario: SELECT sends the untagged FLAGS and EXISTS before its tagged OK
    # RFC 9051 6.3.2: "Before returning an OK to the client, the server
    # MUST send the following untagged data to the client.  (The order of
    # individual responses is not important.)" "REQUIRED untagged
    # responses:  FLAGS, EXISTS, LIST".
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SELECT ${mailbox}"
    Then the server replies OK
    And the reply has exactly one untagged FLAGS response
    And the reply has exactly one untagged EXISTS response
    And the reply matches "* 0 EXISTS"

  @id:imap/9051/6.3.2/select-uidvalidity-uidnext @rfc9051-6.3.2 @rfc9051-2.3.1.1 @rfc9051-9 @must @fault:imap-a-select-uidvalidity-zero
  Scenario: SELECT sends OK [UIDVALIDITY n] with a non-zero n and OK [UIDNEXT n]
    # RFC 9051 6.3.2: "REQUIRED OK untagged responses:  PERMANENTFLAGS,
    # UIDNEXT, UIDVALIDITY". 9: "resp-text-code =/ ... "UIDNEXT" SP
    # nz-number / "UIDVALIDITY" SP nz-number", "nz-number = digit-nz
    # *DIGIT".
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SELECT ${mailbox}"
    Then the server replies OK
    And the reply has an untagged OK response with the code UIDVALIDITY
    And the code UIDVALIDITY carries a number above 0
    And the reply has an untagged OK response with the code UIDNEXT
    And the code UIDNEXT carries a number above 0

  @id:imap/9051/6.3.2/select-permanentflags @rfc9051-6.3.2 @must @fault:imap-a-select-no-permanentflags
  Scenario: SELECT of an IMAP4rev2 server sends OK [PERMANENTFLAGS (...)]
    # RFC 9051 6.3.2: "REQUIRED OK untagged responses:  PERMANENTFLAGS,
    # UIDNEXT, UIDVALIDITY". (RFC 3501 lets a server leave it out: "If
    # this is missing, the client should assume that all flags can be
    # changed permanently."; the case needs IMAP4rev2 enabled.)
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 ENABLE IMAP4rev2"
    Then the server replies OK
    When the client sends "t2 SELECT ${mailbox}"
    Then the server replies OK
    And the reply has an untagged OK response with the code PERMANENTFLAGS

  @id:imap/9051/6.3.2/select-list-rev2 @rfc9051-6.3.2 @must
  Scenario: SELECT with IMAP4rev2 enabled sends a LIST response with the mailbox name
    # RFC 9051 6.3.2: "LIST  The server MUST return a LIST response with
    # the mailbox name." 7.2.2: "If both IMAP4rev1 and IMAP4rev2
    # capabilities are advertised, server responses MUST conform to
    # [RFC3501] until the client issues a command that uses an additional
    # capability.  (For example, the client can issue ENABLE IMAP4rev2 to
    # enable IMAP4rev2-specific behavior.)"
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 ENABLE IMAP4rev2"
    Then the server replies OK
    When the client sends "t2 SELECT ${mailbox}"
    Then the server replies OK
    And the LIST responses include "${mailbox}"

  @id:imap/3501/6.3.1/select-recent @rfc3501 @rfc3501-6.3.1 @must @fault:imap-a-select-no-recent
  Scenario: SELECT of an IMAP4rev1 server sends the untagged RECENT
    # RFC 3501 6.3.1: "Before returning an OK to the client, the server
    # MUST send the following untagged data to the client." "REQUIRED
    # untagged responses: FLAGS, EXISTS, RECENT". RFC 9051 7.2.2: "If both
    # IMAP4rev1 and IMAP4rev2 capabilities are advertised, server responses
    # MUST conform to [RFC3501] until the client issues a command that uses
    # an additional capability."
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SELECT ${mailbox}"
    Then the server replies OK
    And the reply has exactly one untagged RECENT response

  @id:imap/9051/6.3.2/select-read-write @rfc9051-6.3.2 @should @fault:imap-a-select-read-only
  Scenario: SELECT of a mailbox the client may modify answers OK [READ-WRITE]
    # RFC 9051 6.3.2: "If the client is permitted to modify the mailbox,
    # the server SHOULD prefix the text of the tagged OK response with the
    # "[READ-WRITE]" response code."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SELECT ${mailbox}"
    Then the server replies OK
    And the tagged response has the code READ-WRITE

  @id:imap/9051/6.3.3/examine-read-only @rfc9051-6.3.3 @must @fault:imap-a-examine-read-write
  Scenario: EXAMINE answers OK [READ-ONLY]
    # RFC 9051 6.3.3: "The text of the tagged OK response to the EXAMINE
    # command MUST begin with the "[READ-ONLY]" response code."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 EXAMINE ${mailbox}"
    Then the server replies OK
    And the tagged response has the code READ-ONLY
    And the reply has exactly one untagged FLAGS response
    And the reply has exactly one untagged EXISTS response

  @id:imap/9051/6.3.2/select-missing-no @rfc9051-6.3.2 @must @fault:imap-a-refusal-ok
  Scenario: SELECT of a mailbox that does not exist is answered NO
    # RFC 9051 6.3.2: "NO -  select failure, now in authenticated state: no
    # such mailbox, can't access mailbox".
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SELECT ${mailbox}-missing"
    Then the server replies NO

  @id:imap/9051/5.1/inbox-case-insensitive @rfc9051-5.1 @must @fault:imap-a-inbox-case-sensitive
  Scenario: INBOX is found whatever the case of its name
    # RFC 9051 5.1: "The case-insensitive mailbox name INBOX is a special
    # name reserved to mean "the primary mailbox for this user on this
    # server"."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 EXAMINE iNbOx"
    Then the server replies OK
    And the tagged response has the code READ-ONLY

  @id:imap/9051/6.3.4/create-then-listed @rfc9051-6.3.4 @rfc9051-6.3.9 @must @fault:imap-a-list-dropped
  Scenario: A created mailbox is listed
    # RFC 9051 6.3.4: "An OK response is returned only if a new mailbox with
    # that name has been created." 6.3.9: "The returned mailbox names MUST
    # match the supplied mailbox name pattern(s)."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}new"
    Then the server replies OK
    When the client sends "t2 LIST \"\" ${mailbox}${delim}new"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}new"

  @id:imap/9051/6.3.4/create-existing-no @rfc9051-6.3.4 @must @fault:imap-a-refusal-ok
  Scenario: CREATE of a name that exists is answered NO
    # RFC 9051 6.3.4: "It is an error to attempt to create INBOX or a
    # mailbox with a name that refers to an extant mailbox.  Any error in
    # creation will return a tagged NO response."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}"
    Then the server replies NO

  @id:imap/9051/6.3.4/create-inbox-no @rfc9051-6.3.4 @must @fault:imap-a-refusal-ok
  Scenario: CREATE INBOX is answered NO
    # RFC 9051 6.3.4: "It is an error to attempt to create INBOX or a
    # mailbox with a name that refers to an extant mailbox.  Any error in
    # creation will return a tagged NO response."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 CREATE INBOX"
    Then the server replies NO

  @id:imap/9051/6.3.4/create-trailing-delimiter @rfc9051-6.3.4 @must @fault:imap-a-list-dropped
  Scenario: CREATE of a name ending in the hierarchy delimiter creates the name without it
    # RFC 9051 6.3.4: "If the mailbox name is suffixed with the server's
    # hierarchy separator character (as returned from the server by a LIST
    # command), this is a declaration that the client intends to create
    # mailbox names under this name in the hierarchy.  Server
    # implementations that do not require this declaration MUST ignore the
    # declaration.  In any case, the name created is without the trailing
    # hierarchy delimiter."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}parent${delim}"
    Then the server replies OK
    When the client sends "t2 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}parent"
    And the LIST responses do not include "${mailbox}${delim}parent${delim}"

  @id:imap/9051/6.3.4/create-superiors @rfc9051-6.3.4 @should
  Scenario: CREATE of a name two levels down creates the level between
    # RFC 9051 6.3.4: "If the server's hierarchy separator character
    # appears elsewhere in the name, the server SHOULD create any superior
    # hierarchical names that are needed for the CREATE command to be
    # successfully completed."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}a${delim}b"
    Then the server replies OK
    When the client sends "t2 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}a"
    And the LIST responses include "${mailbox}${delim}a${delim}b"

  @id:imap/9051/6.3.5/delete-removes @rfc9051-6.3.5 @must @fault:imap-a-list-stale
  Scenario: A deleted mailbox is no longer listed
    # RFC 9051 6.3.5: "The DELETE command permanently removes the mailbox
    # with the given name.  A tagged OK response is returned only if the
    # mailbox has been deleted."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}gone" is created
    When the client sends "t2 DELETE ${mailbox}${delim}gone"
    Then the server replies OK
    When the client sends "t3 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses do not include "${mailbox}${delim}gone"

  @id:imap/9051/6.3.5/delete-missing-no @rfc9051-6.3.5 @must @fault:imap-a-refusal-ok
  Scenario: DELETE of a name that does not exist is answered NO
    # RFC 9051 6.3.5: "NO -  delete failure: can't delete mailbox with that
    # name". "It is an error to attempt to delete INBOX or a mailbox name
    # that does not exist."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 DELETE ${mailbox}-missing"
    Then the server replies NO

  @id:imap/9051/6.3.5/delete-inbox-no @rfc9051-6.3.5 @must
  Scenario: DELETE INBOX is answered NO
    # RFC 9051 6.3.5: "It is an error to attempt to delete INBOX or a
    # mailbox name that does not exist." "NO -  delete failure: can't
    # delete mailbox with that name". A server that deleted INBOX would
    # destroy its mail: the case runs as the profile's third account, which
    # must be disposable. CREATE INBOX first: it is an error where INBOX
    # exists (NO, 6.3.4), and brings INBOX back on a server that lost it to
    # an earlier case of the run, so that the verdict does not depend on
    # the order of cases.
    Given an IMAP session
    And the client is authenticated with the profile's third account
    When the client sends "t0 CREATE INBOX"
    Then the server replies OK or NO
    When the client sends "t1 DELETE INBOX"
    Then the server replies NO

  @id:imap/9051/6.3.5/delete-keeps-inferiors @rfc9051-6.3.5 @must-not @fault:imap-a-list-dropped
  Scenario: DELETE of a mailbox with an inferior leaves the inferior in place
    # RFC 9051 6.3.5: "The DELETE command MUST NOT remove inferior
    # hierarchical names." The server may refuse the DELETE (NO
    # [HASCHILDREN]) or delete it and keep the name \Noselect: either way
    # the inferior is still listed.
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}p" is created
    And the mailbox "${mailbox}${delim}p${delim}c" is created
    When the client sends "t3 DELETE ${mailbox}${delim}p"
    Then the server replies OK or NO
    When the client sends "t4 LIST \"\" ${mailbox}${delim}p${delim}c"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}p${delim}c"

  @id:imap/9051/6.3.6/rename-moves-name @rfc9051-6.3.6 @must @fault:imap-a-list-stale
  Scenario: RENAME makes the old name disappear and the new one appear
    # RFC 9051 6.3.6: "The RENAME command changes the name of a mailbox.  A
    # tagged OK response is returned only if the mailbox has been
    # renamed."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}old" is created
    When the client sends "t2 RENAME ${mailbox}${delim}old ${mailbox}${delim}new"
    Then the server replies OK
    When the client sends "t3 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}new"
    And the LIST responses do not include "${mailbox}${delim}old"

  @id:imap/9051/6.3.6/rename-inferiors @rfc9051-6.3.6 @must
  Scenario: RENAME renames the inferior hierarchical names too
    # RFC 9051 6.3.6: "If the name has inferior hierarchical names, then the
    # inferior hierarchical names MUST also be renamed.  For example, a
    # rename of "foo" to "zap" will rename "foo/bar" (assuming "/" is the
    # hierarchy delimiter character) to "zap/bar"."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}foo" is created
    And the mailbox "${mailbox}${delim}foo${delim}bar" is created
    When the client sends "t3 RENAME ${mailbox}${delim}foo ${mailbox}${delim}zap"
    Then the server replies OK
    When the client sends "t4 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}zap${delim}bar"
    And the LIST responses do not include "${mailbox}${delim}foo${delim}bar"

  @id:imap/9051/6.3.6/rename-to-existing-no @rfc9051-6.3.6 @must @fault:imap-a-refusal-ok
  Scenario: RENAME to a name that exists is answered NO
    # RFC 9051 6.3.6: "It is an error to attempt to rename from a mailbox
    # name that does not exist or to a mailbox name that already exists.
    # Any error in renaming will return a tagged NO response."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}one" is created
    And the mailbox "${mailbox}${delim}two" is created
    When the client sends "t3 RENAME ${mailbox}${delim}one ${mailbox}${delim}two"
    Then the server replies NO

  @id:imap/9051/6.3.6/rename-missing-no @rfc9051-6.3.6 @must @fault:imap-a-refusal-ok
  Scenario: RENAME of a name that does not exist is answered NO
    # RFC 9051 6.3.6: "It is an error to attempt to rename from a mailbox
    # name that does not exist or to a mailbox name that already exists.
    # Any error in renaming will return a tagged NO response."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 RENAME ${mailbox}-missing ${mailbox}-other"
    Then the server replies NO

  @id:imap/9051/6.3.6/rename-inbox-keeps-inbox @rfc9051-6.3.6 @must
  Scenario: RENAME of INBOX is not answered BAD, and INBOX still exists afterwards
    # RFC 9051 6.3.6: "Renaming INBOX is permitted and does not result in a
    # tagged BAD response, and it has special behavior: It moves all
    # messages in INBOX to a new mailbox with the given name, leaving INBOX
    # empty." "(Note that some servers disallow renaming INBOX by returning
    # a tagged NO response, so clients need to be able to handle the
    # failure of such RENAME commands.)" The case moves the mail of the
    # profile's third account, which must be disposable. CREATE INBOX
    # first, as in delete-inbox-no: the verdict must not depend on the
    # order of cases.
    Given an IMAP session
    And the client is authenticated with the profile's third account
    And a test mailbox
    When the client sends "t0 CREATE INBOX"
    Then the server replies OK or NO
    When the client sends "t1 RENAME INBOX ${mailbox}${delim}old-inbox"
    Then the server replies OK or NO
    When the client sends "t2 EXAMINE INBOX"
    Then the server replies OK

  @id:imap/9051/6.3.7/subscribe-listed @rfc9051-6.3.7 @rfc9051-6.3.9.1 @must @fault:imap-a-list-dropped
  Scenario: A subscribed name is listed by LIST (SUBSCRIBED) with \Subscribed
    # RFC 9051 6.3.7: "The SUBSCRIBE command adds the specified mailbox name
    # to the server's set of "active" or "subscribed" mailboxes as returned
    # by the LIST (SUBSCRIBED) command." 6.3.9.1: "The "\Subscribed"
    # attribute MUST be supported and MUST be accurately computed when the
    # SUBSCRIBED selection option is specified."
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SUBSCRIBE ${mailbox}"
    Then the server replies OK
    When the client sends "t2 LIST (SUBSCRIBED) \"\" ${mailbox}"
    Then the server replies OK
    And the LIST response for "${mailbox}" has the attribute \Subscribed

  @id:imap/3501/6.3.9/lsub-lists-subscribed @rfc3501 @rfc3501-6.3.9 @rfc3501-6.3.6 @must @fault:imap-a-list-dropped
  Scenario: A subscribed name is listed by LSUB on an IMAP4rev1 server
    # RFC 3501 6.3.6: "The SUBSCRIBE command adds the specified mailbox name
    # to the server's set of "active" or "subscribed" mailboxes as returned
    # by the LSUB command." 6.3.9: "The LSUB command returns a subset of
    # names from the set of names that the user has declared as being
    # "active" or "subscribed"."
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SUBSCRIBE ${mailbox}"
    Then the server replies OK
    When the client sends "t2 LSUB \"\" ${mailbox}"
    Then the server replies OK
    And the LSUB responses include "${mailbox}"

  @id:imap/9051/6.3.8/unsubscribe-removes @rfc9051-6.3.8 @rfc3501 @rfc3501-6.3.7 @must @fault:imap-a-list-stale
  Scenario: An unsubscribed name is no longer listed as subscribed
    # RFC 9051 6.3.8: "The UNSUBSCRIBE command removes the specified mailbox
    # name from the server's set of "active" or "subscribed" mailboxes as
    # returned by the LIST (SUBSCRIBED) command." RFC 3501 6.3.7: "The
    # UNSUBSCRIBE command removes the specified mailbox name from the
    # server's set of "active" or "subscribed" mailboxes as returned by the
    # LSUB command."
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 SUBSCRIBE ${mailbox}"
    Then the server replies OK
    When the client sends "t2 UNSUBSCRIBE ${mailbox}"
    Then the server replies OK
    When the client sends "t3 LSUB \"\" ${mailbox}"
    Then the server replies OK
    And the LSUB responses do not include "${mailbox}"

  @id:imap/3501/6.3.6/subscription-outlives-mailbox @rfc3501 @rfc3501-6.3.6 @rfc3501-6.3.9 @must-not
  Scenario: Deleting a subscribed mailbox does not remove its subscription (IMAP4rev1)
    # RFC 3501 6.3.6: "A server MAY validate the mailbox argument to
    # SUBSCRIBE to verify that it exists.  However, it MUST NOT
    # unilaterally remove an existing mailbox name from the subscription
    # list even if a mailbox by that name no longer exists." (RFC 9051
    # 6.3.7 makes it a SHOULD NOT for IMAP4rev2.)
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}sub" is created
    When the client sends "t2 SUBSCRIBE ${mailbox}${delim}sub"
    Then the server replies OK
    When the client sends "t3 DELETE ${mailbox}${delim}sub"
    Then the server replies OK
    When the client sends "t4 LSUB \"\" ${mailbox}${delim}sub"
    Then the server replies OK
    And the LSUB responses include "${mailbox}${delim}sub"

  @id:imap/9051/6.3.9/list-empty-name-gives-delimiter @rfc9051-6.3.9 @must @fault:imap-a-list-root-dropped
  Scenario: LIST with an empty mailbox name returns the hierarchy delimiter
    # RFC 9051 6.3.9: "In the basic syntax only, an empty ("" string)
    # mailbox name argument is a special request to return the hierarchy
    # delimiter and the root name of the name given in the reference." "In
    # all cases, a hierarchy delimiter (or NIL if there is no hierarchy) is
    # returned."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 LIST \"\" \"\""
    Then the server replies OK
    And the reply has exactly one untagged LIST response

  @id:imap/9051/6.3.9/list-star-matches-delimiter @rfc9051-6.3.9 @must @fault:imap-a-list-dropped
  Scenario: The "*" wildcard matches across hierarchy levels
    # RFC 9051 6.3.9: "The character "*" is a wildcard and matches zero or
    # more characters at this position." "The returned mailbox names MUST
    # match the supplied mailbox name pattern(s)."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}a" is created
    And the mailbox "${mailbox}${delim}a${delim}b" is created
    When the client sends "t3 LIST \"\" ${mailbox}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}"
    And the LIST responses include "${mailbox}${delim}a"
    And the LIST responses include "${mailbox}${delim}a${delim}b"

  @id:imap/9051/6.3.9/list-percent-stops-at-delimiter @rfc9051-6.3.9 @must @fault:imap-a-list-percent-as-star
  Scenario: The "%" wildcard does not match the hierarchy delimiter
    # RFC 9051 6.3.9: "The character "%" is similar to "*", but it does not
    # match a hierarchy delimiter." "The returned mailbox names MUST match
    # the supplied mailbox name pattern(s)."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}a" is created
    And the mailbox "${mailbox}${delim}a${delim}b" is created
    When the client sends "t3 LIST \"\" ${mailbox}${delim}%"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}a"
    And the LIST responses do not include "${mailbox}${delim}a${delim}b"

  @id:imap/9051/6.3.9/list-reference-prefixes @rfc9051-6.3.9 @should @fault:imap-a-list-dropped
  Scenario: A reference that ends with the delimiter is the context of the pattern
    # RFC 9051 6.3.9: "A non-empty reference name argument is the name of a
    # mailbox or a level of mailbox hierarchy, and it indicates the context
    # in which the mailbox name is interpreted." "Any part of the reference
    # argument that is included in the interpreted form SHOULD prefix the
    # interpreted form.  It SHOULD also be in the same form as the
    # reference name argument."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}child" is created
    When the client sends "t2 LIST ${mailbox}${delim} %"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}child"

  @id:imap/9051/6.3.9/list-inbox-selectable @rfc9051-6.3.9 @must @fault:imap-a-list-dropped
  Scenario: LIST of "INBOX" returns INBOX
    # RFC 9051 6.3.9: "The special name INBOX is included in the output from
    # LIST, if INBOX is supported by this server for this user and if the
    # uppercase string "INBOX" matches the interpreted reference and
    # mailbox name arguments with wildcards as described above."
    Given an IMAP session
    And the client is authenticated
    When the client sends "t1 LIST \"\" INBOX"
    Then the server replies OK
    And the LIST responses include "INBOX"

  @id:imap/9051/6.3.9.5/has-children-attribute @rfc9051-6.3.9.5 @rfc9051-7.3.1 @must
  Scenario: A mailbox with a child is listed with \HasChildren, the child with \HasNoChildren
    # RFC 9051 6.3.9.5: "The CHILDREN return option defines two new
    # attributes that MUST be returned within a LIST response:
    # \HasChildren and \HasNoChildren." "If the CHILDREN return option is
    # present, the server MUST return these attributes even if their
    # computation is expensive." The case asks for them with RETURN
    # (CHILDREN) on IMAP4rev2 and LIST-EXTENDED servers.
    Given the server advertises LIST-EXTENDED
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    And the mailbox "${mailbox}${delim}kid" is created
    When the client sends "t2 LIST \"\" ${mailbox}* RETURN (CHILDREN)"
    Then the server replies OK
    And the LIST response for "${mailbox}" has the attribute \HasChildren
    And the LIST response for "${mailbox}" does not have the attribute \HasNoChildren
    And the LIST response for "${mailbox}${delim}kid" has the attribute \HasNoChildren
    And the LIST response for "${mailbox}${delim}kid" does not have the attribute \HasChildren

  @id:imap/9051/6.3.11/status-items @rfc9051-6.3.11 @must @fault:imap-a-status-dropped
  Scenario: STATUS returns the items asked for
    # RFC 9051 6.3.11: "REQUIRED untagged responses:  STATUS". "MESSAGES
    # The number of messages in the mailbox." "UNSEEN The number of
    # messages that do not have the \Seen flag set." 9: "resp-text-code =/
    # ... "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number"; "status-att-
    # val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) /
    # ("UIDVALIDITY" SP nz-number) / ("UNSEEN" SP number) / ...".
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 STATUS ${mailbox} (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"
    Then the server replies OK
    And the STATUS response for "${mailbox}" has MESSAGES 0
    And the STATUS response for "${mailbox}" has UNSEEN 0
    And the STATUS response for "${mailbox}" has UIDNEXT above 0
    And the STATUS response for "${mailbox}" has UIDVALIDITY above 0

  @id:imap/9051/6.3.11/status-deleted-rev2 @rfc9051-6.3.11 @must @fault:imap-a-status-dropped
  Scenario: STATUS of an IMAP4rev2 server returns DELETED
    # RFC 9051 6.3.11: "DELETED The number of messages that have the
    # \Deleted flag set."
    Given the server advertises IMAP4rev2
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 STATUS ${mailbox} (DELETED)"
    Then the server replies OK
    And the STATUS response for "${mailbox}" has DELETED 0

  @id:imap/8438/3/status-size @rfc8438 @rfc8438-3 @rfc9051-6.3.11 @must @fault:imap-a-status-dropped
  Scenario: STATUS SIZE is answered with a number where STATUS=SIZE is advertised
    # RFC 9051 6.3.11: "SIZE  The total size of the mailbox in octets.
    # This is not strictly required to be an exact value, but it MUST be
    # equal to or greater than the sum of the values of the RFC822.SIZE
    # FETCH message data items (see Section 6.4.5) of all messages in the
    # mailbox." (RFC 8438 3 defines the item for IMAP4rev1.) Not being exact,
    # any number is accepted for the empty test mailbox.
    Given the server advertises STATUS=SIZE
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 STATUS ${mailbox} (SIZE)"
    Then the server replies OK
    And the STATUS response for "${mailbox}" has SIZE

  @id:imap/9051/6.3.11/status-missing-no @rfc9051-6.3.11 @must @fault:imap-a-refusal-ok
  Scenario: STATUS of a mailbox that does not exist is answered NO
    # RFC 9051 6.3.11: "NO -  status failure: no status for that name".
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 STATUS ${mailbox}-missing (MESSAGES)"
    Then the server replies NO

  @id:imap/9051/6.3.11/status-of-selected-mailbox @rfc9051-6.3.11 @must @fault:imap-a-status-dropped
  Scenario: STATUS of the selected mailbox is answered
    # RFC 9051 6.3.11: "the STATUS command SHOULD NOT be used on the
    # currently selected mailbox.  However, servers MUST be able to execute
    # the STATUS command on the selected mailbox."
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And the test mailbox is selected
    When the client sends "t1 STATUS ${mailbox} (MESSAGES)"
    Then the server replies OK
    And the STATUS response for "${mailbox}" has MESSAGES 0

  @id:imap/3501/5.1.3/modified-utf7-name-kept @rfc3501 @rfc3501-5.1.3 @must @fault:imap-a-list-dropped
  Scenario: A modified UTF-7 mailbox name is listed in exactly the form it was created with
    # RFC 3501 5.1.3: "server implementations MUST preserve the exact form
    # of the modified BASE64 portion of a modified UTF-7 name and treat
    # that text as case-sensitive, even if names are otherwise
    # case-insensitive or case-folded." "caf&AOk-" is "café".
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}caf&AOk-"
    Then the server replies OK
    When the client sends "t2 LIST \"\" ${mailbox}${delim}*"
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}caf&AOk-"

  @id:imap/3501/5.1.3/invalid-modified-utf7-refused @rfc3501 @rfc3501-5.1.3 @should @fault:imap-a-refusal-ok
  Scenario: CREATE of a name with an invalid modified UTF-7 sequence is refused
    # RFC 3501 5.1.3: "Server implementations SHOULD verify that any mailbox
    # name with an embedded "&" character, used as an argument to CREATE,
    # is: in the correctly modified UTF-7 syntax, has no superfluous
    # shifts, and has no encoding in modified BASE64 of any printing
    # US-ASCII character which can represent itself." "&AGE-" encodes "a",
    # a printing US-ASCII character.
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}&AGE-"
    Then the server replies NO or BAD

  @id:imap/6855/3/utf8-mailbox-name @rfc6855 @rfc6855-3 @should
  Scenario: With UTF8=ACCEPT enabled a mailbox is created with a UTF-8 name and listed in UTF-8
    # RFC 6855 3: "All IMAP servers that support "UTF8=ACCEPT" SHOULD
    # accept UTF-8 in mailbox names, and those that also support the
    # Mailbox International Naming Convention described in RFC 3501,
    # Section 5.1.3, MUST accept UTF8-quoted mailbox names and convert them
    # to the appropriate internal format."
    Given an IMAP session
    And the client is authenticated
    And the server advertises UTF8=ACCEPT
    And a test mailbox
    When the client sends "t1 ENABLE UTF8=ACCEPT"
    Then the server replies OK
    When the client sends "t2 CREATE \"${mailbox}${delim}café\""
    Then the server replies OK
    When the client sends "t3 LIST \"\" \"${mailbox}${delim}*\""
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}café"

  @id:imap/6855/3/no-utf8-unless-enabled @rfc6855 @rfc6855-3 @must-not @fault:imap-a-list-dropped
  Scenario: A UTF-8 mailbox name is listed in modified UTF-7 to a session that has not enabled UTF8=ACCEPT
    # RFC 6855 3: "The IMAP server MUST NOT send UTF-8 in quoted-strings to
    # the client unless the client has indicated support for that syntax by
    # using the "ENABLE UTF8=ACCEPT" command." The name reaches the second
    # session in the IMAP4rev1 form (RFC 3501 5.1.3): "caf&AOk-".
    Given the server advertises IMAP4rev1
    And an IMAP session
    And the client is authenticated
    And the server advertises UTF8=ACCEPT
    And a test mailbox
    When the client sends "t1 ENABLE UTF8=ACCEPT"
    Then the server replies OK
    And the mailbox "${mailbox}${delim}café" is created
    Given a second IMAP session "plain"
    And the client is authenticated
    When the client sends "t3 LIST \"\" \"${mailbox}${delim}*\""
    Then the server replies OK
    And the LIST responses include "${mailbox}${delim}caf&AOk-"
    And the LIST responses do not include "${mailbox}${delim}café"

  @id:imap/9051/6.3.10/namespace-response @rfc9051-6.3.10 @rfc9051-7.3.2 @rfc2342 @rfc2342-5 @must @fault:imap-a-namespace-dropped
  Scenario: NAMESPACE returns a single well-formed NAMESPACE response
    # RFC 9051 6.3.10: "The NAMESPACE command causes a single untagged
    # NAMESPACE response to be returned." "The response will contain a NIL
    # for any namespace class that is not available." 9: "Namespace =
    # nil / "(" 1*Namespace-Descr ")"".
    Given an IMAP session
    And the client is authenticated
    And the server advertises NAMESPACE or IMAP4rev2
    When the client sends "t1 NAMESPACE"
    Then the server replies OK
    And the NAMESPACE response is well-formed
