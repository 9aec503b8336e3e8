// Command seedzip turns the Go fuzz corpora of testdata/fuzz into the seed
// corpora OSS-Fuzz and ClusterFuzzLite take: one <target>_seed_corpus.zip
// per target, with one input per entry.
//
// Usage:
//
//	seedzip [-in fuzz/testdata/fuzz] [-out DIR] [-raw] TARGET...
//
// Each "go test fuzz v1" file of in/TARGET becomes one entry. The targets
// take one []byte; a libFuzzer binary built by go-118-fuzz-build (what
// OSS-Fuzz's compile_native_go_fuzzer uses) decodes that argument from its
// input with go-fuzz-headers: a 4-octet big-endian length, then the
// octets. So each entry is written in that form, and the binary hands the
// target exactly the seed; -raw writes the bare octets instead, for an
// engine that passes its input through as is. A file with several
// arguments, or another type than []byte or string, cannot be fed to such
// a target and is reported and skipped. A target without a corpus
// directory gets no zip.
package main

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "fuzz/testdata/fuzz", "the directory of the Go fuzz corpora")
	out := flag.String("out", ".", "where to write the zips")
	raw := flag.Bool("raw", false, "write bare inputs, without the go-fuzz-headers length")
	flag.Parse()
	for _, target := range flag.Args() {
		n, skipped, err := writeZip(filepath.Join(*in, target), filepath.Join(*out, target+"_seed_corpus.zip"), *raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, "seedzip:", err)
			os.Exit(1)
		}
		for _, s := range skipped {
			fmt.Fprintf(os.Stderr, "seedzip: %s: skipped %s\n", target, s)
		}
		if n > 0 {
			fmt.Printf("%s_seed_corpus.zip: %d inputs\n", target, n)
		}
	}
}

// writeZip writes the corpus in dir as a zip at dst and returns how many
// inputs it holds and which files it skipped. A missing dir writes
// nothing.
func writeZip(dir, dst string, raw bool) (int, []string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var inputs [][]byte
	var entryNames, skipped []string
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return 0, nil, err
		}
		in, err := Decode(data)
		if err != nil {
			skipped = append(skipped, name+": "+err.Error())
			continue
		}
		if !raw {
			in = Frame(in)
		}
		inputs = append(inputs, in)
		entryNames = append(entryNames, name)
	}
	if len(inputs) == 0 {
		return 0, skipped, nil
	}
	f, err := os.Create(dst)
	if err != nil {
		return 0, nil, err
	}
	zw := zip.NewWriter(f)
	for i, in := range inputs {
		w, err := zw.Create(entryNames[i])
		if err == nil {
			_, err = w.Write(in)
		}
		if err != nil {
			f.Close()
			return 0, nil, err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return 0, nil, err
	}
	return len(inputs), skipped, f.Close()
}

// Frame returns in as go-fuzz-headers' ConsumeFuzzer.GetBytes reads a
// []byte argument: its length as 4 octets, big-endian, then the octets.
func Frame(in []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(in)))
	return append(b, in...)
}

// Decode returns the single []byte (or string) value of a "go test fuzz
// v1" file.
func Decode(data []byte) ([]byte, error) {
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	header, rest, ok := strings.Cut(text, "\n")
	if !ok || strings.TrimSpace(header) != "go test fuzz v1" {
		return nil, errors.New(`not a "go test fuzz v1" file`)
	}
	var args []string
	for _, l := range strings.Split(rest, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			args = append(args, l)
		}
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("%d arguments; the targets take one []byte", len(args))
	}
	expr, err := parser.ParseExpr(args[0])
	if err != nil {
		return nil, err
	}
	call, ok := expr.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil, fmt.Errorf("%.40s is not a conversion", args[0])
	}
	switch fn := call.Fun.(type) {
	case *ast.ArrayType:
		if id, ok := fn.Elt.(*ast.Ident); !ok || fn.Len != nil || (id.Name != "byte" && id.Name != "uint8") {
			return nil, fmt.Errorf("%.40s is not []byte", args[0])
		}
	case *ast.Ident:
		if fn.Name != "string" {
			return nil, fmt.Errorf("argument of type %s", fn.Name)
		}
	default:
		return nil, fmt.Errorf("%.40s is not []byte", args[0])
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
		return nil, fmt.Errorf("%.40s does not hold a string literal", args[0])
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// ReadZip returns the entries of a zip, for tests.
func ReadZip(path string) (map[string][]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = b
	}
	return out, nil
}
