#!/usr/bin/env bash
# Starts a three-node MEchat cluster on this machine (docs/cluster.md): chat ports 9001-9003,
# web page and /health on HTTP ports 8081-8083, cluster ports 2551-2553, the first two as seed
# nodes. Ctrl-C stops all three gracefully.
# Extra arguments go to every node, e.g. scripts/cluster.sh --max-connections 5000.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=target/mechat.jar
LOGS=${MECHAT_CLUSTER_LOGS:-target/cluster}
CHAT_PORTS=(9001 9002 9003)
HTTP_PORTS=(8081 8082 8083)
CLUSTER_PORTS=(2551 2552 2553)
SEEDS=127.0.0.1:${CLUSTER_PORTS[0]},127.0.0.1:${CLUSTER_PORTS[1]}

if [ ! -f "$JAR" ]; then
  echo "building $JAR ..."
  mvn -q -B package -DskipTests
fi
mkdir -p "$LOGS"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping the cluster (each node says 'server shutting down' to its clients) ..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  echo "stopped"
}
trap stop INT TERM EXIT

for i in 0 1 2; do
  n=$((i + 1))
  # setsid: Ctrl-C reaches this script only, which then stops each node once, with SIGTERM
  setsid java -XX:+UseParallelGC -Xmx256m -Xmn32m -jar "$JAR" server \
    --port "${CHAT_PORTS[$i]}" --http-port "${HTTP_PORTS[$i]}" \
    --cluster-port "${CLUSTER_PORTS[$i]}" --seed-nodes "$SEEDS" "$@" \
    >"$LOGS/node$n.out" 2>"$LOGS/node$n.log" &
  pids+=($!)
done

for i in 0 1 2; do
  n=$((i + 1))
  until grep -q '(http)$' "$LOGS/node$n.out" 2>/dev/null; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "node $n did not start; its log:"
      tail -20 "$LOGS/node$n.log"
      exit 1
    fi
    sleep 0.5
  done
  sed "s/^/node $n: /" "$LOGS/node$n.out"
done
echo "three nodes up: try 'nc 127.0.0.1 9001' and 'nc 127.0.0.1 9002' in two terminals,"
echo "or http://127.0.0.1:8081/ in a browser; /health on 8081-8083 (docs/haproxy.cfg uses them)"
echo "logs: $LOGS/node1.log .. node3.log; Ctrl-C stops the cluster"
wait
