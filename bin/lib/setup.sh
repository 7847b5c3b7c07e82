# shellcheck shell=bash
# Installs what this project needs on Debian or Ubuntu, or says exactly how to. Sourced, after jdk.sh,
# by bin/vmm, bin/test, bin/bench and .ci/run; defines functions only and changes no shell options.
# Everything it prints goes to standard error, except the JDK home that setup_require_jdk prints.
#
#   setup_missing            prints the Debian packages this machine lacks, space-separated (nothing when
#                            none): libunicorn2 (the emulator, libunicorn.so.2), gcc and make (the guest
#                            images), maven (when there is no mvn on PATH), fontconfig and fonts-dejavu-core
#                            (when fontconfig knows no font: the evaluation's plots need one)
#   setup_may_install        true when this shell may install packages without asking anyone: it runs as
#                            root, or `sudo -n true` succeeds (sudo without a password)
#   setup_require WHO        installs the missing packages with apt-get install -y when it may; otherwise
#                            prints one message naming them and the exact command to run, and returns 1
#   setup_require_jdk WHO    prints the home of a JDK 25 or newer (see jdk.sh); without one, installs
#                            Debian's openjdk-25 when this release has it and it may, otherwise prints
#                            how to get one and returns 1
#
# Tests may override setup_has_unicorn and setup_has_command (what is installed) and setup_as_root (how
# commands run as root).

SETUP_APT_UPDATED=no

# True when the dynamic linker can find libunicorn.so.2 (the name the emulator loads).
setup_has_unicorn() {
    local ldconfig
    if dpkg-query -W -f='${Status}\n' libunicorn2 2>/dev/null | grep -q 'install ok installed'; then
        return 0
    fi
    ldconfig=$(command -v ldconfig 2>/dev/null || echo /sbin/ldconfig)
    [ -x "$ldconfig" ] && "$ldconfig" -p 2>/dev/null | grep -q 'libunicorn\.so\.2 '
}

setup_has_command() {
    command -v "$1" >/dev/null 2>&1
}

# True when fontconfig knows a font: the evaluation draws its plots (text in PNG and SVG) with them.
setup_has_fonts() {
    setup_has_command fc-list && [ -n "$(fc-list 2>/dev/null | head -n 1)" ]
}

setup_missing() {
    local missing=()
    setup_has_unicorn || missing+=(libunicorn2)
    setup_has_fonts || missing+=(fontconfig fonts-dejavu-core)
    setup_has_command gcc || missing+=(gcc)
    setup_has_command make || missing+=(make)
    setup_has_command mvn || missing+=(maven)
    printf '%s\n' "${missing[*]}"
}

setup_may_install() {
    [ "$(id -u)" -eq 0 ] && return 0
    setup_has_command sudo && sudo -n true 2>/dev/null
}

# Runs a command as root: directly when this is root, else with sudo that asks for no password.
setup_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo -n "$@"
    fi
}

# apt-get, non-interactive, its output on standard error.
setup_apt_get() {
    setup_as_root env DEBIAN_FRONTEND=noninteractive apt-get -q "$@" >&2
}

setup_apt_update_once() {
    if [ "$SETUP_APT_UPDATED" = no ]; then
        setup_apt_get update || return 1
        SETUP_APT_UPDATED=yes
    fi
}

setup_install() {
    setup_apt_update_once && setup_apt_get install -y --no-install-recommends "$@"
}

setup_require() {
    local who=$1 missing them=them
    missing=$(setup_missing)
    [ -n "$missing" ] || return 0
    case $missing in
        *" "*) ;;
        *) them=it ;;
    esac
    if ! setup_has_command apt-get; then
        echo "$who: needs $missing (Debian/Ubuntu package names); install $them with this system's package manager" >&2
        return 1
    fi
    if ! setup_may_install; then
        echo "$who: needs $missing; install $them with: sudo apt-get update && sudo apt-get install -y $missing" >&2
        return 1
    fi
    echo "$who: installing $missing (apt-get install -y)" >&2
    # shellcheck disable=SC2086 # one word per package
    if ! setup_install $missing; then
        echo "$who: could not install $missing; try: sudo apt-get update && sudo apt-get install -y $missing" >&2
        return 1
    fi
    missing=$(setup_missing)
    if [ -n "$missing" ]; then
        echo "$who: still missing after apt-get install: $missing" >&2
        return 1
    fi
}

# The first of Debian's openjdk-25 packages that this release's package lists offer, if any.
setup_debian_jdk_package() {
    local candidate
    for candidate in openjdk-25-jdk-headless openjdk-25-jdk; do
        if apt-cache policy "$candidate" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

setup_require_jdk() {
    local who=$1 package=""
    if jdk_find; then
        return 0
    fi
    if setup_has_command apt-get && setup_may_install && setup_apt_update_once \
            && package=$(setup_debian_jdk_package); then
        echo "$who: installing $package (apt-get install -y)" >&2
        if setup_install "$package" && jdk_find; then
            return 0
        fi
    fi
    {
        printf '%s: needs a JDK %s or newer and found none (%s).\n' "$who" "$JDK_MIN_MAJOR" "$(jdk_found_text)"
        if [ -n "$package" ]; then
            printf '  Installing %s did not give one: set JAVA_HOME to a JDK %s.\n' "$package" "$JDK_MIN_MAJOR"
        elif package=$(setup_debian_jdk_package); then
            printf '  Install it with: sudo apt-get install -y %s\n' "$package"
        else
            printf '  This release has no openjdk-%s package (Debian 12 has none). Install Temurin %s from\n' \
                "$JDK_MIN_MAJOR" "$JDK_MIN_MAJOR"
            printf "  Adoptium's apt repository (package temurin-%s-jdk) or with SDKMAN (sdk install java %s.x.y-tem),\n" \
                "$JDK_MIN_MAJOR" "$JDK_MIN_MAJOR"
            printf '  or set JAVA_HOME to a JDK %s. The scripts also look in /usr/lib/jvm and ~/.sdkman.\n' \
                "$JDK_MIN_MAJOR"
        fi
    } >&2
    return 1
}
