package embedded

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// inbox is the mailbox SMTP delivers to and POP3 reads (RFC 9051 section
// 5.1: the name INBOX is case-insensitive and always exists).
const inbox = "INBOX"

// extraMailboxes are created next to INBOX for every account. go-imap's
// in-memory server offers no way to give them SPECIAL-USE attributes
// (RFC 6154), so they are plain mailboxes and SPECIAL-USE is not advertised.
var extraMailboxes = []string{"Sent", "Drafts", "Trash", "Junk"}

// store is the system's one mail store: the accounts and their mailboxes,
// kept by go-imap's in-memory server.
type store struct {
	domain    string
	accounts  []*storeAccount
	byUser    map[string]*storeAccount
	byAddress map[string]*storeAccount // lower-cased address
}

// storeAccount is an account with its mailboxes.
type storeAccount struct {
	Account
	mem *imapmemserver.User
}

func newStore(domain string, accounts []Account) (*store, error) {
	st := &store{
		domain:    domain,
		byUser:    make(map[string]*storeAccount),
		byAddress: make(map[string]*storeAccount),
	}
	for _, a := range accounts {
		sa := &storeAccount{Account: a, mem: imapmemserver.NewUser(a.User, a.Password)}
		for _, name := range append([]string{inbox}, extraMailboxes...) {
			if err := sa.mem.Create(name, nil); err != nil {
				return nil, fmt.Errorf("embedded: create %s for %s: %w", name, a.User, err)
			}
			if err := sa.mem.Subscribe(name); err != nil {
				return nil, fmt.Errorf("embedded: subscribe %s for %s: %w", name, a.User, err)
			}
		}
		st.accounts = append(st.accounts, sa)
		st.byUser[a.User] = sa
		st.byAddress[strings.ToLower(a.Address)] = sa
	}
	return st, nil
}

// authenticate returns the account that username and password log in to,
// or nil. username is the account's User or, case-insensitively, its
// Address. The password comparison takes constant time.
func (st *store) authenticate(username, password string) *storeAccount {
	a := st.byUser[username]
	if a == nil {
		a = st.byAddress[strings.ToLower(username)]
	}
	if a == nil {
		// Compare anyway, so that an unknown user costs the same time.
		subtle.ConstantTimeCompare([]byte(password), []byte(password+"x"))
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(a.Password)) != 1 {
		return nil
	}
	return a
}

// account returns the User of the account username names (its User or
// its Address), or username itself if none.
func (st *store) account(username string) string {
	if a := st.byUser[username]; a != nil {
		return a.User
	}
	if a := st.byAddress[strings.ToLower(username)]; a != nil {
		return a.User
	}
	return username
}

// lookup returns the local account that receives mail for addr, or nil.
// Addresses compare case-insensitively; postmaster at the system's domain
// (RFC 5321 section 4.5.1) goes to the first account.
func (st *store) lookup(addr string) *storeAccount {
	addr = strings.ToLower(addr)
	if a := st.byAddress[addr]; a != nil {
		return a
	}
	if addr == "postmaster@"+strings.ToLower(st.domain) && len(st.accounts) > 0 {
		return st.accounts[0]
	}
	return nil
}

// isLocalDomain reports whether addr's domain is one the system receives
// mail for.
func (st *store) isLocalDomain(addr string) bool {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return false
	}
	domain := addr[i+1:]
	if strings.EqualFold(domain, st.domain) {
		return true
	}
	for _, a := range st.accounts {
		if j := strings.LastIndexByte(a.Address, '@'); j >= 0 && strings.EqualFold(a.Address[j+1:], domain) {
			return true
		}
	}
	return false
}

// deliver appends msg to a's INBOX with internal date t. If the account's
// user deleted INBOX over IMAP, it is created again.
func (st *store) deliver(a *storeAccount, msg []byte, t time.Time) error {
	// A *bytes.Reader is an imap.LiteralReader: it has Size.
	opts := &imap.AppendOptions{Time: t}
	_, err := a.mem.Append(inbox, bytes.NewReader(msg), opts)
	if err != nil {
		if cerr := a.mem.Create(inbox, nil); cerr != nil {
			return fmt.Errorf("embedded: deliver to %s: %w", a.User, errors.Join(err, cerr))
		}
		_, err = a.mem.Append(inbox, bytes.NewReader(msg), opts)
	}
	if err != nil {
		return fmt.Errorf("embedded: deliver to %s: %w", a.User, err)
	}
	return nil
}
