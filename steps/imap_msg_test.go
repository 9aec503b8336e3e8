package steps

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

func imapResp(t *testing.T, line string) wire.IMAPResponse {
	t.Helper()
	r, err := wire.NewIMAPReader(strings.NewReader(line+"\r\n"), wire.Limits{}).ReadResponse()
	if err != nil {
		t.Fatalf("ReadResponse(%q) = %v", line, err)
	}
	return r
}

// TestTrackerNumbering feeds a tracker a session's lines and checks the
// UIDs it puts at each sequence number (RFC 9051 section 7.5.1).
func TestTrackerNumbering(t *testing.T) {
	st := &msgState{msgs: []*storedMsg{
		{name: "a", mailbox: "box", uid: 10}, {name: "b", mailbox: "box", uid: 11},
		{name: "c", mailbox: "box", uid: 12}, {name: "d", mailbox: "box", uid: 13},
		{name: "x", mailbox: "other", uid: 99},
	}}
	tr := &tracker{pending: map[string]string{}, closing: map[string]bool{}}
	tr.client([]byte("a1 SELECT box\r\n"))
	for _, l := range []string{"* 3 EXISTS", "* OK [UIDVALIDITY 7] x", "a1 OK done"} {
		tr.server(imapResp(t, l))
	}
	tr.fill(st)
	if tr.selected != "box" || tr.uidvalidity != "7" {
		t.Errorf("selected %q, UIDVALIDITY %q", tr.selected, tr.uidvalidity)
	}
	// Three places, four candidates: nothing can be filled.
	if diff := cmp.Diff([]uint32{0, 0, 0}, tr.seq); diff != "" {
		t.Errorf("seq after SELECT (-want +got):\n%s", diff)
	}
	tr.server(imapResp(t, "* 1 FETCH (UID 10 FLAGS ())"))
	tr.server(imapResp(t, "* 2 FETCH (UID 11)"))
	tr.server(imapResp(t, "* 4 EXISTS"))
	tr.fill(st)
	// Two places, two candidates above the known UIDs: filled in order.
	if diff := cmp.Diff([]uint32{10, 11, 12, 13}, tr.seq); diff != "" {
		t.Errorf("seq after filling (-want +got):\n%s", diff)
	}
	tr.server(imapResp(t, "* 3 FETCH (UID 12)"))
	// Expunging 1 and 2 as RFC 9051 7.5.1 numbers it: 1, then 1 again.
	tr.client([]byte("a2 EXPUNGE\r\n"))
	tr.server(imapResp(t, "* 1 EXPUNGE"))
	tr.server(imapResp(t, "* 1 EXPUNGE"))
	if diff := cmp.Diff([]uint32{12, 13}, tr.seq); diff != "" {
		t.Errorf("seq after EXPUNGE 1, 1 (-want +got):\n%s", diff)
	}
	if len(tr.last) != 2 {
		t.Errorf("last = %d responses, want the 2 since the EXPUNGE command", len(tr.last))
	}
	if len(tr.problems) != 0 {
		t.Errorf("problems: %v", tr.problems)
	}
	// A FETCH that contradicts the numbering, an EXPUNGE out of range and a
	// shrinking EXISTS are problems.
	tr.server(imapResp(t, "* 1 FETCH (UID 13)"))
	tr.server(imapResp(t, "* 5 EXPUNGE"))
	tr.server(imapResp(t, "* 1 EXISTS"))
	if len(tr.problems) != 3 {
		t.Errorf("problems = %q, want 3", tr.problems)
	}
	tr.client([]byte("a3 CLOSE\r\n"))
	tr.server(imapResp(t, "a3 OK closed"))
	if tr.selected != "" || tr.seq != nil {
		t.Errorf("after CLOSE: selected %q, seq %v", tr.selected, tr.seq)
	}
}

