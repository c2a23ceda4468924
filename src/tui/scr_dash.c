/* scr_dash.c: the manager dashboard: KPI tiles (return rate, predicted
 * returns this week, and the simulated pilot's returns avoided, net
 * saving, ROI and uptake with their intervals), the pilot's view (both
 * arms' return rate week by week with intervals, uptake by nudge, resale
 * recovered, or what is missing in words), terminal charts (weekly return
 * rate, risk histogram, top regret drivers, return reasons, the funnel of
 * real use) and the riskiest products, with filters by category, channel
 * and period. The figures are computed by
 * report_dashboard on a worker thread with its own store connection, so a
 * large store never freezes the screen. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "trendguard/report.h"
#include "trendguard/worker.h"
#include "ui.h"

static const int periods[] = {90, 30, 7, 0};

/* The rows of the dashboard's parts, top to bottom (the products add one
 * row each). */
enum { KPI_ROWS = 3, CHART_ROWS = 5, DRIVER_LINES = 5, FUNNEL_ROWS = 6,
       PRODUCT_HEAD = 3, NOTE_ROWS = 3 };
#define N_PERIODS (int)(sizeof periods / sizeof *periods)

static struct {
    tg_report_filter filter;
    int period;              /* index into periods */
    int scroll;
    /* the figures on screen */
    tg_dashboard *shown;
    int have;
    char problem[300];
    /* the refresh running on the worker */
    tg_worker *worker;
    char db[4096];
    tg_report_filter wanted;
    tg_dashboard *next;
    int rc;
    tg_err err;
    double started;
} st;

static void init(session *s)
{
    (void)s;
    memset(&st, 0, sizeof st);
    st.filter.category = -1;
    st.filter.channel = -1;
}

static void fini(void)
{
    worker_join(st.worker);
    free(st.shown);
    free(st.next);
    memset(&st, 0, sizeof st);
}

/* On the worker: the figures from a connection of its own. */
static void compute(void *arg)
{
    (void)arg;
    tg_store *s = store_open(st.db, STORE_READONLY | STORE_MAPPED, &st.err);
    st.rc = s ? report_dashboard(s, &st.wanted, st.next, &st.err)
              : st.err.code;
    store_close(s);
}

static void figures_refresh(session *s)
{
    if (st.worker)
        return; /* the new filter is picked up when this one lands */
    if (!st.next && !(st.next = calloc(1, sizeof *st.next)))
        return;
    tg_strlcpy(st.db, s->opts->db, sizeof st.db);
    st.wanted = st.filter;
    st.wanted.period_days = periods[st.period];
    memset(&st.err, 0, sizeof st.err);
    st.started = tg_now_mono();
    tg_err err = {0};
    if (!(st.worker = worker_start(compute, NULL, &err)))
        tg_strlcpy(st.problem, err.msg, sizeof st.problem);
    s->dirty = 1;
}

static int fd(void)
{
    return st.worker ? worker_fd(st.worker) : -1;
}

/* Takes a finished refresh. */
static void tick(session *s)
{
    if (!st.worker || !worker_done(st.worker))
        return;
    worker_join(st.worker);
    st.worker = NULL;
    if (st.rc == TG_OK) {
        tg_dashboard *t = st.shown;
        st.shown = st.next;
        st.next = t;
        st.have = 1;
        st.problem[0] = 0;
    } else {
        tg_strlcpy(st.problem, st.err.msg, sizeof st.problem);
    }
    uilog_addf(s->log, "dashboard", "dashboard", "%.0f ms rc=%d",
               (tg_now_mono() - st.started) * 1000, st.rc);
    /* The filter changed while it ran: once more. */
    if (st.wanted.category != st.filter.category ||
        st.wanted.channel != st.filter.channel ||
        st.wanted.period_days != periods[st.period])
        figures_refresh(s);
    s->dirty = 1;
}

static void enter(session *s, int64_t id)
{
    (void)id;
    figures_refresh(s);
}

/* ---- drawing: a view that scrolls ------------------------------------------ */

typedef struct view {
    WINDOW *w;
    int top, rows, cols, scroll;
} view;

/* The screen row of virtual row y, or -1 when it is scrolled out. */
static int row(const view *v, int y)
{
    int r = v->top + y - v->scroll;
    return r >= v->top && r < v->top + v->rows ? r : -1;
}

