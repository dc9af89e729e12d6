#!/usr/bin/env bash
# Soak under abuse (issue 5, part 4): honest pairs at a steady rate while abusive clients churn
# beside them, with the server's resources sampled over time. See docs/reliability.md.
#
#   scripts/soak.sh --minutes N [--jar target/mechat.jar] [--out DIR] [--interval SECONDS]
#
# 1. Starts `mechat server` (settings below) and reads its port from 'listening on HOST:PORT'.
# 2. Runs `mechat bench soak`: PAIRS honest pairs at RATE msgs/s, all matched first; WARMUP s of
#    honest traffic, N minutes of abuse (every kind of `mechat bench abuse`), COOLDOWN s of honest
#    traffic again. It checks every honest line and every answer to an abuser.
# 3. Every INTERVAL s samples the server into DIR/samples.csv: RSS (VmRSS), heap after a full GC
#    (jcmd GC.run + GC.heap_info), open files (/proc/PID/fd), threads, established connections
#    (/proc/net/tcp on the server's port), and the phase (from bench soak's stderr).
# 4. PASS when: bench soak passed (no honest line lost, duplicated, reordered or corrupted, every
#    abuse answered as the protocol says); during the cool-down the connections fell back to the
#    honest ones, and then open files, threads and heap after GC were within a bound of the last
#    warm-up sample (the baseline); after the honest pairs left no connection remained; and a
#    fresh pair chatted (`bench chat --pairs 1`). Prints the figures and PASS or FAIL, exits 1 on
#    FAIL, and always stops the server.
#
# Needs a JDK (java; jcmd for the heap column) and Linux /proc. Builds the jar only if missing.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

MINUTES=
JAR=target/mechat.jar
OUT=
INTERVAL=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=${2:?--minutes needs a value}; shift 2 ;;
    --jar) JAR=${2:?--jar needs a value}; shift 2 ;;
    --out) OUT=${2:?--out needs a value}; shift 2 ;;
    --interval) INTERVAL=${2:?--interval needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$MINUTES" in
  ''|*[!0-9.]*|.) echo "soak.sh: --minutes N is required (a positive number)" >&2; exit 2 ;;
esac
case "$INTERVAL" in
  ''|*[!0-9]*|0) echo "soak.sh: --interval must be a whole number of seconds >= 1" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

# ---------------------------------------------------------------------------- settings
# The server: the spec's rate limit (20/s, burst 40) so that flooders are slowed as in
# production; a 5 s slow-reader timeout (60 s by default) so that never-reading clients are
# dropped several times a minute; a 10 s handshake timeout. -Xmx256m: a small box, and a leak
# reaches the limit sooner.
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xmx256m}
SERVER_OPTS=${SERVER_OPTS:---rate 20 --burst 40 --slow-reader-timeout 5 --handshake-timeout 10}
# Honest load: 20 pairs at 200 msgs/s in all (5/s per client, under the rate limit).
PAIRS=20
RATE=200
WARMUP=30
COOLDOWN=60
# Abuse: 14 abusers (2 per kind), at most 50 episode starts a second. A flooded reader that never
# reads is dropped once its flooder has filled ~4 MiB of socket buffers at 20 lines of 4000 bytes
# a second (~55 s) plus the 5 s timeout: allow 180 s.
ABUSE_OPTS="--clients 14 --churn 50 --slow-reader-wait 180"
# Bounds on growth from the baseline (last warm-up sample) to after the abuse (last cool-down
# sample with only the honest connections left). The abuse opens tens of thousands of
# connections: a leak of one file or thread per connection, or of 1 KiB of heap each, passes
# these by far. The slack covers the JVM's noise (a compiler thread, a late jar, GC timing).
FILE_SLACK=10
THREAD_SLACK=5
HEAP_SLACK_KIB=$((16 * 1024))

