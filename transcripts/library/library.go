// Package library embeds mailspec's starter transcript library: recorded
// and hand-written exchanges for SMTP (library/smtp), POP3 (library/pop3)
// and IMAP (library/imap), each with its case id, RFC sections and level.
// The format is documented in transcripts/script/FORMAT.md.
package library

import "embed"

// FS holds the transcript files as <protocol>/<name>.txt.
//
//go:embed smtp/*.txt pop3/*.txt imap/*.txt
var FS embed.FS
