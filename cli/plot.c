/* plot.c -- figure.png of a training run, drawn with PLplot (device pngcairo).
 *
 * Panels, top to bottom, each in a 500-pixel slot of a 1200-pixel-wide image:
 *   the loss per iteration (log scale);
 *   [fidelity] the cosine similarity of the rule's gradient with the exact one per iteration,
 *     one line per tensor;
 *   [copy] the curriculum level per iteration, with the recall accuracy on a second axis;
 *   the readout of the last iteration's first sequence against its target (regression), or
 *     every class's readout with the loss window shaded and the label named (classification),
 *     or p(bit = 1) against the recall bits (copy);
 *   [spike timing] the output layer's spike raster against the target spike times;
 *   a spike raster of layer 0 (first sequence, last iteration), or the first units' activity
 *     for a rate layer (left out when it would repeat the output raster);
 *   [classification in epochs] training and validation accuracy per epoch (after the loss),
 *     and the test split's confusion matrix as a heat map (last).
 * cli_plot_suite draws the benchmark table's figure (elig suite).
 * PLplot writes a temporary file that is renamed into place after plend().
 */
#include "cli.h"

#include <math.h>
#include <plplot.h>
#include <stdlib.h>
#include <string.h>

enum { COL_BG = 0, COL_FG = 1, COL_GRID = 2, COL_SHADE = 3, COL_FIRST = 4, N_COL = 10 };

/* Text scale of the current figure: pngcairo scales text with the page height, and a figure
 * with more panels is taller; 3 panels (1500 px) is 1. */
static PLFLT text_scale = 1.0;
static int n_panels_cur = 3; /* panels of the figure being drawn */

/* Colour-blind-safe palette (Okabe-Ito). */
static const int palette_rgb[16][3] = {{255, 255, 255}, {0, 0, 0}, {200, 200, 200}, {228, 228, 240},
                                       {0, 114, 178}, {230, 159, 0}, {0, 158, 115}, {204, 121, 167},
                                       {86, 180, 233}, {213, 94, 0}, {240, 228, 66}, {0, 0, 0},
                                       {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};

static int exit_handler(PLCHAR_VECTOR msg)
{
    fprintf(stderr, "elig: PLplot failed: %s\n", msg ? msg : "");
    return CLI_ERUN;
}

void cli_plot_open(const char *tmp, int w, int h, const int (*rgb)[3], int n)
{
    char geom[32];
    snprintf(geom, sizeof geom, "%dx%d", w, h);
    plsexit(exit_handler);
    plsdev("pngcairo");
    plsfnam(tmp);
    plsetopt("geometry", geom);
    plscmap0n(n);
    for (int i = 0; i < n; i++) plscol0(i, rgb[i][0], rgb[i][1], rgb[i][2]);
    plinit();
    pladv(0);
}

int cli_plot_close(const char *tmp, const char *path, int rc)
{
    plend();
    if (rc) {
        remove(tmp);
        return rc;
    }
    FILE *chk = fopen(tmp, "rb");
    if (!chk) return cli_fail(CLI_ERUN, "PLplot did not write %s", tmp);
    fclose(chk);
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return cli_fail(CLI_ERUN, "cannot rename %s to %s", tmp, path);
    }
    return CLI_OK;
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

/* Loss per iteration, log y. */
static void panel_loss(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
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
    plvpor(0.12, 0.97, y0, y1);
    plwind(x0, x1, lo, hi);
    char title[300];
    snprintf(title, sizeof title, "Training loss per %s -- %s", f->epochs ? "epoch (mean over its batches)" : "iteration", f->title);
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, "", 0, 0);
    int width = log_axis(x0, x1, lo, hi);
    plcol0(COL_FG);
    plwidth(1.0);
    plbox("bcnst", f->n_iter <= 10 ? 1.0 : 0, 0, "bc", 0, 0);
    pllab(f->epochs ? "epoch" : "iteration", "", title);
    plmtex("l", 1.5 + 0.95 * width, 0.5, 0.5, "loss (log scale)"); /* clear of the tick labels */
    plcol0(COL_FIRST);
    plwidth(2.0);
    if (n > 1) plline(n, x, y);
    if (n < 60) {
        plssym(0, 0.8 * text_scale);
        plpoin(n, x, y, 17);
    }
    plwidth(1.0);
}

