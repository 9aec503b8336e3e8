package fuzz

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/mailspec/mailspec/serverfuzz"
)

// serverSeedFiles are the files of testdata/fuzz/FuzzEmbedded*/: the
// seed programs of serverfuzz.Seeds, which reach every state (greeted,
// authenticated, selected), in the native corpus format. OSS-Fuzz takes
// its seed corpus from these files (it ignores F.Add).
func serverSeedFiles() map[string][]byte {
	files := map[string][]byte{}
	for _, tc := range []struct {
		target string
		proto  serverfuzz.Protocol
	}{
		{"FuzzEmbeddedSMTP", serverfuzz.SMTP},
		{"FuzzEmbeddedIMAP", serverfuzz.IMAP},
		{"FuzzEmbeddedPOP3", serverfuzz.POP3},
	} {
		for i, prog := range serverfuzz.Seeds(tc.proto) {
			name := filepath.Join("testdata", "fuzz", tc.target, fmt.Sprintf("seed-%s-%02d", prog.State, i))
			files[name] = serverfuzz.FormatCorpusFile(prog.Encode())
		}
	}
	return files
}

// TestServerSeedCorpus checks the seed files are the seeds; with
// MAILSPEC_UPDATE_SEEDS=1 (go generate ./fuzz) it writes them.
func TestServerSeedCorpus(t *testing.T) {
	files := serverSeedFiles()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	update := os.Getenv("MAILSPEC_UPDATE_SEEDS") == "1"
	for _, name := range names {
		if update {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, files[name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%v (run go generate ./fuzz)", err)
			continue
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("%s is not the seed it should be (run go generate ./fuzz)", name)
		}
	}
}
