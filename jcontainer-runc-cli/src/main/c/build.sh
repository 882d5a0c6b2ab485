#!/bin/sh
# Builds jcontainer-runc's short-command program (short.c) for linux-x86_64 and linux-aarch64 into
# OUT/linux-ARCH/jcontainer-runc-short. Called by Maven (generate-resources), as the launcher's
# build.sh: static, no libc, the launcher's sys.h for the system calls. A missing cross-compiler is
# an error under CI (CI=true) and a warning otherwise (./jcontainer-runc then runs every command
# on the JVM).
set -eu
src=$(cd "$(dirname "$0")" && pwd)
sys=$src/../../../../jcontainer-linux/src/main/c
out=${1:?usage: build.sh OUTPUT-DIR}
flags="-Os -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector -fno-asynchronous-unwind-tables
       -fno-pie -no-pie -Wall -Wextra -Werror -Wno-unused-parameter
       -Wl,--gc-sections -Wl,--build-id=none -Wl,-z,max-page-size=4096 -s"
built=0
for arch in x86_64 aarch64; do
  case "$(uname -m)" in
    "$arch") cc=${CC:-gcc} ;;
    *) cc=$arch-linux-gnu-gcc ;;
  esac
  if ! command -v "$cc" >/dev/null 2>&1; then
    msg="jcontainer-runc: no C compiler for linux-$arch ($cc); install it with: apt-get install gcc-$(echo $arch | sed 's/_/-/')-linux-gnu"
    if [ "${CI:-}" = "true" ] || [ "${JC_REQUIRE_ALL_ARCHES:-}" = "1" ]; then echo "$msg" >&2; exit 1; fi
    echo "WARNING: $msg — that architecture runs every command on the JVM" >&2
    continue
  fi
  mkdir -p "$out/linux-$arch"
  # shellcheck disable=SC2086
  "$cc" $flags -I "$sys" -o "$out/linux-$arch/jcontainer-runc-short" "$src/short.c"
  built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "jcontainer-runc: the short-command program could not be built: install gcc" >&2; exit 1; }
