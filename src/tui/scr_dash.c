/* scr_dash.c: the manager dashboard: KPI tiles (return rate, predicted
 * returns this week, returns avoided, money saved, ROI, nudge acceptance),
 * terminal charts (weekly return rate, risk histogram, top regret drivers,
 * return reasons, the intervention funnel) and the riskiest products, with
 * filters by category, channel and period. The figures are computed by
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
       PRODUCT_HEAD = 3 };
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
    tg_store *s = store_open(st.db, STORE_READONLY, &st.err);
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

static int draw_kpis(const session *s, const view *v, int y,
                     const tg_dashboard *d)
{
    const tg_dash_kpis *k = &d->kpi;
    int w = (v->cols - 2) / 6;
    char val[32], sub[64];
    int band; /* the rate's figure agrees with its band's colour */
    double rate = risk_figure(&s->catalog, k->return_rate, 1, &band);
    if (isnan(rate))
        snprintf(val, sizeof val, "-");
    else
        snprintf(val, sizeof val, "%.1f%%", rate);
    snprintf(sub, sizeof sub, "%ld lines", k->matured);
    tile(v, y, 1, w - 1, "Return rate", val, sub, theme_band(band));
    snprintf(val, sizeof val, "%.0f", k->predicted_week);
    snprintf(sub, sizeof sub, "of %ld/week", k->lines_week);
    tile(v, y, 1 + w, w - 1, "Due back", val, sub, EL_TITLE);
    snprintf(val, sizeof val, "%.1f", d->value.returns_avoided);
    tile(v, y, 1 + 2 * w, w - 1, "Avoided", val, "returns",
         d->value.returns_avoided >= 0 ? EL_GOOD : EL_BAD);
    ui_money(s, d->value.saved, val, sizeof val);
    tile(v, y, 1 + 3 * w, w - 1, "Saved", val, "net",
         d->value.saved >= 0 ? EL_GOOD : EL_BAD);
    if (isnan(d->value.roi))
        snprintf(val, sizeof val, "-");
    else
        snprintf(val, sizeof val, "%.0f%%", d->value.roi * 100);
    tile(v, y, 1 + 4 * w, w - 1, "ROI", val, "on offers",
         isnan(d->value.roi) || d->value.roi >= 0 ? EL_GOOD : EL_BAD);
    pct(k->acceptance_rate, val, sizeof val);
    snprintf(sub, sizeof sub, "%ld of %ld shown", d->funnel.accepted,
             d->funnel.shown);
    if (ui_width(sub) > w - 1)
        snprintf(sub, sizeof sub, "%ld shown", d->funnel.shown);
    tile(v, y, 1 + 5 * w, w - 1, "Uptake", val, sub, EL_TITLE);
    return KPI_ROWS;
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
    if ((r = row(v, y + h)) >= 0 && n == 0)
        ui_put(v->w, r, 8, fit, "no matured weeks yet");
    heading(v, y, half + 1, half - 2, "Risk histogram (newest scores)");
    double bins[TG_DASH_BINS];
    for (int i = 0; i < TG_DASH_BINS; i++)
        bins[i] = (double)d->risk_bins[i];
    columns(v, y + 1, half + 1, h, bins, TG_DASH_BINS, 3);
    if ((r = row(v, y + 1 + h)) >= 0) {
        wattron(v->w, theme_attr(EL_DIM));
        ui_put(v->w, r, half + 1, half - 2, "0%          50%        100%");
        if (d->scored == 0)
            ui_put(v->w, r, half + 1, half - 2, "no scored lines yet");
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
    heading(v, y, 1, v->cols - 2, "Intervention funnel");
    const tg_report_funnel *f = &d->funnel;
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
    int max_scroll = KPI_ROWS + 1 + CHART_ROWS + 2 + DRIVER_LINES + 2 +
                     FUNNEL_ROWS + PRODUCT_HEAD + st.shown->n_products -
                     (rows - 1);
    if (st.scroll > max_scroll)
        st.scroll = max_scroll > 0 ? max_scroll : 0;
    view v = {w, top + 1, rows - 1, cols, st.scroll};
    int y = 0;
    y += draw_kpis(s, &v, y, st.shown) + 1;
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
