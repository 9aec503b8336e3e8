package wire

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// litBody is the contents of a literal that a line-based reader would cut
// wrongly: CRLF, "*", ")" and "{5}" at a line end.
const litBody = "Subject: x\r\n\r\n* 1 FETCH (\r\n) a1 OK {5}\r\n"

var fetchLiteral = fmt.Sprintf("* 12 FETCH (UID 7 BODY[] {%d}\r\n%s)\r\n", len(litBody), litBody)

var fetchTwoLiterals = fmt.Sprintf("* 3 FETCH (BODY[HEADER.FIELDS (FROM)] {%d}\r\n%s BODY[TEXT] {0}\r\n FLAGS (\\Seen))\r\n",
	len("From: a@b\r\n\r\n"), "From: a@b\r\n\r\n")

const envelope = `* 2 FETCH (ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>"))` + "\r\n"

func grayAddr() Value {
	return list(list(str("Terry Gray"), nilv, str("gray"), str("cac.washington.edu")))
}

// imapTests are single responses: the whole input is one response.
var imapTests = []struct {
	name string
	in   string
	want IMAPResponse // Raw is filled from in
}{
	{
		name: "greeting with capability code",
		in:   "* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] Dovecot ready.\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Code: "CAPABILITY",
			CodeArgs: "IMAP4rev2 AUTH=PLAIN", Text: "Dovecot ready."},
	},
	{
		name: "CAPABILITY",
		in:   "* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN LITERAL+\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "CAPABILITY", Fields: fields(
			atom("IMAP4rev1"), atom("IMAP4rev2"), atom("STARTTLS"), atom("AUTH=PLAIN"), atom("LITERAL+"))},
	},
	{
		name: "EXISTS",
		in:   "* 172 EXISTS\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 172, HasNumber: true, Keyword: "EXISTS"},
	},
	{
		name: "zero EXISTS",
		in:   "* 0 EXISTS\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 0, HasNumber: true, Keyword: "EXISTS"},
	},
	{
		name: "FLAGS",
		in:   "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "FLAGS", Fields: fields(list(
			atom(`\Answered`), atom(`\Flagged`), atom(`\Deleted`), atom(`\Seen`), atom(`\Draft`)))},
	},
	{
		name: "PERMANENTFLAGS",
		in:   "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Code: "PERMANENTFLAGS",
			CodeArgs: `(\Deleted \Seen \*)`, Text: "Limited"},
	},
	{
		name: "UIDVALIDITY",
		in:   "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Code: "UIDVALIDITY",
			CodeArgs: "3857529045", Text: "UIDs valid"},
	},
	{
		name: "code with empty text after SP",
		in:   "* OK [READ-ONLY] \r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Code: "READ-ONLY"},
	},
	{
		name: "LIST",
		in:   "* LIST (\\HasNoChildren) \"/\" INBOX\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "LIST", Fields: fields(
			list(atom(`\HasNoChildren`)), str("/"), atom("INBOX"))},
	},
	{
		name: "LIST with escapes and NIL delimiter",
		in:   "* LIST () NIL \"a \\\"b\\\" \\\\c\"\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "LIST", Fields: fields(
			list(), nilv, str(`a "b" \c`))},
	},
	{
		name: "tagged SELECT completion",
		in:   "A142 OK [READ-WRITE] SELECT completed\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "A142", Keyword: "OK", Status: "OK", Code: "READ-WRITE",
			Text: "SELECT completed"},
	},
	{
		name: "APPENDUID",
		in:   "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "A003", Keyword: "OK", Status: "OK", Code: "APPENDUID",
			CodeArgs: "38505 3955", Text: "APPEND completed"},
	},
	{
		name: "tagged lower case status",
		in:   "a1 no [trycreate] no such mailbox\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a1", Keyword: "NO", Status: "NO", Code: "TRYCREATE",
			Text: "no such mailbox"},
	},
	{
		name: "tag with ]",
		in:   "a]1 BAD x\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a]1", Keyword: "BAD", Status: "BAD", Text: "x"},
	},
	{
		name: "BYE",
		in:   "* BYE Logging out\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "BYE", Status: "BYE", Text: "Logging out"},
	},
	{
		name: "status text ending like a literal is text",
		in:   "* OK see {5}\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "see {5}"},
	},
	{
		name: "FETCH BODY[] literal with CRLF and parentheses",
		in:   fetchLiteral,
		want: IMAPResponse{Kind: IMAPUntagged, Number: 12, HasNumber: true, Keyword: "FETCH",
			Fields:   fields(list(atom("UID"), num(7), atom("BODY[]"), lit(litBody))),
			Literals: [][]byte{[]byte(litBody)}},
	},
	{
		name: "FETCH two literals and a section spec",
		in:   fetchTwoLiterals,
		want: IMAPResponse{Kind: IMAPUntagged, Number: 3, HasNumber: true, Keyword: "FETCH",
			Fields: fields(list(atom("BODY[HEADER.FIELDS (FROM)]"), lit("From: a@b\r\n\r\n"),
				atom("BODY[TEXT]"), lit(""), atom("FLAGS"), list(atom(`\Seen`)))),
			Literals: [][]byte{[]byte("From: a@b\r\n\r\n"), {}}},
	},
	{
		name: "FETCH partial body",
		in:   "* 1 FETCH (BODY[]<0> {3}\r\nabc)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 1, HasNumber: true, Keyword: "FETCH",
			Fields:   fields(list(atom("BODY[]<0>"), lit("abc"))),
			Literals: [][]byte{[]byte("abc")}},
	},
	{
		name: "literal8 with NUL",
		in:   "* 1 FETCH (BINARY[1] ~{4}\r\n\x00\x01\r\n)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 1, HasNumber: true, Keyword: "FETCH",
			Fields:   fields(list(atom("BINARY[1]"), lit("\x00\x01\r\n"))),
			Literals: [][]byte{[]byte("\x00\x01\r\n")}},
	},
	{
		name: "ENVELOPE with NIL and nested lists",
		in:   envelope,
		want: IMAPResponse{Kind: IMAPUntagged, Number: 2, HasNumber: true, Keyword: "FETCH",
			Fields: fields(list(atom("ENVELOPE"), list(
				str("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"),
				str("IMAP4rev1 WG mtg summary and minutes"),
				grayAddr(), grayAddr(), grayAddr(),
				list(list(nilv, nilv, str("imap"), str("cac.washington.edu"))),
				list(list(nilv, nilv, str("minutes"), str("CNRI.Reston.VA.US")),
					list(str("John Klensin"), nilv, str("KLENSIN"), str("MIT.EDU"))),
				nilv, nilv, str("<B27397-0100000@cac.washington.edu>"),
			)))},
	},
	{
		name: "ESEARCH",
		in:   "* ESEARCH (TAG \"a1\") UID ALL 1:3,5 MIN 1\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "ESEARCH", Fields: fields(
			list(atom("TAG"), str("a1")), atom("UID"), atom("ALL"), atom("1:3,5"), atom("MIN"), num(1))},
	},
	{
		name: "SEARCH without results",
		in:   "* SEARCH\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "SEARCH"},
	},
	{
		name: "STATUS",
		in:   "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "STATUS", Fields: fields(
			atom("blurdybloop"), list(atom("MESSAGES"), num(231), atom("UIDNEXT"), num(44292)))},
	},
	{
		name: "NAMESPACE",
		in:   "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "NAMESPACE", Fields: fields(
			list(list(str(""), str("/"))), nilv, nilv)},
	},
	{
		name: "THREAD lists without SP",
		in:   "* THREAD (2)(3 6 (4 23))\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "THREAD", Fields: fields(
			list(num(2)), list(num(3), num(6), list(num(4), num(23))))},
	},
	{
		name: "LIST with a literal mailbox name",
		in:   "* LIST () \"/\" {5}\r\nfo)o(\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "LIST", Fields: fields(
			list(), str("/"), lit("fo)o(")), Literals: [][]byte{[]byte("fo)o(")}},
	},
	{
		name: "unknown keyword is parsed without judging",
		in:   "* XFOO (a \"b\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "XFOO", Fields: fields(list(atom("a")))},
	},
	{
		name: "continuation with text",
		in:   "+ Ready for literal data\r\n",
		want: IMAPResponse{Kind: IMAPContinuation, Text: "Ready for literal data"},
	},
	{
		name: "continuation with empty text",
		in:   "+ \r\n",
		want: IMAPResponse{Kind: IMAPContinuation},
	},
	{
		name: "continuation with base64",
		in:   "+ dGVzdA==\r\n",
		want: IMAPResponse{Kind: IMAPContinuation, Text: "dGVzdA=="},
	},
	{
		name: "continuation ending like a literal is text",
		in:   "+ {5}\r\n",
		want: IMAPResponse{Kind: IMAPContinuation, Text: "{5}"},
	},
	{
		name: "invalid UTF-8 in text is not judged",
		in:   "* OK \xff\xfe\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "\xff\xfe"},
	},

	// Violations.
	{
		name: "bare LF",
		in:   "* OK hi\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "hi",
			Violations: []Violation{vio("9051", "2.2", LevelMust, 7)}},
	},
	{
		name: "bare LF after a literal",
		in:   "* 1 FETCH (BODY[] {2}\r\nab)\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 1, HasNumber: true, Keyword: "FETCH",
			Fields: fields(list(atom("BODY[]"), lit("ab"))), Literals: [][]byte{[]byte("ab")},
			Violations: []Violation{vio("9051", "2.2", LevelMust, 26)}},
	},
	{
		name: "continuation without SP",
		in:   "+\r\n",
		want: IMAPResponse{Kind: IMAPContinuation,
			Violations: []Violation{vio("9051", "9", LevelMust, 1)}},
	},
	{
		name: "status without SP",
		in:   "a1 OK\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a1", Keyword: "OK", Status: "OK",
			Violations: []Violation{vio("9051", "9", LevelMust, 5)}},
	},
	{
		name: "unclosed response code",
		in:   "* OK [ALERT hi\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "[ALERT hi",
			Violations: []Violation{vio("9051", "9", LevelMust, 5)}},
	},
	{
		name: "response code not followed by SP",
		in:   "* OK [ALERT]\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Code: "ALERT",
			Violations: []Violation{vio("9051", "9", LevelMust, 12)}},
	},
	{
		name: "tag with +",
		in:   "a+1 OK x\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a+1", Keyword: "OK", Status: "OK", Text: "x",
			Violations: []Violation{vio("9051", "9", LevelMust, 1)}},
	},
	{
		name: "no tag",
		in:   " OK x\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Keyword: "OK", Status: "OK", Text: "x",
			Violations: []Violation{vio("9051", "9", LevelMust, 0)}},
	},
	{
		name: "tagged BYE",
		in:   "a1 BYE x\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a1", Keyword: "BYE", Status: "BYE", Text: "x",
			Violations: []Violation{vio("9051", "9", LevelMust, 3)}},
	},
	{
		name: "tagged unknown status",
		in:   "a1 DONE all good\r\n",
		want: IMAPResponse{Kind: IMAPTagged, Tag: "a1", Keyword: "DONE", Text: "all good",
			Violations: []Violation{vio("9051", "9", LevelMust, 3)}},
	},
	{
		name: "untagged without SP",
		in:   "*OK hi\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "hi",
			Violations: []Violation{vio("9051", "9", LevelMust, 1)}},
	},
	{
		name: "number too large",
		in:   "* 4294967296 EXISTS\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "EXISTS",
			Violations: []Violation{vio("9051", "9", LevelMust, 2)}},
	},
	{
		name: "list not closed",
		in:   "* FLAGS (\\Seen\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "FLAGS", Fields: fields(list(atom(`\Seen`))),
			Violations: []Violation{vio("9051", "9", LevelMust, 8)}},
	},
	{
		name: "unbalanced )",
		in:   "* FLAGS (\\Seen))\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "FLAGS", Fields: fields(list(atom(`\Seen`))),
			Violations: []Violation{vio("9051", "9", LevelMust, 15)}},
	},
	{
		name: "quoted string not closed",
		in:   "* LIST () \"/ INBOX\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "LIST", Fields: fields(list()),
			Violations: []Violation{vio("9051", "9", LevelMust, 10)}},
	},
	{
		name: "NUL outside a literal",
		in:   "* OK a\x00b\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "a\x00b",
			Violations: []Violation{vio("9051", "9", LevelMust, 6)}},
	},
	{
		name: "bare CR outside a literal",
		in:   "* OK a\rb\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Keyword: "OK", Status: "OK", Text: "a\rb",
			Violations: []Violation{vio("9051", "9", LevelMust, 6)}},
	},
	{
		name: "NUL in a literal",
		in:   "* 1 FETCH (BODY[] {3}\r\na\x00b)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 1, HasNumber: true, Keyword: "FETCH",
			Fields: fields(list(atom("BODY[]"), lit("a\x00b"))), Literals: [][]byte{[]byte("a\x00b")},
			Violations: []Violation{vio("9051", "4.3.1", LevelMust, 24)}},
	},
	{
		name: "non-synchronizing literal from the server",
		in:   "* 1 FETCH (BODY[] {2+}\r\nab)\r\n",
		want: IMAPResponse{Kind: IMAPUntagged, Number: 1, HasNumber: true, Keyword: "FETCH",
			Fields: fields(list(atom("BODY[]"), lit("ab"))), Literals: [][]byte{[]byte("ab")},
			Violations: []Violation{vio("9051", "9", LevelMustNot, 18)}},
	},
}

