package faults_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"net/textproto"

	"github.com/mailspec/mailspec/faults"
	"github.com/mailspec/mailspec/targets/embedded"
)

// Put a proxy with a named fault in front of a mail server and point the
// client (here a bare net/textproto one; in a self-test, the scenario
// under test) at its address: the server now answers QUIT with 250
// instead of 221.
func Example() {
	// The upstream: here the embedded reference system; any SMTP server's
	// host:port will do.
	sys, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer sys.Close()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(sys.CertPEM)

	fault, ok := faults.Lookup("smtp-quit-250")
	if !ok {
		log.Fatal("no such fault")
	}
	fmt.Println(fault.Description)
	p, err := faults.Start(faults.Options{
		Protocol:    faults.SMTP,
		Upstream:    sys.Endpoints[embedded.SchemeSMTP],
		UpstreamTLS: &tls.Config{RootCAs: roots, ServerName: "localhost"}, // for STARTTLS
		Fault:       fault,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	// Clients connect to p.Addr(); over STARTTLS they must trust
	// p.CertPEM().
	c, err := textproto.Dial("tcp", p.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	greeting, _ := c.ReadLine()
	fmt.Println(greeting)
	c.PrintfLine("QUIT")
	reply, _ := c.ReadLine()
	fmt.Println(reply)
	// Output:
	// RFC 5321 4.1.1.10: QUIT is answered 250 instead of the required 221 (the connection still closes)
	// 220 example.test ESMTP Service Ready
	// 250 2.0.0 Bye
}

// Find a fault by name, as a scenario's self-test does.
func ExampleLookup() {
	f, ok := faults.Lookup("pop3-stat-off-by-one")
	fmt.Println(ok, f.Protocol)
	fmt.Println(f.Description)
	// Output:
	// true pop3
	// RFC 1939 5: the maildrop size in octets in the +OK to STAT is one more than the real size
}

// List every fault a self-test can inject.
func ExampleList() {
	for _, f := range faults.List() {
		fmt.Printf("%s (%s): %s\n", f.Name, f.Protocol, f.Description)
	}
}

// A fault is a Fault value: hooks that change what is forwarded. In the
// package, each lives in a file of its own and registers itself from
// init with Register; a one-off can go straight into Options. This one
// answers IMAP NOOP with NO.
func Example_newFault() {
	sys, err := embedded.Start(context.Background(), embedded.Options{InsecureAuth: true})
	if err != nil {
		log.Fatal(err)
	}
	defer sys.Close()

	noopNO := faults.Fault{
		Name:        "imap-noop-no",
		Protocol:    faults.IMAP,
		Description: "RFC 9051 6.1.2: NOOP is answered NO instead of OK",
		OnReply: func(e *faults.Exchange) {
			if e.Verb() == "NOOP" && e.IMAPTag() == e.Command.Tag && e.IMAPStatus() == "OK" {
				e.Reply = []byte(e.Command.Tag + " NO noop refused\r\n")
			}
		},
	}
	p, err := faults.Start(faults.Options{Protocol: faults.IMAP, Upstream: sys.Endpoints[embedded.SchemeIMAP], Fault: noopNO})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	c, err := textproto.Dial("tcp", p.Addr())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	c.ReadLine() // the greeting
	c.PrintfLine("a1 NOOP")
	reply, _ := c.ReadLine()
	fmt.Println(reply)
	// Output:
	// a1 NO noop refused
}
