package main

import (
	"bytes"
	"encoding/binary"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests need neither clang nor a container: they check what the
// OSS-Fuzz build depends on from the repository's side.

const root = "../.."

// fuzzFuncs returns the FuzzXxx(f *testing.F) functions declared in the
// _test.go files of dir whose names match keep.
func fuzzFuncs(t *testing.T, dir string, keep func(file string) bool) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if !keep(filepath.Base(f)) {
			continue
		}
		if _, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.SkipObjectResolution); err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`).FindAllStringSubmatch(mustRead(t, f), -1) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return names
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// scriptList returns the words of the shell variable name, assigned as
// NAME=" ... " over several lines in build.sh.
func scriptList(t *testing.T, script, name string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)\n` + name + `="(.*?)"`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("build.sh has no %s list", name)
	}
	f := strings.Fields(m[1])
	slices.Sort(f)
	return f
}

// TestBuildScriptTargets checks that build.sh builds every fuzz target of
// package fuzz and the listed targets of other packages, and nothing that does not exist.
func TestBuildScriptTargets(t *testing.T) {
	script := mustRead(t, filepath.Join(root, "oss-fuzz", "build.sh"))
	fuzzDir := filepath.Join(root, "fuzz")
	want := fuzzFuncs(t, fuzzDir, func(string) bool { return true })
	if len(want) == 0 {
		t.Fatal("package fuzz has no fuzz targets")
	}
	if diff := cmp.Diff(want, scriptList(t, script, "FUZZ_TARGETS")); diff != "" {
		t.Errorf("FUZZ_TARGETS of build.sh against the targets of package fuzz (-package +script):\n%s", diff)
	}
	if !strings.Contains(mustRead(t, filepath.Join(root, ".clusterfuzzlite", "build.sh")), "oss-fuzz/build.sh") {
		t.Error(".clusterfuzzlite/build.sh does not run oss-fuzz/build.sh")
	}

	for _, pt := range scriptList(t, script, "OTHER_TARGETS") {
		pkg, fn, ok := strings.Cut(pt, ":")
		if !ok {
			t.Fatalf("OTHER_TARGETS entry %q is not package:target", pt)
		}
		if !slices.Contains(fuzzFuncs(t, filepath.Join(root, pkg), func(string) bool { return true }), fn) {
			t.Errorf("build.sh builds %s from %s, which does not declare it", fn, pkg)
		}
		if !strings.Contains(mustRead(t, filepath.Join(fuzzDir, "doc.go")), fn) {
			t.Errorf("fuzz/doc.go does not list %s", fn)
		}
	}
}

// TestTargetNamesFindable checks what compile_native_go_fuzzer needs to
// find a target: its name occurs in exactly one .go file under its
// package directory, the harness file, and it takes f *testing.F.
func TestTargetNamesFindable(t *testing.T) {
	script := mustRead(t, filepath.Join(root, "oss-fuzz", "build.sh"))
	check := func(dir, name string) {
		var files []string
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && strings.Contains(mustRead(t, path), name) {
				files = append(files, path)
			}
			return err
		})
		if len(files) != 1 {
			t.Errorf("%s is named in %d .go files under %s (%v); compile_native_go_fuzzer needs exactly one", name, len(files), dir, files)
		}
	}
	for _, name := range scriptList(t, script, "FUZZ_TARGETS") {
		check(filepath.Join(root, "fuzz"), name)
	}
	for _, pt := range scriptList(t, script, "OTHER_TARGETS") {
		pkg, fn, _ := strings.Cut(pt, ":")
		check(filepath.Join(root, pkg), fn)
	}
}

// TestSeedZips generates every target's seed corpus zip and checks that
// each entry is its "go test fuzz v1" input framed as go-118-fuzz-build
// reads a []byte argument.
func TestSeedZips(t *testing.T) {
	script := mustRead(t, filepath.Join(root, "oss-fuzz", "build.sh"))
	in := filepath.Join(root, "fuzz", "testdata", "fuzz")
	out := t.TempDir()
	for _, target := range scriptList(t, script, "FUZZ_TARGETS") {
		dst := filepath.Join(out, target+"_seed_corpus.zip")
		n, skipped, err := writeZip(filepath.Join(in, target), dst, false)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if n == 0 || len(skipped) > 0 {
			t.Errorf("%s: %d inputs, skipped %v", target, n, skipped)
			continue
		}
		entries, err := ReadZip(dst)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != n {
			t.Errorf("%s: the zip holds %d entries, want %d", target, len(entries), n)
		}
		for name, got := range entries {
			want, err := Decode([]byte(mustRead(t, filepath.Join(in, target, name))))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < 4 || binary.BigEndian.Uint32(got) != uint32(len(got)-4) || !bytes.Equal(got[4:], want) {
				t.Errorf("%s/%s: entry %.40q does not frame the input %.40q", target, name, got, want)
			}
		}
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"go test fuzz v1\n[]byte(\"a\\x00\\r\\n\")\n", "a\x00\r\n", true},
		{"go test fuzz v1\nstring(\"caf\\u00e9\")\n", "café", true},
		{"go test fuzz v1\n[]byte(`raw`)\n", "raw", true},
		{"go test fuzz v1\n[]byte(\"a\")\nint(1)\n", "", false},
		{"go test fuzz v1\nint(1)\n", "", false},
		{"not a corpus file\n", "", false},
	} {
		got, err := Decode([]byte(tc.in))
		if (err == nil) != tc.ok || string(got) != tc.want {
			t.Errorf("Decode(%q) = %q, %v; want %q (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestDictionaries checks that every line of the dictionaries is a
// comment, blank, or a libFuzzer dictionary entry: ["name="] a quoted
// string whose escapes are \\, \" and \xHH.
func TestDictionaries(t *testing.T) {
	entry := regexp.MustCompile(`^([A-Za-z0-9_]+=)?"((?:[^"\\]|\\\\|\\"|\\x[0-9A-Fa-f]{2})*)"$`)
	for _, d := range []string{"smtp", "pop3", "imap", "mime"} {
		n := 0
		for i, l := range strings.Split(mustRead(t, filepath.Join(root, "oss-fuzz", d+".dict")), "\n") {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if !entry.MatchString(l) {
				t.Errorf("%s.dict:%d: %q is not a dictionary entry", d, i+1, l)
			}
			n++
		}
		if n < 20 {
			t.Errorf("%s.dict has %d entries", d, n)
		}
	}
}
