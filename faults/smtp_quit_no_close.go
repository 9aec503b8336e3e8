package faults

import "time"

// quitHold is how long smtp-quit-no-close keeps the client connection
// open after 221.
const quitHold = 30 * time.Second

func init() {
	Register(Fault{
		Name:        "smtp-quit-no-close",
		Protocol:    SMTP,
		Description: "RFC 5321 4.1.1.10: after 221 to QUIT the server does not close the connection",
		OnReply: func(e *Exchange) {
			if e.Verb() == "QUIT" && e.SMTPCode() == 221 {
				e.HoldOpen = quitHold
			}
		},
	})
}
