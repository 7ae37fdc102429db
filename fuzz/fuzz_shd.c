/* fuzz_shd.c -- fuzz target for the SHD / SSC HDF5 reader (src/data/shd.c), libFuzzer-compatible.
 *
 * HDF5 parses files, not buffers, so every input is written to a temp file ($TMPDIR or /tmp)
 * and read with elig_shd_read. A refusal must be ELIG_EFORMAT, ELIG_ELIMIT or ELIG_EIO with a
 * message and an empty result. An accepted file must keep the reader's promises -- offsets
 * from 0, non-decreasing, ending at n_spikes; times finite and >= 0; labels (and speakers)
 * >= 0; n_units = 1 + the largest unit id -- and must survive elig_shd_write (float32 times)
 * and a second read unchanged.
 *
 * Built two ways: with fuzz/replay.c by the Makefile (corpus replay in the normal tests), and
 * by clang -fsanitize=fuzzer for real fuzzing (fuzz/README.md).
 */
#include "elig_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tmp_path(char *out, size_t n, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(out, n, "%s/elig_fuzz_shd_%ld_%s.h5", dir && dir[0] ? dir : "/tmp", (long)getpid(), tag);
}

static void check_set(const elig_spike_set *s)
{
    if (s->offset[0] != 0 || s->offset[s->n_samples] != s->n_spikes) abort();
    int top = -1;
    for (size_t i = 0; i < s->n_samples; i++) {
        if (s->offset[i + 1] < s->offset[i]) abort();
        if (s->labels[i] < 0) abort();
        if (s->speakers && s->speakers[i] < 0) abort();
    }
    for (size_t k = 0; k < s->n_spikes; k++) {
        if (!isfinite(s->times[k]) || s->times[k] < 0) abort();
        if (s->units[k] > top) top = s->units[k];
    }
    if (s->n_units != top + 1) abort();
    for (size_t k = 0; k < s->n_keys; k++)
        if (!s->keys[k]) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[512], out[512];
    tmp_path(in, sizeof in, "in");
    tmp_path(out, sizeof out, "out");
    FILE *f = fopen(in, "wb");
    if (!f) return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        remove(in);
        return 0;
    }
    fclose(f);
    elig_spike_set s;
    int rc = elig_shd_read(in, &s, 1 << 16, 1 << 24);
    remove(in);
    if (rc != ELIG_OK) {
        if (rc != ELIG_EFORMAT && rc != ELIG_ELIMIT && rc != ELIG_EIO) abort();
        if (!elig_last_error()[0] || s.block_ || s.n_samples) abort();
        return 0;
    }
    check_set(&s);
    /* write (float32 times: exact) and read back */
    rc = elig_shd_write(out, &s, 32);
    if (rc == ELIG_OK) {
        elig_spike_set t;
        if (elig_shd_read(out, &t, 1 << 16, 1 << 24) != ELIG_OK) abort();
        if (t.n_samples != s.n_samples || t.n_spikes != s.n_spikes || t.n_units != s.n_units) abort();
        if (memcmp(t.offset, s.offset, (s.n_samples + 1) * sizeof *s.offset) ||
            memcmp(t.labels, s.labels, s.n_samples * sizeof *s.labels) ||
            (s.n_spikes && (memcmp(t.times, s.times, s.n_spikes * sizeof *s.times) ||
                            memcmp(t.units, s.units, s.n_spikes * sizeof *s.units))))
            abort();
        elig_spike_set_free(&t);
    } else if (rc != ELIG_EINVAL) {
        abort(); /* only a set the writer's own rules refuse (e.g. speakers above 65535) */
    }
    remove(out);
    elig_spike_set_free(&s);
    return 0;
}
