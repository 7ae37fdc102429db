/* replay.c -- replays a fuzz corpus through any libFuzzer target, without libFuzzer: the
 * plain main that the normal test suite runs (tests/run.sh) for every fuzz/fuzz_*.c.
 *
 *   replay_fuzz_X DIR_OR_FILE...    every regular file of each directory (names sorted, dot
 *                                    files skipped) is fed to LLVMFuzzerTestOneInput once
 *
 * Closing line "N passed, 0 failed" with N inputs replayed. A crash or abort inside the
 * target is the failure (the process dies without that line, and with ASan it says where);
 * an unreadable corpus prints "0 passed, 1 failed" and exits 1. Each input is copied into a
 * buffer of exactly its size, so an over-read is caught by ASan as it would be by libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Returns 0 and feeds the file to the target, or -1 if it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "replay: cannot open %s\n", path); return -1; }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0) { fclose(f); fprintf(stderr, "replay: cannot stat %s\n", path); return -1; }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf || fread(buf, 1, n, f) != n) {
        free(buf);
        fclose(f);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n); /* the last line names the culprit of a crash */
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    long passed = 0, failed = 0;
    for (int a = 1; a < argc; a++) {
        struct stat st;
        if (stat(argv[a], &st) != 0) { fprintf(stderr, "replay: %s does not exist\n", argv[a]); failed++; continue; }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[a])) failed++; else passed++;
            continue;
        }
        DIR *d = opendir(argv[a]);
        if (!d) { fprintf(stderr, "replay: cannot open directory %s\n", argv[a]); failed++; continue; }
        size_t n = 0, cap = 0;
        char **names = NULL;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 64;
                char **t = realloc(names, cap * sizeof *names);
                if (!t) { fprintf(stderr, "replay: out of memory\n"); return 1; }
                names = t;
            }
            size_t len = strlen(argv[a]) + strlen(e->d_name) + 2;
            if (!(names[n] = malloc(len))) { fprintf(stderr, "replay: out of memory\n"); return 1; }
            snprintf(names[n], len, "%s/%s", argv[a], e->d_name);
            n++;
        }
        closedir(d);
        if (n) qsort(names, n, sizeof *names, cmp_str);
        for (size_t i = 0; i < n; i++) {
            struct stat fs;
            if (stat(names[i], &fs) == 0 && S_ISREG(fs.st_mode)) {
                if (replay_file(names[i])) failed++; else passed++;
            }
            free(names[i]);
        }
        free(names);
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
