package faults

func init() {
	Register(Fault{
		Name:        "smtp-rcpt-before-mail-250",
		Protocol:    SMTP,
		Description: "RFC 5321 3.3: an RCPT without a previous MAIL is accepted with 250 instead of refused with 503",
		OnReply: func(e *Exchange) {
			if e.Verb() == "RCPT" && !e.State.InMail && e.SMTPCode() >= 400 {
				e.Reply = []byte("250 2.1.5 OK\r\n")
			}
		},
	})
}
