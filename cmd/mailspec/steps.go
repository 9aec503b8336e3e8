package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mailspec/mailspec/steps"
)

// cmdSteps prints the step vocabulary with an example of each step.
func cmdSteps(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailspec steps", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	for _, d := range steps.Vocabulary() {
		fmt.Fprintf(stdout, "%s\n    %s\n    e.g. %s\n\n", d.Expr, d.Doc, strings.ReplaceAll(d.Example, "\n", "\n         "))
	}
	return nil
}
