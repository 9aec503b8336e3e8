package faults

import "bytes"

func init() {
	Register(Fault{
		Name:        "smtp-ehlo-code-mismatch",
		Protocol:    SMTP,
		Description: "RFC 5321 4.2.1: the last line of the multi-line EHLO reply carries code 251 while the others carry 250",
		OnReply: func(e *Exchange) {
			if e.Verb() != "EHLO" || e.SMTPCode() != 250 {
				return
			}
			body := bytes.TrimSuffix(e.Raw, []byte("\n"))
			i := bytes.LastIndexByte(body, '\n')
			if i < 0 {
				return // one line: nothing to disagree with
			}
			reply := bytes.Clone(e.Raw)
			copy(reply[i+1:], "251")
			e.Reply = reply
		},
	})
}
