#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan + libFuzzer), replays every case in
# fuzz/regressions/<target>/ (each must pass), then fuzzes each target for FUZZ_SECONDS
# (default 60) starting from fuzz/corpus/<target>/. Exits non-zero when a regression fails or
# the fuzzer finds a crash; the crashing input is left in $FUZZ_BUILD/artifacts/<target>/.
#   FUZZ_SECONDS=0 fuzz/run.sh     # build and replay the regressions only
# Needs clang-14 and libclang-rt-14-dev (scripts/setup.sh installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${FUZZ_BUILD:-$here/../build-fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=(entry_fuzzer snapshot_fuzzer)

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="${CXX_FUZZ:-clang++-14}" >/dev/null
cmake --build "$build" -j "${FUZZ_JOBS:-1}"

status=0
for target in "${targets[@]}"; do
  name=${target%_fuzzer}
  bin="$build/$target"
  # Regressions: inputs that once failed; every one must pass on every run.
  mapfile -t cases < <(find "$here/regressions/$name" -type f ! -name '*.md' 2>/dev/null | sort)
  if [ ${#cases[@]} -gt 0 ]; then
    echo "== $target: replaying ${#cases[@]} regression case(s)"
    if ! "$bin" "${cases[@]}" >"$build/$target.regressions.log" 2>&1; then
      echo "FAIL: $target regression replay (log: $build/$target.regressions.log)"
      tail -30 "$build/$target.regressions.log"
      status=1
    fi
  fi
  [ "$seconds" -gt 0 ] || continue
  # Fuzz from a working copy of the seed corpus, so the tree only holds the hand-made seeds.
  work="$build/corpus/$name"
  mkdir -p "$work" "$build/artifacts/$name"
  cp -n "$here/corpus/$name/"* "$work/" 2>/dev/null || true
  echo "== $target: fuzzing for ${seconds} s"
  if ! "$bin" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=70000 \
       -artifact_prefix="$build/artifacts/$name/" -print_final_stats=1 >"$build/$target.log" 2>&1; then
    echo "FAIL: $target found a problem (log: $build/$target.log, input in $build/artifacts/$name/)"
    grep -E "ERROR|invariant|SUMMARY|Test unit written" "$build/$target.log" | head -20
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov: .*ft:" "$build/$target.log" | tail -3 || true
done
exit $status
