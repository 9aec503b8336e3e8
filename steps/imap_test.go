package steps

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// cancelKey holds the cancel function of a test run in the context, for
// the test-only step that interrupts the run.
type cancelKey struct{}

func init() {
	addSteps(Def{Expr: `^the run is interrupted$`, Example: `When the run is interrupted`,
		Doc: "test only: cancels the run's context as SIGINT does", fn: func(ctx context.Context) error {
			if cancel, ok := ctx.Value(cancelKey{}).(context.CancelFunc); ok {
				cancel()
			}
			return nil
		}})
}

// prefixedMailboxes lists the mailboxes of the embedded system's first
// account whose names start with prefix, over a connection of its own.
func prefixedMailboxes(t *testing.T, env *transcripts.Env, prefix string) []string {
	t.Helper()
	ep, _ := env.Profile.Endpoint("imaps")
	s, err := OpenIMAP(context.Background(), env.Profile, ep, env.Profile.Accounts[0], transcripts.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entries, err := listPrefix(s, "LIST", prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.name)
	}
	return out
}

const mailboxFeature = `@imap
Feature: test mailboxes

  @id:imap/9051/6.3.4/t-exists @rfc9051 @rfc9051-6.3.4 @must
  Scenario: the test mailbox exists during the scenario
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}child"
    Then the server replies OK
    When the client sends "t2 RENAME ${mailbox2} ${mailbox2}-renamed"
    Then the server replies OK
    When the client sends "t3 LIST \"\" \"mailspec-*\""
    Then the server replies OK
    And the reply matches "* LIST *${mailbox}*"
    And the reply matches "* LIST *${mailbox}${delim}child*"
    And the reply matches "* LIST *${mailbox2}-renamed*"
    And the test mailbox is selected

  @id:imap/9051/6.3.4/t-fails @rfc9051 @rfc9051-6.3.4 @must
  Scenario: a failing scenario cleans up too
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}a${delim}b"
    Then the server replies OK
    When the client sends "t2 SUBSCRIBE ${mailbox}${delim}a${delim}b"
    Then the server replies OK
    When the client sends "t3 NOOP"
    Then the server replies BAD

  @id:imap/9051/6.3.4/t-interrupted @rfc9051 @rfc9051-6.3.4 @must
  Scenario: an interrupted run cleans up too
    Given an IMAP session
    And the client is authenticated
    And a test mailbox
    When the client sends "t1 CREATE ${mailbox}${delim}x"
    Then the server replies OK
    When the run is interrupted
    And the client sends "t2 NOOP"
    Then the server replies OK
`

