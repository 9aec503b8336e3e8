package embedded

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzPOP3ServerLine checks the POP3 front-end's command parsing on its
// own (RFC 1939 section 3, RFC 5034 for the SASL exchange), against
// oracles built from the standard library: lines are read as LF-ended
// (CR before LF dropped), a line over the limit is dropped whole and the
// next one read, keyword and argument split at the first space, message
// numbers are 1 to 9 digits, TOP counts of more digits mean "all lines",
// and the SASL PLAIN response splits at its NULs. It is listed in package
// fuzz's documentation.
func FuzzPOP3ServerLine(f *testing.F) {
	for _, s := range []string{
		"USER alice\r\nPASS secret\r\nTOP 1 99999999999\r\nRETR 0001\r\n",
		"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n=\r\n*\r\n",
		"LIST \r\nx" + strings.Repeat("y", 70) + "\r\nNOOP\n\r\n",
		"AUTH PLAIN YQBiAGM=\r\nAUTH PLAIN AABiAA==\r\nunterminated",
	} {
		f.Add([]byte(s))
	}
	const max = 64
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(data), 16)
		rest := data
		for len(rest) > 0 {
			i := bytes.IndexByte(rest, '\n')
			line, err := readLine(br, max)
			if i < 0 {
				if err == nil {
					t.Fatalf("readLine read %q from the unterminated %q", line, rest)
				}
				return
			}
			seg := rest[:i+1]
			rest = rest[i+1:]
			if len(seg) > max {
				if !errors.Is(err, errLineTooLong) {
					t.Fatalf("line %q of %d octets: readLine = %q, %v; want errLineTooLong", seg, len(seg), line, err)
				}
				continue
			}
			want := strings.TrimSuffix(strings.TrimSuffix(string(seg), "\n"), "\r")
			if err != nil || line != want {
				t.Fatalf("readLine of %q = %q, %v; want %q", seg, line, err, want)
			}
			checkCommandLine(t, line)
		}
		if _, err := readLine(br, max); err != io.EOF {
			t.Fatalf("readLine at the end = %v, want EOF", err)
		}
	})
}

func checkCommandLine(t *testing.T, line string) {
	t.Helper()
	keyword, arg := splitCommand(line)
	if want := keyword + " " + arg; strings.Contains(line, " ") && want != line || !strings.Contains(line, " ") && (keyword != line || arg != "") {
		t.Fatalf("splitCommand(%q) = %q, %q", line, keyword, arg)
	}
	if strings.Contains(keyword, " ") {
		t.Fatalf("splitCommand(%q): keyword %q holds a space", line, keyword)
	}
	for _, a := range append([]string{arg}, strings.Fields(arg)...) {
		digits := a != "" && strings.Trim(a, "0123456789") == ""
		n, ok := parseNumber(a)
		if want := digits && len(a) <= 9; ok != want {
			t.Fatalf("parseNumber(%q) ok = %v, want %v", a, ok, want)
		}
		if ok {
			if w, _ := strconv.Atoi(a); n != w {
				t.Fatalf("parseNumber(%q) = %d, want %d", a, n, w)
			}
		}
		c, ok := parseCount(a)
		switch {
		case ok != digits:
			t.Fatalf("parseCount(%q) ok = %v, want %v", a, ok, digits)
		case digits && len(a) > 9 && c != math.MaxInt32:
			t.Fatalf("parseCount(%q) = %d, want all lines", a, c)
		case digits && len(a) <= 9 && c != n:
			t.Fatalf("parseCount(%q) = %d, want %d", a, c, n)
		}
		b, ok := decodeSASL(a)
		std, err := base64.StdEncoding.DecodeString(a)
		if a != "=" && (ok != (err == nil) || ok && !bytes.Equal(b, std)) {
			t.Fatalf("decodeSASL(%q) = %q, %v; the standard decoder says %q, %v", a, b, ok, std, err)
		}
		if a == "=" && (!ok || len(b) != 0) {
			t.Fatalf(`decodeSASL("=") = %q, %v; want an empty response`, b, ok)
		}
		if !ok {
			continue
		}
		authz, authc, pass, ok := parsePlain(b)
		parts := strings.Split(string(b), "\x00")
		want := len(parts) == 3 && parts[1] != "" && parts[2] != ""
		if ok != want || ok && authz+"\x00"+authc+"\x00"+pass != string(b) {
			t.Fatalf("parsePlain(%q) = %q, %q, %q, %v", b, authz, authc, pass, ok)
		}
	}
}
