// Package baselines holds the known failures of the servers mailspec's own
// tests run against: the embedded reference system and the Debian Dovecot +
// Postfix profile. Each entry names the case, the RFC text the server
// violates and why the server, not the suite, is at fault.
package baselines

import "embed"

// FS holds <target>.yaml baseline files.
//
//go:embed *.yaml
var FS embed.FS