func TestParseSet(t *testing.T) {
	for in, want := range map[string][]uint32{
		"1":       {1},
		"3:1,7":   {1, 2, 3, 7},
		"2:4,6:6": {2, 3, 4, 6},
	} {
		got, ok := parseSet(in)
		if !ok || cmp.Diff(want, got) != "" {
			t.Errorf("parseSet(%q) = %v, %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "1:*", "a", "1:200000"} {
		if _, ok := parseSet(bad); ok {
			t.Errorf("parseSet(%q): ok", bad)
		}
	}
}

// msgSteps is a feature exercising the steps against the embedded
// system: each scenario's expected verdict is in its name.
const msgSteps = `@imap @rfc9051
Feature: message steps

  Background:
    Given an IMAP session
    And the client is authenticated
    And a test mailbox

  @id:imap/9051/6.4.5/t-pass-steps @rfc9051-6.4.5 @must
  Scenario: pass
    Given the message "plain" is appended with flags "(\Flagged)"
    And the message "imap-nested" is appended
    And the test mailbox is selected
    Then the FETCH BODYSTRUCTURE of message 2 matches the message "imap-nested"
    And the FETCH BODY.PEEK[3.1] of message 2 matches the message "imap-nested"
    And the UID FETCH ENVELOPE of the message "plain" matches it
    And message 1 has the flag "\Flagged"
    When the client sends "a1 SEARCH FLAGGED"
    Then the server replies OK
    And the SEARCH result is the messages "plain"
    When the client sends "a2 STORE 1 +FLAGS.SILENT (\Deleted)"
    Then the server replies OK
    When the client sends "a3 EXPUNGE"
    Then the server replies OK
    And the selected mailbox holds the messages "imap-nested"

  @id:imap/9051/6.4.5/t-fail-wrong-message @rfc9051-6.4.5 @must
  Scenario: fail: the FETCH is compared with another message
    Given the message "plain" is appended
    And the test mailbox is selected
    Then the FETCH ENVELOPE of message 1 matches the message "plain"
    And the FETCH BODY.PEEK[] of message 1 matches the message "multipart"

  @id:imap/9051/6.4.5/t-fail-holds @rfc9051-6.4.5 @must
  Scenario: fail: the mailbox holds other messages
    Given the message "plain" is appended
    And the message "multipart" is appended
    And the test mailbox is selected
    Then the selected mailbox holds the messages "multipart", "plain"

  @id:imap/9051/6.4.5/t-fail-search @rfc9051-6.4.5 @must
  Scenario: fail: the search found more
    Given the message "plain" is appended
    And the test mailbox is selected
    When the client sends "a1 SEARCH ALL"
    Then the server replies OK
    And the SEARCH result is empty

  @id:imap/9051/6.4.5/t-fail-flag @rfc9051-6.4.5 @must
  Scenario: fail: the flag is not set
    Given the message "plain" is appended
    And the test mailbox is selected
    Then message 1 has the flag "\Answered"

  @id:imap/9051/6.4.5/t-error-unknown-message @rfc9051-6.4.5 @must
  Scenario: error: no such message file
    Given the message "no-such-message" is appended
`

// TestMessageStepsEmbedded runs msgSteps against the embedded system.
func TestMessageStepsEmbedded(t *testing.T) {
	env := embeddedEnv(t)
	fsys := fstest.MapFS{"imap/steps.feature": {Data: []byte(msgSteps)}}
	res, err := Run(context.Background(), env, Options{FS: fsys, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 6 {
		t.Fatalf("%d results, want 6", len(res))
	}
	for _, r := range res {
		want := transcripts.Pass
		switch {
		case strings.HasPrefix(r.Scenario.Title, "fail"):
			want = transcripts.Fail
		case strings.HasPrefix(r.Scenario.Title, "error"):
			want = transcripts.Error
		}
		if r.Outcome.Verdict != want {
			t.Errorf("%s: %s (%s), want %s", r.Scenario.Title, r.Outcome.Verdict, r.Outcome.Reason, want)
		}
	}
}
