package faults

import (
	"testing"
)

// TestIMAPBFaults checks each fault of imap_b_faults.go on the response
// (or command) it breaks, and that it leaves an unrelated one alone.
func TestIMAPBFaults(t *testing.T) {
	fetch := &Command{Tag: "a1", Verb: "FETCH"}
	tests := []struct {
		fault    string
		cmd      *Command
		selected bool
		raw      string
		want     string // the reply (or command line) forwarded
		before   string // bytes injected before it
	}{
		{"imap-literal-wrong-length", fetch, true, "* 1 FETCH (BODY[] {3}\r\nabc)\r\n", "* 1 FETCH (BODY[] {4}\r\nabc)\r\n", ""},
		{"imap-literal-wrong-length", fetch, true, "* 1 FETCH (FLAGS (\\Seen))\r\n", "* 1 FETCH (FLAGS (\\Seen))\r\n", ""},
		{"imap-trycreate-dropped", &Command{Tag: "a1", Verb: "COPY"}, true, "a1 NO [TRYCREATE] no such mailbox\r\n", "a1 NO no such mailbox\r\n", ""},
		{"imap-trycreate-dropped", &Command{Tag: "a1", Verb: "COPY"}, true, "* NO [TRYCREATE] x\r\n", "* NO [TRYCREATE] x\r\n", ""},
		{"imap-exists-dropped-after-append", &Command{Tag: "a1", Verb: "APPEND"}, true, "* 3 EXISTS\r\n", "", ""},
		{"imap-exists-dropped-after-append", &Command{Tag: "a1", Verb: "APPEND"}, false, "* 3 EXISTS\r\n", "* 3 EXISTS\r\n", ""},
		{"imap-envelope-from-sender-swapped", fetch, true,
			`* 1 FETCH (ENVELOPE ("d" "s" (("A" NIL "a" "x")) (("B" NIL "b" "x")) NIL NIL NIL NIL NIL "<m>"))` + "\r\n",
			`* 1 FETCH (ENVELOPE ("d" "s" (("B" NIL "b" "x")) (("A" NIL "a" "x")) NIL NIL NIL NIL NIL "<m>"))` + "\r\n", ""},
		{"imap-body-lines-off-by-one", fetch, true,
			`* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 3 NIL NIL NIL NIL))` + "\r\n",
			`* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 4 NIL NIL NIL NIL))` + "\r\n", ""},
		{"imap-bodystructure-size-off-by-one", fetch, true,
			`* 1 FETCH (BODY (("TEXT" "PLAIN" NIL "<id>" NIL "QUOTED-PRINTABLE" 17 1)("APPLICATION" "PDF" NIL NIL NIL "BASE64" 8) "MIXED"))` + "\r\n",
			`* 1 FETCH (BODY (("TEXT" "PLAIN" NIL "<id>" NIL "QUOTED-PRINTABLE" 18 1)("APPLICATION" "PDF" NIL NIL NIL "BASE64" 8) "MIXED"))` + "\r\n", ""},
		{"imap-rfc822-size-off-by-one", fetch, true, "* 2 FETCH (UID 4 RFC822.SIZE 308)\r\n", "* 2 FETCH (UID 4 RFC822.SIZE 309)\r\n", ""},
		{"imap-store-no-fetch", &Command{Tag: "a1", Verb: "STORE"}, true, "* 1 FETCH (FLAGS (\\Seen))\r\n", "", ""},
		{"imap-store-no-fetch", fetch, true, "* 1 FETCH (FLAGS (\\Seen))\r\n", "* 1 FETCH (FLAGS (\\Seen))\r\n", ""},
		{"imap-expunge-dropped", &Command{Tag: "a1", Verb: "EXPUNGE"}, true, "* 3 EXPUNGE\r\n", "", ""},
		{"imap-close-sends-expunge", &Command{Tag: "a1", Verb: "CLOSE"}, true, "a1 OK done\r\n", "a1 OK done\r\n", "* 1 EXPUNGE\r\n"},
		{"imap-search-drops-last", &Command{Tag: "a1", Verb: "SEARCH"}, true, "* SEARCH 1 3 4\r\n", "* SEARCH 1 3\r\n", ""},
		{"imap-search-drops-last", &Command{Tag: "a1", Verb: "UID SEARCH"}, true, "* ESEARCH (TAG \"a1\") UID ALL 2:4,9\r\n", "* ESEARCH (TAG \"a1\") UID ALL 2,3,4\r\n", ""},
		{"imap-fetch-uid-omitted", &Command{Tag: "a1", Verb: "UID FETCH"}, true, "* 2 FETCH (UID 7 FLAGS ())\r\n", "* 2 FETCH (FLAGS ())\r\n", ""},
		{"imap-fetch-uid-omitted", &Command{Tag: "a1", Verb: "UID STORE"}, true, "* 2 FETCH (FLAGS (\\Seen) UID 7)\r\n", "* 2 FETCH (FLAGS (\\Seen))\r\n", ""},
		{"imap-fetch-uid-omitted", fetch, true, "* 2 FETCH (UID 7 FLAGS ())\r\n", "* 2 FETCH (UID 7 FLAGS ())\r\n", ""},
		{"imap-appenduid-swapped", &Command{Tag: "a1", Verb: "APPEND"}, false, "a1 OK [APPENDUID 38505 3955] done\r\n", "a1 OK [APPENDUID 3955 38505] done\r\n", ""},
		{"imap-copyuid-swapped", &Command{Tag: "a1", Verb: "UID COPY"}, true, "a1 OK [COPYUID 9 1:2 5,7] done\r\n", "a1 OK [COPYUID 9 5,7 1:2] done\r\n", ""},
		{"imap-uidvalidity-zero", &Command{Tag: "a1", Verb: "SELECT"}, false, "* OK [UIDVALIDITY 1795370327] UIDs valid\r\n", "* OK [UIDVALIDITY 0] UIDs valid\r\n", ""},
		{"imap-expunge-during-fetch", fetch, true, "a1 OK done\r\n", "a1 OK done\r\n", "* 1 EXPUNGE\r\n"},
		{"imap-expunge-during-fetch", fetch, false, "a1 OK done\r\n", "a1 OK done\r\n", ""},
		{"imap-expunge-during-fetch", &Command{Tag: "a1", Verb: "NOOP"}, true, "a1 OK done\r\n", "a1 OK done\r\n", ""},
		{"imap-append-refused", &Command{Tag: "a1", Verb: "APPEND"}, false, "a1 OK [APPENDUID 1 2] done\r\n", "a1 NO append failed\r\n", ""},
		{"imap-append-refused", &Command{Tag: "a1", Verb: "APPEND"}, false, "+ go ahead\r\n", "+ go ahead\r\n", ""},
		{"imap-fetch-flags-seen-added", fetch, true, "* 1 FETCH (FLAGS (\\Flagged) UID 3)\r\n", "* 1 FETCH (FLAGS (\\Seen \\Flagged) UID 3)\r\n", ""},
		{"imap-fetch-flags-seen-added", fetch, true, "* 1 FETCH (FLAGS (\\Seen))\r\n", "* 1 FETCH (FLAGS (\\Seen))\r\n", ""},
		{"imap-fetch-flags-seen-dropped", fetch, true, "* 1 FETCH (FLAGS (\\Seen \\Flagged))\r\n", "* 1 FETCH (FLAGS (\\Flagged))\r\n", ""},
		{"imap-envelope-reply-to-nil", fetch, true,
			`* 1 FETCH (ENVELOPE ("d" "s" (("A" NIL "a" "x")) (("A" NIL "a" "x")) (("A" NIL "a" "x")) NIL NIL NIL NIL "<m>"))` + "\r\n",
			`* 1 FETCH (ENVELOPE ("d" "s" (("A" NIL "a" "x")) (("A" NIL "a" "x")) NIL NIL NIL NIL NIL "<m>"))` + "\r\n", ""},
		{"imap-store-silent-fetch", &Command{Tag: "a1", Verb: "STORE", Args: "1 +FLAGS.SILENT (\\Seen)"}, true, "a1 OK done\r\n", "a1 OK done\r\n", "* 1 FETCH (FLAGS (\\Flagged))\r\n"},
		{"imap-store-silent-fetch", &Command{Tag: "a1", Verb: "STORE", Args: "1 +FLAGS (\\Seen)"}, true, "a1 OK done\r\n", "a1 OK done\r\n", ""},
		{"imap-search-badcharset-bad", &Command{Tag: "a1", Verb: "SEARCH"}, true, "a1 NO [BADCHARSET] x\r\n", "a1 BAD unknown charset\r\n", ""},
		{"imap-idle-refused", &Command{Tag: "a1", Verb: "IDLE"}, true, "+ idling\r\n", "a1 BAD no idling\r\n", ""},
		{"imap-idle-updates-dropped", &Command{Tag: "a1", Verb: "IDLE"}, true, "* 4 EXISTS\r\n", "", ""},
		{"imap-idle-updates-dropped", &Command{Tag: "a1", Verb: "IDLE"}, true, "a1 OK done\r\n", "a1 OK done\r\n", ""},
		{"imap-noop-exists-dropped", &Command{Tag: "a1", Verb: "NOOP"}, true, "* 4 EXISTS\r\n", "", ""},
		{"imap-noop-exists-dropped", &Command{Tag: "a1", Verb: "NOOP"}, true, "* 4 RECENT\r\n", "* 4 RECENT\r\n", ""},
	}
	for _, tt := range tests {
		f, ok := Lookup(tt.fault)
		if !ok {
			t.Fatalf("fault %s is not registered", tt.fault)
		}
		e := &Exchange{
			Proxy:   &Shared{Values: map[string]any{}},
			Conn:    &ConnState{ID: 1, Values: map[string]any{}},
			State:   State{Greeted: true, Authenticated: true, Selected: tt.selected},
			Command: tt.cmd,
			Raw:     []byte(tt.raw),
			Reply:   []byte(tt.raw),
		}
		f.OnReply(e)
		if string(e.Reply) != tt.want || string(e.Before) != tt.before {
			t.Errorf("%s on %q: forwards %q after %q, want %q after %q", tt.fault, tt.raw, e.Reply, e.Before, tt.want, tt.before)
		}
	}
}

