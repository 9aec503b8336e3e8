package embedded_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/mailspec/mailspec/targets/embedded"
)

// Start a system, submit a message as alice to bob over submissions, and
// close it again.
func Example() {
	sys, err := embedded.Start(context.Background(), embedded.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sys.Close()

	fmt.Println(strings.HasPrefix(sys.URL("imaps"), "imaps://127.0.0.1:"))
	for _, a := range sys.Accounts {
		fmt.Println(a.User, a.Address)
	}

	// Clients verify the servers against the system's own certificate.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(sys.CertPEM)
	c, err := smtp.DialTLS(sys.Endpoints["smtps"], &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	alice := sys.Accounts[0]
	if err := c.Auth(sasl.NewPlainClient("", alice.User, alice.Password)); err != nil {
		fmt.Println(err)
		return
	}
	err = c.SendMail(alice.Address, []string{"bob@example.test"}, strings.NewReader("Subject: hi\r\n\r\nHello Bob.\r\n"))
	fmt.Println("sent:", err == nil)
	// Output:
	// true
	// alice alice@example.test
	// bob bob@example.test
	// carol carol@example.test
	// sent: true
}
