package imapmsg

import (
	"fmt"
	"mime"
	"net/mail"
	"sort"
	"strconv"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailspec/mailspec/transcripts/wire"
)

// ItemKey normalises a FETCH data item name, as the client requests it or
// as the server returns it, to the name of the item in the response:
// upper-cased, runs of white space as one space, ".PEEK" dropped, the
// partial reduced to its origin ("BODY.PEEK[1]<0.100>" and "BODY[1]<0>"
// both give "BODY[1]<0>"), and field names unquoted.
func ItemKey(name string) string {
	s := strings.ToUpper(strings.Join(strings.Fields(name), " "))
	s = strings.ReplaceAll(s, `"`, "")
	s = strings.Replace(s, ".PEEK[", "[", 1)
	if i := strings.LastIndexByte(s, '<'); i >= 0 && strings.HasSuffix(s, ">") {
		if o, _, ok := strings.Cut(s[i+1:len(s)-1], "."); ok {
			s = s[:i+1] + o + ">"
		}
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "( ", "("), " )", ")")
}

// FetchItems returns the data items of an untagged FETCH response (RFC
// 9051 section 7.5.2: msg-att, a list of name and value pairs) by
// [ItemKey]. A response that is not a FETCH with such a list is an error.
func FetchItems(r wire.IMAPResponse) (map[string]wire.Value, error) {
	if r.Keyword != "FETCH" || !r.HasNumber {
		return nil, fmt.Errorf("imapmsg: not a FETCH response: %q", strings.TrimRight(string(r.Raw), "\r\n"))
	}
	if len(r.Fields) != 1 || r.Fields[0].Kind != wire.List {
		return nil, fmt.Errorf("imapmsg: FETCH response without one parenthesised list of data items")
	}
	l := r.Fields[0].List
	if len(l)%2 != 0 {
		return nil, fmt.Errorf("imapmsg: FETCH data items do not come in name and value pairs (%d values)", len(l))
	}
	out := make(map[string]wire.Value, len(l)/2)
	for i := 0; i < len(l); i += 2 {
		if l[i].Kind != wire.Atom {
			return nil, fmt.Errorf("imapmsg: FETCH data item name %d is a %s, not an atom", i/2+1, l[i].Kind)
		}
		out[ItemKey(l[i].Str)] = l[i+1]
	}
	return out, nil
}

// Compare checks got, the value the server returned for the FETCH data
// item the client requested as item (e.g. "ENVELOPE", "BODYSTRUCTURE",
// "BODY", "RFC822.SIZE", "BODY.PEEK[1.MIME]", "BODY[]<0.10>",
// "BINARY[2]", "BINARY.SIZE[2]"), against the model. It returns "" when
// got is a value the RFCs allow, else a readable description of the
// difference (-want +got). The error is for an item the model does not
// know or a section the message does not have: the caller's mistake.
func (m *Message) Compare(item string, got wire.Value) (string, error) {
	key := ItemKey(item)
	switch key {
	case "ENVELOPE":
		want := m.Envelope()
		g, shape := envelopeFrom(got)
		if shape != "" {
			return "ENVELOPE: " + shape, nil
		}
		reconcileEnvelope(&want, g)
		return diff("ENVELOPE", want, *g), nil
	case "BODYSTRUCTURE", "BODY":
		ext := key == "BODYSTRUCTURE"
		want := m.BodyStructure(ext)
		g, shape := bodyFrom(got)
		if shape != "" {
			return key + ": " + shape, nil
		}
		reconcileBody(want, g, ext)
		return diff(key, want, g), nil
	case "RFC822.SIZE":
		if got.Kind != wire.Number {
			return fmt.Sprintf("RFC822.SIZE: want the number %d, got a %s", len(m.Raw), describe(got)), nil
		}
		return diff(key, uint64(len(m.Raw)), got.Num), nil
	case "RFC822":
		key = "BODY[]"
	case "RFC822.HEADER":
		key = "BODY[HEADER]"
	case "RFC822.TEXT":
		key = "BODY[TEXT]"
	}
	name, spec, _, err := splitItem(key)
	if err != nil {
		return "", err
	}
	_, reqPartial := splitPartial(strings.ToUpper(strings.TrimSpace(item)))
	switch name {
	case "BODY":
		s, err := ParseSection(spec, reqPartial)
		if err != nil {
			return "", err
		}
		want, err := m.Content(s)
		if err != nil {
			return "", err
		}
		g, shape := contentFrom(got)
		if shape != "" {
			return key + ": " + shape, nil
		}
		if strings.HasPrefix(s.Text, "HEADER.FIELDS") && !s.Partial {
			return diff(key, splitHeader(want), splitHeader([]byte(g))), nil
		}
		return diff(key, string(want), g), nil
	case "BINARY", "BINARY.SIZE":
		s, err := ParseSection(spec, reqPartial)
		if err != nil {
			return "", err
		}
		if s.Text != "" {
			return "", fmt.Errorf("imapmsg: %s takes part numbers only", name)
		}
		want, err := m.Binary(s.Part)
		if err != nil {
			return "", err
		}
		if name == "BINARY.SIZE" {
			if got.Kind != wire.Number {
				return fmt.Sprintf("%s: want the number %d, got a %s", key, len(want), describe(got)), nil
			}
			return diff(key, uint64(len(want)), got.Num), nil
		}
		if s.Partial {
			want = applyPartial(want, s)
		}
		g, shape := contentFrom(got)
		if shape != "" {
			return key + ": " + shape, nil
		}
		return diff(key, string(want), g), nil
	}
	return "", fmt.Errorf("imapmsg: unknown FETCH data item %q", item)
}