func TestIMAPExpungeNotDecremented(t *testing.T) {
	f, _ := Lookup("imap-expunge-not-decremented")
	conn := &ConnState{ID: 1, Values: map[string]any{}}
	run := func(cmd *Command, raw string) string {
		e := &Exchange{Conn: conn, Command: cmd, Raw: []byte(raw), Reply: []byte(raw), State: State{Selected: true}}
		f.OnReply(e)
		return string(e.Reply)
	}
	c1 := &Command{Tag: "a1", Verb: "EXPUNGE"}
	got := []string{run(c1, "* 1 EXPUNGE\r\n"), run(c1, "* 1 EXPUNGE\r\n"), run(c1, "* 1 EXPUNGE\r\n")}
	want := []string{"* 1 EXPUNGE\r\n", "* 2 EXPUNGE\r\n", "* 3 EXPUNGE\r\n"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("EXPUNGE %d: forwards %q, want %q", i+1, got[i], want[i])
		}
	}
	// A new command starts counting again.
	if got := run(&Command{Tag: "a2", Verb: "NOOP"}, "* 4 EXPUNGE\r\n"); got != "* 4 EXPUNGE\r\n" {
		t.Errorf("first EXPUNGE of the next command: forwards %q", got)
	}
}

// TestIMAPBCommandFaults checks the faults that rewrite a command.
func TestIMAPBCommandFaults(t *testing.T) {
	for _, tt := range []struct{ fault, raw, want string }{
		{"imap-copy-ignored", "a1 COPY 1:2 box\r\n", "a1 NOOP\r\n"},
		{"imap-copy-ignored", "a1 UID COPY 1:2 box\r\n", "a1 UID COPY 1:2 box\r\n"},
		{"imap-expunge-ignored", "a1 EXPUNGE\r\n", "a1 NOOP\r\n"},
		{"imap-uid-expunge-all", "a1 UID EXPUNGE 4\r\n", "a1 EXPUNGE\r\n"},
		{"imap-unselect-expunges", "a1 UNSELECT\r\n", "a1 CLOSE\r\n"},
		{"imap-unselect-ignored", "a1 UNSELECT\r\n", "a1 NOOP\r\n"},
		{"imap-unselect-ignored", "a1 CLOSE\r\n", "a1 CLOSE\r\n"},
	} {
		f, ok := Lookup(tt.fault)
		if !ok {
			t.Fatalf("fault %s is not registered", tt.fault)
		}
		e := &Exchange{Conn: &ConnState{Values: map[string]any{}}, Command: parseCommand(IMAP, []byte(tt.raw)), Raw: []byte(tt.raw), Line: []byte(tt.raw)}
		f.OnCommand(e)
		if string(e.Line) != tt.want {
			t.Errorf("%s on %q: forwards %q, want %q", tt.fault, tt.raw, e.Line, tt.want)
		}
	}
}

