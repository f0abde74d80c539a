#!/usr/bin/env bash
# The request service chapter's session (book/src/service.md, "A session"),
# run for real: the recommendation service on port 8081 and the profile
# service on port 8080, both built from this repository as two processes, the
# curl commands the chapter shows, SIGTERM and Ctrl-C, and a second run with
# no grace period.
#
#   bash book/service-session.sh           # run it; write book/service-session/*.txt
#   bash book/service-session.sh --check   # run it; compare with those files
#
# The chapter includes the files, so what it shows is what the last run
# printed, and every figure its prose quotes comes from figures.txt, which
# this script computes from the recorded logs. --check (run by CI) fails if
#
# - a new run differs from the recorded files in anything but timings, trace
#   and span ids, times of day, dates and ports: every response line and
#   every log line must be there, and nothing else (logs compared line by
#   line in any order, since backends log concurrently);
# - figures.txt is not what the recorded logs give (a hand-edited figure);
# - in the new run, a backend stopped long after its deadline or a hang-up
#   (the figures' bounds below).
#
# One race is real and allowed for: when the profile service's deadline
# passes, the recommendation service stops on its own copy of the deadline or
# on the closed connection, whichever comes first (see "Across the process
# boundary" in the chapter), so for that request (trace 4bf92f35…) either
# outcome matches. After changing the service's output, run it without
# --check and commit the files.
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
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
    if [[ $mode == --check ]]; then rm -rf "$out"; fi
}
trap cleanup EXIT

cargo build -q -p request-service
bin=${CARGO_TARGET_DIR:-target}/debug/request-service
for port in 8080 8081; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
        echo "service session: port $port is taken; the session's commands use it" >&2
        exit 1
    fi
