#!/usr/bin/env bash
# deps.sh -- install the Debian packages elig needs, only those missing (apt-get update first).
#   tools/deps.sh          build + tests: compiler, PLplot (figures), NumPy (test references)
#   tools/deps.sh bench    also PyTorch, for the reference the benchmarks race
set -eu
pkgs="gcc make pkg-config libc6-dev libplplot-dev plplot-driver-cairo python3-numpy zlib1g-dev libhdf5-dev python3-h5py dataset-fashion-mnist"
[ "${1:-}" = bench ] && pkgs="$pkgs python3-torch"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "elig needs:$missing -- run as root: apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
