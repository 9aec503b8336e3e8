package script

import (
	"bytes"
	"strconv"
)

// Print returns the canonical text of s: the directives in a fixed order
// (@id, @protocol, @title, @rfc, @level, @requires, @needs, @endpoint,
// @ordered), a blank line, then one line per step, with a blank line
// before each conn statement but the first step. Comments are part of the
// body, so one written among the directives is printed after them. C:, C!
// and S: texts are printed as written, trailing spaces included; S! bytes
// in the canonical escaped form of [Escape].
//
// For a script produced by [Parse], Parse(Print(s)) equals s except for
// the steps' Line numbers. Print assumes a valid script, as Parse and
// [FromRecording] produce.
func (s *Script) Print() []byte {
	var b bytes.Buffer
	dir := func(name, arg string) {
		b.WriteString(name)
		if arg != "" {
			b.WriteByte(' ')
			b.WriteString(arg)
		}
		b.WriteByte('\n')
	}
	if s.ID != "" {
		dir("@id", s.ID)
	}
	if s.Protocol != "" {
		dir("@protocol", s.Protocol)
	}
	if s.Title != "" {
		dir("@title", s.Title)
	}
	for _, r := range s.RFCs {
		sec := r.Section
		if sec == "" {
			sec = "-"
		}
		dir("@rfc", r.Number+" "+sec)
	}
	if s.Level != "" {
		dir("@level", s.Level)
	}
	for _, c := range s.Requires {
		dir("@requires", c)
	}
	for _, n := range s.Needs {
		dir("@needs", n)
	}
	if s.Endpoint != "" {
		dir("@endpoint", s.Endpoint)
	}
	if s.Ordered {
		dir("@ordered", "")
	}
	if b.Len() > 0 && len(s.Steps) > 0 {
		b.WriteByte('\n')
	}
	for i, st := range s.Steps {
		if st.Kind == Conn && i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(st.String())
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// String returns the step as a transcript line, without line ending.
func (st Step) String() string {
	marked := func(marker, text string) string {
		if text == "" {
			return marker
		}
		return marker + " " + text
	}
	switch st.Kind {
	case Comment:
		return "#" + st.Text
	case Conn:
		return "conn " + st.Text
	case Send:
		return marked("C:", st.sendSource())
	case SendRaw:
		return marked("C!", st.rawSource())
	case Expect:
		return marked("S:", st.Text)
	case ExpectRaw:
		return marked("S!", Escape(st.Raw))
	case ExpectMany:
		return marked("S*:", st.Text)
	case ExpectClose:
		return "S: <closed>"
	case ExpectSilence:
		return "S: <none " + st.Duration.String() + ">"
	case StartTLS:
		return "starttls"
	case Close:
		return "close"
	}
	return "# unknown step kind " + strconv.Itoa(int(st.Kind))
}
