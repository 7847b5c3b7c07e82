# shellcheck shell=bash
# Finds a JDK new enough for this project (Java 25: the FFM API and the build's release level).
# Sourced by bin/vmm, bin/test, bin/bench and .ci/run (setup.sh says what to do when there is none);
# defines functions only and changes no shell options.
#
#   jdk_find             prints the home of the first JDK >= 25, looking in this order:
#                        $JAVA_HOME, the java on PATH, /usr/lib/jvm/*, ~/.sdkman/candidates/java/*
#                        (within a directory, the newest version wins); returns 1 if there is none
#   jdk_found_text       prints what was found instead, for messages: the Java versions of $JAVA_HOME
#                        and of the java on PATH
#   jdk_major JAVA       prints the major version of the java binary JAVA (8, 17, 25, ...)

JDK_MIN_MAJOR=25

jdk_major() {
    local version
    version=$("$1" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    case $version in
        1.*) version=${version#1.} ;;
    esac
    version=${version%%[!0-9]*}
    [ -n "$version" ] || return 1
    printf '%s\n' "$version"
}

# A JDK home qualifies when it has java and javac and java reports at least JDK_MIN_MAJOR.
jdk_qualifies() {
    local home=$1 major
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
    major=$(jdk_major "$home/bin/java") || return 1
    [ "$major" -ge "$JDK_MIN_MAJOR" ]
}

# The newest qualifying JDK among the given directories.
jdk_newest_of() {
    local dir best="" best_major=0 major
    for dir in "$@"; do
        [ -d "$dir" ] || continue
        jdk_qualifies "$dir" || continue
        major=$(jdk_major "$dir/bin/java")
        if [ "$major" -gt "$best_major" ]; then
            best=$dir
            best_major=$major
        fi
    done
    [ -n "$best" ] || return 1
    printf '%s\n' "$best"
}

jdk_find() {
    local java_on_path home
    if [ -n "${JAVA_HOME:-}" ] && jdk_qualifies "$JAVA_HOME"; then
        printf '%s\n' "$JAVA_HOME"
        return 0
    fi
    if java_on_path=$(command -v java 2>/dev/null); then
        home=$(dirname "$(dirname "$(readlink -f "$java_on_path")")")
        if jdk_qualifies "$home"; then
            printf '%s\n' "$home"
            return 0
        fi
    fi
    jdk_newest_of /usr/lib/jvm/* && return 0
    jdk_newest_of "$HOME"/.sdkman/candidates/java/* && return 0
    return 1
}

jdk_found_text() {
    local java_on_path
    if [ -n "${JAVA_HOME:-}" ]; then
        printf 'JAVA_HOME=%s is Java %s' "$JAVA_HOME" "$(jdk_major "$JAVA_HOME/bin/java" 2>/dev/null || echo '?')"
    else
        printf 'JAVA_HOME is not set'
    fi
    if java_on_path=$(command -v java 2>/dev/null); then
        printf '; java on PATH is Java %s\n' "$(jdk_major "$java_on_path" 2>/dev/null || echo '?')"
    else
        printf '; no java on PATH\n'
    fi
}
