@smtp @security @rfc4954
Feature: No plaintext passwords before TLS where TLS is required (RFC 4954)

  @id:smtp/4954/4/no-plaintext-mechanism-offered-before-tls @rfc4954-4 @should-not @security @fault:smtp-auth-advertised-before-tls
  Scenario: Where the profile requires TLS, PLAIN and LOGIN are not offered before STARTTLS
    # RFC 4954 4: "Server sites SHOULD NOT use any configuration which
    # permits a plaintext password mechanism without such a protection
    # mechanism against password snooping." (the protection being STARTTLS
    # "or some other mechanism that protects the session").
    Given the "submission" endpoint
    And the profile claims TLS is required for authentication
    And an SMTP session on the "submission" endpoint
    When the client sends "EHLO ${client}"
    Then the server replies 250
    And no line of the reply matches "250*AUTH*PLAIN*"
    And no line of the reply matches "250*AUTH*LOGIN*"

  @id:smtp/4954/4/no-plaintext-auth-accepted-before-tls @rfc4954-4 @should-not @security @fault:smtp-auth-plaintext-334
  Scenario: Where the profile requires TLS, AUTH PLAIN before STARTTLS is refused, not continued
    # RFC 4954 4: "Server sites SHOULD NOT use any configuration which
    # permits a plaintext password mechanism without such a protection
    # mechanism against password snooping." No password is sent: a 334
    # go-ahead alone shows the mechanism is permitted in cleartext.
    Given the "submission" endpoint
    And the profile claims TLS is required for authentication
    And an SMTP session on the "submission" endpoint
    When the client sends "AUTH PLAIN"
    Then the server replies one of 4xx, 5xx

  @id:smtp/4954/4/no-plaintext-auth-accepted-before-tls-mx @rfc4954-4 @should-not @security @fault:smtp-auth-plaintext-334
  Scenario: Where the profile requires TLS on the MX endpoint, AUTH PLAIN before STARTTLS is refused
    # RFC 4954 4: "Server sites SHOULD NOT use any configuration which
    # permits a plaintext password mechanism without such a protection
    # mechanism against password snooping."
    Given the "smtp" endpoint
    And the profile claims TLS is required for authentication
    And an SMTP session
    When the client sends "AUTH PLAIN"
    Then the server replies one of 4xx, 5xx