static void tile(const view *v, int y, int x, int w, const char *label,
                 const char *value, const char *sub, int el)
{
    int r;
    if ((r = row(v, y)) >= 0) {
        wattron(v->w, theme_attr(EL_DIM));
        ui_put(v->w, r, x, w, label);
        wattroff(v->w, theme_attr(EL_DIM));
    }
    if ((r = row(v, y + 1)) >= 0) {
        wattron(v->w, theme_attr(el) | A_BOLD);
        ui_put(v->w, r, x, w, value);
        wattroff(v->w, theme_attr(el) | A_BOLD);
    }
    if ((r = row(v, y + 2)) >= 0)
        ui_put(v->w, r, x, w, sub);
}

static void pct(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%", v * 100);
}

static void heading(const view *v, int y, int x, int w, const char *t);

/* Text word-wrapped into at most max rows of width w from virtual row y:
 * whole when every row shows, else its first row cut to the width. */
static void words(const view *v, int y, int x, int w, int max,
                  const char *text)
{
    int r = row(v, y);
    wattron(v->w, theme_attr(EL_DIM));
    if (r >= 0 && row(v, y + max - 1) >= 0)
        ui_wrap(v->w, r, x, w, max, text);
    else if (r >= 0)
        ui_put(v->w, r, x, w, text);
    wattroff(v->w, theme_attr(EL_DIM));
}
static void hbar(const view *v, int y, int x, int w, const char *label,
                 double frac, const char *value);

/* A tile of a pilot's figure: its value, and its interval below. */
static void ci_tile(const session *s, const view *v, int y, int x, int w,
                    const char *label, const tg_ci *c, int money,
                    double scale, int places, const char *unit)
{
    char t[3][40], sub[96];
    report_ci_format(c, money ? &s->currency : NULL, s->ascii, scale,
                     places, unit, t);
    snprintf(sub, sizeof sub, "%s to %s", t[1], t[2]);
    if (ui_width(sub) > w && money) { /* whole units where it is narrow */
        tg_ci whole = {c->value, round(c->lo), round(c->hi)};
        report_ci_format(&whole, &s->currency, s->ascii, 1, 0, "", t);
        for (int k = 1; k < 3; k++) {
            size_t n = strlen(t[k]);
            if (n > 3 && strcmp(t[k] + n - 3, ".00") == 0)
                t[k][n - 3] = '\0';
        }
        snprintf(sub, sizeof sub, "%s to %s", t[1], t[2]);
    }
    /* Never "-101-9811": a bound's minus must not read as the dash. */
    if (ui_width(sub) > w)
        snprintf(sub, sizeof sub, "%s..%s", t[1], t[2]);
    if (ui_width(sub) > w && money) { /* thousands, as the value's unit */
        char k[3][40];
        report_ci_format(c, NULL, s->ascii, 0.001, 1, "k", k);
        snprintf(sub, sizeof sub, "%s..%s", k[1], k[2]);
    }
    if (isnan(c->lo))
        sub[0] = '\0';
    tile(v, y, x, w, label, t[0], sub,
         isnan(c->value) ? EL_DIM : c->value >= 0 ? EL_GOOD : EL_BAD);
}

/* The tiles, and a line saying which are the simulated pilot's and where
 * its assumptions are; the uptake is real use's. */
