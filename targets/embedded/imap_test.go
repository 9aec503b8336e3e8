package embedded

import (
	"errors"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/google/go-cmp/cmp"
)

func TestIMAPLoginDisabledBeforeTLS(t *testing.T) {
	sys := startSystem(t, Options{})
	alice := account(t, sys, "alice")

	c, err := imapclient.DialInsecure(sys.Endpoints[SchemeIMAP], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatalf("CAPABILITY: %v", err)
	}
	for _, want := range []imap.Cap{imap.CapIMAP4rev1, imap.CapIMAP4rev2, imap.CapStartTLS, imap.CapLoginDisabled} {
		if !caps.Has(want) {
			t.Errorf("CAPABILITY before TLS lacks %s: %v", want, caps)
		}
	}
	if caps.Has("AUTH=PLAIN") {
		t.Errorf("AUTH=PLAIN advertised before TLS: %v", caps)
	}
	err = c.Login(alice.User, alice.Password).Wait()
	var imapErr *imap.Error
	if !errors.As(err, &imapErr) || imapErr.Code != imap.ResponseCodePrivacyRequired {
		t.Errorf("LOGIN before TLS = %v, want NO [PRIVACYREQUIRED]", err)
	}
}

func TestIMAPLoginAfterTLS(t *testing.T) {
	sys := startSystem(t, Options{})
	alice := account(t, sys, "alice")

	c, err := imapclient.DialStartTLS(sys.Endpoints[SchemeIMAP], &imapclient.Options{TLSConfig: clientTLS(t, sys, "localhost")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatal(err)
	}
	if caps.Has(imap.CapLoginDisabled) || caps.Has(imap.CapStartTLS) || !caps.Has("AUTH=PLAIN") {
		t.Errorf("CAPABILITY after STARTTLS = %v, want AUTH=PLAIN without LOGINDISABLED or STARTTLS", caps)
	}
	if err := c.Login(alice.User, alice.Password+"x").Wait(); err == nil {
		t.Error("LOGIN with a wrong password succeeded")
	}
	if err := c.Login(alice.User, alice.Password).Wait(); err != nil {
		t.Fatalf("LOGIN after STARTTLS: %v", err)
	}
	caps, err = c.Capability().Wait()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []imap.Cap{imap.CapNamespace, imap.CapUIDPlus, imap.CapMove, imap.CapIdle, imap.CapESearch, imap.CapListStatus} {
		if !caps.Has(want) {
			t.Errorf("CAPABILITY after login lacks %s: %v", want, caps)
		}
	}
	if caps.Has(imap.CapSpecialUse) {
		t.Errorf("SPECIAL-USE advertised, but the mailboxes carry no attributes: %v", caps)
	}
}

func TestIMAPSAuthenticate(t *testing.T) {
	sys := startSystem(t, Options{})
	alice := account(t, sys, "alice")
	c, err := imapclient.DialTLS(sys.Endpoints[SchemeIMAPS], &imapclient.Options{TLSConfig: clientTLS(t, sys, "localhost")})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(plainAuth(alice)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN on imaps: %v", err)
	}
}

func TestIMAPMailboxes(t *testing.T) {
	sys := startSystem(t, Options{})
	c := imapLogin(t, sys, account(t, sys, "carol"))
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"Drafts", "INBOX", "Junk", "Sent", "Trash"}, names); diff != "" {
		t.Errorf("mailboxes (-want +got):\n%s", diff)
	}
}

func TestIMAPAppendSelectFetch(t *testing.T) {
	sys := startSystem(t, Options{})
	c := imapLogin(t, sys, account(t, sys, "alice"))

	msg := "From: alice@example.test\r\nSubject: draft\r\n\r\nfirst line\r\n"
	cmd := c.Append("Drafts", int64(len(msg)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft}})
	if _, err := cmd.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	appended, err := cmd.Wait()
	if err != nil {
		t.Fatalf("APPEND: %v", err)
	}
	if appended.UID == 0 || appended.UIDValidity == 0 {
		t.Errorf("APPEND gave no APPENDUID (RFC 4315): %+v", appended)
	}

	sel, err := c.Select("Drafts", nil).Wait()
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	if sel.NumMessages != 1 {
		t.Fatalf("SELECT Drafts: %d messages, want 1", sel.NumMessages)
	}
	section := &imap.FetchItemBodySection{}
	bufs, err := c.Fetch(imap.UIDSetNum(appended.UID), &imap.FetchOptions{
		Flags:       true,
		RFC822Size:  true,
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil || len(bufs) != 1 {
		t.Fatalf("UID FETCH: %v, %d messages", err, len(bufs))
	}
	if got := string(bufs[0].FindBodySection(section)); got != msg {
		t.Errorf("BODY[] = %q, want %q", got, msg)
	}
	if bufs[0].RFC822Size != int64(len(msg)) {
		t.Errorf("RFC822.SIZE = %d, want %d", bufs[0].RFC822Size, len(msg))
	}
	if !slices.Contains(bufs[0].Flags, imap.FlagDraft) {
		t.Errorf("FLAGS = %v, want \\Draft", bufs[0].Flags)
	}
}
