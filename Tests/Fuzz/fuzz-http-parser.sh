#!/usr/bin/env bash
# Builds the HTTP parser with libFuzzer and AddressSanitizer and fuzzes it, seeded with Fixtures/http.
#
# Usage, from the repository root:  Tests/Fuzz/fuzz-http-parser.sh [SECONDS]   (default 600)
# Findings (crashing inputs) are written to .build/fuzz/findings/; the grown corpus stays in .build/fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
out=.build/fuzz
mkdir -p "$out/corpus" "$out/findings"
cp Fixtures/http/*.http "$out/corpus/" 2>/dev/null || true

# The parser's files only (no sockets, no Telemetry), compiled into one module with the harness.
parser_files=(
  ASCII ByteScan ChunkSizeLine HTTPBodyFraming HTTPHeaders HTTPMethod HTTPParserError HTTPParserEvent
  HTTPParserLimits HTTPRequestHead HTTPRequestParser HTTPStatus HTTPVersion RequestHeadBuilder
)
sources=()
for file in "${parser_files[@]}"; do sources+=("Sources/HTTP/$file.swift"); done

swiftc -O -g -sanitize=fuzzer,address -parse-as-library -module-name HTTPFuzz \
  "${sources[@]}" Tests/Fuzz/HTTPParserFuzz.swift -o "$out/fuzz-http-parser"

"$out/fuzz-http-parser" "$out/corpus" -max_total_time="$seconds" -max_len=4096 \
  -artifact_prefix="$out/findings/" -print_final_stats=1
