/* nmnist.c -- N-MNIST / N-Caltech101 event files (.bin), dense binning of events, and the
 * Train/<digit>/<id>.bin directory walker.
 *
 * Format (Orchard et al. 2015, dataset page; datasets.md §2.5): 5-byte records
 *
 *   byte 0   x                       byte 2 bit 7      polarity (1 ON, 0 OFF)
 *   byte 1   y                       byte 2 bits 6-0, byte 3, byte 4   timestamp, 23 bits, µs
 *
 * A record with y == 240 is a timestamp-overflow marker (tonic's read_mnist_file, event-Python):
 * it is not an event, and every later event gets 2^13 µs more per marker seen -- the constant
 * tonic uses, kept for the same numbers as tonic (it matters for ATIS/N-Caltech101 only).
 *
 * Hostile input: the size must be a multiple of 5 and the record count within the caller's
 * cap, both known from the file size before anything is allocated; the result is counted in
 * a first pass and filled in a second, so it is exactly one allocation (the file is streamed
 * through an 8 KiB buffer, twice). Errors: "nmnist: PATH: byte OFF: ...".
 *
 * Cost: two passes over the records; binning is O(events + nb_steps * units) for the clear.
 */
#include "data_internal.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FMT "nmnist"
#define REC 5
#define CHUNK_RECORDS 1638 /* 8190 bytes */

void elig_events_free(elig_events *ev)
{
    if (!ev) return;
    free(ev->t);
    memset(ev, 0, sizeof *ev);
}

static size_t count_markers(const unsigned char *r, size_t nrec)
{
    size_t m = 0;
    for (size_t i = 0; i < nrec; i++) m += r[REC * i + 1] == ELIG_NMNIST_OVERFLOW_Y;
    return m;
}

/* Decode nrec records into ev starting at event *k; *add carries the overflow offset. */
static void fill(const unsigned char *r, size_t nrec, elig_events *ev, size_t *k, int64_t *add)
{
    for (size_t i = 0; i < nrec; i++, r += REC) {
        if (r[1] == ELIG_NMNIST_OVERFLOW_Y) {
            *add += ELIG_NMNIST_OVERFLOW_US;
            continue;
        }
        size_t j = (*k)++;
        ev->x[j] = r[0];
        ev->y[j] = r[1];
        ev->p[j] = r[2] >> 7;
        ev->t[j] = (int64_t)((uint32_t)(r[2] & 0x7F) << 16 | (uint32_t)r[3] << 8 | r[4]) + *add;
    }
}

/* One block: t (n int64), then x, y, p (n bytes each). */
static int alloc_events(elig_events *ev, size_t n, const char *path)
{
    size_t bytes;
    if (elig__mul(n, sizeof(int64_t) + 3, &bytes))
        return elig__err(ELIG_ELIMIT, "nmnist: %s: %zu events do not fit in memory", path ? path : "buffer", n);
    int64_t *t = malloc(bytes ? bytes : 1); /* malloc: elig_events_free / free(ev->t) */
    if (!t) return elig__err(ELIG_ENOMEM, "nmnist: cannot allocate %zu bytes for %zu events", bytes, n);
    ev->n = n;
    ev->t = t;
    ev->x = (uint8_t *)(t + n);
    ev->y = ev->x + n;
    ev->p = ev->y + n;
    return ELIG_OK;
}

static int check_size(size_t len, size_t max_records, const char *path)
{
    if (len % REC)
        return elig__data_fail(FMT, path, len - len % REC, "a partial record of %zu bytes at the end (records are 5 bytes)",
                               len % REC);
    if (len / REC > max_records)
        return elig__err(ELIG_ELIMIT, "nmnist: %s%s%zu records exceed max_records %zu", path ? path : "", path ? ": " : "",
                         len / REC, max_records);
    return ELIG_OK;
}

