/* plot.c -- figure.png of a training run, drawn with PLplot (device pngcairo).
 *
 * Three panels, top to bottom: the loss per iteration (log scale); the readout of the last
 * iteration's first sequence against its target (regression) or every class's readout with
 * the loss window shaded and the label named (classification); a spike raster of layer 0
 * (first sequence, last iteration), or the first units' activity for a rate layer.
 * PLplot writes a temporary file that is renamed into place after plend().
 */
#include "cli.h"

#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_SHADE = 3, COL_FIRST = 4, N_COL = 10 };

/* Colour-blind-safe palette (Okabe-Ito). */
static void palette(void)
{
    static const int rgb[16][3] = {{255, 255, 255}, {0, 0, 0}, {200, 200, 200}, {228, 228, 240},
                                   {0, 114, 178}, {230, 159, 0}, {0, 158, 115}, {204, 121, 167},
                                   {86, 180, 233}, {213, 94, 0}, {240, 228, 66}, {0, 0, 0},
                                   {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    plscmap0n(16);
    for (int i = 0; i < 16; i++) plscol0(i, rgb[i][0], rgb[i][1], rgb[i][2]);
}

static int exit_handler(PLCHAR_VECTOR msg)
{
    fprintf(stderr, "elig: PLplot failed: %s\n", msg ? msg : "");
    return CLI_ERUN;
}

static void range(const PLFLT *v, int n, PLFLT *lo, PLFLT *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            if (v[i] < *lo) *lo = v[i];
            if (v[i] > *hi) *hi = v[i];
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

static void axes(const char *ybox, const char *xl, const char *yl, const char *title)
{
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, ybox[0] == 'l' ? "gl" : "g", 0, 0);
    plcol0(COL_FG);
    plwidth(1.0);
    plbox("bcnst", 0, 0, ybox[0] == 'l' ? "bcnstlv" : "bcnstv", 0, 0);
    pllab(xl, yl, title);
}

static void log_tick(PLFLT x0, PLFLT x1, PLFLT lo, PLFLT hi, double value, int *width)
{
    char text[32];
    PLFLT v = log10(value);
    snprintf(text, sizeof text, "%.4g", value);
    if ((int)strlen(text) > *width) *width = (int)strlen(text);
    plcol0(COL_GRID);
    plwidth(0.5);
    pljoin(x0, v, x1, v);
    plcol0(COL_FG);
    plwidth(1.0);
    plmtex("lv", 0.8, (v - lo) / (hi - lo), 1.0, text);
}

/* Labels of a log10 axis spanning [lo, hi] (log10 units): decades when the range holds two
 * or more, else 1-2-5 or 1..9 multiples, else (a range within one factor of ~2) linear steps;
 * grid lines at the labels. PLplot labels log axes at decades only, which leaves a typical
 * loss curve unlabelled. */
static int log_axis(PLFLT x0, PLFLT x1, PLFLT lo, PLFLT hi)
{
    int width = 0;
    static const int sets[3][10] = {{1, 0}, {1, 2, 5, 0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 0}};
    for (int s = 0; s < 3; s++) {
        int count = 0;
        for (int e = (int)floor(lo) - 1; e <= (int)ceil(hi); e++)
            for (int m = 0; sets[s][m]; m++) {
                PLFLT v = e + log10((double)sets[s][m]);
                count += v >= lo && v <= hi;
            }
        if (count < 2) continue;
        for (int e = (int)floor(lo) - 1; e <= (int)ceil(hi); e++)
            for (int m = 0; sets[s][m]; m++) {
                PLFLT v = e + log10((double)sets[s][m]);
                if (v >= lo && v <= hi) log_tick(x0, x1, lo, hi, sets[s][m] * pow(10.0, e), &width);
            }
        return width;
    }
    double a = pow(10.0, lo), b = pow(10.0, hi), raw = (b - a) / 4, mag = pow(10.0, floor(log10(raw)));
    double step = raw / mag < 2 ? 2 * mag : raw / mag < 5 ? 5 * mag : 10 * mag;
    if (!(step > 0) || !isfinite(step)) return width;
    for (double v = ceil(a / step) * step; v <= b; v += step)
        if (v > 0) log_tick(x0, x1, lo, hi, v, &width);
    return width;
}

/* Panel 1: loss per iteration, log y. */
static void panel_loss(const cli_figure *f, PLFLT *buf)
{
    int n = 0;
    PLFLT *x = buf, *y = buf + f->n_iter;
    for (int i = 0; i < f->n_iter; i++)
        if (isfinite(f->loss[i]) && f->loss[i] > 0) {
            x[n] = i + 1;
            y[n] = log10(f->loss[i]);
            n++;
        }
    PLFLT lo, hi;
    range(y, n, &lo, &hi);
    if (n == 0) lo = -1, hi = 1;
    pad(&lo, &hi, 0.05);
    PLFLT x0 = f->n_iter > 1 ? 1 : 0.5, x1 = f->n_iter > 1 ? f->n_iter : 1.5;
    plvpor(0.12, 0.97, 0.74, 0.95);
    plwind(x0, x1, lo, hi);
    char title[300];
    snprintf(title, sizeof title, "Training loss per iteration -- %s", f->title);
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, "", 0, 0);
    int width = log_axis(x0, x1, lo, hi);
    plcol0(COL_FG);
    plwidth(1.0);
    plbox("bcnst", f->n_iter <= 10 ? 1.0 : 0, 0, "bc", 0, 0);
    pllab("iteration", "", title);
    plmtex("l", 1.5 + 0.95 * width, 0.5, 0.5, "loss (log scale)"); /* clear of the tick labels */
    plcol0(COL_FIRST);
    plwidth(2.0);
    if (n > 1) plline(n, x, y);
    if (n < 60) {
        plssym(0, 0.8);
        plpoin(n, x, y, 17);
    }
    plwidth(1.0);
}

static void legend(int n, const char **text, const PLINT *kinds, const PLINT *colors, const PLINT *styles)
{
    PLINT opt[12], tcol[12], bcol[12], bpat[12], sym_col[12], sym_num[12];
    PLFLT bscale[12], bw[12], lw[12], sym_scale[12];
    const char *sym[12];
    for (int i = 0; i < n && i < 12; i++) {
        opt[i] = kinds[i];
        tcol[i] = COL_FG;
        bcol[i] = colors[i];
        bpat[i] = 0;
        bscale[i] = 1.0;
        bw[i] = 1.0;
        lw[i] = 2.0;
        sym_col[i] = colors[i];
        sym_num[i] = 1;
        sym_scale[i] = 1.0;
        sym[i] = "";
    }
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE,
             0.01, 0.02, 0.06, COL_BG, COL_FG, 1, 0, 0, n, opt, 1.0, 0.7, 1.8, 0.0, tcol, text, bcol, bpat, bscale, bw,
             colors, styles, lw, sym_col, sym_scale, sym_num, sym);
}

