package faults

func init() {
	Register(Fault{
		Name:        "smtp-quit-250",
		Protocol:    SMTP,
		Description: "RFC 5321 4.1.1.10: QUIT is answered 250 instead of the required 221 (the connection still closes)",
		OnReply: func(e *Exchange) {
			if e.Verb() == "QUIT" && e.SMTPCode() == 221 {
				e.Reply = []byte("250 2.0.0 Bye\r\n")
			}
		},
	})
}
