package faults

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// iaExchange is one hook call of a fault of imap_a_faults.go: the command
// (a client line, "" for none), the state and the server bytes (OnReply,
// OnGreeting) or nothing (OnCommand).
type iaExchange struct {
	cmd   string
	tls   bool
	raw   string
	greet bool
}

// iaResult is what a hook left in the exchange.
type iaResult struct {
	Reply, Line, Before, After, Respond string
	PipelinedAfterTLS                   bool
}

// runIA runs fault name's hook on each exchange in turn, with one
// connection's Values, and returns what each left.
func runIA(t *testing.T, name string, xs []iaExchange) []iaResult {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("fault %s is not registered", name)
	}
	conn := &ConnState{ID: 1, Values: map[string]any{}}
	var out []iaResult
	for _, x := range xs {
		e := &Exchange{Conn: conn, Proxy: &Shared{Values: map[string]any{}}, State: State{Greeted: !x.greet, TLS: x.tls}}
		if x.cmd != "" {
			e.Command = parseCommand(IMAP, []byte(x.cmd))
		}
		switch {
		case x.raw == "":
			e.Raw = e.Command.Line
			e.Line = append([]byte(nil), e.Raw...)
			if f.OnCommand != nil {
				f.OnCommand(e)
			}
		case x.greet:
			e.Raw, e.Reply = []byte(x.raw), []byte(x.raw)
			if f.OnGreeting != nil {
				f.OnGreeting(e)
			}
		default:
			e.Raw, e.Reply = []byte(x.raw), []byte(x.raw)
			if f.OnReply != nil {
				f.OnReply(e)
			}
		}
		out = append(out, iaResult{Reply: string(e.Reply), Line: string(e.Line), Before: string(e.Before), After: string(e.After),
			Respond: string(e.Respond), PipelinedAfterTLS: e.PipelinedAfterTLS})
	}
	return out
}

// reply is the result of a reply hook that changed nothing but Reply.
func reply(s string) iaResult { return iaResult{Reply: s} }

// line is the result of a command hook that changed nothing but Line.
func line(s string) iaResult { return iaResult{Line: s} }

