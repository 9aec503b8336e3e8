package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"

	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailspec/mailspec/reports"
	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/targets/baselines"
	"github.com/mailspec/mailspec/targets/embedded"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/library"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runFlags are the flags run and replay share.
type runFlags struct {
	targets     listFlag
	profiles    listFlag
	out         string
	timeout     time.Duration
	dialTimeout time.Duration
	parallel    int
	rate        float64
	strict      bool
	baseline    string
	insecure    bool
	caFile      string
	maxLine     int
	maxLiteral  int64
	quiet       bool
	// run only
	features listFlag
	tags     string
	ids      []string
	noSuites bool // replay: transcripts only
	builtin  bool
}

func (f *runFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.targets, "target", "target URL (repeatable): smtp|submission|smtps|imap|imaps|pop3|pop3s://[user:password@]host[:port]")
	fs.Var(&f.profiles, "profile", "target profile file (repeatable; each is one column of the report)")
	fs.StringVar(&f.out, "out", "mailspec-out", "directory for report.json")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "deadline for each server reply")
	fs.DurationVar(&f.dialTimeout, "dial-timeout", 10*time.Second, "deadline for connecting and TLS handshakes")
	fs.IntVar(&f.parallel, "parallel", 4, "cases run at once per target")
	fs.Float64Var(&f.rate, "rate", 0, "new connections per second per target (0: unlimited)")
	fs.BoolVar(&f.strict, "strict", false, "SHOULD/SHOULD NOT failures also set exit status 1")
	fs.StringVar(&f.baseline, "baseline", "", "file of known failures (reported, but not exit status 1)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify server certificates")
	fs.StringVar(&f.caFile, "ca-file", "", "extra CA certificate (PEM) to trust")
	fs.IntVar(&f.maxLine, "max-line", wire.DefaultLimits.MaxLine, "longest server line accepted, in octets")
	fs.Int64Var(&f.maxLiteral, "max-literal", wire.DefaultLimits.MaxLiteral, "largest IMAP literal accepted, in octets")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the summary")
}

func (f *runFlags) options() transcripts.Options {
	o := transcripts.Options{
		Timeout:     f.timeout,
		DialTimeout: f.dialTimeout,
		Limits:      wire.Limits{MaxLine: f.maxLine, MaxLiteral: f.maxLiteral},
	}
	if f.rate > 0 {
		lim := newLimiter(f.rate)
		d := &net.Dialer{}
		o.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if err := lim.wait(ctx); err != nil {
				return nil, err
			}
			return d.DialContext(ctx, network, addr)
		}
	}
	return o
}

func (f *runFlags) validate() error {
	if f.timeout <= 0 || f.dialTimeout <= 0 {
		return usageErr("--timeout and --dial-timeout must be positive")
	}
	if f.parallel < 1 {
		return usageErr("--parallel must be at least 1")
	}
	if f.rate < 0 {
		return usageErr("--rate must not be negative")
	}
	if f.maxLine < 512 {
		return usageErr("--max-line must be at least 512")
	}
	return nil
}

