package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mailspec/mailspec/fuzz"
	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/serverfuzz"
	"github.com/mailspec/mailspec/transcripts"
)

const fuzzUsage = `usage: mailspec fuzz [--target URL]... [--profile FILE] [flags]
       mailspec fuzz import [--target URL|--profile FILE] [--libfuzzer --protocol P] [--out DIR] FILE...

Fuzzes a live server (with no target, the embedded reference system) with
sequences of protocol commands: one endpoint per protocol of the target,
or those named by --endpoint. Findings are minimised and written as
reproducer transcripts to --out, with report.json; "mailspec replay"
runs them. The fuzzer changes the account's mail (it deletes, expunges,
renames): the account must be marked disposable in the profile, or
--disposable given.

"fuzz import" turns crasher files of the native fuzz targets
(fuzz/testdata/fuzz/FuzzEmbedded*/<hash>, "go test fuzz v1") into the
same reproducer transcripts, against the embedded servers in process (or
the target given). With --libfuzzer the files are libFuzzer inputs, such
as the crash artifacts of OSS-Fuzz and ClusterFuzzLite (their protocol
from --protocol or the directory name). Exit status: 0 no finding, 1 findings (fuzz) or a file
that did not reproduce (import), 2 bad input.

flags:
`

// fuzzFlags are the flags of mailspec fuzz and fuzz import.
type fuzzFlags struct {
	targets     listFlag
	profile     string
	endpoints   listFlag
	duration    time.Duration
	execs       int64
	seed        uint64
	seedSet     bool
	parallel    int
	corpus      string
	out         string
	timeout     time.Duration
	dialTimeout time.Duration
	insecure    bool
	caFile      string
	disposable  bool
	strict      bool
	quiet       bool
	minRuns     int
	minTime     time.Duration
	states      []serverfuzz.State
}

func (f *fuzzFlags) register(fs *flag.FlagSet, imp bool) {
	fs.Var(&f.targets, "target", "target URL (repeatable): smtp|submission|smtps|imap|imaps|pop3|pop3s://user:password@host:port")
	fs.StringVar(&f.profile, "profile", "", "target profile file")
	fs.Var(&f.endpoints, "endpoint", "fuzz this endpoint of the profile (repeatable; default: one per protocol, the plain one first)")
	fs.StringVar(&f.out, "out", "mailspec-out", "directory for the reproducer transcripts and report.json")
	fs.DurationVar(&f.timeout, "timeout", 5*time.Second, "deadline for each server answer (a longer wait is a hang)")
	fs.DurationVar(&f.dialTimeout, "dial-timeout", 10*time.Second, "deadline for connecting and TLS handshakes")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify server certificates")
	fs.StringVar(&f.caFile, "ca-file", "", "extra CA certificate (PEM) to trust")
	fs.BoolVar(&f.disposable, "disposable", false, "the account may lose mail (needed unless the profile marks it disposable)")
	fs.BoolVar(&f.strict, "strict", false, "SHOULD-level violations are findings too, and count toward exit status 1")
	fs.BoolVar(&f.quiet, "quiet", false, "no status line and no finding lines on stderr")
	fs.IntVar(&f.minRuns, "minimize-runs", 400, "most runs spent minimising one finding")
	fs.DurationVar(&f.minTime, "minimize-time", time.Minute, "most time spent minimising one finding")
	if imp {
		return
	}
	fs.DurationVar(&f.duration, "duration", time.Minute, "stop after this long (0: no limit)")
	fs.Int64Var(&f.execs, "execs", 0, "stop after this many executions (0: no limit)")
	fs.Func("seed", "random seed, for a repeatable campaign (default: random, printed)", func(s string) error {
		var n uint64
		if _, err := fmt.Sscan(s, &n); err != nil {
			return fmt.Errorf("want a number")
		}
		f.seed, f.seedSet = n, true
		return nil
	})
	fs.IntVar(&f.parallel, "parallel", 2, "workers, each with its own connections (against a live server, more workers hide its latency)")
	fs.Func("states", "start programs only in these states: greeted,authenticated,selected (default: all)", func(v string) error {
		f.states = nil
		for _, name := range strings.Split(v, ",") {
			st, ok := map[string]serverfuzz.State{"greeted": serverfuzz.Greeted, "authenticated": serverfuzz.Authenticated, "selected": serverfuzz.Selected}[strings.TrimSpace(name)]
			if !ok {
				return fmt.Errorf("unknown state %q (want greeted, authenticated, selected)", name)
			}
			f.states = append(f.states, st)
		}
		return nil
	})
	fs.StringVar(&f.corpus, "corpus", "", "directory that keeps the interesting inputs; a campaign resumes from it")
}

