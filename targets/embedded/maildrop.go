package embedded

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

var (
	// errBadCredentials is a login refused for its user name or password.
	errBadCredentials = errors.New("embedded: invalid credentials")
	// errGone is a message removed from the maildrop by someone else (an
	// IMAP client) during the POP3 session.
	errGone = errors.New("embedded: message no longer in the maildrop")
)

// dropMessage is one message of a maildrop, as the POP3 session saw it at
// login.
type dropMessage struct {
	uid  imap.UID
	size int64 // octets in pop3Form
}

// maildrop is what the POP3 front-end needs of a user's INBOX: the
// messages at login, their content, and the removal of the deleted ones
// in the UPDATE state (RFC 1939 section 6).
type maildrop interface {
	// user names the maildrop's account, the key of its lock.
	user() string
	// load takes stock of the messages; the other methods need it first.
	load() error
	// uidValidity is the INBOX's UIDVALIDITY (RFC 9051 section 2.3.1.1),
	// which with a UID names a message for ever.
	uidValidity() uint32
	// messages are the messages at login, in maildrop order.
	messages() []dropMessage
	// content returns a message in pop3Form, or errGone.
	content(uid imap.UID) ([]byte, error)
	// remove removes the messages for good.
	remove(uids []imap.UID) error
	// close ends the maildrop's session with the store.
	close() error
}

// imapMaildrop is a maildrop read through go-imap's client, logged in as
// the user to the system's inner IMAP server over an in-memory pipe.
type imapMaildrop struct {
	c        *imapclient.Client
	account  string
	validity uint32
	msgs     []dropMessage
}

var _ maildrop = (*imapMaildrop)(nil)

// bodyPeek is BODY.PEEK[]: the whole message, without setting \Seen.
var bodyPeek = &imap.FetchItemBodySection{Peek: true}

// loginIMAPMaildrop logs in as username over a connection from dial. A
// refused login is errBadCredentials. account names the maildrop for
// locking.
func loginIMAPMaildrop(dial func() (net.Conn, error), account, username, password string) (*imapMaildrop, error) {
	conn, err := dial()
	if err != nil {
		return nil, fmt.Errorf("embedded: maildrop: %w", err)
	}
	c := imapclient.New(conn, nil)
	fail := func(err error) (*imapMaildrop, error) {
		c.Close()
		return nil, err
	}
	if err := c.WaitGreeting(); err != nil {
		return fail(fmt.Errorf("embedded: maildrop greeting: %w", err))
	}
	if err := c.Login(username, password).Wait(); err != nil {
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
			return fail(errBadCredentials)
		}
		return fail(fmt.Errorf("embedded: maildrop login: %w", err))
	}
	return &imapMaildrop{c: c, account: account}, nil
}

// load selects INBOX and takes stock of its messages.
func (md *imapMaildrop) load() error {
	sel, err := md.c.Select(inbox, nil).Wait()
	if err != nil {
		return fmt.Errorf("embedded: maildrop select: %w", err)
	}
	md.validity = sel.UIDValidity
	md.msgs = nil
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	cmd := md.c.Fetch(all, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{bodyPeek}})
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return fmt.Errorf("embedded: maildrop fetch: %w", err)
		}
		md.msgs = append(md.msgs, dropMessage{uid: buf.UID, size: int64(len(pop3Form(buf.FindBodySection(bodyPeek))))})
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("embedded: maildrop fetch: %w", err)
	}
	slices.SortFunc(md.msgs, func(a, b dropMessage) int { return cmp.Compare(a.uid, b.uid) })
	return nil
}

func (md *imapMaildrop) user() string            { return md.account }
func (md *imapMaildrop) uidValidity() uint32     { return md.validity }
func (md *imapMaildrop) messages() []dropMessage { return md.msgs }

func (md *imapMaildrop) content(uid imap.UID) ([]byte, error) {
	bufs, err := md.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{bodyPeek},
	}).Collect()
	if err != nil {
		return nil, fmt.Errorf("embedded: maildrop fetch: %w", err)
	}
	for _, buf := range bufs {
		if buf.UID == uid {
			return pop3Form(buf.FindBodySection(bodyPeek)), nil
		}
	}
	return nil, errGone
}

func (md *imapMaildrop) remove(uids []imap.UID) error {
	if len(uids) == 0 {
		return nil
	}
	set := imap.UIDSetNum(uids...)
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := md.c.Store(set, store, nil).Close(); err != nil {
		return fmt.Errorf("embedded: maildrop store: %w", err)
	}
	// UID EXPUNGE (RFC 4315 section 2.1) removes these messages only, not
	// others an IMAP client marked \Deleted.
	if err := md.c.UIDExpunge(set).Close(); err != nil {
		return fmt.Errorf("embedded: maildrop expunge: %w", err)
	}
	return nil
}

func (md *imapMaildrop) close() error {
	// LOGOUT politely; Close ends the client's reader goroutine either way.
	logoutErr := md.c.Logout().Wait()
	closeErr := md.c.Close()
	if logoutErr != nil {
		return fmt.Errorf("embedded: maildrop logout: %w", logoutErr)
	}
	if closeErr != nil && !errors.Is(closeErr, net.ErrClosed) {
		return fmt.Errorf("embedded: maildrop close: %w", closeErr)
	}
	return nil
}
