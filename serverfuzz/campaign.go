package serverfuzz

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Campaign is a fuzzing campaign against one or more targets: live
// servers (Targets) or in-process Go servers (Servers). Workers mutate
// programs from a corpus, run them, keep the programs that reach a state
// signature not seen before, and turn what they find into minimised
// findings with reproducer transcripts.
//
// Against a live server, a worker keeps two connections between
// executions, one not authenticated and one authenticated, as long as the
// session can be brought to the next program's state (re-selecting
// INBOX, RSET, ...), and opens a new one when the server closed it or the
// state cannot be reached from where it is. A finding is confirmed on a
// new connection while the other workers wait, the server is checked to
// still greet new connections (a crash or hang of the server is a finding
// of its own), and the program is minimised, each trial on a new
// connection. In process, every execution runs on a new pipe.
type Campaign struct {
	Targets []Target
	Servers []Server
	// Seed makes the campaign repeatable: with Parallel 1, a
	// deterministic server and the same corpus, the same executions run.
	Seed uint64
	// Duration and Execs stop the campaign (0: no limit); so does the
	// context given to Run.
	Duration time.Duration
	Execs    int64
	// Parallel is the number of workers, each with its own connections;
	// default 1.
	Parallel int
	// CorpusDir keeps the programs that reached new state signatures, one
	// file per program under a directory per protocol, and is read back
	// at the start: a campaign resumes where the last one stopped.
	// Files in the native fuzzer's format ("go test fuzz v1") are read
	// too.
	CorpusDir string
	// Seeds replace the built-in seed programs (Seeds) when set.
	Seeds map[Protocol][]Program
	// States, when set, are the only states programs start from (for
	// example Authenticated and Selected, to leave logins alone: Dovecot
	// answers a failed one after up to half a second).
	States []State
	// Status, when set, receives a status line at most once a second.
	Status io.Writer
	// MinimizeRuns and MinimizeTime bound the minimisation of each
	// finding; defaults 400 runs and 60 s.
	MinimizeRuns int
	MinimizeTime time.Duration
	// OnFinding, when set, is called with each new finding as soon as it
	// is minimised.
	OnFinding func(*Finding)
}

// Result is what a campaign did and found.
type Result struct {
	Execs     int64
	Unreached int64 // executions whose state could not be reached
	// States is the number of distinct state signatures seen.
	States int
	// Known counts the findings the targets' Known functions named; they
	// are not in Findings.
	Known    int
	Corpus   int
	Findings []*Finding
	Elapsed  time.Duration
	// Stopped says why the campaign ended: "duration", "execs",
	// "interrupted" or "dead" (every target stopped answering).
	Stopped string
}

type campaign struct {
	c       *Campaign
	targets []*target
	start   time.Time
	execs   atomic.Int64
	unreach atomic.Int64

	// excl is held shared by every execution and exclusively while a
	// finding is confirmed and minimised: on a live server, what other
	// connections do at the same time (an unfinished command holding a
	// lock) must not make a finding, nor hide one.
	excl sync.RWMutex

	mu       sync.Mutex
	corpus   [][]Program    // per target
	seen     []map[Sig]bool // per target
	groups   map[string]*group
	findings []*Finding
	dead     []bool
	known    int
	stopped  string
	// skipKnown: a campaign counts the findings its targets know and
	// does not minimise them again (Reproduce does).
	skipKnown bool
}

// group is every occurrence of one finding signature.
type group struct {
	f        *Finding // nil until confirmed
	count    int
	attempts int
}

// Run runs the campaign until its duration or execution budget is spent
// or ctx is done; the findings so far are returned either way.
func (c *Campaign) Run(ctx context.Context) (*Result, error) {
	cp, err := c.prepare()
	if err != nil {
		return nil, err
	}
	cp.skipKnown = true
	return cp.run(ctx)
}

