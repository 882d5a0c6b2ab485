# Sourced by ./jcontainer and ./run-tests: sets JAVA_HOME to a JDK >= 22 (java.lang.foreign is
# final since 22), or explains exactly what to install and exits 1.
# The JDK's release file answers without starting a JVM (which would double ./jcontainer's startup).
jc_java_major() {
  local m=""
  [ -r "$1/release" ] && m=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  [ -n "$m" ] || m=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  echo "$m"
}
jc_find_jdk() {
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(jc_java_major "$candidate")
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
