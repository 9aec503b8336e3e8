package faults

func init() {
	Register(Fault{
		Name:        "smtp-noop-500",
		Protocol:    SMTP,
		Description: "RFC 5321 4.1.1.9: NOOP is answered 500 instead of the required 250",
		OnReply: func(e *Exchange) {
			if e.Verb() == "NOOP" && e.SMTPCode() == 250 {
				e.Reply = []byte("500 5.5.1 Unknown command\r\n")
			}
		},
	})
}
