#!/bin/sh
# build.sh OUT [NAME SOURCE...]: builds the launcher (or, given NAME and its sources, another
# libc-free program: jcontainer-runc's short-command program) for linux-x86_64 and linux-aarch64
# into OUT/linux-ARCH/NAME. Called by Maven (generate-resources). Static, no libc: the same binary
# runs on glibc and musl hosts; this directory's headers (sys.h, freestanding.h) are on the include
# path. A missing cross-compiler is an error under CI (CI=true) and a warning otherwise.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT-DIR [NAME SOURCE...]}
shift
name=${1:-jcontainer-launcher}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$src"/*.c
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
    msg="$name: no C compiler for linux-$arch ($cc); install it with: apt-get install gcc-$(echo $arch | sed 's/_/-/')-linux-gnu"
    if [ "${CI:-}" = "true" ] || [ "${JC_REQUIRE_ALL_ARCHES:-}" = "1" ]; then echo "$msg" >&2; exit 1; fi
    echo "WARNING: $msg — the jar will lack that architecture's $name" >&2
    continue
  fi
  mkdir -p "$out/linux-$arch"
  # shellcheck disable=SC2086
  "$cc" $flags -I "$src" -o "$out/linux-$arch/$name" "$@"
  built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "$name: could not be built for any architecture: install gcc" >&2; exit 1; }
