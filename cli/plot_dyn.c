/* plot_dyn.c -- figure.png of an `elig dyn` run, drawn with PLplot (device pngcairo), in
 * 1200 x 450-pixel panels, top to bottom:
 *   the target against the decoded output over the whole run (decimated), the training window
 *     shaded and the phases labelled;
 *   the same at full resolution around the end of training and the start of the test (FORCE)
 *     or over the first seconds of the test (FOLLOW);
 *   the smoothed error |x̂ - x| (rms over the outputs) over the whole run;
 *   a spike raster of the first neurons in a short window at the start of the test (spiking
 *     networks only);
 *   [k >= 2, unless no_phase_plane] the phase plane (channel 0 against channel 1) of the target and the output over
 *     the test phase.
 * As in plot.c, PLplot writes a temporary file that is renamed into place after plend().
 */
#include "cli_dyn.h"

#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_SHADE = 3, COL_FIRST = 4, COL_TINT = 11, N_CH = 5 };

static PLFLT text_scale = 1.0;

/* Okabe-Ito, with light tints of the first five colours (targets) in 11..15. */
static const int palette_dyn[16][3] = {{255, 255, 255}, {0, 0, 0}, {200, 200, 200}, {232, 232, 242},
                                       {0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167},
                                       {230, 159, 0}, {86, 180, 233}, {240, 228, 66}, {150, 195, 225},
                                       {240, 180, 150}, {150, 215, 195}, {232, 190, 215}, {245, 210, 150}};

static void frange(const float *v, size_t n, size_t stride, PLFLT *lo, PLFLT *hi)
{
    for (size_t i = 0; i < n; i++) {
        PLFLT x = v[i * stride];
        if (isfinite(x)) {
            if (x < *lo) *lo = x;
            if (x > *hi) *hi = x;
        }
    }
}

static void pad(PLFLT *lo, PLFLT *hi, PLFLT frac)
{
    if (!isfinite(*lo) || !isfinite(*hi)) {
        *lo = 0;
        *hi = 1;
    }
    PLFLT d = *hi - *lo;
    if (d <= 0) d = fabs(*hi) > 0 ? fabs(*hi) : 1;
    *lo -= frac * d;
    *hi += frac * d;
}

/* x tick labels with a fixed number of decimals (PLplot's own drop the digits that tell
 * 1500.1 s from 1500.2 s). */
static void label_decimals(PLINT axis, PLFLT value, char *out, PLINT n, PLPointer data)
{
    const int d = *(const int *)data;
    if (axis == PL_X_AXIS) snprintf(out, (size_t)n, "%.*f", d, value);
    else snprintf(out, (size_t)n, "%g", value);
}

/* decimals < 0: PLplot's labels; else x labels with that many decimals. */
static void axes_d(const char *xl, const char *yl, const char *title, int decimals)
{
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, "g", 0, 0);
    plcol0(COL_FG);
    plwidth(1.0);
    if (decimals >= 0) {
        plslabelfunc(label_decimals, &decimals);
        plbox("bcnsto", 0, 0, "bcnstv", 0, 0);
        plslabelfunc(NULL, NULL);
    } else {
        plbox("bcnst", 0, 0, "bcnstv", 0, 0);
    }
    pllab(xl, yl, title);
}

static void axes(const char *xl, const char *yl, const char *title) { axes_d(xl, yl, title, -1); }

/* A time axis over [lo, hi] s: PLplot's labels while they are plain; fixed decimals once the
 * values are large (it would switch to "x10^4" and drop the digits that tell the ticks of a
 * short late window apart). */
static void time_axes(double lo, double hi, const char *yl, const char *title)
{
    const double span = hi - lo;
    int d = -1;
    if (span > 0 && span < 10 && fmax(fabs(lo), fabs(hi)) >= 10) d = (int)ceil(-log10(span / 5)) + 1;
    else if (fmax(fabs(lo), fabs(hi)) >= 1000) d = 0;
    if (d > 6) d = 6;
    axes_d("time (s)", yl, title, d);
}