func applyPartial(b []byte, s Section) []byte {
	if s.Origin >= uint64(len(b)) {
		return []byte{}
	}
	b = b[s.Origin:]
	if s.Count > 0 && s.Count < uint64(len(b)) {
		b = b[:s.Count]
	}
	return b
}

// splitItem cuts "BODY[1.MIME]<0>" into "BODY", "1.MIME" and "<0>".
func splitItem(key string) (name, spec, partial string, err error) {
	open := strings.IndexByte(key, '[')
	closing := strings.LastIndexByte(key, ']')
	if open < 0 || closing < open {
		return "", "", "", fmt.Errorf("imapmsg: unknown FETCH data item %q", key)
	}
	return key[:open], key[open+1 : closing], key[closing+1:], nil
}

// splitPartial returns the item without its partial and the partial.
func splitPartial(item string) (string, string) {
	if i := strings.LastIndexByte(item, '<'); i >= 0 && strings.HasSuffix(item, ">") && strings.LastIndexByte(item, ']') < i {
		return item[:i], item[i:]
	}
	return item, ""
}

// splitHeader cuts a header into its fields, sorted, for comparisons in
// which field order does not matter; the blank line stays last.
func splitHeader(b []byte) []string {
	var out []string
	for _, f := range splitFields(b) {
		out = append(out, string(f.Raw))
	}
	sort.Strings(out)
	if string(b) == "\r\n" || strings.HasSuffix(string(b), "\r\n\r\n") {
		return append(out, "(the blank line)")
	}
	return append(out, "(no blank line at the end)")
}

func diff(what string, want, got any) string {
	d := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Body{}, Address{}))
	if d == "" {
		return ""
	}
	return what + " differs (-want +got):\n" + d
}

// describe names the kind of a value for messages.
func describe(v wire.Value) string {
	switch v.Kind {
	case wire.Atom:
		return "atom " + strconv.Quote(v.Str)
	case wire.Number:
		return "number " + strconv.FormatUint(v.Num, 10)
	case wire.String, wire.Literal:
		return v.Kind.String() + " " + strconv.Quote(shorten(v.Str))
	}
	return v.Kind.String()
}