static int draw_kpis(const session *s, const view *v, int y,
                     const tg_dashboard *d)
{
    const tg_dash_kpis *k = &d->kpi;
    const tg_report_pilot *p = &d->pilot;
    int w = (v->cols - 2) / 6;
    char val[32], sub[64];
    int band; /* the rate's figure agrees with its band's colour */
    double rate = risk_figure(&s->catalog, k->return_rate, 1, &band);
    if (isnan(rate))
        snprintf(val, sizeof val, "-");
    else
        snprintf(val, sizeof val, "%.1f%%", rate);
    snprintf(sub, sizeof sub, k->matured ? "%ld lines" : "none matured",
             k->matured);
    tile(v, y, 1, w - 1, "Return rate", val, sub, theme_band(band));
    snprintf(val, sizeof val, k->scored_week ? "%.0f" : "-",
             k->predicted_week);
    /* The returns the model expects of the last 7 days' lines. */
    snprintf(sub, sizeof sub, k->scored_week ? "of %ld, 7 days" : "none scored",
             k->lines_week);
    if (ui_width(sub) > w - 1)
        snprintf(sub, sizeof sub, k->scored_week ? "of %ld" : "none scored",
                 k->lines_week);
    tile(v, y, 1 + w, w - 1, "Likely back", val, sub, EL_TITLE);
    ci_tile(s, v, y, 1 + 2 * w, w - 1, "Avoided*", &p->returns_avoided, 0,
            1, 1, "");
    ci_tile(s, v, y, 1 + 3 * w, w - 1, "Net saving*", &p->net_saving, 1, 1,
            0, "");
    ci_tile(s, v, y, 1 + 4 * w, w - 1, "ROI*", &p->roi, 0, 100, 0, "%");
    pct(k->acceptance_rate, val, sizeof val);
    snprintf(sub, sizeof sub, "%ld of %ld shown", d->funnel.accepted,
             d->funnel.shown);
    if (ui_width(sub) > w - 1)
        snprintf(sub, sizeof sub, "%ld shown", d->funnel.shown);
    tile(v, y, 1 + 5 * w, w - 1, "Real uptake", val, sub, EL_TITLE);
    int r = row(v, y + KPI_ROWS);
    if (r >= 0) {
        char line[600];
        if (!p->has)
            snprintf(line, sizeof line, "* simulated pilot: none in this "
                     "store (see below)");
        else
            snprintf(line, sizeof line, "* simulated pilot, %d weeks: %s",
                     p->weeks, report_pilot_assumptions);
        wattron(v->w, theme_attr(EL_DIM));
        ui_put(v->w, r, 1, v->cols - 2, line);
        wattroff(v->w, theme_attr(EL_DIM));
    }
    return KPI_ROWS + 1;
}

/* ---- the simulated pilot: both arms by week ------------------------------- */

/* An arm's rate, a whisker for its interval on a scale to top, and the
 * interval's ends: "33.8% --*-- 30-37%". */
static void arm_cell(const view *v, int r, int x, int w,
                     const tg_pilot_arm *a, double lo, double hi)
{
    if (!a->returns.n)
        return;
    ui_putf(v->w, r, x, 6, "%5.1f%%", 100 * a->returns.rate);
    int bw = w - 17;
    for (int i = 0; bw > 2 && i < bw; i++) {
        double at = lo + (i + 0.5) / bw * (hi - lo);
        const char *g = at >= a->returns.lo && at <= a->returns.hi
                            ? ui_glyphs->hline : " ";
        if ((int)((a->returns.rate - lo) / (hi - lo) * bw) == i)
            g = ui_glyphs->full;
        wattron(v->w, theme_attr(EL_CHART));
        mvwaddstr(v->w, r, x + 7 + i, g);
        wattroff(v->w, theme_attr(EL_CHART));
    }
    ui_putf(v->w, r, x + 8 + (bw > 2 ? bw : 0), 9, "%.0f-%.0f%%",
            100 * a->returns.lo, 100 * a->returns.hi);
}

/* The range the weeks' intervals span, so that their differences show. */
static void weeks_range(const tg_report_pilot *p, double *lo, double *hi)
{
    *lo = 1;
    *hi = 0;
    for (int i = 0; i < p->n_weeks; i++)
        for (int a = 0; a < 2; a++)
            if (p->week[i].arm[a].returns.n) {
                *lo = fmin(*lo, p->week[i].arm[a].returns.lo);
                *hi = fmax(*hi, p->week[i].arm[a].returns.hi);
            }
    if (*hi <= *lo)
        *lo = 0, *hi = 1;
}

/* The weeks of the pilot the period covers, oldest first, each arm's rate
 * with its interval and the returns avoided; a week with nothing settled
 * says why. */
