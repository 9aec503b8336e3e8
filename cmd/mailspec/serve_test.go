package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailspec/mailspec/transcripts"
)

// TestServe runs `mailspec serve`, waits for the profile it writes, and
// uses that profile as a vendor would: pre-flight logs in everywhere.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "embedded.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	var wg sync.WaitGroup
	var code int
	wg.Add(1)
	go func() {
		defer wg.Done()
		code = runMain(ctx, []string{"serve", "--profile-out", profile}, &out, &errb)
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()
	var p *transcripts.Profile
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(profile); err == nil {
			if p, err = transcripts.LoadProfile(profile, nil); err == nil {
				break
			}
		}
	}
	if p == nil {
		t.Fatalf("serve wrote no loadable profile; stderr %q", errb.String())
	}
	if len(p.Endpoints) != 7 || len(p.Accounts) < 3 || p.TLS.CAFile == "" {
		t.Fatalf("profile: %d endpoints, %d accounts, CA %q", len(p.Endpoints), len(p.Accounts), p.TLS.CAFile)
	}
	if _, err := transcripts.Preflight(context.Background(), p, transcripts.Options{Timeout: 10 * time.Second}); err != nil {
		t.Fatalf("pre-flight against the served system: %v", err)
	}
	cancel()
	wg.Wait()
	if code != 0 {
		t.Errorf("serve exited %d: %s", code, errb.String())
	}
	for _, want := range []string{"imaps://127.0.0.1:", "smtp://127.0.0.1:", p.Accounts[0].User, "profile: " + profile} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve's output lacks %q:\n%s", want, out.String())
		}
	}
}