func (f *fuzzFlags) validate(imp bool) error {
	switch {
	case f.timeout <= 0 || f.dialTimeout <= 0:
		return usageErr("fuzz: --timeout and --dial-timeout must be positive")
	case f.minRuns < 0 || f.minTime < 0:
		return usageErr("fuzz: --minimize-runs and --minimize-time must not be negative")
	case imp:
		return nil
	case f.parallel < 1:
		return usageErr("fuzz: --parallel must be at least 1")
	case f.duration < 0 || f.execs < 0:
		return usageErr("fuzz: --duration and --execs must not be negative")
	}
	return nil
}

// fuzzSetup is what a campaign runs against.
type fuzzSetup struct {
	profile *transcripts.Profile
	info    map[string]transcripts.EndpointInfo
	targets []serverfuzz.Target
	stop    func()
	secrets *scrubber
}

// setup loads the target, checks it (pre-flight: reachable, TLS, the
// account logs in) and builds a serverfuzz target per endpoint fuzzed.
func (f *fuzzFlags) setup(ctx context.Context, stderr io.Writer) (*fuzzSetup, error) {
	rf := &runFlags{targets: f.targets, insecure: f.insecure, caFile: f.caFile, quiet: f.quiet}
	if f.profile != "" {
		rf.profiles = listFlag{f.profile}
	}
	ps, stop, err := rf.loadProfiles(ctx, stderr)
	if err != nil {
		return nil, err
	}
	s := &fuzzSetup{stop: stop}
	if len(ps) != 1 {
		stop()
		return nil, usageErr("fuzz: fuzz one target at a time (give --target URLs of one server or one --profile)")
	}
	p := ps[0]
	s.profile, s.secrets = p, newScrubber(ps)
	if len(p.Accounts) == 0 {
		stop()
		return nil, usageErr("fuzz: the profile has no account")
	}
	if !p.Accounts[0].Disposable && !f.disposable {
		stop()
		return nil, usageErr("fuzz: the fuzzer deletes and changes mail: mark the account disposable in the profile, or give --disposable")
	}
	eps, err := fuzzEndpoints(p, f.endpoints)
	if err != nil {
		stop()
		return nil, err
	}
	sub := *p
	sub.Endpoints = eps
	opts := transcripts.Options{Timeout: f.timeout, DialTimeout: f.dialTimeout}
	info, err := transcripts.Preflight(ctx, &sub, opts)
	if err != nil {
		stop()
		return nil, &exitError{code: 2, msg: s.secrets.scrub(err.Error())}
	}
	s.info = info
	a := p.Accounts[0]
	// The profile's other disposable accounts: workers spread over them.
	var more []serverfuzz.Account
	for _, o := range p.Accounts[1:] {
		if o.Disposable {
			more = append(more, serverfuzz.Account{User: o.User, Password: o.Password, Address: o.Address})
		}
	}
	for _, ep := range eps {
		cfg, err := p.TLSConfig(ep)
		if err != nil {
			stop()
			return nil, usageErr("fuzz: %v", err)
		}
		s.targets = append(s.targets, serverfuzz.Target{
			Protocol: ep.Protocol, Name: ep.URL, Endpoint: ep.Scheme,
			Dial: dialEndpoint(ep, cfg, f.dialTimeout), Implicit: ep.Security == transcripts.Implicit, TLS: cfg,
			User: a.User, Password: a.Password, Address: a.Address, Accounts: more, Timeout: f.timeout, Strict: f.strict,
		})
	}
	return s, nil
}