func shorten(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// contentFrom reads a section's contents: a string or literal (literal8
// included).
func contentFrom(v wire.Value) (string, string) {
	switch v.Kind {
	case wire.String, wire.Literal:
		return v.Str, ""
	}
	return "", "want a string or literal, got a " + describe(v)
}

// shape collects what is wrong with the form of a server value.
type shape struct{ problems []string }

func (s *shape) addf(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

func (s *shape) String() string { return strings.Join(s.problems, "; ") }

// nstring reads an nstring: NIL, a quoted string or a literal.
func (s *shape) nstring(where string, v wire.Value) *string {
	switch v.Kind {
	case wire.Nil:
		return nil
	case wire.String, wire.Literal:
		return str(v.Str)
	}
	s.addf("%s: want a string or NIL, got a %s", where, describe(v))
	return str(v.Str)
}

// string_ reads a string (not NIL).
func (s *shape) string_(where string, v wire.Value) string {
	switch v.Kind {
	case wire.String, wire.Literal:
		return v.Str
	}
	s.addf("%s: want a string, got a %s", where, describe(v))
	return v.Str
}

func (s *shape) number(where string, v wire.Value) uint64 {
	if v.Kind != wire.Number {
		s.addf("%s: want a number, got a %s", where, describe(v))
	}
	return v.Num
}

// envelopeFrom reads an ENVELOPE value (RFC 9051 section 9, envelope).
func envelopeFrom(v wire.Value) (*Envelope, string) {
	var s shape
	e := s.envelope("envelope", v)
	return e, s.String()
}

func (s *shape) envelope(where string, v wire.Value) *Envelope {
	if v.Kind != wire.List || len(v.List) != 10 {
		s.addf("%s: want a list of 10 fields, got a %s", where, describeList(v))
		return &Envelope{}
	}
	l := v.List
	return &Envelope{
		Date:      s.nstring(where+" date", l[0]),
		Subject:   s.nstring(where+" subject", l[1]),
		From:      s.addresses(where+" from", l[2]),
		Sender:    s.addresses(where+" sender", l[3]),
		ReplyTo:   s.addresses(where+" reply-to", l[4]),
		To:        s.addresses(where+" to", l[5]),
		Cc:        s.addresses(where+" cc", l[6]),
		Bcc:       s.addresses(where+" bcc", l[7]),
		InReplyTo: s.nstring(where+" in-reply-to", l[8]),
		MessageID: s.nstring(where+" message-id", l[9]),
	}
}

func describeList(v wire.Value) string {
	if v.Kind == wire.List {
		return fmt.Sprintf("list of %d", len(v.List))
	}
	return describe(v)
}

func (s *shape) addresses(where string, v wire.Value) []Address {
	if v.Kind == wire.Nil {
		return nil
	}
	if v.Kind != wire.List {
		s.addf("%s: want a list of addresses or NIL, got a %s", where, describe(v))
		return nil
	}
	out := []Address{}
	for i, a := range v.List {
		w := fmt.Sprintf("%s address %d", where, i+1)
		if a.Kind != wire.List || len(a.List) != 4 {
			s.addf("%s: want a list of 4 fields, got a %s", w, describeList(a))
			continue
		}
		out = append(out, Address{
			Name:    s.nstring(w+" name", a.List[0]),
			ADL:     s.nstring(w+" adl", a.List[1]),
			Mailbox: s.nstring(w+" mailbox", a.List[2]),
			Host:    s.nstring(w+" host", a.List[3]),
		})
	}
	return out
}

// bodyFrom reads a BODY or BODYSTRUCTURE value (RFC 9051 section 9,
// body).
func bodyFrom(v wire.Value) (*Body, string) {
	var s shape
	b := s.body("body", v, 0)
	return b, s.String()
}

func (s *shape) body(where string, v wire.Value, depth int) *Body {
	b := &Body{}
	if v.Kind != wire.List || len(v.List) == 0 {
		s.addf("%s: want a parenthesised body, got a %s", where, describeList(v))
		return b
	}
	if depth > maxDepth {
		s.addf("%s: nested deeper than %d", where, maxDepth)
		return b
	}
	l := v.List
	if l[0].Kind == wire.List {
		// body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
		b.Multipart = true
		i := 0
		for ; i < len(l) && l[i].Kind == wire.List; i++ {
			b.Parts = append(b.Parts, s.body(fmt.Sprintf("%s part %d", where, i+1), l[i], depth+1))
		}
		if i == len(l) {
			s.addf("%s: multipart without a subtype", where)
			return b
		}
		b.Subtype = strings.ToUpper(s.string_(where+" subtype", l[i]))
		ext := l[i+1:]
		if len(ext) > 0 {
			b.Params = s.params(where+" parameters", ext[0])
		}
		s.extTail(where, b, ext)
		return b
	}
	// body-type-1part: body-fields = param SP id SP desc SP enc SP octets.
	if len(l) < 7 {
		s.addf("%s: want at least 7 fields (type, subtype, parameters, id, description, encoding, size), got %d", where, len(l))
		return b
	}
	b.Type = strings.ToUpper(s.string_(where+" type", l[0]))
	b.Subtype = strings.ToUpper(s.string_(where+" subtype", l[1]))
	b.Params = s.params(where+" parameters", l[2])
	b.ID = s.nstring(where+" id", l[3])
	b.Description = s.nstring(where+" description", l[4])
	b.Encoding = strings.ToUpper(s.string_(where+" encoding", l[5]))
	b.Size = s.number(where+" size", l[6])
	rest := l[7:]
	isMsg := b.Type == "MESSAGE" && (b.Subtype == "RFC822" || b.Subtype == "GLOBAL")
	switch {
	case isMsg:
		if len(rest) < 3 {
			s.addf("%s: message/%s without envelope, body and lines", where, strings.ToLower(b.Subtype))
			return b
		}
		b.Envelope = s.envelope(where+" envelope", rest[0])
		b.Parts = []*Body{s.body(where+" encapsulated", rest[1], depth+1)}
		n := s.number(where+" lines", rest[2])
		b.Lines = &n
		rest = rest[3:]
	case b.Type == "TEXT":
		if len(rest) < 1 {
			s.addf("%s: text/%s without its size in lines", where, strings.ToLower(b.Subtype))
			return b
		}
		n := s.number(where+" lines", rest[0])
		b.Lines = &n
		rest = rest[1:]
	}
	if len(rest) > 0 {
		b.MD5 = s.nstring(where+" md5", rest[0])
	}
	s.extTail(where, b, rest)
	return b
}

// extTail reads the extension fields after the first: disposition,
// language, location; and counts them in b.Ext.
func (s *shape) extTail(where string, b *Body, ext []wire.Value) {
	b.Ext = min(len(ext), 4)
	if len(ext) > 1 {
		b.Disposition = s.disposition(where+" disposition", ext[1])
	}
	if len(ext) > 2 {
		b.Language = s.language(where+" language", ext[2])
	}
	if len(ext) > 3 {
		b.Location = s.nstring(where+" location", ext[3])
	}
}

func (s *shape) params(where string, v wire.Value) []Param {
	if v.Kind == wire.Nil {
		return nil
	}
	if v.Kind != wire.List || len(v.List)%2 != 0 {
		s.addf("%s: want NIL or a list of name and value strings, got a %s", where, describeList(v))
		return nil
	}
	out := []Param{}
	for i := 0; i < len(v.List); i += 2 {
		out = append(out, normParam(s.string_(where, v.List[i]), s.string_(where, v.List[i+1])))
	}
	sortParams(out)
	return out
}

func (s *shape) disposition(where string, v wire.Value) *Disposition {
	if v.Kind == wire.Nil {
		return nil
	}
	if v.Kind != wire.List || len(v.List) != 2 {
		s.addf("%s: want NIL or (type parameters), got a %s", where, describeList(v))
		return nil
	}
	return &Disposition{Type: strings.ToUpper(s.string_(where, v.List[0])), Params: s.params(where, v.List[1])}
}

func (s *shape) language(where string, v wire.Value) []string {
	switch v.Kind {
	case wire.Nil:
		return nil
	case wire.String, wire.Literal:
		return []string{strings.ToLower(v.Str)}
	case wire.List:
		out := []string{}
		for _, t := range v.List {
			out = append(out, strings.ToLower(s.string_(where, t)))
		}
		return out
	}
	s.addf("%s: want NIL, a string or a list of strings, got a %s", where, describe(v))
	return nil
}

// normSpace collapses white space runs to one space and trims.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

var wordDecoder = mime.WordDecoder{}

// decoded returns the RFC 2047 decoding of s (s itself when it does not
// decode).
func decoded(s string) string {
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return normSpace(s)
	}
	return normSpace(d)
}

// sameText reports whether got is want or an allowed reading of it: the
// same after white space is normalised, or (decode) the same after RFC
// 2047 decoding.
func sameText(want, got string, decode bool) bool {
	if normSpace(want) == normSpace(got) {
		return true
	}
	return decode && decoded(want) == decoded(got)
}

// reconcileNString replaces *got with want when got is an allowed
// reading: the same text, or NIL for an empty string where emptyNil.
func reconcileNString(want *string, got **string, decode, emptyNil bool) {
	g := *got
	switch {
	case want == nil || g == nil:
		if emptyNil && (want == nil && g != nil && *g == "" || g == nil && want != nil && *want == "") {
			*got = want
		}
	case sameText(*want, *g, decode):
		*got = want
	}
}

// reconcileEnvelope makes got equal to want wherever got is a reading
// of want that RFC 9051 section 7.5.2 allows.
func reconcileEnvelope(want, got *Envelope) {
	if want == nil || got == nil {
		return
	}
	if want.Date != nil && got.Date != nil && !sameText(*want.Date, *got.Date, false) && sameInstant(*want.Date, *got.Date) {
		got.Date = want.Date
	}
	reconcileNString(want.Date, &got.Date, false, true)
	reconcileNString(want.Subject, &got.Subject, true, true)
	reconcileNString(want.InReplyTo, &got.InReplyTo, false, true)
	reconcileNString(want.MessageID, &got.MessageID, false, true)
	for _, l := range [][2]*[]Address{{&want.From, &got.From}, {&want.Sender, &got.Sender}, {&want.ReplyTo, &got.ReplyTo},
		{&want.To, &got.To}, {&want.Cc, &got.Cc}, {&want.Bcc, &got.Bcc}} {
		w, g := *l[0], *l[1]
		if len(w) != len(g) || len(g) == 0 {
			continue
		}
		fixed := make([]Address, len(g))
		copy(fixed, g)
		for i := range fixed {
			reconcileAddress(&w[i], &fixed[i])
		}
		*l[1] = fixed
	}
}

func reconcileAddress(want, got *Address) {
	reconcileNString(want.Name, &got.Name, true, true)
	reconcileNString(want.ADL, &got.ADL, false, true)
	if want.quoted != nil && got.Mailbox != nil && *got.Mailbox == *want.quoted {
		got.Mailbox = want.Mailbox
	}
	if want.Host != nil && got.Host != nil && strings.EqualFold(*want.Host, *got.Host) {
		got.Host = want.Host
	}
}

// sameInstant reports whether two RFC 5322 dates name the same instant.
func sameInstant(a, b string) bool {
	ta, err := mail.ParseDate(a)
	if err != nil {
		return false
	}
	tb, err := mail.ParseDate(b)
	return err == nil && ta.Equal(tb)
}

// reconcileBody makes got equal to want wherever got is an allowed
// reading; for BODYSTRUCTURE (ext) it cuts want's extension data to as
// many fields as got has.
func reconcileBody(want, got *Body, ext bool) {
	if want == nil || got == nil {
		return
	}
	if ext && got.Ext < want.Ext {
		cutExt(want, got.Ext)
	}
	if !want.Multipart {
		for _, alt := range want.paramsAlt {
			if cmp.Equal(alt, got.Params) {
				got.Params = want.Params
			}
		}
	}
	reconcileNString(want.ID, &got.ID, false, false)
	reconcileNString(want.Description, &got.Description, false, false)
	reconcileNString(want.MD5, &got.MD5, false, false)
	reconcileNString(want.Location, &got.Location, false, false)
	if want.linesAlt != nil && got.Lines != nil && *got.Lines == *want.linesAlt {
		got.Lines = want.Lines
	}
	reconcileEnvelope(want.Envelope, got.Envelope)
	if len(want.Parts) == len(got.Parts) {
		for i := range want.Parts {
			reconcileBody(want.Parts[i], got.Parts[i], ext)
		}
	}
}

// cutExt drops the extension fields of b from the n+1st on.
func cutExt(b *Body, n int) {
	b.Ext = n
	if n < 1 {
		if b.Multipart {
			b.Params = nil
		}
		b.MD5 = nil
	}
	if n < 2 {
		b.Disposition = nil
	}
	if n < 3 {
		b.Language = nil
	}
	if n < 4 {
		b.Location = nil
	}
}