done
mkdir -p "$out"
rm -f "$out"/*.txt

# start NAME ARGS...: starts the binary with ARGS, its standard output and
# error in $work/NAME.*, and waits until it listens; its pid is in $NAME_pid.
start() {
    local name=$1
    shift
    "$bin" "$@" >"$work/$name.stdout" 2>"$work/$name.stderr" &
    printf -v "${name}_pid" %s $!
    pids+=($!)
    for _ in $(seq 1 100); do
        if grep -q '^listening on' "$work/$name.stdout" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "service session: $name did not start" >&2
    cat "$work/$name.stderr" >&2
    exit 1
}

# finish NAME PID FILE: waits for the process to exit, and keeps its log as
# FILE.
finish() {
    local name=$1 pid=$2 file=$3 status=0
    wait "$pid" || status=$?
    if ((status != 0)); then
        echo "service session: $name exited with status $status" >&2
        cat "$work/$name.stderr" >&2
        exit 1
    fi
    cp "$work/$name.stderr" "$out/$file"
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

# background FILE COMMAND: shows "$ COMMAND &" in FILE and starts it; its
# output goes to $work/FILE, its pid to $client.
background() {
    printf '$ %s &\n' "$2" >>"$out/$1"
    bash -c "$2" >"$work/$1" 2>/dev/null &
    client=$!
}

# collect FILE: waits for the background command, and appends its output.
collect() {
    wait "$client"
    tr -d '\r' <"$work/$1" >>"$out/$1"
}

token='-H "Authorization: Bearer t0k3n"'
# W3C Trace Context's own example: a caller's trace, continued on both hops.
traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

# The first run: both services, with the default 5 s grace period.
start rpc --role recommendations
start front
step ok.txt "curl -i localhost:8080/profile $token -H \"X-User: alice\""
step slow-rpc.txt "curl \"localhost:8080/profile?rpc_ms=5000\" $token -H \"X-User: alice\" -H \"X-Timeout: 250ms\" -H \"traceparent: $traceparent\""
step slow.txt "curl \"localhost:8080/profile?db_ms=5000\" $token -H \"X-User: alice\" -H \"X-Timeout: 250ms\""
step fail.txt "curl \"localhost:8080/profile?db_ms=5000&rpc=fail\" $token -H \"X-User: alice\""
code=0
step gone.txt "curl --max-time 0.3 \"localhost:8080/profile?db_ms=5000&rpc_ms=5000\" $token -H \"X-User: bob\"" || code=$?
status gone.txt "$code"
step bad.txt "curl localhost:8080/profile $token -H \"grpc-timeout: 250ms\""
step bad.txt "curl localhost:8080/profile $token -H \"grpc-timeout: 123456789n\""
step bad.txt "curl localhost:8080/profile $token -H \"traceparent: 00-not-a-trace\" -H \"X-User: carol\""

# A 1.5 s request, and SIGTERM to the profile service while it runs; then
# Ctrl-C (SIGINT) to the recommendation service, which is idle.
background sigterm.txt "curl \"localhost:8080/profile?db_ms=1500\" $token -H \"X-User: carol\""
sleep 0.3
printf '$ kill -TERM <profile service pid>\n' >>"$out/sigterm.txt"
kill -TERM "$front_pid"
collect sigterm.txt
finish front "$front_pid" log.txt
code=0
step sigterm.txt "curl localhost:8080/" || code=$?
status sigterm.txt "$code"
printf '$ kill -INT <recommendation service pid>\n' >>"$out/sigterm.txt"
kill -INT "$rpc_pid"
finish rpc "$rpc_pid" rpc-log.txt

# The second run: no grace period, a five-second request in flight.
start rpc --role recommendations
start front --grace 0ms
background cut.txt "curl \"localhost:8080/profile?db_ms=5000\" $token -H \"X-User: dave\""
sleep 0.25
step shutdown.txt 'curl -X POST localhost:8080/shutdown'
collect cut.txt
finish front "$front_pid" shutdown-log.txt
kill -TERM "$rpc_pid"
finish rpc "$rpc_pid" shutdown-rpc-log.txt
rm "$out/shutdown-rpc-log.txt" # not shown; only its clean exit matters

# ---------------------------------------------------------------------------
# The figures the chapter quotes, from the logs of a session in DIR, as
# mdBook anchors: {{#include ../service-session/figures.txt:NAME}}.
figures() {
    awk -v slow_rpc="${traceparent:3:32}" '
        # Milliseconds since midnight of a log line`s time of day.
        function clock(line,   t) {
            split(substr(line, 1, 12), t, /[:.]/)
            return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4]
        }
        # The number of milliseconds after MARKER in LINE ("stopped after 251ms").
        function millis(line, marker,   rest) {
            rest = substr(line, index(line, marker) + length(marker))
            if (rest ~ /^[0-9]+ms/) return rest + 0
            if (rest ~ /^[0-9]+s/) return (rest + 0) * 1000
            return -1
        }
        function trace_of(line) { return substr(line, 15, 32) }
        function figure(name, value) { printf "ANCHOR: %s\n%s\nANCHOR_END: %s\n", name, value, name }
        FILENAME ~ /\/log\.txt$/ {
            if ($0 ~ /\] GET \/profile\?db_ms=5000, deadline in 250ms/) slow_db = trace_of($0)
            if ($0 ~ /\] GET \/profile\?db_ms=5000&rpc_ms=5000,/) gone = trace_of($0)
            if ($0 ~ /\] GET \/profile\?db_ms=5000&rpc=fail,/) fail = trace_of($0)
            if (index($0, "[" slow_rpc "] GET /profile")) rpc_arrived = clock($0)
            if (slow_db != "" && index($0, "[" slow_db "] db: stopped after"))
                db_stop = millis($0, "stopped after ")
            if (slow_db != "" && index($0, "[" slow_db "] 504 Gateway Timeout in"))
                slow_answered = millis($0, "Timeout in ")
            if (index($0, "[" slow_rpc "] 504 Gateway Timeout in"))
                slow_rpc_answered = millis($0, "Timeout in ")
            if (gone != "" && index($0, "[" gone "] client disconnected"))
                gone_front = clock($0)
            if (fail != "" && index($0, "[" fail "] rpc: failed after")) fail_rpc = millis($0, "failed after ")
            if (fail != "" && index($0, "[" fail "] db: stopped after")) fail_db = millis($0, "stopped after ")
        }
        FILENAME ~ /rpc-log\.txt$/ {
            if (index($0, "[" slow_rpc "] GET /recommendations")) {
                budget = $0; sub(/.*grpc-timeout: /, "", budget); sub(/\).*/, "", budget)
            }
            if (index($0, "[" slow_rpc "] recommendations: stopped after")) {
                rpc_stop = millis($0, "stopped after ")
                rpc_stop_at = clock($0)
                reason = ($0 ~ /client disconnected/) ? "the closed connection" : "its own copy of the deadline"
            }
            if (gone != "" && index($0, "[" gone "] recommendations: stopped after")) gone_rpc = clock($0)
        }
        END {
            figure("db_stop", db_stop "ms")
            figure("slow_answered", slow_answered "ms")
            figure("slow_late", (slow_answered - 250) "ms")
            figure("slow_rpc_answered", slow_rpc_answered "ms")
            figure("rpc_budget", budget)
            figure("rpc_budget_ms", int(substr(budget, 1, length(budget) - 1) / 1000) "ms")
            figure("rpc_stop", rpc_stop "ms")
            figure("rpc_stop_since_arrival", (rpc_stop_at - rpc_arrived + 86400000) % 86400000 "ms")
            figure("rpc_stop_reason", reason)
            figure("gone_lag", (gone_rpc - gone_front + 86400000) % 86400000 "ms")
            figure("fail_rpc", fail_rpc "ms")
            figure("fail_db", fail_db "ms")
        }
    ' "$1/log.txt" "$1/rpc-log.txt"
}