static int draw_pilot_weeks(const view *v, int y, const tg_report_pilot *p)
{
    int cw = (v->cols - 24) / 2, r;
    double lo, hi;
    weeks_range(p, &lo, &hi);
    if ((r = row(v, y)) >= 0) {
        wattron(v->w, theme_attr(EL_DIM));
        ui_putf(v->w, r, 1, v->cols - 2, "%-12s%-*s%-*s%9s", "week of", cw,
                "control", cw, "treatment", "avoided");
        wattroff(v->w, theme_attr(EL_DIM));
    }
    int n = 0;
    for (int i = 0; i < p->n_weeks; i++) {
        const tg_pilot_period *wk = &p->week[i];
        if (!wk->arm[0].lines && !wk->arm[1].lines)
            continue;
        if ((r = row(v, y + 1 + n++)) < 0)
            continue;
        ui_put(v->w, r, 1, 11, wk->key);
        if (!wk->arm[0].returns.n && !wk->arm[1].returns.n) {
            wattron(v->w, theme_attr(EL_DIM));
            ui_putf(v->w, r, 13, v->cols - 14, "%ld lines, none settled: "
                    "the 30-day window is still open",
                    wk->arm[0].lines + wk->arm[1].lines);
            wattroff(v->w, theme_attr(EL_DIM));
            continue;
        }
        arm_cell(v, r, 13, cw, &wk->arm[0], lo, hi);
        arm_cell(v, r, 13 + cw, cw, &wk->arm[1], lo, hi);
        if (!isnan(wk->returns_avoided.value))
            ui_putf(v->w, r, 13 + 2 * cw, 9, "%9.1f",
                    wk->returns_avoided.value);
    }
    return 1 + n;
}

/* How many weeks draw_pilot_weeks lists. */
static int pilot_week_rows(const tg_report_pilot *p)
{
    int n = 0;
    for (int i = 0; i < p->n_weeks; i++)
        n += p->week[i].arm[0].lines || p->week[i].arm[1].lines;
    return n;
}

/* Uptake by nudge, and the pilot's other figures beside it. */
static int draw_pilot_more(const session *s, const view *v, int y,
                           const tg_report_pilot *p)
{
    int half = v->cols / 2, r;
    char title[96];
    long shown = 0, taken = 0;
    for (int i = 0; i < p->n_nudges; i++) {
        shown += p->nudge[i].uptake.n;
        taken += p->nudge[i].uptake.k;
    }
    snprintf(title, sizeof title, "Uptake, simulated: %ld of %ld", taken,
             shown);
    heading(v, y, 1, half - 2, title);
    int lines = p->n_nudges < DRIVER_LINES ? p->n_nudges : DRIVER_LINES;
    for (int i = 0; i < lines; i++) {
        char val[24];
        snprintf(val, sizeof val, "%3.0f%%", 100 * p->nudge[i].uptake.rate);
        hbar(v, y + 1 + i, 1, half - 2, p->nudge[i].id,
             p->nudge[i].uptake.rate, val);
    }
    heading(v, y, half + 1, half - 2, "Also simulated");
    char t[3][40], text[DRIVER_LINES][160];
    const tg_pilot_arm *c = &p->arm[0], *tr = &p->arm[1];
    report_ci_format(&p->resale_recovered, &s->currency, s->ascii, 1, 0, "",
                     t);
    snprintf(text[0], sizeof text[0], "resale recovered %s", t[0]);
    snprintf(text[1], sizeof text[1], "  95%% interval %s to %s", t[1], t[2]);
    report_ci_format(&p->satisfaction_change, NULL, 0, 1, 3, "", t);
    snprintf(text[2], sizeof text[2], "satisfaction %s (%s to %s)", t[0],
             t[1], t[2]);
    snprintf(text[3], sizeof text[3], "treated %.1f%%, as recorded %.1f%%",
             100 * tr->returns.rate, 100 * tr->recorded.rate);
    snprintf(text[4], sizeof text[4], "nudges %.1f pt, chance %.1f pt",
             100 * (tr->recorded.rate - tr->returns.rate),
             100 * (c->returns.rate - tr->recorded.rate));
    for (int i = 0; i < DRIVER_LINES; i++)
        if ((r = row(v, y + 1 + i)) >= 0)
            ui_put(v->w, r, half + 1, half - 2, text[i]);
    return DRIVER_LINES + 2;
}

/* The simulated pilot's view: its heading, what is missing in words, or
 * both arms by week and the rest. */
static int draw_pilot(const session *s, const view *v, int y,
                      const tg_dashboard *d)
{
    const tg_report_pilot *p = &d->pilot;
    char title[160];
    snprintf(title, sizeof title, "Simulated pilot: return rate by week, "
             "both arms (95%% interval)");
    heading(v, y, 1, v->cols - 2, title);
    if (!p->has || p->note[0]) {
        char text[500];
        snprintf(text, sizeof text, "%s.", p->note);
        words(v, y + 1, 1, v->cols - 2, NOTE_ROWS, text);
        return 2 + NOTE_ROWS;
    }
    int n = 1 + draw_pilot_weeks(v, y + 1, p) + 1;
    return n + draw_pilot_more(s, v, y + n, p);
}

