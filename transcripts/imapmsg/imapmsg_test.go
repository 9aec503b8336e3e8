package imapmsg

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/transcripts/wire"
)

func load(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := features.Messages.ReadFile("messages/" + name + ".eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s) = %v", name, err)
	}
	return m
}

// a is an address structure; "" stands for NIL.
func a(name, mailbox, host string) Address {
	var ad Address
	if name != "" {
		ad.Name = str(name)
	}
	if mailbox != "" {
		ad.Mailbox = str(mailbox)
	}
	if host != "" {
		ad.Host = str(host)
	}
	return ad
}

func u(n uint64) *uint64 { return &n }

var ignore = cmpopts.IgnoreUnexported(Body{}, Address{})

func TestEnvelope(t *testing.T) {
	alice := []Address{a("Alice Example", "alice", "example.test")}
	bob := []Address{a("", "bob", "example.test")}
	tests := []struct {
		msg  string
		want Envelope
	}{
		{"plain", Envelope{
			Date: str("Mon, 02 Nov 2026 10:00:00 +0000"), Subject: str("plain text test message"),
			From: alice, Sender: alice, ReplyTo: alice, To: []Address{a("Bob Example", "bob", "example.test")},
			MessageID: str("<plain-1@mailspec.test>"),
		}},
		{"multipart", Envelope{
			Date: str("Tue, 03 Nov 2026 11:30:00 +0100"), Subject: str("=?UTF-8?Q?multipart_caf=C3=A9?="),
			From: alice, Sender: alice, ReplyTo: alice,
			To: []Address{a("Bob Example", "bob", "example.test"), a("", "carol", "example.test")},
			// An empty group: start and end markers (RFC 9051 7.5.2).
			Cc:        []Address{a("", "undisclosed-recipients", ""), a("", "", "")},
			MessageID: str("<multi-1@mailspec.test>"),
		}},
		{"imap-groups", Envelope{
			Date: str("Thu, 05 Nov 2026 12:00:00 +0000"), Subject: str("group syntax"),
			From:    []Address{a("Alice Example", "alice", "example.test"), a("Dave, the Second", "dave", "example.test")},
			Sender:  []Address{a("Secretary", "secretary", "example.test")},
			ReplyTo: []Address{a("", "replies", "example.test")},
			To: []Address{a("", "Friends", ""), a("", "bob", "example.test"), a("Carol C.", "carol", "example.test"),
				a("", "", ""), a("", "erin", "example.test")},
			Cc:        []Address{a("", "undisclosed-recipients", ""), a("", "", "")},
			Bcc:       []Address{a("", "hidden", "example.test")},
			InReplyTo: str("<nested-1@mailspec.test>"), MessageID: str("<groups-1@mailspec.test>"),
		}},
		{"imap-encoded", Envelope{
			Date: str("Fri, 06 Nov 2026 23:59:59 +0100"),
			// Unfolded: the CRLF removed, the space kept.
			Subject:   str("=?UTF-8?B?w6ljaGFudGlsbG9u?= and a long subject that is folded onto a second line"),
			From:      []Address{a("=?UTF-8?Q?Ren=C3=A9_Dupont?=", "rene", "example.test")},
			Sender:    []Address{a("=?UTF-8?Q?Ren=C3=A9_Dupont?=", "rene", "example.test")},
			ReplyTo:   []Address{a("=?UTF-8?Q?Ren=C3=A9_Dupont?=", "rene", "example.test")},
			To:        []Address{a(`Quote "Me" Please`, "quote", "example.test")},
			MessageID: str("<encoded-1@mailspec.test>"),
		}},
		{"imap-minimal", Envelope{
			From: []Address{a("", "minimal", "example.test")}, Sender: []Address{a("", "minimal", "example.test")},
			ReplyTo: []Address{a("", "minimal", "example.test")}, To: bob,
		}},
	}
	for _, tt := range tests {
		m := load(t, tt.msg)
		if d := cmp.Diff(tt.want, m.Envelope(), ignore); d != "" {
			t.Errorf("%s: Envelope() mismatch (-want +got):\n%s", tt.msg, d)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{"", nil},
		{"a@b.test", []Address{a("", "a", "b.test")}},
		{"A <a@b.test> (comment)", []Address{a("A", "a", "b.test")}},
		{`"john doe"@b.test`, []Address{a("", "john doe", "b.test")}},
		{"<@r1.test,@r2.test:a@b.test>", []Address{{ADL: str("@r1.test,@r2.test"), Mailbox: str("a"), Host: str("b.test")}}},
		{"G:;", []Address{a("", "G", ""), a("", "", "")}},
		{"G: x@y.test;, z@w.test", []Address{a("", "G", ""), a("", "x", "y.test"), a("", "", ""), a("", "z", "w.test")}},
		{"a@[127.0.0.1]", []Address{a("", "a", "[127.0.0.1]")}},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, parseAddressList(tt.in), ignore); d != "" {
			t.Errorf("parseAddressList(%q) mismatch (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestBodyStructure(t *testing.T) {
	text := func(charset string, size, lines uint64) *Body {
		return &Body{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"charset", charset}}, Encoding: "7BIT", Size: size, Lines: u(lines), Ext: 4}
	}
	tests := []struct {
		msg  string
		want *Body
	}{
		{"plain", text("us-ascii", 55, 3)},
		{"imap-minimal", text("us-ascii", 62, 1)},
		{"imap-no-final-crlf", text("us-ascii", 40, 1)},
		{"multipart", &Body{Multipart: true, Subtype: "MIXED", Params: []Param{{"boundary", "outer"}}, Ext: 4, Parts: []*Body{
			{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"charset", "utf-8"}}, Encoding: "QUOTED-PRINTABLE", Size: 17, Lines: u(0), Ext: 4},
			{Type: "APPLICATION", Subtype: "OCTET-STREAM", Params: []Param{{"name", "data.bin"}}, Encoding: "BASE64", Size: 24, Ext: 4,
				Disposition: &Disposition{Type: "ATTACHMENT", Params: []Param{{"filename", "data.bin"}}}},
		}}},
		{"imap-nested", &Body{Multipart: true, Subtype: "MIXED", Params: []Param{{"boundary", "mixed-b"}}, Ext: 4, Parts: []*Body{
			{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"charset", "utf-8"}}, ID: str("<intro@mailspec.test>"),
				Description: str("introduction"), Encoding: "7BIT", Size: 31, Lines: u(1), Language: []string{"en"},
				Location: str("intro.txt"), Ext: 4},
			{Multipart: true, Subtype: "ALTERNATIVE", Params: []Param{{"boundary", "alt-b"}}, Ext: 4, Parts: []*Body{
				{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"charset", "us-ascii"}}, Encoding: "7BIT", Size: 17, Lines: u(0), Ext: 4},
				{Type: "TEXT", Subtype: "HTML", Params: []Param{{"charset", "us-ascii"}}, Encoding: "7BIT", Size: 23, Lines: u(0), Ext: 4},
			}},
			{Type: "MESSAGE", Subtype: "RFC822", Description: str("forwarded message"), Encoding: "7BIT", Size: 438, Lines: u(18), Ext: 4,
				Envelope: &Envelope{
					Date: str("Tue, 03 Nov 2026 08:00:00 +0000"), Subject: str("the forwarded one"),
					From:      []Address{a("Carol Example", "carol", "example.test")},
					Sender:    []Address{a("Carol Example", "carol", "example.test")},
					ReplyTo:   []Address{a("Carol Example", "carol", "example.test")},
					To:        []Address{a("Alice Example", "alice", "example.test")},
					MessageID: str("<inner-1@mailspec.test>"),
				},
				Parts: []*Body{{Multipart: true, Subtype: "MIXED", Params: []Param{{"boundary", "inner-b"}}, Ext: 4, Parts: []*Body{
					{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"charset", "us-ascii"}}, Encoding: "7BIT", Size: 10, Lines: u(0), Ext: 4},
					{Type: "APPLICATION", Subtype: "OCTET-STREAM", Encoding: "BASE64", Size: 8, Ext: 4},
				}}}},
			{Type: "APPLICATION", Subtype: "PDF", Params: []Param{{"name", "report.pdf"}}, Encoding: "BASE64", Size: 72,
				Disposition: &Disposition{Type: "ATTACHMENT", Params: []Param{{"filename", "report.pdf"}}}, Ext: 4},
		}}},
	}
	for _, tt := range tests {
		m := load(t, tt.msg)
		if d := cmp.Diff(tt.want, m.BodyStructure(true), ignore); d != "" {
			t.Errorf("%s: BodyStructure(true) mismatch (-want +got):\n%s", tt.msg, d)
		}
	}
	// The other readings: a final partial line may count, and a missing
	// Content-Type may be NIL parameters.
	if b := load(t, "imap-no-final-crlf").BodyStructure(true); b.linesAlt == nil || *b.linesAlt != 2 {
		t.Errorf("imap-no-final-crlf: linesAlt = %v, want 2", b.linesAlt)
	}
	if b := load(t, "plain").BodyStructure(true); b.linesAlt != nil {
		t.Errorf("plain: linesAlt = %v, want none (the body ends with CRLF)", *b.linesAlt)
	}
	if b := load(t, "imap-minimal").BodyStructure(true); len(b.paramsAlt) != 1 || b.paramsAlt[0] != nil {
		t.Errorf("imap-minimal: paramsAlt = %v, want [nil]", b.paramsAlt)
	}
	// BODY has no extension data.
	if b := load(t, "multipart").BodyStructure(false); b.Ext != 0 || b.Params != nil || b.Parts[1].Disposition != nil {
		t.Errorf("multipart: BodyStructure(false) has extension data: %+v", b)
	}
}

