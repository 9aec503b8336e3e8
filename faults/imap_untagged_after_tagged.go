package faults

import "strings"

// heldExistsKey is where imap-untagged-after-tagged keeps the EXISTS
// response it holds back.
const heldExistsKey = "imap-untagged-after-tagged.exists"

func init() {
	Register(Fault{
		Name:        "imap-untagged-after-tagged",
		Protocol:    IMAP,
		Description: "RFC 9051 6.3.2: the untagged EXISTS of SELECT is sent after the tagged OK instead of before it",
		OnReply: func(e *Exchange) {
			if e.Verb() != "SELECT" {
				return
			}
			tag, _, rest := imapResponseWords(e.Raw)
			switch {
			case tag == "*" && strings.EqualFold(strings.TrimSpace(rest), "EXISTS"):
				held, _ := e.Conn.Values[heldExistsKey].([]byte)
				e.Conn.Values[heldExistsKey] = append(held, e.Raw...)
				e.Drop()
			case tag == e.Command.Tag:
				if held, ok := e.Conn.Values[heldExistsKey].([]byte); ok {
					e.After = held
					delete(e.Conn.Values, heldExistsKey)
				}
			}
		},
	})
}
