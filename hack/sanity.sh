#!/usr/bin/env bash
# ansible-test sanity for aews.eks, with no network but the package index.
#
# ansible-test needs the collection under .../ansible_collections/aews/eks, so the files git knows
# (tracked, plus untracked ones that are not ignored) are copied to build/sanity/ansible_collections/aews/eks,
# with the amazon.aws collection beside them, and the tests run there:
#   1. Python 3.11 with .venv (ansible-core as pinned in requirements-dev.txt);
#   2. Python 3.12, when it is installed, with .venv312 (the newest ansible-core for 3.12, hack/requirements-py312.txt):
#      ansible-test sanity, then the unit tests (tests/unit).
# Every sanity test environment ansible-test builds gets pip from hack/get_pip_standin.py (put in its cache)
# instead of the bootstrap script it would download, and the package index from a pip.conf copied into it.
#
# Usage: hack/sanity.sh [ansible-test sanity options, for example --test pylint]
# Environment: PYTHON312 (default: python3.12 on PATH, else /root/.pyenv/versions/3.12.1/bin/python3.12);
#              AEWS_SANITY_SKIP_311=1 / AEWS_SANITY_SKIP_312=1 leave out one of the two passes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STAGE_ROOT=$ROOT/build/sanity
DEST=$STAGE_ROOT/ansible_collections/aews/eks
VENV=$ROOT/.venv
VENV312=$ROOT/.venv312

log() { printf '\n==> %s\n' "$*"; }

# ------------------------------------------------------------------ staging
stage_collection() {
    rm -rf "$DEST"
    mkdir -p "$DEST"
    # Tracked files and untracked files that are not ignored; not the collections/ symlink tree, not
    # files deleted from the working tree, not the second virtual environment.
    git ls-files -z --cached --others --exclude-standard \
        | python3 -c '
import os, sys
paths = sys.stdin.buffer.read().split(b"\0")
seen = set()
for path in paths:
    if not path or path in seen:
        continue
    seen.add(path)
    if path.startswith((b"collections/", b".venv", b"build/")) or path == b"collections":
        continue
    if os.path.lexists(path):
        sys.stdout.buffer.write(path + b"\0")
' \
        | tar --null -T - -cf - \
        | tar -xf - -C "$DEST"
    mkdir -p "$DEST/tests/output"
    # ansible-test lists content with git from the nearest .git upwards, and build/ is ignored in this
    # repository: the copy gets a repository of its own, whose files are all "untracked, not ignored".
    git -C "$DEST" init --quiet
}

stage_dependency() {
    # amazon.aws from the given virtual environment, copied beside the collection (ansible-test's collection root).
    local python=$1 src dst
    src=$("$python" -c 'import os, ansible_collections.amazon.aws as m; print(os.path.dirname(m.__file__) if m.__file__ else list(m.__path__)[0])')
    dst=$STAGE_ROOT/ansible_collections/amazon/aws
    if ! cmp -s "$src/MANIFEST.json" "$dst/MANIFEST.json" 2>/dev/null; then
        rm -rf "$dst"
        mkdir -p "$(dirname "$dst")"
        cp -a "$src" "$dst"
        find "$dst" -name __pycache__ -type d -prune -exec rm -rf {} +
    fi
}

# ------------------------------------------------------------------ pip bootstrap stand-in
install_pip_standin() {
    # The pip version ansible-test bootstraps into its environments, read from the ansible-test in use.
    local venv=$1 requirements version cache
    requirements=$(find "$venv/lib" -path '*/ansible_test/_internal/python_requirements.py' | head -n 1)
    version=$(sed -n "s/^ *pip='\([0-9.]*\)',*$/\1/p" "$requirements" | head -n 1)
    if [[ -z $version ]]; then
        echo "cannot find the pip version ansible-test bootstraps in $requirements" >&2
        exit 1
    fi
    cache=$HOME/.ansible/test/cache
    mkdir -p "$cache"
    cp "$ROOT/hack/get_pip_standin.py" "$cache/get_pip_${version//./_}.py"
    # ansible-test drops PIP_* variables; the index (and CA bundle) go into a pip.conf in each new environment.
    {
        echo "[global]"
        echo "index-url = ${PIP_INDEX_URL:-https://pypi.org/simple}"
        if [[ -n ${PIP_CERT:-} ]]; then echo "cert = $PIP_CERT"; fi
        echo "disable-pip-version-check = true"
        echo "timeout = ${PIP_DEFAULT_TIMEOUT:-60}"
    } >"$cache/aews-pip.conf"
}

