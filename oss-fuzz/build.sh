#!/bin/bash -eu
# Builds mailspec's native Go fuzz targets as libFuzzer binaries, with
# their seed corpora and dictionaries, into $OUT. OSS-Fuzz and
# ClusterFuzzLite run it in their base-builder-go image, on a copy of the
# repository at $SRC/mailspec; it changes that copy (go.mod, the fuzz
# directory), never a developer's checkout. oss-fuzz/local.sh runs it
# outside a container, on a temporary copy.

set -eu
cd "$SRC/mailspec"

# The parser and MIME targets of package fuzz (fuzz/*_fuzz_test.go).
# oss-fuzz/seedzip's test checks this list against the package.
FUZZ_TARGETS="
FuzzSMTPReply
FuzzSMTPCommand
FuzzPOP3Response
FuzzPOP3Command
FuzzIMAPResponse
FuzzIMAPCommand
FuzzTranscript
FuzzMIMEParse
FuzzMIMERoundTrip
FuzzMIMEDifferential
"

# Targets of parsers that are not exported, next to them: package, target.
OTHER_TARGETS="
faults:FuzzProxySMTPFraming
faults:FuzzProxyPOP3Framing
faults:FuzzProxyIMAPFraming
faults:FuzzProxyEndOfData
targets/embedded:FuzzPOP3ServerLine
"

# The in-process server targets of package fuzz, listed one per line by
# their author in fuzz/server_targets.txt; none while it does not exist.
SERVER_TARGETS=""
if [ -f fuzz/server_targets.txt ]; then
  SERVER_TARGETS=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' fuzz/server_targets.txt | grep -v '^$' || true)
fi

# dict_for prints the dictionary a target gets, by the protocol in its name.
dict_for() {
  case "$1" in
    *SMTP*) echo smtp ;;
    *POP3*) echo pop3 ;;
    *IMAP*) echo imap ;;
    *MIME*) echo mime ;;
    *) echo "" ;;
  esac
}

# Seed corpora (raw inputs of fuzz/testdata/fuzz, framed for
# go-118-fuzz-build) and dictionaries, before the copy is changed.
go run ./oss-fuzz/seedzip -in fuzz/testdata/fuzz -out "$OUT" $FUZZ_TARGETS $SERVER_TARGETS
OTHER_NAMES=""
for pt in $OTHER_TARGETS; do
  OTHER_NAMES="$OTHER_NAMES ${pt##*:}"
done
for t in $FUZZ_TARGETS $SERVER_TARGETS $OTHER_NAMES; do
  d=$(dict_for "$t")
  if [ -n "$d" ]; then
    cp "oss-fuzz/$d.dict" "$OUT/$t.dict"
  fi
done

# compile_native_go_fuzzer finds a target's file by grepping its package
# directory for the target's name: only that file may hold it, so the
# corpora and the list of server targets go.
rm -rf fuzz/testdata fuzz/internal fuzz/server_targets.txt

# go-118-fuzz-build replaces package testing with its own, which must be
# a dependency of the module.
printf 'package fuzz\n\nimport _ "github.com/AdamKorcz/go-118-fuzz-build/testing"\n' > fuzz/ossfuzz_register.go
go mod tidy

for t in $FUZZ_TARGETS; do
  compile_native_go_fuzzer github.com/mailspec/mailspec/fuzz "$t" "$t"
done
for pt in $OTHER_TARGETS; do
  compile_native_go_fuzzer "github.com/mailspec/mailspec/${pt%%:*}" "${pt##*:}" "${pt##*:}"
done

# The server targets come last, and one that does not build does not stop
# the others: go-118-fuzz-build rewrites package testing in the target's
# own file only, so a target that hands its *testing.F (or *testing.T) to
# another package does not compile. A failed build can leave that file
# rewritten, so the package directory is restored after one.
failed=""
for t in $SERVER_TARGETS; do
  backup=$(mktemp -d)
  cp -a fuzz/. "$backup/"
  if ! compile_native_go_fuzzer github.com/mailspec/mailspec/fuzz "$t" "$t"; then
    failed="$failed $t"
    rm -rf fuzz && mkdir fuzz && cp -a "$backup/." fuzz/
  fi
  rm -rf "$backup"
done
if [ -n "$failed" ]; then
  echo "build.sh: the server targets$failed did not build (see oss-fuzz/README.md)" >&2
fi