// Reproduce runs one fuzz input of protocol p (as Decode reads it)
// against the campaign's first target of that protocol; if it shows a
// finding, the finding is confirmed, minimised and recorded with its
// reproducer, as during a campaign. It returns nil when the input shows
// nothing.
func (c *Campaign) Reproduce(ctx context.Context, p Protocol, data []byte) (*Finding, error) {
	cp, err := c.prepare()
	if err != nil {
		return nil, err
	}
	for i, t := range cp.targets {
		if t.Protocol != p {
			continue
		}
		prog := Decode(p, data)
		res := t.runFresh(ctx, prog, false)
		if res.err != nil {
			return nil, t.describeErr(res.err)
		}
		if res.finding == nil {
			return nil, nil
		}
		cp.found(ctx, ctx, i, prog, res.finding)
		if len(cp.findings) == 0 {
			return nil, nil
		}
		f := cp.findings[0]
		f.Count = 1
		return f, nil
	}
	return nil, fmt.Errorf("serverfuzz: no %s target", p)
}

func (c *Campaign) prepare() (*campaign, error) {
	cp := &campaign{c: c, groups: map[string]*group{}, start: time.Now()}
	for i := range c.Targets {
		t, err := c.Targets[i].prepare()
		if err != nil {
			return nil, err
		}
		if t.dial == nil {
			return nil, fmt.Errorf("serverfuzz: target %s has no Dial", t.Name)
		}
		cp.targets = append(cp.targets, t)
	}
	for i := range c.Servers {
		t, err := c.Servers[i].target()
		if err != nil {
			return nil, err
		}
		cp.targets = append(cp.targets, t)
	}
	if len(cp.targets) == 0 {
		return nil, errNoTarget
	}
	cp.corpus = make([][]Program, len(cp.targets))
	cp.seen = make([]map[Sig]bool, len(cp.targets))
	cp.dead = make([]bool, len(cp.targets))
	for i := range cp.targets {
		cp.seen[i] = map[Sig]bool{}
	}
	return cp, nil
}

func (cp *campaign) run(ctx context.Context) (*Result, error) {
	c := cp.c
	cp.start = time.Now()
	runCtx := ctx
	if c.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, c.Duration)
		defer cancel()
	}
	stopStatus := cp.statusLoop(runCtx)
	cp.loadSeeds(runCtx)
	par := max(c.Parallel, 1)
	var wg sync.WaitGroup
	for w := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cp.worker(runCtx, ctx, w)
		}()
	}
	wg.Wait()
	stopStatus()
	res := &Result{Execs: cp.execs.Load(), Unreached: cp.unreach.Load(), Elapsed: time.Since(cp.start)}
	if c.Execs > 0 && res.Execs > c.Execs {
		// Workers count an execution before they know it is one too many.
		res.Execs = c.Execs
	}
	cp.mu.Lock()
	defer cp.mu.Unlock()
	for i := range cp.targets {
		res.States += len(cp.seen[i])
		res.Corpus += len(cp.corpus[i])
	}
	for _, f := range cp.findings {
		f.Count = cp.groups[f.Key()].count
	}
	res.Findings = append(res.Findings, cp.findings...)
	res.Known = cp.known
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Key() < res.Findings[j].Key() })
	switch {
	case cp.stopped != "":
		res.Stopped = cp.stopped
	case ctx.Err() != nil:
		res.Stopped = "interrupted"
	case c.Execs > 0 && res.Execs >= c.Execs:
		res.Stopped = "execs"
	default:
		res.Stopped = "duration"
	}
	return res, nil
}

