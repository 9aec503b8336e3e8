package fuzz

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mailspec/mailspec/serverfuzz"
)

// serverSeedFiles are the files of testdata/fuzz/FuzzEmbedded*/: the
// seed programs of serverfuzz.Seeds, which reach every state (greeted,
// authenticated, selected), in the native corpus format. OSS-Fuzz takes
// its seed corpus from these files (it ignores F.Add).
func serverSeedFiles() map[string][]byte {
	files := map[string][]byte{}
	for _, p := range []serverfuzz.Protocol{serverfuzz.SMTP, serverfuzz.IMAP, serverfuzz.POP3} {
		// The target's name is built, not written out:
		// compile_native_go_fuzzer (OSS-Fuzz) finds a target's file by
		// grepping the package for its name, and only
		// server_fuzz_test.go may hold it.
		target := "FuzzEmbedded" + strings.ToUpper(string(p))
		for i, prog := range serverfuzz.Seeds(p) {
			name := filepath.Join("testdata", "fuzz", target, fmt.Sprintf("seed-%s-%02d", prog.State, i))
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
