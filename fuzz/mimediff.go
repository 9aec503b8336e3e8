package fuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/mailspec/mailspec/mimetree"
)

// The differential MIME target reads one input with go-message (through
// mimetree) and with the standard library (net/mail, mime/multipart,
// mime), and compares the structures they find. A disagreement is not a
// failure of the target: two readers of one message that see different
// parts are how a gateway is made to pass what the mailbox then shows,
// so each one is recorded as a finding for a person to judge.

// FindingsEnv names the directory MIME disagreements are written to.
const FindingsEnv = "MAILSPEC_MIME_FINDINGS"

// FindingsDir returns the directory MIME disagreements are written to:
// $MAILSPEC_MIME_FINDINGS, or mailspec-mime-findings in the system's
// temporary directory.
func FindingsDir() string {
	if d := os.Getenv(FindingsEnv); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "mailspec-mime-findings")
}

// Reading is what one MIME reader made of a message: its part tree, or
// the error that stopped it.
type Reading struct {
	Reader string         `json:"reader"`
	Error  string         `json:"error,omitempty"`
	Tree   *mimetree.Part `json:"tree,omitempty"`
	// Decoded holds address and text fields as the reader decodes them
	// (encoded words, RFC 2047; address lists, RFC 5322 section 3.4),
	// by field name; the root's only.
	Decoded map[string]string `json:"decoded,omitempty"`
	limit   bool
}

// MIMEFinding is one disagreement between go-message and the standard
// library on one input.
type MIMEFinding struct {
	// Kind names what they disagree on: "acceptance" (one reads the
	// message, the other rejects it), "media-type", "params" (the
	// boundary among them), "part-count", "header", "body",
	// "decode-error" or "decoded-field".
	Kind string `json:"kind"`
	// Path is the part where they first disagree, as IMAP numbers parts
	// ("2.1"); "" for the message itself.
	Path string `json:"path"`
	// Detail says what each reader found there.
	Detail string `json:"detail"`
	// Input is the message; InputText repeats it when it is UTF-8.
	Input     []byte  `json:"input"`
	InputText string  `json:"input_text,omitempty"`
	GoMessage Reading `json:"go_message"`
	Stdlib    Reading `json:"stdlib"`
}

// readGoMessage reads data with go-message (mimetree) within l.
func readGoMessage(data []byte, l mimetree.Limits) Reading {
	r := Reading{Reader: "github.com/emersion/go-message"}
	p, err := mimetree.Parse(bytes.NewReader(data), l)
	if err != nil {
		r.Error, r.limit = err.Error(), errors.Is(err, mimetree.ErrLimit)
		return r
	}
	r.Tree = p
	var h message.Header
	for _, f := range p.Header {
		h.Add(f.Key, f.Value)
	}
	mh := gomail.Header{Header: h}
	r.Decoded = map[string]string{}
	for _, k := range decodedFields {
		if !h.Has(k) {
			continue
		}
		if isAddressField(k) {
			list, err := mh.AddressList(k)
			r.Decoded[k] = formatAddresses(list, err)
		} else {
			v, _ := mh.Text(k)
			r.Decoded[k] = v
		}
	}
	return r
}

// decodedFields are the fields whose decoded values are compared.
var decodedFields = []string{"Subject", "From", "To", "Cc", "Reply-To", "Content-Description"}

func isAddressField(k string) bool {
	return k == "From" || k == "To" || k == "Cc" || k == "Reply-To"
}

// formatAddresses writes an address list in one comparable line.
func formatAddresses(list []*mail.Address, err error) string {
	if err != nil {
		return "error"
	}
	var parts []string
	for _, a := range list {
		parts = append(parts, fmt.Sprintf("%q <%s>", a.Name, a.Address))
	}
	return strings.Join(parts, ", ")
}

// stdReader reads a message with the standard library, within the same
// limits mimetree applies to go-message.
type stdReader struct {
	lim   mimetree.Limits
	parts int
	work  int64
}

var errStdLimit = errors.New("stdlib reading: limit exceeded")

type stdWork struct {
	r  io.Reader
	sr *stdReader
}

func (w *stdWork) Read(b []byte) (int, error) {
	n, err := w.r.Read(b)
	w.sr.work += int64(n)
	if w.sr.work > w.sr.lim.MaxWork {
		return n, errStdLimit
	}
	return n, err
}

