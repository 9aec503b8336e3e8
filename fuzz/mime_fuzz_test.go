package fuzz

import "testing"

// The MIME targets; their seeds include features/messages/*.eml.

// FuzzMIMEParse parses the input as a message within small limits.
func FuzzMIMEParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkMIMEParse(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzMIMERoundTrip parses, writes and parses the input again.
func FuzzMIMERoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkMIMERoundTrip(data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzMIMEDifferential reads the input with go-message and with the
// standard library; a disagreement is written to FindingsDir, not
// failed.
func FuzzMIMEDifferential(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := checkMIMEDifferential(data); err != nil {
			t.Fatal(err)
		}
	})
}
