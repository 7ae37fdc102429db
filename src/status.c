/* status.c -- status names and messages from one X-macro table; the thread-local last
 * error message; the allocator hook. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char elig__msg[512];

const char *elig_status_name(int status)
{
    switch (status) {
#define ELIG__NAME(name, val, msg) case val: return #name;
        ELIG_STATUS_MAP(ELIG__NAME)
#undef ELIG__NAME
    }
    return "EUNKNOWN";
}

const char *elig_strerror(int status)
{
    switch (status) {
#define ELIG__MSG(name, val, msg) case val: return msg;
        ELIG_STATUS_MAP(ELIG__MSG)
#undef ELIG__MSG
    }
    return "unknown status";
}

const char *elig_last_error(void) { return elig__msg; }

void elig__clear_err(void) { elig__msg[0] = '\0'; }

int elig__err(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(elig__msg, sizeof elig__msg, fmt, ap);
    va_end(ap);
    return status;
}

static void *default_malloc(size_t n, void *ctx) { (void)ctx; return malloc(n); }
static void default_free(void *p, void *ctx) { (void)ctx; free(p); }

static elig_malloc_fn g_malloc = default_malloc;
static elig_free_fn g_free = default_free;
static void *g_ctx = NULL;

void elig_set_allocator(elig_malloc_fn m, elig_free_fn f, void *ctx)
{
    g_malloc = m ? m : default_malloc;
    g_free = f ? f : default_free;
    g_ctx = ctx;
}

void *elig__malloc(size_t bytes) { return g_malloc(bytes ? bytes : 1, g_ctx); }

void elig__free(void *p)
{
    if (p) g_free(p, g_ctx);
}

void *elig__carve(elig__arena *a, size_t n, size_t size)
{
    /* 64-byte alignment: cache lines, and room for vector loads later. */
    size_t start = (a->used + 63u) & ~(size_t)63u;
    size_t bytes = n * size;
    a->used = start + bytes;
    if (!a->base) return NULL;
    void *p = a->base + start;
    memset(p, 0, bytes);
    return p;
}