int elig_nmnist_decode(const void *buf, size_t len, elig_events *ev, size_t max_records)
{
    if (!ev) return elig__err(ELIG_EINVAL, "nmnist: ev must not be NULL");
    memset(ev, 0, sizeof *ev);
    if (!buf && len) return elig__err(ELIG_EINVAL, "nmnist: buf must not be NULL (got NULL with len %zu)", len);
    if (max_records == 0) max_records = ELIG_NMNIST_DEFAULT_MAX_RECORDS;
    int rc = check_size(len, max_records, NULL);
    if (rc) return rc;
    size_t nrec = len / REC, n = nrec - (nrec ? count_markers(buf, nrec) : 0), k = 0;
    if ((rc = alloc_events(ev, n, NULL))) return rc;
    int64_t add = 0;
    if (nrec) fill(buf, nrec, ev, &k, &add);
    return ELIG_OK;
}

int elig_nmnist_read(const char *path, elig_events *ev, size_t max_records)
{
    if (!ev) return elig__err(ELIG_EINVAL, "nmnist: ev must not be NULL");
    memset(ev, 0, sizeof *ev);
    if (!path) return elig__err(ELIG_EINVAL, "nmnist: path must not be NULL");
    if (max_records == 0) max_records = ELIG_NMNIST_DEFAULT_MAX_RECORDS;
    char e[128];
    FILE *f = fopen(path, "rb");
    if (!f) return elig__err(ELIG_EIO, "nmnist: cannot open %s: %s", path, elig__errstr(errno, e, sizeof e));
    struct stat st;
    int rc = ELIG_OK;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        rc = elig__err(ELIG_EIO, "nmnist: %s is not a readable regular file", path);
        goto done;
    }
    if ((uint64_t)st.st_size > SIZE_MAX) {
        rc = elig__err(ELIG_ELIMIT, "nmnist: %s: file too large", path);
        goto done;
    }
    size_t len = (size_t)st.st_size, nrec = len / REC;
    if ((rc = check_size(len, max_records, path))) goto done;
    unsigned char chunk[CHUNK_RECORDS * REC];
    size_t markers = 0;
    for (int pass = 0; pass < 2; pass++) {
        size_t seen = 0, k = 0;
        int64_t add = 0;
        if (pass == 1) {
            if ((rc = alloc_events(ev, nrec - markers, path))) goto done;
            if (fseek(f, 0, SEEK_SET) != 0) {
                rc = elig__err(ELIG_EIO, "nmnist: cannot rewind %s", path);
                goto done;
            }
        }
        for (;;) {
            size_t got = fread(chunk, 1, sizeof chunk, f);
            if (got % REC || seen + got / REC > nrec) {
                rc = elig__err(ELIG_EIO, "nmnist: %s changed size while being read (%zu bytes expected)", path, len);
                goto done;
            }
            size_t nr = got / REC, m = count_markers(chunk, nr);
            if (pass == 0) {
                markers += m;
            } else {
                if (k + (nr - m) > ev->n) { /* more events than counted: never write past the block */
                    rc = elig__err(ELIG_EIO, "nmnist: %s changed while being read", path);
                    goto done;
                }
                fill(chunk, nr, ev, &k, &add);
            }
            seen += got / REC;
            if (got < sizeof chunk) break;
        }
        if (ferror(f)) {
            rc = elig__err(ELIG_EIO, "nmnist: cannot read %s: %s", path, elig__errstr(errno, e, sizeof e));
            goto done;
        }
        if (seen != nrec || (pass == 1 && k != ev->n)) {
            rc = elig__err(ELIG_EIO, "nmnist: %s changed while being read (%zu records expected)", path, nrec);
            goto done;
        }
    }
done:
    fclose(f);
    if (rc) elig_events_free(ev);
    return rc;
}

