package fuzz

import (
	"sync"
	"testing"

	"github.com/mailspec/mailspec/serverfuzz"
)

// In-process server fuzz targets: the embedded reference system's SMTP
// (submission), IMAP and POP3 servers over net.Pipe, one system per fuzz
// process, a new connection for every input. An input decodes into a
// state to reach (greeted, authenticated, selected) and a sequence of
// commands from the protocol's dictionary (serverfuzz.Decode); the oracle
// is serverfuzz's: every command answered in time with a well-formed
// answer (judged by transcripts/wire), IMAP tags matching, no silent
// close, no panic, no goroutine left behind. The embedded system's known
// faults (EmbeddedKnown) do not fail an input.
//
// Run one for a minute:
//
//	go test ./fuzz -run='^$' -fuzz='^FuzzEmbeddedIMAP$' -fuzztime=1m -fuzzminimizetime=100x
//
// -fuzzminimizetime=100x matters: Go minimises a failing input for 60 s by
// default, re-running it again and again, and a server that hangs takes
// the answer deadline (10 s) per run, which stalls the fuzzer for many
// minutes. A count bounds it. The seeds are in F.Add (serverfuzz.Seeds)
// and in testdata/fuzz/FuzzEmbedded*/. OSS-Fuzz builds them too
// (oss-fuzz/build.sh), which is why they use serverfuzz.NewNative and not
// serverfuzz.Fuzz: go-118-fuzz-build replaces package testing in this
// file only.

// embeddedTargets holds one system per protocol for the process.
var embeddedTargets sync.Map // serverfuzz.Protocol -> *embeddedOnce

type embeddedOnce struct {
	once sync.Once
	n    *serverfuzz.Native
	err  error
}

// embeddedNative returns the process's target for p. Nothing of package
// testing leaves this file: go-118-fuzz-build, which builds the targets
// for OSS-Fuzz, replaces that package in this file only.
func embeddedNative(p serverfuzz.Protocol) (*serverfuzz.Native, error) {
	v, _ := embeddedTargets.LoadOrStore(p, &embeddedOnce{})
	e := v.(*embeddedOnce)
	e.once.Do(func() {
		// The system lives as long as the process: fuzz workers run
		// many inputs, and each process builds its own.
		srv, _, err := EmbeddedServer(p)
		if err != nil {
			e.err = err
			return
		}
		e.n, e.err = serverfuzz.NewNative(srv)
	})
	return e.n, e.err
}

func fuzzEmbedded(f *testing.F, p serverfuzz.Protocol) {
	n, err := embeddedNative(p)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range n.Seeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := n.Check(data); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzEmbeddedSMTP(f *testing.F) { fuzzEmbedded(f, serverfuzz.SMTP) }

func FuzzEmbeddedIMAP(f *testing.F) { fuzzEmbedded(f, serverfuzz.IMAP) }

func FuzzEmbeddedPOP3(f *testing.F) { fuzzEmbedded(f, serverfuzz.POP3) }
