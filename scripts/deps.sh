#!/bin/sh
# Installs the Debian packages hull needs, only those missing (no apt-get update when nothing is).
#   usage: scripts/deps.sh build|test|bench
set -eu
build="meson ninja-build pkg-config gcc libc6-dev libjson-c-dev libseccomp-dev libcap-dev libarchive-dev libcurl4-openssl-dev libssl-dev libmnl-dev libnftables-dev libyaml-dev busybox-static go-md2man"
test="$build libcmocka-dev bats jq debootstrap util-linux strace podman uidmap clang libclang-rt-14-dev containerd docker-registry skopeo umoci attr python3 openssl zstd curl nftables iperf3 slirp4netns golang-go docker.io qemu-system-x86 tmux"
bench="$build hyperfine crun runc time util-linux iperf3 podman jq docker.io uidmap debootstrap systemd-container"
case "${1:-}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
