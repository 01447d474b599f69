#!/bin/sh
# One-shot init of the compose profile `cluster`: joins redis-node-1…6 into a Redis Cluster of
# three masters with a replica each, once. A cluster that exists already is left as it is (the
# nodes keep their roles in nodes.conf on their volumes).
set -eu

if redis-cli -h redis-node-1 cluster info | grep -q '^cluster_state:ok'; then
  echo "redis cluster already created"
  exit 0
fi

# redis-cli --cluster create wants addresses; the nodes announce their hostnames to clients.
nodes=""
for n in 1 2 3 4 5 6; do
  ip=$(getent hosts "redis-node-$n" | awk '{ print $1 }')
  [ -n "$ip" ] || { echo "redis-node-$n does not resolve" >&2; exit 1; }
  nodes="$nodes $ip:6379"
done
# shellcheck disable=SC2086 # one address per word
redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes

for _ in $(seq 1 60); do
  redis-cli -h redis-node-1 cluster info | grep -q '^cluster_state:ok' && { echo "redis cluster ready"; exit 0; }
  sleep 1
done
echo "redis cluster not ready after 60 s" >&2
exit 1
