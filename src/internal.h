/* internal.h -- what every library file shares: error reporting, allocation, small helpers.
 *
 * Nothing here is public. Names start with elig__. The error message is thread-local so that
 * two threads driving two networks never see each other's messages.
 */
#ifndef ELIG_INTERNAL_H
#define ELIG_INTERNAL_H

#include "elig.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define ELIG__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ELIG__PRINTF(a, b)
#endif

/* Record a message for elig_last_error() and return status (so callers write
 * `return elig__err(ELIG_EINVAL, "...")`). */
int elig__err(int status, const char *fmt, ...) ELIG__PRINTF(2, 3);
void elig__clear_err(void);

void *elig__malloc(size_t bytes);
void elig__free(void *p);

/* Bump allocator over one block: objects compute their size with a NULL base (counting
 * pass), allocate once, then carve with a real base (same code path, so bytes() == used). */
typedef struct {
    char *base;
    size_t used;
} elig__arena;
/* Returns an aligned pointer (or NULL in the counting pass) and advances by n*size. */
void *elig__carve(elig__arena *a, size_t n, size_t size);

/* a*b with overflow check: returns 0 and sets *out, or -1 on overflow. */
static inline int elig__mul(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a) return -1;
    *out = a * b;
    return 0;
}

#define ELIG__MIN(a, b) ((a) < (b) ? (a) : (b))
#define ELIG__MAX(a, b) ((a) > (b) ? (a) : (b))
#define ELIG__ABSENT ((size_t)-1)

#endif
