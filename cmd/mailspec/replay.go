package main

import (
	"context"
	"flag"
	"io"
)

func cmdReplay(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("mailspec replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f runFlags
	f.register(fs)
	fs.Usage = func() {
		io.WriteString(stderr, "usage: mailspec replay [--target URL|--profile FILE] [flags] TRANSCRIPT...\n")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2, &exitError{code: 2}
	}
	if len(files) == 0 {
		return 2, usageErr("replay: name one or more transcript files")
	}
	if err := f.validate(); err != nil {
		return 2, err
	}
	ss, err := loadScripts(files)
	if err != nil {
		return 2, &exitError{code: 2, msg: err.Error()}
	}
	if err := checkIDs(ss); err != nil {
		return 2, &exitError{code: 2, msg: err.Error()}
	}
	f.noSuites = true
	return execute(ctx, &f, ss, stdout, stderr, true)
}
