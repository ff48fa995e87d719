# Sourced by ./mvnw (Chassis addition to the standard Maven wrapper).
# Chassis needs a JDK 21 or newer. When JAVA_HOME (or the java on PATH) is older, look for one in
# the usual install locations and use it; when there is none, stop with one clear line.
chassis_java_feature() { # prints the feature version of the JDK at $1 (e.g. 17, 21, 25)
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release")
  else
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  [ "$v" = 1 ] && v=8
  [ -n "$v" ] && printf '%s\n' "$v"
}
chassis_current_home() {
  if [ -n "${JAVA_HOME-}" ]; then printf '%s\n' "$JAVA_HOME"; return; fi
  j=$(command -v java 2>/dev/null) || return 0
  j=$(readlink -f "$j" 2>/dev/null || printf '%s' "$j")
  printf '%s\n' "${j%/bin/java}"
}
chassis_find_jdk() {
  current=$(chassis_current_home); current_v=""
  if [ -n "$current" ]; then
    current_v=$(chassis_java_feature "$current" || true)
    if [ -n "$current_v" ] && [ "$current_v" -ge 21 ]; then return 0; fi
  fi
  best=""; best_v=0
  set +f
  # CHASSIS_JDK_DIRS (space-separated globs) replaces the usual install locations.
  dirs=${CHASSIS_JDK_DIRS:-"/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home $HOME/.sdkman/candidates/java/* $HOME/.jdks/* $HOME/.asdf/installs/java/*"}
  for d in $dirs; do
    [ -d "$d" ] || continue
    v=$(chassis_java_feature "$d" || true)
    if [ -n "${v-}" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  set -f
  if [ -z "$best" ]; then
    echo "Chassis needs a JDK 21 or newer, but found ${current:-no JDK}${current_v:+ (Java $current_v)}: install one (e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+) or set JAVA_HOME to it." >&2
    exit 1
  fi
  [ "${MVNW_VERBOSE-}" = true ] && echo "mvnw: using JDK $best_v at $best" >&2
  JAVA_HOME="$best"; export JAVA_HOME
}
chassis_find_jdk