/* Panel 2: readout vs target (regression) or class readouts with the loss window. */
static void panel_readout(const cli_figure *f, PLFLT *buf)
{
    const int T = f->T, K = f->n_out < 6 ? f->n_out : 6;
    PLFLT *t = buf, *v = buf + T;
    for (int i = 0; i < T; i++) t[i] = (i + 1) * f->dt;
    PLFLT lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < K; k++)
        for (int i = 0; i < T; i++) {
            PLFLT a = f->y[(size_t)i * f->y_stride + k];
            PLFLT b = f->classification ? a : f->target[(size_t)i * f->n_out + k];
            if (isfinite(a)) lo = fmin(lo, a), hi = fmax(hi, a);
            if (isfinite(b)) lo = fmin(lo, b), hi = fmax(hi, b);
        }
    pad(&lo, &hi, 0.08);
    hi += 0.25 * (hi - lo); /* room for the legend */
    plvpor(0.12, 0.97, 0.39, 0.615);
    plwind(0, T * f->dt, lo, hi);
    char title[200];
    const char *text[12];
    char labels[12][48];
    PLINT kinds[12], colors[12], styles[12];
    int nl = 0;
    if (f->classification) {
        /* shade the loss window and name label and prediction */
        int b0 = f->win_begin, b1 = f->win_end, pred = 0;
        PLFLT sx[4] = {b0 * f->dt, b1 * f->dt, b1 * f->dt, b0 * f->dt}, sy[4] = {lo, lo, hi, hi};
        plcol0(COL_SHADE);
        plfill(4, sx, sy);
        double best = -INFINITY;
        for (int k = 0; k < f->n_out; k++) {
            double m = 0;
            for (int i = b0; i < b1; i++) m += f->y[(size_t)i * f->y_stride + k];
            if (b1 > b0 && m > best) best = m, pred = k;
        }
        snprintf(title, sizeof title, "Readout, sequence 0 of the last iteration: label class %d, predicted class %d", f->label, pred);
        axes("n", "time (ms)", "readout y (a.u.)", title);
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < T; i++) v[i] = f->y[(size_t)i * f->y_stride + k];
            plcol0(COL_FIRST + k % (N_COL - COL_FIRST));
            plwidth(k == f->label ? 2.5 : 1.5);
            plline(T, t, v);
            snprintf(labels[nl], sizeof labels[nl], "class %d%s", k, k == f->label ? " (label)" : "");
            text[nl] = labels[nl];
            kinds[nl] = PL_LEGEND_LINE;
            colors[nl] = COL_FIRST + k % (N_COL - COL_FIRST);
            styles[nl] = 1;
            nl++;
        }
        snprintf(labels[nl], sizeof labels[nl], "loss window");
        text[nl] = labels[nl];
        kinds[nl] = PL_LEGEND_COLOR_BOX;
        colors[nl] = COL_SHADE;
        styles[nl] = 1;
        nl++;
    } else {
        snprintf(title, sizeof title, "Readout vs target, sequence 0 of the last iteration%s",
                 f->n_out > K ? " (first 6 outputs)" : "");
        axes("n", "time (ms)", "output (a.u.)", title);
        for (int k = 0; k < K; k++) {
            PLINT col = COL_FIRST + k % (N_COL - COL_FIRST);
            for (int i = 0; i < T; i++) v[i] = f->target[(size_t)i * f->n_out + k];
            plcol0(col);
            pllsty(2);
            plwidth(2.0);
            plline(T, t, v);
            for (int i = 0; i < T; i++) v[i] = f->y[(size_t)i * f->y_stride + k];
            pllsty(1);
            plline(T, t, v);
            if (nl + 2 <= 12) {
                snprintf(labels[nl], sizeof labels[nl], K > 1 ? "readout y%d" : "readout y", k);
                snprintf(labels[nl + 1], sizeof labels[nl + 1], K > 1 ? "target y*%d" : "target y*", k);
                text[nl] = labels[nl];
                text[nl + 1] = labels[nl + 1];
                kinds[nl] = kinds[nl + 1] = PL_LEGEND_LINE;
                colors[nl] = colors[nl + 1] = col;
                styles[nl] = 1;
                styles[nl + 1] = 2;
                nl += 2;
            }
        }
    }
    plwidth(1.0);
    pllsty(1);
    legend(nl, text, kinds, colors, styles);
}

