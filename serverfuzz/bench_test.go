package serverfuzz

import (
	"context"
	"crypto/tls"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/mailspec/mailspec/transcripts"
)

// Live fuzzing speed against the real servers of a profile (Dovecot and
// Postfix from MAILSPEC_FUZZ_CONFIG=1 targets/real/start.sh, which gives
// every worker an account of its own): executions per second of a
// campaign with MAILSPEC_FUZZ_PARALLEL workers (default 16), its
// connections kept between executions, a one-second answer deadline.
// Every finding counts as known, so that none is confirmed or minimised:
// the figure is the executions'. MAILSPEC_FUZZ_AUTHENTICATED=1 leaves
// out the programs that start before login.
//
//	MAILSPEC_FUZZ_CONFIG=1 targets/real/with-servers.sh go test ./serverfuzz -run='^$' -bench=Live -benchtime=20000x
//
// They need MAILSPEC_PROFILE and are skipped without it.
func BenchmarkLiveIMAP(b *testing.B) { benchLive(b, "imap") }
func BenchmarkLiveSMTP(b *testing.B) { benchLive(b, "smtp") }
func BenchmarkLivePOP3(b *testing.B) { benchLive(b, "pop3") }

func benchLive(b *testing.B, scheme string) {
	path := os.Getenv("MAILSPEC_PROFILE")
	if path == "" {
		b.Skip("MAILSPEC_PROFILE is not set: no live server to measure")
	}
	p, err := transcripts.LoadProfile(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	ep, ok := p.Endpoint(scheme)
	if !ok {
		b.Skipf("the profile has no %s endpoint", scheme)
	}
	cfg, err := p.TLSConfig(ep)
	if err != nil {
		b.Fatal(err)
	}
	par := 16
	if n, err := strconv.Atoi(os.Getenv("MAILSPEC_FUZZ_PARALLEL")); err == nil && n > 0 {
		par = n
	}
	a := p.Accounts[0]
	var more []Account
	for _, o := range p.Accounts[1:] {
		more = append(more, Account{User: o.User, Password: o.Password, Address: o.Address})
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	t := Target{
		Protocol: ep.Protocol, Name: ep.URL, User: a.User, Password: a.Password, Address: a.Address, TLS: cfg,
		Accounts: more,
		// On loopback an answer takes milliseconds; a hang (Dovecot has
		// some) costs a worker this long.
		Timeout: time.Second,
		Dial: func(ctx context.Context) (net.Conn, error) {
			c, err := d.DialContext(ctx, "tcp", ep.Addr())
			if err != nil || ep.Security != transcripts.Implicit {
				return c, err
			}
			tc := tls.Client(c, cfg)
			return tc, tc.HandshakeContext(ctx)
		},
		Implicit: ep.Security == transcripts.Implicit,
		Known:    func(*Finding) string { return "not measured" },
	}
	c := &Campaign{Targets: []Target{t}, Seed: 1, Execs: int64(b.N), Parallel: par}
	if os.Getenv("MAILSPEC_FUZZ_AUTHENTICATED") == "1" {
		c.States = []State{Authenticated, Selected}
	}
	b.ResetTimer()
	res, err := c.Run(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Execs)/res.Elapsed.Seconds(), "execs/s")
	b.ReportMetric(float64(res.States), "states")

}

// In-process execution speed of the toy IMAP server: the engine's own
// cost (rendering, pipes, judging) without a real server behind it.
func BenchmarkToyIMAP(b *testing.B) {
	ty := &toy{proto: IMAP}
	srv := ty.server()
	tg, err := srv.target()
	if err != nil {
		b.Fatal(err)
	}
	progs := mutatedSeeds(IMAP, 256)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			tg.runFresh(context.Background(), progs[i%len(progs)], false)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
}

// mutatedSeeds returns n programs mutated from the seeds, the same for
// every run.
func mutatedSeeds(p Protocol, n int) []Program {
	rng := rand.New(rand.NewPCG(1, 1))
	seeds := Seeds(p)
	out := make([]Program, n)
	for i := range out {
		out[i] = mutate(rng, p, seeds[rng.IntN(len(seeds))], seeds[rng.IntN(len(seeds))])
	}
	return out
}
