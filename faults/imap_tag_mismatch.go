package faults

func init() {
	Register(Fault{
		Name:        "imap-tag-mismatch",
		Protocol:    IMAP,
		Description: "RFC 9051 2.2.2: tagged completion responses carry a tag other than the command's",
		OnReply: func(e *Exchange) {
			tag := e.IMAPTag()
			if tag == "" || tag == "*" || tag == "+" {
				return
			}
			e.Reply = append([]byte("wrong-"), e.Raw...)
		},
	})
}