func TestIMAPAFaults(t *testing.T) {
	const (
		capsRev    = "* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN\r\n"
		selectCmd  = "a1 SELECT box\r\n"
		examineCmd = "a1 EXAMINE box\r\n"
	)
	tests := []struct {
		fault string
		xs    []iaExchange
		want  []iaResult
	}{
		{"imap-a-greeting-no",
			[]iaExchange{{greet: true, raw: "* OK [CAPABILITY IMAP4rev1] ready\r\n"}},
			[]iaResult{reply("* NO [CAPABILITY IMAP4rev1] ready\r\n")}},
		{"imap-a-capability-no-version",
			[]iaExchange{{cmd: "a1 CAPABILITY\r\n", raw: capsRev}, {cmd: "a1 CAPABILITY\r\n", raw: "a1 OK done\r\n"}},
			[]iaResult{reply("* CAPABILITY AUTH=PLAIN\r\n"), reply("a1 OK done\r\n")}},
		{"imap-a-noop-bad",
			[]iaExchange{{cmd: "t1 NOOP\r\n", raw: "* 3 EXISTS\r\n"}, {cmd: "t1 NOOP\r\n", raw: "t1 OK NOOP completed\r\n"}, {cmd: "t2 CHECK\r\n", raw: "t2 OK done\r\n"}},
			[]iaResult{reply("* 3 EXISTS\r\n"), reply("t1 BAD NOOP refused\r\n"), reply("t2 OK done\r\n")}},
		{"imap-a-logout-no-bye",
			[]iaExchange{{cmd: "t1 LOGOUT\r\n", raw: "* BYE bye\r\n"}, {cmd: "t1 LOGOUT\r\n", raw: "t1 OK bye\r\n"}},
			[]iaResult{reply(""), reply("t1 OK bye\r\n")}},
		{"imap-a-logout-no-close",
			[]iaExchange{{cmd: "t1 LOGOUT\r\n", raw: "t1 OK bye\r\n"}},
			[]iaResult{{Reply: "t1 OK bye\r\n", After: "* OK still here\r\n"}}},
		{"imap-a-tag-uppercased",
			[]iaExchange{{cmd: "tAg1 noop\r\n", raw: "tAg1 OK done\r\n"}, {cmd: "tAg1 noop\r\n", raw: "* OK hi\r\n"}},
			[]iaResult{reply("TAG1 OK done\r\n"), reply("* OK hi\r\n")}},
		{"imap-a-bad-as-no",
			[]iaExchange{{cmd: "t1 FOO\r\n", raw: "t1 BAD unknown\r\n"}, {cmd: "t1 FOO\r\n", raw: "* BAD line\r\n"}, {cmd: "t2 NOOP\r\n", raw: "t2 OK done\r\n"}},
			[]iaResult{reply("t1 NO unknown\r\n"), reply("* BAD line\r\n"), reply("t2 OK done\r\n")}},
		{"imap-a-refusal-ok",
			[]iaExchange{{cmd: "t1 CREATE INBOX\r\n", raw: "t1 NO [ALREADYEXISTS] exists\r\n"}, {cmd: "t2 X\r\n", raw: "t2 BAD\r\n"}},
			[]iaResult{reply("t1 OK [ALREADYEXISTS] exists\r\n"), reply("t2 OK \r\n")}},
		{"imap-a-login-refused",
			[]iaExchange{{cmd: "t1 LOGIN a b\r\n", raw: "t1 OK [CAPABILITY IMAP4rev1] in\r\n"}, {cmd: "t1 SELECT x\r\n", raw: "t1 OK in\r\n"}},
			[]iaResult{reply("t1 NO [AUTHENTICATIONFAILED] refused\r\n"), reply("t1 OK in\r\n")}},
		{"imap-a-login-disabled-ignored",
			[]iaExchange{{cmd: "t1 LOGIN a b\r\n", raw: "t1 NO [PRIVACYREQUIRED] no\r\n"}, {cmd: "t1 LOGIN a b\r\n", tls: true, raw: "t1 NO wrong\r\n"}},
			[]iaResult{reply("t1 OK [PRIVACYREQUIRED] no\r\n"), reply("t1 NO wrong\r\n")}},
		{"imap-a-sasl-ir-refused",
			[]iaExchange{{cmd: "t1 AUTHENTICATE PLAIN AGEAYg==\r\n"}, {cmd: "t2 AUTHENTICATE PLAIN\r\n"}},
			[]iaResult{{Respond: "t1 BAD initial response not accepted\r\n"}, line("t2 AUTHENTICATE PLAIN\r\n")}},
		{"imap-a-starttls-data-before-tls",
			[]iaExchange{{cmd: "t1 STARTTLS\r\n", raw: "t1 OK go\r\n"}, {cmd: "t1 STARTTLS\r\n", raw: "t1 BAD no\r\n"}},
			[]iaResult{{Reply: "t1 OK go\r\n", After: "* OK [ALERT] plaintext after the go-ahead\r\n"}, reply("t1 BAD no\r\n")}},
		{"imap-a-starttls-still-advertised",
			[]iaExchange{{cmd: "t1 CAPABILITY\r\n", tls: true, raw: capsRev}, {cmd: "t1 CAPABILITY\r\n", raw: capsRev}},
			[]iaResult{reply("* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN STARTTLS\r\n"), reply(capsRev)}},
		{"imap-a-starttls-injection",
			[]iaExchange{{cmd: "t1 STARTTLS\r\n"}},
			[]iaResult{{Line: "t1 STARTTLS\r\n", PipelinedAfterTLS: true}}},
		{"imap-a-huge-literal-accepted",
			[]iaExchange{{cmd: "t1 APPEND x {18446744073709551616}\r\n", raw: "t1 BAD too big\r\n"}, {cmd: "t1 APPEND x {5}\r\n", raw: "t1 NO no\r\n"}},
			[]iaResult{reply("+ go ahead\r\n"), reply("t1 NO no\r\n")}},
		{"imap-a-long-line-ok",
			[]iaExchange{{cmd: "t1 NOOP " + string(make([]byte, 60000)) + "\r\n", raw: "t1 BAD too long\r\n"}, {cmd: "t1 NOOP x\r\n", raw: "t1 BAD extra\r\n"}},
			[]iaResult{reply("t1 OK too long\r\n"), reply("t1 BAD extra\r\n")}},
		{"imap-a-no-continuation",
			[]iaExchange{{cmd: "t1 EXAMINE {5}\r\n", raw: "+ ready\r\n"}, {cmd: "t1 AUTHENTICATE PLAIN\r\n", raw: "+ \r\n"}},
			[]iaResult{reply("t1 NO no literal wanted\r\n"), reply("+ \r\n")}},
		{"imap-a-select-uidvalidity-zero",
			[]iaExchange{{cmd: selectCmd, raw: "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"}, {cmd: "a1 STATUS x (UIDVALIDITY)\r\n", raw: "* OK [UIDVALIDITY 3] x\r\n"}},
			[]iaResult{reply("* OK [UIDVALIDITY 0] UIDs valid\r\n"), reply("* OK [UIDVALIDITY 3] x\r\n")}},
		{"imap-a-select-no-permanentflags",
			[]iaExchange{{cmd: selectCmd, raw: "* OK [PERMANENTFLAGS (\\Seen \\*)] ok\r\n"}, {cmd: selectCmd, raw: "* FLAGS (\\Seen)\r\n"}},
			[]iaResult{reply(""), reply("* FLAGS (\\Seen)\r\n")}},
		{"imap-a-select-no-recent",
			[]iaExchange{{cmd: examineCmd, raw: "* 0 RECENT\r\n"}, {cmd: examineCmd, raw: "* 0 EXISTS\r\n"}},
			[]iaResult{reply(""), reply("* 0 EXISTS\r\n")}},
		{"imap-a-select-read-only",
			[]iaExchange{{cmd: selectCmd, raw: "a1 OK [READ-WRITE] done\r\n"}},
			[]iaResult{reply("a1 OK [READ-ONLY] done\r\n")}},
		{"imap-a-examine-read-write",
			[]iaExchange{{cmd: examineCmd, raw: "a1 OK [READ-ONLY] done\r\n"}},
			[]iaResult{reply("a1 OK [READ-WRITE] done\r\n")}},
		{"imap-a-list-dropped",
			[]iaExchange{{cmd: "a1 LIST \"\" *\r\n", raw: "* LIST () \"/\" box\r\n"}, {cmd: "a1 LIST \"\" \"\"\r\n", raw: "* LIST (\\Noselect) \"/\" \"\"\r\n"}, {cmd: "a1 LSUB \"\" *\r\n", raw: "* LSUB () \".\" \"a b\"\r\n"}},
			[]iaResult{reply(""), reply("* LIST (\\Noselect) \"/\" \"\"\r\n"), reply("")}},
		{"imap-a-list-root-dropped",
			[]iaExchange{{cmd: "a1 LIST \"\" \"\"\r\n", raw: "* LIST (\\Noselect) NIL \"\"\r\n"}, {cmd: "a1 LIST \"\" *\r\n", raw: "* LIST () \"\\\\\" box\r\n"}},
			[]iaResult{reply(""), reply("* LIST () \"\\\\\" box\r\n")}},
		{"imap-a-list-stale",
			[]iaExchange{{cmd: "t1 DELETE box/gone\r\n"}, {cmd: "t2 LIST \"\" box/*\r\n", raw: "* LIST () \"/\" box/kept\r\n"}, {cmd: "t2 LIST \"\" box/*\r\n", raw: "t2 OK done\r\n"}},
			[]iaResult{line("t1 DELETE box/gone\r\n"), reply("* LIST () \"/\" box/kept\r\n"), {Reply: "t2 OK done\r\n", Before: "* LIST () NIL box/gone\r\n"}}},
		{"imap-a-list-percent-as-star",
			[]iaExchange{{cmd: "t1 LIST \"\" box/%\r\n"}, {cmd: "t1 CREATE box%\r\n"}},
			[]iaResult{line("t1 LIST \"\" box/*\r\n"), line("t1 CREATE box%\r\n")}},
		{"imap-a-list-both-children",
			[]iaExchange{{cmd: "t1 LIST \"\" *\r\n", raw: "* LIST (\\HasNoChildren) \"/\" box\r\n"}},
			[]iaResult{reply("* LIST (\\HasChildren \\HasNoChildren) \"/\" box\r\n")}},
		{"imap-a-status-dropped",
			[]iaExchange{{cmd: "t1 STATUS box (MESSAGES)\r\n", raw: "* STATUS box (MESSAGES 0)\r\n"}, {cmd: "t1 STATUS box (MESSAGES)\r\n", raw: "t1 OK\r\n"}},
			[]iaResult{reply(""), reply("t1 OK\r\n")}},
		{"imap-a-namespace-dropped",
			[]iaExchange{{cmd: "t1 NAMESPACE\r\n", raw: "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"}},
			[]iaResult{reply("")}},
		{"imap-a-enable-no-enabled",
			[]iaExchange{{cmd: "t1 ENABLE X\r\n", raw: "* ENABLED\r\n"}, {cmd: "t1 ENABLE X\r\n", raw: "t1 OK\r\n"}},
			[]iaResult{reply(""), reply("t1 OK\r\n")}},
		{"imap-a-enable-echo",
			[]iaExchange{{cmd: "t1 ENABLE X-A CONDSTORE\r\n", raw: "* ENABLED CONDSTORE\r\n"}},
			[]iaResult{reply("* ENABLED X-A CONDSTORE\r\n")}},
		{"imap-a-enable-sticky",
			[]iaExchange{{cmd: "t1 ENABLE CONDSTORE\r\n", raw: "* ENABLED CONDSTORE\r\n"}, {cmd: "t2 ENABLE X\r\n", raw: "* ENABLED\r\n"}},
			[]iaResult{reply("* ENABLED CONDSTORE\r\n"), reply("* ENABLED CONDSTORE\r\n")}},
		{"imap-a-capability-grows",
			[]iaExchange{{cmd: "t1 CAPABILITY\r\n", raw: capsRev}, {cmd: "t2 ENABLE X\r\n", raw: "t2 OK\r\n"}, {cmd: "t3 CAPABILITY\r\n", raw: capsRev}},
			[]iaResult{reply(capsRev), reply("t2 OK\r\n"), reply("* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN X-MAILSPEC-ENABLED\r\n")}},
		{"imap-a-literal-plus-dropped",
			[]iaExchange{{cmd: "t1 EXAMINE {7+}\r\n"}, {cmd: "t1 EXAMINE {7}\r\n"}},
			[]iaResult{line("t1 EXAMINE\r\n"), line("t1 EXAMINE {7}\r\n")}},
		{"imap-a-continuation-for-literal-plus",
			[]iaExchange{{cmd: "t1 EXAMINE {5+}\r\n", raw: "t1 OK [READ-ONLY] done\r\n"}, {cmd: "t1 EXAMINE {5}\r\n", raw: "t1 OK done\r\n"}},
			[]iaResult{{Reply: "t1 OK [READ-ONLY] done\r\n", Before: "+ go ahead\r\n"}, reply("t1 OK done\r\n")}},
		{"imap-a-inbox-case-sensitive",
			[]iaExchange{{cmd: "t1 EXAMINE iNbOx\r\n"}, {cmd: "t1 EXAMINE INBOX\r\n"}, {cmd: "t1 STATUS \"inbox\" (MESSAGES)\r\n"}},
			[]iaResult{{Respond: "t1 NO [NONEXISTENT] no such mailbox\r\n"}, line("t1 EXAMINE INBOX\r\n"), {Respond: "t1 NO [NONEXISTENT] no such mailbox\r\n"}}},
		{"imap-a-list-repeated-option-bad",
			[]iaExchange{{cmd: "t1 LIST (SUBSCRIBED subscribed) \"\" x\r\n"}, {cmd: "t1 LIST (SUBSCRIBED) \"\" x\r\n"}},
			[]iaResult{{Respond: "t1 BAD option given twice\r\n"}, line("t1 LIST (SUBSCRIBED) \"\" x\r\n")}},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.fault] = true
		t.Run(tc.fault, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, runIA(t, tc.fault, tc.xs)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.fault, diff)
			}
		})
	}
	for _, f := range List() {
		if len(f.Name) > 7 && f.Name[:7] == "imap-a-" && !seen[f.Name] {
			t.Errorf("fault %s has no case here", f.Name)
		}
	}
}

func TestIAListName(t *testing.T) {
	for _, tc := range []struct {
		raw, name string
		ok        bool
	}{
		{"* LIST () \"/\" INBOX\r\n", "INBOX", true},
		{"* list (\\Noselect) NIL \"\"\r\n", `""`, true},
		{"* LSUB () \"\\\\\" a\\b\r\n", `a\b`, true},
		{"* LIST () \"/\" {3}\r\nabc\r\n", "{3}", true},
		{"* STATUS x (MESSAGES 1)\r\n", "", false},
		{"* LIST \"/\" x\r\n", "", false},
	} {
		name, ok := iaListName([]byte(tc.raw))
		if name != tc.name || ok != tc.ok {
			t.Errorf("iaListName(%q) = %q, %v, want %q, %v", tc.raw, name, ok, tc.name, tc.ok)
		}
	}
}