int elig_events_bin(const elig_events *ev, double dt_us, int nb_steps, int width, int height, int clip,
                    elig_real *out, size_t *dropped)
{
    if (dropped) *dropped = 0;
    if (!ev || !out) return elig__err(ELIG_EINVAL, "events_bin: ev and out must not be NULL");
    if (!(dt_us > 0) || !isfinite(dt_us)) return elig__err(ELIG_EINVAL, "events_bin: dt_us must be > 0 (got %g)", dt_us);
    if (nb_steps <= 0 || width <= 0 || height <= 0)
        return elig__err(ELIG_EINVAL, "events_bin: nb_steps, width, height must be > 0 (got %d, %d, %d)", nb_steps, width, height);
    size_t units, total;
    if (elig__mul((size_t)width, (size_t)height, &units) || elig__mul(units, 2, &units) ||
        elig__mul(units, (size_t)nb_steps, &total))
        return elig__err(ELIG_EINVAL, "events_bin: nb_steps * 2 * height * width overflows");
    if (ev->n && (!ev->t || !ev->x || !ev->y || !ev->p)) return elig__err(ELIG_EINVAL, "events_bin: ev arrays are NULL");
    memset(out, 0, total * sizeof *out);
    size_t drop = 0;
    for (size_t i = 0; i < ev->n; i++) {
        double s = floor((double)ev->t[i] / dt_us);
        if (!(s >= 0 && s < nb_steps) || ev->x[i] >= width || ev->y[i] >= height) {
            drop++;
            continue;
        }
        size_t u = ((size_t)ev->p[i] * (size_t)height + ev->y[i]) * (size_t)width + ev->x[i];
        elig_real *o = out + (size_t)s * units + u;
        *o = clip ? 1 : *o + 1;
    }
    if (dropped) *dropped = drop;
    return ELIG_OK;
}

/* ---------------------------------------------------------------- directory walker */

void elig_file_list_free(elig_file_list *l)
{
    if (!l) return;
    free(l->path);
    memset(l, 0, sizeof *l);
}

/* Order with digit runs compared as numbers; ties broken by strcmp (a total order). */
static int natural_cmp(const char *a, const char *b)
{
    const char *p = a, *q = b;
    while (*p && *q) {
        if (*p >= '0' && *p <= '9' && *q >= '0' && *q <= '9') {
            while (*p == '0') p++;
            while (*q == '0') q++;
            size_t i = 0, j = 0;
            while (p[i] >= '0' && p[i] <= '9') i++;
            while (q[j] >= '0' && q[j] <= '9') j++;
            if (i != j) return i < j ? -1 : 1;
            int c = memcmp(p, q, i);
            if (c) return c;
            p += i;
            q += j;
            continue;
        }
        if (*p != *q) return (unsigned char)*p < (unsigned char)*q ? -1 : 1;
        p++;
        q++;
    }
    if (*p || *q) return *p ? 1 : -1;
    return strcmp(a, b);
}

typedef struct {
    int32_t label;
    const char *sub, *name; /* into the pool, once it has stopped moving */
    size_t sub_off, name_off;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->label != y->label) return x->label < y->label ? -1 : 1;
    int c = natural_cmp(x->name, y->name);
    return c ? c : strcmp(x->sub, y->sub);
}

/* Decimal 0..65535 without sign or spaces, else -1. */
static int32_t label_of(const char *s)
{
    if (!*s || strlen(s) > 5) return -1;
    int32_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
    }
    return v <= 65535 ? v : -1;
}

typedef struct {
    entry *e;
    size_t n, cap;
    char *pool;
    size_t used, pcap;
} walk;

static int pool_add(walk *w, const char *s, size_t *off)
{
    size_t len = strlen(s) + 1;
    if (w->pcap - w->used < len) {
        size_t nc = w->pcap ? w->pcap : 4096;
        while (nc - w->used < len) nc *= 2;
        char *p = realloc(w->pool, nc);
        if (!p) return elig__err(ELIG_ENOMEM, "nmnist_list: cannot allocate %zu bytes of names", nc);
        w->pool = p;
        w->pcap = nc;
    }
    memcpy(w->pool + w->used, s, len);
    *off = w->used;
    w->used += len;
    return ELIG_OK;
}

