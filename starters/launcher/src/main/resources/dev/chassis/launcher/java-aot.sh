#!/bin/sh
# Runs java with the AOT cache beside this script (app.aot) when the java that runs and the jars beside this script
# (*.jar, lib/*.jar) are the ones that made it (app.aot.id); plain java otherwise, without a word either way.
# Usage: java-aot [java arguments], e.g. target/java-aot -jar target/my-service.jar. JAVA_HOME picks the java, as for
# Maven; else the java on PATH. Written by chassis-launcher's AotTraining (chassis-service-parent, mvn package).
dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || exit 1
java=java
[ -n "${JAVA_HOME:-}" ] && java=$JAVA_HOME/bin/java
if [ -f "$dir/app.aot" ] && [ -f "$dir/app.aot.id" ]; then
  home=$(command -v "$java" 2>/dev/null) && home=$(readlink -f "$home" 2>/dev/null) && home=${home%/bin/java}
  version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$home/release" 2>/dev/null)
  id=$(printf 'java %s %s\n' "$home" "$version"
    cd "$dir" && LC_ALL=C && export LC_ALL || exit 1
    set --
    for f in *.jar lib/*.jar; do [ -f "$f" ] && set -- "$@" "$f"; done
    [ $# -gt 0 ] || exit 0
    # size, modification time in seconds and name of each jar: one stat for all of them (GNU, BusyBox), or, where
    # stat has no -c (BSD), three commands per jar -- a start with a hundred jars spent a third of a second there
    stat -L -c '%s %Y %n' -- "$@" 2>/dev/null && exit 0
    for f in "$@"; do printf '%s %s %s\n' "$(wc -c < "$f" | tr -d ' ')" "$(date -r "$f" +%s)" "$f"; done)
  if [ -n "$version" ] && [ "$id" = "$(cat "$dir/app.aot.id")" ]; then
    # the JDK 25.0.3 prints warnings about its AOT code cache even for a fitting cache: the cache is checked above
    exec "$java" -XX:AOTCache="$dir/app.aot" '-Xlog:aot*=off' '-Xlog:cds*=off' "$@"
  fi
fi
exec "$java" "$@"