/* The rows draw_pilot takes. */
static int pilot_rows(const tg_dashboard *d)
{
    const tg_report_pilot *p = &d->pilot;
    if (!p->has || p->note[0])
        return 2 + NOTE_ROWS;
    return 1 + 1 + pilot_week_rows(p) + 1 + DRIVER_LINES + 2;
}

/* Columns of block characters, h rows high, one per value (NaN blank). */
static void columns(const view *v, int y, int x, int h, const double *val,
                    int n, int width)
{
    double hi = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(val[i]) && val[i] > hi)
            hi = val[i];
    wattron(v->w, theme_attr(EL_CHART));
    for (int r = 0; r < h; r++) {
        int sr = row(v, y + r);
        if (sr < 0)
            continue;
        for (int i = 0; i < n; i++) {
            double e = hi > 0 && !isnan(val[i]) ? val[i] / hi * h * 8 : 0;
            double cell = e - (h - 1 - r) * 8;
            const char *g = " ";
            if (cell >= 8)
                g = ui_glyphs->full;
            else if (cell >= 1)
                g = ui_glyphs->spark[(int)cell - 1];
            for (int k = 0; k < width; k++)
                mvwaddstr(v->w, sr, x + i * width + k, g);
        }
    }
    wattroff(v->w, theme_attr(EL_CHART));
}

static void heading(const view *v, int y, int x, int w, const char *t)
{
    int r = row(v, y);
    if (r < 0)
        return;
    wattron(v->w, theme_attr(EL_HEADER));
    ui_put(v->w, r, x, w, t);
    wattroff(v->w, theme_attr(EL_HEADER));
}

static int draw_trends(const view *v, int y, const tg_dashboard *d)
{
    int half = v->cols / 2, h = CHART_ROWS;
    heading(v, y, 1, half - 2, "Weekly return rate");
    int n = d->n_weeks, fit = half - 10;
    if (n > fit)
        n = fit;
    double rates[TG_DASH_WEEKS], lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        rates[i] = d->week[d->n_weeks - n + i].rate;
        if (!isnan(rates[i]))
            lo = fmin(lo, rates[i]), hi = fmax(hi, rates[i]);
    }
    /* Columns over a floor just under the lowest week, so the weeks'
     * differences show; the axis labels say where the floor is. */
    double floor = hi >= lo ? lo - (hi - lo) * 0.25 - 0.005 : 0;
    if (floor < 0)
        floor = 0;
    double shown[TG_DASH_WEEKS];
    for (int i = 0; i < n; i++)
        shown[i] = isnan(rates[i]) ? NAN : rates[i] - floor;
    columns(v, y + 1, 8, h, shown, n, 1);
    int r;
    if ((r = row(v, y + 1)) >= 0 && hi >= lo)
        ui_putf(v->w, r, 1, 7, "%5.1f%%", hi * 100);
    if ((r = row(v, y + h)) >= 0 && hi >= lo)
        ui_putf(v->w, r, 1, 7, "%5.1f%%", floor * 100);
    if (!(hi >= lo)) { /* no week has a matured line: say why */
        char why[200];
        snprintf(why, sizeof why, "No line of these %d weeks has "
                 "matured: a line counts 30 days after its purchase.", n);
        words(v, y + 1, 8, fit, 4, why);
    }
    heading(v, y, half + 1, half - 2, "Risk histogram (newest scores)");
    double bins[TG_DASH_BINS];
    for (int i = 0; i < TG_DASH_BINS; i++)
        bins[i] = (double)d->risk_bins[i];
    columns(v, y + 1, half + 1, h, bins, TG_DASH_BINS, 3);
    if ((r = row(v, y + 1 + h)) >= 0) {
        wattron(v->w, theme_attr(EL_DIM));
        ui_put(v->w, r, half + 1, half - 2, "0%          50%        100%");
        if (d->scored == 0) {
            ui_blank(v->w, r, half + 1, half - 2);
            ui_put(v->w, r, half + 1, half - 2, "no scored lines yet");
        }
        wattroff(v->w, theme_attr(EL_DIM));
    }
    return h + 2;
}