ensure_tools() {
    # The ShellCheck binary (from a wheel), so that the shellcheck sanity test runs instead of being skipped.
    local venv=$1
    if [[ ! -x $venv/bin/shellcheck ]]; then
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/hack/requirements-tools.txt"
    fi
}

run_sanity() {
    local venv=$1 version=$2
    shift 2
    ensure_tools "$venv"
    stage_dependency "$venv/bin/python"
    install_pip_standin "$venv"
    log "ansible-test sanity --python $version ($("$venv/bin/ansible" --version | sed -n 1p))"
    (
        cd "$DEST"
        export PATH="$venv/bin:$PATH"
        unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
        ansible-test sanity --python "$version" --color no --truncate 0 "$@"
    )
}

# ------------------------------------------------------------------ Python 3.12 environment
find_python312() {
    if [[ -n ${PYTHON312:-} ]]; then
        echo "$PYTHON312"
    elif command -v python3.12 >/dev/null 2>&1 && python3.12 -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
        command -v python3.12
    elif [[ -x /root/.pyenv/versions/3.12.1/bin/python3.12 ]]; then
        echo /root/.pyenv/versions/3.12.1/bin/python3.12
    fi
}

ensure_venv312() {
    local python=$1 marker stamp
    marker=$VENV312/.installed
    # Rebuilt when its requirements or .venv's amazon.aws change.
    stamp=$(cat "$ROOT/hack/requirements-py312.txt" "$ROOT/hack/requirements-tools.txt" \
        "$("$VENV/bin/python" -c 'import ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')/MANIFEST.json" \
        | sha256sum | cut -c1-16)
    if [[ -f $marker && $(cat "$marker") == "$stamp" ]]; then
        return
    fi
    log "creating .venv312 (hack/requirements-py312.txt)"
    rm -rf "$VENV312"
    "$python" -m venv "$VENV312"
    "$VENV312/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/hack/requirements-py312.txt"
    # amazon.aws is not part of ansible-core: the same release .venv has, copied into the environment's collections.
    local src site
    src=$("$VENV/bin/python" -c 'import os, ansible_collections.amazon.aws as m; print(list(m.__path__)[0])')
    site=$("$VENV312/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    mkdir -p "$site/ansible_collections/amazon"
    cp -a "$src" "$site/ansible_collections/amazon/aws"
    echo "$stamp" >"$marker"
}

# ------------------------------------------------------------------ main
# One run at a time on a machine: runs share build/sanity and ansible-test's environments in ~/.ansible/test.
mkdir -p "$ROOT/build"
exec 9>"$ROOT/build/.sanity.lock"
if ! flock --nonblock 9; then
    log "waiting for another hack/sanity.sh run to finish"
    flock 9
fi
started=$SECONDS
stage_collection
failed=()

if [[ ${AEWS_SANITY_SKIP_311:-} == 1 ]]; then
    log "Python 3.11 pass skipped: AEWS_SANITY_SKIP_311=1"
else
    run_sanity "$VENV" 3.11 "$@" || failed+=("ansible-test sanity on Python 3.11")
fi

if [[ ${AEWS_SANITY_SKIP_312:-} == 1 ]]; then
    log "Python 3.12 pass skipped: AEWS_SANITY_SKIP_312=1"
else
    python312=$(find_python312)
    if [[ -z $python312 ]]; then
        log "Python 3.12 pass skipped: no python3.12 on this machine (set PYTHON312 to use one)"
    else
        ensure_venv312 "$python312"
        run_sanity "$VENV312" 3.12 "$@" || failed+=("ansible-test sanity on Python 3.12")
        log "unit tests on Python 3.12 ($("$VENV312/bin/ansible" --version | sed -n 1p))"
        ANSIBLE_COLLECTIONS_PATH=$ROOT/collections "$VENV312/bin/python" -m pytest -q tests/unit \
            || failed+=("unit tests on Python 3.12")
    fi
fi

if ((${#failed[@]})); then
    log "FAILED after $((SECONDS - started)) s: ${failed[*]}"
    exit 1
fi
log "sanity passed in $((SECONDS - started)) s"