// loadSeeds runs the seeds and the corpus directory's programs once, so
// that their signatures count as seen.
func (cp *campaign) loadSeeds(ctx context.Context) {
	for i, t := range cp.targets {
		seeds := Seeds(t.Protocol)
		if s, ok := cp.c.Seeds[t.Protocol]; ok {
			seeds = s
		}
		progs := append([]Program(nil), seeds...)
		if cp.c.CorpusDir != "" {
			progs = append(progs, readCorpus(filepath.Join(cp.c.CorpusDir, string(t.Protocol)), t.Protocol)...)
		}
		for _, p := range progs {
			if ctx.Err() != nil || cp.budgetSpent() {
				return
			}
			if len(cp.c.States) > 0 && !slices.Contains(cp.c.States, p.State) {
				continue
			}
			res := t.runFresh(ctx, p, false)
			cp.execs.Add(1)
			cp.mu.Lock()
			for _, s := range res.sigs {
				cp.seen[i][s] = true
			}
			cp.corpus[i] = append(cp.corpus[i], p)
			cp.mu.Unlock()
			if res.finding != nil {
				cp.found(ctx, ctx, i, p, res.finding)
			}
		}
	}
}

func (cp *campaign) budgetSpent() bool {
	return cp.c.Execs > 0 && cp.execs.Load() >= cp.c.Execs
}

// worker runs executions until the campaign ends. runCtx ends with the
// campaign's duration; ctx only on interrupt (minimising a finding may
// outlive the duration, briefly).
func (cp *campaign) worker(runCtx, ctx context.Context, w int) {
	c := cp.c
	rng := rand.New(rand.NewPCG(c.Seed, uint64(w)+1))
	// Per target, two connections: one not authenticated (for the
	// programs that start greeted) and one authenticated.
	conns := make([][2]*conn, len(cp.targets))
	prev := make([]Program, len(cp.targets))
	defer func() {
		for _, cs := range conns {
			for _, c := range cs {
				if c != nil {
					c.close()
				}
			}
		}
	}()
	for n := 0; ; n++ {
		if runCtx.Err() != nil {
			return
		}
		if cp.c.Execs > 0 && cp.execs.Add(1) > cp.c.Execs {
			return
		} else if cp.c.Execs == 0 {
			cp.execs.Add(1)
		}
		i := (n + w) % len(cp.targets)
		cp.mu.Lock()
		if cp.allDead() {
			cp.stopped = "dead"
			cp.mu.Unlock()
			return
		}
		if cp.dead[i] {
			cp.mu.Unlock()
			continue
		}
		t := cp.targets[i]
		corpus := cp.corpus[i]
		parent, other := Program{}, Program{}
		if len(corpus) > 0 {
			parent = pickParent(rng, corpus)
			other = corpus[rng.IntN(len(corpus))]
		}
		cp.mu.Unlock()
		prog := mutate(rng, t.Protocol, parent, other)
		if len(c.States) > 0 && !slices.Contains(c.States, prog.State) {
			prog.State = c.States[rng.IntN(len(c.States))]
		}
		var res execResult
		var suspect *Program
		cp.excl.RLock()
		if t.inProcess {
			res = t.runFresh(runCtx, prog, false)
		} else {
			res, suspect = cp.runPooled(runCtx, t, &conns[i], prog, prev[i], w)
		}
		cp.excl.RUnlock()
		if suspect != nil {
			if pr := t.runFresh(runCtx, *suspect, false); pr.finding != nil {
				cp.found(runCtx, ctx, i, *suspect, pr.finding)
			}
		}
		prev[i] = prog
		if res.err != nil {
			if runCtx.Err() != nil {
				return
			}
			cp.lost(ctx, i, prog, res.err)
			continue
		}
		if !res.reached && res.finding == nil {
			cp.unreach.Add(1)
		}
		cp.observe(i, prog, res.sigs)
		if res.finding != nil {
			cp.found(runCtx, ctx, i, prog, res.finding)
		}
	}
}

// pickParent picks the program to mutate: half of the time one of the
// latest additions to the corpus, which reached a state just found and is
// the likeliest way deeper.
func pickParent(rng *rand.Rand, corpus []Program) Program {
	if n := len(corpus); n > recentParents && rng.IntN(2) == 0 {
		return corpus[n-1-rng.IntN(recentParents)]
	}
	return corpus[rng.IntN(len(corpus))]
}

// recentParents is how many of the latest corpus programs pickParent
// favours.
const recentParents = 16