static void hbar(const view *v, int y, int x, int w, const char *label,
                 double frac, const char *value)
{
    int r = row(v, y);
    if (r < 0)
        return;
    int lw = w / 2 - 1, bw = w - lw - 8;
    ui_put(v->w, r, x, lw, label);
    wattron(v->w, theme_attr(EL_CHART));
    ui_bar(v->w, r, x + lw + 1, bw, frac);
    wattroff(v->w, theme_attr(EL_CHART));
    ui_put(v->w, r, x + lw + 2 + bw, 7, value);
}

static int draw_drivers(const view *v, int y, const tg_dashboard *d)
{
    int half = v->cols / 2, lines = DRIVER_LINES;
    heading(v, y, 1, half - 2, "Top regret drivers");
    if (!d->n_drivers)
        words(v, y + 1, 1, half - 2, 3, "No line has a score here yet: the "
              "drivers are the model's reasons for its scores.");
    for (int i = 0; i < d->n_drivers && i < lines; i++) {
        char val[16];
        snprintf(val, sizeof val, "%3.0f%%", d->driver[i].share * 100);
        hbar(v, y + 1 + i, 1, half - 2, d->driver[i].label,
             d->driver[0].share > 0 ? d->driver[i].share / d->driver[0].share
                                    : 0, val);
    }
    heading(v, y, half + 1, half - 2, "Return reasons");
    long most = d->n_reasons ? d->reason[0].n : 0;
    for (int i = 0; i < d->n_reasons && i < lines; i++) {
        char val[16];
        snprintf(val, sizeof val, "%ld", d->reason[i].n);
        hbar(v, y + 1 + i, half + 1, half - 2,
             ui_reason_label(d->reason[i].reason),
             most ? (double)d->reason[i].n / (double)most : 0, val);
    }
    return lines + 2;
}

static int draw_funnel(const view *v, int y, const tg_dashboard *d)
{
    const tg_report_funnel *f = &d->funnel;
    char title[160];
    snprintf(title, sizeof title, "Intervention funnel, real use (the app "
             "and the queue): %ld of %ld shown accepted", f->accepted,
             f->shown);
    heading(v, y, 1, v->cols - 2, title);
    const struct {
        const char *label;
        long n;
    } steps[] = {{"queued", f->queued}, {"shown", f->shown},
                 {"accepted", f->accepted}, {"kept", f->kept}};
    for (int i = 0; i < 4; i++) {
        char val[24];
        snprintf(val, sizeof val, "%ld", steps[i].n);
        hbar(v, y + 1 + i, 1, v->cols - 2, steps[i].label,
             f->queued ? (double)steps[i].n / (double)f->queued : 0, val);
    }
    return FUNNEL_ROWS;
}

static int draw_products(const view *v, int y, const tg_dashboard *d)
{
    heading(v, y, 1, v->cols - 2, "Riskiest products");
    int r, namew = v->cols - 44;
    if ((r = row(v, y + 1)) >= 0) {
        wattron(v->w, theme_attr(EL_DIM));
        ui_putf(v->w, r, 1, v->cols - 2, "%-*s %-11s %6s %9s %9s", namew,
                "Product", "Category", "Lines", "Returned", "Mean risk");
        wattroff(v->w, theme_attr(EL_DIM));
    }
    for (int i = 0; i < d->n_products; i++) {
        if ((r = row(v, y + 2 + i)) < 0)
            continue;
        const tg_dash_product *p = &d->product[i];
        char rate[16], risk[16];
        pct(p->returns.rate, rate, sizeof rate);
        pct(p->mean_risk, risk, sizeof risk);
        ui_put(v->w, r, 1, namew, p->name);
        ui_putf(v->w, r, 2 + namew, v->cols - namew - 3, "%-11s %6ld %9s %9s",
                tg_category_names[p->category], p->lines, rate, risk);
    }
    return PRODUCT_HEAD + d->n_products;
}

