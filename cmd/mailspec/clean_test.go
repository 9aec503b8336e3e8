package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// imapAdmin is a session of the test's own on the profile's first
// account, to seed and inspect what clean works on.
type imapAdmin struct {
	t     *testing.T
	s     *transcripts.Session
	delim string
}

func openAdmin(t *testing.T, profilePath string) *imapAdmin {
	t.Helper()
	p, err := transcripts.LoadProfile(profilePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	ep, ok := imapEndpoint(p)
	if !ok {
		t.Fatal("no IMAP endpoint")
	}
	s, err := steps.OpenIMAP(context.Background(), p, ep, p.Accounts[0], transcripts.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := &imapAdmin{t: t, s: s}
	untagged := a.ok(`LIST "" ""`)
	for _, u := range untagged {
		if u.Keyword == "LIST" && len(u.Fields) > 1 {
			a.delim = u.Fields[1].Str
		}
	}
	return a
}

// ok runs a command that must succeed.
func (a *imapAdmin) ok(cmd string) []wire.IMAPResponse {
	a.t.Helper()
	untagged, tagged, err := a.s.IMAPCommand(cmd)
	if err != nil || tagged.Status != "OK" {
		a.t.Fatalf("%s: %v %q", cmd, err, tagged.Raw)
	}
	return untagged
}

// appendMsg appends a message to INBOX with a synchronising literal.
func (a *imapAdmin) appendMsg(msg string) {
	a.t.Helper()
	tag := a.s.NextTag()
	if err := a.s.SendRaw([]byte(tag + " APPEND INBOX {" + strconv.Itoa(len(msg)) + "}\r\n")); err != nil {
		a.t.Fatal(err)
	}
	_, cont, err := a.s.IMAPReadUntil(tag)
	if err != nil || cont.Kind != wire.IMAPContinuation {
		a.t.Fatalf("APPEND: %v %q", err, cont.Raw)
	}
	if err := a.s.SendRaw([]byte(msg + "\r\n")); err != nil {
		a.t.Fatal(err)
	}
	if _, tagged, err := a.s.IMAPReadUntil(tag); err != nil || tagged.Status != "OK" {
		a.t.Fatalf("APPEND: %v %q", err, tagged.Raw)
	}
}

// mailboxes lists the names LIST "" "<pattern>" returns.
func (a *imapAdmin) mailboxes(pattern string) []string {
	a.t.Helper()
	var out []string
	for _, u := range a.ok(`LIST "" "` + pattern + `"`) {
		if u.Keyword == "LIST" && len(u.Fields) > 2 {
			out = append(out, u.Fields[2].Str)
		}
	}
	return out
}

// search returns the UIDs of INBOX messages matching a SEARCH key.
func (a *imapAdmin) search(key string) []uint64 {
	a.t.Helper()
	a.ok("SELECT INBOX")
	return searchUIDs(a.ok("UID SEARCH " + key))
}

func randomID(t *testing.T) string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "ct" + hex.EncodeToString(b[:])
}

// checkClean simulates a killed run on the profile's first account (its
// prefixed mailboxes, a tagged message in INBOX), adds what must survive
// (a mailbox without the prefix, an untagged message), and runs clean
// with --dry-run, then for real: with the default prefix, or (own) with
// the simulated run's prefix alone.
func checkClean(t *testing.T, profilePath string, own bool) {
	runID := randomID(t)
	a := openAdmin(t, profilePath)
	prefix := steps.MailboxPrefix(runID)
	prefixFlag := "mailspec-"
	if own {
		prefixFlag = prefix
	}
	killed := []string{prefix + "1", prefix + "1" + a.delim + "child", prefix + "1" + a.delim + "child" + a.delim + "deeper", prefix + "2-renamed"}
	for _, m := range killed {
		a.ok("CREATE " + m)
	}
	a.ok("SUBSCRIBE " + prefix + "1" + a.delim + "child")
	survivor := "keep-" + runID
	a.ok("CREATE " + survivor)
	t.Cleanup(func() { a.s.IMAPCommand("DELETE " + survivor) })
	tagged := "From: <a@example.test>\r\nSubject: tagged " + runID + "\r\nX-Mailspec-Run: " + runID + "\r\n\r\nleft by a killed run\r\n"
	untagged := "From: <a@example.test>\r\nSubject: untagged " + runID + "\r\n\r\nnot ours\r\n"
	a.appendMsg(tagged)
	a.appendMsg(untagged)
	t.Cleanup(func() {
		// The untagged message is the test's own: remove it.
		a.s.IMAPCommand("SELECT INBOX")
		if uids := a.search(`SUBJECT "untagged ` + runID + `"`); len(uids) > 0 {
			a.s.IMAPCommand("UID STORE " + uidSet(uids) + ` +FLAGS.SILENT (\Deleted)`)
			a.s.IMAPCommand("UID EXPUNGE " + uidSet(uids))
		}
	})

	code, stdout, stderr := run(t, "clean", "--profile", profilePath, "--prefix", prefixFlag, "--dry-run")
	if code != 0 || stderr != "" {
		t.Fatalf("clean --dry-run: exit %d, stderr %q", code, stderr)
	}
	first := strings.SplitN(stdout, "\n", 2)[0]
	for _, want := range []string{"would remove 4 mailboxes", prefix + "1" + a.delim + "child" + a.delim + "deeper", "would remove 1 tagged message from INBOX"} {
		if !strings.Contains(first, want) {
			t.Errorf("clean --dry-run: first line %q lacks %q", first, want)
		}
	}
	if got := a.mailboxes(prefix + "*"); len(got) != len(killed) {
		t.Errorf("after --dry-run: %q, want all %d still there", got, len(killed))
	}
	if got := a.search(`HEADER X-Mailspec-Run "` + runID + `"`); len(got) != 1 {
		t.Errorf("after --dry-run: %d tagged messages, want 1", len(got))
	}
	a.ok("UNSELECT")

	code, stdout, stderr = run(t, "clean", "--profile", profilePath, "--prefix", prefixFlag)
	if code != 0 || stderr != "" {
		t.Fatalf("clean: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	p, _ := transcripts.LoadProfile(profilePath, nil)
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != len(p.Accounts) {
		t.Errorf("clean printed %d lines for %d accounts: %q", len(lines), len(p.Accounts), stdout)
	}
	for _, want := range []string{p.Accounts[0].User + ": removed 4 mailboxes", "removed 1 tagged message from INBOX"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("clean: first line %q lacks %q", lines[0], want)
		}
	}
	if got := a.mailboxes(prefix + "*"); len(got) != 0 {
		t.Errorf("after clean: %q left", got)
	}
	if diff := cmp.Diff([]string{survivor}, a.mailboxes(survivor)); diff != "" {
		t.Errorf("the mailbox without the prefix (-want +got):\n%s", diff)
	}
	var subs []string
	for _, u := range a.ok(`LSUB "" "` + prefix + `*"`) {
		subs = append(subs, string(u.Raw))
	}
	if len(subs) > 0 {
		t.Errorf("subscriptions left: %q", subs)
	}
	if got := a.search(`HEADER X-Mailspec-Run "` + runID + `"`); len(got) != 0 {
		t.Errorf("after clean: tagged messages %v left", got)
	}
	if got := a.search(`SUBJECT "untagged ` + runID + `"`); len(got) != 1 {
		t.Errorf("after clean: %d untagged messages, want the 1 that is not ours", len(got))
	}
}

func TestCleanEmbedded(t *testing.T) {
	_, path := startEmbedded(t)
	// The embedded system is the test's own: the default prefix is safe.
	checkClean(t, path, false)
}

func TestCleanReal(t *testing.T) {
	path := os.Getenv("MAILSPEC_PROFILE")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("MAILSPEC_PROFILE is not set: run the tests under targets/real/with-servers.sh (./test.sh)")
		}
		t.Skip("MAILSPEC_PROFILE is not set: the real servers are not running (./test.sh starts them)")
	}
	// Other runs may be using the real servers at the same time: clean
	// only what this test created.
	checkClean(t, path, true)
}

