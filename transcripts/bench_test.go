package transcripts

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/transcripts/script"
)

// replay50 returns a transcript of 50 exchanges (a server greeting or a
// command with its reply) for proto.
func replay50(proto string) string {
	var b strings.Builder
	b.WriteString(header(proto, "bench-50"))
	switch proto {
	case "smtp":
		// greeting, EHLO, 47 NOOPs, QUIT
		b.WriteString("S*: 220-*\nS: 220 *\nC: EHLO ${client}\nS*: 250-*\nS: 250 *\n")
		for range 47 {
			b.WriteString("C: NOOP\nS: 250*\n")
		}
		b.WriteString("C: QUIT\nS: 221*\nS: <closed>\n")
	case "imap":
		// greeting, STARTTLS, LOGIN, 46 NOOPs, LOGOUT
		b.WriteString("@requires STARTTLS\nS: * OK*\nC: a1 STARTTLS\nS: a1 OK*\nstarttls\nC: a2 LOGIN ${quser} ${qpassword}\nS: a2 OK*\n")
		for i := range 46 {
			tag := "n" + strconv.Itoa(i)
			b.WriteString("C: " + tag + " NOOP\nS: " + tag + " OK*\n")
		}
		b.WriteString("C: a3 LOGOUT\nS: * BYE*\nS: a3 OK*\nS: <closed>\n")
	}
	return b.String()
}

// BenchmarkReplay50 replays a 50-exchange transcript against the embedded
// system: one connection per replay, each exchange a round trip.
func BenchmarkReplay50(b *testing.B) {
	env, _ := embeddedEnv(b)
	for _, proto := range []string{"smtp", "imap"} {
		b.Run(proto, func(b *testing.B) {
			s := parseScript(b, proto+"-bench.txt", replay50(proto))
			if n := exchanges(s.Steps); n != 50 {
				b.Fatalf("the transcript has %d exchanges, want 50", n)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if out := Replay(ctx, s, env); out.Verdict != Pass {
					b.Fatalf("replay: %s: %s", out.Verdict, out.Reason)
				}
			}
			b.ReportMetric(float64(50*b.N)/b.Elapsed().Seconds(), "exchanges/s")
		})
	}
}

// exchanges counts a transcript's exchanges: the greeting and every
// command line.
func exchanges(steps []script.Step) int {
	n := 1
	for _, st := range steps {
		if st.Kind == script.Send {
			n++
		}
	}
	return n
}
