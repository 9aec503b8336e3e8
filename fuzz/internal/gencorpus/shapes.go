package main

import (
	"fmt"
	"strings"
)

// addShapes adds the input shapes of known mail-server and mail-client
// bugs to the protocol corpora.
func addShapes(c corpus) {
	long := strings.Repeat("A", 600) // over the targets' 512-octet MaxLine

	c.addString("SMTPReply",
		"250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
		"250-first\n250 bare LF\n",
		"250 bare\rCR inside\r\n",
		"550 NUL\x00in text\r\n",
		"250 caf\xc3\xa9 8-bit and truncated \xe2\x82\r\n",
		"250-code\r\n251 mismatch\r\n",
		"2500 four digits\r\n",
		"250xno separator\r\n",
		"250\r\n",
		"600 outside the grammar\r\n",
		"220 "+long+"\r\n",
		strings.Repeat("250-line\r\n", 70)+"250 end\r\n",
		"250-truncated\r\n250",
		"garbage without a code\r\n",
	)
	c.add("POP3Response",
		[]byte("\x01+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"),
		[]byte("\x01+OK message\r\n..stuffed\r\n.unstuffed\r\nbare LF\n.\n"),
		[]byte("\x00+ok lower case\r\n-err too\r\n+OK [SYS/TEMP] code\r\n-ERR [IN-USE]\r\n"),
		[]byte("\x00+ \r\n+ dGVzdA==\r\n+\r\n"),
		[]byte("\x01+OK\r\nNUL\x00line\r\n"+long+"\r\n.\r\n"),
		[]byte("\x01+OK\r\n"+strings.Repeat("x\r\n", 70)+".\r\n"),
		[]byte("\x01+OK truncated\r\nline"),
		[]byte("\x00STATUS neither\r\n"),
	)
	deep := strings.Repeat("(", 70) + strings.Repeat(")", 70)
	c.addString("IMAPResponse",
		"* X "+deep+"\r\n",
		"* 1 FETCH (BODY[] {99999999999999999999}\r\n",
		"* 1 FETCH (BODY[] {3000}\r\n"+strings.Repeat("x", 3000)+")\r\n",
		"* LIST () \"/\" \"NUL\x00in a quoted string\"\r\n",
		"* 1 FETCH (BODY[] {5}\r\nNUL\x00x BINARY[] ~{3}\r\n\x00\x01\x02)\r\n",
		"* 1 FETCH (BODY[] {3+}\r\nabc)\r\n",
		"* 1 FETCH ("+strings.Repeat("A {1}\r\nx ", 70)+")\r\n",
		"* OK bare\rCR\r\n* OK bare LF\n",
		"* LIST () \"/\" \"caf\xc3\xa9 \xe2\x82\"\r\n",
		"* LIST () \"/\" \"unclosed\r\n",
		"a1 OK [READ-WRITE] done\r\n* OK [] [ALERT] x\r\n+ [X y]\r\n+\r\n",
		"* 5(x)\r\n* 4294967296 EXISTS\r\n*5 EXISTS\r\n",
		"* X {5} \r\n* X A[{1}\r\nx ]\r\n",
		"* CAPABILITY "+long+"\r\n",
		"a1 BYE tagged\r\nOK no tag\r\n",
	)
	c.addString("SMTPCommand",
		"EHLO client.example.test\r\nMAIL FROM:<a@example.test> SIZE=99999999999999999999\r\nRCPT TO:<b@example.test>\r\nDATA\r\n",
		"MAIL FROM:<a@example.test>\nRCPT TO:<${user}@example.test>\r\n",
		"NOOP\x00\r\nNOOP\rx\r\n"+long+"\r\n",
		"BDAT 5 LAST\r\nabcde",
		"AUTH PLAIN \\${plain} $x \\q\r\n",
		"HELO caf\xc3\xa9 \xe2\x82\r\n",
	)
	c.addString("POP3Command",
		"USER alice\r\nPASS secret\r\nTOP 1 99999999999\r\nRETR 1\r\nQUIT\r\n",
		"AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\n*\r\n",
		"user alice\npass ${password}\n",
		"LIST\x00\r\n"+long+"\r\n",
	)
	c.addString("IMAPCommand",
		"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\n",
		"a2 APPEND INBOX {99999999999}\r\n",
		"a3 APPEND INBOX ~{3}\r\n\x00\x01\x02\r\n",
		"a4 APPEND INBOX {007}\r\n1234567\r\n",
		"a5 SEARCH "+deep+"\r\n",
		"a6 LOGIN \"al\\\"ice\" \"${password}\"\r\na7 SELECT {lit:INBOX}\r\n",
		"a8 NOOP\nA9 ID (\"name\" \"caf\xc3\xa9\xe2\x82\")\r\n",
		"a10 APPEND INBOX {10}\r\nshort",
	)
	c.addString("Transcript",
		"@id imap/9051/1/x\n@protocol imap\n@rfc 9051 1\n@level MUST\nC: a1 X {lit:a\\x7d\\r\\n} ~{lit+:\\0}\nS: * 1 FETCH (BODY[] {lit:x\\r\\n})\n",
		"@id smtp/5321/4.1.1.1/x\r\n@protocol smtp\r\n@rfc 5321 4.1.1.1\r\n@level SHOULD\r\n@requires PIPELINING\r\n\r\nS: 220 *\r\nC: NOOP \r\nC! NOOP\\nNOOP\\0\\x7f\\r\\n\r\nS! 250 OK\\r\\n\r\nS: <none 1500ms>\r\nS: <closed>\r\n",
		"@id pop3/1939/5/x\n@protocol pop3\n@rfc 1939 5\n@level MAY\n@needs disposable\nconn a\nS: +OK*\nC: USER ${user}\nS: ${x=*} ${y=*}\n\nconn b\nstarttls\nclose\n",
		"# comment only\n",
	)
}

