package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// catalogueEntry is one case of `mailspec list`.
type catalogueEntry struct {
	ID       string   `json:"id"`
	Protocol string   `json:"protocol"`
	RFC      []string `json:"rfc"`
	Level    string   `json:"level"`
	Title    string   `json:"title"`
	Source   string   `json:"source"`
}

func cmdList(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailspec list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	var dirs, features listFlag
	fs.Var(&dirs, "transcripts", "directory of transcript files (repeatable; default: the built-in library)")
	fs.Var(&features, "features", "directory of a vendor's own .feature files (repeatable)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	ss, err := loadScripts(dirs)
	if err != nil {
		return err
	}
	if err := checkIDs(ss); err != nil {
		return err
	}
	suites, err := loadSuites(features, true)
	if err != nil {
		return err
	}
	if err := checkAllIDs(ss, suites); err != nil {
		return err
	}
	entries := make([]catalogueEntry, 0, len(ss))
	for _, s := range ss {
		e := catalogueEntry{ID: s.ID, Protocol: s.Protocol, Level: s.Level, Title: s.Title, Source: s.File}
		for _, r := range s.RFCs {
			e.RFC = append(e.RFC, "RFC "+r.Number+" "+r.Section)
		}
		entries = append(entries, e)
	}
	for _, su := range suites {
		for _, sc := range su.scenarios {
			e := catalogueEntry{ID: sc.ID, Protocol: sc.Protocol, Level: sc.Level, Title: sc.Title, Source: su.name + "/" + sc.File + ":" + strconv.Itoa(sc.Line)}
			for _, r := range sc.RFCs {
				e.RFC = append(e.RFC, "RFC "+r.Number+" "+r.Section)
			}
			entries = append(entries, e)
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROTOCOL\tRFC\tLEVEL\tTITLE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, e.Protocol, strings.Join(e.RFC, ", "), e.Level, e.Title)
	}
	return tw.Flush()
}
