@imap @rfc2177
Feature: IMAP IDLE (RFC 2177, RFC 9051 section 6.3.13)

  Background:
    Given an IMAP session
    And the client is authenticated
    And the server advertises IDLE
    And a test mailbox
    And the message "plain" is appended
    And the test mailbox is selected

  @id:imap/2177/3/idle-continuation-done @rfc2177-3 @must @fault:imap-idle-refused
  Scenario: IDLE is answered with a continuation request; DONE ends it with the tagged OK
    # "The server requests a response to the IDLE command using the
    # continuation ("+") response." "At that point, the server MAY send any
    # remaining queued untagged responses and then MUST immediately send the
    # tagged response to the IDLE command and prepare to process other
    # commands."
    When the client sends "a1 IDLE"
    Then the server replies +
    When the client ends IDLE with DONE
    Then the server replies OK
    And the session is still usable

  @id:imap/2177/3/idle-exists-from-other-session @rfc2177-3 @rfc9051 @rfc9051-5.2 @must @fault:imap-idle-updates-dropped
  Scenario: While idling, a message appended by another session is announced with EXISTS
    # RFC 9051 5.2: "A server MUST send mailbox size updates automatically
    # if a mailbox size change is observed during the processing of a
    # command." IDLE is being processed until DONE; RFC 2177 3: "as long as
    # an IDLE command is active, the server is now free to send untagged
    # EXISTS, EXPUNGE, and other messages at any time."
    Given a second IMAP session "2" with the test mailbox selected
    When the client switches to connection "1"
    And the client sends "a1 IDLE"
    Then the server replies +
    And the client waits 500 ms
    When the client switches to connection "2"
    And the message "multipart" is appended
    When the client switches to connection "1"
    Then an untagged response matching "\* 2 EXISTS" arrives
    When the client ends IDLE with DONE
    Then the server replies OK
    And the selected mailbox holds the messages "plain", "multipart"

  @id:imap/2177/3/idle-expunge-from-other-session @rfc2177-3 @rfc9051 @rfc9051-5.2 @must @fault:imap-idle-updates-dropped
  Scenario: While idling, a message expunged by another session is announced with EXPUNGE
    # RFC 9051 5.2: "A server MUST send mailbox size updates automatically
    # if a mailbox size change is observed during the processing of a
    # command."
    Given the message "multipart" is appended
    And a second IMAP session "2" with the test mailbox selected
    When the client switches to connection "1"
    And the client sends "a0 NOOP"
    Then the server replies OK
    When the client sends "a1 IDLE"
    Then the server replies +
    And the client waits 500 ms
    When the client switches to connection "2"
    And the client sends "b1 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "b2 EXPUNGE"
    Then the server replies OK
    When the client switches to connection "1"
    Then an untagged response matching "\* 1 EXPUNGE" arrives
    When the client ends IDLE with DONE
    Then the server replies OK
    And the selected mailbox holds the messages "multipart"

  @id:imap/9051/6.3.13/done-outside-idle-bad @rfc9051 @rfc9051-6.3.13 @rfc9051-7.1.5 @must
  Scenario: DONE outside IDLE is a protocol error answered BAD
    # RFC 9051 7.1.5 BAD: "The BAD response indicates an error message from
    # the server. When tagged, it reports a protocol-level error in the
    # client's command; the tag indicates the command that caused the error.
    # The untagged form indicates a protocol-level error for which the
    # associated command can not be determined". A bare DONE is no command.
    When the client sends "DONE"
    Then the reply to the bare line is BAD
    And the session is still usable
