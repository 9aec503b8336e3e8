package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mailspec/mailspec/steps"
	"github.com/mailspec/mailspec/transcripts"
	"github.com/mailspec/mailspec/transcripts/wire"
)

// cleanPrefix is the prefix of every name a run creates (steps.MailboxPrefix);
// clean refuses to remove anything else.
const cleanPrefix = "mailspec-"

// runHeader marks the messages the suites append or deliver; its value is
// the run id.
const runHeader = "X-Mailspec-Run"

// cmdClean removes what killed runs left behind on a profile's accounts:
// the mailboxes whose names start with the prefix (deepest first) and,
// on disposable accounts, the messages in INBOX that carry the header
// X-Mailspec-Run (with UIDPLUS's UID EXPUNGE, RFC 4315 section 2.1, so
// that no other message marked \Deleted is expunged).
//
// Exit status: 0 when everything found was removed; 1 when something
// could not be; 2 when it could not start (bad profile, refused
// connection, wrong password).
func cmdClean(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("mailspec clean", flag.ContinueOnError)
	fs.SetOutput(stderr)
	profile := fs.String("profile", "", "target profile file (required)")
	prefix := fs.String("prefix", cleanPrefix, "remove mailboxes whose names start with this (must start with "+cleanPrefix+")")
	dryRun := fs.Bool("dry-run", false, "print what would be removed, remove nothing")
	timeout := fs.Duration("timeout", 10*time.Second, "deadline for each server reply")
	if err := fs.Parse(args); err != nil {
		return 2, &exitError{code: 2}
	}
	switch {
	case fs.NArg() > 0:
		return 2, usageErr("clean takes no arguments (got %q)", fs.Arg(0))
	case *profile == "":
		return 2, usageErr("clean needs --profile FILE")
	case !strings.HasPrefix(*prefix, cleanPrefix):
		return 2, usageErr("--prefix %q does not start with %q: clean removes only what mailspec runs create", *prefix, cleanPrefix)
	case strings.ContainsAny(*prefix, "*%\"\\ \r\n\x00"):
		return 2, usageErr("--prefix %q has a character that is not allowed in it", *prefix)
	case *timeout <= 0:
		return 2, usageErr("--timeout must be positive")
	}
	p, err := transcripts.LoadProfile(*profile, nil)
	if err != nil {
		return 2, usageErr("%v", err)
	}
	secrets := newScrubber([]*transcripts.Profile{p})
	ep, ok := imapEndpoint(p)
	if !ok {
		return 2, usageErr("the profile %s has no imap or imaps endpoint", p.Name)
	}
	opts := transcripts.Options{Timeout: *timeout, DialTimeout: *timeout}
	// The run's pre-flight, on the IMAP endpoint only: every account's
	// credentials are checked before anything is removed.
	pre := *p
	pre.Endpoints = []transcripts.Endpoint{ep}
	if _, err := transcripts.Preflight(ctx, &pre, opts); err != nil {
		return 2, &exitError{code: 2, msg: secrets.scrub(err.Error())}
	}
	code := 0
	for _, a := range p.Accounts {
		line, ok := cleanAccount(ctx, p, ep, a, opts, *prefix, *dryRun)
		fmt.Fprintln(stdout, secrets.scrub(a.User+": "+line))
		if !ok {
			code = 1
		}
	}
	return code, nil
}

// imapEndpoint is the profile's IMAP endpoint: imap (STARTTLS where
// offered), else imaps.
func imapEndpoint(p *transcripts.Profile) (transcripts.Endpoint, bool) {
	if ep, ok := p.Endpoint("imap"); ok {
		return ep, true
	}
	return p.Endpoint("imaps")
}