DURATION=$(awk -v m="$MINUTES" 'BEGIN { printf "%d", m * 60 }')
[ "$DURATION" -ge 1 ] || { echo "soak.sh: --minutes is too small" >&2; exit 2; }
OUT=${OUT:-target/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

JAVA=${JAVA:-java}
JCMD=$(command -v jcmd || true)
if [ -z "$JCMD" ]; then
  JAVA_BIN=$(readlink -f "$(command -v "$JAVA")")
  [ -x "$(dirname "$JAVA_BIN")/jcmd" ] && JCMD=$(dirname "$JAVA_BIN")/jcmd
fi
[ -n "$JCMD" ] || echo "soak.sh: no jcmd (a JRE, not a JDK?): heap after GC is not sampled" >&2

if [ ! -f "$JAR" ]; then
  echo "soak.sh: $JAR missing, building it (mvn -q -DskipTests package)"
  mvn -q -DskipTests package
fi

# ---------------------------------------------------------------------------- processes
SP=
LP=
cleanup() {
  if [ -n "$LP" ] && kill -0 "$LP" 2>/dev/null; then kill "$LP" 2>/dev/null || true; fi
  if [ -n "$SP" ] && kill -0 "$SP" 2>/dev/null; then
    kill -TERM "$SP" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$SP" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$SP" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086 # word splitting of the option lists is intended
"$JAVA" $SERVER_JAVA_OPTS -jar "$JAR" server --port 0 $SERVER_OPTS >"$OUT/server.out" 2>"$OUT/server.log" & SP=$!
PORT=
for _ in $(seq 1 120); do
  PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$OUT/server.out" | head -1)
  [ -n "$PORT" ] && break
  kill -0 "$SP" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$PORT" ]; then
  echo "soak.sh: the server did not start; see $OUT/server.log" >&2
  exit 1
fi

# ---------------------------------------------------------------------------- sampling
START=$(date +%s)
CSV="$OUT/samples.csv"
echo "elapsed_s,phase,rss_kib,heap_after_gc_kib,open_files,threads,connections" >"$CSV"
printf 'GC.run\nGC.heap_info\n' >"$OUT/jcmd-commands"

# Established server-side connections: local port = the server's (state 01 in /proc/net/tcp*).
connections() {
  awk -v p="$(printf ':%04X' "$PORT")" '$2 ~ p "$" && $4 == "01"' /proc/net/tcp /proc/net/tcp6 | wc -l
}

# Heap used after a full GC, KiB: the 'used' of every heap space line before Metaspace.
heap_after_gc() {
  [ -n "$JCMD" ] || { echo NA; return; }
  "$JCMD" "$SP" -f "$OUT/jcmd-commands" 2>/dev/null | awk '
    /Metaspace/ { done = 1 }
    !done && / total / { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); sum += v } }
    END { if (sum > 0) print sum; else print "NA" }'
}

phase() {
  if grep -q "abuse stopped" "$OUT/soak.err" 2>/dev/null; then echo cooldown
  elif grep -q "abuse starts" "$OUT/soak.err" 2>/dev/null; then echo abuse
  elif grep -q "honest pairs matched" "$OUT/soak.err" 2>/dev/null; then echo warmup
  else echo setup
  fi
}

