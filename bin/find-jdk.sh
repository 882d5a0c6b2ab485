# Sourced by ./jcontainer and ./run-tests: sets JAVA_HOME to a JDK >= 22 (java.lang.foreign is
# final since 22), or explains exactly what to install and exits 1.
# The JDK's release file answers without starting a JVM (which would double ./jcontainer's startup).
# It reads the release file with builtins and sets jc_major (no $(...) subshell, no sed): this runs
# before every ./jcontainer verb, and each fork is a few ms of a read verb's start on a loaded host.
jc_java_major() {
  jc_major=""
  local line
  if [ -r "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then jc_major=${BASH_REMATCH[1]}; break; fi
    done <"$1/release"
  fi
  [ -n "$jc_major" ] || jc_major=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
}
jc_find_jdk() {
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    jc_java_major "$candidate"
    major=$jc_major
    if [ -n "$major" ] && [ "$major" -ge 22 ]; then JAVA_HOME=$candidate; export JAVA_HOME; return 0; fi
  done
  have=""  # no java at all must not end a `set -e` caller silently
  if command -v java >/dev/null 2>&1; then have=$(java -version 2>&1 | head -1) || true; fi
  cat >&2 <<MSG
jcontainer needs a JDK 22 or later (it uses java.lang.foreign); found none.
  default java: ${have:-none}
Install one and either put it under /usr/lib/jvm or point JAVA_HOME at it, e.g.:
  apt-get install openjdk-25-jdk-headless      (Debian 13 / Ubuntu 24.04+)
  or a Temurin 25 JDK from adoptium.net, unpacked under /usr/lib/jvm
MSG
  exit 1
}
jc_find_jdk
