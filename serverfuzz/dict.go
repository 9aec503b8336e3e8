package serverfuzz

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
)

// A dictionary is a protocol's commands, each with the forms its
// arguments take. A form is a template: literal text and generators
// ("$name") that turn the command's data bytes into arguments.

type dict struct {
	proto  Protocol
	specs  []spec
	byName map[string]int
}

// spec is one command of the dictionary. name is what the state
// signature calls it.
type spec struct {
	name  string
	forms []form
}

// form is one template of a command.
type form struct {
	parts []tmplPart
	// multi: a positive POP3 answer is a multi-line response.
	multi bool
}

type tmplPart struct {
	text string
	gen  genFunc
}

// genFunc writes an argument from the data it reads.
type genFunc func(g *gen)

// renderCtx is what generators know of the target: the account.
type renderCtx struct {
	user, password, address, domain string
}

// placeholderCtx stands for an account in descriptions.
func placeholderCtx(p Protocol) *renderCtx {
	return &renderCtx{user: "USER", password: "PASSWORD", address: "user@example.test", domain: "example.test"}
}

// seg is a piece of a command line: text, or an IMAP literal.
type seg struct {
	text    []byte
	lit     bool
	nonSync bool  // {n+} (RFC 7888)
	binary  bool  // ~{n} (RFC 3516)
	decl    int64 // announced length when it differs from len(text): the server must refuse it
}

// rendered is a command ready to send.
type rendered struct {
	name string
	// verb is the command name in upper case, as the server reads it
	// ("FETCH", "UID FETCH", "MAIL"); "" when the line has none.
	verb string
	segs []seg
	eol  string
	// trailer is sent right after the line, in the same write (the chunk
	// of BDAT).
	trailer []byte
	// follow are the client lines sent one per go-ahead: the message
	// after DATA's 354, the SASL responses after each continuation.
	follow [][]byte
	multi  bool
	// untagged: an IMAP line sent without the fuzzer's tag; a NOOP with
	// a tag follows it so that its answers can be told apart.
	untagged bool
}

// line returns the whole command line, as if every literal were granted.
func (r *rendered) line() []byte {
	var b []byte
	for _, s := range r.segs {
		if s.lit {
			b = append(b, litHeader(s)...)
			if s.decl < 0 {
				b = append(b, s.text...)
			}
			continue
		}
		b = append(b, s.text...)
	}
	return append(b, r.eol...)
}

// describe is the command line in short, for people.
func (r *rendered) describe() string {
	var b strings.Builder
	for _, s := range r.segs {
		if s.lit {
			b.WriteString(strings.TrimSuffix(string(litHeader(s)), "\r\n"))
			continue
		}
		b.Write(s.text)
	}
	return b.String()
}

// litHeader is the announcement of a literal: {n} CRLF and its variants.
func litHeader(s seg) []byte {
	n := int64(len(s.text))
	if s.decl >= 0 {
		n = s.decl
	}
	var b []byte
	if s.binary {
		b = append(b, '~')
	}
	b = append(b, '{')
	b = strconv.AppendInt(b, n, 10)
	if s.nonSync {
		b = append(b, '+')
	}
	return append(b, "}\r\n"...)
}

// dataReader hands out a command's data bytes; past the end it returns
// zeros.
type dataReader struct{ b []byte }

func (r *dataReader) byte() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// intn returns a number in [0, n) read from one byte.
func (r *dataReader) intn(n int) int { return int(r.byte()) % n }

// chunk reads a length byte (modulo max+1) and that many bytes.
func (r *dataReader) chunk(max int) []byte {
	n := r.intn(max + 1)
	n = min(n, len(r.b))
	c := r.b[:n]
	r.b = r.b[n:]
	return c
}

// gen is the state of one rendering.
type gen struct {
	p      Protocol
	r      dataReader
	ctx    *renderCtx
	segs   []seg
	cur    []byte
	follow [][]byte
	tail   []byte
	multi  bool
	depth  int
}