func (cp *campaign) allDead() bool {
	for _, d := range cp.dead {
		if !d {
			return false
		}
	}
	return true
}

// runPooled runs prog on the worker's connection that suits its state,
// and files the connection by the state it is left in.
func (cp *campaign) runPooled(runCtx context.Context, t *target, pool *[2]*conn, prog, prev Program, w int) (execResult, *Program) {
	slot := 1
	if prog.State == Greeted {
		slot = 0
	}
	cc := pool[slot]
	pool[slot] = nil
	res, suspect := cp.runPersistent(runCtx, t, &cc, prog, prev, w)
	if cc != nil {
		to := 0
		if cc.auth {
			to = 1
		}
		if old := pool[to]; old != nil {
			old.close()
		}
		pool[to] = cc
	}
	return res, suspect
}

// runPersistent runs prog on the worker's connection to the target,
// opening a new one when needed. A connection the server closed between
// two executions puts the previous program under suspicion: it is run
// again on its own, with the NOOP that checks the connection after it.
func (cp *campaign) runPersistent(runCtx context.Context, t *target, cc **conn, prog, prev Program, w int) (execResult, *Program) {
	var suspect *Program
	if c := *cc; c != nil && c.dead {
		c.close()
		*cc = nil
	}
	if c := *cc; c != nil {
		var res execResult
		before := c.ex
		t.runOn(c, prog, &res, false)
		switch {
		case res.finding != nil && res.finding.Kind == Disconnect && c.ex == before+1:
			// The first exchange found the connection closed: the
			// previous program left it so, or the server timed it out.
			c.close()
			*cc = nil
			suspect = &prev
		case res.finding == nil && errors.Is(c.reachErr, errUnreached) && c.ex == before:
			// The state cannot be reached from where the session is.
			c.close()
			*cc = nil
		default:
			if c.dead {
				if f := c.close(); f != nil && res.finding == nil {
					res.finding = f
				}
				*cc = nil
			}
			if res.finding != nil {
				res.finding.Target = t.Name
			}
			return res, nil
		}
	}
	var res execResult
	nc, f, err := t.dialAs(runCtx, false, w)
	if err != nil {
		res.err = err
		return res, suspect
	}
	if f != nil {
		nc.close()
		res.finding = f
		res.finding.Target = t.Name
		return res, suspect
	}
	t.runOn(nc, prog, &res, false)
	if nc.dead {
		if cf := nc.close(); cf != nil && res.finding == nil {
			res.finding = cf
		}
	} else {
		*cc = nc
	}
	if res.finding != nil {
		res.finding.Target = t.Name
	}
	return res, suspect
}

// observe keeps prog in the corpus if it reached a signature not seen
// before.
func (cp *campaign) observe(i int, prog Program, sigs []Sig) {
	cp.mu.Lock()
	novel := false
	for _, s := range sigs {
		if !cp.seen[i][s] {
			cp.seen[i][s] = true
			novel = true
		}
	}
	if novel {
		cp.corpus[i] = append(cp.corpus[i], prog)
	}
	cp.mu.Unlock()
	if novel && cp.c.CorpusDir != "" {
		writeCorpus(filepath.Join(cp.c.CorpusDir, string(cp.targets[i].Protocol)), prog.Encode())
	}
}

// lost handles a target that could not be dialled: the server is down.
func (cp *campaign) lost(ctx context.Context, i int, prog Program, err error) {
	t := cp.targets[i]
	f := newFinding(t.Protocol, Crash, "greeting", StateSig{}, -1, "the server no longer accepts connections: "+err.Error())
	f.RFC, f.Section, f.Level = rule(t.Protocol, Hang)
	f.Target, f.Program, f.Input, f.Seed = t.Name, prog.Clone(), prog.Encode(), cp.c.Seed
	cp.mu.Lock()
	cp.dead[i] = true
	g, ok := cp.groups[f.Key()]
	if !ok {
		g = &group{}
		cp.groups[f.Key()] = g
	}
	g.count++
	if g.f == nil {
		g.f = f
		cp.findings = append(cp.findings, f)
	}
	cp.mu.Unlock()
	if cp.c.OnFinding != nil && !ok {
		cp.c.OnFinding(f)
	}
}

