package serverfuzz

import (
	"bytes"
	"strconv"
	"strings"
)

// The SMTP dictionary: the commands of RFC 5321 and of the extensions
// servers commonly offer (SIZE RFC 1870, 8BITMIME RFC 6152, SMTPUTF8 RFC
// 6531, DSN RFC 3461, CHUNKING RFC 3030, AUTH RFC 4954, STARTTLS RFC 3207,
// ETRN RFC 1985, MT-PRIORITY RFC 6710, REQUIRETLS RFC 8689), with paths
// and parameters from the grammar's edges and messages with the shapes of
// known bugs (bare LF and CR around the dot, NUL, over-long lines).

var smtpDomains = []string{
	"mailspec.test", "[127.0.0.1]", "[IPv6:::1]", "", "a..b", "[999.1.1.1]", "[IPv6:zz]", "-x-.test",
	"caf\xc3\xa9.test", "x", "[]", "localhost", "mailspec.test mailspec.test", "[127.0.0.1",
}

func gDomain(g *gen) {
	v := g.r.byte()
	if int(v) < len(smtpDomains) {
		g.text(smtpDomains[v])
		return
	}
	if v%2 == 0 {
		g.text(strings.Repeat("a", 63) + "." + strings.Repeat("b", 64) + ".test")
		return
	}
	gAtom(g)
}

// gPath writes a reverse- or forward-path (RFC 5321 section 4.1.2).
func gPath(g *gen) {
	addr := g.ctx.address
	local, dom, _ := strings.Cut(addr, "@")
	v := g.r.byte()
	paths := []string{
		"<" + addr + ">", "<>", "<postmaster>", "<Postmaster@" + dom + ">", "<nobody@" + dom + ">",
		"<x@remote.example>", "<@relay.example:" + addr + ">", "<@a,@b:" + addr + ">",
		"<\"quoted local\"@" + dom + ">", "<\"\\\"\"@" + dom + ">", "<" + local + "@[127.0.0.1]>",
		"<\xc3\xbcml\xc3\xa4ut@" + dom + ">", "<" + strings.Repeat("l", 65) + "@" + dom + ">",
		"<" + local + "@" + strings.Repeat("d", 250) + ".test>", "<", addr, "<" + addr, "<<" + addr + ">>",
		"< " + addr + " >", "<" + addr + ">x", "<@>", "<a@b@c>", "<\x00@" + dom + ">", "<" + strings.ToUpper(addr) + ">",
		"<" + local + "+tag@" + dom + ">", "<" + local + "%remote.example@" + dom + ">", "<\"" + strings.Repeat("q", 300) + "\"@" + dom + ">",
	}
	if int(v) < len(paths) {
		g.text(paths[v])
		return
	}
	g.text("<")
	g.bytes(lineSafe(g.r.chunk(64)))
	g.text(">")
}

var smtpMailParams = []string{
	"SIZE=100", "BODY=8BITMIME", "SMTPUTF8", "BODY=7BIT", "BODY=BINARYMIME", "RET=FULL", "RET=HDRS",
	"ENVID=abc", "ENVID=a+2Bb", "AUTH=<>", "SIZE=0", "SIZE=18446744073709551616", "SIZE=-1", "SIZE=",
	"SIZE=99999999999", "BODY=X", "RET=X", "ENVID=" + strings.Repeat("e", 200), "MT-PRIORITY=3",
	"MT-PRIORITY=-9", "REQUIRETLS", "HOLDFOR=1", "X=Y", "=", "SIZE=1 SIZE=2", "BODY", "smtputf8", "ENVID=\x01",
}

var smtpRcptParams = []string{
	"NOTIFY=SUCCESS,FAILURE", "NOTIFY=NEVER", "NOTIFY=DELAY", "NOTIFY=NEVER,SUCCESS", "NOTIFY=X",
	"ORCPT=rfc822;x@example.test", "ORCPT=rfc822;x+2B@example.test", "ORCPT=x", "ORCPT=utf-8;caf\xc3\xa9@x",
	"ORCPT=rfc822;" + strings.Repeat("o", 600), "NOTIFY=", "X=Y", "=", "NOTIFY=SUCCESS NOTIFY=FAILURE",
}

// params writes zero or more parameters from list, or data.
func params(g *gen, list []string) {
	v := g.r.byte()
	n := int(v) % 4
	for range n {
		g.text(" ")
		g.pick(list)
	}
	if v >= 250 {
		g.text(" ")
		g.bytes(lineSafe(g.r.chunk(64)))
	}
}

func gMailParams(g *gen) { params(g, smtpMailParams) }
func gRcptParams(g *gen) { params(g, smtpRcptParams) }

// smtpBodies are message shapes, each ending in CRLF; the end of data is
// added to every one.
var smtpBodies = []string{
	"Subject: fuzz\r\n\r\nbody\r\n",
	"",
	"Subject: dot\r\n\r\n..leading dot (stuffed)\r\n",
	"Subject: smuggle\r\n\r\nx\n.\nMAIL FROM:<x@example.test>\r\n",
	"Subject: smuggle\r\n\r\nx\r\n.\nRSET\r\n",
	"Subject: cr\r\n\r\nx\r.\rRSET\r\n",
	"Subject: nul\r\n\r\nNUL \x00 byte\r\n",
	"Subject: 8bit\r\n\r\ncaf\xc3\xa9 \xff\xfe\r\n",
	"Subject: long\r\n\r\n" + strings.Repeat("l", 1200) + "\r\n",
	"no header\r\n",
	"Subject: bare LF\n\nbody\n",
	"From: a@example.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b--\r\n",
}