/* Shade the training window and label the phases; x0, x1: the window in ms, sc: ms -> axis. */
static void phases(const dyn_figure *f, PLFLT x0, PLFLT x1, PLFLT lo, PLFLT hi, PLFLT sc)
{
    PLFLT a = fmax(f->t_pre, x0), b = fmin(f->t_train1, x1);
    if (b > a) {
        PLFLT sx[4] = {a * sc, b * sc, b * sc, a * sc}, sy[4] = {lo, lo, hi, hi};
        plcol0(COL_SHADE);
        plfill(4, sx, sy);
    }
    plcol0(COL_FG);
    const PLFLT ty = hi - 0.07 * (hi - lo);
    if (f->t_pre > x0 && fmin(f->t_pre, x1) - x0 > 0.15 * (x1 - x0))
        plptex(0.5 * (x0 + fmin(f->t_pre, x1)) * sc, ty, 1, 0, 0.5, "no learning");
    if (b > a) plptex(0.5 * (a + b) * sc, ty, 1, 0, 0.5, "training");
    if (f->t_test0 < x1) {
        if (f->t_test0 >= x0) {
            PLFLT lx[2] = {f->t_test0 * sc, f->t_test0 * sc}, ly[2] = {lo, hi};
            plwidth(1.5);
            pllsty(2);
            plline(2, lx, ly);
            pllsty(1);
            plwidth(1.0);
        }
        const PLFLT a0 = fmax(f->t_test0, x0);
        if (x1 - a0 < 0.2 * (x1 - x0)) plptex(x1 * sc - 0.005 * (x1 - x0) * sc, ty, 1, 0, 1.0, "test");
        else plptex(0.5 * (a0 + x1) * sc, ty, 1, 0, 0.5, "test (learning off)");
    }
}

/* Target (light, thick) and output (dark, thin) per channel over n points of time t (ms). */
static void traces(int n, const double *t, const float *tg, const float *out, int k, PLFLT scale, PLFLT *buf)
{
    PLFLT *x = buf, *y = buf + n;
    for (int i = 0; i < n; i++) x[i] = t[i] * scale;
    const int kk = k < N_CH ? k : N_CH;
    for (int pass = 0; pass < 2; pass++)
        for (int a = 0; a < kk; a++) {
            const float *v = pass == 0 ? tg : out;
            for (int i = 0; i < n; i++) y[i] = v[(size_t)i * k + a];
            plcol0(pass == 0 ? COL_TINT + a : (k == 1 ? COL_FG : COL_FIRST + a));
            plwidth(pass == 0 ? 4.0 : 1.2);
            if (n > 1) plline(n, x, y);
        }
    plwidth(1.0);
}

static void legend_line(const dyn_figure *f)
{
    plcol0(COL_FG);
    plmtex("t", 0.4, 1.0, 1.0, f->k == 1 ? "target light, output black" : "target light, output dark");
}

static void panel_run(const dyn_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    char title[256];
    PLFLT lo = INFINITY, hi = -INFINITY, sc = 1e-3;
    const int kk = f->k < N_CH ? f->k : N_CH;
    for (int a = 0; a < kk; a++) {
        frange(f->target + a, (size_t)f->n, (size_t)f->k, &lo, &hi);
        frange(f->output + a, (size_t)f->n, (size_t)f->k, &lo, &hi);
    }
    pad(&lo, &hi, 0.12);
    plvpor(0.09, 0.97, y0, y1);
    plwind(0, f->t_end * sc, lo, hi);
    phases(f, 0, f->t_end, lo, hi, sc);
    int len = snprintf(title, sizeof title, "%s: %s, %s. %s", f->title, f->rule, f->model, f->result);
    if (len <= 100) {
        time_axes(0, f->t_end * sc, "x, x̂", title);
    } else { /* too wide for one line: run and result on two */
        time_axes(0, f->t_end * sc, "x, x̂", "");
        snprintf(title, sizeof title, "%s: %s, %s", f->title, f->rule, f->model);
        plmtex("t", 2.9, 0.5, 0.5, title);
        plmtex("t", 1.3, 0.5, 0.5, f->result);
    }
    traces(f->n, f->t, f->target, f->output, f->k, sc, buf);
}

