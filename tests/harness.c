/* harness.c -- runner for the tests registered with TEST(); see harness.h. */
#define _GNU_SOURCE
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TH_MAX 256
static struct { const char *name; th_fn fn; int timeout; } th_tests[TH_MAX];
static int th_n;
static long th_allocs;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);
void *__wrap_malloc(size_t n) { th_allocs++; return __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { th_allocs++; return __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { th_allocs++; return __real_realloc(p, n); }
void __wrap_free(void *p) { __real_free(p); }

long th_alloc_count(void) { return th_allocs; }

static char th_dir[256];

const char *th_tmpdir(const char *tag)
{
    const char *t = getenv("TMPDIR");
    snprintf(th_dir, sizeof th_dir, "%s/elig_test_%s_XXXXXX", t && *t ? t : "/tmp", tag);
    if (!mkdtemp(th_dir)) th_fail(__FILE__, __LINE__, "mkdtemp %s: %s", th_dir, strerror(errno));
    return th_dir;
}

const char *th_tmpdir_path(void) { return th_dir; }

const char *th_in_tmpdir(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) & 3;
    snprintf(p[k], sizeof p[k], "%s/%s", th_dir, name);
    return p[k];
}

void th_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) th_rm_tree(p);
        else unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

void th_rm_tmpdir(void) { th_rm_tree(th_dir); }

const char *th_refdir(void)
{
    const char *d = getenv("ELIG_REFDIR");
    return (d && *d) ? d : NULL;
}

void th_register(const char *name, th_fn fn, int timeout_s)
{
    if (th_n < TH_MAX) {
        th_tests[th_n].name = name;
        th_tests[th_n].fn = fn;
        th_tests[th_n].timeout = timeout_s;
        th_n++;
    }
}

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    _exit(1);
}

void th_skip(const char *why)
{
    fprintf(stderr, "    skipped: %s\n", why);
    fflush(stderr);
    _exit(77);
}

double th_rel_err(const elig_real *a, const elig_real *b, size_t n, double floor)
{
    double scale = floor, err = 0;
    for (size_t i = 0; i < n; i++) {
        if (fabs((double)b[i]) > scale) scale = fabs((double)b[i]);
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > err || d != d) err = d;
    }
    return err / scale;
}

double th_cosine(const elig_real *a, const elig_real *b, size_t n)
{
    double ab = 0, aa = 0, bb = 0;
    for (size_t i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return (aa > 0 && bb > 0) ? ab / sqrt(aa * bb) : 0.0;
}

double th_norm(const elig_real *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * a[i];
    return sqrt(s);
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
    const char *only = argc > 1 ? argv[1] : NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < th_n; i++) {
        if (only && !strstr(th_tests[i].name, only)) continue;
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0) {
            alarm((unsigned)th_tests[i].timeout);
            th_allocs = 0;
            th_tests[i].fn();
            fflush(stdout);
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            printf("ok   %s\n", th_tests[i].name);
            passed++;
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
            printf("skip %s\n", th_tests[i].name);
            skipped++;
        } else {
            if (WIFSIGNALED(st))
                printf("FAIL %s (signal %d%s)\n", th_tests[i].name, WTERMSIG(st),
                       WTERMSIG(st) == SIGALRM ? ", timeout" : "");
            else
                printf("FAIL %s\n", th_tests[i].name);
            failed++;
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
