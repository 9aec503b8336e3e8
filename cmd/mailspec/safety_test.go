package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/transcripts"
)

// The safety proof (IMAP and POP3 issues): against a Dovecot of its own
// whose accounts hold mail and folders the run did not make, a full run
// leaves every one of those message files as it was (same folder, same
// content, same flags), and leaves no mailbox of its own behind.

// seedMessage is one pre-seeded message: its Maildir folder ("" for
// INBOX, ".Seeded" for a folder), its file name, and its bytes.
type seedMessage struct {
	folder, sub, name string
	body              string
}

// seeded is what the test puts into each account before the run. The
// bodies include the shapes the suites handle (dot lines, a multipart),
// flags in the file names (Maildir "info": S seen, F flagged, R answered)
// and a folder named "mailspec", which is not the run prefix "mailspec-".
func seeded() []seedMessage {
	msg := func(subject, body string) string {
		return "From: Seed <seed@example.test>\r\nTo: Owner <owner@example.test>\r\nSubject: " + subject +
			"\r\nDate: Sun, 01 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", "-") + "@seed.example.test>\r\n\r\n" + body
	}
	return []seedMessage{
		{"", "new", "1790000001.M1P1.seed", msg("seed new one", "A message nobody has read.\r\n")},
		{"", "new", "1790000002.M2P1.seed", msg("seed dots", ".\r\n..\r\n.leading dot\r\nend\r\n")},
		{"", "cur", "1790000003.M3P1.seed:2,S", msg("seed seen", "Read already.\r\n")},
		{"", "cur", "1790000004.M4P1.seed:2,FS", msg("seed flagged", "Flagged and seen.\r\n")},
		{"", "cur", "1790000005.M5P1.seed:2,", msg("seed unread cur", "In cur, no flags.\r\n")},
		{"", "cur", "1790000006.M6P1.seed:2,RS", "From: Seed <seed@example.test>\r\nSubject: seed multipart\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\npart one\r\n--b1\r\n" +
			"Content-Type: text/plain\r\n\r\npart two\r\n--b1--\r\n"},
		{".Seeded", "cur", "1790000011.M11P1.seed:2,S", msg("seed folder one", "In a folder.\r\n")},
		{".Seeded", "new", "1790000012.M12P1.seed", msg("seed folder two", "In a folder, new.\r\n")},
		{".Seeded.Sub", "cur", "1790000021.M21P1.seed:2,", msg("seed subfolder", "Deeper.\r\n")},
		{".mailspec", "cur", "1790000031.M31P1.seed:2,", msg("seed not the prefix", "A folder called mailspec.\r\n")},
	}
}