func TestIMAPPeekSetsSeen(t *testing.T) {
	f, _ := Lookup("imap-peek-sets-seen")
	for raw, want := range map[string]string{
		"a1 FETCH 1 (BODY.PEEK[])\r\n":         "a1 FETCH 1 (BODY[])\r\n",
		"a1 UID FETCH 4 (body.peek[TEXT])\r\n": "a1 UID FETCH 4 (body[TEXT])\r\n",
		"a1 SEARCH BODY.PEEK[x]\r\n":           "a1 SEARCH BODY.PEEK[x]\r\n",
	} {
		cmd := parseCommand(IMAP, []byte(raw))
		e := &Exchange{Conn: &ConnState{Values: map[string]any{}}, Command: cmd, Raw: []byte(raw), Line: []byte(raw)}
		f.OnCommand(e)
		if string(e.Line) != want {
			t.Errorf("%q: forwards %q, want %q", raw, e.Line, want)
		}
	}
}

func TestIMAPListSpans(t *testing.T) {
	raw := []byte("(\"a\\\"b\" NIL {3}\r\nx)y ((1 2) \"(\") atom)")
	spans, ok := imapListSpans(raw, 0)
	if !ok {
		t.Fatal("list does not close")
	}
	var got []string
	for _, s := range spans {
		got = append(got, string(raw[s[0]:s[1]]))
	}
	want := []string{`"a\"b"`, "NIL", "{3}\r\nx)y", `((1 2) "(")`, "atom"}
	if len(got) != len(want) {
		t.Fatalf("spans = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("span %d = %q, want %q", i, got[i], want[i])
		}
	}
	if _, ok := imapListSpans([]byte("(a (b"), 0); ok {
		t.Error("an unclosed list: ok")
	}
}