static void legend_at(PLINT position, int n, const char **text, const PLINT *kinds, const PLINT *colors, const PLINT *styles)
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
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position | PL_POSITION_INSIDE,
             0.01, 0.02, 0.06, COL_BG, COL_FG, 1, 0, 0, n, opt, 1.0, 0.7 * text_scale, 1.8, 0.0, tcol, text, bcol, bpat, bscale, bw,
             colors, styles, lw, sym_col, sym_scale, sym_num, sym);
}

static void legend(int n, const char **text, const PLINT *kinds, const PLINT *colors, const PLINT *styles)
{
    legend_at(PL_POSITION_TOP | PL_POSITION_RIGHT, n, text, kinds, colors, styles);
}

static void panel_copy(const cli_figure *f, PLFLT *buf);

/* Readout vs target (regression) or class readouts with the loss window. */
static void panel_readout(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
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
    plvpor(0.12, 0.97, y0, y1);
    if (f->copy) {
        panel_copy(f, buf);
        return;
    }
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
        snprintf(title, sizeof title, "Readout, %s: label class %d, predicted class %d",
                 f->epochs ? "a test sample" : "sequence 0 of the last iteration", f->label, pred);
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

/* x range of the per-iteration panels. */
static void iter_range(const cli_figure *f, PLFLT *x0, PLFLT *x1)
{
    *x0 = f->n_iter > 1 ? 1 : 0.5;
    *x1 = f->n_iter > 1 ? f->n_iter : 1.5;
}

/* Fidelity: cosine(rule gradient, exact gradient) per iteration, one line per tensor. */
static void panel_fidelity(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    PLFLT *x = buf, *y = buf + f->n_iter, x0, x1, lo = 1, hi = 1;
    iter_range(f, &x0, &x1);
    for (size_t i = 0; i < (size_t)f->n_iter * f->n_fid; i++)
        if (isfinite(f->fid_cos[i])) lo = fmin(lo, f->fid_cos[i]);
    lo = lo > 0 ? 0 : lo - 0.05;
    hi = 1.0 + 0.3 * (hi - lo); /* room for the legend */
    plvpor(0.12, 0.97, y0, y1);
    plwind(x0, x1, lo, hi);
    char title[300];
    snprintf(title, sizeof title, "Gradient fidelity: cosine(%s gradient, exact %s gradient), per iteration",
             f->rule ? f->rule : "rule", f->fid_method ? f->fid_method : "");
    axes("n", "iteration", "cosine similarity", title);
    plcol0(COL_GRID);
    pllsty(2);
    pljoin(x0, 1, x1, 1);
    pljoin(x0, 0, x1, 0);
    pllsty(1);
    const char *text[12];
    char labels[12][48];
    PLINT kinds[12], colors[12], styles[12];
    int nl = 0;
    for (int k = 0; k < f->n_fid; k++) {
        PLINT col = COL_FIRST + k % (N_COL - COL_FIRST);
        double sum = 0;
        int n = 0, cnt = 0;
        plcol0(col);
        plwidth(2.0);
        pllsty(1 + (k / (N_COL - COL_FIRST)) % 3);
        /* Draw each run of finite values (an undefined cosine, e.g. a zero gradient, breaks the line). */
        for (int i = 0; i <= f->n_iter; i++) {
            double c = i < f->n_iter ? f->fid_cos[(size_t)i * f->n_fid + k] : NAN;
            if (isfinite(c)) {
                x[n] = i + 1;
                y[n] = c;
                n++;
                sum += c;
                cnt++;
                continue;
            }
            if (n > 1) plline(n, x, y);
            else if (n == 1) plpoin(1, x, y, 17);
            n = 0;
        }
        if (nl < 12) {
            if (cnt) snprintf(labels[nl], sizeof labels[nl], "%.15s (mean %.3f)", f->fid_names[k], sum / cnt);
            else snprintf(labels[nl], sizeof labels[nl], "%.15s (undefined)", f->fid_names[k]);
            text[nl] = labels[nl];
            kinds[nl] = PL_LEGEND_LINE;
            colors[nl] = col;
            styles[nl] = 1 + (k / (N_COL - COL_FIRST)) % 3;
            nl++;
        }
    }
    plwidth(1.0);
    pllsty(1);
    legend_at(PL_POSITION_TOP | PL_POSITION_LEFT, nl, text, kinds, colors, styles);
}

/* Copy task: the curriculum level per iteration (left axis) and the recall accuracy (right). */
static void panel_level(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    PLFLT *x = buf, *y = buf + f->n_iter, x0, x1;
    iter_range(f, &x0, &x1);
    int top = 1;
    for (int i = 0; i < f->n_iter; i++) top = f->level[i] > top ? f->level[i] : top;
    plvpor(0.12, 0.90, y0, y1);
    plwind(x0, x1, 0, top * 1.45 + 1);
    char title[300];
    snprintf(title, sizeof title, "Copy-task curriculum: level (string length) per iteration, %d at the end", f->level[f->n_iter - 1]);
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, "g", 0, 0);
    plcol0(COL_FG);
    plwidth(1.0);
    plbox("bnst", 0, 0, "bnstv", 0, 0);
    pllab("iteration", "level L", title);
    for (int i = 0; i < f->n_iter; i++) {
        x[i] = i + 1;
        y[i] = f->level[i];
    }
    plcol0(COL_FIRST);
    plwidth(2.5);
    if (f->n_iter > 1) plline(f->n_iter, x, y);
    else plpoin(1, x, y, 17);
    plwidth(1.0);
    const char *text[2] = {"level", "recall accuracy (right axis)"};
    PLINT kinds[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, colors[2] = {COL_FIRST, COL_FIRST + 1}, styles[2] = {1, 1};
    int nl = 1;
    if (f->acc) {
        plwind(x0, x1, 0, 1.45);
        plcol0(COL_FG);
        plbox("", 0, 0, "c", 0, 0);
        for (int i = 0; i <= 5; i++) { /* labels 0 .. 1 only: the headroom above is the legend's */
            char lab[8];
            PLFLT v = 0.2 * i, d = 0.012 * (x1 - x0);
            snprintf(lab, sizeof lab, "%.1f", v);
            pljoin(x1 - d, v, x1, v);
            plmtex("rv", 0.8, v / 1.45, 0.0, lab);
        }
        plmtex("r", 3.5, 0.5 / 1.45, 0.5, "recall accuracy");
        int n = 0;
        for (int i = 0; i < f->n_iter; i++)
            if (isfinite(f->acc[i])) {
                x[n] = i + 1;
                y[n] = f->acc[i];
                n++;
            }
        plcol0(COL_FIRST + 1);
        plwidth(1.5);
        if (n > 1) plline(n, x, y);
        plwidth(1.0);
        nl = 2;
    } else {
        plcol0(COL_FG);
        plbox("", 0, 0, "c", 0, 0);
    }
    legend_at(PL_POSITION_TOP | PL_POSITION_LEFT, nl, text, kinds, colors, styles);
}

/* Copy task: p(bit = 1) = softmax(y)_1 of sequence 0 over its recall steps, against the
 * target bits (dots); the input phase is left blank (the readout means nothing there). */
static void panel_copy(const cli_figure *f, PLFLT *buf)
{
    const int T = f->T, K = f->n_out;
    PLFLT *t = buf, *v = buf + T;
    int r0 = -1, r1 = -1, n_recall = 0, right = 0, nv = 0;
    for (int i = 0; i < T; i++) {
        const elig_real *y = f->y + (size_t)i * f->y_stride, *tg = f->target + (size_t)i * K;
        int cls = -1, pred = 0;
        double m = y[0], z = 0;
        for (int k = 0; k < K; k++) {
            if (tg[k] > 0) cls = k;
            if (y[k] > y[pred]) pred = k;
            m = fmax(m, y[k]);
        }
        if (cls < 0) continue;
        for (int k = 0; k < K; k++) z += exp(y[k] - m);
        t[nv] = (i + 1) * f->dt;
        v[nv] = K > 1 ? exp(y[1] - m) / z : 1;
        nv++;
        if (r0 < 0) r0 = i;
        r1 = i + 1;
        n_recall++;
        right += pred == cls;
    }
    PLFLT lo = -0.05, hi = 1.45;
    plwind(0, T * f->dt, lo, hi);
    if (r0 >= 0) {
        PLFLT sx[4] = {r0 * f->dt, r1 * f->dt, r1 * f->dt, r0 * f->dt}, sy[4] = {lo, lo, hi, hi};
        plcol0(COL_SHADE);
        plfill(4, sx, sy);
    }
    char title[300];
    snprintf(title, sizeof title, "Copy (level %d), sequence 0 of the last iteration: %d of %d bits recalled", (T - 1) / 2, right, n_recall);
    axes("n", "time (ms)", "p(bit = 1)", title);
    plcol0(COL_FIRST);
    plwidth(2.0);
    if (nv > 1) plline(nv, t, v);
    plssym(0, 1.0 * text_scale);
    plpoin(nv, t, v, 17);
    plwidth(1.0);
    plcol0(COL_FIRST + 1);
    plssym(0, 1.4 * text_scale);
    for (int i = 0; i < T; i++) {
        const elig_real *tg = f->target + (size_t)i * K;
        int cls = -1;
        for (int k = 0; k < K; k++)
            if (tg[k] > 0) cls = k;
        if (cls < 0) continue;
        PLFLT px = (i + 1) * f->dt, py = cls == 1 ? 1 : 0;
        plpoin(1, &px, &py, 4);
    }
    const char *text[3] = {"p(bit = 1) = softmax(y)_1", "target bit (circles)", "recall steps"};
    PLINT kinds[3] = {PL_LEGEND_LINE, PL_LEGEND_LINE, PL_LEGEND_COLOR_BOX}, colors[3] = {COL_FIRST, COL_FIRST + 1, COL_SHADE},
          styles[3] = {1, 1, 1};
    legend_at(PL_POSITION_TOP | PL_POSITION_LEFT, 3, text, kinds, colors, styles);
}

/* Spike timing: the output layer's spikes (dots) against the target spike times (bars). */
static void panel_output_raster(const cli_figure *f, PLFLT y0, PLFLT y1)
{
    const int T = f->T, N = f->n_outl, M = f->n_out < N ? f->n_out : N;
    plvpor(0.12, 0.97, y0, y1);
    PLFLT top = N - 0.5 + (N < 4 ? 0.6 : 0.25 * N);
    plwind(0, T * f->dt, -0.5, top);
    size_t n_out_sp = 0, n_tgt = 0;
    for (int i = 0; i < T; i++) {
        for (int n = 0; n < N; n++) n_out_sp += f->out_spikes[(size_t)i * N + n] != 0;
        for (int n = 0; n < M; n++) n_tgt += f->target_spikes[(size_t)i * f->n_out + n] != 0;
    }
    char title[300];
    snprintf(title, sizeof title, "Output layer (%d neuron%s) vs target spike times, last iteration: %zu spikes, %zu targets",
             N, N == 1 ? "" : "s", n_out_sp, n_tgt);
    plcol0(COL_GRID);
    plwidth(0.5);
    plbox("g", 0, 0, "", 0, 0);
    plcol0(COL_FG);
    plwidth(1.0);
    plbox("bcnst", 0, 0, "bcnstv", 1.0, 0);
    pllab("time (ms)", "neuron", title);
    plcol0(COL_FIRST + 1);
    plwidth(3.0);
    for (int i = 0; i < T; i++)
        for (int n = 0; n < M; n++)
            if (f->target_spikes[(size_t)i * f->n_out + n] != 0) pljoin((i + 1) * f->dt, n - 0.4, (i + 1) * f->dt, n + 0.4);
    plwidth(1.0);
    plcol0(COL_FIRST);
    plssym(0, (N > 50 ? 0.6 : 1.4) * text_scale);
    for (int i = 0; i < T; i++)
        for (int n = 0; n < N; n++)
            if (f->out_spikes[(size_t)i * N + n] != 0) {
                PLFLT px = (i + 1) * f->dt, py = n;
                plpoin(1, &px, &py, 17);
            }
    const char *text[2] = {"output spikes (dots)", "target spike times"};
    PLINT kinds[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, colors[2] = {COL_FIRST, COL_FIRST + 1}, styles[2] = {1, 1};
    legend(2, text, kinds, colors, styles);
}

/* Spike raster of layer 0 (dots), or activity of the first units of a rate layer. */
static int panel_raster(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    const int T = f->T, N = f->n_neurons;
    char title[160];
    plvpor(0.12, 0.97, y0, y1);
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
        snprintf(title, sizeof title, "Spikes of layer 0 (%d neurons), %s: %.1f Hz", N,
                 f->epochs ? "the same test sample" : "sequence 0 of the last iteration", rate);
        axes("n", "time (ms)", "neuron", title);
        plcol0(COL_FG);
        plssym(0, (N > 200 ? 0.4 : 0.6) * text_scale);
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

/* Viewport of panel i of n (from the top): 500-pixel slots, 90 px below the axes for the
 * x label and 75 px above them for the title. */
static void panel_accuracy(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1);
static void panel_confusion(const cli_figure *f, PLFLT y0, PLFLT y1);

static void slot(int i, int n, PLFLT *y0, PLFLT *y1)
{
    const double H = 500.0 * n, top = H - 500.0 * i;
    *y0 = (top - 500.0 + 90.0) / H;
    *y1 = (top - 75.0) / H;
}

int cli_plot_figure(const cli_figure *f)
{
    char tmp[CLI_PATH];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.png", f->path);
    if (w < 0 || (size_t)w >= sizeof tmp) return cli_fail(CLI_EUSAGE, "path too long: %s", f->path);
    const int fid = f->n_fid > 0 && f->fid_cos, lev = f->copy && f->level, outr = f->n_outl > 0 && f->out_spikes && f->target_spikes;
    const int accp = f->train_acc && f->val_acc && f->n_iter > 0, confp = f->conf && f->n_classes > 1;
    const int n_panels = 2 + fid + lev + outr + (f->layer0_panel != 0) + accp + confp;
    n_panels_cur = n_panels;
    size_t nbuf = 2 * (size_t)(f->T > f->n_iter ? f->T : f->n_iter);
    PLFLT *buf = cli_array(sizeof *buf, 1, nbuf);
    if (!buf) return cli_fail(CLI_ERUN, "out of memory drawing %s", f->path);
    cli_plot_open(tmp, 1200, 500 * n_panels, palette_rgb, 16);
    /* pngcairo scales text with the page height: keep it the size of a 3-panel (1500 px) page */
    text_scale = 3.0 / n_panels;
    plschr(0, 0.75 * text_scale);
    int p = 0, rc = CLI_OK;
    PLFLT y0, y1;
    slot(p++, n_panels, &y0, &y1);
    panel_loss(f, buf, y0, y1);
    if (fid) {
        slot(p++, n_panels, &y0, &y1);
        panel_fidelity(f, buf, y0, y1);
    }
    if (lev) {
        slot(p++, n_panels, &y0, &y1);
        panel_level(f, buf, y0, y1);
    }
    if (accp) {
        slot(p++, n_panels, &y0, &y1);
        panel_accuracy(f, buf, y0, y1);
    }
    slot(p++, n_panels, &y0, &y1);
    panel_readout(f, buf, y0, y1);
    if (outr) {
        slot(p++, n_panels, &y0, &y1);
        panel_output_raster(f, y0, y1);
    }
    if (f->layer0_panel) {
        slot(p++, n_panels, &y0, &y1);
        rc = panel_raster(f, buf, y0, y1);
    }
    if (confp && !rc) {
        slot(p++, n_panels, &y0, &y1);
        panel_confusion(f, y0, y1);
    }
    free(buf);
    return cli_plot_close(tmp, f->path, rc);
}

/* ------------------------------------------------------------------ classification panels */

/* Training and validation accuracy per epoch (classification runs in epochs). */
static void panel_accuracy(const cli_figure *f, PLFLT *buf, PLFLT y0, PLFLT y1)
{
    const int n = f->n_iter;
    PLFLT *x = buf, *y = buf + n;
    plvpor(0.08, 0.97, y0, y1);
    plwind(n > 1 ? 1 : 0.5, n > 1 ? n : 1.5, 0, 100);
    axes("", "epoch", "accuracy (%)", "accuracy per epoch");
    const char *text[2] = {"training (running, while learning)", "validation"};
    const PLINT kinds[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE}, colors[2] = {COL_FIRST, COL_FIRST + 1}, styles[2] = {1, 1};
    const double *v[2] = {f->train_acc, f->val_acc};
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < n; i++) x[i] = i + 1, y[i] = 100 * v[s][i];
        plcol0(colors[s]);
        plwidth(2.0);
        if (n > 1) plline(n, x, y);
        plpoin(n, x, y, 17);
    }
    plwidth(1.0);
    legend_at(PL_POSITION_BOTTOM | PL_POSITION_RIGHT, 2, text, kinds, colors, styles);
}

/* Confusion matrix of the test split as a heat map: cell (true, predicted) shaded by the
 * fraction of the true class's samples; counts written in the cells when there is room. */
static void panel_confusion(const cli_figure *f, PLFLT y0, PLFLT y1)
{
    const int K = f->n_classes;
    /* a square plot area: the panel is 1200 x 500 px */
    const PLFLT h = y1 - y0, wfrac = h * 500.0 * n_panels_cur / 1200.0;
    plvpor(0.5 - wfrac / 2, 0.5 + wfrac / 2, y0, y1);
    plwind(-0.5, K - 0.5, K - 0.5, -0.5);
    PLINT r[2] = {255, 0}, g[2] = {255, 90}, b[2] = {255, 160};
    plscmap1n(256);
    plscmap1(r, g, b, 2);
    long total = 0, right = 0;
    for (int a = 0; a < K; a++) {
        long row = 0;
        for (int k = 0; k < K; k++) row += f->conf[(size_t)a * K + k];
        total += row;
        right += f->conf[(size_t)a * K + a];
        for (int k = 0; k < K; k++) {
            long c = f->conf[(size_t)a * K + k];
            PLFLT frac = row ? (PLFLT)c / row : 0;
            PLFLT xs[4] = {k - 0.5, k + 0.5, k + 0.5, k - 0.5}, ys[4] = {a - 0.5, a - 0.5, a + 0.5, a + 0.5};
            plcol1(frac);
            plfill(4, xs, ys);
            if (K <= 12 && c) {
                char s[24];
                snprintf(s, sizeof s, "%ld", c);
                plcol0(frac > 0.5 ? COL_BG : COL_FG);
                plschr(0, (K <= 10 ? 0.6 : 0.45) * text_scale);
                plptex(k, a + 0.15, 1, 0, 0.5, s);
                plschr(0, 0.75 * text_scale);
            }
        }
    }
    plcol0(COL_FG);
    plbox("bcnt", K > 12 ? 5 : 1, 0, "bcnt", K > 12 ? 5 : 1, 0);
    char title[96];
    snprintf(title, sizeof title, "test confusion (rows: true class; %.1f %% of %ld correct)", total ? 100.0 * right / total : 0.0, total);
    pllab("predicted class", "true class", title);
}

/* ------------------------------------------------------------------ the suite figure */

/* A legend right of the plot area (the suite's panels leave room for it). */
static void legend_outside(int n, const char **text, const PLINT *kinds, const PLINT *colors, const PLINT *styles)
{
    PLINT opt[12], tcol[12], bpat[12], sym_col[12], sym_num[12];
    PLFLT bscale[12], bw[12], lw[12], sym_scale[12];
    const char *sym[12];
    if (n > 12) n = 12;
    for (int i = 0; i < n; i++) {
        opt[i] = kinds[i], tcol[i] = COL_FG, bpat[i] = 0, bscale[i] = 1.0, bw[i] = 1.0, lw[i] = 2.0;
        sym_col[i] = colors[i], sym_num[i] = 1, sym_scale[i] = 1.0, sym[i] = "";
    }
    PLFLT w, h;
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE,
             0.01, 0.0, 0.06, COL_BG, COL_FG, 1, 0, 0, n, opt, 1.0, 0.7 * text_scale, 1.8, 0.0, tcol, text, colors, bpat, bscale,
             bw, colors, styles, lw, sym_col, sym_scale, sym_num, sym);
}