sample() {
  local ph=$1 heap rss files threads conns
  heap=$(heap_after_gc)
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SP/status")
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$SP/status")
  files=$(find "/proc/$SP/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  conns=$(connections)
  local line="$(( $(date +%s) - START )),$ph,$rss,$heap,$files,$threads,$conns"
  echo "$line" >>"$CSV"
  printf 'soak.sh: %5ss %-8s rss %s KiB, heap after GC %s KiB, files %s, threads %s, connections %s\n' \
    "${line%%,*}" "$ph" "$rss" "$heap" "$files" "$threads" "$conns"
}

echo "soak.sh: server pid $SP on port $PORT; ${MINUTES} min of abuse; output in $OUT"
sample idle

# shellcheck disable=SC2086
"$JAVA" -jar "$JAR" bench soak --port "$PORT" --pairs "$PAIRS" --rate "$RATE" \
  --warmup "$WARMUP" --duration "$DURATION" --cooldown "$COOLDOWN" $ABUSE_OPTS --json \
  >"$OUT/soak.out" 2>"$OUT/soak.err" & LP=$!

next=$(( $(date +%s) + INTERVAL ))
while kill -0 "$LP" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$next" ]; then
    ph=$(phase)
    kill -0 "$LP" 2>/dev/null && sample "$ph"
    next=$(( next + INTERVAL ))
  fi
  sleep 0.5
done
SOAK_EXIT=0
wait "$LP" || SOAK_EXIT=$?
LP=

# After the honest pairs left, every connection must close.
for _ in $(seq 1 120); do [ "$(connections)" -eq 0 ] && break; sleep 0.5; done
sample end

"$JAVA" -jar "$JAR" bench chat --port "$PORT" --pairs 1 --messages 100 --timeout 30 \
  >"$OUT/fresh-pair.out" 2>&1 && FRESH_EXIT=0 || FRESH_EXIT=$?

# ---------------------------------------------------------------------------- verdict
HONEST=$((2 * PAIRS))
# baseline: last warm-up sample; after: last cool-down sample with only the honest connections
BASE=$(awk -F, '$2 == "warmup"' "$CSV" | tail -1)
AFTER=$(awk -F, -v h="$HONEST" '$2 == "cooldown" && $7 == h' "$CSV" | tail -1)
END_ROW=$(awk -F, '$2 == "end"' "$CSV" | tail -1)
field() { echo "$1" | cut -d, -f"$2"; }
maxof() { awk -F, -v c="$1" -v p="$2" '$2 == p && $c != "NA" && $c > m { m = $c } END { print m + 0 }' "$CSV"; }

FAILS=()
check() { # check OK? "description"
  if [ "$1" = yes ]; then echo "  ok    $2"; else echo "  FAIL  $2"; FAILS+=("$2"); fi
}
yes_if() { if eval "$1"; then echo yes; else echo no; fi; }

{
  echo
  echo "soak.sh: ${MINUTES} min of abuse against $SERVER_JAVA_OPTS $SERVER_OPTS"
  echo
  echo "| when | RSS KiB | heap after GC KiB | open files | threads | connections |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  row() { [ -n "$2" ] && echo "| $1 | $(field "$2" 3) | $(field "$2" 4) | $(field "$2" 5) | $(field "$2" 6) | $(field "$2" 7) |"; }
  row "idle, before" "$(awk -F, '$2 == "idle"' "$CSV" | head -1)"
  row "warm-up, first" "$(awk -F, '$2 == "warmup"' "$CSV" | head -1)"
  row "baseline (warm-up, last)" "$BASE"
  echo "| abuse, highest | $(maxof 3 abuse) | $(maxof 4 abuse) | $(maxof 5 abuse) | $(maxof 6 abuse) | $(maxof 7 abuse) |"
  row "abuse, last" "$(awk -F, '$2 == "abuse"' "$CSV" | tail -1)"
  row "after (cool-down, honest only)" "$AFTER"
  row "end (honest pairs gone)" "$END_ROW"
  echo
  echo "bench soak (exit $SOAK_EXIT):"
  grep -v '^{' "$OUT/soak.out" | sed 's/^/  /'
  echo "fresh pair (exit $FRESH_EXIT): $(grep -E '^(sent|errors|result)' "$OUT/fresh-pair.out" | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
  echo
  check "$(yes_if '[ "$SOAK_EXIT" -eq 0 ]')" "bench soak passed: honest lines all intact, abuse answered as the protocol says"
  check "$(yes_if '[ -n "$BASE" ]')" "a baseline sample in the warm-up"
  check "$(yes_if '[ -n "$AFTER" ]')" "connections fell back to the $HONEST honest ones during the cool-down"
  if [ -n "$BASE" ] && [ -n "$AFTER" ]; then
    bf=$(field "$BASE" 5); af=$(field "$AFTER" 5)
    check "$(yes_if "[ $af -le $((bf + FILE_SLACK)) ]")" "open files: $bf then $af (at most +$FILE_SLACK)"
    bt=$(field "$BASE" 6); at=$(field "$AFTER" 6)
    check "$(yes_if "[ $at -le $((bt + THREAD_SLACK)) ]")" "threads: $bt then $at (at most +$THREAD_SLACK)"
    bh=$(field "$BASE" 4); ah=$(field "$AFTER" 4)
    if [ "$bh" != NA ] && [ "$ah" != NA ]; then
      check "$(yes_if "[ $ah -le $((bh + HEAP_SLACK_KIB)) ]")" "heap after GC: $bh then $ah KiB (at most +$HEAP_SLACK_KIB)"
    else
      echo "  --    heap after GC not sampled (no jcmd)"
    fi
  fi
  check "$(yes_if '[ -n "$END_ROW" ] && [ "$(field "$END_ROW" 7)" -eq 0 ]')" "no connection left once the honest pairs were gone"
  check "$(yes_if '[ "$FRESH_EXIT" -eq 0 ]')" "a fresh pair chats after the soak"
  echo
  if [ ${#FAILS[@]} -eq 0 ]; then echo "PASS"; else echo "FAIL (${#FAILS[@]} checks)"; fi
  echo "samples: $CSV; logs: $OUT/server.log, $OUT/soak.err"
} >"$OUT/summary.txt" # a group, not a pipe: FAILS must stay in this shell
cat "$OUT/summary.txt"
[ ${#FAILS[@]} -eq 0 ]
