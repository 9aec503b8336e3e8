// Package fuzz will hold the in-process server fuzzers and the live-server
// fuzzer. The parsers' own fuzz targets live next to them:
// transcripts/wire (FuzzSMTPReply, FuzzPOP3Response, FuzzIMAPResponse),
// transcripts/script (FuzzParse, FuzzFromRecording) and transcripts/sasl
// (FuzzNext).
package fuzz
