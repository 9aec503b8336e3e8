#!/bin/bash -eu
# Runs oss-fuzz/build.sh outside a container, as OSS-Fuzz would, on a
# temporary copy of the repository, and then runs one libFuzzer binary on
# its seed corpus. Needs clang (Debian: apt-get install clang) and
# go-118-fuzz-build on PATH:
#
#   GOBIN=/tmp/gobin GOFLAGS=-mod=mod go install github.com/AdamKorcz/go-118-fuzz-build@latest
#   PATH=/tmp/gobin:$PATH oss-fuzz/local.sh [TARGET [SECONDS]]
#
# TARGET (default FuzzSMTPReply) is run for SECONDS (default 10); build.sh
# is run with ONLY_TARGETS=TARGET unless ALL=1 is set. Nothing in the
# checkout changes: the build works on a copy and writes to $WORK/out.

repo=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-FuzzSMTPReply}
seconds=${2:-10}
WORK=${WORK:-$(mktemp -d /tmp/mailspec-ossfuzz.XXXXXX)}
export SRC=$WORK/src OUT=$WORK/out
mkdir -p "$SRC" "$OUT" "$WORK/bin"

command -v clang >/dev/null || { echo "local.sh: clang is not installed" >&2; exit 2; }
command -v go-118-fuzz-build >/dev/null || { echo "local.sh: go-118-fuzz-build is not on PATH" >&2; exit 2; }

# The repository as OSS-Fuzz's Dockerfile would place it.
rm -rf "$SRC/mailspec"
mkdir -p "$SRC/mailspec"
(cd "$repo" && tar --exclude=.git -cf - .) | (cd "$SRC/mailspec" && tar -xf -)

# What compile_native_go_fuzzer does in base-builder-go, for libFuzzer:
# go-118-fuzz-build makes an archive of the target (it rewrites package
# testing in a copy of the harness file itself), clang links it with
# libFuzzer.
cat > "$WORK/bin/compile_native_go_fuzzer" <<'SHIM'
#!/bin/bash -eu
path=$1 function=$2 fuzzer=$3
if [ -n "${ONLY_TARGETS:-}" ] && [[ " $ONLY_TARGETS " != *" $fuzzer "* ]]; then
  exit 0
fi
dir=$(go list -tags gofuzz -f '{{.Dir}}' "$path")
n=$(grep -r -l -s --include='*.go' "$function" "$dir" | wc -l)
if [ "$n" -ne 1 ]; then
  echo "compile_native_go_fuzzer: $function is named in $n files of $dir, not 1" >&2
  exit 1
fi
cd "$dir"
go-118-fuzz-build -tags gofuzz -o "$WORK/$fuzzer.a" -func "$function" .
clang -fsanitize=fuzzer "$WORK/$fuzzer.a" -o "$OUT/$fuzzer"
echo "built $OUT/$fuzzer"
SHIM
chmod +x "$WORK/bin/compile_native_go_fuzzer"

if [ "${ALL:-}" != 1 ]; then
  export ONLY_TARGETS=$target
fi
export WORK
PATH="$WORK/bin:$PATH" bash -eu "$SRC/mailspec/oss-fuzz/build.sh"

# Run the target on its seed corpus for a while.
corpus=$WORK/corpus/$target
mkdir -p "$corpus"
if [ -f "$OUT/${target}_seed_corpus.zip" ]; then
  (cd "$corpus" && unzip -o -q "$OUT/${target}_seed_corpus.zip")
fi
dict=()
if [ -f "$OUT/$target.dict" ]; then
  dict=(-dict="$OUT/$target.dict")
fi
"$OUT/$target" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 "$corpus"
echo "local.sh: $target ran $seconds s on $(ls "$corpus" | wc -l) inputs; build in $WORK"