// fuzzEndpoints picks the endpoints to fuzz: those named, or per protocol
// the plain endpoint first (as replay picks them).
func fuzzEndpoints(p *transcripts.Profile, named []string) ([]transcripts.Endpoint, error) {
	var out []transcripts.Endpoint
	if len(named) > 0 {
		for _, n := range named {
			ep, ok := p.Endpoint(strings.ToLower(n))
			if !ok {
				return nil, usageErr("fuzz: --endpoint %s: the target has no such endpoint", n)
			}
			out = append(out, ep)
		}
		return out, nil
	}
	for _, order := range [][]string{{"smtp", "submission", "smtps"}, {"imap", "imaps"}, {"pop3", "pop3s"}} {
		for _, sc := range order {
			if ep, ok := p.Endpoint(sc); ok {
				out = append(out, ep)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, usageErr("fuzz: the target has no endpoint")
	}
	return out, nil
}

// dialEndpoint connects to an endpoint, with the TLS handshake for an
// implicit-TLS one.
func dialEndpoint(ep transcripts.Endpoint, cfg *tls.Config, timeout time.Duration) func(context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: timeout}
	return func(ctx context.Context) (net.Conn, error) {
		c, err := d.DialContext(ctx, "tcp", ep.Addr())
		if err != nil {
			return nil, err
		}
		if ep.Security != transcripts.Implicit {
			return c, nil
		}
		tc := tls.Client(c, cfg)
		hctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			c.Close()
			return nil, err
		}
		return tc, nil
	}
}

