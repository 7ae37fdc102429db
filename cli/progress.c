/* progress.c -- training progress on stderr. On a terminal: one line redrawn with '\r'
 * (at most 10 times a second, and always for the last iteration): a bar, iteration/total,
 * loss, accuracy, rate, elapsed time and ETA. Otherwise (pipes, CI logs): a plain line every
 * log_every iterations, plus the first and the last. */
#include "cli.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

void cli_format_duration(char *out, size_t n, double s)
{
    if (!isfinite(s) || s < 0) {
        snprintf(out, n, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(out, n, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else snprintf(out, n, "%ld:%02ld", t / 60, t % 60);
}

void cli_progress_init(cli_progress *p, int total, int log_every, int quiet, int classification)
{
    p->total = total;
    p->log_every = log_every > 0 ? log_every : 1;
    p->quiet = quiet;
    p->tty = isatty(fileno(stderr));
    p->classification = classification;
    p->t0 = cli_now();
    p->last_draw = -1.0;
    p->drawn = 0;
    p->level = 0;
}

void cli_progress_update(cli_progress *p, int it, double loss, double acc, double rate_hz)
{
    if (p->quiet) return;
    double now = cli_now(), el = now - p->t0;
    char acc_s[48] = "";
    if (p->classification) snprintf(acc_s, sizeof acc_s, "  acc %5.1f%%", 100.0 * acc);
    if (p->level > 0) {
        size_t len = strlen(acc_s);
        snprintf(acc_s + len, sizeof acc_s - len, "  level %d", p->level);
    }
    if (p->tty) {
        if (it < p->total && p->last_draw >= 0 && now - p->last_draw < 0.1) return;
        p->last_draw = now;
        enum { W = 20 };
        char bar[W + 1], e_s[16], eta_s[16];
        int fill = (int)((double)W * it / p->total);
        for (int i = 0; i < W; i++) bar[i] = i < fill ? '#' : '.';
        bar[W] = '\0';
        cli_format_duration(e_s, sizeof e_s, el);
        cli_format_duration(eta_s, sizeof eta_s, it > 0 ? el / it * (p->total - it) : NAN);
        fprintf(stderr, "\r[%s] %d/%d  loss %.4g%s  rate %.1f Hz  %s < %s\033[K", bar, it, p->total, loss, acc_s, rate_hz,
                e_s, eta_s);
        fflush(stderr);
        p->drawn = 1;
    } else if (it == 1 || it % p->log_every == 0 || it == p->total) {
        fprintf(stderr, "iter %d/%d  loss %.6g%s  rate %.2f Hz  %.1f s\n", it, p->total, loss, acc_s, rate_hz, el);
    }
}

void cli_progress_done(cli_progress *p)
{
    if (p->drawn) {
        fputc('\n', stderr);
        p->drawn = 0;
    }
}
