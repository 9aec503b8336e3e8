package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailspec serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profileOut := fs.String("profile-out", "mailspec-embedded.yaml", "write the system's profile here (its CA goes next to it)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	sys, err := embedded.Start(ctx, embedded.Options{})
	if err != nil {
		return fmt.Errorf("starting the embedded reference system: %w", err)
	}
	defer sys.Close()
	p := embeddedProfile(sys)
	caPath := filepath.Join(filepath.Dir(*profileOut), filepath.Base(*profileOut)+".ca.pem")
	if err := os.WriteFile(caPath, sys.CertPEM, 0o644); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	abs, err := filepath.Abs(caPath)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	p.TLS.CAFile = abs
	b, err := transcripts.MarshalProfile(p)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*profileOut, b, 0o600); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "mailspec embedded reference mail system")
	for _, ep := range p.Endpoints {
		fmt.Fprintf(stdout, "  %s\n", ep.URL)
	}
	fmt.Fprintln(stdout, "accounts (all disposable; passwords are new at every start):")
	for _, a := range p.Accounts {
		fmt.Fprintf(stdout, "  %s  password %s  address %s\n", a.User, a.Password, a.Address)
	}
	fmt.Fprintf(stdout, "profile: %s (CA: %s)\n", *profileOut, caPath)
	fmt.Fprintln(stdout, "Ctrl-C stops it.")
	<-ctx.Done()
	return nil
}
