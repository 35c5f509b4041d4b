#!/usr/bin/env bash
# Molecule scenarios of aews.eks (extensions/molecule/) against the local AWS endpoint:
#   hack/molecule.sh              every scenario
#   hack/molecule.sh site vpc     only the named ones
#   MOLECULE_JOBS=1 hack/molecule.sh    one at a time (default: 3 at once)
# Each scenario gets a local endpoint of its own on a free port, with short transitions, and runs
# `molecule test -s <scenario>` from the collection root (Molecule finds extensions/molecule there). Most of a
# scenario's time is spent in amazon.aws modules' fixed sleeps, so scenarios run side by side. A scenario's
# output goes to a log file, printed whole when the scenario fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${VENV:-$ROOT/.venv}/bin
export PATH="$BIN:$PATH"
started=$SECONDS
jobs=${MOLECULE_JOBS:-3}

scenarios=("$@")
((${#scenarios[@]})) || scenarios=(definition vpc cluster nodegroup addons upgrade site)

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=ap-northeast-2
export AEWS_EKS_WAIT_DELAY=0.5
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_COLLECTIONS_PATH=$ROOT/collections
export ANSIBLE_DEPRECATION_WARNINGS=false ANSIBLE_NOCOLOR=1 NO_COLOR=1

logs=$(mktemp -d -t aews-molecule.XXXXXX)

# run_scenario NAME: its own endpoint, then `molecule test`; the exit status is the scenario's.
run_scenario() {
    local scenario=$1 port server url status=0
    port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    MOTO_IAM_LOAD_MANAGED_POLICIES=true "$BIN/python" tests/local_aws/server.py --port "$port" \
        >"$logs/$scenario.endpoint.log" 2>&1 &
    server=$!
    url=http://127.0.0.1:$port
    for _ in $(seq 1 150); do
        curl -fsS -o /dev/null "$url/_aews/config" 2>/dev/null && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.2
    done
    # Short transitions; the site scenario runs with the endpoint's realistic profile (IAM propagation, EC2's
    # read-after-create lag, NAT gateway transitions, lingering CNI interfaces, quotas), its durations scaled.
    local config='{"delays": {"cluster": 0.5, "nodegroup": 0.5, "addon": 0.2, "update": 0.5}, "scale": 1.0}'
    if [[ $scenario == site ]]; then
        config='{"profile": "realistic", "seed": 7, "scale": 0.02,
                 "delays": {"cluster": 25, "nodegroup": 25, "addon": 10, "update": 25}}'
    fi
    if ! curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -d "$config" \
        "$url/_aews/config"; then
        echo "The local AWS endpoint for $scenario did not start" >>"$logs/$scenario.log"
        cat "$logs/$scenario.endpoint.log" >>"$logs/$scenario.log"
        kill "$server" 2>/dev/null || true
        return 1
    fi
    AWS_ENDPOINT_URL=$url molecule test -s "$scenario" >>"$logs/$scenario.log" 2>&1 || status=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    return "$status"
}

declare -A pids=()
failed=()
# reap: wait for one running scenario to end and record it.
reap() {
    local done_pid status name
    status=0
    wait -n -p done_pid "${!pids[@]}" || status=$?
    name=${pids[$done_pid]}
    unset "pids[$done_pid]"
    if ((status == 0)); then
        printf '==> %s passed (%s s so far)\n' "$name" "$((SECONDS - started))"
    else
        printf '\n==> %s FAILED; its output:\n' "$name"
        cat "$logs/$name.log"
        failed+=("$name")
    fi
}

for scenario in "${scenarios[@]}"; do
    while ((${#pids[@]} >= jobs)); do reap; done
    printf '==> molecule test -s %s\n' "$scenario"
    run_scenario "$scenario" &
    pids[$!]=$scenario
done
while ((${#pids[@]})); do reap; done

if ((${#failed[@]})); then
    printf '\n==> FAILED after %s s: %s (logs in %s)\n' "$((SECONDS - started))" "${failed[*]}" "$logs"
    exit 1
fi
rm -rf "$logs"
printf '\n==> molecule scenarios passed in %s s: %s\n' "$((SECONDS - started))" "${scenarios[*]}"
