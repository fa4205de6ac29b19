#!/usr/bin/env bash
# Smoke-test a built image the way a deploy runs it, locally (`make smoke-test-image`) and in CI:
#   1. the release one-off from the Procfile runs in the image with example.env's values and the
#      production switches a deploy sets (DEBUG off, fresh secrets, HSTS) (XII);
#   2. the web process starts from the image's own CMD, as a platform starts it (V);
#   3. /readyz answers 200 through the published port: bound, configured, database reachable (VII);
#   4. SIGTERM stops it with exit status 0 (IX).
#
# Usage: scripts/smoke-test-image.sh IMAGE   (build it first: `make docker-build`)
#
# Database: with DATABASE_URL set, the containers use that database and join the container network
# SMOKE_NETWORK names (CI passes its PostgreSQL service and the service's network; `host` works
# too). Otherwise a service that needs a database gets a throwaway PostgreSQL container of the
# image compose.yaml names, removed afterwards. DOCKER=podman runs it with Podman.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${1:?usage: scripts/smoke-test-image.sh IMAGE}
docker=${DOCKER:-docker}
run_id="smoke-$$"
network=${SMOKE_NETWORK:-}
containers=()
created_network=""

cleanup() {
    for container in "${containers[@]}"; do
        "$docker" rm --force --volumes "$container" >/dev/null 2>&1 || true
    done
    if [ -n "$created_network" ]; then
        "$docker" network rm "$created_network" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

fail() {
    echo "smoke test FAILED: $*" >&2
    for container in "${containers[@]}"; do
        echo "--- logs of $container" >&2
        "$docker" logs "$container" >&2 || true
    done
    exit 1
}

release=$(sed -n 's/^release: //p' Procfile)
[ -n "$release" ] || fail "the Procfile has no release process"
port=$(sed -n 's/^PORT=//p' example.env)
port=${port:-8000}

if [ -z "${DATABASE_URL:-}" ] && grep -q '^DATABASE_URL=' example.env; then
    postgres_image=$(sed -n 's/^ *image: *\(postgres:[^ ]*\) *$/\1/p' compose.yaml | head -n 1)
    [ -n "$postgres_image" ] || fail "compose.yaml names no postgres image"
    echo "smoke test: starting a throwaway $postgres_image"
    network="$run_id"
    "$docker" network create "$network" >/dev/null
    created_network="$network"
    containers+=("$run_id-db")
    "$docker" run --detach --name "$run_id-db" --network "$network" --network-alias db \
        --env POSTGRES_PASSWORD=postgres --env POSTGRES_DB=smoke "$postgres_image" >/dev/null
    # Over TCP: the image's entrypoint first runs a socket-only server to initialise, then restarts.
    ready=""
    for _ in $(seq 60); do
        if "$docker" exec "$run_id-db" pg_isready --quiet --host=127.0.0.1 --username=postgres; then
            ready=yes
            break
        fi
        sleep 1
    done
    [ -n "$ready" ] || fail "PostgreSQL did not accept connections within 60 s"
    DATABASE_URL=postgresql://postgres:postgres@db:5432/smoke
fi

# A deploy's own values on top of example.env's development ones: the release step refuses
# placeholder secrets and debug mode. Fresh random secrets, passed by name like DATABASE_URL.
random_secret() { head -c 48 /dev/urandom | base64 | tr -d '\n/+='; }
DEBUG=false SECRET_KEY=$(random_secret) REFERENCE_DATA_API_TOKEN=$(random_secret)
HSTS_SECONDS=31536000 SECURE_COOKIES=true
export DEBUG SECRET_KEY REFERENCE_DATA_API_TOKEN HSTS_SECONDS SECURE_COOKIES
run_args=(--env-file example.env)
for name in DEBUG SECRET_KEY REFERENCE_DATA_API_TOKEN HSTS_SECONDS SECURE_COOKIES; do
    run_args+=(--env "$name")
done
if [ -n "$network" ]; then
    run_args+=(--network "$network")
fi
if [ -n "${DATABASE_URL:-}" ]; then
    # Passed by name, so the value never appears on a command line.
    export DATABASE_URL
    run_args+=(--env DATABASE_URL)
fi

echo "smoke test: release one-off: $release"
# shellcheck disable=SC2086 # the Procfile's command is split into words, as a platform does
"$docker" run --rm "${run_args[@]}" "$image" $release || fail "the release one-off exited with $?"

echo "smoke test: starting the web process"
containers+=("$run_id-web")
if [ "$network" = host ]; then
    "$docker" run --detach --name "$run_id-web" "${run_args[@]}" "$image" >/dev/null
    address="127.0.0.1:$port"
else
    "$docker" run --detach --name "$run_id-web" "${run_args[@]}" --publish "127.0.0.1::$port" \
        "$image" >/dev/null
    published=$("$docker" port "$run_id-web" "$port/tcp" | head -n 1)
    address="127.0.0.1:${published##*:}"
fi

ready=""
for _ in $(seq 60); do
    if [ -z "$("$docker" ps --quiet --filter "name=^$run_id-web\$" --filter status=running)" ]; then
        fail "the web process exited before it was ready"
    fi
    if body=$(curl --fail --silent --show-error --max-time 2 "http://$address/readyz" 2>/dev/null); then
        ready=yes
        break
    fi
    sleep 1
done
[ -n "$ready" ] || fail "GET /readyz did not answer 200 within 60 s"
echo "smoke test: GET /readyz -> 200 $body"

"$docker" stop --time 30 "$run_id-web" >/dev/null
status=$("$docker" wait "$run_id-web")
[ "$status" = 0 ] || fail "the web process exited with status $status after SIGTERM, not 0"
echo "smoke test: passed (release one-off, /readyz, graceful stop) for $image"
