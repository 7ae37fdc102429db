/* harness.h -- a small test harness: TEST() registers a function, each test runs in its own
 * forked process with a timeout, ASSERT_* print both sides. The allocator is wrapped at link
 * time (-Wl,--wrap=malloc,...) so a test can prove a loop allocates nothing. */
#ifndef ELIG_HARNESS_H
#define ELIG_HARNESS_H

#include "elig.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*th_fn)(void);
void th_register(const char *name, th_fn fn, int timeout_s);
void th_fail(const char *file, int line, const char *fmt, ...);
void th_skip(const char *why);
/* Number of malloc/calloc/realloc calls so far in this process (all code, libc included). */
long th_alloc_count(void);
/* A fresh temporary directory $TMPDIR/elig_test_<tag>_XXXXXX for this test process (fails the
 * test if it cannot be made); th_in_tmpdir(name) is a path inside it, in one of 4 rotating
 * buffers; th_rm_tmpdir() removes it with everything below. */
const char *th_tmpdir(const char *tag);
const char *th_tmpdir_path(void);
const char *th_in_tmpdir(const char *name);
void th_rm_tree(const char *dir);
void th_rm_tmpdir(void);
/* Directory of the reference data, or NULL. */
const char *th_refdir(void);

#define TEST_T(name, timeout_s)                                                 \
    static void name(void);                                                     \
    __attribute__((constructor)) static void th_reg_##name(void) { th_register(#name, name, timeout_s); } \
    static void name(void)
#define TEST(name) TEST_T(name, 120)

#define ASSERT_TRUE(c) do { if (!(c)) th_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define ASSERT_EQ_INT(a, b) do { long long a_ = (a), b_ = (b); \
    if (a_ != b_) th_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define ASSERT_OK(call) do { int rc_ = (call); \
    if (rc_ != 0) th_fail(__FILE__, __LINE__, "%s returned %s: %s", #call, elig_status_name(rc_), elig_last_error()); } while (0)
#define ASSERT_NEAR(a, b, tol) do { double a_ = (a), b_ = (b), t_ = (tol); \
    if (!(fabs(a_ - b_) <= t_)) th_fail(__FILE__, __LINE__, "|%s - %s| = |%.17g - %.17g| = %.3g > %.3g", #a, #b, a_, b_, fabs(a_ - b_), t_); } while (0)
#define ASSERT_LE(a, b) do { double a_ = (a), b_ = (b); \
    if (!(a_ <= b_)) th_fail(__FILE__, __LINE__, "%s <= %s: %.17g > %.17g", #a, #b, a_, b_); } while (0)
#define ASSERT_GE(a, b) do { double a_ = (a), b_ = (b); \
    if (!(a_ >= b_)) th_fail(__FILE__, __LINE__, "%s >= %s: %.17g < %.17g", #a, #b, a_, b_); } while (0)
#define SKIP(why) do { th_skip(why); return; } while (0)

/* Tolerance for this precision: the first in the double build, the second in float. */
#ifdef ELIG_DOUBLE
#define TOL(f64, f32) (f64)
#else
#define TOL(f64, f32) (f32)
#endif

/* max_i |a_i - b_i| / max(max_i |b_i|, floor): relative error against the scale of b. */
double th_rel_err(const elig_real *a, const elig_real *b, size_t n, double floor);
double th_cosine(const elig_real *a, const elig_real *b, size_t n);
double th_norm(const elig_real *a, size_t n);

#endif
