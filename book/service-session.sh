#!/usr/bin/env bash
# The request service chapter's session (book/src/service.md, "A session"),
# run for real: the server built from this repository on port 8080, the curl
# commands the chapter shows, Ctrl-C, and a second run with no grace period.
#
#   bash book/service-session.sh           # run it; write book/service-session/*.txt
#   bash book/service-session.sh --check   # run it; compare with those files
#
# The chapter includes the files, so what it shows is what the last run
# printed. --check (run by CI) fails if a new run differs from them in
# anything but timings, trace ids, dates and ports: every response line and
# every log line must be there, and nothing else (the log compared line by
# line in any order, since the backends log concurrently). After changing the
# service's output, run it without --check and commit the files.
#
# Shown for each command: what it prints on standard output; curl's own
# messages (standard error) are left out, and `echo $?` shows its status.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=${1:-write}
case $mode in
write) out=book/service-session ;;
--check) out=$(mktemp -d) ;;
*)
    echo "usage: bash book/service-session.sh [--check]" >&2
    exit 2
    ;;
esac
work=$(mktemp -d)
server=
cleanup() {
    if [[ -n $server ]]; then kill -9 "$server" 2>/dev/null || true; fi
    rm -rf "$work"
    if [[ $mode == --check ]]; then rm -rf "$out"; fi
}
trap cleanup EXIT

cargo build -q -p request-service
bin=${CARGO_TARGET_DIR:-target}/debug/request-service
if curl -s -o /dev/null --max-time 1 http://127.0.0.1:8080/; then
    echo "service session: port 8080 is taken; the session's commands use it" >&2
    exit 1
fi
mkdir -p "$out"
rm -f "$out"/*.txt

# start_server ARGS...: starts the server on 8080 and waits until it listens.
start_server() {
    "$bin" --port 8080 "$@" >"$work/stdout" 2>"$work/stderr" &
    server=$!
    for _ in $(seq 1 100); do
        if grep -q '^listening on' "$work/stdout" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "service session: the server did not start" >&2
    cat "$work/stderr" >&2
    exit 1
}

# stop_server: waits for the server to exit, and keeps its log as FILE.
stop_server() {
    local file=$1 status=0
    wait "$server" || status=$?
    server=
    if ((status != 0)); then
        echo "service session: the server exited with status $status" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    cp "$work/stderr" "$out/$file"
}

# step FILE COMMAND: runs COMMAND, appending "$ COMMAND" and its standard
# output (without curl's \r) to FILE; returns its status.
step() {
    local file=$out/$1 command=$2 status=0
    printf '$ %s\n' "$command" >>"$file"
    bash -c "$command" >"$work/step" 2>/dev/null || status=$?
    tr -d '\r' <"$work/step" >>"$file"
    return "$status"
}

# status FILE STATUS: appends "$ echo $?" and STATUS to FILE.
status() {
    printf '$ echo $?\n%s\n' "$2" >>"$out/$1"
}

token='-H "Authorization: Bearer t0k3n"'

# The first run: the default 5 s grace period.
start_server
step ok.txt "curl -i localhost:8080/profile $token -H \"X-User: alice\""
step slow.txt "curl \"localhost:8080/profile?db_ms=5000\" $token -H \"X-User: alice\" -H \"X-Timeout: 250ms\" -H \"X-Trace-Id: slow-1\""
step fail.txt "curl \"localhost:8080/profile?db_ms=5000&rpc=fail\" $token -H \"X-User: alice\" -H \"X-Trace-Id: fail-1\""
code=0
step gone.txt "curl --max-time 0.3 \"localhost:8080/profile?db_ms=5000\" $token -H \"X-User: bob\" -H \"X-Trace-Id: gone-1\"" || code=$?
status gone.txt "$code"

# A 1.5 s request, and Ctrl-C while it runs.
last="curl \"localhost:8080/profile?db_ms=1500\" $token -H \"X-User: carol\" -H \"X-Trace-Id: last-1\""
printf '$ %s &\n' "$last" >>"$out/ctrl-c.txt"
bash -c "$last" >"$work/last" 2>/dev/null &
client=$!
sleep 0.3
printf '$ kill -INT <server pid>\n' >>"$out/ctrl-c.txt"
kill -INT "$server"
wait "$client"
tr -d '\r' <"$work/last" >>"$out/ctrl-c.txt"
stop_server log.txt
code=0
step ctrl-c.txt "curl localhost:8080/" || code=$?
status ctrl-c.txt "$code"

# The second run: no grace period, a five-second request in flight.
start_server --grace 0ms
cut="curl \"localhost:8080/profile?db_ms=5000\" $token -H \"X-User: dave\" -H \"X-Trace-Id: cut-1\""
printf '$ %s &\n' "$cut" >>"$out/cut.txt"
bash -c "$cut" >"$work/cut" 2>/dev/null &
client=$!
sleep 0.25
step shutdown.txt 'curl -X POST localhost:8080/shutdown -H "X-Trace-Id: stop-1"'
wait "$client"
tr -d '\r' <"$work/cut" >>"$out/cut.txt"
stop_server shutdown-log.txt

if [[ $mode == write ]]; then
    echo "service session: wrote $(ls "$out" | wc -l) files to $out"
    exit 0
fi

# What may differ between two runs: timings, trace ids, dates, ports, and how
# many requests were still in flight at a shutdown.
normalize() {
    sed -E \
        -e 's/[0-9a-f]{16}/<trace>/g' \
        -e 's/^(date: ).*/\1<date>/I' \
        -e 's/^(content-length: )[0-9]+/\1<n>/I' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:<port>/g' \
        -e 's/[0-9]+(\.[0-9]+)? ?(ms|s)\b/<time>/g' \
        -e 's/[0-9]+ request\(s\)/<n> request(s)/g' \
        "$1"
}
differ=0
for recorded in book/service-session/*.txt; do
    name=$(basename "$recorded")
    if [[ ! -f $out/$name ]]; then
        echo "service session: $recorded is no longer produced" >&2
        differ=1
        continue
    fi
    if [[ $name == *log.txt ]]; then
        # Backends log concurrently: the same lines, in any order.
        diff <(normalize "$recorded" | sort) <(normalize "$out/$name" | sort) >"$work/diff" || true
    else
        diff <(normalize "$recorded") <(normalize "$out/$name") >"$work/diff" || true
    fi
    if [[ -s $work/diff ]]; then
        echo "service session: $recorded differs from a new run (< recorded, > now):" >&2
        cat "$work/diff" >&2
        differ=1
    fi
done
for produced in "$out"/*.txt; do
    if [[ ! -f book/service-session/$(basename "$produced") ]]; then
        echo "service session: $(basename "$produced") is new; run bash book/service-session.sh" >&2
        differ=1
    fi
done
if ((differ)); then
    echo "service session: FAILED; if the change is intended, run bash book/service-session.sh and commit book/service-session/" >&2
    exit 1
fi
echo "service session: OK (a new run matches book/service-session/)"
