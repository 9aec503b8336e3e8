// Package fuzz holds mailspec's native Go fuzz targets.
//
// The parser targets check the harness's own parsers with properties,
// not only for panics: a server's SMTP reply (RFC 5321 section 4.2), POP3
// response (RFC 1939 section 3) or IMAP response (RFC 9051 sections 4 and
// 7, literals included) read by transcripts/wire prints to a canonical
// form that reads back as the same value; commands recorded into a
// transcript (the SMTP, POP3 and IMAP command targets) print, parse and
// go on the wire byte for byte, IMAP literals framed as the IMAP reader
// frames them; a transcript file prints and parses back to itself; every
// reading stays within its limits.
//
// The MIME targets run package mimetree over github.com/emersion/go-message
// within limits: parsing stays bounded, a parsed message written back
// parses to the same structure, and a differential target compares
// go-message with net/mail and mime/multipart, recording each structural
// disagreement as a JSON finding in FindingsDir ($MAILSPEC_MIME_FINDINGS).
//
// Every target takes one []byte, so that OSS-Fuzz and ClusterFuzzLite can
// build it (oss-fuzz/); the target functions are thin wrappers in _test.go
// files around checks in the package's other files. Seed corpora are in
// testdata/fuzz, written by internal/gencorpus from the shipped
// transcripts, features/messages and the shapes of known bugs.
//
// Parsers that are not exported have their targets next to them:
//   - faults: FuzzProxySMTPFraming, FuzzProxyPOP3Framing and
//     FuzzProxyIMAPFraming (the fault proxy's framing of client commands
//     and server replies, against transcripts/wire's readers), and
//     FuzzProxyEndOfData (the end of SMTP message content);
//   - targets/embedded: FuzzPOP3ServerLine (the POP3 server's command
//     line reading and argument parsing), next to FuzzPOP3Session;
//   - transcripts/wire, transcripts/script and transcripts/sasl keep their
//     own targets (FuzzParse, FuzzFromRecording, FuzzNext, ...).
//
// The server targets of server_fuzz_test.go, FuzzEmbedded followed by
// SMTP, IMAP or POP3 (the names are not written out here: OSS-Fuzz finds a
// target's file by its name, which only one file may hold), fuzz the
// embedded reference servers in process with command sequences, through
// package serverfuzz's Native, which keeps package testing in the
// target's own file as OSS-Fuzz's build needs.
//
// Run one target with
//
//	go test ./fuzz -run='^$' -fuzz='^FuzzName$' -fuzztime=1m -fuzzminimizetime=100x
package fuzz

//go:generate go run ./internal/gencorpus
