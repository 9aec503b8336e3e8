package embedded

import "bytes"

// normalizeCRLF returns msg with every line ended by CRLF: a bare LF or a
// bare CR becomes CRLF (RFC 5322 section 2.3 allows CR and LF only
// together). msg itself is returned when it needs no change.
func normalizeCRLF(msg []byte) []byte {
	clean := true
	for i, c := range msg {
		if c == '\n' && (i == 0 || msg[i-1] != '\r') || c == '\r' && (i+1 == len(msg) || msg[i+1] != '\n') {
			clean = false
			break
		}
	}
	if clean {
		return msg
	}
	out := make([]byte, 0, len(msg)+len(msg)/32+2)
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; c {
		case '\r':
			out = append(out, '\r', '\n')
			if i+1 < len(msg) && msg[i+1] == '\n' {
				i++
			}
		case '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// pop3Form returns a message as POP3 transfers it: CRLF line ends and,
// unless it is empty, a final CRLF, so that the terminating ".CRLF" of a
// multi-line response starts a line (RFC 1939 section 3). Its length is
// the size that STAT and LIST report, which RFC 1939 section 5 counts in
// octets with CRLF line ends.
func pop3Form(msg []byte) []byte {
	msg = normalizeCRLF(msg)
	if len(msg) > 0 && !bytes.HasSuffix(msg, []byte("\r\n")) {
		msg = append(msg[:len(msg):len(msg)], '\r', '\n')
	}
	return msg
}

// dotStuff byte-stuffs msg, which has CRLF line ends, for a POP3
// multi-line response: every line that starts with "." gets another one
// in front (RFC 1939 section 3).
func dotStuff(msg []byte) []byte {
	n := 0
	for i := range msg {
		if msg[i] == '.' && (i == 0 || msg[i-1] == '\n') {
			n++
		}
	}
	if n == 0 {
		return msg
	}
	out := make([]byte, 0, len(msg)+n)
	for i, c := range msg {
		if c == '.' && (i == 0 || msg[i-1] == '\n') {
			out = append(out, '.')
		}
		out = append(out, c)
	}
	return out
}

// topOf returns what TOP msg n sends (RFC 1939 section 7): the header, the
// blank line that ends it, and the first n lines of the body. msg is in
// [pop3Form]. A message without a blank line is all header.
func topOf(msg []byte, n int) []byte {
	i := 0
	// The header: up to and including the first empty line.
	for i < len(msg) {
		end := lineEnd(msg, i)
		empty := end-i == 2 && msg[i] == '\r'
		i = end
		if empty {
			break
		}
	}
	for ; n > 0 && i < len(msg); n-- {
		i = lineEnd(msg, i)
	}
	return msg[:i]
}

// lineEnd returns the index after the CRLF that ends the line starting at
// i, or len(msg).
func lineEnd(msg []byte, i int) int {
	j := bytes.Index(msg[i:], []byte("\r\n"))
	if j < 0 {
		return len(msg)
	}
	return i + j + 2
}