int elig_nmnist_list(const char *dir, elig_file_list *out, size_t max_files)
{
    if (!out) return elig__err(ELIG_EINVAL, "nmnist_list: out must not be NULL");
    memset(out, 0, sizeof *out);
    if (!dir) return elig__err(ELIG_EINVAL, "nmnist_list: dir must not be NULL");
    if (max_files == 0) max_files = ELIG_LIST_DEFAULT_MAX_FILES;
    char e[128], p[4096];
    DIR *d = opendir(dir);
    if (!d) return elig__err(ELIG_EIO, "nmnist_list: cannot open %s: %s", dir, elig__errstr(errno, e, sizeof e));
    walk w = {0};
    int rc = ELIG_OK;
    size_t dlen = strlen(dir);
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        int32_t label = label_of(de->d_name);
        if (label < 0) continue;
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= sizeof p) {
            rc = elig__err(ELIG_EINVAL, "nmnist_list: path %s/%s longer than 4095 bytes", dir, de->d_name);
            break;
        }
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        DIR *sd = opendir(p);
        if (!sd) {
            rc = elig__err(ELIG_EIO, "nmnist_list: cannot open %s: %s", p, elig__errstr(errno, e, sizeof e));
            break;
        }
        size_t sub_off;
        if ((rc = pool_add(&w, de->d_name, &sub_off))) {
            closedir(sd);
            break;
        }
        size_t slen = strlen(de->d_name);
        struct dirent *fe;
        while ((fe = readdir(sd))) {
            size_t fl = strlen(fe->d_name);
            if (fl < 5 || strcmp(fe->d_name + fl - 4, ".bin") != 0 || fe->d_name[0] == '.') continue;
            if (dlen + slen + fl + 3 > sizeof p) {
                rc = elig__err(ELIG_EINVAL, "nmnist_list: path %s/%s/%s longer than 4095 bytes", dir, de->d_name, fe->d_name);
                break;
            }
            snprintf(p, sizeof p, "%s/%s/%s", dir, de->d_name, fe->d_name);
            if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) continue;
            if (w.n == max_files) {
                rc = elig__err(ELIG_ELIMIT, "nmnist_list: %s holds more than max_files %zu files", dir, max_files);
                break;
            }
            if (w.n == w.cap) {
                size_t nc = w.cap ? 2 * w.cap : 256;
                entry *ne = realloc(w.e, nc * sizeof *ne);
                if (!ne) {
                    rc = elig__err(ELIG_ENOMEM, "nmnist_list: cannot allocate %zu entries", nc);
                    break;
                }
                w.e = ne;
                w.cap = nc;
            }
            entry *en = &w.e[w.n];
            en->label = label;
            en->sub_off = sub_off;
            if ((rc = pool_add(&w, fe->d_name, &en->name_off))) break;
            w.n++;
        }
        closedir(sd);
    }
    closedir(d);
    if (!rc) {
        /* one block: n pointers, n labels, then the "dir/sub/name" strings */
        size_t n = w.n, bytes = n * (sizeof(char *) + sizeof(int32_t));
        for (size_t i = 0; i < n; i++) {
            w.e[i].sub = w.pool + w.e[i].sub_off;
            w.e[i].name = w.pool + w.e[i].name_off;
            bytes += dlen + strlen(w.e[i].sub) + strlen(w.e[i].name) + 3;
        }
        if (n) qsort(w.e, n, sizeof *w.e, cmp_entry);
        char **blk = malloc(bytes ? bytes : 1); /* malloc: elig_file_list_free */
        if (!blk) {
            rc = elig__err(ELIG_ENOMEM, "nmnist_list: cannot allocate %zu bytes", bytes);
        } else {
            int32_t *lab = (int32_t *)(blk + n);
            char *s = (char *)(lab + n);
            for (size_t i = 0; i < n; i++) {
                blk[i] = s;
                lab[i] = w.e[i].label;
                s += sprintf(s, "%s/%s/%s", dir, w.e[i].sub, w.e[i].name) + 1;
            }
            out->n = n;
            out->path = blk;
            out->label = lab;
        }
    }
    free(w.e);
    free(w.pool);
    return rc;
}
