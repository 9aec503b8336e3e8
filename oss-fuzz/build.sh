#!/bin/bash -eu
# Builds mailspec's native Go fuzz targets as libFuzzer binaries, with
# their seed corpora and dictionaries, into $OUT. OSS-Fuzz and
# ClusterFuzzLite run it in their base-builder-go image, on a copy of the
# repository at $SRC/mailspec; it changes that copy (go.mod, the fuzz
# directory), never a developer's checkout. oss-fuzz/local.sh runs it
# outside a container, on a temporary copy.

set -eu
cd "$SRC/mailspec"

# The targets of package fuzz (fuzz/*_fuzz_test.go): parsers, MIME and
# the in-process servers. oss-fuzz/seedzip's test checks this list
# against the package.
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
FuzzEmbeddedSMTP
FuzzEmbeddedIMAP
FuzzEmbeddedPOP3
"

# Targets of parsers that are not exported, next to them: package, target.
OTHER_TARGETS="
faults:FuzzProxySMTPFraming
faults:FuzzProxyPOP3Framing
faults:FuzzProxyIMAPFraming
faults:FuzzProxyEndOfData
targets/embedded:FuzzPOP3ServerLine
"

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
go run ./oss-fuzz/seedzip -in fuzz/testdata/fuzz -out "$OUT" $FUZZ_TARGETS
OTHER_NAMES=""
for pt in $OTHER_TARGETS; do
  OTHER_NAMES="$OTHER_NAMES ${pt##*:}"
done
for t in $FUZZ_TARGETS $OTHER_NAMES; do
  d=$(dict_for "$t")
  if [ -n "$d" ]; then
    cp "oss-fuzz/$d.dict" "$OUT/$t.dict"
  fi
done

# compile_native_go_fuzzer finds a target's file by grepping its package
# directory for the target's name: only that file may hold it, so the
# corpora go.
rm -rf fuzz/testdata fuzz/internal

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

