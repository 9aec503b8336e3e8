@smtp @rfc5321 @rfc6152 @rfc3030
Feature: End to end: mail taken by SMTP arrives intact in the mailbox (RFC 5321)

  # Each case delivers to the profile's first account and reads the message
  # back over the IMAP endpoint of the same profile (up to 30 s). Servers
  # add trace and other header fields at the top; the header fields and the
  # body sent must follow them unchanged. The case deletes the message it
  # delivered, and nothing else.

  @id:smtp/5321/6.1/e2e-mx-delivery-intact @rfc5321-6.1 @rfc5321-4.4 @rfc5321-4.5.2 @must @fault:smtp-content-altered
  Scenario: A message taken by the MX endpoint arrives in the mailbox intact
    # RFC 5321 6.1: the receiver-SMTP "MUST NOT lose the message for
    # frivolous reasons". 4.4: it inserts trace information "at the
    # beginning of the message content". 4.5.2: "If such transformations
    # are necessary, they MUST be reversible".
    Given a disposable account
    And the "smtp" endpoint
    And an SMTP session
    When the client sends a message with a unique subject to the account
    Then the message arrives in the account's mailbox intact

  @id:smtp/5321/6.1/e2e-submission-delivery-intact @rfc5321-6.1 @rfc5321-4.4 @rfc6409 @rfc6409-4.3 @must @fault:smtp-content-altered
  Scenario: A message submitted with AUTH on the submission endpoint arrives intact
    # RFC 5321 6.1: the receiver-SMTP "MUST NOT lose the message for
    # frivolous reasons". 4.4: trace information goes "at the beginning of
    # the message content". The message is complete and fully qualified,
    # so none of RFC 6409's repairs applies.
    Given a disposable account
    And the "submission" endpoint
    And an SMTP session on the "submission" endpoint
    And the client is authenticated
    When the client sends a message with a unique subject to the account
    Then the message arrives in the account's mailbox intact

  @id:smtp/5321/6.1/e2e-smtps-delivery-intact @rfc5321-6.1 @rfc5321-4.4 @rfc8314 @rfc8314-3.3 @must @fault:smtp-content-altered
  Scenario: A message submitted with AUTH on the implicit-TLS port arrives intact
    # RFC 5321 6.1: the receiver-SMTP "MUST NOT lose the message for
    # frivolous reasons". 4.4: trace information goes "at the beginning of
    # the message content".
    Given a disposable account
    And an SMTP session on the "smtps" endpoint
    And the client is authenticated
    When the client sends a message with a unique subject to the account
    Then the message arrives in the account's mailbox intact

  @id:smtp/6152/3/e2e-8bit-content-preserved @rfc6152-3 @rfc5321-6.1 @must @fault:smtp-8bit-stripped
  Scenario: 8-bit content sent with BODY=8BITMIME arrives with every bit
    # RFC 6152 3: "A server that supports the 8-bit MIME transport service
    # extension shall preserve all bits in each octet passed using the DATA
    # command." and "the server SMTP must deliver or relay the content in
    # such a way as to preserve all bits in each octet."
    Given a disposable account
    And the "smtp" endpoint
    And an SMTP session
    When the client sends an 8-bit message with a unique subject to the account
    Then the message arrives in the account's mailbox intact

  @id:smtp/3030/2/e2e-bdat-delivery-intact @rfc3030-2 @rfc5321-6.1 @must @fault:smtp-content-altered
  Scenario: A message sent with BDAT arrives in the mailbox intact
    # RFC 3030 2: "The message data is sent immediately after the trailing
    # <CR> <LF> of the BDAT command line." RFC 5321 6.1: the receiver-SMTP
    # "MUST NOT lose the message for frivolous reasons".
    Given a disposable account
    And the "smtp" endpoint
    And an SMTP session
    When the client sends a chunked message with a unique subject to the account
    Then the message arrives in the account's mailbox intact
