/* fuzz_wav.c -- fuzz target for the WAV reader (src/data/wav.c), libFuzzer-compatible.
 *
 * Every input goes through elig_wav_parse and elig_wav_decode, which must agree: both succeed
 * with the same info, or both fail with EFORMAT and a message starting "wav". On success the
 * target checks the info against the buffer (1 or 2 channels of 16 bits, the frames inside it),
 * decodes every frame here from the bytes at data_off (each byte read: ASan checks the range)
 * and requires the same values bit for bit, in [-1, 1); a cap of n_frames - 1 must be ELIMIT
 * (n_frames > 1: 0 means the default). The bytes are then written to a temp file ($TMPDIR or
 * /tmp) and elig_wav_read must return the same again (or fail with EFORMAT when the parse did).
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

static int16_t s16(const uint8_t *p) { return (int16_t)(uint16_t)(p[0] | p[1] << 8); }

/* Field by field: a struct copy need not copy the padding, so memcmp would be wrong. */
static int same_info(const elig_wav_info *a, const elig_wav_info *b)
{
    return a->sample_rate == b->sample_rate && a->channels == b->channels && a->bits == b->bits &&
           a->n_frames == b->n_frames && a->data_off == b->data_off;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    elig_wav_info info, id;
    elig_real *x = NULL;
    int rp = elig_wav_parse(data, size, &info);
    int rd = elig_wav_decode(data, size, &id, &x, 0);
    if (rp != rd) abort();
    if (rp != 0) {
        if (rp != ELIG_EFORMAT || strncmp(elig_last_error(), "wav", 3) != 0 || x) abort();
    } else {
        if (!same_info(&info, &id) || !x) abort();
        if ((info.channels != 1 && info.channels != 2) || info.bits != 16 || info.sample_rate < 1 ||
            info.sample_rate > ELIG_WAV_MAX_RATE)
            abort();
        size_t fb = 2 * (size_t)info.channels;
        if (info.data_off > size || (size - info.data_off) / fb < info.n_frames) abort();
        for (size_t i = 0; i < info.n_frames; i++) {
            const uint8_t *p = data + info.data_off + i * fb;
            double v = info.channels == 1 ? s16(p) / 32768.0 : (s16(p) + s16(p + 2)) / 65536.0;
            if (x[i] != (elig_real)v || !(x[i] >= -1 && x[i] < 1)) abort();
        }
        if (info.n_frames > 1) { /* a cap of 0 means the default */
            elig_real *c = NULL;
            if (elig_wav_decode(data, size, NULL, &c, info.n_frames - 1) != ELIG_ELIMIT || c) abort();
        }
    }
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/elig_fuzz_wav.%ld.wav", dir && *dir ? dir : "/tmp", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (f) {
        int ok = size == 0 || fwrite(data, 1, size, f) == size;
        if (fclose(f) == 0 && ok) {
            elig_wav_info ir;
            elig_real *y = NULL;
            int rr = elig_wav_read(path, &ir, &y, 0);
            remove(path);
            if (rr != rp || (rr == 0) != (y != NULL)) abort();
            if (rr == 0 && (!same_info(&ir, &info) || (info.n_frames && memcmp(x, y, info.n_frames * sizeof *x) != 0)))
                abort();
            free(y);
        } else {
            remove(path);
        }
    }
    free(x);
    return 0;
}
