#!/usr/bin/env bash
# TEST-ENVIRONMENT STAND-INS, NOT FOR PRODUCTION.
#
# The Dockerfile and docker-compose.yml name three base images: node:20-bookworm-slim,
# redis:7-alpine and postgres:16-alpine. A CI machine with podman but without access to an image
# registry cannot pull them, so this script builds look-alikes from Debian packages (mmdebstrap)
# and imports them under those exact names; the product's files then build and run unchanged.
# They behave as far as docker-compose.yml relies on them, no further:
#   node:20-bookworm-slim  Debian bookworm + this machine's Node.js and npm, a `node` user (uid 1000),
#                          npm pointed at this machine's registry and CA bundle (for `npm ci`).
#   redis:7-alpine         Debian's redis-server 7.0 (redis-server, redis-cli), /data as workdir,
#                          protected mode off as in the official image.
#   postgres:16-alpine     Debian's PostgreSQL 15 behind an entrypoint that honours POSTGRES_USER,
#                          POSTGRES_PASSWORD, POSTGRES_DB and PGDATA, listens on 0.0.0.0:5432
#                          with password auth, pg_isready on PATH.
# An image that already exists is left alone (FORCE=1 rebuilds). Needs root, podman, mmdebstrap.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm

log() { printf '[base-images] %s\n' "$*"; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# exists NAME: the image is already there (and FORCE is not set).
exists() { [ "${FORCE:-}" != 1 ] && podman image exists "$1"; }

# rootfs OUT.tar [mmdebstrap options…]: a minimal bookworm root file system, without recommends.
rootfs() {
  local out="$1"; shift
  local started=$SECONDS
  mmdebstrap --quiet --variant=minbase --aptopt='APT::Install-Recommends "false"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
    "$@" "$SUITE" "$out" "$MIRROR"
  log "  rootfs $(basename "$out"): $(du -h "$out" | cut -f1) in $((SECONDS - started)) s"
}

# import NAME TAR [--change …]: the tarball as image NAME.
import() {
  local name="$1" tar="$2"; shift 2
  podman import --quiet "$@" "$tar" "$name" >/dev/null
  rm -f "$tar"
  log "  imported $name"
}

build_node() {
  local name=node:20-bookworm-slim
  if exists "$name"; then log "$name exists, skipped"; return; fi
  local node prefix npmrc="$work/npmrc"
  node="$(readlink -f "$(command -v node)")"
  prefix="$(dirname "$(dirname "$node")")"
  [ -d "$prefix/lib/node_modules/npm" ] || { log "npm not found beside $node"; exit 1; }
  log "building $name: Node $("$node" --version) and npm $(npm --version) from $prefix"
  # npm inside a build reaches the registry this machine uses, trusting the same CAs.
  printf 'registry=%s\ncafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n' "$(npm config get registry)" >"$npmrc"
  rootfs "$work/node.tar" \
    --customize-hook="copy-in $node /usr/local/bin" \
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/etc\" \"\$1/etc/ssl/certs\"" \
    --customize-hook="copy-in $prefix/lib/node_modules/npm /usr/local/lib/node_modules" \
    --customize-hook="copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs" \
    --customize-hook="upload $npmrc /usr/local/etc/npmrc" \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
    --customize-hook='chroot "$1" groupadd --gid 1000 node' \
    --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  import "$name" "$work/node.tar" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_VERSION='"$("$node" --version | tr -d v)" \
    --change 'CMD ["node"]'
}

build_redis() {
  local name=redis:7-alpine
  if exists "$name"; then log "$name exists, skipped"; return; fi
  log "building $name from Debian's redis-server"
  cat >"$work/redis-entrypoint" <<'EOF'
#!/bin/sh
# The official image turns protected mode off: other containers reach Redis over the network.
if [ "$1" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
EOF
  chmod +x "$work/redis-entrypoint"
  rootfs "$work/redis.tar" --include=redis-server \
    --customize-hook="upload $work/redis-entrypoint /usr/local/bin/docker-entrypoint.sh" \
    --customize-hook='chmod 755 "$1/usr/local/bin/docker-entrypoint.sh"; mkdir -p "$1/data"'
  import "$name" "$work/redis.tar" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /data' \
    --change 'VOLUME /data' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["redis-server"]'
}

build_postgres() {
  local name=postgres:16-alpine
  if exists "$name"; then log "$name exists, skipped"; return; fi
  log "building $name from Debian's PostgreSQL"
  cp "$here/postgres-entrypoint.sh" "$work/postgres-entrypoint"
  rootfs "$work/postgres.tar" --include=postgresql \
    --customize-hook='rm -rf "$1"/var/lib/postgresql/* "$1"/etc/postgresql/*' \
    --customize-hook="upload $work/postgres-entrypoint /usr/local/bin/docker-entrypoint.sh" \
    --customize-hook='chmod 755 "$1/usr/local/bin/docker-entrypoint.sh"' \
    --customize-hook='bin="$(cd "$1" && ls -d usr/lib/postgresql/*/bin | tail -1)"; ln -s "/$bin" "$1/usr/local/pgbin"'
  import "$name" "$work/postgres.tar" \
    --change 'ENV PATH=/usr/local/pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'VOLUME /var/lib/postgresql/data' \
    --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
    --change 'CMD ["postgres"]' \
    --change 'EXPOSE 5432'
}

started=$SECONDS
build_node
build_redis
build_postgres
log "done in $((SECONDS - started)) s"