func TestIMAPReadResponse(t *testing.T) {
	for _, tc := range imapTests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewIMAPReader(strings.NewReader(tc.in), Limits{})
			got, err := r.ReadResponse()
			if err != nil {
				t.Fatalf("ReadResponse(%q) error: %v", tc.in, err)
			}
			want := tc.want
			want.Raw = []byte(tc.in)
			if d := diff(want, got); d != "" {
				t.Errorf("ReadResponse(%q) mismatch (-want +got):\n%s", tc.in, d)
			}
			checkMsgs(t, got.Violations)
			if _, err := r.ReadResponse(); err != io.EOF {
				t.Errorf("ReadResponse after the response = %v, want io.EOF", err)
			}
		})
	}
}

// TestIMAPSelectStream reads a whole SELECT exchange, as RFC 9051 section
// 6.3.2 shows it, and checks that it is framed response by response.
func TestIMAPSelectStream(t *testing.T) {
	in := "* 172 EXISTS\r\n" +
		"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n" +
		"* OK [UIDNEXT 4392] Predicted next UID\r\n" +
		"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n" +
		"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n" +
		"* LIST () \"/\" INBOX\r\n" +
		"A142 OK [READ-WRITE] SELECT completed\r\n"
	got, err := readAllIMAP(strings.NewReader(in), Limits{})
	if err != io.EOF {
		t.Fatalf("reading ended with %v, want io.EOF", err)
	}
	type head struct {
		Kind    IMAPKind
		Keyword string
		Code    string
	}
	var heads []head
	var raw strings.Builder
	for _, r := range got.Responses {
		heads = append(heads, head{r.Kind, r.Keyword, r.Code})
		raw.Write(r.Raw)
		if r.Violations != nil {
			t.Errorf("response %q has violations %v", r.Raw, r.Violations)
		}
	}
	want := []head{
		{IMAPUntagged, "EXISTS", ""}, {IMAPUntagged, "OK", "UIDVALIDITY"}, {IMAPUntagged, "OK", "UIDNEXT"},
		{IMAPUntagged, "FLAGS", ""}, {IMAPUntagged, "OK", "PERMANENTFLAGS"}, {IMAPUntagged, "LIST", ""},
		{IMAPTagged, "OK", "READ-WRITE"},
	}
	if d := diff(want, heads); d != "" {
		t.Errorf("responses mismatch (-want +got):\n%s", d)
	}
	if raw.String() != in {
		t.Errorf("concatenated Raw = %q, want %q", raw.String(), in)
	}
}