# check_bounds FIGURES: fails unless every backend stopped promptly: within a
# second of its deadline or of the hang-up (it would otherwise have run for
# five), and the slow RPC's budget was no more than the 250 ms it was given.
check_bounds() {
    local file=$1 ok=1
    value() { sed -n "/ANCHOR: $1\$/{n;p}" "$file" | tr -dc '0-9u-'; }
    local slow_late rpc_since gone_lag budget
    slow_late=$(value slow_late) rpc_since=$(value rpc_stop_since_arrival) gone_lag=$(value gone_lag)
    budget=$(value rpc_budget)
    ((slow_late >= 0 && slow_late < 1000)) || { echo "service session: the slow database's request was answered ${slow_late}ms after its deadline" >&2; ok=0; }
    ((rpc_since >= 200 && rpc_since < 1250)) || { echo "service session: the recommendation service stopped ${rpc_since}ms into a 250ms request" >&2; ok=0; }
    ((gone_lag >= 0 && gone_lag < 1000)) || { echo "service session: the recommendation service stopped ${gone_lag}ms after the hang-up" >&2; ok=0; }
    [[ $budget == *u ]] && ((${budget%u} > 0 && ${budget%u} <= 250000)) || { echo "service session: the slow RPC was sent a budget of $budget" >&2; ok=0; }
    ((ok))
}

figures "$out" >"$out/figures.txt"
if ! check_bounds "$out/figures.txt"; then
    echo "service session: FAILED: a backend did not stop promptly ($out/figures.txt)" >&2
    exit 1
fi

if [[ $mode == write ]]; then
    echo "service session: wrote $(ls "$out" | wc -l) files to $out"
    exit 0
fi

# What may differ between two runs: timings, trace and span ids, times of
# day, dates, ports, budgets, and how many requests were still in flight at a
# shutdown; and, for the slow RPC's request in the recommendation service,
# which of its deadline and the hang-up came first.
normalize() {
    sed -E \
        -e "/\[${traceparent:3:32}\] client disconnected: canceling the request/d" \
        -e "/\[${traceparent:3:32}\]/s/context canceled \(client disconnected\)|context deadline exceeded/<deadline or hang-up>/" \
        -e "/\[${traceparent:3:32}\]/s/499 Client Closed Request|504 Gateway Timeout/<499 or 504>/" \
        -e 's/^(the closed connection|its own copy of the deadline)$/<deadline or hang-up>/' \
        -e 's/^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} /<clock> /' \
        -e 's/[0-9a-f]{32}/<trace>/g' \
        -e 's/[0-9a-f]{16}/<span>/g' \
        -e 's/^(date: ).*/\1<date>/I' \
        -e 's/^(content-length: )[0-9]+/\1<n>/I' \
        -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:<port>/g' \
        -e 's/(grpc-timeout: )[0-9]+[HMSmun]\b/\1<budget>/g' \
        -e 's/^-?[0-9]+u$/<budget>/' \
        -e 's/-?[0-9]+(\.[0-9]+)? ?(ms|s)\b/<time>/g' \
        -e 's/[0-9]+ request\(s\)/<n> request(s)/g' \
        -e 's/(server: connection from 127\.0\.0\.1:<port>): .*/\1: <error>/' \
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
        # Backends log concurrently: the same lines, in any order; and how
        # often a connection's end is logged depends on the race above.
        diff <(normalize "$recorded" | sort -u) <(normalize "$out/$name" | sort -u) >"$work/diff" || true
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
# The recorded figures are the recorded logs' own, not copied by hand.
if ! diff <(figures book/service-session) book/service-session/figures.txt >"$work/diff"; then
    echo "service session: book/service-session/figures.txt is not what the recorded logs give (< logs, > file):" >&2
    cat "$work/diff" >&2
    differ=1
fi
if ((differ)); then
    echo "service session: FAILED; if the change is intended, run bash book/service-session.sh and commit book/service-session/" >&2
    exit 1
fi
echo "service session: OK (a new run matches book/service-session/)"