func (g *gen) text(s string)      { g.cur = append(g.cur, s...) }
func (g *gen) bytes(b []byte)     { g.cur = append(g.cur, b...) }
func (g *gen) flush()             { g.segs = appendText(g.segs, g.cur); g.cur = nil }
func (g *gen) run(f genFunc)      { f(g) }
func (g *gen) pick(list []string) { g.text(list[g.r.intn(len(list))]) }

// literal ends the current text and adds an IMAP literal.
func (g *gen) literal(b []byte, nonSync, binary bool) {
	g.flush()
	g.segs = append(g.segs, seg{text: b, lit: true, nonSync: nonSync, binary: binary, decl: -1})
}

func appendText(segs []seg, b []byte) []seg {
	if len(b) == 0 {
		return segs
	}
	if n := len(segs); n > 0 && !segs[n-1].lit {
		segs[n-1].text = append(segs[n-1].text, b...)
		return segs
	}
	return append(segs, seg{text: b, decl: -1})
}

// render turns a command of the program into what is sent.
func (d *dict) render(c Command, ctx *renderCtx) rendered {
	sp := &d.specs[int(c.Op)%len(d.specs)]
	f := sp.forms[int(c.Shape&shapeForm)%len(sp.forms)]
	g := &gen{p: d.proto, r: dataReader{c.Data}, ctx: ctx, multi: f.multi}
	for _, part := range f.parts {
		if part.gen == nil {
			g.text(part.text)
			continue
		}
		part.gen(g)
	}
	g.flush()
	r := rendered{name: sp.name, segs: g.segs, eol: "\r\n", follow: g.follow, trailer: g.tail, multi: g.multi}
	if c.Shape&shapeBareLF != 0 {
		r.eol = "\n"
	}
	if sp.name == "raw-untagged" {
		r.untagged = true
	}
	if len(r.segs) > 0 && !r.segs[0].lit {
		first := r.segs[0].text
		r.verb, _ = verbOf(d.proto, first)
		if c.Shape&shapeLower != 0 {
			_, end := verbOf(d.proto, first)
			r.segs[0].text = append(bytes.ToLower(first[:end]), first[end:]...)
		}
	}
	if d.proto == IMAP {
		r.segs = imapSafeEnd(r.segs)
	}
	return r
}

// verbOf returns the command name a server reads at the start of line,
// upper-cased, and where it ends. A token ends at any byte up to and
// including space. IMAP's "UID" takes the next token with it.
func verbOf(p Protocol, line []byte) (string, int) {
	end := tokenEnd(line, 0)
	verb := strings.ToUpper(string(line[:end]))
	if p == IMAP && verb == "UID" && end < len(line) && line[end] == ' ' {
		e2 := tokenEnd(line, end+1)
		return verb + " " + strings.ToUpper(string(line[end+1:e2])), e2
	}
	return verb, end
}

func tokenEnd(b []byte, i int) int {
	for i < len(b) && b[i] > ' ' && b[i] != 0x7f {
		i++
	}
	return i
}

// imapSafeEnd keeps a command line from ending in what reads as a literal
// announcement ({n}, {n+}) that the fuzzer does not mean: the server
// would wait for the literal's octets.
func imapSafeEnd(segs []seg) []seg {
	n := len(segs)
	if n == 0 || segs[n-1].lit {
		return segs
	}
	t := segs[n-1].text
	if len(t) > 0 && t[len(t)-1] == '}' && bytes.LastIndexByte(t, '{') >= 0 {
		segs[n-1].text = append(t, 'x')
	}
	return segs
}

// lineSafe removes CR and LF: a command's argument stays on its line.
func lineSafe(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 && bytes.IndexByte(b, '\n') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return out
}