func TestIMAPDepth(t *testing.T) {
	nest := func(n int) string {
		return "* XDEEP " + strings.Repeat("(", n) + strings.Repeat(")", n) + "\r\n"
	}
	r := NewIMAPReader(strings.NewReader(nest(maxListDepth)+nest(maxListDepth+1)+"a1 OK done\r\n"), Limits{})
	resp, err := r.ReadResponse()
	if err != nil {
		t.Fatalf("ReadResponse(%d nested lists) error: %v", maxListDepth, err)
	}
	depth := 0
	for v := resp.Fields; len(v) == 1 && v[0].Kind == List; v = v[0].List {
		depth++
	}
	if depth != maxListDepth {
		t.Errorf("parsed depth = %d, want %d", depth, maxListDepth)
	}
	resp, err = r.ReadResponse()
	if !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), "wire: ") {
		t.Fatalf("ReadResponse(%d nested lists) = %v, want a wire: error wrapping ErrLimit", maxListDepth+1, err)
	}
	if string(resp.Raw) != nest(maxListDepth+1) {
		t.Errorf("Raw with the depth error = %q, want the response", resp.Raw)
	}
	resp, err = r.ReadResponse()
	if err != nil || resp.Tag != "a1" {
		t.Errorf("ReadResponse after a depth error = %q, %v; want the next response", resp.Raw, err)
	}
}