// found confirms, checks liveness after, minimises and records a
// finding, unless one of its signature is known.
func (cp *campaign) found(runCtx, ctx context.Context, i int, prog Program, f *Finding) {
	t := cp.targets[i]
	key := f.Key()
	if cp.skipKnown && t.Known != nil {
		t.complete(f, prog)
		if why := f.Known; why != "" {
			cp.mu.Lock()
			cp.known++
			cp.mu.Unlock()
			return
		}
	}
	cp.mu.Lock()
	g, ok := cp.groups[key]
	if !ok {
		g = &group{}
		cp.groups[key] = g
	}
	g.count++
	if g.f != nil || g.attempts >= 3 {
		cp.mu.Unlock()
		return
	}
	g.attempts++
	cp.mu.Unlock()
	cp.excl.Lock()
	defer cp.excl.Unlock()

	// Confirm on a new connection; a close seen at a command that got no
	// answer may belong to the command before it.
	prog = prog.Clone()
	conf := t.runFresh(ctx, prog, false)
	if conf.finding == nil || conf.finding.Key() != key {
		if conf.finding != nil && conf.finding.Key() != key && ctx.Err() == nil {
			cp.excl.Unlock()
			cp.found(runCtx, ctx, i, prog, conf.finding)
			cp.excl.Lock()
		}
		return
	}
	f = conf.finding
	// Commands after the finding's play no part, but for a close laid at
	// the door of a command: the next one saw it.
	keep := f.cmdIndex + 1
	if f.Kind == Disconnect {
		keep++
	}
	if f.cmdIndex >= 0 && keep < len(prog.Cmds) {
		prog.Cmds = prog.Cmds[:keep]
	}
	// Is the server still there?
	if lf := t.alive(ctx); lf != nil && lf.Kind != MalformedResponse {
		lf.Command, lf.State, lf.cmdIndex = f.Command, f.State, f.cmdIndex
		if lf.Kind == Hang {
			lf.Summary = "after this exchange the server no longer greets new connections: " + lf.Summary
		}
		t.complete(lf, prog)
		lf.Target, lf.Seed = t.Name, cp.c.Seed
		cp.record(i, lf, false, nil, 0)
	}
	m := &minimizer{t: t, key: key, budget: cp.c.MinimizeRuns}
	if m.budget <= 0 {
		m.budget = 400
	}
	mt := cp.c.MinimizeTime
	if mt <= 0 {
		mt = 60 * time.Second
	}
	m.until = time.Now().Add(mt)
	// Minimising stops with the campaign (its duration or an
	// interrupt): what was found by then is recorded as it is.
	best, complete := prog, false
	if f.Kind != Crash {
		best, complete = m.minimize(runCtx, prog)
	}
	// The last run records the exchange for the reproducer; it runs even
	// after an interrupt, bounded by the target's timeout.
	recCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 4*t.timeout)
	defer cancel()
	rec := t.runFresh(recCtx, best, true)
	if rec.finding == nil || rec.finding.Key() != key {
		rec = t.runFresh(recCtx, prog, true)
		best, complete = prog, false
	}
	if rec.finding != nil && rec.finding.Key() == key {
		f = rec.finding
	}
	t.complete(f, best)
	f.Target, f.Seed = t.Name, cp.c.Seed
	cp.record(i, f, complete, rec.events, rec.lenientFrom)
}

