@pop3 @rfc6856
Feature: POP3 UTF8 and LANG where announced (RFC 6856)

  # Neither the embedded system nor Dovecot announces UTF8 or LANG: these
  # scenarios are not applicable against them. steps/pop3_test.go runs
  # them against a fake that announces both, and a broken one.

  @id:pop3/6856/2/utf8-not-in-transaction @rfc6856-2 @rfc1939-3 @rfc1939 @must
  Scenario: Where UTF8 is announced, the UTF8 command after login is answered -ERR
    # RFC 6856 2: the UTF8 command is valid in the AUTHORIZATION state
    # only. RFC 1939 3: "The server MUST respond to a command issued when
    # the session is in an incorrect state by responding with a negative
    # status indicator."
    Given an authenticated POP3 session
    And the server advertises UTF8
    When the client sends "UTF8"
    Then the server replies -ERR

  @id:pop3/6856/3/lang-listing @rfc6856-3 @must
  Scenario: Where LANG is announced, LANG without an argument lists the languages, a tag and a description a line
    # RFC 6856 3, the example: "C: LANG", "S: +OK Language listing
    # follows:", "S: en English", "S: en-boont English Boontling dialect".
    Given a POP3 session
    And the server advertises LANG
    When the client asks for the language listing
    Then the reply matches "+OK*"
    And every line of the listing is a language listing

  @id:pop3/6856/3/lang-selects-tag @rfc6856-3 @must
  Scenario: Where LANG is announced, selecting a listed language is answered +OK with that language's tag
    # RFC 6856 3: "If the command succeeds, the server returns a +OK
    # response followed by a single space, the exact language tag
    # selected, and another space." The example: "C: LANG es", "S: +OK es
    # Idioma cambiado".
    Given a POP3 session
    And the server advertises LANG
    When the client asks for the language listing
    Then the reply matches "+OK*"
    When the client selects the first listed language
    Then the server replies +OK
    And the reply names the selected language