func TestIMAPHugeLiteral(t *testing.T) {
	line := "* 1 FETCH (BODY[] {2147483648}\r\n"
	for _, eight := range []bool{false, true} {
		in := line
		if eight {
			in = strings.Replace(line, "{", "~{", 1)
		}
		cr := &countingReader{r: endless(in, 'x')}
		r := NewIMAPReader(cr, Limits{})
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		_, err := r.ReadResponse()
		runtime.ReadMemStats(&ms1)
		if !errors.Is(err, ErrLimit) || !strings.HasPrefix(err.Error(), "wire: ") {
			t.Fatalf("ReadResponse(%q) = %v, want a wire: error wrapping ErrLimit", in, err)
		}
		if cr.n > int64(len(in)+readBufSize) {
			t.Errorf("read %d octets after a too-large literal announcement; want at most the line and one buffer", cr.n)
		}
		if alloc := ms1.TotalAlloc - ms0.TotalAlloc; alloc > 8<<20 {
			t.Errorf("allocated %d octets for a refused literal", alloc)
		}
		if _, err2 := r.ReadResponse(); !errors.Is(err2, ErrLimit) {
			t.Errorf("ReadResponse after the limit error = %v, want it again", err2)
		}
	}
}

func TestIMAPLiteralOverflow(t *testing.T) {
	in := "* 1 FETCH (BODY[] {99999999999999999999999999}\r\n"
	_, err := NewIMAPReader(strings.NewReader(in), Limits{}).ReadResponse()
	if !errors.Is(err, ErrLimit) {
		t.Errorf("ReadResponse(%q) = %v, want ErrLimit", in, err)
	}
}

