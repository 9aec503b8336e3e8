package faults

func init() {
	Register(Fault{
		Name:        "smtp-greeting-none",
		Protocol:    SMTP,
		Description: "RFC 5321 3.1: the server never sends its 220 greeting; the client waits for it",
		OnGreeting:  func(e *Exchange) { e.Drop() },
	})
}
