package faults

import (
	"fmt"
	"strconv"
	"strings"
)

func init() {
	Register(Fault{
		Name:        "pop3-stat-off-by-one",
		Protocol:    POP3,
		Description: "RFC 1939 5: the maildrop size in octets in the +OK to STAT is one more than the real size",
		OnReply: func(e *Exchange) {
			if e.Verb() != "STAT" || !e.POP3OK() {
				return
			}
			line := strings.TrimRight(string(e.Raw), "\r\n")
			f := strings.SplitN(line, " ", 4) // "+OK" nn mm [text]
			if len(f) < 3 {
				return
			}
			size, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				return
			}
			f[2] = fmt.Sprint(size + 1)
			e.Reply = []byte(strings.Join(f, " ") + "\r\n")
		},
	})
}
