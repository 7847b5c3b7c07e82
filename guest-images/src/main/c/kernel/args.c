/* args.c — boot argument lookup and value parsing (grammar in args.h). */
#include "args.h"
#include "kernel.h"

#define MAX_ARGS 128

static const char *arg_start[MAX_ARGS];
static uint8_t arg_used[MAX_ARGS];
static int nargs;

void args_init(const char *args, uint32_t len) {
    if (len > GUEST_ARGS_MAX) kfail(EXIT_BAD_BOOT_INFO, "boot: args_len %u exceeds %u", len, GUEST_ARGS_MAX);
    if (len > 0 && args[len - 1] != '\0') kfail(EXIT_BAD_BOOT_INFO, "boot: args are not NUL-terminated");
    uint32_t off = 0;
    while (off < len && args[off] != '\0') {
        const char *s = args + off;
        const char *eq = s;
        while (*eq && *eq != '=') eq++;
        if (*eq != '=' || eq == s) kfail(EXIT_BAD_ARGUMENT, "boot: argument '%s' is not key=value", s);
        if (nargs == MAX_ARGS) kfail(EXIT_BAD_ARGUMENT, "boot: more than %d arguments", MAX_ARGS);
        arg_start[nargs++] = s;
        off += (uint32_t)strlen(s) + 1;
    }
}

static const char *lookup(const char *key) {
    const char *found = NULL;
    for (int i = 0; i < nargs; i++) {
        const char *k = key, *a = arg_start[i];
        while (*k && *k == *a) k++, a++;
        if (*k == '\0' && *a == '=') {
            arg_used[i] = 1;
            found = a + 1;      /* the last occurrence wins */
        }
    }
    return found;
}

const char *arg_str(const char *key) { return lookup(key); }

int parse_u64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s) return 0;
        for (; *s; s++) {
            unsigned d;
            if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
            else if (*s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
            else if (*s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
            else return 0;
            if (v >> 60) return 0;
            v = v << 4 | d;
        }
    } else {
        if (!*s) return 0;
        for (; *s; s++) {
            if (*s < '0' || *s > '9') return 0;
            uint64_t d = (uint64_t)(*s - '0');
            if (v > (UINT64_MAX - d) / 10) return 0;
            v = v * 10 + d;
        }
    }
    *out = v;
    return 1;
}

int parse_size(const char *s, uint64_t *out) {
    uint64_t v = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        uint64_t d = (uint64_t)(*s - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    if (!digits) return 0;
    unsigned shift = 0;
    switch (*s) {
    case '\0': break;
    case 'k': case 'K': shift = 10, s++; break;
    case 'm': case 'M': shift = 20, s++; break;
    case 'g': case 'G': shift = 30, s++; break;
    case 't': case 'T': shift = 40, s++; break;
    default: return 0;
    }
    if (*s != '\0') return 0;
    *out = shift && (v >> (64 - shift)) != 0 ? UINT64_MAX : v << shift;
    return 1;
}

int parse_permille(const char *s, uint32_t *out) {
    if (s[0] != '0' && s[0] != '1') return 0;
    uint32_t v = (uint32_t)(s[0] - '0') * 1000;
    if (s[1] != '\0') {
        if (s[1] != '.') return 0;
        uint32_t scale = 100;
        int i = 2;
        for (; s[i]; i++, scale /= 10) {
            if (i == 5 || s[i] < '0' || s[i] > '9') return 0;
            v += (uint32_t)(s[i] - '0') * scale;
        }
        if (i == 2) return 0;
    }
    if (v > 1000) return 0;
    *out = v;
    return 1;
}

int parse_duration_ns(const char *s, uint64_t *out) {
    uint64_t v = 0;
    int digits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (!digits) return 0;
    uint64_t scale;
    if (s[0] == '\0' || (s[0] == 'n' && s[1] == 's' && s[2] == '\0')) scale = 1;
    else if (s[0] == 'u' && s[1] == 's' && s[2] == '\0') scale = 1000;
    else if (s[0] == 'm' && s[1] == 's' && s[2] == '\0') scale = 1000000;
    else if (s[0] == 's' && s[1] == '\0') scale = 1000000000;
    else return 0;
    if (v > UINT64_MAX / scale) return 0;
    *out = v * scale;
    return 1;
}

uint64_t arg_u64(const char *key, uint64_t fallback) {
    const char *s = lookup(key);
    uint64_t v;
    if (!s) return fallback;
    if (!parse_u64(s, &v)) kfail(EXIT_BAD_ARGUMENT, "args: %s=%s is not an integer", key, s);
    return v;
}

uint64_t arg_size(const char *key, uint64_t fallback) {
    const char *s = lookup(key);
    uint64_t v;
    if (!s) return fallback;
    if (!parse_size(s, &v)) kfail(EXIT_BAD_ARGUMENT, "args: %s=%s is not a size (like 4096, 64K, 16M, 1G)", key, s);
    return v;
}

uint32_t arg_permille(const char *key, uint32_t fallback) {
    const char *s = lookup(key);
    uint32_t v;
    if (!s) return fallback;
    if (!parse_permille(s, &v)) kfail(EXIT_BAD_ARGUMENT, "args: %s=%s is not a ratio in [0, 1] (like 0.5)", key, s);
    return v;
}

uint64_t arg_duration_ns(const char *key, uint64_t fallback) {
    const char *s = lookup(key);
    uint64_t v;
    if (!s) return fallback;
    if (!parse_duration_ns(s, &v)) kfail(EXIT_BAD_ARGUMENT, "args: %s=%s is not a duration (like 5s, 250ms, 100us, 1000ns)", key, s);
    return v;
}

void args_reject_unused(const char *workload) {
    for (int i = 0; i < nargs; i++) {
        if (!arg_used[i]) kfail(EXIT_BAD_ARGUMENT, "%s: unknown argument '%s'", workload, arg_start[i]);
    }
}
