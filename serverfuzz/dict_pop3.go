package serverfuzz

import "strings"

// The POP3 dictionary: the commands of RFC 1939 and its extensions (CAPA
// RFC 2449, STLS RFC 2595, AUTH RFC 5034, UTF8 and LANG RFC 6856), with
// message numbers at the integer limits. A form marked multi is answered
// with a multi-line response when positive; its arguments never leave
// the server in doubt about that (a LIST argument is never empty).

var pop3MsgNums = []string{
	"1", "2", "3", "0", "4", "-1", "4294967295", "4294967296", "99999999999999999999", "1a", "+1", "01",
	"1.0", "0x1", "\xef\xbc\x91", "1\x00", strings.Repeat("9", 300), "x", "*",
}

func gMsg(g *gen) {
	v := g.r.byte()
	if int(v) < len(pop3MsgNums) {
		g.text(pop3MsgNums[v])
		return
	}
	gNum(g)
	// An argument that is empty or ends in a space would leave the
	// server in doubt whether an argument was given.
	if len(g.cur) == 0 || g.cur[len(g.cur)-1] == ' ' {
		g.text("1")
	}
}

// gLines writes TOP's line count.
func gLines(g *gen) {
	g.pick([]string{"0", "1", "10", "4294967295", "4294967296", "-1", "x", "99999999999999999999"})
}

func gUserP(g *gen) { g.text(g.ctx.user) }
func gPassP(g *gen) { g.text(g.ctx.password) }

var pop3Gens = map[string]genFunc{
	"msg": gMsg, "lines": gLines, "user": gUserP, "pass": gPassP, "text": gText, "atom": gAtom,
	"num": gNum, "long": gLong, "odd": gOdd, "b64": gB64, "plainir": gPlainIR, "mech": gMech,
	"saslplain": gSASLPlain, "sasllogin": gSASLLogin,
	"raw": rawGen(0, "LIST", "UIDL", "RETR", "TOP", "CAPA", "AUTH", "STLS"),
}

func pop3Spec(name string, tmpls ...string) spec {
	return spec{name: name, forms: parseForms(pop3Gens, tmpls...)}
}

func init() {
	dicts[POP3] = newDict(POP3, []spec{
		pop3Spec("USER", "USER $user", "USER $text", "USER $long", "USER"),
		pop3Spec("PASS", "PASS $pass", "PASS $text", "PASS $long", "PASS"),
		pop3Spec("APOP", "APOP $user 0123456789abcdef0123456789abcdef", "APOP $text", "APOP"),
		pop3Spec("AUTH", "AUTH PLAIN $plainir", "AUTH PLAIN$saslplain", "AUTH LOGIN$sasllogin", "AUTH $mech $b64", "AUTH $mech$saslplain"),
		pop3Spec("CAPA", "CAPA (multi)", "CAPA $text (multi)"),
		pop3Spec("STAT", "STAT", "STAT $text"),
		pop3Spec("LIST", "LIST (multi)", "LIST $msg", "LIST $msg $msg"),
		pop3Spec("RETR", "RETR $msg (multi)", "RETR (multi)", "RETR $msg $text (multi)"),
		pop3Spec("TOP", "TOP $msg $lines (multi)", "TOP $msg (multi)", "TOP (multi)", "TOP $msg $lines $text (multi)"),
		pop3Spec("DELE", "DELE $msg", "DELE", "DELE $msg $msg"),
		pop3Spec("UIDL", "UIDL (multi)", "UIDL $msg"),
		pop3Spec("NOOP", "NOOP", "NOOP $text"),
		pop3Spec("RSET", "RSET", "RSET $text"),
		pop3Spec("QUIT", "QUIT", "QUIT $text"),
		pop3Spec("STLS", "STLS", "STLS $text"),
		pop3Spec("UTF8", "UTF8", "LANG (multi)", "LANG $atom"),
		pop3Spec("raw", "$raw"),
	})
}
