package faults

// Faults for the REQUIRETLS extension (RFC 8689), which no server this
// project runs offers: the REQUIRETLS faults make a proxy offer it, once
// correctly (smtp-requiretls-offered, a stand-in for a server that has
// it, so that the scenarios can pass) and twice wrongly.

func init() {
	Register(Fault{
		Name:     "smtp-requiretls-offered",
		Protocol: SMTP,
		Description: "RFC 8689 2 (not a violation: a stand-in for a server that has the extension): the proxy offers REQUIRETLS in the EHLO reply after STARTTLS, " +
			"as RFC 8689 2 says, and takes the REQUIRETLS parameter off MAIL before the server sees it",
		OnReply:   offerRequireTLS(true, false),
		OnCommand: stripRequireTLS,
	})
	Register(Fault{
		Name:        "smtp-requiretls-before-tls-only",
		Protocol:    SMTP,
		Description: "RFC 8689 2: REQUIRETLS is advertised in the EHLO reply before STARTTLS but not in the one after it",
		OnReply:     offerRequireTLS(false, true),
		OnCommand:   stripRequireTLS,
	})
	Register(Fault{
		Name:        "smtp-requiretls-param-555",
		Protocol:    SMTP,
		Description: "RFC 8689 2 and 4.1: REQUIRETLS is advertised after STARTTLS, but MAIL with the REQUIRETLS parameter is refused with 555",
		OnReply: func(e *Exchange) {
			offerRequireTLS(true, false)(e)
			refuseMailWithParam("REQUIRETLS", "555 5.5.4 REQUIRETLS parameter not recognized\r\n")(e)
		},
		OnCommand: stripRequireTLS,
	})
}

// offerRequireTLS returns a hook adding REQUIRETLS to successful EHLO
// replies: after TLS when afterTLS, on plaintext connections when
// beforeTLS.
func offerRequireTLS(afterTLS, beforeTLS bool) func(e *Exchange) {
	return func(e *Exchange) {
		if e.Verb() != "EHLO" || e.SMTPCode() != 250 {
			return
		}
		if (e.State.TLS && afterTLS) || (!e.State.TLS && beforeTLS) {
			lines := ehloLines(e.Reply)
			lines = append(lines, []byte("250 REQUIRETLS\r\n"))
			e.Reply = joinEHLO(lines)
		}
	}
}

// stripRequireTLS takes the REQUIRETLS parameter off MAIL commands, so
// that a server without the extension accepts them.
func stripRequireTLS(e *Exchange) {
	if e.Verb() == "MAIL" && hasParam(e.Command.Args, "REQUIRETLS") {
		e.Line = dropParam(e.Raw, "REQUIRETLS")
	}
}
