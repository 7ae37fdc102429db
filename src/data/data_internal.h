/* data_internal.h -- what the files of the data component (src/data) share: the error format
 * of the readers ("FMT: PATH: byte OFF: message"), reading a whole file under a byte cap,
 * big/little-endian loads, and strerror without a global buffer.
 *
 * Nothing here is public; names start with elig__. The core library does not include this.
 */
#ifndef ELIG_DATA_INTERNAL_H
#define ELIG_DATA_INTERNAL_H

#include "internal.h"
#include "elig_data.h"

#include <stddef.h>
#include <stdint.h>

/* Record "FMT: PATH: byte OFF: MSG" (PATH omitted when NULL: a buffer in memory) and return
 * ELIG_EFORMAT. Every reader reports malformed input through this, so the messages of all
 * formats look alike and always carry the offset. */
int elig__data_fail(const char *fmt_name, const char *path, size_t off, const char *fmt, ...) ELIG__PRINTF(4, 5);

/* strerror_r into buf whichever variant libc has. */
const char *elig__errstr(int e, char *buf, size_t n);

/* Whole regular file into one elig__malloc'd buffer (*buf, *len; caller elig__free's it).
 * Files larger than max_bytes are ELIG_ELIMIT before anything is allocated; open/read
 * failures are ELIG_EIO. Messages start with fmt_name. */
int elig__slurp(const char *fmt_name, const char *path, size_t max_bytes, unsigned char **buf, size_t *len);

/* Size of a regular file in bytes (ELIG_EIO if it cannot be stat'ed or is not regular). */
int elig__file_size(const char *fmt_name, const char *path, uint64_t *size);

static inline uint32_t elig__be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline uint16_t elig__le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t elig__le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
