package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mailspec/mailspec/reports"
)

const reportUsage = `usage: mailspec report <command> ...

  html|junit|md REPORT.json [-o FILE]   re-render a saved report (default: stdout)
  baseline REPORT.json [-o FILE]        write a baseline of the report's failures,
                                        with a reason placeholder to fill in
  diff OLD.json NEW.json                newly failing/passing, new and removed cases;
                                        exit 1 on regressions
  merge A.json B.json ... -o OUT.json   combine reports of several targets (a matrix)
`

// parseInterspersed parses flags that may come before, between or after
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// writers render a report in each output format; run writes them all.
var writers = []struct {
	name string
	file string
	f    func(io.Writer, *reports.Report) error
}{
	{"junit", "junit.xml", reports.WriteJUnit},
	{"md", "summary.md", reports.WriteMarkdown},
	{"html", "report.html", reports.WriteHTML},
}

// writeAll writes every format next to report.json.
func writeAll(dir string, r *reports.Report) error {
	for _, w := range writers {
		if err := writeFile(filepath.Join(dir, w.file), func(out io.Writer) error { return w.f(out, r) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes through a temporary file, so a failed write never
// leaves half a report behind.
func writeFile(path string, f func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailspec-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	bw := bufio.NewWriter(tmp)
	if err := f(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}

func cmdReport(args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, reportUsage)
		return 2, nil
	}
	fs := flag.NewFlagSet("mailspec report "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default: stdout)")
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return 2, &exitError{code: 2}
	}
	emit := func(f func(io.Writer) error) error {
		if *out == "" {
			return f(stdout)
		}
		return writeFile(*out, f)
	}
	read := func(n int) ([]*reports.Report, error) {
		if n > 0 && len(pos) != n || len(pos) == 0 {
			return nil, usageErr("report %s: want %d report file(s), got %d", args[0], max(n, 1), len(pos))
		}
		var rs []*reports.Report
		for _, p := range pos {
			r, err := reports.ReadJSON(p)
			if err != nil {
				return nil, usageErr("%v", err)
			}
			rs = append(rs, r)
		}
		return rs, nil
	}
	switch args[0] {
	case "html", "junit", "md":
		rs, err := read(1)
		if err != nil {
			return 2, err
		}
		for _, w := range writers {
			if w.name == args[0] {
				return 0, emit(func(o io.Writer) error { return w.f(o, rs[0]) })
			}
		}
	case "baseline":
		rs, err := read(1)
		if err != nil {
			return 2, err
		}
		b, err := reports.FromReport(rs[0]).Marshal()
		if err != nil {
			return 2, err
		}
		if err := emit(func(o io.Writer) error { _, err := o.Write(b); return err }); err != nil {
			return 2, err
		}
		fmt.Fprintf(stderr, "mailspec: %d known failures; replace every %q reason before using the baseline\n", len(reports.FromReport(rs[0]).KnownFailures), reports.Placeholder)
		return 0, nil
	case "diff":
		rs, err := read(2)
		if err != nil {
			return 2, err
		}
		d := reports.Compare(rs[0], rs[1])
		io.WriteString(stdout, d.String())
		if d.Regressions() {
			return 1, nil
		}
		return 0, nil
	case "merge":
		rs, err := read(0)
		if err != nil {
			return 2, err
		}
		if *out == "" {
			return 2, usageErr("report merge: give the output file with -o OUT.json")
		}
		m, err := reports.Merge(rs...)
		if err != nil {
			return 2, usageErr("%v", err)
		}
		if err := writeFile(*out, m.Encode); err != nil {
			return 2, err
		}
		return 0, nil
	}
	fmt.Fprint(stderr, reportUsage)
	return 2, usageErr("report: unknown command %q", args[0])
}
