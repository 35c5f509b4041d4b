#!/usr/bin/env bash
# Molecule scenarios of aews.eks (extensions/molecule/) against the local AWS endpoint:
#   hack/molecule.sh              every scenario (site, then vpc)
#   hack/molecule.sh site         only the named ones
# Starts the endpoint on a free port with short transitions, runs `molecule test -s <scenario>` from the
# collection root (Molecule finds extensions/molecule there), and stops the endpoint on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${VENV:-$ROOT/.venv}/bin
export PATH="$BIN:$PATH"
started=$SECONDS

scenarios=("$@")
((${#scenarios[@]})) || scenarios=(site vpc)

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp -t aews-molecule-local-aws.XXXXXX.log)
MOTO_IAM_LOAD_MANAGED_POLICIES=true "$BIN/python" tests/local_aws/server.py --port "$port" >"$log" 2>&1 &
server=$!
stop() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
trap stop EXIT

url=http://127.0.0.1:$port
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$url/_aews/config" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$log" >&2
        echo "The local AWS endpoint did not start" >&2
        exit 1
    fi
    sleep 0.2
done
curl -fsS -o /dev/null "$url/_aews/config" || { cat "$log" >&2; exit 1; }
echo "Local AWS endpoint on $url (log: $log)"

export AWS_ENDPOINT_URL=$url
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-northeast-2
export AEWS_EKS_WAIT_DELAY=0.5
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$ROOT/collections
export ANSIBLE_DEPRECATION_WARNINGS=false ANSIBLE_NOCOLOR=1 NO_COLOR=1

failed=()
for scenario in "${scenarios[@]}"; do
    # A fresh endpoint per scenario, with short transitions.
    curl -fsS -o /dev/null -X POST "$url/_aews/reset"
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d '{"delays": {"cluster": 0.5, "nodegroup": 0.5, "addon": 0.2, "update": 0.5}, "scale": 1.0}' \
        "$url/_aews/config"
    printf '\n==> molecule test -s %s\n' "$scenario"
    if ! molecule test -s "$scenario"; then
        failed+=("$scenario")
    fi
done

if ((${#failed[@]})); then
    printf '\n==> FAILED after %s s: %s\n' "$((SECONDS - started))" "${failed[*]}"
    exit 1
fi
printf '\n==> molecule scenarios passed in %s s: %s\n' "$((SECONDS - started))" "${scenarios[*]}"
