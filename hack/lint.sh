#!/usr/bin/env bash
# Lint for aews.eks: yamllint (.yamllint), ansible-lint with the production profile (.ansible-lint) and
# antsibull-changelog lint (changelogs/). Nothing is ignored; only .venv*, build, collections and
# tests/output are left out. Runs offline.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${VENV:-$ROOT/.venv}/bin
export PATH="$BIN:$PATH"
# The checkout is the installed collection: collections/ansible_collections/aews/eks points back here.
export ANSIBLE_COLLECTIONS_PATH=$ROOT/collections
export ANSIBLE_CONFIG=$ROOT/ansible.cfg
started=$SECONDS

step() { printf '\n==> %s\n' "$*"; }
failed=()

step "yamllint"
yamllint --strict . || failed+=(yamllint)

step "ansible-lint (production profile)"
ansible-lint --offline --strict || failed+=(ansible-lint)

step "antsibull-changelog lint"
antsibull-changelog lint || failed+=(antsibull-changelog)

if ((${#failed[@]})); then
    step "FAILED after $((SECONDS - started)) s: ${failed[*]}"
    exit 1
fi
step "lint passed in $((SECONDS - started)) s"