// gBody sets the message sent after 354: a shape, data, and the end of
// data, CRLF "." CRLF (RFC 5321 section 4.1.1.4). A line of the message
// that is a lone "." is stuffed, so the data ends where the fuzzer means
// it to; bare LF and CR around dots are left for the server to judge.
func gBody(g *gen) {
	v := g.r.byte()
	b := []byte(smtpBodies[int(v)%len(smtpBodies)])
	if extra := g.r.chunk(64); len(extra) > 0 {
		b = append(append([]byte(nil), b...), extra...)
	}
	if v >= 240 {
		// Many header fields, as in bugs of address parsing.
		var h strings.Builder
		for i := range 500 {
			h.WriteString("To: a" + strconv.Itoa(i) + "@example.test\r\n")
		}
		b = append([]byte(h.String()+"\r\n"), b...)
	}
	if len(b) > 0 && !bytes.HasSuffix(b, []byte("\r\n")) {
		b = append(b, "\r\n"...)
	}
	g.follow = [][]byte{append(stuffDots(b), '.')}
}

// stuffDots doubles the dot of every line of b that is a lone ".".
func stuffDots(b []byte) []byte {
	var out []byte
	for start := 0; start < len(b); {
		end := bytes.Index(b[start:], []byte("\r\n"))
		if end < 0 {
			out = append(out, b[start:]...)
			break
		}
		line := b[start : start+end+2]
		if string(line) == ".\r\n" {
			out = append(out, '.')
		}
		out = append(out, line...)
		start += end + 2
	}
	return out
}

// gBDAT writes "BDAT n [LAST]" and sets the n octets sent with it
// (RFC 3030), or a size the server must refuse, with no octets.
func gBDAT(g *gen) {
	v := g.r.byte()
	chunk := g.r.chunk(128)
	switch v % 8 {
	case 0, 1, 2:
		g.text("BDAT " + strconv.Itoa(len(chunk)) + " LAST")
	case 3, 4:
		g.text("BDAT " + strconv.Itoa(len(chunk)))
	case 5:
		g.text("BDAT 0 LAST")
		chunk = nil
	default:
		g.pick([]string{"BDAT", "BDAT -1", "BDAT x", "BDAT 99999999999999999999", "BDAT 1 LAST X", "BDAT  LAST"})
		chunk = nil
	}
	g.tail = chunk
}

func gSMTPText(g *gen) { gText(g) }

var smtpGens = map[string]genFunc{
	"domain": gDomain, "path": gPath, "mailparams": gMailParams, "rcptparams": gRcptParams,
	"body": gBody, "bdat": gBDAT, "text": gSMTPText, "atom": gAtom, "num": gNum, "long": gLong,
	"odd": gOdd, "b64": gB64, "plainir": gPlainIR, "mech": gMech, "saslplain": gSASLPlain,
	"sasllogin": gSASLLogin, "raw": rawGen(0, "BDAT"),
}

func smtpSpec(name string, tmpls ...string) spec {
	return spec{name: name, forms: parseForms(smtpGens, tmpls...)}
}

func init() {
	dicts[SMTP] = newDict(SMTP, []spec{
		smtpSpec("EHLO", "EHLO $domain", "EHLO", "EHLO $text", "EHLO $long"),
		smtpSpec("HELO", "HELO $domain", "HELO", "HELO $text"),
		smtpSpec("MAIL", "MAIL FROM:$path$mailparams", "MAIL FROM: $path", "MAIL FROM:$path $text", "MAIL $text", "MAIL FROM:$long", "MAIL FROM:<$long@example.test>"),
		smtpSpec("RCPT", "RCPT TO:$path$rcptparams", "RCPT TO: $path", "RCPT TO:$path $text", "RCPT $text", "RCPT TO:<$long@example.test>"),
		smtpSpec("DATA", "DATA$body", "DATA $text$body"),
		smtpSpec("BDAT", "$bdat"),
		smtpSpec("RSET", "RSET", "RSET $text"),
		smtpSpec("NOOP", "NOOP", "NOOP $text", "NOOP $long"),
		smtpSpec("QUIT", "QUIT", "QUIT $text"),
		smtpSpec("VRFY", "VRFY $text", "VRFY $path", "VRFY"),
		smtpSpec("EXPN", "EXPN $text", "EXPN"),
		smtpSpec("HELP", "HELP", "HELP $text"),
		smtpSpec("AUTH", "AUTH PLAIN $plainir", "AUTH PLAIN$saslplain", "AUTH LOGIN$sasllogin", "AUTH $mech $b64", "AUTH $mech", "AUTH", "AUTH PLAIN $b64 $b64"),
		smtpSpec("STARTTLS", "STARTTLS", "STARTTLS $text"),
		smtpSpec("ETRN", "ETRN $domain", "ETRN @$domain"),
		smtpSpec("raw", "$raw"),
	})
}
