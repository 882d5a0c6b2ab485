#!/usr/bin/env bash
# fetch-runc-source.sh DIR: Debian's runc source package (its tests/integration: runc's own bats
# suite), unpacked at DIR/runc, for RuncBatsIT. Adds a deb-src line for the release's main
# component when apt has none (root only), as .ci/run does on a clean machine.
set -euo pipefail
dir=${1:?usage: fetch-runc-source.sh DIR}
[ -d "$dir/runc/tests/integration" ] && exit 0
if ! apt-get source --dry-run runc >/dev/null 2>&1 || ! grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  [ "$(id -u)" = 0 ] || { echo "fetch-runc-source.sh: apt has no deb-src line; as root this script adds one" >&2; exit 1; }
  . /etc/os-release
  cat >/etc/apt/sources.list.d/jcontainer-deb-src.sources <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: ${VERSION_CODENAME:-bookworm}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -q >/dev/null
fi
if ! command -v dpkg-source >/dev/null; then   # unpacks the source package
  [ "$(id -u)" = 0 ] || { echo "fetch-runc-source.sh: dpkg-source is missing: apt-get install dpkg-dev" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dpkg-dev >/dev/null
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get source --download-only runc >/dev/null 2>&1 && dpkg-source -x --no-check ./runc_*.dsc runc >/dev/null)
mv "$tmp/runc" "$dir/runc"
