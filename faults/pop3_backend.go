package faults

// Faults of the POP3 maildrop itself, which a proxy cannot make: each
// names the fault of the embedded reference system
// (embedded.Options.Faults) that breaks the requirement, and has no
// hooks.
func init() {
	Register(Fault{
		Name:        "pop3-dele-immediate",
		Protocol:    POP3,
		Description: "RFC 1939 6: DELE removes the message at once instead of in the UPDATE state, so a session that ends without QUIT still loses it",
		Backend:     "pop3-dele-immediate",
	})
	Register(Fault{
		Name:        "pop3-uidl-unstable",
		Protocol:    POP3,
		Description: "RFC 1939 7: the unique-id of a message is different in every session",
		Backend:     "pop3-uidl-unstable",
	})
}
