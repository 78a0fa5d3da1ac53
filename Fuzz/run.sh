#!/usr/bin/env bash
# Fuzz/run.sh TARGET [SECONDS]: builds one libFuzzer target and runs it for SECONDS (default 900)
# on its seeds (Fuzz/Corpus/TARGET/) and its working corpus (Fuzz/Work/TARGET/corpus/, git-ignored).
# Crashes go to Fuzz/Work/TARGET/artifacts/, the fuzzer's output to Fuzz/Work/TARGET/fuzz-0.log.
# TARGET: fuzz-front-matter, fuzz-post-decoder, fuzz-date, fuzz-markdown. See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

target=${1:-}
seconds=${2:-900}
case $target in
    fuzz-front-matter) max_len=4096 ;;
    fuzz-post-decoder) max_len=4096 ;;
    fuzz-date) max_len=64 ;;
    fuzz-markdown) max_len=4096 ;;
    *)
        echo "usage: Fuzz/run.sh fuzz-front-matter|fuzz-post-decoder|fuzz-date|fuzz-markdown [SECONDS]" >&2
        exit 2
        ;;
esac

# A release build (with -enable-testing, for @testable import) of the one product, apart from
# the normal build's folders. The linker's "Cannot export local symbol" warnings are noise.
scratch=$root/.build-fuzz
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "building $target ..."
if ! BULLETIN_FUZZ=1 swift build -c release --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing \
    --product "$target" >"$log" 2>&1; then
    grep -v "Cannot export local symbol" "$log" >&2
    exit 1
fi
binary=$scratch/release/$target

work=$root/Fuzz/Work/$target
mkdir -p "$work/corpus" "$work/artifacts"
seeds=$root/Fuzz/Corpus/$target
options=(
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
    -jobs=1 -workers=1 -print_final_stats=1
    -artifact_prefix="$work/artifacts/"
)
if [[ -f $root/Fuzz/$target.dict ]]; then options+=(-dict="$root/Fuzz/$target.dict"); fi

echo "fuzzing $target for $seconds s; log: $work/fuzz-0.log"
# Swift's backtracer reads memory that AddressSanitizer watches; libFuzzer prints the stack.
export SWIFT_BACKTRACE=enable=no
status=0
(cd "$work" && "$binary" "${options[@]}" "$work/corpus" "$seeds") >/dev/null 2>&1 || status=$?

# The last status line (#runs, cov, ft, corp, exec/s) and the final stats.
grep -E '^#[0-9]+' "$work/fuzz-0.log" | tail -n 1 || true
grep -E '^(stat::|Done )' "$work/fuzz-0.log" || true
if grep -qE 'ERROR: |Fatal error|deadly signal|Test unit written' "$work/fuzz-0.log"; then
    grep -E 'Fatal error|ERROR: |SUMMARY|Test unit written' "$work/fuzz-0.log" >&2
    echo "$target found a problem: see $work/fuzz-0.log and $work/artifacts/" >&2
    exit 1
fi
exit "$status"