// maildirSnapshot maps "folder/unique" to "flags sha256" for every
// message file of a Maildir (new/ and cur/ of INBOX and every folder;
// Dovecot's own index and list files are left out). A message moved
// from new/ to cur/ keeps its key; its flags are the Maildir info after
// ":2,", sorted.
func maildirSnapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		dir := filepath.Base(filepath.Dir(p))
		if dir != "new" && dir != "cur" {
			return nil
		}
		folder, err := filepath.Rel(root, filepath.Dir(filepath.Dir(p)))
		if err != nil {
			return err
		}
		unique, flags, _ := strings.Cut(d.Name(), ":2,")
		f := []byte(flags)
		sort.Slice(f, func(i, j int) bool { return f[i] < f[j] })
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[folder+"/"+unique] = fmt.Sprintf("flags=%q sha256=%s", f, hex.EncodeToString(sum[:8]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// seed writes the seeded messages into a Maildir as the mail user.
func seed(t *testing.T, maildir string, uid, gid int) {
	t.Helper()
	mk := func(dir string) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	mk(maildir)
	for _, m := range seeded() {
		for _, sub := range []string{"cur", "new", "tmp"} {
			mk(filepath.Join(maildir, m.folder, sub))
		}
		p := filepath.Join(maildir, m.folder, m.sub, m.name)
		if err := os.WriteFile(p, []byte(m.body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(p, uid, gid); err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{filepath.Join(maildir, m.folder), filepath.Join(maildir, m.folder, m.sub)} {
			os.Chown(d, uid, gid)
		}
	}
	// Maildir++ folders are directories whose name starts with a dot, and
	// need a maildirfolder marker.
	for _, f := range []string{".Seeded", ".Seeded.Sub", ".mailspec"} {
		p := filepath.Join(maildir, f, "maildirfolder")
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chown(p, uid, gid)
	}
	subs := filepath.Join(maildir, "subscriptions")
	if err := os.WriteFile(subs, []byte("Seeded\nSeeded.Sub\nmailspec\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chown(subs, uid, gid)
}

// ownDovecot starts a Dovecot and Postfix of the test's own with
// targets/real/start.sh and returns the instance's directory.
func ownDovecot(t *testing.T) string {
	t.Helper()
	if os.Getenv("MAILSPEC_REAL_SERVERS") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("MAILSPEC_REAL_SERVERS is not set: run the tests under targets/real/with-servers.sh (./test.sh)")
		}
		t.Skip("MAILSPEC_REAL_SERVERS is not set: Dovecot and Postfix are not installed here (./test.sh installs them)")
	}
	dir, err := os.MkdirTemp("", "mailspec-safety-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	script := func(name string) string { return filepath.Join("..", "..", "targets", "real", name) }
	if out, err := exec.Command(script("start.sh"), dir).CombinedOutput(); err != nil {
		exec.Command(script("stop.sh"), dir).Run()
		t.Fatalf("start.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(script("stop.sh"), dir).CombinedOutput(); err != nil {
			t.Errorf("stop.sh: %v\n%s", err, out)
		}
	})
	return dir
}

func TestSafetyPreseeded(t *testing.T) {
	dir := ownDovecot(t)
	mailUser, err := user.Lookup("mail")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(mailUser.Uid)
	gid, _ := strconv.Atoi(mailUser.Gid)
	p, err := transcripts.LoadProfile(filepath.Join(dir, "profile.yaml"), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	var maildirs []string
	for _, a := range p.Accounts {
		local, domain, _ := strings.Cut(a.User, "@")
		md := filepath.Join(dir, "mail", domain, local, "Maildir")
		seed(t, md, uid, gid)
		maildirs = append(maildirs, md)
	}
	before := map[string]map[string]string{}
	for _, md := range maildirs {
		before[md] = maildirSnapshot(t, md)
		if len(before[md]) != len(seeded()) {
			t.Fatalf("%s: %d message files after seeding, want %d", md, len(before[md]), len(seeded()))
		}
	}

	// Two runs: everything with accounts that are not disposable (no
	// scenario may change existing mail or INBOX), then the POP3 suite
	// with disposable accounts (it retrieves and deletes, but only the
	// messages it delivered itself).
	for _, tc := range []struct {
		name       string
		disposable bool
		args       []string
	}{
		{"all-not-disposable", false, nil},
		{"pop3-disposable", true, []string{"--tags", "@pop3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := *p
			q.Accounts = append([]transcripts.Account(nil), p.Accounts...)
			for i := range q.Accounts {
				q.Accounts[i].Disposable = tc.disposable
			}
			data, err := transcripts.MarshalProfile(&q)
			if err != nil {
				t.Fatal(err)
			}
			pf := filepath.Join(dir, "safety-"+tc.name+".yaml")
			if err := os.WriteFile(pf, data, 0o600); err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"run", "--profile", pf, "--out", out, "--quiet"}, tc.args...)
			code := runMain(context.Background(), args, &stdout, &stderr)
			if code == 2 {
				t.Fatalf("run exited 2:\n%s%s", stdout.String(), stderr.String())
			}
			r, err := reports.ReadJSON(filepath.Join(out, "report.json"))
			if err != nil {
				t.Fatal(err)
			}
			ran := 0
			for _, c := range r.Cases {
				if c.Verdict != transcripts.NotApplicable {
					ran++
				}
			}
			t.Logf("%d cases, %d applicable", len(r.Cases), ran)
			if ran < 20 {
				t.Errorf("only %d applicable cases: the proof needs a run that does something", ran)
			}
			for _, md := range maildirs {
				after := maildirSnapshot(t, md)
				for k, v := range before[md] {
					if after[k] != v {
						t.Errorf("%s: seeded message %s: before %s, after %q", md, k, v, after[k])
					}
				}
				// No mailbox of the run is left behind.
				entries, err := os.ReadDir(md)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range entries {
					if e.IsDir() && strings.HasPrefix(e.Name(), ".mailspec-") {
						t.Errorf("%s: the run left the mailbox %s behind", md, strings.TrimPrefix(e.Name(), "."))
					}
				}
			}
		})
	}
}