func TestIMAPEOF(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantIs error
	}{
		{"clean close", "", io.EOF},
		{"mid line", "* OK he", io.ErrUnexpectedEOF},
		{"in a literal", "* 1 FETCH (BODY[] {10}\r\nabc", io.ErrUnexpectedEOF},
		{"right after a literal", "* 1 FETCH (BODY[] {3}\r\nabc", io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewIMAPReader(strings.NewReader(tc.in), Limits{}).ReadResponse()
			if tc.wantIs == io.EOF {
				if err != io.EOF {
					t.Fatalf("ReadResponse(%q) = %v, want io.EOF itself", tc.in, err)
				}
				return
			}
			if !errors.Is(err, tc.wantIs) || !strings.HasPrefix(err.Error(), "wire: ") {
				t.Fatalf("ReadResponse(%q) = %v, want a wire: error wrapping %v", tc.in, err, tc.wantIs)
			}
		})
	}
}

func TestIMAPLiteralsDoNotOverwriteRaw(t *testing.T) {
	got, err := NewIMAPReader(strings.NewReader(fetchLiteral), Limits{}).ReadResponse()
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got.Literals[0], "XYZ"...)
	if string(got.Raw) != fetchLiteral {
		t.Errorf("appending to Literals[0] changed Raw to %q", got.Raw)
	}
}
