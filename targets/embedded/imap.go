package embedded

import (
	"crypto/tls"
	"log"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// imapCaps are the capabilities the IMAP server advertises beyond those
// imapserver adds by itself (STARTTLS, AUTH=PLAIN or LOGINDISABLED,
// SASL-IR, LITERAL-, and after login UNSELECT, ENABLE, IDLE and
// UTF8=ACCEPT). Each is implemented by imapserver together with
// imapmemserver. SPECIAL-USE (RFC 6154) is missing: imapmemserver cannot
// store mailbox attributes. CHILDREN, APPENDLIMIT and ID are missing too:
// imapmemserver does not send the attributes, enforce a limit, or
// imapserver answer the command.
var imapCaps = imap.CapSet{
	imap.CapIMAP4rev1:    {}, // RFC 3501
	imap.CapIMAP4rev2:    {}, // RFC 9051
	imap.CapNamespace:    {}, // RFC 2342
	imap.CapUIDPlus:      {}, // RFC 4315
	imap.CapESearch:      {}, // RFC 4731
	imap.CapSearchRes:    {}, // RFC 5182
	imap.CapListExtended: {}, // RFC 5258
	imap.CapListStatus:   {}, // RFC 5819
	imap.CapMove:         {}, // RFC 6851
	imap.CapStatusSize:   {}, // RFC 8438
	imap.CapBinary:       {}, // RFC 3516
	imap.CapLiteralPlus:  {}, // RFC 7888
}

// newIMAPServer returns an IMAP server over st. tlsConfig enables STARTTLS;
// insecureAuth allows LOGIN and AUTHENTICATE without TLS (RFC 9051 section
// 6.2.3: otherwise the server advertises LOGINDISABLED).
func newIMAPServer(st *store, tlsConfig *tls.Config, insecureAuth bool, logger *log.Logger) *imapserver.Server {
	return imapserver.New(&imapserver.Options{
		NewSession: func(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{st: st, conn: trackedOf(c.NetConn())}, nil, nil
		},
		Caps:         imapCaps,
		Logger:       logger,
		TLSConfig:    tlsConfig,
		InsecureAuth: insecureAuth,
	})
}

// trackedOf finds the tracked connection under c, a *trackedConn or a TLS
// connection over one.
func trackedOf(c net.Conn) *trackedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	tc, _ := c.(*trackedConn)
	return tc
}

// imapSession is one IMAP connection's session: imapmemserver's user
// session, once logged in against the store's accounts.
type imapSession struct {
	*imapmemserver.UserSession // nil before login

	st   *store
	conn *trackedConn
}

var _ imapserver.SessionIMAP4rev2 = (*imapSession)(nil)

// Login implements [imapserver.Session]. A failure is answered NO
// [AUTHENTICATIONFAILED] (RFC 5530 section 3).
func (s *imapSession) Login(username, password string) error {
	a := s.st.authenticate(username, password)
	if a == nil {
		return imapserver.ErrAuthFailed
	}
	s.UserSession = imapmemserver.NewUserSession(a.mem)
	return nil
}

// Close implements [imapserver.Session]; it is the last call imapserver
// makes on the session before it closes the connection.
func (s *imapSession) Close() error {
	var err error
	if s.UserSession != nil {
		err = s.UserSession.Close()
	}
	if s.conn != nil {
		s.conn.endSession()
	}
	return err
}
