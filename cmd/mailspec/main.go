// Command mailspec judges SMTP, POP3 and IMAP servers against their RFCs.
//
//	mailspec run     [--target URL]... [--profile FILE]... [--out DIR] ...
//	mailspec replay  --target URL|--profile FILE TRANSCRIPT...
//	mailspec list    [--json]
//	mailspec report  html|junit|md|baseline|diff|merge REPORT.json...
//	mailspec serve   [--profile-out FILE]
//	mailspec clean   --profile FILE [--prefix mailspec-] [--dry-run]
//	mailspec fuzz    [--target URL|--profile FILE] [--duration D] [--seed N] [--corpus DIR] [--out DIR] ...
//	mailspec version
//
// With no target, run starts the embedded reference mail system in-process
// and runs everything against it. Exit status: 0 when no case failed at
// level MUST/MUST NOT and none ended in error; 1 when one did; 2 when the
// run could not start, or cases ended in error and none failed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

const usage = `usage: mailspec <command> [flags]

commands:
  run       run the conformance cases against targets and write a report
  replay    replay transcript files against a target
  list      print the catalogue of cases
  steps     print the Gherkin step vocabulary with an example of each step
  report    re-render, diff, merge a saved report; write a baseline from one
  serve     run the embedded reference mail system standalone
  clean     remove the mailboxes and messages killed runs left on a profile's accounts
  fuzz      fuzz a server with command sequences; "fuzz import" turns native crashers into transcripts
  version   print the version

"mailspec <command> -h" lists a command's flags.
`

// version is set by -ldflags "-X main.version=..." in releases.
var version = "0.1.0-dev"

func toolVersion() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status and a one-line message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// runMain is main without the process: it returns the exit status.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	code := 0
	switch args[0] {
	case "run":
		code, err = cmdRun(ctx, args[1:], stdout, stderr)
	case "replay":
		code, err = cmdReplay(ctx, args[1:], stdout, stderr)
	case "list":
		err = cmdList(args[1:], stdout)
	case "steps":
		err = cmdSteps(args[1:], stdout)
	case "report":
		code, err = cmdReport(args[1:], stdout, stderr)
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "fuzz":
		code, err = cmdFuzz(ctx, args[1:], stdout, stderr)
	case "clean":
		code, err = cmdClean(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "mailspec", toolVersion())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "mailspec: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(stderr, "mailspec: "+oneLine(ee.msg))
			}
			return ee.code
		}
		fmt.Fprintln(stderr, "mailspec: "+oneLine(err.Error()))
		return 2
	}
	return code
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
