package fuzz

import "testing"

// The parser targets. Their seeds are testdata/fuzz/<target>/, generated
// by internal/gencorpus (go generate); each target takes one []byte, so
// OSS-Fuzz and ClusterFuzzLite can run them too (oss-fuzz/). The bodies
// are in the package's non-test files, which go-118-fuzz-build compiles.

// FuzzSMTPReply reads the input as a stream of SMTP replies.
func FuzzSMTPReply(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkSMTPReplies(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzPOP3Response reads the input as POP3 responses; its first byte
// says which are multi-line.
func FuzzPOP3Response(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkPOP3Responses(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzIMAPResponse reads the input as a stream of IMAP responses.
func FuzzIMAPResponse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkIMAPResponses(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzSMTPCommand records the input as an SMTP client's commands.
func FuzzSMTPCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkLineCommands("smtp", data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzPOP3Command records the input as a POP3 client's commands.
func FuzzPOP3Command(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkLineCommands("pop3", data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzIMAPCommand splits the input into IMAP commands with literals.
func FuzzIMAPCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkIMAPCommands(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzTranscript parses the input as a transcript file.
func FuzzTranscript(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkTranscript(data); err != nil {
			t.Fatal(err)
		}
	})
}
