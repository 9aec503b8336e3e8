// Package features embeds mailspec's Gherkin suites: features/<protocol>/
// holds each protocol's .feature files, its @security scenarios with it.
// The step vocabulary is in package steps (`mailspec steps` lists it).
//
// Messages holds the MIME messages the suites deliver and append
// (messages/<name>.eml, CRLF line ends): the IMAP suite checks the
// server's FETCH results against its own parse of them, and the fuzzers
// seed their MIME corpus from them.
package features

import "embed"

// FS holds <protocol>/<name>.feature.
//
//go:embed */*.feature
var FS embed.FS

// Messages holds messages/<name>.eml.
//
//go:embed messages/*.eml
var Messages embed.FS