func TestContent(t *testing.T) {
	nested := load(t, "imap-nested")
	plain := load(t, "plain")
	tests := []struct {
		m       *Message
		spec    string
		partial string
		want    string
	}{
		{plain, "", "", string(plain.Raw)},
		{plain, "TEXT", "", "This is the body.\r\nIt has three lines.\r\nThe last one.\r\n"},
		{plain, "1", "", "This is the body.\r\nIt has three lines.\r\nThe last one.\r\n"},
		{plain, "HEADER.FIELDS (SUBJECT to)", "", "To: Bob Example <bob@example.test>\r\nSubject: plain text test message\r\n\r\n"},
		{plain, "HEADER.FIELDS (X-Absent)", "", "\r\n"},
		{plain, "", "<0.4>", "From"},
		{plain, "TEXT", "<5.2>", "is"},
		{plain, "", "<5000.10>", ""},
		{plain, "TEXT", "<50.100>", "ne.\r\n"},
		{nested, "1", "", "Hello Bob,\r\nhere are the parts."},
		{nested, "1.MIME", "", "Content-Type: text/plain; charset=utf-8\r\nContent-ID: <intro@mailspec.test>\r\n" +
			"Content-Description: introduction\r\nContent-Language: en\r\nContent-Location: intro.txt\r\n\r\n"},
		{nested, "2.2", "", "<p>html alternative</p>"},
		{nested, "2.2.MIME", "", "Content-Type: text/html; charset=us-ascii\r\n\r\n"},
		{nested, "3.HEADER.FIELDS (Subject)", "", "Subject: the forwarded one\r\n\r\n"},
		{nested, "3.1", "", "inner text"},
		{nested, "3.2", "", "AQIDBA=="},
		{nested, "3.TEXT", "<0.9>", "--inner-b"},
		{nested, "4", "", "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg=="},
	}
	for _, tt := range tests {
		s, err := ParseSection(tt.spec, tt.partial)
		if err != nil {
			t.Errorf("ParseSection(%q, %q) = %v", tt.spec, tt.partial, err)
			continue
		}
		got, err := tt.m.Content(s)
		if err != nil {
			t.Errorf("Content(%q%s) = %v", tt.spec, tt.partial, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("Content(%q%s) = %q, want %q", tt.spec, tt.partial, got, tt.want)
		}
	}
	// The whole encapsulated message of part 3 and its header.
	s, _ := ParseSection("3", "")
	got, _ := nested.Content(s)
	if !bytes.HasPrefix(got, []byte("From: Carol Example")) || !bytes.HasSuffix(got, []byte("--inner-b--\r\n")) || len(got) != 438 {
		t.Errorf("Content(3) = %d octets %q...", len(got), got[:min(len(got), 30)])
	}
	for _, bad := range []string{"5", "1.1", "HEADER.FIELDS", "MIME", "0", "1.FOO", "2.3"} {
		s, err := ParseSection(bad, "")
		if err == nil {
			_, err = nested.Content(s)
		}
		if err == nil {
			t.Errorf("section %q of imap-nested: no error", bad)
		}
	}
	bin, err := nested.Binary([]int{3, 2})
	if err != nil || string(bin) != "\x01\x02\x03\x04" {
		t.Errorf("Binary(3.2) = %q, %v", bin, err)
	}
	mp := load(t, "multipart")
	bin, err = mp.Binary([]int{1})
	if err != nil || string(bin) != "café au lait" {
		t.Errorf("Binary(1) of multipart = %q, %v", bin, err)
	}
}

// fetch parses one FETCH response line as a server sent it.
func fetch(t *testing.T, line string) map[string]wire.Value {
	t.Helper()
	r, err := wire.NewIMAPReader(strings.NewReader(line), wire.Limits{}).ReadResponse()
	if err != nil {
		t.Fatalf("ReadResponse(%q) = %v", line, err)
	}
	items, err := FetchItems(r)
	if err != nil {
		t.Fatalf("FetchItems(%q) = %v", line, err)
	}
	return items
}

func TestCompare(t *testing.T) {
	plain := load(t, "plain")
	tests := []struct {
		name  string
		m     *Message
		item  string
		resp  string
		match bool
	}{
		// Dovecot's form.
		{"envelope", plain, "ENVELOPE", `* 1 FETCH (ENVELOPE ("Mon, 02 Nov 2026 10:00:00 +0000" "plain text test message" (("Alice Example" NIL "alice" "example.test")) (("Alice Example" NIL "alice" "example.test")) (("Alice Example" NIL "alice" "example.test")) (("Bob Example" NIL "bob" "example.test")) NIL NIL NIL "<plain-1@mailspec.test>"))` + "\r\n", true},
		// go-imap's form: a reformatted date for the same instant, literals.
		{"envelope reformatted date", plain, "ENVELOPE", "* 1 FETCH (ENVELOPE (\"Mon, 2 Nov 2026 10:00:00 +0000\" {23}\r\nplain text test message ((\"Alice Example\" NIL \"alice\" \"EXAMPLE.test\")) ((\"Alice Example\" NIL \"alice\" \"example.test\")) ((\"Alice Example\" NIL \"alice\" \"example.test\")) ((\"Bob Example\" NIL \"bob\" \"example.test\")) NIL NIL NIL \"<plain-1@mailspec.test>\"))\r\n", true},
		{"envelope from and sender swapped", load(t, "imap-groups"), "ENVELOPE", `* 1 FETCH (ENVELOPE ("Thu, 05 Nov 2026 12:00:00 +0000" "group syntax" (("Secretary" NIL "secretary" "example.test")) (("Alice Example" NIL "alice" "example.test")("Dave, the Second" NIL "dave" "example.test")) ((NIL NIL "replies" "example.test")) ((NIL NIL "Friends" NIL)(NIL NIL "bob" "example.test")("Carol C." NIL "carol" "example.test")(NIL NIL NIL NIL)(NIL NIL "erin" "example.test")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "hidden" "example.test")) "<nested-1@mailspec.test>" "<groups-1@mailspec.test>"))` + "\r\n", false},
		{"envelope groups", load(t, "imap-groups"), "ENVELOPE", `* 1 FETCH (ENVELOPE ("Thu, 05 Nov 2026 12:00:00 +0000" "group syntax" (("Alice Example" NIL "alice" "example.test")("Dave, the Second" NIL "dave" "example.test")) (("Secretary" NIL "secretary" "example.test")) ((NIL NIL "replies" "example.test")) ((NIL NIL "Friends" NIL)(NIL NIL "bob" "example.test")("Carol C." NIL "carol" "example.test")(NIL NIL NIL NIL)(NIL NIL "erin" "example.test")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "hidden" "example.test")) "<nested-1@mailspec.test>" "<groups-1@mailspec.test>"))` + "\r\n", true},
		{"envelope group flattened", load(t, "imap-groups"), "ENVELOPE", `* 1 FETCH (ENVELOPE ("Thu, 05 Nov 2026 12:00:00 +0000" "group syntax" (("Alice Example" NIL "alice" "example.test")("Dave, the Second" NIL "dave" "example.test")) (("Secretary" NIL "secretary" "example.test")) ((NIL NIL "replies" "example.test")) ((NIL NIL "bob" "example.test")("Carol C." NIL "carol" "example.test")(NIL NIL "erin" "example.test")) NIL ((NIL NIL "hidden" "example.test")) "<nested-1@mailspec.test>" "<groups-1@mailspec.test>"))` + "\r\n", false},
		// Decoded encoded words, NIL and "" for an absent display name.
		{"envelope decoded", load(t, "imap-encoded"), "ENVELOPE", "* 1 FETCH (ENVELOPE (\"Fri, 06 Nov 2026 23:59:59 +0100\" \"=?utf-8?q?=C3=A9chantillon_and_a_long_subject_that_is_folded_onto_a_second_line?=\" ((\"René Dupont\" NIL \"rene\" \"example.test\")) ((\"=?UTF-8?Q?Ren=C3=A9_Dupont?=\" NIL \"rene\" \"example.test\")) ((\"=?UTF-8?Q?Ren=C3=A9_Dupont?=\" \"\" \"rene\" \"example.test\")) ((\"Quote \\\"Me\\\" Please\" NIL \"quote\" \"example.test\")) NIL NIL NIL \"<encoded-1@mailspec.test>\"))\r\n", true},
		{"bodystructure dovecot", plain, "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 3 NIL NIL NIL NIL))` + "\r\n", true},
		{"bodystructure without extension data", plain, "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 55 3))` + "\r\n", true},
		{"bodystructure size off by one", plain, "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 56 3 NIL NIL NIL NIL))` + "\r\n", false},
		{"bodystructure lines off by one", plain, "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 4 NIL NIL NIL NIL))` + "\r\n", false},
		{"body with extension data", plain, "BODY", `* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 3 NIL NIL NIL NIL))` + "\r\n", false},
		{"body", plain, "BODY", `* 1 FETCH (BODY ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 55 3))` + "\r\n", true},
		{"body default type NIL params", load(t, "imap-minimal"), "BODY", `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 62 1))` + "\r\n", true},
		{"body default type empty", load(t, "imap-minimal"), "BODY", `* 1 FETCH (BODY ("" "" NIL NIL NIL "7bit" 62 1))` + "\r\n", false},
		{"partial line counted", load(t, "imap-no-final-crlf"), "BODY", `* 1 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 40 2))` + "\r\n", true},
		{"multipart", load(t, "multipart"), "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 17 1 NIL NIL NIL NIL)("application" "octet-stream" ("name" "data.bin") NIL NIL "base64" 24 NIL ("attachment" ("filename" "data.bin")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL))` + "\r\n", true},
		{"multipart wrong disposition", load(t, "multipart"), "BODYSTRUCTURE", `* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 17 1 NIL NIL NIL NIL)("application" "octet-stream" ("name" "data.bin") NIL NIL "base64" 24 NIL ("inline" ("filename" "data.bin")) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL))` + "\r\n", false},
		{"size", plain, "RFC822.SIZE", "* 1 FETCH (RFC822.SIZE 308)\r\n", true},
		{"size wrong", plain, "RFC822.SIZE", "* 1 FETCH (RFC822.SIZE 307)\r\n", false},
		{"size as string", plain, "RFC822.SIZE", "* 1 FETCH (RFC822.SIZE \"308\")\r\n", false},
		{"text", plain, "BODY.PEEK[TEXT]", "* 1 FETCH (BODY[TEXT] {55}\r\nThis is the body.\r\nIt has three lines.\r\nThe last one.\r\n)\r\n", true},
		{"text one octet short", plain, "BODY.PEEK[TEXT]", "* 1 FETCH (BODY[TEXT] {54}\r\nThis is the body.\r\nIt has three lines.\r\nThe last one.\r\n)\r\n", false},
		{"partial", plain, "BODY.PEEK[]<0.4>", "* 1 FETCH (BODY[]<0> \"From\")\r\n", true},
		{"fields any order", plain, "BODY.PEEK[HEADER.FIELDS (SUBJECT TO)]", "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT TO)] {72}\r\nSubject: plain text test message\r\nTo: Bob Example <bob@example.test>\r\n\r\n)\r\n", true},
		{"fields without blank line", plain, "BODY.PEEK[HEADER.FIELDS (SUBJECT TO)]", "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT TO)] {70}\r\nSubject: plain text test message\r\nTo: Bob Example <bob@example.test>\r\n)\r\n", false},
		{"binary", load(t, "multipart"), "BINARY.PEEK[2]", "* 1 FETCH (BINARY[2] ~{16}\r\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f)\r\n", true},
		{"binary size", load(t, "multipart"), "BINARY.SIZE[2]", "* 1 FETCH (BINARY.SIZE[2] 16)\r\n", true},
	}
	for _, tt := range tests {
		items := fetch(t, tt.resp)
		got, ok := items[ItemKey(tt.item)]
		if !ok {
			t.Errorf("%s: no item %s in %v", tt.name, ItemKey(tt.item), items)
			continue
		}
		d, err := tt.m.Compare(tt.item, got)
		if err != nil {
			t.Errorf("%s: Compare = %v", tt.name, err)
			continue
		}
		if tt.match && d != "" {
			t.Errorf("%s: Compare found a difference in a value the RFC allows:\n%s", tt.name, d)
		}
		if !tt.match && d == "" {
			t.Errorf("%s: Compare found no difference", tt.name)
		}
	}
}

func TestCompareErrors(t *testing.T) {
	plain := load(t, "plain")
	for _, item := range []string{"FLAGS", "BODY[9]", "BODY[1.MIME]", "BINARY[HEADER]"} {
		if _, err := plain.Compare(item, wire.Value{Kind: wire.Nil}); err == nil {
			t.Errorf("Compare(%q) = no error", item)
		}
	}
}

func TestItemKey(t *testing.T) {
	for in, want := range map[string]string{
		"body.peek[1.mime]":                     "BODY[1.MIME]",
		"BODY[]<0.100>":                         "BODY[]<0>",
		"BODY[]<0>":                             "BODY[]<0>",
		`BODY[HEADER.FIELDS ("Subject"  From)]`: "BODY[HEADER.FIELDS (SUBJECT FROM)]",
		"BINARY.PEEK[2]<1.2>":                   "BINARY[2]<1>",
		"rfc822.size":                           "RFC822.SIZE",
	} {
		if got := ItemKey(in); got != want {
			t.Errorf("ItemKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	var b strings.Builder
	for i := 0; i < maxDepth+2; i++ {
		b.WriteString("Content-Type: multipart/mixed; boundary=b" + strings.Repeat("x", i) + "\r\n\r\n--b" + strings.Repeat("x", i) + "\r\n")
	}
	if _, err := Parse([]byte(b.String())); err == nil {
		t.Error("Parse of a too deeply nested message: no error")
	}
	if _, err := Parse([]byte("Content-Type: multipart/mixed\r\n\r\nx")); err == nil {
		t.Error("Parse of a multipart without boundary: no error")
	}
}

// FuzzParse feeds arbitrary messages to the model: no panic, and every
// section the model names can be computed or is an error.
func FuzzParse(f *testing.F) {
	entries, _ := features.Messages.ReadDir("messages")
	for _, e := range entries {
		raw, _ := features.Messages.ReadFile("messages/" + e.Name())
		f.Add(raw)
	}
	f.Add([]byte("To: G:a@b;, (c) \"x\\\"\" <@r:q@[1.2.3.4]>\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			return
		}
		m.Envelope()
		m.BodyStructure(true)
		for _, spec := range []string{"", "HEADER", "TEXT", "1", "1.MIME", "2.1", "1.HEADER.FIELDS (FROM)", "2.TEXT"} {
			if s, err := ParseSection(spec, "<1.5>"); err == nil {
				m.Content(s)
			}
		}
		m.Binary([]int{1})
		for _, item := range []string{"ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY[]"} {
			m.Compare(item, wire.Value{Kind: wire.List, List: []wire.Value{{Kind: wire.List}, {Kind: wire.Nil}}})
		}
	})
}
