// Package serverfuzz fuzzes SMTP (RFC 5321), POP3 (RFC 1939) and IMAP
// (RFC 9051, RFC 3501) servers with sequences of protocol commands, and
// turns what it finds into minimised reproducer transcripts that
// `mailspec replay` runs.
//
// # Programs
//
// A fuzz input is a [Program]: a [State] to reach first (greeted,
// authenticated, selected: the fuzzer logs in and selects INBOX, or opens
// a mail transaction, with commands of its own) and then up to
// [MaxCommands] commands, each an entry of the protocol's dictionary
// ([Commands]), one of the entry's forms and the data its argument
// generators read. The generators write arguments from the edges of the
// grammars: literals of every kind (RFC 9051 section 4.3, RFC 7888, RFC
// 3516), NUL and bare CR in strings, truncated UTF-8, numbers at the
// integer limits, over-long lines, deep lists, the message shapes of
// known SMTP bugs. Every byte string decodes to a program ([Decode]), so
// Go's native fuzzer can mutate the bytes while the live fuzzer mutates
// programs.
//
// # The oracle
//
// Every answer is read by the strict readers of package transcripts/wire
// and judged: a violation at level MUST or MUST NOT is a
// malformed-response finding ([Target.Strict] adds the SHOULD level); an
// answer that does not come within the deadline is a hang; a close the
// server did not announce (IMAP BYE, SMTP 221 or 421, POP3 after QUIT or
// a negative answer) is a disconnect; an IMAP completion with a tag the
// command did not carry is a tag-mismatch. After a suspicious exchange
// the server must still greet a new connection, or it crashed or hangs.
// In-process, a panic in the server is a finding, and so is a Serve that
// does not return once its client closed the connection. Each exchange
// has a signature ([Sig]: command, reply code, enhanced status code,
// state, TLS and authentication); a finding is grouped by kind, command
// and state ([Finding.Key]).
//
// # Live servers
//
// A [Campaign] fuzzes live servers ([Target]: any server reachable by a
// net.Conn) with workers that keep their connections between executions
// where the state allows, keeps a corpus of the programs that reached new
// signatures, confirms each finding on a new connection, checks the
// server is still alive, minimises the program (fewest commands, lowest
// state, simplest forms, shortest data) and records a reproducer
// transcript ([Finding.Reproducer]).
//
// # Go servers, in process
//
// A vendor of a Go server fuzzes it in process with Go's native fuzzer,
// so that coverage guides the inputs through the server's own code: the
// server serves one net.Conn (the server end of a net.Pipe per input),
// and the account it knows logs in:
//
//	func FuzzMyIMAP(f *testing.F) {
//		srv := serverfuzz.Server{
//			Protocol: serverfuzz.IMAP,
//			Serve:    myserver.ServeConn, // func(net.Conn)
//			User:     "alice", Password: "secret",
//		}
//		serverfuzz.Fuzz(f, srv)
//	}
//
// Run it with a count-based minimisation limit:
//
//	go test -run='^$' -fuzz='^FuzzMyIMAP$' -fuzztime=5m -fuzzminimizetime=100x
//
// Go minimises a failing input for 60 s by default, re-running it over
// and over; each run of a server that hangs costs the answer deadline,
// and Go's fuzzer gives up on an input that runs 10 s, so the default
// stalls server targets. [Server.Check] runs one input outside of Go's
// fuzzer.
//
// OSS-Fuzz and ClusterFuzzLite build native targets with go-118-fuzz-build,
// which replaces package testing in the target's own file only: a target
// built there uses [NewNative] (seeds and the judgement of one input,
// returning an error) instead of handing its *testing.F to [Fuzz].
package serverfuzz