// parseForms builds forms from templates. "$name" calls the generator
// gens[name]; a template ending in " (multi)" is a multi-line POP3 form.
func parseForms(gens map[string]genFunc, tmpls ...string) []form {
	var out []form
	for _, t := range tmpls {
		var f form
		if s, ok := strings.CutSuffix(t, " (multi)"); ok {
			t, f.multi = s, true
		}
		for len(t) > 0 {
			i := strings.IndexByte(t, '$')
			if i < 0 {
				f.parts = append(f.parts, tmplPart{text: t})
				break
			}
			if i > 0 {
				f.parts = append(f.parts, tmplPart{text: t[:i]})
			}
			j := i + 1
			for j < len(t) && (t[j] >= 'a' && t[j] <= 'z' || t[j] >= '0' && t[j] <= '9') {
				j++
			}
			name := t[i+1 : j]
			g, ok := gens[name]
			if !ok {
				panic("serverfuzz: unknown generator $" + name + " in " + strconv.Quote(t))
			}
			f.parts = append(f.parts, tmplPart{gen: g})
			t = t[j:]
		}
		out = append(out, f)
	}
	return out
}

// newDict indexes specs by name.
func newDict(p Protocol, specs []spec) *dict {
	d := &dict{proto: p, specs: specs, byName: map[string]int{}}
	for i, s := range specs {
		if _, dup := d.byName[s.name]; dup {
			panic("serverfuzz: duplicate command " + s.name)
		}
		d.byName[s.name] = i
	}
	return d
}

var dicts = map[Protocol]*dict{}

func dictFor(p Protocol) *dict {
	d, ok := dicts[p]
	if !ok {
		panic("serverfuzz: unknown protocol " + strconv.Quote(string(p)))
	}
	return d
}

// Commands lists the names of the protocol's dictionary entries, in the
// order their Op values pick them.
func Commands(p Protocol) []string {
	d := dictFor(p)
	out := make([]string, len(d.specs))
	for i, s := range d.specs {
		out[i] = s.name
	}
	return out
}

// Generators shared by the protocols.

// edgeNumbers are numbers at the edges of the integer types servers use.
var edgeNumbers = []string{
	"1", "0", "2", "3", "4294967295", "4294967296", "2147483647", "2147483648",
	"18446744073709551615", "18446744073709551616", "99999999999999999999999999999999",
	"-1", "-0", "+1", "01", "0x10", "1e3", "9223372036854775807", "65535", "65536",
	"", " ", "1.5", "\xef\xbc\x91",
}

// gNum writes an edge number, or a small number built from data.
func gNum(g *gen) {
	c := g.r.byte()
	if int(c) < len(edgeNumbers) {
		g.text(edgeNumbers[c])
		return
	}
	g.text(strconv.Itoa(int(c) - len(edgeNumbers) + int(g.r.byte())*256))
}

// longSizes are lengths around common line and argument limits.
var longSizes = []int{64, 255, 256, 510, 512, 998, 1000, 1001, 1024, 2000, 2048, 4096, 8192, 16384, 65540}

// gLong writes a long run of one character, the size from longSizes.
func gLong(g *gen) {
	n := longSizes[g.r.intn(len(longSizes))]
	c := g.r.byte()
	if c <= ' ' || c == 0x7f || c == '{' || c == '}' {
		c = 'a' + c%26
	}
	g.bytes(bytes.Repeat([]byte{c}, n))
}

// gText writes data bytes as they are, on one line.
func gText(g *gen) { g.bytes(lineSafe(g.r.chunk(64))) }

// gAtom writes data bytes mapped onto letters and digits (at least one).
func gAtom(g *gen) {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := g.r.chunk(16)
	if len(b) == 0 {
		g.text("x")
		return
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alnum[int(c)%len(alnum)]
	}
	g.bytes(out)
}

// oddStrings are short strings known to trouble parsers: NUL, bare CR
// before the end, truncated and overlong UTF-8, format verbs, quotes.
var oddStrings = []string{
	"x", "", "\x00", "a\x00b", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\xaf", "\xed\xa0\x80",
	"\xff\xfe", "caf\xc3\xa9", "\xe2\x80\xae", "%s%n%x", "\"", "\\", "\"\\\"", "(", ")", "[", "]",
	"<", ">", "\t", " ", "  ", "\x7f", "\x1b[31m", "*", "%", "&", "&AOQ-", "&-", "=?utf-8?q?x?=",
}

// gOdd writes one of oddStrings.
func gOdd(g *gen) { g.pick(oddStrings) }

