package script

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// replay checks s against a recorded session the way the replay engine
// does, without a socket: each C: or C! step must send exactly the next
// client entry, each S: step's pattern must match the display form of the
// next server entry, each S! step must equal it, and starttls must meet a
// "tls" entry, all on the right connection.
func replay(s *Script, entries []Entry, proto string) error {
	var rec []Entry
	for _, e := range entries {
		if e.Dir == "tls" || (e.Dir == "C" || e.Dir == "S") && len(e.Data) > 0 {
			rec = append(rec, e)
		}
	}
	vars := map[string]string{}
	conn := "1"
	next := func(st Step, dir string) (Entry, error) {
		if len(rec) == 0 {
			return Entry{}, fmt.Errorf("line %d %v: no entry left", st.Line, st)
		}
		e := rec[0]
		rec = rec[1:]
		if e.Dir != dir || strconv.Itoa(e.Conn) != conn {
			return e, fmt.Errorf("line %d %v on conn %s: next entry is %s on conn %d", st.Line, st, conn, e.Dir, e.Conn)
		}
		return e, nil
	}
	for _, st := range s.Steps {
		switch st.Kind {
		case Comment:
		case Conn:
			conn = st.Text
		case Send, SendRaw:
			e, err := next(st, "C")
			if err != nil {
				return err
			}
			wire, err := st.Wire(vars)
			if err != nil {
				return err
			}
			if !bytes.Equal(wire, e.Data) {
				return fmt.Errorf("line %d %v sends %q, recorded %q", st.Line, st, wire, e.Data)
			}
		case Expect:
			e, err := next(st, "S")
			if err != nil {
				return err
			}
			p, err := CompilePattern(st.Text)
			if err != nil {
				return err
			}
			caps, ok, err := p.Match(Display(proto, e.Data), vars)
			if err != nil || !ok {
				return fmt.Errorf("line %d %v does not match %q (display %q): %v", st.Line, st, e.Data, Display(proto, e.Data), err)
			}
			for k, v := range caps {
				vars[k] = v
			}
		case ExpectRaw:
			e, err := next(st, "S")
			if err != nil {
				return err
			}
			if !bytes.Equal(st.Raw, e.Data) {
				return fmt.Errorf("line %d %v does not equal %q", st.Line, st, e.Data)
			}
		case StartTLS:
			if _, err := next(st, "tls"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("line %d: unexpected %v", st.Line, st.Kind)
		}
	}
	if len(rec) > 0 {
		return fmt.Errorf("%d entries left over, first %s %q", len(rec), rec[0].Dir, rec[0].Data)
	}
	return nil
}

func entries(specs ...any) []Entry {
	var out []Entry
	conn := 1
	for _, sp := range specs {
		switch v := sp.(type) {
		case int:
			conn = v
		case string:
			dir, data, _ := strings.Cut(v, "|")
			out = append(out, Entry{Conn: conn, Dir: dir, Data: []byte(data)})
		}
	}
	return out
}

var recordings = []struct {
	name, proto string
	meta        Script
	entries     []Entry
}{
	{"smtp", "smtp", Script{ID: "smtp/5321/4.1.1.1/recorded", Protocol: "smtp", Level: "MUST", RFCs: []RFCRef{{"5321", "4.1.1.1"}}},
		entries(
			"note|session recorded by mailspec\r\nsecond line \x01\n\nafter a blank",
			"S|220 mx.example ESMTP *ready* \\o/\r\n",
			"C|EHLO mailspec.test\r\n",
			"S|250-mx.example\r\n", "S|250-PIPELINING\r\n", "S|250 8BITMIME\r\n",
			"C|MAIL FROM:<a@b.test>\r\nRCPT TO:<a@b.test>\r\n", // pipelined: one write
			"S|250 OK\r\n", "S|250 OK\n", // a bare LF
			"C|DATA\r\n", "S|354 go\r\n",
			"C|Subject: costs $5 and ${x} \\$ \\\\ \\Seen\r\n",
			"C|\tfolded\r\n",             // a tab
			"C|trailing spaces  \r\n",    // kept
			"C|{lit:x} is text here\r\n", // would read as a literal
			"C|caf\xc3\xa9 \xff\r\n",     // invalid UTF-8
			"C|\r\n", "C|.\r\n",
			"S|250 2.0.0 queued as ${id} *\r\n",
			"S|<closed>\r\n", "S|<none 2s>\r\n", // would read as special forms
			"S|250 \\x0a is text\r\n", // would read as an escape
			"S|250 caf\xc3\xa9 \xff\r\n",
			"S|250 tab\there\r\n",
			"S|\r\n",
			"S|", "C|", // empty entries are skipped
			"C|STARTTLS\r\n", "S|220 go\r\n", "tls|",
			"C|QUIT", // no CRLF
			2, "S|220 second\r\n", "C|QUIT\r\n", "S|221 bye\r\n",
			"weird|x",
		)},
	{"imap", "imap", Script{ID: "imap/9051/7.5.2/recorded", Protocol: "imap", Level: "MUST", RFCs: []RFCRef{{"9051", "7.5.2"}}, Ordered: true},
		entries(
			"S|* OK [CAPABILITY IMAP4rev2 LITERAL+] ready\r\n",
			"C|a1 LOGIN alice {6}\r\n", "S|+ Ready\r\n", "C|secret\r\n", "S|a1 OK done\r\n",
			"C|a2 SELECT INBOX\r\n",
			"S|* FLAGS (\\Answered \\Seen \\*)\r\n",
			"S|* OK [PERMANENTFLAGS (\\Seen \\*)] x\r\n",
			"S|* 2 EXISTS\r\n", "S|a2 OK [READ-WRITE] SELECT\r\n",
			"C|a3 FETCH 1 BODY[]\r\n",
			"S|* 1 FETCH (FLAGS (\\Seen) BODY[] {37}\r\nSubject: a}b\r\n\r\nnul\x00 ${x} \\ * end\r\n\r\n)\r\n",
			"S|* 2 FETCH (BINARY[] ~{3}\r\n\x00\x01\x02 BODY[1] {0}\r\n)\r\n",
			"S|* 3 FETCH (X {99}\r\nshort)\r\n", // malformed count: shown as text
			"S|* 4 FETCH (X {03}\r\nabc)\r\n",   // leading zero: display would lose it
			"S|* 5 FETCH (X {2}\r\nab)",         // no final CRLF
			"S|* OK {lit:not a literal}\r\n",    // would read as a literal
			"S|a3 OK FETCH done\r\n",
			"C|a4 APPEND INBOX {5+}\r\nhello\r\n", // non-synchronising literal, one write
			"S|a4 OK\r\n",
			"C|a5 LOGOUT\r\n", "S|* BYE\r\n", "S|a5 OK\r\n",
		)},
	{"pop3", "pop3", Script{ID: "pop3/1939/-/recorded", Protocol: "pop3", Level: "MAY", RFCs: []RFCRef{{"1939", "-"}}},
		entries(
			3, "S|+OK POP3 <1896.697170952@dbc.mtview.ca.us>\r\n",
			"C|USER alice\r\n", "S|+OK\r\n",
			"C|RETR 1\r\n", "S|+OK 120 octets\r\n", "S|..stuffed\r\n", "S|*\r\n", "S|.\r\n",
			1, "S|+OK other\r\n",
		)},
}

func TestFromRecording(t *testing.T) {
	for _, rc := range recordings {
		t.Run(rc.name, func(t *testing.T) {
			s := FromRecording(rc.meta, rc.entries, rc.proto)
			text := s.Print()
			parsed, err := Parse(rc.name+".txt", text)
			if err != nil {
				t.Fatalf("Parse(Print(FromRecording)): %v\n%s", err, text)
			}
			parsed.File = s.File
			if diff := cmp.Diff(s, parsed, ignoreLines); diff != "" {
				t.Errorf("Parse(Print(s)) differs from FromRecording's s (-want +got):\n%s", diff)
			}
			if err := replay(parsed, rc.entries, rc.proto); err != nil {
				t.Errorf("replaying the recorded transcript against its recording: %v\n%s", err, text)
			}
			// The check can fail: change one server byte in each
			// server entry in turn.
			for i, e := range rc.entries {
				if e.Dir != "S" || len(e.Data) == 0 {
					continue
				}
				changed := append([]Entry(nil), rc.entries...)
				data := bytes.Clone(e.Data)
				data[0] ^= 0x20
				changed[i].Data = data
				if err := replay(parsed, changed, rc.proto); err == nil {
					t.Errorf("replay passed with server entry %d changed to %q", i, data)
				}
			}
		})
	}
}

// TestFromRecordingText pins the text FromRecording writes for each kind
// of entry.
func TestFromRecordingText(t *testing.T) {
	rc := recordings[0]
	got := string(FromRecording(rc.meta, rc.entries, rc.proto).Print())
	want := `@id smtp/5321/4.1.1.1/recorded
@protocol smtp
@rfc 5321 4.1.1.1
@level MUST

# session recorded by mailspec
# second line \x01
#
# after a blank
S: 220 mx.example ESMTP \*ready\* \o/
C: EHLO mailspec.test
S: 250-mx.example
S: 250-PIPELINING
S: 250 8BITMIME
C! MAIL FROM:<a@b.test>\r\nRCPT TO:<a@b.test>\r\n
S: 250 OK
S! 250 OK\n
C: DATA
S: 354 go
C: Subject: costs $5 and \${x} \\$ \\\\ \Seen
C! \tfolded\r\n
C: trailing spaces  
C! {lit:x} is text here\r\n
C! caf` + "\xc3\xa9" + ` \xff\r\n
C:
C: .
S: 250 2.0.0 queued as \${id} \*
S! <closed>\r\n
S! <none 2s>\r\n
S! 250 \\x0a is text\r\n
S! 250 caf` + "\xc3\xa9" + ` \xff\r\n
S: 250 tab\x09here
S:
C: STARTTLS
S: 220 go
starttls
C! QUIT

conn 2
S: 220 second
C: QUIT
S: 221 bye
# unknown recorder entry "weird"
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromRecording text (-want +got):\n%s", diff)
	}
	imap := string(FromRecording(recordings[1].meta, recordings[1].entries, "imap").Print())
	for _, line := range []string{
		`S: \* FLAGS (\Answered \Seen \\\*)`,
		`S: \* 1 FETCH (FLAGS (\Seen) BODY[] {lit:Subject: a\x7db\r\n\r\nnul\0 \${x\x7d \\\\ \* end\r\n\r\n})`,
		`S: \* 2 FETCH (BINARY[] ~{lit:\0\x01\x02} BODY[1] {lit:})`,
		`S: \* 3 FETCH (X {99}\x0d\x0ashort)`,
		`S! * 4 FETCH (X {03}\r\nabc)\r\n`,
		`S! * 5 FETCH (X {2}\r\nab)`,
		`S! * OK {lit:not a literal}\r\n`,
		`C! a4 APPEND INBOX {5+}\r\nhello\r\n`,
		"@ordered",
	} {
		if !strings.Contains(imap, line+"\n") {
			t.Errorf("FromRecording(imap) has no line %q:\n%s", line, imap)
		}
	}
}

func TestFromRecordingMeta(t *testing.T) {
	meta := Script{ID: "smtp/5321/1/x", Level: "MUST", RFCs: []RFCRef{{"5321", "1"}}, Requires: []string{"X"},
		Steps: []Step{{Kind: Comment, Text: " from meta"}}}
	s := FromRecording(meta, entries("S|220 x\r\n"), "smtp")
	if s.Protocol != "smtp" {
		t.Errorf("Protocol = %q, want smtp from the proto argument", s.Protocol)
	}
	want := []Step{{Kind: Comment, Text: " from meta"}, {Kind: Expect, Text: "220 x"}}
	if diff := cmp.Diff(want, s.Steps); diff != "" {
		t.Errorf("Steps (-want +got):\n%s", diff)
	}
	s.Requires[0] = "changed"
	s.Steps[0].Text = "changed"
	if meta.Requires[0] != "X" || meta.Steps[0].Text != " from meta" {
		t.Errorf("FromRecording shares slices with meta")
	}
	s2 := FromRecording(Script{Protocol: "imap"}, entries("S|* X {1}\r\nx\r\n"), "")
	if diff := cmp.Diff([]Step{{Kind: Expect, Text: `\* X {lit:x}`}}, s2.Steps); diff != "" {
		t.Errorf("proto from meta: Steps (-want +got):\n%s", diff)
	}
}
