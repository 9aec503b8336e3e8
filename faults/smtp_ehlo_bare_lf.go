package faults

import "bytes"

func init() {
	Register(Fault{
		Name:        "smtp-ehlo-bare-lf",
		Protocol:    SMTP,
		Description: "RFC 5321 2.3.8: the lines of the EHLO reply end in a bare LF instead of CRLF",
		OnReply: func(e *Exchange) {
			if e.Verb() == "EHLO" {
				e.Reply = bytes.ReplaceAll(e.Raw, []byte("\r\n"), []byte("\n"))
			}
		},
	})
}
