#!/bin/sh
# CI setup for the services tests (internal/services): make sure Docker images and local
# binaries exist, then print the environment to use. Run as root on a Debian machine:
#   eval "$(scripts/ci-services.sh)"
#   go test ./internal/services/...
# Installs (when missing): debootstrap, redis-server, postgresql, bubblewrap (the sandbox tests
# in internal/sandbox run every wall on bwrap and on Docker). Builds (when missing and the
# default images cannot be pulled): learnlab/redis:7-local and learnlab/postgres:15-local.
# Progress goes to stderr; stdout is only `export` lines.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
log() { echo "ci-services: $*" >&2; }

missing=""
command -v debootstrap >/dev/null || missing="$missing debootstrap"
command -v redis-server >/dev/null || missing="$missing redis-server"
command -v bwrap >/dev/null || missing="$missing bubblewrap"
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
	missing="$missing postgresql"
fi
if [ -n "$missing" ]; then
	log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
fi
# Debian's postgresql package starts a cluster on 5432 under systemd; lab runs its own servers.

docker version >/dev/null 2>&1 || { log "Docker is not running: the docker provider tests will fail"; exit 1; }

have() { docker image inspect "$1" >/dev/null 2>&1; }
redis_img="" pg_img=""
if have redis:7-alpine || docker pull -q redis:7-alpine >/dev/null 2>&1; then redis_img=redis:7-alpine; fi
if have postgres:16-alpine || docker pull -q postgres:16-alpine >/dev/null 2>&1; then pg_img=postgres:16-alpine; fi
if [ -z "$redis_img" ] || [ -z "$pg_img" ]; then
	log "default images unavailable: building the offline images (skips those that exist)"
	"$HERE/offline-images/build-images.sh" >&2
	[ -n "$redis_img" ] || redis_img=learnlab/redis:7-local
	[ -n "$pg_img" ] || pg_img=learnlab/postgres:15-local
fi
log "images: $redis_img $pg_img"

echo "export LAB_REDIS_IMAGE=$redis_img"
echo "export LAB_POSTGRES_IMAGE=$pg_img"
# Ryuk's image cannot be pulled here and lab removes its containers itself.
echo "export TESTCONTAINERS_RYUK_DISABLED=true"
if [ -f /.dockerenv ] && { [ -z "${DOCKER_HOST:-}" ] || [ "${DOCKER_HOST#unix://}" != "$DOCKER_HOST" ]; }; then
	echo "export TESTCONTAINERS_HOST_OVERRIDE=localhost"
fi
