package steps

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsDomain(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"example.test", true},
		{"mail-1.example.test", true},
		{"Hello", true},
		{"localhost", true},
		{"", false},
		{"-bad.example", false},
		{"bad-.example", false},
		{"a..b", false},
		{"trailing.", false},
		{"under_score.test", false},
		{"***", false},
	} {
		if got := isDomain(tc.in); got != tc.want {
			t.Errorf("isDomain(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestIsAddressLiteral(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"[127.0.0.1]", true},
		{"[255.255.255.255]", true},
		{"[256.0.0.1]", false},
		{"[1.2.3]", false},
		{"[IPv6:::1]", true},
		{"[IPv6:2001:db8::1]", true},
		{"[IPv6:nonsense]", false},
		{"[x-tag:abc]", true},
		{"[x-tag:]", false},
		{"[]", false},
		{"127.0.0.1", false},
	} {
		if got := isAddressLiteral(tc.in); got != tc.want {
			t.Errorf("isAddressLiteral(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestGreetingProblem(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		ok    bool
	}{
		{[]string{"220 example.test ESMTP Service Ready"}, true},
		{[]string{"220 [127.0.0.1] no name"}, true},
		{[]string{"220-mail.example.test welcome", "220-more text", "220 "}, true},
		{[]string{"220 mail.example.test"}, true},
		{[]string{"220 *** no domain"}, false},
		{[]string{"220 "}, false},
		{[]string{"220"}, false},
		{nil, false},
	} {
		if got := greetingProblem(tc.lines); (got == "") != tc.ok {
			t.Errorf("greetingProblem(%q) = %q, want ok=%v", tc.lines, got, tc.ok)
		}
	}
}

func TestEHLOProblem(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		ok    bool
	}{
		{[]string{"250 mail.example.test"}, true},
		{[]string{"250-mail.example.test greets you", "250-PIPELINING", "250-SIZE 10240000", "250 AUTH PLAIN LOGIN"}, true},
		{[]string{"250-Hello x", "250 LIMITS RCPTMAX=100"}, true},
		{[]string{"250-mail.example.test", "250 X-EXT-1 a=b"}, true},
		{[]string{"250-mail.example.test", "250 AUTH=PLAIN LOGIN"}, false},
		{[]string{"250-mail.example.test", "250 _BAD"}, false},
		{[]string{"250-mail.example.test", "250 -BAD"}, false},
		{[]string{"250-mail.example.test", "250 SIZE  100"}, false},
		{[]string{"250-mail.example.test", "250 SIZE "}, false},
		{[]string{"250-mail.example.test", "250 "}, false},
		{[]string{"250-*** bad", "250 PIPELINING"}, false},
	} {
		if got := ehloProblem(tc.lines); (got == "") != tc.ok {
			t.Errorf("ehloProblem(%q) = %q, want ok=%v", tc.lines, got, tc.ok)
		}
	}
}

func TestRcptmax(t *testing.T) {
	for _, tc := range []struct {
		caps []string
		n    int
		ok   bool
	}{
		{[]string{"PIPELINING", "LIMITS RCPTMAX=100"}, 100, true},
		{[]string{"LIMITS MAILMAX=10 rcptmax=20"}, 20, true},
		{[]string{"LIMITS MAILMAX=10"}, 0, false},
		{[]string{"LIMITS RCPTMAX=0"}, 0, false},
		{[]string{"LIMITS RCPTMAX=x"}, 0, false},
		{[]string{"SIZE 100"}, 0, false},
		{nil, 0, false},
	} {
		n, ok := rcptmax(tc.caps)
		if n != tc.n || ok != tc.ok {
			t.Errorf("rcptmax(%q) = %d, %v, want %d, %v", tc.caps, n, ok, tc.n, tc.ok)
		}
	}
}

func TestParseCodes(t *testing.T) {
	got, err := parseCodes("452, 5xx,250")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"452", "5xx", "250"}, got); diff != "" {
		t.Errorf("parseCodes (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"45", "4522", "", "5yz", "250,"} {
		if _, err := parseCodes(bad); err == nil {
			t.Errorf("parseCodes(%q) succeeded, want an error", bad)
		}
	}
}