static int suite_colour(int j) { return COL_FIRST + j % (N_COL - COL_FIRST + 1); }

int cli_plot_suite(const cli_suite_figure *f)
{
    char tmp[CLI_PATH];
    int w = snprintf(tmp, sizeof tmp, "%s.tmp.png", f->path);
    if (w < 0 || (size_t)w >= sizeof tmp) return cli_fail(CLI_EUSAGE, "path too long: %s", f->path);
    const int nb = f->n_bench, nr = f->n_rule, n_panels = 3;
    cli_plot_open(tmp, 1200, 1500, palette_rgb, 16);
    text_scale = 1.0;
    plschr(0, 0.75);
    PLFLT y0, y1;
    const char *text[12];
    PLINT kinds[12], colors[12], styles[12];
    for (int j = 0; j < nr && j < 12; j++) text[j] = f->rule[j], kinds[j] = PL_LEGEND_COLOR_BOX, colors[j] = suite_colour(j), styles[j] = 1;
    const PLFLT bw = 0.8 / nr;
    for (int p = 0; p < 2; p++) {
        /* p 0: accuracy with the seed spread; p 1: seconds per run (log) */
        slot(p, n_panels, &y0, &y1);
        plvpor(0.11, 0.80, y0, y1);
        PLFLT lo = 0, hi = 100;
        if (p == 1) {
            lo = INFINITY, hi = -INFINITY;
            for (int i = 0; i < nb * nr; i++)
                if (isfinite(f->seconds[i]) && f->seconds[i] > 0) {
                    lo = fmin(lo, log10(f->seconds[i]));
                    hi = fmax(hi, log10(f->seconds[i]));
                }
            if (!isfinite(lo)) lo = 0, hi = 1;
            lo = floor(lo), hi = ceil(hi + 1e-9);
        }
        plwind(-0.5, nb - 0.5, lo, hi);
        plcol0(COL_FG);
        plbox("bc", 0, 0, p ? "bc" : "bcnstv", 0, 0);
        if (p) log_axis(-0.5, nb - 0.5, lo, hi);
        for (int i = 0; i < nb; i++) plmtex("b", 1.5, (i + 0.5) / nb, 0.5, f->bench[i]);
        char title[96];
        if (p == 0) snprintf(title, sizeof title, "test accuracy, mean and spread over %d seed%s", f->seeds, f->seeds > 1 ? "s" : "");
        else snprintf(title, sizeof title, "wall seconds per run (one core each)");
        pllab("", p ? "seconds" : "test accuracy (%)", title);
        for (int i = 0; i < nb; i++)
            for (int j = 0; j < nr; j++) {
                double v = p ? f->seconds[i * nr + j] : f->acc_mean[i * nr + j];
                if (!isfinite(v) || (p && v <= 0)) continue;
                if (p) v = log10(v);
                PLFLT x0 = i - 0.4 + j * bw, xs[4] = {x0, x0 + bw * 0.9, x0 + bw * 0.9, x0}, ys[4] = {lo, lo, v, v};
                plcol0(suite_colour(j));
                plfill(4, xs, ys);
                if (!p && f->seeds > 1 && isfinite(f->acc_std[i * nr + j])) {
                    PLFLT xc = x0 + bw * 0.45, ya = v - f->acc_std[i * nr + j], yb = v + f->acc_std[i * nr + j];
                    plcol0(COL_FG);
                    plerry(1, &xc, &ya, &yb);
                }
            }
        if (p == 0) legend_outside(nr, text, kinds, colors, styles);
    }
    /* p 2: learner memory against T, log-log */
    slot(2, n_panels, &y0, &y1);
    plvpor(0.11, 0.80, y0, y1);
    PLFLT lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < nr * f->n_T; i++)
        if (isfinite(f->mem[i]) && f->mem[i] > 0) lo = fmin(lo, log10(f->mem[i])), hi = fmax(hi, log10(f->mem[i]));
    if (!isfinite(lo)) lo = 0, hi = 1;
    lo = floor(lo), hi = ceil(hi + 1e-9);
    PLFLT xl = log10(f->T[0]), xh = log10(f->T[f->n_T - 1]);
    plwind(xl - 0.05, xh + 0.05, lo, hi);
    plcol0(COL_FG);
    plbox("bcnstl", 0, 0, "bc", 0, 0);
    log_axis(xl - 0.05, xh + 0.05, lo, hi);
    pllab("sequence length T (steps)", "", "learner bytes against T (Fashion-MNIST network, batch 32)");
    for (int j = 0; j < nr; j++) {
        PLFLT x[16], y[16];
        int n = 0;
        for (int k = 0; k < f->n_T && k < 16; k++)
            if (isfinite(f->mem[j * f->n_T + k]) && f->mem[j * f->n_T + k] > 0) x[n] = log10(f->T[k]), y[n++] = log10(f->mem[j * f->n_T + k]);
        plcol0(suite_colour(j));
        plwidth(2.0);
        if (n > 1) plline(n, x, y);
        plpoin(n, x, y, 17);
        plwidth(1.0);
    }
    for (int j = 0; j < nr && j < 12; j++) kinds[j] = PL_LEGEND_LINE;
    legend_outside(nr, text, kinds, colors, styles);
    return cli_plot_close(tmp, f->path, CLI_OK);
}
