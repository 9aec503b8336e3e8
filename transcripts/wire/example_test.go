package wire_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailspec/mailspec/transcripts/wire"
)

func ExampleSMTPReader() {
	server := strings.NewReader("250-mx.example.com\r\n250-PIPELINING\r\n251 SMTPUTF8\r\n")
	r := wire.NewSMTPReader(server, wire.DefaultLimits)
	reply, err := r.ReadReply()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reply.Code, reply.Lines)
	for _, v := range reply.Violations {
		fmt.Println(v)
	}
	_, err = r.ReadReply()
	fmt.Println(err == io.EOF)
	// Output:
	// 250 [mx.example.com PIPELINING SMTPUTF8]
	// RFC 5321 section 4.2.1 (MUST): line 3 of a multiline reply has code 251, the first line has 250
	// true
}

func ExamplePOP3Reader() {
	server := strings.NewReader("+OK 2 octets\r\n..dot\r\nplain\r\n.\r\n-ERR [IN-USE] locked\r\n")
	r := wire.NewPOP3Reader(server, wire.Limits{}) // zero fields: DefaultLimits
	retr, _ := r.ReadResponse(true)
	fmt.Printf("%s %q\n", retr.Status, retr.Lines)
	stat, _ := r.ReadResponse(false)
	fmt.Println(stat.OK, stat.Code, stat.Text)
	// Output:
	// +OK [".dot" "plain"]
	// false IN-USE locked
}

func ExampleIMAPReader() {
	server := strings.NewReader("* 1 FETCH (UID 9 BODY[] {8}\r\nHi)\r\n*\r\n)\r\n" +
		"a1 OK [READ-ONLY] done\r\n")
	r := wire.NewIMAPReader(server, wire.Limits{MaxLiteral: 1 << 20})
	for {
		resp, err := r.ReadResponse()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch resp.Kind {
		case wire.IMAPUntagged:
			body := resp.Fields[0].List[3]
			fmt.Printf("%d %s %q\n", resp.Number, resp.Keyword, body.Str)
		case wire.IMAPTagged:
			fmt.Println(resp.Tag, resp.Status, resp.Code, resp.Text)
		}
	}
	// Output:
	// 1 FETCH "Hi)\r\n*\r\n"
	// a1 OK READ-ONLY done
}

func ExampleErrLimit() {
	r := wire.NewIMAPReader(strings.NewReader("* 1 FETCH (BODY[] {2147483648}\r\n"), wire.DefaultLimits)
	_, err := r.ReadResponse()
	fmt.Println(errors.Is(err, wire.ErrLimit))
	// Output:
	// true
}
