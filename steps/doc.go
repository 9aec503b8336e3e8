// Package steps will hold the godog step definitions of the Gherkin
// suites in features/ (one file per protocol plus the per-scenario world).
// Steps stay thin: they drive sessions of package transcripts.
package steps