// cleanAccount cleans one account and describes what it did in one line;
// ok is false when something it found could not be removed.
func cleanAccount(ctx context.Context, p *transcripts.Profile, ep transcripts.Endpoint, a transcripts.Account, opts transcripts.Options, prefix string, dryRun bool) (string, bool) {
	s, err := steps.OpenIMAP(ctx, p, ep, a, opts)
	if err != nil {
		return "not cleaned: " + err.Error(), false
	}
	defer func() {
		s.IMAPCommand("LOGOUT")
		s.Close()
	}()
	verb := "removed"
	if dryRun {
		verb = "would remove"
	}
	var parts []string
	ok := true

	var found []string
	keep := func(name, _ string) bool {
		if dryRun {
			for _, f := range found {
				if f == name {
					return false
				}
			}
			found = append(found, name)
			return false
		}
		return true
	}
	removed, err := steps.RemoveMailboxes(s, prefix, keep)
	if dryRun {
		removed = found
	}
	parts = append(parts, fmt.Sprintf("%s %s", verb, countNames(len(removed), "mailbox", "mailboxes", removed)))
	if err != nil {
		parts = append(parts, "not removed: "+oneLine(err.Error()))
		ok = false
	}

	if !a.Disposable {
		parts = append(parts, "INBOX not searched (the account is not disposable)")
		return strings.Join(parts, "; "), ok
	}
	msg, mok := cleanInbox(s, strings.TrimSuffix(strings.TrimPrefix(prefix, cleanPrefix), "-"), verb, dryRun)
	parts = append(parts, msg)
	return strings.Join(parts, "; "), ok && mok
}

func countNames(n int, one, many string, names []string) string {
	noun := many
	if n == 1 {
		noun = one
	}
	if n == 0 {
		return "0 " + noun
	}
	return fmt.Sprintf("%d %s (%s)", n, noun, strings.Join(names, ", "))
}

// cleanInbox removes the messages of INBOX whose X-Mailspec-Run header
// contains runID (every tagged message when runID is empty).
func cleanInbox(s *transcripts.Session, runID, verb string, dryRun bool) (string, bool) {
	cmd := "SELECT INBOX"
	if dryRun {
		cmd = "EXAMINE INBOX"
	}
	if _, tagged, err := s.IMAPCommand(cmd); err != nil || tagged.Status != "OK" {
		return "INBOX not searched: " + cmd + ": " + replyOrErr(tagged, err), false
	}
	untagged, tagged, err := s.IMAPCommand("UID SEARCH HEADER " + runHeader + " " + strconv.Quote(runID))
	if err != nil || tagged.Status != "OK" {
		return "INBOX not searched: UID SEARCH: " + replyOrErr(tagged, err), false
	}
	uids := searchUIDs(untagged)
	if len(uids) == 0 {
		return verb + " 0 tagged messages from INBOX", true
	}
	n := fmt.Sprintf("%d tagged %s", len(uids), plural(len(uids), "message", "messages"))
	if dryRun {
		return verb + " " + n + " from INBOX", true
	}
	if !s.HasCap("UIDPLUS") {
		return "left " + n + " in INBOX: the server lacks UIDPLUS (RFC 4315), and EXPUNGE without it would also remove messages others marked \\Deleted", true
	}
	set := uidSet(uids)
	if _, tagged, err := s.IMAPCommand(`UID STORE ` + set + ` +FLAGS.SILENT (\Deleted)`); err != nil || tagged.Status != "OK" {
		return "left " + n + " in INBOX: UID STORE: " + replyOrErr(tagged, err), false
	}
	if _, tagged, err := s.IMAPCommand("UID EXPUNGE " + set); err != nil || tagged.Status != "OK" {
		return "left " + n + " in INBOX: UID EXPUNGE: " + replyOrErr(tagged, err), false
	}
	return verb + " " + n + " from INBOX", true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func replyOrErr(r wire.IMAPResponse, err error) string {
	if err != nil {
		return oneLine(err.Error())
	}
	return strings.TrimSpace(string(r.Raw))
}

// searchUIDs collects the numbers of SEARCH responses (RFC 3501 section
// 7.2.5, "* SEARCH 2 5 7"), sorted.
func searchUIDs(rs []wire.IMAPResponse) []uint64 {
	var out []uint64
	for _, r := range rs {
		if r.Kind != wire.IMAPUntagged || r.Keyword != "SEARCH" {
			continue
		}
		for _, f := range r.Fields {
			if f.Kind == wire.Number && f.Num > 0 {
				out = append(out, f.Num)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// uidSet renders UIDs as a sequence set, runs of consecutive UIDs as
// ranges (RFC 9051 section 9: sequence-set).
func uidSet(uids []uint64) string {
	var b strings.Builder
	for i := 0; i < len(uids); {
		j := i
		for j+1 < len(uids) && uids[j+1] == uids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uids[i], 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uids[j], 10))
		}
		i = j + 1
	}
	return b.String()
}
