package fuzz

import (
	"bytes"
	"fmt"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailspec/mailspec/transcripts/script"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// ignoreLine compares transcripts without their steps' line numbers.
var ignoreLine = cmpopts.IgnoreFields(script.Step{}, "Line")

// checkTranscript parses data as a transcript file (transcripts/script
// FORMAT.md). When Parse accepts it: printing and parsing again gives the
// same transcript, printing is stable, every pattern compiles, every
// C: and C! step expands, and in IMAP transcripts the literals a C: step
// sends are the ones the harness's IMAP reader frames in its bytes.
func checkTranscript(data []byte) error {
	s1, err := script.Parse("fuzz.txt", data)
	if err != nil {
		return nil
	}
	p1 := s1.Print()
	s2, err := script.Parse("fuzz.txt", p1)
	if err != nil {
		return fmt.Errorf("Parse(Print(Parse(%q))) = %v\nprinted:\n%s", data, err, p1)
	}
	if diff := cmp.Diff(s1, s2, ignoreLine); diff != "" {
		return fmt.Errorf("Parse(Print(s)) != s for %q (-want +got):\n%s", data, diff)
	}
	if p2 := s2.Print(); !bytes.Equal(p1, p2) {
		return fmt.Errorf("Print is not stable for %q:\n%s\nthen\n%s", data, p1, p2)
	}
	vars := selfVars(s1.Steps)
	for _, st := range s1.Steps {
		switch st.Kind {
		case script.Expect, script.ExpectMany:
			if _, err := script.CompilePattern(st.Text); err != nil {
				return fmt.Errorf("line %d: accepted pattern %q does not compile: %v", st.Line, st.Text, err)
			}
		case script.Send, script.SendRaw:
			segs, err := st.Expand(vars)
			if err != nil {
				return fmt.Errorf("line %d: accepted %v does not expand: %v", st.Line, st.Kind, err)
			}
			if st.Kind == script.Send && s1.Protocol == "imap" {
				if err := literalsFramed(st, segs, vars); err != nil {
					return fmt.Errorf("line %d: %w", st.Line, err)
				}
			}
		}
	}
	return nil
}

// literalsFramed checks that the bytes an IMAP C: step sends, read by the
// harness's IMAP reader, carry the step's literals in order. Only steps
// whose text pieces hold no line end can be framed so.
func literalsFramed(st script.Step, segs []script.Segment, vars map[string]string) error {
	var lits [][]byte
	for _, sg := range segs {
		if sg.IsLiteral {
			lits = append(lits, sg.Literal)
		} else if bytes.ContainsAny([]byte(sg.Text), "\r\n") {
			return nil
		}
	}
	b, err := st.Wire(vars)
	if err != nil {
		return err
	}
	in := append([]byte("* X "), b...)
	resp, err := wire.NewIMAPReader(bytes.NewReader(in), wire.Limits{MaxLine: 1 << 20, MaxLiteral: 1 << 20}).ReadResponse()
	if err != nil || !bytes.Equal(resp.Raw, in) {
		// A text piece that ends in what reads as an announcement
		// ("C: a1 X {5}" sends one without its literal): the reader
		// frames differently, as a server would.
		return nil
	}
	if !cmp.Equal(lits, resp.Literals, cmpopts.EquateEmpty()) {
		return fmt.Errorf("%q sends literals %q, the IMAP reader frames %q", st.String(), lits, resp.Literals)
	}
	return nil
}