/* Panel 3: spike raster of layer 0 (dots), or activity of the first units of a rate layer. */
static int panel_raster(const cli_figure *f, PLFLT *buf)
{
    const int T = f->T, N = f->n_neurons;
    char title[160];
    plvpor(0.12, 0.97, 0.06, 0.285);
    if (f->spiking) {
        size_t count = 0;
        for (size_t i = 0; i < (size_t)T * N; i++) count += f->spikes[i] != 0;
        PLFLT *x = NULL, *y = NULL;
        if (count) {
            x = cli_array(sizeof *x, 1, count);
            y = cli_array(sizeof *y, 1, count);
            if (!x || !y) {
                free(x);
                free(y);
                return cli_fail(CLI_ERUN, "out of memory drawing the raster");
            }
        }
        size_t m = 0;
        for (int i = 0; i < T; i++)
            for (int n = 0; n < N; n++)
                if (f->spikes[(size_t)i * N + n] != 0) {
                    x[m] = (i + 1) * f->dt;
                    y[m] = n;
                    m++;
                }
        double rate = 1000.0 * (double)count / ((double)N * T * f->dt);
        plwind(0, T * f->dt, -0.5, N - 0.5);
        snprintf(title, sizeof title, "Spikes of layer 0 (%d neurons), sequence 0 of the last iteration: %.1f Hz", N, rate);
        axes("n", "time (ms)", "neuron", title);
        plcol0(COL_FG);
        plssym(0, N > 200 ? 0.4 : 0.6);
        for (size_t s = 0; s < m; s += 100000) {
            size_t k = m - s < 100000 ? m - s : 100000;
            plpoin((PLINT)k, x + s, y + s, 17);
        }
        free(x);
        free(y);
    } else {
        const int K = N < 8 ? N : 8;
        PLFLT *t = buf, *v = buf + T, lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < T; i++) t[i] = (i + 1) * f->dt;
        for (int i = 0; i < T; i++)
            for (int k = 0; k < K; k++) lo = fmin(lo, f->spikes[(size_t)i * N + k]), hi = fmax(hi, f->spikes[(size_t)i * N + k]);
        pad(&lo, &hi, 0.05);
        plwind(0, T * f->dt, lo, hi);
        snprintf(title, sizeof title, "Activity of the first %d units of layer 0, sequence 0 of the last iteration", K);
        axes("n", "time (ms)", "activity z (a.u.)", title);
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < T; i++) v[i] = f->spikes[(size_t)i * N + k];
            plcol0(COL_FIRST + k % (N_COL - COL_FIRST));
            plline(T, t, v);
        }
    }
    return CLI_OK;
}

int cli_plot_figure(const cli_figure *f)
{
    char tmp[CLI_PATH];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.png", f->path);
    if (w < 0 || (size_t)w >= sizeof tmp) return cli_fail(CLI_EUSAGE, "path too long: %s", f->path);
    size_t nbuf = 2 * (size_t)(f->T > f->n_iter ? f->T : f->n_iter);
    PLFLT *buf = cli_array(sizeof *buf, 1, nbuf);
    if (!buf) return cli_fail(CLI_ERUN, "out of memory drawing %s", f->path);
    plsexit(exit_handler);
    plsdev("pngcairo");
    plsfnam(tmp);
    plsetopt("geometry", "1200x1500");
    palette();
    plinit();
    pladv(0);
    plschr(0, 0.75);
    panel_loss(f, buf);
    panel_readout(f, buf);
    int rc = panel_raster(f, buf);
    plend();
    free(buf);
    if (rc) {
        remove(tmp);
        return rc;
    }
    FILE *chk = fopen(tmp, "rb");
    if (!chk) return cli_fail(CLI_ERUN, "PLplot did not write %s", tmp);
    fclose(chk);
    if (rename(tmp, f->path) != 0) {
        remove(tmp);
        return cli_fail(CLI_ERUN, "cannot rename %s to %s", tmp, f->path);
    }
    return CLI_OK;
}
