package sasl_test

import (
	"encoding/base64"
	"fmt"

	"github.com/mailspec/mailspec/transcripts/sasl"
)

// One CRAM-MD5 exchange (RFC 2195 section 2's example). The caller frames
// the messages: it sends "AUTH CRAM-MD5" (SMTP) or "AUTHENTICATE CRAM-MD5"
// (IMAP), decodes the server's base64 challenge, passes it to Next and
// sends the base64 of the response.
func ExampleNew() {
	c, err := sasl.New("cram-md5", sasl.Credentials{User: "tim", Password: "tanstaaftanstaaf"})
	if err != nil {
		fmt.Println(err)
		return
	}
	mech, ir, err := c.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("C: AUTH %s (initial response: %v)\n", mech, ir != nil)

	challenge, _ := base64.StdEncoding.DecodeString("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
	fmt.Printf("S: 334 (decoded) %s\n", challenge)
	resp, err := c.Next(challenge)
	if err != nil {
		fmt.Println(err) // the caller would cancel with "*"
		return
	}
	fmt.Printf("C: (decoded) %s\n", resp)
	fmt.Println("C:", base64.StdEncoding.EncodeToString(resp))
	fmt.Println("redact:", sasl.Secret(mech, resp))
	// Output:
	// C: AUTH CRAM-MD5 (initial response: false)
	// S: 334 (decoded) <1896.697170952@postoffice.reston.mci.net>
	// C: (decoded) tim b913a602c7eda7a495b4e6e7334d3890
	// C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
	// redact: true
}

// Secret tells a recorder which client messages to redact: SCRAM's
// client-first-message names only the user, its client-final-message
// carries the proof.
func ExampleSecret() {
	fmt.Println(sasl.Secret("SCRAM-SHA-256", []byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")))
	fmt.Println(sasl.Secret("SCRAM-SHA-256", []byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")))
	fmt.Println(sasl.Secret("PLAIN", []byte("\x00user\x00pencil")))
	// Output:
	// false
	// true
	// true
}