// readStdlib reads data with net/mail, mime/multipart and mime, as a
// program built on the standard library would: the first Content-Type
// value, its boundary as mime.ParseMediaType gives it, NextRawPart, and
// base64 and quoted-printable decoders of the standard library.
func readStdlib(data []byte, l mimetree.Limits) Reading {
	r := Reading{Reader: "net/mail+mime/multipart"}
	sr := &stdReader{lim: l.WithDefaults()}
	if int64(len(data)) > sr.lim.MaxSize {
		r.Error, r.limit = "message larger than MaxSize", true
		return r
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	sr.parts = 1
	p, err := sr.part(textproto.MIMEHeader(msg.Header), msg.Body, 0)
	if err != nil {
		r.Error, r.limit = err.Error(), errors.Is(err, errStdLimit)
		return r
	}
	r.Tree = p
	dec := new(mime.WordDecoder)
	r.Decoded = map[string]string{}
	for _, k := range decodedFields {
		vs, ok := msg.Header[k]
		if !ok {
			continue
		}
		if isAddressField(k) {
			list, err := msg.Header.AddressList(k)
			r.Decoded[k] = formatAddresses(list, err)
		} else {
			v, err := dec.DecodeHeader(vs[0])
			if err != nil {
				v = vs[0]
			}
			r.Decoded[k] = v
		}
	}
	return r
}

// part reads one part of the standard library's reading. net/textproto
// keeps no field order, so the fields are sorted by name.
func (sr *stdReader) part(h textproto.MIMEHeader, body io.Reader, depth int) (*mimetree.Part, error) {
	p := &mimetree.Part{}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			p.Header = append(p.Header, mimetree.Field{Key: k, Value: v})
		}
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		p.MediaType = "text/plain"
	} else if mt, params, err := mime.ParseMediaType(ct); err == nil {
		p.MediaType, p.Params = mt, params
		if len(params) == 0 {
			p.Params = nil
		}
	} else {
		p.MediaType = ct
	}
	if strings.HasPrefix(p.MediaType, "multipart/") {
		if depth >= sr.lim.MaxDepth {
			return nil, fmt.Errorf("nested deeper than MaxDepth: %w", errStdLimit)
		}
		mr := multipart.NewReader(&stdWork{r: body, sr: sr}, p.Params["boundary"])
		p.Parts = []*mimetree.Part{}
		for {
			bp, err := mr.NextRawPart()
			if err == io.EOF {
				return p, nil
			}
			if err != nil {
				return nil, err
			}
			if sr.parts++; sr.parts > sr.lim.MaxParts {
				return nil, fmt.Errorf("more than MaxParts: %w", errStdLimit)
			}
			c, err := sr.part(bp.Header, bp, depth+1)
			if err != nil {
				return nil, err
			}
			p.Parts = append(p.Parts, c)
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	p.RawBody = raw
	var dec io.Reader
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		dec = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(raw))
	case "quoted-printable":
		dec = quotedprintable.NewReader(bytes.NewReader(raw))
	case "", "7bit", "8bit", "binary":
		dec = bytes.NewReader(raw)
	default:
		p.Body, p.DecodeErr = raw, "unknown transfer encoding"
		return p, nil
	}
	b, err := io.ReadAll(dec)
	if err != nil {
		p.DecodeErr = err.Error()
	}
	if b == nil {
		b = []byte{}
	}
	p.Body = b
	return p, nil
}

// compareReadings returns the first structural disagreement between the
// two readings, nil if they agree. Error messages are not compared, nor
// are readings stopped by a limit (the two readers spend their work
// differently).
func compareReadings(gm, std Reading) *MIMEFinding {
	if gm.limit || std.limit {
		return nil
	}
	switch {
	case gm.Tree == nil && std.Tree == nil:
		return nil
	case gm.Tree == nil || std.Tree == nil:
		return &MIMEFinding{Kind: "acceptance", Detail: fmt.Sprintf("go-message: %s; stdlib: %s", errOrOK(gm), errOrOK(std))}
	}
	if f := compareParts(gm.Tree, std.Tree, ""); f != nil {
		return f
	}
	for _, k := range decodedFields {
		if gm.Decoded[k] != std.Decoded[k] {
			return &MIMEFinding{Kind: "decoded-field", Detail: fmt.Sprintf("%s: go-message %q, stdlib %q", k, gm.Decoded[k], std.Decoded[k])}
		}
	}
	return nil
}

