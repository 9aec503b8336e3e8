package faults

func init() {
	Register(Fault{
		Name:        "smtp-rset-500",
		Protocol:    SMTP,
		Description: "RFC 5321 4.1.1.5: RSET is answered 500 instead of the required 250",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RSET" && e.SMTPCode() == 250 {
				e.Reply = []byte("500 5.5.1 Unknown command\r\n")
			}
		},
	})
}
