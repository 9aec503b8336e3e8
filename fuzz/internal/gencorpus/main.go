// Command gencorpus writes the seed corpora of package fuzz's parser and
// MIME targets into testdata/fuzz/<target>/ as "go test fuzz v1" files:
// inputs built from the shipped transcripts (transcripts/library), the
// messages the suites use (features/messages/*.eml) and the input shapes
// of known mail-server bugs (deep nesting, NULs in quoted strings and
// literals, over-long lines, huge literal counts, bare CR and LF,
// truncated UTF-8 in parameters, thousands of addresses).
//
// It is run by "go generate ./fuzz" from the fuzz directory. The output
// depends only on the repository, so running it twice gives the same
// files. It writes files named seed-<hash> and removes only seed-* files
// it no longer produces: crashers the fuzzer saved stay, and so do other
// targets' directories.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mailspec/mailspec/transcripts/script"
)

// The targets are named by what follows "Fuzz", so that this file does
// not hold their full names: OSS-Fuzz's build finds a target by grepping
// the package directory for its name, and it must find one file.
const prefix = "Fuzz"

func main() {
	root := flag.String("root", "..", "the repository's root directory")
	out := flag.String("out", "testdata/fuzz", "where to write the corpora")
	flag.Parse()
	c, err := build(*root)
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range slices.Sorted(mapKeys(c)) {
		if err := write(filepath.Join(*out, prefix+name), c[name]); err != nil {
			log.Fatal(err)
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// corpus maps a target (without "Fuzz") to its seed inputs.
type corpus map[string][][]byte

func (c corpus) add(target string, inputs ...[]byte) {
	for _, in := range inputs {
		if len(in) > 0 {
			c[target] = append(c[target], in)
		}
	}
}

func (c corpus) addString(target string, inputs ...string) {
	for _, s := range inputs {
		c.add(target, []byte(s))
	}
}

// build makes every corpus.
func build(root string) (corpus, error) {
	c := corpus{}
	scripts, err := transcriptsUnder(filepath.Join(root, "transcripts", "library"))
	if err != nil {
		return nil, err
	}
	for _, f := range scripts {
		c.add("Transcript", f.data)
		s, err := script.Parse(f.name, f.data)
		if err != nil {
			return nil, err
		}
		server, client := exchange(s)
		switch s.Protocol {
		case "smtp":
			c.add("SMTPReply", server)
			c.add("SMTPCommand", client)
		case "pop3":
			c.add("POP3Response", append([]byte{pop3Bits(s)}, server...))
			c.add("POP3Command", client)
		case "imap":
			c.add("IMAPResponse", server)
			c.add("IMAPCommand", client)
		}
	}
	addShapes(c)
	msgs, err := filepath.Glob(filepath.Join(root, "features", "messages", "*.eml"))
	if err != nil {
		return nil, err
	}
	slices.Sort(msgs)
	for _, m := range msgs {
		data, err := os.ReadFile(m)
		if err != nil {
			return nil, err
		}
		for _, t := range mimeTargets {
			c.add(t, data)
		}
	}
	for _, shape := range mimeShapes() {
		for _, t := range mimeTargets {
			c.addString(t, shape)
		}
	}
	return c, nil
}

var mimeTargets = []string{"MIMEParse", "MIMERoundTrip", "MIMEDifferential"}

type file struct {
	name string
	data []byte
}

// transcriptsUnder reads every .txt file under dir, in name order.
func transcriptsUnder(dir string) ([]file, error) {
	var files []file
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		data, err := os.ReadFile(path)
		files = append(files, file{filepath.ToSlash(path), data})
		return err
	})
	return files, err
}

// sampleVars are the values variables take in the seeds.
var sampleVars = map[string]string{
	"user": "alice", "password": "secret", "quser": `"alice"`, "qpassword": `"secret"`,
	"address": "alice@example.test", "domain": "example.test", "runid": "r1",
	"plain": "AGFsaWNlAHNlY3JldA==", "client": "client.example.test",
	"b64user": "YWxpY2U=", "b64password": "c2VjcmV0",
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(=\*)?\}`)

// vars returns sampleVars plus a value for every other variable text
// refers to.
func vars(text string) map[string]string {
	v := map[string]string{}
	for k, x := range sampleVars {
		v[k] = x
	}
	for _, m := range varRef.FindAllStringSubmatch(text, -1) {
		if _, ok := v[m[1]]; !ok {
			v[m[1]] = "v-" + m[1]
		}
	}
	return v
}

// exchange returns what the server says in s (each expectation made
// concrete) and what the client sends.
func exchange(s *script.Script) (server, client []byte) {
	for _, st := range s.Steps {
		switch st.Kind {
		case script.Send, script.SendRaw:
			b, err := st.Wire(vars(st.String()))
			if err == nil {
				client = append(client, b...)
			}
		case script.Expect, script.ExpectMany:
			server = append(server, concrete(s.Protocol, st.Text)...)
			server = append(server, '\r', '\n')
		case script.ExpectRaw:
			server = append(server, st.Raw...)
		}
	}
	return server, client
}

// concrete turns a pattern into a line it matches: "*" becomes "x",
// ${name} a sample value, \*, \\ and \$ their character, and in IMAP a
// {lit:ESCAPED} literal the literal it displays.
func concrete(proto, pattern string) []byte {
	var b []byte
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\' && i+1 < len(pattern) && strings.ContainsRune(`*\$`, rune(pattern[i+1])):
			b = append(b, pattern[i+1])
			i++
		case c == '*':
			b = append(b, 'x')
		case strings.HasPrefix(pattern[i:], "${"):
			end := strings.IndexByte(pattern[i:], '}')
			if end < 0 {
				b = append(b, pattern[i:]...)
				return b
			}
			b = append(b, 'v')
			i += end
		case proto == "imap" && (strings.HasPrefix(pattern[i:], "{lit:") || strings.HasPrefix(pattern[i:], "{lit+:")):
			open := strings.IndexByte(pattern[i:], ':') + 1
			end := strings.IndexByte(pattern[i+open:], '}')
			if end < 0 {
				b = append(b, pattern[i:]...)
				return b
			}
			lit, err := script.Unescape(pattern[i+open : i+open+end])
			if err != nil {
				lit = []byte(pattern[i+open : i+open+end])
			}
			b = append(b, '{')
			b = strconv.AppendInt(b, int64(len(lit)), 10)
			b = append(b, "}\r\n"...)
			b = append(b, lit...)
			i += open + end
		default:
			b = append(b, c)
		}
	}
	return b
}

// pop3Bits marks which responses of a POP3 transcript are multi-line
// (those whose expectations end with "."), as the POP3 response target reads its
// first byte.
func pop3Bits(s *script.Script) byte {
	var bits byte
	n := -1
	for _, st := range s.Steps {
		switch {
		case st.Kind == script.Expect && st.Text == ".":
			if n >= 0 && n < 8 {
				bits |= 1 << n
			}
		case st.Kind == script.Expect || st.Kind == script.ExpectRaw:
			n++
		}
	}
	return bits
}

// write replaces the seed-* files of dir with inputs.
func write(dir string, inputs [][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, in := range inputs {
		sum := sha256.Sum256(in)
		name := "seed-" + hex.EncodeToString(sum[:8])
		keep[name] = true
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(in)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "seed-*"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}