func errOrOK(r Reading) string {
	if r.Tree != nil {
		return "reads it"
	}
	return "rejects it (" + r.Error + ")"
}

// compareParts compares two parts and their parts.
func compareParts(a, b *mimetree.Part, path string) *MIMEFinding {
	f := func(kind, format string, args ...any) *MIMEFinding {
		return &MIMEFinding{Kind: kind, Path: path, Detail: fmt.Sprintf(format, args...)}
	}
	if a.MediaType != b.MediaType {
		return f("media-type", "go-message %q, stdlib %q", a.MediaType, b.MediaType)
	}
	if !mapsEqual(a.Params, b.Params) {
		return f("params", "go-message %q, stdlib %q", a.Params, b.Params)
	}
	if ha, hb := sortedFields(a.Header), sortedFields(b.Header); !slices.Equal(ha, hb) {
		return f("header", "go-message %q, stdlib %q", ha, hb)
	}
	if len(a.Parts) != len(b.Parts) {
		return f("part-count", "go-message %d parts, stdlib %d", len(a.Parts), len(b.Parts))
	}
	if (a.DecodeErr == "") != (b.DecodeErr == "") {
		return f("decode-error", "go-message %q, stdlib %q", a.DecodeErr, b.DecodeErr)
	}
	if !bytes.Equal(a.Body, b.Body) {
		return f("body", "go-message %d octets, stdlib %d", len(a.Body), len(b.Body))
	}
	for i := range a.Parts {
		sub := fmt.Sprint(i + 1)
		if path != "" {
			sub = path + "." + sub
		}
		if d := compareParts(a.Parts[i], b.Parts[i], sub); d != nil {
			return d
		}
	}
	return nil
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// sortedFields lists a header as "Key: value" lines sorted by key, the
// values of one key in their order (the standard library keeps no other).
func sortedFields(h []mimetree.Field) []string {
	out := make([]string, len(h))
	for i, f := range h {
		out[i] = textproto.CanonicalMIMEHeaderKey(f.Key) + ": " + f.Value
	}
	slices.SortStableFunc(out, func(x, y string) int {
		return strings.Compare(x[:strings.IndexByte(x, ':')], y[:strings.IndexByte(y, ':')])
	})
	return out
}

// maxFindingsPerKind bounds the findings one process writes for one kind
// and path, so that a long fuzzing run does not fill the disk with one
// disagreement in many shapes.
const maxFindingsPerKind = 20

var findingCounts = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

// diffMIME reads data with both readers and returns the finding if they
// disagree, nil if not, and an error if a reading broke its bounds.
func diffMIME(data []byte) (*MIMEFinding, error) {
	gm := readGoMessage(data, mimeLimits)
	std := readStdlib(data, mimeLimits)
	for _, r := range []Reading{gm, std} {
		if r.Tree != nil {
			if err := withinLimits(r.Tree, mimeLimits, int64(len(data))); err != nil {
				return nil, fmt.Errorf("%s: %w", r.Reader, err)
			}
		}
	}
	f := compareReadings(gm, std)
	if f == nil {
		return nil, nil
	}
	f.Input, f.GoMessage, f.Stdlib = data, gm, std
	if utf8.Valid(data) {
		f.InputText = string(data)
	}
	return f, nil
}

// RecordFinding writes f as JSON into dir, named by its kind and a hash
// of its input, and returns the file's path; an existing file of that
// name is left alone. Past maxFindingsPerKind findings of one kind and
// path in this process it writes nothing and returns "".
func RecordFinding(dir string, f *MIMEFinding) (string, error) {
	key := f.Kind + "@" + f.Path
	findingCounts.Lock()
	findingCounts.n[key]++
	n := findingCounts.n[key]
	findingCounts.Unlock()
	if n > maxFindingsPerKind {
		return "", nil
	}
	sum := sha256.Sum256(f.Input)
	name := filepath.Join(dir, f.Kind+"-"+hex.EncodeToString(sum[:8])+".json")
	if _, err := os.Stat(name); err == nil {
		return name, nil
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	return name, nil
}

// checkMIMEDifferential is the body of the differential target: it fails
// only when a reader breaks its bounds; a disagreement is recorded in
// FindingsDir. A finding that cannot be written is not the input's
// fault and does not fail it either.
func checkMIMEDifferential(data []byte) error {
	f, err := diffMIME(data)
	if err != nil || f == nil {
		return err
	}
	RecordFinding(FindingsDir(), f)
	return nil
}