// mimeShapes returns hostile MIME messages (CRLF line ends unless the
// shape is the line end).
func mimeShapes() []string {
	crlf := func(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }
	var out []string

	// Nesting deeper than the targets' MaxDepth of 8.
	var deep strings.Builder
	deep.WriteString("Subject: deep\r\n")
	for i := range 12 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=\"d%d\"\r\n\r\n--d%d\r\n", i, i)
	}
	deep.WriteString("\r\ninnermost\r\n")
	for i := 11; i >= 0; i-- {
		fmt.Fprintf(&deep, "--d%d--\r\n", i)
	}
	out = append(out, deep.String())

	// More parts than MaxParts (64).
	out = append(out, "Content-Type: multipart/mixed; boundary=p\r\n\r\n"+strings.Repeat("--p\r\n\r\nx\r\n", 70)+"--p--\r\n")

	// Thousands of addresses.
	var to strings.Builder
	to.WriteString("To: ")
	for i := range 2000 {
		if i > 0 {
			to.WriteString(",\r\n ")
		}
		fmt.Fprintf(&to, "u%d@example.test", i)
	}
	out = append(out, to.String()+"\r\nSubject: many\r\n\r\nbody\r\n")

	out = append(out,
		// Truncated UTF-8 in RFC 2231 parameters and encoded words.
		crlf("Subject: =?utf-8?q?caf=C3?=", "Content-Type: text/plain; charset*=utf-8''caf%C3; name*0*=utf-8''%E2%82; name*1=x", "", "body"),
		// A boundary that is an encoded word, and duplicates.
		crlf(`Content-Type: multipart/mixed; boundary="=?utf-8?q?b?="`, "", "--b", "", "one", "--=?utf-8?q?b?=", "", "two", "--b--", "--=?utf-8?q?b?=--"),
		crlf("Content-Type: multipart/mixed; boundary=a", "Content-Type: multipart/mixed; boundary=b", "", "--a", "", "x", "--b", "", "y", "--a--", "--b--"),
		// Boundaries that are prefixes of one another.
		crlf("Content-Type: multipart/mixed; boundary=a", "", "--a", "Content-Type: multipart/alternative; boundary=ab", "", "--ab", "", "in", "--ab--", "--a--"),
		// Bare LF line ends, a bare CR, a NUL in the header.
		"Content-Type: multipart/mixed; boundary=lf\n\n--lf\n\nbare LF part\n--lf--\n",
		"Subject: bare\rCR\r\nX-Nul: a\x00b\r\n\r\nbody\r\n",
		// Folding, an empty field name, a space before the colon.
		crlf("Subject: folded", "  \t across", "\tthree lines", ": empty name", "X-Space : before colon", "", "body"),
		// Transfer encodings: base64 with spaces, bad base64, an unknown
		// encoding, quoted-printable soft breaks and bad escapes, a
		// multipart with an encoding.
		crlf("Content-Type: multipart/mixed; boundary=e", "Content-Transfer-Encoding: quoted-printable", "", "--e", "Content-Transfer-Encoding: base64", "", "AAEC AwQF", "\tBgcI", "--e",
			"Content-Transfer-Encoding: base64", "", "!!!!", "--e", "Content-Transfer-Encoding: x-uuencode", "", "begin 644 x", "--e",
			"Content-Transfer-Encoding: quoted-printable", "", "soft=", "break =ZZ bad =E2=82", "--e--"),
		// No close delimiter, an empty boundary, a missing boundary.
		crlf("Content-Type: multipart/mixed; boundary=n", "", "--n", "", "never closed"),
		crlf(`Content-Type: multipart/mixed; boundary=""`, "", "--", "", "x", "----"),
		crlf("Content-Type: multipart/mixed", "", "--x", "", "x", "--x--"),
		// Delimiters with trailing white space, and a body line that
		// begins like a delimiter.
		crlf("Content-Type: multipart/mixed; boundary=w", "", "--w \t", "", "--wx not a delimiter", "--w--  "),
		// An over-long header line.
		"Subject: "+strings.Repeat("long ", 1200)+"\r\n\r\nbody\r\n",
		// message/rfc822 inside a multipart.
		crlf("Content-Type: multipart/mixed; boundary=m", "", "--m", "Content-Type: message/rfc822", "", "Subject: inner", "Content-Type: multipart/mixed; boundary=i", "", "--i", "", "inner", "--i--", "--m--"),
	)
	return out
}