static void panel_zoom(const dyn_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    PLFLT lo = INFINITY, hi = -INFINITY, sc = 1e-3;
    const int kk = f->k < N_CH ? f->k : N_CH;
    for (int a = 0; a < kk; a++) {
        frange(f->target_z + a, (size_t)f->nz, (size_t)f->k, &lo, &hi);
        frange(f->output_z + a, (size_t)f->nz, (size_t)f->k, &lo, &hi);
    }
    pad(&lo, &hi, 0.12);
    PLFLT x0 = f->nz ? f->tz[0] : 0, x1 = f->nz ? f->tz[f->nz - 1] : 1;
    if (x1 <= x0) x1 = x0 + 1;
    plvpor(0.09, 0.97, y0, y1);
    plwind(x0 * sc, x1 * sc, lo, hi);
    phases(f, x0, x1, lo, hi, sc);
    time_axes(x0 * sc, x1 * sc, "x, x̂", f->t_test0 > x0 ? "Zoom: end of training, start of the test" : "Zoom: the test, from rest");
    traces(f->nz, f->tz, f->target_z, f->output_z, f->k, sc, buf);
    legend_line(f);
}

static void panel_err(const dyn_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    char title[160];
    PLFLT lo = 0, hi = -INFINITY, sc = 1e-3;
    frange(f->err, (size_t)f->n, 1, &lo, &hi);
    if (!(hi > 0)) hi = 1;
    hi *= 1.15;
    plvpor(0.09, 0.97, y0, y1);
    plwind(0, f->t_end * sc, lo, hi);
    phases(f, 0, f->t_end, lo, hi, sc);
    snprintf(title, sizeof title, "Error |x̂ - x| (rms over the outputs), low-pass filtered with %g ms", f->err_tau_ms);
    time_axes(0, f->t_end * sc, "error", title);
    PLFLT *x = buf, *y = buf + f->n;
    for (int i = 0; i < f->n; i++) {
        x[i] = f->t[i] * sc;
        y[i] = f->err[i];
    }
    plcol0(COL_FIRST + 1);
    plwidth(1.5);
    if (f->n > 1) plline(f->n, x, y);
    plwidth(1.0);
}

static int panel_raster(const dyn_figure *f, PLFLT y0, PLFLT y1)
{
    char title[200];
    PLFLT *x = cli_array(sizeof(PLFLT), 1, (size_t)f->n_ev + 1), *y = cli_array(sizeof(PLFLT), 1, (size_t)f->n_ev + 1);
    if (!x || !y) {
        free(x);
        free(y);
        return cli_fail(CLI_ERUN, "out of memory drawing the raster");
    }
    for (long i = 0; i < f->n_ev; i++) {
        x[i] = f->ev_t[i] * 1e-3;
        y[i] = f->ev_i[i];
    }
    const double win = (f->raster_t1 - f->raster_t0) * 1e-3;
    const double rate = win > 0 ? (double)f->n_ev / f->raster_n / win : 0;
    plvpor(0.09, 0.97, y0, y1);
    PLFLT t0 = f->raster_t0 * 1e-3, t1 = f->raster_t1 * 1e-3;
    if (t1 <= t0) t1 = t0 + 1e-3;
    plwind(t0, t1, -0.5, f->raster_n - 0.5);
    phases(f, f->raster_t0, f->raster_t1, -0.5, f->raster_n - 0.5, 1e-3);
    snprintf(title, sizeof title, "Spikes of the first %d neurons of the %s: %.1f Hz in this window", f->raster_n, f->raster_what, rate);
    time_axes(t0, t1, "neuron", title);
    plcol0(COL_FG);
    plssym(0, 0.5 * text_scale);
    for (long s = 0; s < f->n_ev; s += 100000) {
        long k = f->n_ev - s < 100000 ? f->n_ev - s : 100000;
        plpoin((PLINT)k, x + s, y + s, 17);
    }
    free(x);
    free(y);
    return CLI_OK;
}

