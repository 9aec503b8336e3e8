package faults

// smtpVerbs are the SMTP commands the fault smtp-unknown-command-502
// counts as known: RFC 5321 section 4.1 and the usual extensions.
var smtpVerbs = map[string]bool{
	"EHLO": true, "HELO": true, "LHLO": true, "MAIL": true, "RCPT": true,
	"DATA": true, "BDAT": true, "RSET": true, "VRFY": true, "EXPN": true,
	"HELP": true, "NOOP": true, "QUIT": true, "STARTTLS": true, "AUTH": true,
	"ETRN": true, "TURN": true, "ATRN": true, "SEND": true, "SOML": true,
	"SAML": true, "XCLIENT": true, "XFORWARD": true,
}

func init() {
	Register(Fault{
		Name:        "smtp-unknown-command-502",
		Protocol:    SMTP,
		Description: "RFC 5321 4.2.4: an unrecognized command is answered 502 (not implemented) instead of 500",
		OnReply: func(e *Exchange) {
			code := e.SMTPCode()
			if e.Command == nil || e.Verb() == "" || smtpVerbs[e.Verb()] || (code != 500 && code != 501) {
				return
			}
			e.Reply = []byte("502 5.5.1 Command not implemented\r\n")
		},
	})
}
