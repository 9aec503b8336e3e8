package fuzz

import (
	"math/rand/v2"
	"testing"

	"github.com/mailspec/mailspec/serverfuzz"
)

// In-process fuzzing speed of the embedded servers: executions per
// second (an execution: a new pipe, the state reached, the program's
// commands, the NOOP after, every answer judged, the server's goroutines
// waited for), from parallel goroutines on every core, over programs
// mutated from the seeds as the native fuzzer would. Known faults count
// as executions like any other.
//
//	go test ./fuzz -run='^$' -bench=BenchmarkEmbedded -benchtime=10s
func BenchmarkEmbeddedIMAP(b *testing.B) { benchEmbedded(b, serverfuzz.IMAP) }
func BenchmarkEmbeddedSMTP(b *testing.B) { benchEmbedded(b, serverfuzz.SMTP) }
func BenchmarkEmbeddedPOP3(b *testing.B) { benchEmbedded(b, serverfuzz.POP3) }

func benchEmbedded(b *testing.B, p serverfuzz.Protocol) {
	srv, stop, err := EmbeddedServer(p)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	inputs := benchInputs(p, 512)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			srv.Check(inputs[i%len(inputs)])
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
}

// benchInputs are n inputs: the seeds with random bytes changed, the
// same for every run.
func benchInputs(p serverfuzz.Protocol, n int) [][]byte {
	rng := rand.New(rand.NewPCG(1, 1))
	seeds := serverfuzz.Seeds(p)
	out := make([][]byte, n)
	for i := range out {
		in := seeds[rng.IntN(len(seeds))].Encode()
		for range rng.IntN(4) {
			if len(in) > 1 {
				in[1+rng.IntN(len(in)-1)] = byte(rng.IntN(256))
			}
		}
		out[i] = in
	}
	return out
}
