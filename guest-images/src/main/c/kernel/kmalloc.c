/*
 * kmalloc.c — size classes over pages.
 *
 * A byte per RAM page (`page_kind`, allocated on first use) records what a page holds: 0 = not ours,
 * 1..NCLASSES = a page of that size class, KIND_LARGE = the first page of a large block (whose header,
 * at the page start, records its page count). kfree finds the class of a pointer from that byte, so
 * small objects carry no header. Each class carves objects from its current page with a bump pointer
 * and reuses freed objects from a list threaded through them (one store per free).
 */
#include "kernel.h"
#include "kmalloc.h"
#include "page_alloc.h"

#define NCLASSES   8            /* 16 << 0 .. 16 << 7 = 2048 */
#define KIND_LARGE 0xff
#define LARGE_MAGIC 0x4b4d414c4c4f4321ULL
#define LARGE_HEADER 16

struct free_object { struct free_object *next; };
struct large_header { uint64_t magic; uint64_t pages; };

static uint8_t *page_kind;     /* indexed by gpa >> PAGE_SHIFT */
static uint64_t ram_pages;
static struct free_object *free_list[NCLASSES];
static uint8_t *bump[NCLASSES], *bump_end[NCLASSES];

static int kmalloc_init(void) {
    ram_pages = boot_info->ram_bytes >> PAGE_SHIFT;
    uint64_t table_pages = (ram_pages + PAGE_SIZE - 1) >> PAGE_SHIFT;
    page_kind = page_alloc_contig(table_pages);
    if (!page_kind) return 0;
    memset(page_kind, 0, table_pages << PAGE_SHIFT);
    return 1;
}

static inline unsigned size_class(uint64_t size) {
    unsigned c = 0;
    while ((16ULL << c) < size) c++;
    return c;
}

static void *kmalloc_large(uint64_t size) {
    uint64_t pages = (size + LARGE_HEADER + PAGE_SIZE - 1) >> PAGE_SHIFT;
    struct large_header *h = page_alloc_contig(pages);
    if (!h) return NULL;
    h->magic = LARGE_MAGIC;
    h->pages = pages;
    page_kind[(uint64_t)h >> PAGE_SHIFT] = KIND_LARGE;
    return (uint8_t *)h + LARGE_HEADER;
}

void *kmalloc(uint64_t size) {
    if (!page_kind && !kmalloc_init()) return NULL;
    if (size > KMALLOC_MAX_SMALL) return kmalloc_large(size);
    unsigned c = size_class(size);
    struct free_object *o = free_list[c];
    if (o) {
        free_list[c] = o->next;
        return o;
    }
    if (bump[c] == bump_end[c]) {
        uint8_t *page = page_alloc();
        if (!page) return NULL;
        page_kind[(uint64_t)page >> PAGE_SHIFT] = (uint8_t)(c + 1);
        bump[c] = page;
        bump_end[c] = page + PAGE_SIZE;
    }
    void *p = bump[c];
    bump[c] += 16ULL << c;
    return p;
}

void kfree(void *ptr) {
    if (!ptr) return;
    uint64_t gpa = (uint64_t)ptr, page = gpa >> PAGE_SHIFT;
    uint8_t kind = page_kind && page < ram_pages ? page_kind[page] : 0;
    if (kind >= 1 && kind <= NCLASSES) {
        unsigned c = kind - 1u;
        if (gpa & ((16ULL << c) - 1)) kfail(EXIT_SELF_CHECK, "kfree: %p is not an object start", ptr);
        struct free_object *o = ptr;
        o->next = free_list[c];
        free_list[c] = o;
        return;
    }
    struct large_header *h = (struct large_header *)(gpa - LARGE_HEADER);
    if (kind != KIND_LARGE || (gpa & (PAGE_SIZE - 1)) != LARGE_HEADER || h->magic != LARGE_MAGIC)
        kfail(EXIT_SELF_CHECK, "kfree: %p was not returned by kmalloc", ptr);
    uint64_t pages = h->pages;
    h->magic = 0;
    page_kind[page] = 0;
    for (uint64_t i = 0; i < pages; i++) page_free((uint8_t *)h + (i << PAGE_SHIFT));
}