static void draw_header(WINDOW *w, int top, int cols)
{
    char date[16] = "-";
    if (st.have && st.shown->data_end)
        tg_date_format(st.shown->data_end, date, sizeof date);
    char period[24];
    if (periods[st.period])
        snprintf(period, sizeof period, "last %d days", periods[st.period]);
    else
        snprintf(period, sizeof period, "all data");
    ui_putf(w, top, 1, cols - 2, "Category: %s   Channel: %s   Period: %s"
            "   (data to %s)%s",
            st.filter.category < 0 ? "all"
                                   : tg_category_names[st.filter.category],
            st.filter.channel < 0 ? "all"
                                  : tg_channel_names[st.filter.channel],
            period, date, st.worker ? "   updating..." : "");
    if (st.problem[0]) {
        wattron(w, theme_attr(EL_BAD));
        ui_put(w, top + 1, 1, cols - 2, st.problem);
        wattroff(w, theme_attr(EL_BAD));
    }
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    draw_header(w, top, cols);
    if (!st.have) {
        ui_put(w, top + 3, 2, cols - 4, "Computing the figures...");
        return;
    }
    /* Scrolled no further than the last row, before drawing. */
    int max_scroll = KPI_ROWS + 2 + pilot_rows(st.shown) + CHART_ROWS + 2 +
                     DRIVER_LINES + 2 + FUNNEL_ROWS + PRODUCT_HEAD +
                     st.shown->n_products - (rows - 1);
    if (st.scroll > max_scroll)
        st.scroll = max_scroll > 0 ? max_scroll : 0;
    view v = {w, top + 1, rows - 1, cols, st.scroll};
    int y = 0;
    y += draw_kpis(s, &v, y, st.shown) + 1;
    y += draw_pilot(s, &v, y, st.shown);
    y += draw_trends(&v, y, st.shown);
    y += draw_drivers(&v, y, st.shown);
    y += draw_funnel(&v, y, st.shown);
    y += draw_products(&v, y, st.shown);
    /* Arrows in the right margin say there is more above or below. */
    if (st.scroll > 0)
        mvwaddstr(w, v.top, cols - 1, ui_glyphs->up);
    if (st.scroll < max_scroll)
        mvwaddstr(w, v.top + v.rows - 1, cols - 1, ui_glyphs->down);
}

/* Scrolling keys; 0 when the action is none. */
static int scroll_key(int act)
{
    switch (act) {
    case ACT_UP: st.scroll = st.scroll > 0 ? st.scroll - 1 : 0; return 1;
    case ACT_DOWN: st.scroll++; return 1;
    case ACT_PAGE_UP: st.scroll = st.scroll > 10 ? st.scroll - 10 : 0;
        return 1;
    case ACT_PAGE_DOWN: st.scroll += 10; return 1;
    case ACT_HOME: st.scroll = 0; return 1;
    default: return 0;
    }
}

static scr_result key(session *s, const scr_key *k)
{
    if (scroll_key(k->act))
        return scr_handled(1);
    switch (k->act) {
    case ACT_CATEGORY:
        st.filter.category = st.filter.category + 1 >= TG_NUM_CATEGORIES
                                 ? -1 : st.filter.category + 1;
        break;
    case ACT_CHANNEL:
        st.filter.channel = st.filter.channel + 1 >= TG_NUM_CHANNELS
                                ? -1 : st.filter.channel + 1;
        break;
    case ACT_PERIOD:
        st.period = (st.period + 1) % N_PERIODS;
        break;
    case ACT_CLEAR:
        st.filter.category = st.filter.channel = -1;
        st.period = 0;
        break;
    default:
        return scr_handled(0);
    }
    session_event(s, "filter", "category=%d channel=%d period=%d",
                  st.filter.category, st.filter.channel, periods[st.period]);
    figures_refresh(s);
    return scr_handled(1);
}

static int hints(const session *s, scr_hint *out)
{
    (void)s;
    int n = 0;
    scr_hint_add(out, &n, ACT_CATEGORY, "category");
    scr_hint_add(out, &n, ACT_CHANNEL, "channel");
    scr_hint_add(out, &n, ACT_PERIOD, "period");
    if (st.filter.category >= 0 || st.filter.channel >= 0 || st.period)
        scr_hint_add(out, &n, ACT_CLEAR, "clear");
    scr_hint_add(out, &n, ACT_UP, "scroll");
    scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_HELP, "help");
    return n;
}

const screen scr_dash = {
    "dashboard", "Dashboard", hints,
    init, fini, enter, NULL, draw, key, fd, tick};
