/*
 * console.c — kprintf, buffered per line: one console-write hypercall per line (or per full buffer),
 * never one per character.
 *
 * Conversions: %s %c %d %u %x %p %%, with optional l / ll / z length, '0' flag and field width
 * (e.g. %016lx). Nothing else; an unknown conversion is printed literally.
 */
#include <stdarg.h>

#include "kernel.h"

#define LINE_MAX 256

static char line[LINE_MAX];
static uint32_t line_len;

void console_flush(void) {
    if (line_len == 0) return;
    guest_write(line, line_len);
    line_len = 0;
}

static void put(char c) {
    line[line_len++] = c;
    if (c == '\n' || line_len == LINE_MAX) console_flush();
}

static void put_str(const char *s, int width) {
    int n = 0;
    while (s[n]) n++;
    for (; width > n; width--) put(' ');
    while (*s) put(*s++);
}

static void put_number(uint64_t v, unsigned base, int negative, int width, char pad) {
    char digits[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    int len = n + negative;
    if (negative && pad == '0') put('-');
    for (; width > len; width--) put(pad);
    if (negative && pad != '0') put('-');
    while (n > 0) put(digits[--n]);
}

static void kvprintf(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt);
            continue;
        }
        const char *start = fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') longs++, fmt++;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            put_str(s ? s : "(null)", width);
            break;
        }
        case 'c': put((char)va_arg(ap, int)); break;
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_number(v, *fmt == 'u' ? 10 : 16, 0, width, pad);
            break;
        }
        case 'p':
            put('0'), put('x');
            put_number((uintptr_t)va_arg(ap, void *), 16, 0, width, pad);
            break;
        case '%': put('%'); break;
        default: /* unknown conversion: print it as written */
            for (; start <= fmt && *start; start++) put(*start);
            if (!*fmt) return;
            break;
        }
    }
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void kfail(uint64_t status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    put('\n');
    kexit(0, status);
}