func TestTestMailboxLifecycle(t *testing.T) {
	env := embeddedEnv(t)
	fsys := fstest.MapFS{"imap/t.feature": {Data: []byte(mailboxFeature)}}
	prefix := MailboxPrefix(env.RunID)

	// A mailbox of another scenario whose number shares the first digits
	// must survive the clean-up.
	ep, _ := env.Profile.Endpoint("imaps")
	s, err := OpenIMAP(context.Background(), env.Profile, ep, env.Profile.Accounts[0], transcripts.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bystander := prefix + "999999999"
	if _, tagged, err := s.IMAPCommand("CREATE " + bystander); err != nil || tagged.Status != "OK" {
		t.Fatalf("CREATE %s: %v %s", bystander, err, tagged.Raw)
	}

	want := map[string]transcripts.Verdict{
		"imap/9051/6.3.4/t-exists":      transcripts.Pass,
		"imap/9051/6.3.4/t-fails":       transcripts.Fail,
		"imap/9051/6.3.4/t-interrupted": "",
	}
	for id, verdict := range want {
		t.Run(id, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx = context.WithValue(ctx, cancelKey{}, context.CancelFunc(cancel))
			res, err := Run(ctx, env, Options{FS: fsys, IDs: []string{id}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 {
				t.Fatalf("%d results, want 1", len(res))
			}
			o := res[0].Outcome
			if verdict != "" && o.Verdict != verdict {
				t.Errorf("verdict %s (%s), want %s", o.Verdict, o.Reason, verdict)
			}
			t.Logf("%s: %s", o.Verdict, o.Reason)
			if strings.Contains(o.Reason, "cleaning up") {
				t.Errorf("clean-up failed: %s", o.Reason)
			}
			if diff := cmp.Diff([]string{bystander}, prefixedMailboxes(t, env, prefix)); diff != "" {
				t.Errorf("mailboxes left after the scenario (-want +got):\n%s", diff)
			}
			if id == "imap/9051/6.3.4/t-exists" {
				// The scenario passed: its mailboxes existed while it ran.
				for _, e := range o.Entries {
					if e.Dir == transcripts.Server && strings.Contains(string(e.Data), "LIST") && strings.Contains(string(e.Data), "-renamed") {
						return
					}
				}
				t.Error("the transcript shows no LIST of the renamed mailbox")
			}
		})
	}
	lsub, tagged, err := s.IMAPCommand(`LSUB "" "` + prefix + `*"`)
	if err != nil || tagged.Status != "OK" {
		t.Fatalf("LSUB: %v %s", err, tagged.Raw)
	}
	for _, r := range lsub {
		t.Errorf("subscription left: %s", r.Raw)
	}
	if _, err := RemoveMailboxes(s, prefix, func(string, string) bool { return true }); err != nil {
		t.Fatal(err)
	}
}

func TestMailboxPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"ms0a1b2c3d":       "mailspec-ms0a1b2c3d-",
		"mstest150405.000": "mailspec-mstest150405-000-",
		"a b/c*%\"\\é":     "mailspec-a-b-c-------",
		"":                 "mailspec--",
	} {
		if got := MailboxPrefix(in); got != want {
			t.Errorf("MailboxPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOwnedBy(t *testing.T) {
	for _, tc := range []struct {
		n, delim string
		want     bool
	}{
		{"mailspec-r-1", "/", true},
		{"mailspec-r-1/child", "/", true},
		{"mailspec-r-1.child", ".", true},
		{"mailspec-r-1-renamed", ".", true},
		{"mailspec-r-10", "/", false},
		{"mailspec-r-1x", "/", false},
		{"mailspec-r-1.child", "/", false},
		{"mailspec-r-2", "/", false},
		{"INBOX", "/", false},
	} {
		if got := ownedBy(tc.n, "mailspec-r-1", tc.delim); got != tc.want {
			t.Errorf("ownedBy(%q, delim %q) = %v, want %v", tc.n, tc.delim, got, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want listEntry
		ok   bool
	}{
		{"* LIST (\\HasNoChildren) \".\" INBOX\r\n", listEntry{attrs: []string{`\HasNoChildren`}, delim: ".", name: "INBOX"}, true},
		{"* LIST (\\Noselect) \"/\" \"\"\r\n", listEntry{attrs: []string{`\Noselect`}, delim: "/", name: ""}, true},
		{"* LSUB () NIL \"a b\"\r\n", listEntry{delim: "", name: "a b"}, true},
		{"* LIST () \"/\" {3}\r\na\"b\r\n", listEntry{delim: "/", name: `a"b`}, true},
		{"* LIST () \"/\" 2024\r\n", listEntry{delim: "/", name: "2024"}, true},
		{"* LIST (\\HasChildren) \"/\" x (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", listEntry{attrs: []string{`\HasChildren`}, delim: "/", name: "x"}, true},
		{"* STATUS x (MESSAGES 1)\r\n", listEntry{}, false},
		{"* LIST \"/\" x\r\n", listEntry{}, false},
		{"a1 OK done\r\n", listEntry{}, false},
	} {
		r, err := wire.NewIMAPReader(strings.NewReader(tc.raw), wire.Limits{}).ReadResponse()
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		got, ok := parseList(r)
		if ok != tc.ok {
			t.Errorf("parseList(%q) ok = %v, want %v", tc.raw, ok, tc.ok)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(listEntry{})); diff != "" {
			t.Errorf("parseList(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
}

func TestQuoteMailbox(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"INBOX", `"INBOX"`, true},
		{`a"b\c`, `"a\"b\\c"`, true},
		{"a\r\nb", "", false},
		{"caf\xc3\xa9", "", false},
	} {
		got, ok := quoteMailbox(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("quoteMailbox(%q) = %q, %v, want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNamespaceProblem(t *testing.T) {
	for _, tc := range []struct {
		raw string
		ok  bool
	}{
		{"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", true},
		{"* NAMESPACE ((\"\" \".\")) NIL ((\"#shared/\" \"/\")(\"#news.\" \".\"))\r\n", true},
		{"* NAMESPACE ((\"INBOX.\" \".\")) NIL  NIL\r\n", true},
		{"* NAMESPACE ((\"\" NIL)) NIL NIL\r\n", true},
		{"* NAMESPACE ((\"\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL\r\n", true},
		{"* NAMESPACE ((\"\" \"/\")) NIL\r\n", false},
		{"* NAMESPACE () NIL NIL\r\n", false},
		{"* NAMESPACE ((\"\" \"//\")) NIL NIL\r\n", false},
		{"* NAMESPACE ((\"\")) NIL NIL\r\n", false},
		{"* NAMESPACE ((\"\" \"/\" \"X-PARAM\")) NIL NIL\r\n", false},
		{"* NAMESPACE (\"\" \"/\") NIL NIL\r\n", false},
		{"* NAMESPACE ((x \"/\")) NIL NIL\r\n", false},
	} {
		r, err := wire.NewIMAPReader(strings.NewReader(tc.raw), wire.Limits{}).ReadResponse()
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		if p := namespaceProblem(r.Fields); (p == "") != tc.ok {
			t.Errorf("namespaceProblem(%q) = %q, want ok=%v", tc.raw, p, tc.ok)
		}
	}
}

func TestUntaggedKeywordAndAtoms(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		keyword string
		atoms   []string
	}{
		{"* 3 EXISTS\r\n", "EXISTS", nil},
		{"* capability IMAP4rev1 literal+ AUTH=PLAIN\r\n", "CAPABILITY", []string{"IMAP4REV1", "LITERAL+", "AUTH=PLAIN"}},
		{"* ENABLED\r\n", "ENABLED", nil},
		{"* OK [UIDNEXT 4] x\r\n", "OK", nil},
		{"t1 OK done\r\n", "", nil},
	} {
		r, err := wire.NewIMAPReader(strings.NewReader(tc.raw), wire.Limits{}).ReadResponse()
		if err != nil {
			t.Fatalf("%q: %v", tc.raw, err)
		}
		if got := untaggedKeyword(r); got != tc.keyword {
			t.Errorf("untaggedKeyword(%q) = %q, want %q", tc.raw, got, tc.keyword)
		}
		if diff := cmp.Diff(tc.atoms, atoms(r)); diff != "" {
			t.Errorf("atoms(%q) (-want +got):\n%s", tc.raw, diff)
		}
	}
}
