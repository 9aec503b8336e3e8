package faults

func init() {
	Register(Fault{
		Name:     "smtp-starttls-injection",
		Protocol: SMTP,
		Description: "RFC 3207 4.2: commands pipelined in plaintext behind STARTTLS are executed " +
			"after the TLS handshake, so the client gets answers to commands sent before TLS (CVE-2011-0411)",
		OnCommand: func(e *Exchange) {
			if e.Verb() == "STARTTLS" {
				e.PipelinedAfterTLS = true
			}
		},
	})
}
