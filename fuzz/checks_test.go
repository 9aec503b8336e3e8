package fuzz

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailspec/mailspec/features"
	"github.com/mailspec/mailspec/mimetree"
	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// The checks behind the targets are oracles; these tests show that their
// parts catch what they are meant to catch.

func TestEndOfStream(t *testing.T) {
	data := []byte("250 a\r\n250 b\r\n")
	for _, tc := range []struct {
		consumed string
		err      error
		ok       bool
	}{
		{"250 a\r\n250 b\r\n", io.EOF, true},
		{"250 a\r\n", io.EOF, false},
		{"250 a\r\n", io.ErrUnexpectedEOF, true},
		{"250 x\r\n", wire.ErrLimit, false},
		{"250 a\r\n", errors.New("other"), false},
	} {
		if err := endOfStream(data, []byte(tc.consumed), tc.err); (err == nil) != tc.ok {
			t.Errorf("endOfStream(%q, %v) = %v, want ok %v", tc.consumed, tc.err, err, tc.ok)
		}
	}
}

func TestSameValuesDeep(t *testing.T) {
	deep := func(leaf string) []wire.Value {
		v := []wire.Value{{Kind: wire.Atom, Str: leaf}}
		for range 70 {
			v = []wire.Value{{Kind: wire.List, List: v}}
		}
		return v
	}
	if !sameValues(deep("a"), deep("a")) || sameValues(deep("a"), deep("b")) {
		t.Error("sameValues does not tell deep lists apart")
	}
	if d := depth(deep("a")); d != 71 {
		t.Errorf("depth = %d, want 71", d)
	}
}

func TestSplitIMAPCommands(t *testing.T) {
	type cmd struct {
		Raw   string
		Lits  []string
		Clean bool
	}
	for _, tc := range []struct {
		in   string
		want []cmd
	}{
		{"a1 NOOP\r\n", []cmd{{"a1 NOOP\r\n", nil, true}}},
		{
			"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\na2 X ~{1}\r\n\x00\r\n",
			[]cmd{{"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n", []string{"alice", "secret"}, true}, {"a2 X ~{1}\r\n\x00\r\n", []string{"\x00"}, true}},
		},
		{"a1 X {007}\r\n1234567\r\n", []cmd{{"a1 X {007}\r\n1234567\r\n", []string{"1234567"}, false}}},
		{"a1 X {9}\r\nshort", []cmd{{"a1 X {9}\r\nshort", nil, false}}},
		{"a1 bare\n", []cmd{{"a1 bare\n", nil, false}}},
	} {
		var got []cmd
		for _, c := range splitIMAPCommands([]byte(tc.in)) {
			var lits []string
			for _, sg := range c.segments {
				if sg.IsLiteral {
					lits = append(lits, string(sg.Literal))
				}
			}
			got = append(got, cmd{string(c.raw), lits, c.clean})
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("splitIMAPCommands(%q) (-want +got):\n%s", tc.in, diff)
		}
		if err := checkIMAPCommands([]byte(tc.in)); err != nil {
			t.Errorf("checkIMAPCommands(%q): %v", tc.in, err)
		}
	}
}

func TestCheckSendsCatchesAChangedCommand(t *testing.T) {
	s := commandMeta("smtp")
	s.Steps = []script.Step{{Kind: script.Send, Text: "NOOP"}}
	if err := checkSends(&s, [][]byte{[]byte("NOOP\r\n")}); err != nil {
		t.Fatalf("checkSends: %v", err)
	}
	if err := checkSends(&s, [][]byte{[]byte("NOOP\n")}); err == nil {
		t.Error("checkSends did not notice a step that sends other bytes")
	}
}

func TestWithinLimits(t *testing.T) {
	tree := &mimetree.Part{MediaType: "text/plain", Body: []byte("x")}
	for range 3 {
		tree = &mimetree.Part{MediaType: "multipart/mixed", Parts: []*mimetree.Part{tree}}
	}
	if err := withinLimits(tree, mimetree.Limits{MaxDepth: 3, MaxParts: 4}, 10); err != nil {
		t.Errorf("withinLimits at the limits: %v", err)
	}
	for _, l := range []mimetree.Limits{{MaxDepth: 2, MaxParts: 4}, {MaxDepth: 3, MaxParts: 3}} {
		if err := withinLimits(tree, l, 10); err == nil {
			t.Errorf("withinLimits(%+v) accepted a tree beyond it", l)
		}
	}
	if err := withinLimits(tree, mimetree.Limits{MaxDepth: 3, MaxParts: 4}, 0); err == nil {
		t.Error("withinLimits accepted bodies larger than the input")
	}
}

// TestDifferentialRecordsBoundaryDisagreement: a boundary written as an
// encoded word is decoded by go-message and taken as written by
// mime/multipart, so the two read different parts; the target records it
// in FindingsDir, with the input and both readings, and does not fail.
func TestDifferentialRecordsBoundaryDisagreement(t *testing.T) {
	data, err := features.Messages.ReadFile("messages/mime-boundary-encoded-word.eml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "findings")
	t.Setenv(FindingsEnv, dir)
	if FindingsDir() != dir {
		t.Fatalf("FindingsDir() = %q, want %q", FindingsDir(), dir)
	}
	if err := checkMIMEDifferential(data); err != nil {
		t.Fatalf("the differential check failed on a disagreement: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("findings written: %v, %v; want one", files, err)
	}
	var f MIMEFinding
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("finding is not JSON: %v\n%s", err, b)
	}
	if f.Kind != "params" || f.Path != "" || !strings.HasPrefix(filepath.Base(files[0]), "params-") {
		t.Errorf("finding kind %q at %q in %s, want params of the message", f.Kind, f.Path, files[0])
	}
	if string(f.Input) != string(data) || f.InputText != string(data) {
		t.Error("the finding does not carry the input")
	}
	gm, std := f.GoMessage.Tree, f.Stdlib.Tree
	if gm == nil || std == nil {
		t.Fatalf("finding lacks a reading: %+v / %+v", f.GoMessage, f.Stdlib)
	}
	if gm.Params["boundary"] != "inner" || std.Params["boundary"] != "=?us-ascii?Q?inner?=" {
		t.Errorf("boundaries read: go-message %q, stdlib %q", gm.Params["boundary"], std.Params["boundary"])
	}
	if len(gm.Parts) != 1 || len(std.Parts) != 1 || strings.Contains(string(std.Parts[0].Body), "TWFsd2FyZ") == strings.Contains(string(gm.Parts[0].Body), "TWFsd2FyZ") {
		t.Errorf("the two readings should see different parts:\ngo-message %+v\nstdlib %+v", gm.Parts, std.Parts)
	}

	// The same input again is not written twice.
	if err := checkMIMEDifferential(data); err != nil {
		t.Fatal(err)
	}
	if again, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(again) != 1 {
		t.Errorf("findings after the same input twice: %v", again)
	}
}

// TestDifferentialAgreement: on the suites' ordinary messages both
// readers agree.
func TestDifferentialAgreement(t *testing.T) {
	for _, name := range []string{"plain", "multipart", "imap-nested", "imap-encoded"} {
		data, err := features.Messages.ReadFile("messages/" + name + ".eml")
		if err != nil {
			t.Fatal(err)
		}
		f, err := diffMIME(data)
		if err != nil || f != nil {
			t.Errorf("%s: diffMIME = %+v, %v; want agreement", name, f, err)
		}
	}
}
