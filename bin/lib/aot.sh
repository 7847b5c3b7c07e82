# shellcheck shell=bash
# The JDK AOT cache of bin/vmm (JEPs 483, 514, 515): classes loaded and linked, and method profiles, from
# a training run (vmm warm-up: a small loopback migration), so that a fresh JVM starts with what a warm
# one has. Sourced by bin/vmm; defines functions only and changes no shell options.
#
#   aot_cache_flags JAVA_HOME DIR CLASSPATH COMMAND [JVM FLAGS...]
#       prints the JVM flags that use the cache (one per line; nothing without one). The cache lives in
#       DIR, named by a hash of the jars of CLASSPATH (path, size, modification time), the JDK's release
#       file and the JVM flags, so that a rebuild or another JDK gets a cache of its own (older ones in DIR
#       are deleted). When it is missing and COMMAND is one that runs guests (demo, run, migrate, daemon,
#       warm-up), it is built first by a training run, with one line on stderr; when that fails it says so
#       in one line (once per build: the log is kept as DIR/vmm-KEY.failed) and prints nothing: the command
#       runs without a cache, only slower. VMM_AOT=off turns all of it off. The cache is an accelerator only: deleting it changes nothing but speed.

aot_key() {
    local java_home=$1 classpath=$2 entry
    shift 2
    {
        printf 'java %s\n' "$java_home/bin/java"
        cat "$java_home/release" 2>/dev/null || "$java_home/bin/java" -version 2>&1
        printf 'flags %s\n' "$*"
        local IFS=:
        for entry in $classpath; do
            stat -L -c '%n %s %Y' "$entry" 2>/dev/null || printf 'missing %s\n' "$entry"
        done
    } | sha256sum | cut -c1-16
}

aot_cache_flags() {
    local java_home=$1 dir=$2 classpath=$3 command=$4 key cache failed tmp log why
    shift 4
    case ${VMM_AOT:-on} in
        off|0|no|false) return 0 ;;
    esac
    key=$(aot_key "$java_home" "$classpath" "$@") || return 0
    cache=$dir/vmm-$key.aot
    failed=$dir/vmm-$key.failed
    if [ ! -f "$cache" ]; then
        [ -e "$failed" ] && return 0 # said once; a rebuild (another key) or deleting the file tries again
        case $command in
            demo|run|migrate|daemon|warm-up) ;;
            *) return 0 ;;
        esac
        mkdir -p "$dir" 2>/dev/null || { echo "vmm: cannot create $dir for the JDK AOT cache; running without it" >&2; return 0; }
        echo "vmm: building the JDK AOT cache (once per build: a training migration, some seconds)..." >&2
        tmp=$dir/vmm-$key.$$.tmp.aot
        log=$dir/vmm-$key.$$.log
        if "$java_home/bin/java" "$@" -XX:AOTCacheOutput="$tmp" -cp "$classpath" \
                org.migrationlab.vmm.cli.VmmCommand warm-up >"$log" 2>&1 </dev/null \
                && [ -s "$tmp" ] && mv -f "$tmp" "$cache"; then
            # Caches and logs of older builds; a concurrent build of this one keeps its own files.
            find "$dir" -maxdepth 1 -name 'vmm-*' ! -name "vmm-$key*" -delete 2>/dev/null
        else
            why=$(grep -v '^\[' "$log" | grep -i -m 1 -E 'error|fail|cannot|exception' \
                || grep -v '^\[' "$log" | tail -n 1)
            mv -f "$log" "$failed"
            echo "vmm: could not build the JDK AOT cache (${why:-no output}); running without it, and not trying" \
                "again for this build (log: $failed; delete it to retry)" >&2
            rm -f "$tmp" "$tmp.config"
            return 0
        fi
        rm -f "$log"
    fi
    printf '%s\n' "-XX:AOTCache=$cache"
}
