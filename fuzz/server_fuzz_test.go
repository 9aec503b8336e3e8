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
// and in testdata/fuzz/FuzzEmbedded*/; server_targets.txt lists the
// targets for the OSS-Fuzz build.

// embeddedServers holds one system per protocol for the process.
var embeddedServers sync.Map // serverfuzz.Protocol -> *embeddedOnce

type embeddedOnce struct {
	once sync.Once
	srv  serverfuzz.Server
	err  error
}

func embeddedFor(f *testing.F, p serverfuzz.Protocol) serverfuzz.Server {
	f.Helper()
	v, _ := embeddedServers.LoadOrStore(p, &embeddedOnce{})
	e := v.(*embeddedOnce)
	e.once.Do(func() {
		// The system lives as long as the test process: fuzz workers run
		// many inputs, and each process builds its own.
		e.srv, _, e.err = EmbeddedServer(p)
	})
	if e.err != nil {
		f.Fatal(e.err)
	}
	return e.srv
}

func FuzzEmbeddedSMTP(f *testing.F) { serverfuzz.Fuzz(f, embeddedFor(f, serverfuzz.SMTP)) }

func FuzzEmbeddedIMAP(f *testing.F) { serverfuzz.Fuzz(f, embeddedFor(f, serverfuzz.IMAP)) }

func FuzzEmbeddedPOP3(f *testing.F) { serverfuzz.Fuzz(f, embeddedFor(f, serverfuzz.POP3)) }