func TestCleanCannotStart(t *testing.T) {
	sys, path := startEmbedded(t)
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alice := sys.Accounts[0]
	wrong := write("wrong.yaml", strings.Replace(string(orig), alice.Password, "wrong-"+alice.Password, 1))
	imapAddr := strings.TrimPrefix(sys.URL("imap"), "imap://")
	imapsAddr := strings.TrimPrefix(sys.URL("imaps"), "imaps://")
	refusedAddr := freePort(t)
	refused := write("refused.yaml", strings.NewReplacer(imapAddr, refusedAddr, imapsAddr, refusedAddr).Replace(string(orig)))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no profile", []string{"clean"}, "--profile"},
		{"missing profile", []string{"clean", "--profile", "/nonexistent/profile.yaml"}, "no such file"},
		{"bad profile", []string{"clean", "--profile", write("bad.yaml", "endpoints: [")}, "yaml"},
		{"foreign prefix", []string{"clean", "--profile", path, "--prefix", "INBOX"}, "does not start with"},
		{"wildcard prefix", []string{"clean", "--profile", path, "--prefix", "mailspec-*"}, "not allowed"},
		{"wrong password", []string{"clean", "--profile", wrong}, "login as " + alice.User + " failed"},
		{"refused", []string{"clean", "--profile", refused}, "refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			oneLineError(t, code, stderr, tc.want)
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if strings.Contains(stderr, alice.Password) {
				t.Errorf("the password appears on stderr: %q", stderr)
			}
		})
	}
}

func TestUIDSet(t *testing.T) {
	for _, tc := range []struct {
		in   []uint64
		want string
	}{
		{[]uint64{1}, "1"},
		{[]uint64{1, 2, 3}, "1:3"},
		{[]uint64{1, 3, 4, 7}, "1,3:4,7"},
		{nil, ""},
	} {
		if got := uidSet(tc.in); got != tc.want {
			t.Errorf("uidSet(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