// gB64 writes base64: of data, broken, or empty.
func gB64(g *gen) {
	switch g.r.intn(6) {
	case 0:
		g.text(base64.StdEncoding.EncodeToString(g.r.chunk(48)))
	case 1:
		g.text("=")
	case 2:
		g.text("!!!!")
	case 3:
		g.text(strings.TrimRight(base64.StdEncoding.EncodeToString(g.r.chunk(48)), "="))
	case 4:
		g.text(base64.StdEncoding.EncodeToString(g.r.chunk(48)) + "====")
	default:
		g.text(strings.Repeat("QUFB", 300))
	}
}

// plainPayload is the SASL PLAIN message (RFC 4616) of the account, or a
// variant of it read from data.
func plainPayload(g *gen) []byte {
	u, p := g.ctx.user, g.ctx.password
	switch g.r.intn(8) {
	case 0:
		return []byte("\x00" + u + "\x00" + p)
	case 1:
		return []byte(u + "\x00" + u + "\x00" + p)
	case 2:
		return []byte("\x00" + u + "\x00" + p + "x")
	case 3:
		return []byte("\x00" + u)
	case 4:
		return []byte("other\x00" + u + "\x00" + p)
	case 5:
		return []byte("\x00\x00")
	case 6:
		return append([]byte("\x00"+u+"\x00"), g.r.chunk(64)...)
	default:
		return []byte(strings.Repeat("\x00", 3) + strings.Repeat("a", 1000))
	}
}

// gPlainIR writes the base64 SASL PLAIN initial response.
func gPlainIR(g *gen) {
	if g.r.intn(8) == 7 {
		gB64(g)
		return
	}
	g.text(base64.StdEncoding.EncodeToString(plainPayload(g)))
}

// gMech writes a SASL mechanism name.
func gMech(g *gen) {
	g.pick([]string{"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER", "ANONYMOUS", "EXTERNAL", "X-UNKNOWN", "plain", "", "PLAIN\x00"})
}

// saslFollow sets the client responses to SASL continuations: the
// credentials in the mechanism's form, a cancel, or junk.
func saslFollow(g *gen, login bool) {
	enc := func(s string) []byte { return []byte(base64.StdEncoding.EncodeToString([]byte(s))) }
	switch g.r.intn(5) {
	case 0:
		if login {
			g.follow = [][]byte{enc(g.ctx.user), enc(g.ctx.password)}
		} else {
			g.follow = [][]byte{[]byte(base64.StdEncoding.EncodeToString(plainPayload(g)))}
		}
	case 1:
		g.follow = [][]byte{[]byte("*")}
	case 2:
		g.follow = [][]byte{lineSafe(g.r.chunk(64))}
	case 3:
		g.follow = [][]byte{[]byte("="), []byte("=")}
	default:
		g.follow = [][]byte{enc(g.ctx.user), []byte("!!!")}
	}
}

// gSASLPlain and gSASLLogin set the follow-up responses of AUTH PLAIN and
// AUTH LOGIN without an initial response.
func gSASLPlain(g *gen) { saslFollow(g, false) }
func gSASLLogin(g *gen) { saslFollow(g, true) }

// rawGen writes a whole line of data bytes. The command name is the
// token at index nameAt (0 or 1: an untagged IMAP line's first token is
// read as its tag); names whose answers the fuzzer could not follow in
// this form (blocked) get an X in front.
func rawGen(nameAt int, blocked ...string) genFunc {
	return func(g *gen) {
		b := lineSafe(g.r.chunk(MaxData))
		if len(b) == 0 {
			b = []byte("x")
		}
		start := 0
		if nameAt == 1 {
			start = tokenEnd(b, 0)
			if start < len(b) && b[start] == ' ' {
				start++
			}
		}
		end := tokenEnd(b, start)
		name := strings.ToUpper(string(b[start:end]))
		for _, bl := range blocked {
			if name == bl {
				b = append(append(append([]byte(nil), b[:start]...), 'X'), b[start:]...)
				break
			}
		}
		g.bytes(b)
	}
}