// profiles builds the run's profiles: one for the --target URLs, one per
// --profile file. With neither, it starts the embedded reference system
// and returns its profile; stop stops it.
func (f *runFlags) loadProfiles(ctx context.Context, stderr io.Writer) (ps []*transcripts.Profile, stop func(), err error) {
	stop = func() {}
	if len(f.targets) > 0 {
		p, err := transcripts.ProfileFromTargets(f.targets, nil)
		if err != nil {
			return nil, stop, usageErr("%v", err)
		}
		ps = append(ps, p)
	}
	for _, file := range f.profiles {
		p, err := transcripts.LoadProfile(file, nil)
		if err != nil {
			return nil, stop, usageErr("%v", err)
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		sys, err := embedded.Start(ctx, embedded.Options{})
		if err != nil {
			return nil, stop, &exitError{code: 2, msg: "starting the embedded reference system: " + err.Error()}
		}
		if !f.quiet {
			fmt.Fprintln(stderr, "mailspec: no target given; running against the embedded reference mail system")
		}
		ps = append(ps, embeddedProfile(sys))
		stop = func() { sys.Close() }
	}
	names := map[string]bool{}
	for _, p := range ps {
		if names[p.Name] {
			stop()
			return nil, func() {}, usageErr("two targets are named %q; give the profiles distinct names", p.Name)
		}
		names[p.Name] = true
		if f.insecure {
			p.TLS.Insecure = true
		}
		if f.caFile != "" {
			p.TLS.CAFile = f.caFile
		}
	}
	return ps, stop, nil
}

// embeddedProfile describes a running embedded system.
func embeddedProfile(sys *embedded.System) *transcripts.Profile {
	p := &transcripts.Profile{Name: "embedded", Source: "embedded"}
	for _, scheme := range transcripts.Schemes() {
		if _, ok := sys.Endpoints[scheme]; !ok {
			continue
		}
		ep, _, err := transcripts.ParseEndpoint(sys.URL(scheme))
		if err != nil {
			continue
		}
		// The embedded system refuses authentication before TLS on its
		// plain ports.
		ep.TLSRequiredForAuth = ep.Security == transcripts.Plain
		p.Endpoints = append(p.Endpoints, ep)
	}
	for _, a := range sys.Accounts {
		p.Accounts = append(p.Accounts, transcripts.Account{User: a.User, Password: a.Password, Address: a.Address, Disposable: true})
	}
	p.TLS.CAPEM = sys.CertPEM
	p.TLS.ServerName = "localhost"
	return p
}

// loadScripts parses transcript files: the embedded library when dirs is
// empty, else every *.txt under each directory or file named.
func loadScripts(dirs []string) ([]*script.Script, error) {
	var all []*script.Script
	var errs []error
	if len(dirs) == 0 {
		ss, err := script.ParseFS(library.FS, "*/*.txt")
		if err != nil {
			return nil, err
		}
		return ss, nil
	}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			data, err := os.ReadFile(d)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s, err := script.Parse(d, data)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			all = append(all, s)
			continue
		}
		err = filepath.WalkDir(d, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if de.IsDir() || !strings.HasSuffix(p, ".txt") {
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s, err := script.Parse(p, data)
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			all = append(all, s)
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return all, nil
}

// checkIDs fails on duplicate case ids.
func checkIDs(ss []*script.Script) error {
	seen := map[string]string{}
	for _, s := range ss {
		if prev, ok := seen[s.ID]; ok {
			return fmt.Errorf("duplicate case id %s in %s and %s", s.ID, prev, s.File)
		}
		seen[s.ID] = s.File
	}
	return nil
}

// selectScripts keeps the scripts whose id matches one of the patterns
// (steps.MatchID globs, e.g. "smtp/5321/*"), and whose protocol the profile
// serves.
func selectScripts(ss []*script.Script, ids []string) ([]*script.Script, error) {
	if len(ids) == 0 {
		return ss, nil
	}
	var out []*script.Script
	for _, s := range ss {
		for _, pat := range ids {
			ok, err := steps.MatchID(pat, s.ID)
			if err != nil {
				return nil, usageErr("--id %q: %v", pat, err)
			}
			if ok {
				out = append(out, s)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, usageErr("no case matches --id %s", strings.Join(ids, ", "))
	}
	return out, nil
}

func newRunID() string {
	var b [4]byte
	rand.Read(b[:])
	return "ms" + hex.EncodeToString(b[:])
}

// runFlagSet is the flag set of mailspec run.
type runFlagSet struct {
	*flag.FlagSet
	f         runFlags
	dirs, ids listFlag
}

func newRunFlagSet() *runFlagSet {
	r := &runFlagSet{FlagSet: flag.NewFlagSet("mailspec run", flag.ContinueOnError)}
	r.SetOutput(io.Discard)
	r.f.register(r.FlagSet)
	r.Var(&r.dirs, "transcripts", "directory or file of transcript files (repeatable; default: the built-in library)")
	r.Var(&r.ids, "id", "run only cases whose id matches (repeatable; glob, or an id prefix)")
	r.Var(&r.f.features, "features", "directory of a vendor's own .feature files, run with the same steps (repeatable)")
	r.BoolVar(&r.f.builtin, "builtin", true, "run the built-in transcript library and Gherkin suites (false: only --transcripts and --features)")
	r.StringVar(&r.f.tags, "tags", "", "run only cases whose tags match, as godog's --tags: \"@smtp && ~@security\"")
	return r
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	rfs := newRunFlagSet()
	rfs.SetOutput(stderr)
	fs, f, dirs, ids := rfs.FlagSet, &rfs.f, rfs.dirs, rfs.ids
	if err := fs.Parse(args); err != nil {
		return 2, &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return 2, usageErr("run takes no arguments (got %q); transcripts go in --transcripts", fs.Arg(0))
	}
	dirs, ids = rfs.dirs, rfs.ids
	if err := f.validate(); err != nil {
		return 2, err
	}
	var ss []*script.Script
	if len(dirs) > 0 || f.builtin {
		var err error
		if ss, err = loadScripts(dirs); err != nil {
			return 2, &exitError{code: 2, msg: err.Error()}
		}
	}
	if err := checkIDs(ss); err != nil {
		return 2, &exitError{code: 2, msg: err.Error()}
	}
	f.ids = ids
	ss = filterScriptsByTags(ss, f.tags)
	if len(ids) > 0 {
		// --id selects among transcripts and scenarios together.
		ss = selectQuiet(ss, ids)
	}
	suites, err := loadSuites(f.features, f.builtin)
	if err != nil {
		return 2, &exitError{code: 2, msg: err.Error()}
	}
	if err := checkAllIDs(ss, suites); err != nil {
		return 2, &exitError{code: 2, msg: err.Error()}
	}
	if len(ids) > 0 && len(ss) == 0 && countSelected(suites, ids) == 0 {
		return 2, usageErr("no case matches --id %s", strings.Join(ids, ", "))
	}
	return execute(ctx, f, ss, stdout, stderr, false)
}

// execute runs scripts against the profiles and writes the report.
func execute(ctx context.Context, f *runFlags, ss []*script.Script, stdout, stderr io.Writer, verbose bool) (int, error) {
	var baseline *reports.Baseline
	if f.baseline != "" {
		b, err := reports.LoadBaseline(f.baseline)
		if err != nil {
			return 2, usageErr("%v", err)
		}
		baseline = b
	}
	ps, stop, err := f.loadProfiles(ctx, stderr)
	if err != nil {
		return 2, err
	}
	defer stop()
	if baseline == nil && len(ps) == 1 && ps[0].Source == "embedded" {
		// The embedded system's own known failures, so that the main job
		// on a fresh machine reports them without failing.
		data, err := baselines.FS.ReadFile("embedded.yaml")
		if err == nil {
			baseline, err = reports.ParseBaseline("targets/baselines/embedded.yaml", data)
		}
		if err != nil {
			return 2, err
		}
	}
	secrets := newScrubber(ps)
	rep := &reports.Report{Schema: reports.Schema, Tool: reports.Tool{Name: "mailspec", Version: toolVersion()}, StartedAt: time.Now().UTC()}
	opts := f.options()
	runID := newRunID()
	for _, p := range ps {
		info, err := transcripts.Preflight(ctx, p, opts)
		if err != nil {
			return 2, &exitError{code: 2, msg: secrets.scrub(err.Error())}
		}
		rep.Targets = append(rep.Targets, reportTarget(p, info))
		env := &transcripts.Env{Profile: p, Info: info, Options: opts, RunID: runID}
		prog := newProgress(stderr, len(ss), p.Name, f.quiet)
		rep.Cases = append(rep.Cases, runScripts(ctx, env, ss, f.parallel, prog.done)...)
		prog.finish()
		if !f.noSuites {
			cases, err := runSuites(ctx, env, f)
			if err != nil {
				return 2, &exitError{code: 2, msg: err.Error()}
			}
			rep.Cases = append(rep.Cases, cases...)
		}
	}
	rep.DurationMS = time.Since(rep.StartedAt).Milliseconds()
	if baseline != nil {
		baseline.Apply(rep)
	}
	rep.Finish()
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mailspec: interrupted; writing what ran")
	}
	path, err := rep.WriteJSON(f.out)
	if err != nil {
		return 2, err
	}
	if err := writeAll(f.out, rep); err != nil {
		return 2, err
	}
	printSummary(stdout, rep, f.quiet, verbose, secrets)
	for _, k := range rep.StaleBaseline {
		fmt.Fprintf(stdout, "STALE %s: a known failure passes now; remove it from the baseline %s\n", k, f.baseline)
	}
	fmt.Fprintf(stdout, "report: %s (and junit.xml, summary.md, report.html)\n", path)
	if ctx.Err() != nil {
		return 2, nil
	}
	return rep.ExitCode(f.strict), nil
}

func reportTarget(p *transcripts.Profile, info map[string]transcripts.EndpointInfo) reports.Target {
	t := reports.Target{Name: p.Name, Source: p.Source}
	for _, ep := range p.Endpoints {
		in := info[ep.Scheme]
		t.Endpoints = append(t.Endpoints, reports.TargetEndpoint{
			URL:           ep.URL,
			Protocol:      string(ep.Protocol),
			CapsBeforeTLS: nonNil(in.CapsBeforeTLS),
			CapsAfterTLS:  nonNil(in.CapsAfterTLS),
			TLSVersion:    in.TLSVersion,
			TLSCipher:     in.TLSCipher,
		})
	}
	return t
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// runScripts runs every script against one target, parallel cases at a
// time. POP3 cases run one at a time: a POP3 server locks the maildrop
// (RFC 1939 section 8), so two sessions of one account would refuse each
// other. On interrupt, cases not started are not run.
func runScripts(ctx context.Context, env *transcripts.Env, ss []*script.Script, parallel int, done func(reports.Case)) []reports.Case {
	out := make([]reports.Case, len(ss))
	ran := make([]bool, len(ss))
	sem := make(chan struct{}, parallel)
	var maildrop sync.Mutex
	var wg sync.WaitGroup
	for i, s := range ss {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if s.Protocol == string(transcripts.POP3) {
				maildrop.Lock()
				defer maildrop.Unlock()
			}
			o := transcripts.Replay(ctx, s, env)
			out[i] = reports.CaseFromOutcome(s, env.Profile.Name, o)
			ran[i] = true
			done(out[i])
		}()
	}
	wg.Wait()
	var res []reports.Case
	for i := range out {
		if ran[i] {
			res = append(res, out[i])
		}
	}
	return res
}

func printSummary(w io.Writer, r *reports.Report, quiet, verbose bool, sc *scrubber) {
	if !quiet {
		for _, c := range r.Cases {
			if c.Verdict == transcripts.Pass || c.Verdict == transcripts.NotApplicable {
				continue
			}
			mark := strings.ToUpper(string(c.Verdict))
			if c.KnownFailure != "" {
				mark = "KNOWN"
			}
			fmt.Fprintf(w, "%s %s [%s] %s %s\n", paint(w, mark), c.ID, c.Target, c.Level, sc.scrub(c.Detail.Reason))
			if verbose && c.Verdict == transcripts.Fail {
				if c.Detail.Expected != "" || c.Detail.Got != "" {
					fmt.Fprintf(w, "      expected: %s\n      got:      %s\n", sc.scrub(c.Detail.Expected), sc.scrub(c.Detail.Got))
				}
				fmt.Fprintln(w, "      transcript:")
				for _, e := range c.Transcript {
					fmt.Fprintf(w, "        %d %-4s %s\n", e.Conn, e.Dir, sc.scrub(e.Data))
				}
			}
		}
	}
	t := r.Totals
	fmt.Fprintf(w, "%d cases: %d pass, %d fail (%d known), %d not applicable, %d error\n",
		t.Cases, t.Pass, t.Fail, t.KnownFailures, t.NotApplicable, t.Error)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// paint colours a verdict mark on terminals, unless NO_COLOR is set
// (https://no-color.org).
func paint(w io.Writer, mark string) string {
	padded := fmt.Sprintf("%-5s", mark)
	if !isTerminal(w) || os.Getenv("NO_COLOR") != "" {
		return padded
	}
	code := map[string]string{"FAIL": "31", "ERROR": "35", "KNOWN": "33"}[mark]
	if code == "" {
		return padded
	}
	return "\x1b[" + code + "m" + padded + "\x1b[0m"
}

// progress shows a counter on a terminal while cases run; it is silent
// when stderr is not a terminal (CI logs) or with --quiet.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	on     bool
	total  int
	n      int
	target string
}

func newProgress(w io.Writer, total int, target string, quiet bool) *progress {
	return &progress{w: w, on: !quiet && isTerminal(w), total: total, target: target}
}

func (p *progress) done(c reports.Case) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.on {
		fmt.Fprintf(p.w, "\r\x1b[K[%d/%d] %s: %s", p.n, p.total, p.target, c.ID)
	}
}

func (p *progress) finish() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// scrubber removes passwords from anything printed, as a second line of
// defence behind the recorder's redaction.
type scrubber struct{ secrets []string }

func newScrubber(ps []*transcripts.Profile) *scrubber {
	s := &scrubber{}
	for _, p := range ps {
		s.secrets = append(s.secrets, p.Secrets()...)
	}
	sort.Slice(s.secrets, func(i, j int) bool { return len(s.secrets[i]) > len(s.secrets[j]) })
	return s
}

func (s *scrubber) scrub(text string) string {
	for _, sec := range s.secrets {
		if len(sec) >= 3 {
			text = strings.ReplaceAll(text, sec, "***")
		}
	}
	return text
}

// limiter spaces new connections at most rate per second.
type limiter struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
}

func newLimiter(rate float64) *limiter {
	return &limiter{interval: time.Duration(float64(time.Second) / rate)}
}

func (l *limiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := time.Now()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
