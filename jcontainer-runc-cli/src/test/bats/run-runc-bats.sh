#!/usr/bin/env bash
# run-runc-bats.sh SRC OUT [FILE.bats...]: runs runc's own integration suite (tests/integration of
# Debian's runc source package, unpacked at SRC) against $RUNC (jcontainer-runc), one TAP file per
# .bats file in OUT. Without FILEs: every file. What the suite would fetch or build is provided
# here instead, in a copy of SRC's tests (SRC itself is not changed):
#   - its images (get-images.sh downloads busybox and Debian from GitHub, and needs `go`): a
#     busybox tarball made from Debian's busybox-static; no Debian image (tests using it fail);
#   - contrib/cmd/recvtty (a Go program): recvtty.py beside this script, its "null" mode;
#   - sd-helper, seccompagent (Go programs): not provided; the tests that use them fail.
set -euo pipefail
src=$(readlink -f "${1:?usage: run-runc-bats.sh SRC OUT [FILE.bats...]}")
out=$(mkdir -p "${2:?usage: run-runc-bats.sh SRC OUT [FILE.bats...]}" && readlink -f "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
: "${RUNC:?set RUNC to the runtime under test}"
command -v bats >/dev/null || { echo "run-runc-bats.sh: bats is missing: apt-get install bats" >&2; exit 1; }
command -v jq >/dev/null || { echo "run-runc-bats.sh: jq is missing: apt-get install jq" >&2; exit 1; }
bb=$(dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$' || true)
[ -n "$bb" ] || { echo "run-runc-bats.sh: busybox-static is missing" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/runc-bats.XXXXXX")
# A test that fails half way skips its own clean-up: the cgroups it made under
# runc-cgroups-integration-test (some frozen on purpose) are thawed and removed here.
cleanup_cgroups() {
  local d
  for d in $(find /sys/fs/cgroup -depth -type d -path '*/runc-cgroups-integration-test*' 2>/dev/null); do
    [ -w "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
    rmdir "$d" 2>/dev/null || true
  done
}
trap 'cleanup_cgroups; rm -rf "$work"' EXIT
mkdir -p "$work/tree"
cp -a "$src/tests" "$work/tree/"
it=$work/tree/tests/integration
# the busybox image: busybox-static with its applets, /etc/passwd and group for id and su
r=$work/busybox
mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/root"
cp "$bb" "$r/bin/busybox"
for applet in $("$bb" --list); do [ "$applet" = busybox ] || ln -sf busybox "$r/bin/$applet"; done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
mkdir -p "$it/testdata"
tar -C "$r" -cJf "$it/testdata/busybox.tar.xz" .
cat >"$it/get-images.sh" <<IMAGES
#!/bin/bash
# replaced by jcontainer's run-runc-bats.sh: local busybox, no Debian image
echo BUSYBOX_IMAGE=$it/testdata/busybox.tar.xz
echo DEBIAN_IMAGE=$it/testdata/no-debian-image.tar.xz
IMAGES
mkdir -p "$work/tree/contrib/cmd/recvtty"
cp "$here/recvtty.py" "$work/tree/contrib/cmd/recvtty/recvtty"
chmod +x "$work/tree/contrib/cmd/recvtty/recvtty"

if [ $# -eq 0 ]; then set -- $(cd "$it" && ls ./*.bats | sed 's|^\./||'); fi
for f in "$@"; do
  name=$(basename "$f" .bats)
  start=$(date +%s)
  (cd "$it" && timeout "${BATS_FILE_TIMEOUT:-600}" bats --tap "$name.bats") >"$out/$name.tap" 2>&1 || true
  echo "# $name: $(( $(date +%s) - start )) s" >>"$out/$name.tap"
done
