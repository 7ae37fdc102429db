/* fuzz_nmnist.c -- fuzz target for the N-MNIST event reader (src/data/nmnist.c),
 * libFuzzer-compatible.
 *
 * Every input goes through elig_nmnist_decode. It must succeed exactly when the size is a
 * multiple of 5 (EFORMAT with a message starting "nmnist" otherwise), and then equal an
 * independent decode done here: markers (y == 240) dropped, each adding 2^13 µs to the later
 * timestamps, polarity the top bit of byte 2, 23-bit big-endian time. A cap of records - 1 must
 * be ELIMIT (from two records on: 0 means the default). The bytes are then written to a temp
 * file ($TMPDIR or /tmp) and the streaming elig_nmnist_read must give the same events (or the
 * same refusal); finally the events are binned and the counts must add up to the events that
 * land.
 *
 * Built two ways: with fuzz/replay.c by the Makefile (corpus replay in the normal tests), and
 * by clang -fsanitize=fuzzer for real fuzzing (fuzz/README.md).
 */
#include "elig_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_events(const elig_events *a, const elig_events *b)
{
    if (a->n != b->n) abort();
    if (a->n && (memcmp(a->t, b->t, a->n * sizeof *a->t) || memcmp(a->x, b->x, a->n) || memcmp(a->y, b->y, a->n) ||
                 memcmp(a->p, b->p, a->n)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elig_events ev;
    int rc = elig_nmnist_decode(data, size, &ev, 0);
    if ((rc == 0) != (size % 5 == 0)) abort();
    if (rc != 0) {
        if (rc != ELIG_EFORMAT || strncmp(elig_last_error(), "nmnist", 6) != 0 || ev.t) abort();
    } else {
        size_t k = 0;
        int64_t add = 0;
        for (size_t i = 0; i < size / 5; i++) {
            const uint8_t *r = data + 5 * i;
            if (r[1] == 240) {
                add += 8192;
                continue;
            }
            if (k >= ev.n) abort();
            int64_t t = ((int64_t)(r[2] & 0x7F) << 16 | (int64_t)r[3] << 8 | r[4]) + add;
            if (ev.x[k] != r[0] || ev.y[k] != r[1] || ev.p[k] != (r[2] >> 7) || ev.t[k] != t) abort();
            k++;
        }
        if (k != ev.n) abort();
        if (size >= 10) { /* a cap of 0 means the default */
            elig_events c;
            if (elig_nmnist_decode(data, size, &c, size / 5 - 1) != ELIG_ELIMIT || c.t) abort();
        }
        /* binned into 16 steps of 20 ms on a 64 x 64 sensor: landed + dropped = events */
        elig_real *d = malloc(16 * 2 * 64 * 64 * sizeof *d);
        size_t dropped = 0;
        if (!d || elig_events_bin(&ev, 20000, 16, 64, 64, 0, d, &dropped) != 0) abort();
        double s = 0;
        for (size_t i = 0; i < 16 * 2 * 64 * 64; i++) s += d[i];
        if ((size_t)s + dropped != ev.n) abort();
        free(d);
    }
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/elig_fuzz_nmnist.%ld.bin", dir && *dir ? dir : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (f) {
        int ok = size == 0 || fwrite(data, 1, size, f) == size;
        if (fclose(f) == 0 && ok) {
            elig_events er;
            int rr = elig_nmnist_read(path, &er, 0);
            remove(path);
            if (rr != rc) abort();
            if (rr == 0) same_events(&ev, &er);
            elig_events_free(&er);
        } else {
            remove(path);
        }
    }
    elig_events_free(&ev);
    return 0;
}
