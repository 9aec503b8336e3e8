package faults

import "bytes"

func init() {
	Register(Fault{
		Name:        "pop3-dot-unstuffed",
		Protocol:    POP3,
		Description: "RFC 1939 3: lines of RETR and TOP bodies that begin with \".\" are sent without the byte-stuffing \".\"",
		OnReply: func(e *Exchange) {
			if (e.Verb() == "RETR" || e.Verb() == "TOP") && e.POP3OK() {
				e.Reply = unstuff(e.Raw)
			}
		},
	})
}

// unstuff removes the stuffing "." from the body lines of a multi-line
// POP3 response (status line and terminator kept).
func unstuff(resp []byte) []byte {
	lines := bytes.SplitAfter(resp, []byte("\n"))
	for i := 1; i < len(lines); i++ {
		if bytes.HasPrefix(lines[i], []byte("..")) {
			lines[i] = lines[i][1:]
		}
	}
	return bytes.Join(lines, nil)
}
