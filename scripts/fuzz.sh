#!/usr/bin/env bash
# Runs iso-core's fuzz targets with cargo-fuzz (libFuzzer).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Installs cargo-fuzz when missing. The toolchain here is stable, so the
# fuzzer's -Z flags are allowed with RUSTC_BOOTSTRAP=1. Seeds each target's
# corpus (crates/iso-core/fuzz/corpus/TARGET, not committed) from the
# committed fixtures, decompressed. libFuzzer runs with a 1 s per-input
# timeout and a 256 MiB malloc limit: a slower input is a hang, a larger
# allocation a bug. Findings land in crates/iso-core/fuzz/artifacts/TARGET;
# once fixed, copy each into crates/iso-core/tests/crashes/ (the replay test
# runs them all).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(udf open walk extract)

command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

fuzz=crates/iso-core/fuzz
for t in "${targets[@]}"; do
  corpus=$fuzz/corpus/$t
  mkdir -p "$corpus"
  if [ "$t" = udf ] && [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    # Seeds: the UDF fixtures, decompressed and cut to 4 MiB, and each as a
    # sparse input (iso_core_fuzz::sparse_image: u32 length in 2048-byte
    # chunks, then u32 chunk number + chunk for every non-zero chunk, the
    # anchors first, at most 1 MiB of chunks).
    for f in crates/iso-core/tests/fixtures/udf/*.udf.gz; do
      gzip -dc "$f" | head -c $((4 << 20)) > "$corpus/$(basename "$f" .gz)" || true
      gzip -dc "$f" | python3 -c '
import struct, sys
d = sys.stdin.buffer.read()
n = (len(d) + 2047) // 2048
chunks = [(i, d[i * 2048:(i + 1) * 2048]) for i in range(n)]
chunks = [c for c in chunks if c[1].strip(b"\0")]
chunks.sort(key=lambda c: (c[1][:2] != b"\x02\x00", c[0]))
out = [struct.pack("<I", n)]
for i, c in chunks[:512]:
    out.append(struct.pack("<I", i) + c.ljust(2048, b"\0"))
sys.stdout.buffer.write(b"".join(out))
' > "$corpus/$(basename "$f" .udf.gz).sparse"
    done
    cp crates/iso-core/tests/crashes/*udf* "$corpus/" 2>/dev/null || true
  fi
  if [ -z "$(ls -A "$corpus" 2>/dev/null)" ]; then
    # Seeds: every committed fixture image, decompressed, and the crash files.
    find crates/iso-core/tests/fixtures assets -name '*.gz' -size -8M | while read -r f; do
      out=$corpus/$(basename "$f" .gz)
      gzip -dc "$f" | head -c $((16 << 20)) > "$out" || true
    done
    cp assets/sample.iso "$corpus/" 2>/dev/null || true
    cp crates/iso-core/tests/crashes/* "$corpus/" 2>/dev/null || true
  fi
  echo "== fuzz $t for ${secs}s"
  (cd $fuzz && cargo fuzz run "$t" "corpus/$t" -- \
      -max_total_time="$secs" -timeout=1 -malloc_limit_mb=256 -rss_limit_mb=2048 \
      -max_len=$((4 << 20)) -print_final_stats=1) 2>&1 | tail -n 25
done
