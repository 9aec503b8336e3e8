package script_test

import (
	"fmt"

	"github.com/mailspec/mailspec/transcripts/script"
)

func ExampleParse() {
	src := `@id smtp/5321/4.1.1.1/ehlo-multiline
@protocol smtp
@title EHLO is answered with a multi-line 250 reply
@rfc 5321 4.1.1.1
@level MUST

S: 220 *
C: EHLO mailspec.test
S*: 250-*
S: 250 *
`
	s, err := script.Parse("ehlo.txt", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.ID, s.Level, s.EndpointKind())
	for _, st := range s.Steps {
		fmt.Printf("line %d: %v %q\n", st.Line, st.Kind, st.Text)
	}
	// Output:
	// smtp/5321/4.1.1.1/ehlo-multiline MUST smtp
	// line 7: Expect "220 *"
	// line 8: Send "EHLO mailspec.test"
	// line 9: ExpectMany "250-*"
	// line 10: Expect "250 *"
}

func ExampleParse_error() {
	_, err := script.Parse("smtp-ehlo.txt", []byte("@id smtp/5321/1/x\n@protocol smtp\n@rfc 5321 1\n@level MUST\nC! NOOP\\q\n"))
	fmt.Println(err)
	// Output:
	// smtp-ehlo.txt:5: unknown escape \q
}

func ExamplePattern_Match() {
	p, err := script.CompilePattern(`${tag} OK [UIDVALIDITY ${uv=*}] *`)
	if err != nil {
		fmt.Println(err)
		return
	}
	caps, ok, err := p.Match("a2 OK [UIDVALIDITY 3857529045] SELECT done", map[string]string{"tag": "a2"})
	fmt.Println(caps, ok, err)
	// Output:
	// map[uv:3857529045] true <nil>
}

func ExampleDisplay() {
	raw := []byte("* 1 FETCH (FLAGS (\\Seen) BODY[] {14}\r\nSubject: }\r\n\r\n)\r\n")
	fmt.Println(script.Display("imap", raw))
	fmt.Println(script.Display("smtp", []byte("250 OK\n")))
	// Output:
	// * 1 FETCH (FLAGS (\Seen) BODY[] {lit:Subject: \x7d\r\n\r\n})
	// 250 OK\x0a
}

func ExampleStep_Wire() {
	s, err := script.Parse("login.txt", []byte("@id imap/7888/3/x\n@protocol imap\n@rfc 7888 3\n@level MUST\n"+
		"C: a1 LOGIN {lit:${user}} {lit+:${password}}\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	wire, err := s.Steps[0].Wire(map[string]string{"user": "alice", "password": "s3cret"})
	fmt.Printf("%q %v\n", wire, err)
	// Output:
	// "a1 LOGIN {5}\r\nalice {6+}\r\ns3cret\r\n" <nil>
}

func ExampleFromRecording() {
	meta := script.Script{ID: "smtp/5321/4.1.1.1/recorded", Protocol: "smtp", Level: "MUST",
		RFCs: []script.RFCRef{{Number: "5321", Section: "4.1.1.1"}}}
	s := script.FromRecording(meta, []script.Entry{
		{Conn: 1, Dir: "S", Data: []byte("220 mx.example *ESMTP*\r\n")},
		{Conn: 1, Dir: "C", Data: []byte("EHLO mailspec.test\r\n")},
		{Conn: 1, Dir: "S", Data: []byte("250 mx.example\n")},
		{Conn: 1, Dir: "C", Data: []byte("QUIT\r\nQUIT\r\n")},
	}, "smtp")
	fmt.Print(string(s.Print()))
	// Output:
	// @id smtp/5321/4.1.1.1/recorded
	// @protocol smtp
	// @rfc 5321 4.1.1.1
	// @level MUST
	//
	// S: 220 mx.example \*ESMTP\*
	// C: EHLO mailspec.test
	// S! 250 mx.example\n
	// C! QUIT\r\nQUIT\r\n
}
