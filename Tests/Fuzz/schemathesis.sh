#!/usr/bin/env bash
# Fuzzes the HTTP API from the outside with schemathesis (4.x): generated requests for every operation of
# Docs/openapi.yaml, sent to a real `emporium serve`, once with a customer's token and once with an administrator's,
# each response checked for server errors, status codes and bodies the document does not describe, and methods the
# document does not list (`not_a_server_error`, `status_code_conformance`, `response_schema_conformance`,
# `unsupported_method`). Exits 0 only when both runs find nothing.
#
#   Tests/Fuzz/schemathesis.sh                  # CI's budget: 10 examples per operation, seed 1
#   Tests/Fuzz/schemathesis.sh 100              # a longer run
#   FUZZ_SEED=7 Tests/Fuzz/schemathesis.sh 25   # another seed
#   Tests/Fuzz/schemathesis.sh 50 --include-path-regex cart --report har   # further arguments go to `st run`
#
# It builds nothing: it runs the debug build `.build/debug/emporium` (`swift build` makes it; `.ci/run` has).
# Each run gets its own server on a free port and a fresh data directory under .build/schemathesis/, without rate
# limits, with the cheapest password hashes and a login throttle a password-guessing fuzzer cannot trip. The
# server's log and schemathesis's JUnit report stay there; nothing is written into the source tree.
set -euo pipefail
cd "$(dirname "$0")/../.."

examples="${1:-${FUZZ_MAX_EXAMPLES:-10}}"
shift $(($# > 0 ? 1 : 0))
seed="${FUZZ_SEED:-1}"
# A hard stop per run, far above what CI's budget takes (under a minute each on two cores), so a hang fails.
limit="${FUZZ_TIMEOUT:-1200}"
binary=.build/debug/emporium
work=.build/schemathesis
checks=not_a_server_error,status_code_conformance,response_schema_conformance,unsupported_method

if [ ! -x "$binary" ]; then
  echo "schemathesis.sh: $binary is missing; build it first with 'swift build'" >&2
  exit 2
fi
if ! python3 -c "import schemathesis" >/dev/null 2>&1; then
  echo "schemathesis.sh: schemathesis is not installed; pip install 'schemathesis==4.32.5'" >&2
  exit 2
fi

rm -rf "$work"
mkdir -p "$work"
server=""
# Stops the server as an operator would (SIGTERM); the status is the server's exit status.
stop_server() {
  local code=0
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || code=$?
  fi
  server=""
  return "$code"
}
trap 'stop_server || true' EXIT

# run ROLE: starts a server, fuzzes it as ROLE, stops it; the exit status says whether anything failed.
run() {
  local role=$1 dir="$work/$1" url="" status=0
  shift
  mkdir -p "$dir"
  "$binary" serve --port 0 --data "$dir/data" --rate-limit 0 --auth-rate-limit 0 --queue-target 0 \
    --set identity.password-cost=1 --set identity.max-failed-logins=1000000 --log-level warning \
    >"$dir/server.out" 2>"$dir/server.log" &
  server=$!
  for _ in $(seq 1 120); do
    url=$(sed -n 's|^emporium .* listening on \(http://[^ ]*\)/$|\1|p' "$dir/server.out")
    [ -n "$url" ] && break
    if ! kill -0 "$server" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ -z "$url" ]; then
    echo "schemathesis.sh: the server did not start; its output:" >&2
    cat "$dir/server.out" "$dir/server.log" >&2
    return 1
  fi

  export EMPORIUM_FUZZ_URL="$url"
  if [ "$role" = admin ]; then
    export EMPORIUM_FUZZ_EMAIL=admin@emporium.local
    EMPORIUM_FUZZ_PASSWORD=$(cat "$dir/data/initial-admin-password")
    export EMPORIUM_FUZZ_PASSWORD
    export EMPORIUM_FUZZ_REGISTER=0
  else
    export EMPORIUM_FUZZ_EMAIL=fuzz-customer@example.com
    export EMPORIUM_FUZZ_PASSWORD="a customer password for fuzzing"
    export EMPORIUM_FUZZ_REGISTER=1
  fi

  echo "== schemathesis as $role: $url, $examples examples per operation, seed $seed"
  local started=$SECONDS
  SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="Tests/Fuzz${PYTHONPATH:+:$PYTHONPATH}" \
    HYPOTHESIS_STORAGE_DIRECTORY="$work/hypothesis" PYTHONDONTWRITEBYTECODE=1 \
    timeout "$limit" python3 -m schemathesis.cli --config-file Tests/Fuzz/schemathesis.toml run Docs/openapi.yaml \
    --url "$url" \
    --checks "$checks" \
    --max-examples "$examples" \
    --seed "$seed" \
    --workers 1 \
    --generation-database none \
    --no-color \
    --report junit --report-dir "$dir" \
    "$@" \
    || status=$?
  echo "== schemathesis as $role: exit $status after $((SECONDS - started)) s"

  if ! kill -0 "$server" 2>/dev/null; then
    echo "schemathesis.sh: the server died during the $role run; the end of its log:" >&2
    tail -n 60 "$dir/server.log" >&2
    server=""
    return 1
  fi
  local code=0
  stop_server || code=$?
  if [ "$code" -ne 0 ]; then
    echo "schemathesis.sh: the server exited $code on SIGTERM after the $role run; the end of its log:" >&2
    tail -n 60 "$dir/server.log" >&2
    return 1
  fi
  return "$status"
}

failed=()
run customer "$@" || failed+=(customer)
run admin "$@" || failed+=(admin)
if [ ${#failed[@]} -gt 0 ]; then
  echo "schemathesis.sh: failures in the ${failed[*]} run(s); logs and reports in $work/" >&2
  exit 1
fi
echo "schemathesis.sh: no failures as customer or admin"
