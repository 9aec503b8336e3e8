// Package features embeds mailspec's Gherkin suites: features/<protocol>/
// holds each protocol's .feature files, its @security scenarios with it.
// The step vocabulary is in package steps (`mailspec steps` lists it).
package features

import "embed"

// FS holds <protocol>/<name>.feature.
//
//go:embed */*.feature
var FS embed.FS