static void panel_phase(const dyn_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    PLFLT xl = INFINITY, xh = -INFINITY, yl = INFINITY, yh = -INFINITY;
    const size_t k = (size_t)f->k;
    frange(f->pp_target, (size_t)f->npp, k, &xl, &xh);
    frange(f->pp_output, (size_t)f->npp, k, &xl, &xh);
    frange(f->pp_target + 1, (size_t)f->npp, k, &yl, &yh);
    frange(f->pp_output + 1, (size_t)f->npp, k, &yl, &yh);
    pad(&xl, &xh, 0.08);
    pad(&yl, &yh, 0.08);
    plvpor(0.30, 0.70, y0, y1);
    plwind(xl, xh, yl, yh);
    axes("x1", "x2", "Phase plane over the test (learning off): target light, output dark");
    PLFLT *x = buf, *y = buf + f->npp;
    for (int pass = 0; pass < 2; pass++) {
        const float *v = pass == 0 ? f->pp_target : f->pp_output;
        for (int i = 0; i < f->npp; i++) {
            x[i] = v[(size_t)i * k];
            y[i] = v[(size_t)i * k + 1];
        }
        plcol0(pass == 0 ? COL_TINT : COL_FIRST);
        plwidth(pass == 0 ? 3.5 : 1.0);
        if (f->npp > 1) plline(f->npp, x, y);
    }
    plwidth(1.0);
}

/* Viewport of panel i of n (from the top): 450-pixel slots, 80 px below the axes for the x
 * label and 70 px above them for the title. */
static void slot(int i, int n, PLFLT *y0, PLFLT *y1)
{
    const double H = 450.0 * n, top = H - 450.0 * i;
    *y0 = (top - 450.0 + 80.0) / H;
    *y1 = (top - 70.0) / H;
}

int cli_plot_dyn(const dyn_figure *f)
{
    char tmp[CLI_PATH];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.png", f->path);
    if (w < 0 || (size_t)w >= sizeof tmp) return cli_fail(CLI_EUSAGE, "path too long: %s", f->path);
    const int raster = f->raster_n > 0, pp = f->k >= 2 && f->npp > 1 && !f->no_phase_plane;
    const int n_panels = 3 + raster + pp;
    size_t m = (size_t)f->n;
    if ((size_t)f->nz > m) m = (size_t)f->nz;
    if ((size_t)f->npp > m) m = (size_t)f->npp;
    PLFLT *buf = cli_array(sizeof *buf, 2, (size_t)2, m + 1);
    if (!buf) return cli_fail(CLI_ERUN, "out of memory drawing %s", f->path);
    cli_plot_open(tmp, 1200, 450 * n_panels, palette_dyn, 16);
    text_scale = 3.0 / n_panels;
    plschr(0, 0.8 * text_scale);
    int p = 0, rc = CLI_OK;
    PLFLT y0, y1;
    slot(p++, n_panels, &y0, &y1);
    panel_run(f, buf, y0, y1);
    slot(p++, n_panels, &y0, &y1);
    panel_zoom(f, buf, y0, y1);
    slot(p++, n_panels, &y0, &y1);
    panel_err(f, buf, y0, y1);
    if (raster) {
        slot(p++, n_panels, &y0, &y1);
        rc = panel_raster(f, y0, y1);
    }
    if (pp && !rc) {
        slot(p++, n_panels, &y0, &y1);
        panel_phase(f, buf, y0, y1);
    }
    free(buf);
    return cli_plot_close(tmp, f->path, rc);
}