// record stores a finding with its reproducer.
func (cp *campaign) record(i int, f *Finding, complete bool, events []event, lenientFrom int) {
	t := cp.targets[i]
	f.Minimized = complete
	if events != nil {
		f.Entries = t.entries(events)
		f.Reproducer = t.reproducer(f, events, lenientFrom)
	} else {
		f.Reproducer = t.reproducer(f, nil, 0)
	}
	cp.mu.Lock()
	g, ok := cp.groups[f.Key()]
	if !ok {
		g = &group{count: 1}
		cp.groups[f.Key()] = g
	}
	if g.f != nil {
		cp.mu.Unlock()
		return
	}
	g.f = f
	cp.findings = append(cp.findings, f)
	cp.mu.Unlock()
	if cp.c.OnFinding != nil {
		cp.c.OnFinding(f)
	}
}

// statusLoop prints a status line at most once a second until stopped.
func (cp *campaign) statusLoop(ctx context.Context) (stop func()) {
	if cp.c.Status == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		last, lastAt := int64(0), time.Now()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			n := cp.execs.Load()
			now := time.Now()
			rate := float64(n-last) / now.Sub(lastAt).Seconds()
			last, lastAt = n, now
			cp.mu.Lock()
			states, nf := 0, len(cp.findings)
			for _, s := range cp.seen {
				states += len(s)
			}
			cp.mu.Unlock()
			fmt.Fprintf(cp.c.Status, "fuzz: %s  %d execs (%.0f/s)  %d states  %d findings\n",
				now.Sub(cp.start).Round(time.Second), n, rate, states, nf)
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// readCorpus reads every program file of dir: raw encoded programs or
// native corpus files.
func readCorpus(dir string, p Protocol) []Program {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []Program
	for _, de := range des {
		if de.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, de.Name()))
		if err != nil {
			continue
		}
		if in, err := ParseCorpusFile(data); err == nil {
			data = in
		}
		out = append(out, Decode(p, data))
	}
	return out
}

// writeCorpus stores an encoded program in dir, named by its hash.
func writeCorpus(dir string, data []byte) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	sum := sha256.Sum256(data)
	os.WriteFile(filepath.Join(dir, hex.EncodeToString(sum[:8])), data, 0o644)
}

// ParseLibFuzzerInput reads the []byte a target built by go-118-fuzz-build
// (OSS-Fuzz, ClusterFuzzLite) got from a libFuzzer input such as a crash
// artifact: go-fuzz-headers' GetBytes takes a 4-octet big-endian length
// (0 meaning 30), reduced modulo the octets left unless it equals them,
// then that many octets.
func ParseLibFuzzerInput(data []byte) ([]byte, error) {
	if len(data) <= 4 {
		return nil, fmt.Errorf("serverfuzz: a libFuzzer input of %d octets holds no []byte (a 4-octet length comes first)", len(data))
	}
	n := uint64(binary.BigEndian.Uint32(data))
	left := uint64(len(data) - 4)
	if n == 0 {
		n = 30
	}
	if n != left {
		n %= left
	}
	return data[4 : 4+n], nil
}

// ParseCorpusFile reads the single []byte value of a native Go fuzz
// corpus or crasher file ("go test fuzz v1" then []byte("...")).
func ParseCorpusFile(data []byte) ([]byte, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	head, rest, ok := strings.Cut(text, "\n")
	if !ok || head != "go test fuzz v1" {
		return nil, errors.New("serverfuzz: not a go test fuzz v1 file")
	}
	rest = strings.TrimSpace(rest)
	if strings.Contains(rest, "\n") {
		return nil, errors.New("serverfuzz: the fuzz file holds more than one value")
	}
	inner, ok := strings.CutPrefix(rest, "[]byte(")
	if !ok || !strings.HasSuffix(inner, ")") {
		return nil, errors.New("serverfuzz: the fuzz file's value is not a []byte")
	}
	s, err := strconv.Unquote(strings.TrimSuffix(inner, ")"))
	if err != nil {
		return nil, fmt.Errorf("serverfuzz: the fuzz file's value: %w", err)
	}
	return []byte(s), nil
}

// FormatCorpusFile writes data as a native Go fuzz corpus file.
func FormatCorpusFile(data []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n")
}
