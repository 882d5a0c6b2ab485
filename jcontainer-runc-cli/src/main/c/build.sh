#!/bin/sh
# Builds jcontainer-runc's short-command program (short.c) for linux-x86_64 and linux-aarch64 into
# OUT/linux-ARCH/jcontainer-runc-short. Called by Maven (generate-resources) through the launcher's
# build.sh: the same flags (static, no libc), the launcher's sys.h and freestanding.c. Where an
# architecture has no compiler (a warning outside CI), ./jcontainer-runc runs every command there
# on the JVM.
set -eu
src=$(cd "$(dirname "$0")" && pwd)
sys=$src/../../../../jcontainer-linux/src/main/c
exec sh "$sys/build.sh" "${1:?usage: build.sh OUTPUT-DIR}" jcontainer-runc-short "$src/short.c" "$sys/freestanding.c"