func cmdFuzz(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if len(args) > 0 && args[0] == "import" {
		return cmdFuzzImport(ctx, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("mailspec fuzz", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f fuzzFlags
	f.register(fs, false)
	fs.Usage = func() {
		io.WriteString(stderr, fuzzUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2, &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return 2, usageErr("fuzz takes no arguments (got %q)", fs.Arg(0))
	}
	if err := f.validate(false); err != nil {
		return 2, err
	}
	if !f.seedSet {
		var b [8]byte
		rand.Read(b[:])
		f.seed = binary.LittleEndian.Uint64(b[:]) >> 1
	}
	s, err := f.setup(ctx, stderr)
	if err != nil {
		return 2, err
	}
	defer s.stop()
	if !f.quiet {
		fmt.Fprintf(stderr, "mailspec: fuzzing %s with seed %d\n", targetNames(s.targets), f.seed)
	}
	c := &serverfuzz.Campaign{
		Targets: s.targets, Seed: f.seed, Duration: f.duration, Execs: f.execs, Parallel: f.parallel,
		CorpusDir: f.corpus, MinimizeRuns: f.minRuns, MinimizeTime: f.minTime, States: f.states,
	}
	if !f.quiet {
		c.Status = stderr
		c.OnFinding = func(fd *serverfuzz.Finding) {
			fmt.Fprintf(stderr, "FINDING %s\n", s.secrets.scrub(oneLine(fd.Error())))
		}
	}
	start := time.Now().UTC()
	res, err := c.Run(ctx)
	if err != nil {
		return 2, &exitError{code: 2, msg: s.secrets.scrub(err.Error())}
	}
	if ctx.Err() != nil && !f.quiet {
		fmt.Fprintln(stderr, "mailspec: interrupted; writing what was found")
	}
	if err := writeFindings(f.out, s, start, res.Findings); err != nil {
		return 2, err
	}
	fmt.Fprintf(stdout, "%d executions in %s (%.0f/s), %d states, %d findings (stopped: %s)\n",
		res.Execs, res.Elapsed.Round(time.Millisecond), float64(res.Execs)/max(res.Elapsed.Seconds(), 1e-9), res.States, len(res.Findings), res.Stopped)
	return printFindings(stdout, f.out, s, res.Findings, f.strict), nil
}

func targetNames(ts []serverfuzz.Target) string {
	var n []string
	for _, t := range ts {
		n = append(n, t.Name)
	}
	return strings.Join(n, ", ")
}

// reproducerFile is where a finding's reproducer goes.
func reproducerFile(dir string, fd *serverfuzz.Finding) string {
	return filepath.Join(dir, fd.Reproducer.File)
}

// writeFindings writes every reproducer transcript and report.json (with
// the other report formats).
func writeFindings(dir string, s *fuzzSetup, start time.Time, fds []*serverfuzz.Finding) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	rep := &reports.Report{Schema: reports.Schema, Tool: reports.Tool{Name: "mailspec", Version: toolVersion()}, StartedAt: start}
	if s.profile != nil {
		rep.Targets = append(rep.Targets, reportTarget(s.profile, s.info))
	}
	for _, fd := range fds {
		if fd.Reproducer != nil {
			if err := os.WriteFile(reproducerFile(dir, fd), fd.Reproducer.Print(), 0o644); err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
		}
		rep.Findings = append(rep.Findings, reportFinding(fd, s.secrets))
	}
	rep.DurationMS = time.Since(start).Milliseconds()
	rep.Finish()
	if _, err := rep.WriteJSON(dir); err != nil {
		return err
	}
	return writeAll(dir, rep)
}

// reportFinding is a finding as report.json holds it.
func reportFinding(fd *serverfuzz.Finding, sc *scrubber) reports.Finding {
	sum := fmt.Sprintf("%s after %s in state %s: %s (RFC %s section %s, %s)", fd.Kind, fd.Command, fd.State, fd.Summary, fd.RFC, fd.Section, fd.Level)
	if fd.Count > 1 {
		sum += fmt.Sprintf("; seen %d times", fd.Count)
	}
	if fd.Known != "" {
		sum += "; known: " + fd.Known
	}
	if fd.Reproducer != nil {
		sum += "; reproducer " + fd.Reproducer.File
	}
	tr := reports.ConvertEntries(fd.Entries)
	if tr == nil {
		tr = []reports.TranscriptEntry{}
	}
	return reports.Finding{
		Kind:       string(fd.Kind),
		Target:     fd.Target,
		Seed:       fmt.Sprintf("%d", fd.Seed),
		Summary:    sc.scrub(oneLine(sum)),
		Transcript: tr,
	}
}

// printFindings lists the findings and returns the exit status: 1 when
// one counts (MUST level, or any with strict).
func printFindings(w io.Writer, dir string, s *fuzzSetup, fds []*serverfuzz.Finding, strict bool) int {
	code := 0
	for _, fd := range fds {
		mark := "FINDING"
		if fd.Counts(strict) {
			code = 1
		} else {
			mark = "NOTE   "
		}
		fmt.Fprintf(w, "%s %s\n", mark, s.secrets.scrub(oneLine(fd.Error())))
		if fd.Reproducer != nil {
			fmt.Fprintf(w, "        reproducer: %s (mailspec replay --target URL %[1]s)\n", reproducerFile(dir, fd))
		}
	}
	fmt.Fprintf(w, "report: %s\n", filepath.Join(dir, "report.json"))
	return code
}

// cmdFuzzImport turns native crasher files into reproducer transcripts.
func cmdFuzzImport(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("mailspec fuzz import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f fuzzFlags
	f.register(fs, true)
	var proto string
	fs.StringVar(&proto, "protocol", "", "protocol of the files (default: from their directory, FuzzEmbeddedSMTP, ...)")
	var libFuzzer bool
	fs.BoolVar(&libFuzzer, "libfuzzer", false, "the files are libFuzzer inputs (OSS-Fuzz, ClusterFuzzLite crash artifacts), not \"go test fuzz v1\" files")
	fs.Usage = func() {
		io.WriteString(stderr, fuzzUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2, &exitError{code: 2}
	}
	if len(files) == 0 {
		return 2, usageErr("fuzz import: name one or more crasher files")
	}
	if err := f.validate(true); err != nil {
		return 2, err
	}
	type input struct {
		file  string
		proto serverfuzz.Protocol
		data  []byte
	}
	var inputs []input
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			return 2, &exitError{code: 2, msg: "fuzz import: " + err.Error()}
		}
		parse := serverfuzz.ParseCorpusFile
		if libFuzzer {
			parse = serverfuzz.ParseLibFuzzerInput
		}
		data, err := parse(raw)
		if err != nil {
			return 2, usageErr("fuzz import: %s: %v", file, err)
		}
		p := serverfuzz.Protocol(strings.ToLower(proto))
		if proto == "" {
			p = protocolOfFile(file)
		}
		switch p {
		case serverfuzz.SMTP, serverfuzz.IMAP, serverfuzz.POP3:
		default:
			return 2, usageErr("fuzz import: %s: cannot tell the protocol from the directory name; give --protocol", file)
		}
		inputs = append(inputs, input{file, p, data})
	}

	// The servers: the target given, or the embedded ones in process.
	s := &fuzzSetup{stop: func() {}, secrets: &scrubber{}}
	c := &serverfuzz.Campaign{MinimizeRuns: f.minRuns, MinimizeTime: f.minTime}
	if len(f.targets) > 0 || f.profile != "" {
		f.quiet = true
		if s, err = f.setup(ctx, stderr); err != nil {
			return 2, err
		}
		c.Targets = s.targets
	} else {
		seen := map[serverfuzz.Protocol]bool{}
		for _, in := range inputs {
			if seen[in.proto] {
				continue
			}
			seen[in.proto] = true
			srv, stop, err := fuzz.EmbeddedServer(in.proto)
			if err != nil {
				s.stop()
				return 2, &exitError{code: 2, msg: err.Error()}
			}
			// A crasher may be one of the inputs the native targets
			// avoid; it runs as it is.
			srv.Avoid = nil
			prev := s.stop
			s.stop = func() { stop(); prev() }
			s.secrets.secrets = append(s.secrets.secrets, srv.Password)
			c.Servers = append(c.Servers, srv)
		}
	}
	defer s.stop()
	start := time.Now().UTC()
	var found []*serverfuzz.Finding
	code := 0
	for _, in := range inputs {
		fd, err := c.Reproduce(ctx, in.proto, in.data)
		if err != nil {
			return 2, &exitError{code: 2, msg: s.secrets.scrub(err.Error())}
		}
		if fd == nil {
			fmt.Fprintf(stdout, "%s: no finding (the input does not reproduce)\n", in.file)
			code = 1
			continue
		}
		found = append(found, fd)
		fmt.Fprintf(stdout, "%s: %s\n", in.file, s.secrets.scrub(oneLine(fd.Error())))
		fmt.Fprintf(stdout, "        reproducer: %s\n", reproducerFile(f.out, fd))
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].Key() < found[j].Key() })
	if err := writeFindings(f.out, s, start, found); err != nil {
		return 2, err
	}
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(f.out, "report.json"))
	return code, nil
}

// protocolOfFile reads the protocol from a crasher file's directory:
// testdata/fuzz/FuzzEmbeddedIMAP/<hash> is IMAP.
func protocolOfFile(file string) serverfuzz.Protocol {
	dir := strings.ToLower(filepath.Base(filepath.Dir(file)))
	for _, p := range []serverfuzz.Protocol{serverfuzz.SMTP, serverfuzz.IMAP, serverfuzz.POP3} {
		if strings.HasSuffix(dir, string(p)) {
			return p
		}
	}
	return ""
}
