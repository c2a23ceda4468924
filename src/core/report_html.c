/* report_html.c: `trendguard report --html FILE`: the report as one
 * self-contained page: inline CSS, KPI tiles, inline SVG bar charts with
 * 95% interval whiskers, tables, and, when `simulate --sweep` kept one in
 * the store, the sweep's tornado chart; no scripts and nothing fetched.
 * Every text that comes from the store (hashtags, nudge ids, the store's
 * name, assumption names, notes) is escaped. */
#include "trendguard/report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growing string ------------------------------------------------------ */

typedef struct sb {
    char *s;
    size_t n, cap;
    int oom;
} sb;

static void sb_put(sb *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 16384;
        while (b->n + n + 1 > nc)
            nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static void sb_str(sb *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_printf(sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(sb *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof buf) {
        sb_put(b, buf, (size_t)n);
    } else if (n > 0) {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, again);
            sb_put(b, big, (size_t)n);
        }
        b->oom |= !big;
        free(big);
    }
    va_end(again);
}

/* Text as HTML character data or an attribute value. */
static void sb_esc(sb *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_str(b, "&amp;"); break;
        case '<': sb_str(b, "&lt;"); break;
        case '>': sb_str(b, "&gt;"); break;
        case '"': sb_str(b, "&quot;"); break;
        case '\'': sb_str(b, "&#39;"); break;
        default: sb_put(b, s, 1); break;
        }
    }
}

static void sb_pct(sb *b, double v)
{
    if (isnan(v))
        sb_str(b, "&ndash;");
    else
        sb_printf(b, "%.1f%%", 100 * v);
}

static void sb_money(sb *b, double v, const tg_currency *c)
{
    char buf[48];
    if (isnan(v))
        sb_str(b, "&ndash;");
    else
        sb_str(b, money_format(v, c, 0, buf, sizeof buf));
}

/* ---- charts ---------------------------------------------------------------- */

typedef struct bar_item {
    const char *label;  /* from the store or static; escaped here */
    double value;       /* NaN: no bar */
    double lo, hi;      /* whisker (NaN: none) */
    char note[48];      /* after the bar: "31.2% of 1234" */
} bar_item;

enum { CH_W = 680, CH_LABEL = 190, CH_BAR = 330, CH_ROW = 22 };

/* Horizontal bars scaled to top, with whiskers. */
static void svg_hbars(sb *b, const char *title, const bar_item *it, int n,
                      double top)
{
    int h = n * CH_ROW + 8;
    sb_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
              "height=\"%d\" role=\"img\" aria-label=\"", CH_W, h, CH_W, h);
    sb_esc(b, title);
    sb_str(b, "\">");
    for (int i = 0; i < n; i++) {
        int y = 4 + i * CH_ROW;
        sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lab\">", CH_LABEL - 8,
                  y + 15);
        sb_esc(b, it[i].label);
        sb_str(b, "</text>");
        double w = top > 0 && it[i].value > 0
                       ? fmin(it[i].value / top, 1) * CH_BAR : 0;
        sb_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                  "class=\"bar\"/>", CH_LABEL, y + 3, w, CH_ROW - 6);
        if (!isnan(it[i].lo) && top > 0) {
            double x0 = CH_LABEL + fmin(it[i].lo / top, 1) * CH_BAR;
            double x1 = CH_LABEL + fmin(it[i].hi / top, 1) * CH_BAR;
            sb_printf(b, "<path d=\"M%.1f %dH%.1fM%.1f %dV%dM%.1f %dV%d\" "
                      "class=\"ci\"/>", x0, y + 11, x1, x0, y + 6, y + 16, x1,
                      y + 6, y + 16);
        }
        sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\">",
                  CH_LABEL + CH_BAR + 8, y + 15);
        sb_esc(b, it[i].note);
        sb_str(b, "</text>");
    }
    sb_str(b, "</svg>\n");
}

static void rate_item(bar_item *it, const char *label, const tg_rate *r)
{
    it->label = label;
    it->value = r->rate;
    it->lo = r->lo;
    it->hi = r->hi;
    snprintf(it->note, sizeof it->note, "%.1f%% of %ld", 100 * r->rate,
             r->n);
}

static void bucket_chart(sb *b, const char *title, const tg_report_bucket *bk,
                         int n, double top)
{
    bar_item it[TG_REPORT_MAX_BUCKETS];
    for (int i = 0; i < n; i++)
        rate_item(&it[i], bk[i].label, &bk[i].r);
    svg_hbars(b, title, it, n, top);
}

/* Vertical columns around a zero line, for money per month. */
static void svg_columns(sb *b, const char *title, const char *const *labels,
                        const double *v, int n)
{
    double top = 0;
    for (int i = 0; i < n; i++)
        top = fmax(top, fabs(v[i]));
    const int h = 180, mid = 90, colw = n ? (CH_W - 40) / n : 0;
    sb_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
              "height=\"%d\" role=\"img\" aria-label=\"", CH_W, h + 20, CH_W,
              h + 20);
    sb_esc(b, title);
    sb_printf(b, "\"><path d=\"M20 %dH%d\" class=\"axis\"/>", mid, CH_W - 20);
    for (int i = 0; i < n; i++) {
        double len = top > 0 ? fabs(v[i]) / top * (mid - 20) : 0;
        double y = v[i] >= 0 ? mid - len : mid;
        int x = 20 + i * colw;
        sb_printf(b, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\""
                  " class=\"%s\"/>", x + 4, y, colw - 8, len,
                  v[i] >= 0 ? "bar" : "neg");
        sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"mid\">", x + colw / 2,
                  h + 14);
        sb_esc(b, labels[i]);
        sb_printf(b, "</text><text x=\"%d\" y=\"%.1f\" class=\"mid\">"
                  "%.0f</text>", x + colw / 2,
                  v[i] >= 0 ? y - 4 : y + len + 12, v[i]);
    }
    sb_str(b, "</svg>\n");
}

/* ---- the page ----------------------------------------------------------------- */

static const char CSS[] =
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
    "margin:0 auto;max-width:1100px;padding:24px;color:#1d2330;"
    "background:#f7f7fa}"
    "h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;"
    "border-bottom:2px solid #e3e4ea;padding-bottom:4px}"
    "h3{font-size:15px;margin:18px 0 4px}.sub{color:#5b6272;margin:0}"
    ".tiles{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0}"
    ".tile{background:#fff;border-radius:10px;padding:12px 16px;"
    "min-width:150px;flex:1;box-shadow:0 1px 3px rgba(0,0,0,.08)}"
    ".tile b{display:block;font-size:24px}.tile span{color:#5b6272;"
    "font-size:13px}"
    ".card{background:#fff;border-radius:10px;padding:8px 16px 12px;"
    "margin:12px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(480px,1fr));gap:0 16px}"
    "svg.chart{max-width:100%;height:auto;display:block}"
    "svg text{font-size:12px;fill:#1d2330}.lab{text-anchor:end}"
    ".mid{text-anchor:middle}.val{fill:#5b6272}"
    ".bar{fill:#d9534f}.neg{fill:#5b8def}.ci{stroke:#1d2330;"
    "stroke-width:1.2;fill:none}.axis{stroke:#9aa0ad;fill:none}"
    ".funnel .bar{fill:#5b8def}.base{stroke:#1d2330;stroke-dasharray:4 3}"
    ".mark{fill:#9aa0ad}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{padding:4px 8px;text-align:right;border-bottom:1px solid #eceef2}"
    "th:first-child,td:first-child{text-align:left}"
    ".tile small{font-size:13px;font-weight:normal;color:#5b6272}"
    ".note{color:#5b6272;font-size:13px}";

static void tile(sb *b, const char *value_html, const char *what)
{
    sb_str(b, "<div class=\"tile\"><b>");
    sb_str(b, value_html);
    sb_str(b, "</b><span>");
    sb_esc(b, what);
    sb_str(b, "</span></div>\n");
}

/* A figure with its interval as a tile's value: "260.8 <small>108.1 to
 * 429.9</small>"; money in the store's currency when c is given, else
 * times scale with `places` decimals. */
static void ci_html(const tg_ci *v, const tg_currency *c, double scale,
                    int places, const char *unit, char *buf, size_t n)
{
    char t[3][40];
    report_ci_format(v, c, 0, scale, places, unit, t);
    if (isnan(v->value))
        snprintf(buf, n, "&ndash;");
    else
        snprintf(buf, n, "%s <small>%s to %s</small>", t[0], t[1], t[2]);
}

static void tiles(sb *b, const tg_report *r)
{
    const tg_report_pilot *p = &r->overview.pilot;
    char buf[200];
    sb_str(b, "<div class=\"tiles\">\n");
    snprintf(buf, sizeof buf, "%ld", r->overall.n);
    tile(b, buf, "matured lines (30-day window closed)");
    if (isnan(r->overall.rate))
        snprintf(buf, sizeof buf, "&ndash;");
    else
        snprintf(buf, sizeof buf, "%.1f%%", 100 * r->overall.rate);
    tile(b, buf, "of them returned");
    snprintf(buf, sizeof buf, "%.1f", r->overview.kpi.predicted_week);
    tile(b, buf, "returns the model expects from this week's lines");
    ci_html(&p->returns_avoided, NULL, 1, 1, "", buf, sizeof buf);
    tile(b, buf, "returns avoided, simulated pilot (95% interval)");
    ci_html(&p->net_saving, &r->currency, 1, 0, "", buf, sizeof buf);
    tile(b, buf, "net saving, simulated pilot");
    ci_html(&p->roi, NULL, 100, 0, "%", buf, sizeof buf);
    tile(b, buf, "ROI, simulated pilot");
    sb_str(b, "</div>\n");
}

/* ---- the simulated pilot --------------------------------------------------------- */

static void arm_item(bar_item *it, const char *label, const tg_pilot_arm *a)
{
    rate_item(it, label, &a->returns);
    if (!a->returns.n)
        snprintf(it->note, sizeof it->note, "none settled of %ld", a->lines);
}

/* Both arms' return rate, week by week, with their intervals. */
static void pilot_weeks(sb *b, const tg_report_pilot *p, double top)
{
    bar_item it[2 * TG_PILOT_WEEKS];
    char label[2 * TG_PILOT_WEEKS][32];
    for (int i = 0; i < p->n_weeks; i++)
        for (int a = 0; a < 2; a++) {
            snprintf(label[2 * i + a], sizeof label[0], "%s %s",
                     p->week[i].key, a ? "treatment" : "control");
            arm_item(&it[2 * i + a], label[2 * i + a], &p->week[i].arm[a]);
        }
    svg_hbars(b, "return rate by week, both arms", it, 2 * p->n_weeks, top);
}

static void pilot_months(sb *b, const tg_report_pilot *p,
                         const tg_currency *cur)
{
    sb_str(b, "<table><tr><th>month</th><th>control settled</th><th>"
              "returned</th><th>treatment settled</th><th>returned</th>"
              "<th>returns avoided</th><th>net saving</th><th>ROI</th>"
              "<th>resale recovered</th></tr>\n");
    for (int i = 0; i < p->n_months; i++) {
        const tg_pilot_period *m = &p->month[i];
        char ra[200];
        ci_html(&m->returns_avoided, NULL, 1, 1, "", ra, sizeof ra);
        sb_str(b, "<tr><td>");
        sb_esc(b, m->key);
        sb_printf(b, "</td><td>%ld</td><td>", m->arm[0].returns.n);
        sb_pct(b, m->arm[0].returns.rate);
        sb_printf(b, "</td><td>%ld</td><td>", m->arm[1].returns.n);
        sb_pct(b, m->arm[1].returns.rate);
        sb_printf(b, "</td><td>%s</td><td>", ra);
        sb_money(b, m->net_saving.value, cur);
        sb_str(b, "</td><td>");
        sb_pct(b, m->roi.value);
        sb_str(b, "</td><td>");
        sb_money(b, m->resale_recovered.value, cur);
        sb_str(b, "</td></tr>\n");
    }
    sb_str(b, "</table>\n");
}

static void pilot_section(sb *b, const tg_report_pilot *p,
                          const tg_currency *cur, double top)
{
    sb_str(b, "<h2>Simulated pilot</h2>\n<p class=\"note\">");
    if (!p->has) {
        sb_esc(b, p->note);
        sb_str(b, ".</p>\n");
        return;
    }
    char d0[16], d1[16], buf[200];
    const tg_pilot_arm *c = &p->arm[0], *t = &p->arm[1];
    sb_printf(b, "Simulated, not measured: the last %d weeks (%s to %s) "
              "played again with %.0f%% of the shoppers held out, the "
              "engine deciding for the rest with model v%d and the shopper "
              "model answering. Assumptions: ", p->weeks,
              tg_date_format(p->from, d0, sizeof d0),
              tg_date_format(p->to, d1, sizeof d1), 100 * p->holdout,
              p->model_version);
    sb_esc(b, report_pilot_assumptions);
    sb_str(b, ".</p>\n");
    if (p->note[0]) {
        sb_str(b, "<p>");
        sb_esc(b, p->note);
        sb_str(b, ".</p>\n");
    }
    sb_str(b, "<div class=\"tiles\">\n");
    ci_html(&p->resale_recovered, cur, 1, 0, "", buf, sizeof buf);
    tile(b, buf, "resale value recovered");
    ci_html(&p->satisfaction_change, NULL, 1, 3, "", buf, sizeof buf);
    tile(b, buf, "satisfaction change (index 0 to 1, invented weights)");
    sb_str(b, "</div>\n<div class=\"grid\"><div class=\"card\"><h3>"
              "Return rate by week (95% interval)</h3>\n");
    pilot_weeks(b, p, top);
    sb_str(b, "</div><div class=\"card\"><h3>Uptake by nudge</h3>\n");
    bar_item it[TG_NUDGE_MAX];
    for (int i = 0; i < p->n_nudges; i++)
        rate_item(&it[i], p->nudge[i].id, &p->nudge[i].uptake);
    svg_hbars(b, "uptake by nudge", it, p->n_nudges, 1);
    sb_str(b, "</div></div>\n<div class=\"card\"><h3>By month</h3>\n");
    pilot_months(b, p, cur);
    sb_printf(b, "<p class=\"note\">Settled lines (30-day window closed): "
              "control %ld, %.1f%% returned; treatment %ld, %.1f%% returned, "
              "%.1f%% as the store recorded the same lines without nudges. "
              "Of the %.1f points between the arms, %.1f are the nudges' and "
              "%.1f how the two arms differ by chance. Returns avoided = "
              "(control's rate &minus; treatment's) &times; treatment's "
              "settled lines; net saving the same of the cost of returns and "
              "nudges per line; ROI = net saving / what the treatment spent "
              "(offers, lost margin, fast restock); intervals from a cluster "
              "bootstrap over customers.</p></div>\n", c->returns.n,
              100 * c->returns.rate, t->returns.n, 100 * t->returns.rate,
              100 * t->recorded.rate,
              100 * (c->returns.rate - t->returns.rate),
              100 * (t->recorded.rate - t->returns.rate),
              100 * (c->returns.rate - t->recorded.rate));
}

static void overview(sb *b, const tg_dashboard *d, double top)
{
    sb_str(b, "<h2>Overview</h2>\n<div class=\"grid\"><div class=\"card\">"
              "<h3>Weekly return rate of matured lines (mean predicted risk "
              "in brackets)</h3>\n");
    bar_item it[TG_DASH_WEEKS];
    char days[TG_DASH_WEEKS][16];
    for (int i = 0; i < d->n_weeks; i++) {
        const tg_dash_week *w = &d->week[i];
        it[i].label = tg_date_format(w->start, days[i], sizeof days[i]);
        it[i].value = w->rate;
        it[i].lo = it[i].hi = NAN;
        if (isnan(w->rate))
            snprintf(it[i].note, sizeof it[i].note, "open (%.1f%%) of %ld",
                     100 * w->predicted, w->lines);
        else
            snprintf(it[i].note, sizeof it[i].note, "%.1f%% (%.1f%%) of %ld",
                     100 * w->rate, 100 * w->predicted, w->lines);
    }
    svg_hbars(b, "weekly return rate", it, d->n_weeks, top);
    sb_str(b, "</div><div class=\"card\"><h3>Newest risk scores</h3>\n");
    static const char *const bins[TG_DASH_BINS] = {
        "0-10%", "10-20%", "20-30%", "30-40%", "40-50%",
        "50-60%", "60-70%", "70-80%", "80-90%", "90-100%"};
    double most = 0;
    for (int i = 0; i < TG_DASH_BINS; i++) {
        it[i].label = bins[i];
        it[i].value = (double)d->risk_bins[i];
        it[i].lo = it[i].hi = NAN;
        snprintf(it[i].note, sizeof it[i].note, "%ld", d->risk_bins[i]);
        most = fmax(most, it[i].value);
    }
    svg_hbars(b, "risk histogram", it, TG_DASH_BINS, most);
    sb_str(b, "<h3>Return reasons</h3>\n");
    for (int i = 0; i < d->n_reasons; i++) {
        it[i].label = d->reason[i].reason;
        it[i].value = (double)d->reason[i].n;
        it[i].lo = it[i].hi = NAN;
        snprintf(it[i].note, sizeof it[i].note, "%ld", d->reason[i].n);
    }
    svg_hbars(b, "return reasons", it, d->n_reasons,
              d->n_reasons ? (double)d->reason[0].n : 0);
    sb_str(b, "</div></div>\n<div class=\"card\"><h3>Riskiest products "
              "(5+ lines)</h3>\n<table><tr><th>product</th><th>category</th>"
              "<th>lines</th><th>return rate (matured)</th><th>mean risk"
              "</th></tr>\n");
    for (int i = 0; i < d->n_products; i++) {
        const tg_dash_product *p = &d->product[i];
        sb_str(b, "<tr><td>");
        sb_esc(b, p->name);
        sb_str(b, "</td><td>");
        sb_esc(b, p->category >= 0 ? tg_category_names[p->category] : "");
        sb_printf(b, "</td><td>%ld</td><td>", p->lines);
        sb_pct(b, p->returns.rate);
        sb_printf(b, " of %ld</td><td>", p->returns.n);
        sb_pct(b, p->mean_risk);
        sb_str(b, "</td></tr>\n");
    }
    sb_str(b, "</table></div>\n");
}

static void drivers(sb *b, const tg_report *r, double top)
{
    sb_str(b, "<h2>Regret drivers</h2>\n<p class=\"note\">Return rate of "
              "matured lines per bucket with its 95% Wilson interval; the "
              "drivers whose buckets are furthest apart come first (spread "
              "over buckets of at least ");
    sb_printf(b, "%ld lines).</p>\n<div class=\"grid\">\n", r->min_lines);
    for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
        const tg_report_driver *v = &r->driver[d];
        sb_str(b, "<div class=\"card\"><h3>");
        sb_esc(b, v->title);
        sb_printf(b, " <span class=\"note\">spread %.1f points</span></h3>\n",
                  100 * v->spread);
        bucket_chart(b, v->title, v->b, v->n, top);
        sb_str(b, "</div>\n");
    }
    sb_str(b, "</div>\n");
}

static void model(sb *b, const tg_report_model *m)
{
    sb_str(b, "<h2>The model's view</h2>\n");
    if (!m->version) {
        sb_str(b, "<p class=\"note\">");
        sb_esc(b, m->note);
        sb_str(b, "</p>\n");
        return;
    }
    char d0[16], d1[16];
    sb_printf(b, "<p class=\"note\">Mean |TreeSHAP| per feature (margin "
              "units), model v%d over %ld %s lines bought %s to %s.</p>\n",
              m->version, m->lines, m->scored_only ? "scored" : "recent",
              tg_date_format(m->from, d0, sizeof d0),
              tg_date_format(m->to, d1, sizeof d1));
    bar_item it[TG_NUM_FEATURES];
    for (int i = 0; i < m->n; i++) {
        it[i].label = m->f[i].label;
        it[i].value = m->f[i].mean_abs;
        it[i].lo = it[i].hi = NAN;
        snprintf(it[i].note, sizeof it[i].note, "%.3f  %s", m->f[i].mean_abs,
                 features_name(m->f[i].feature));
    }
    sb_str(b, "<div class=\"card\">");
    svg_hbars(b, "mean absolute SHAP per feature", it, m->n,
              m->n ? m->f[0].mean_abs : 0);
    sb_str(b, "</div>\n");
}

static void trends(sb *b, const tg_report *r, double top)
{
    const tg_report_trends *t = &r->trends;
    sb_str(b, "<h2>Trends</h2>\n<div class=\"grid\"><div class=\"card\">"
              "<h3>Hashtags whose buyers return most</h3>\n");
    if (!t->n_top) {
        sb_printf(b, "<p class=\"note\">No trend has %ld matured lines "
                  "yet.</p>\n", r->min_lines);
    } else {
        bar_item it[TG_REPORT_MAX_HASHTAGS];
        char tags[TG_REPORT_MAX_HASHTAGS][132];
        for (int i = 0; i < t->n_top; i++) {
            snprintf(tags[i], sizeof tags[i], "#%s", t->top[i].name);
            rate_item(&it[i], tags[i], &t->top[i].r);
        }
        svg_hbars(b, "hashtags whose buyers return most", it, t->n_top, top);
    }
    sb_str(b, "</div><div class=\"card\"><h3>Over a trend's life: days "
              "since its busiest day</h3>\n");
    bucket_chart(b, "return rate by days since the trend's peak",
                 t->since_peak, t->n_since_peak, top);
    sb_str(b, "<h3>Days since the trend was first seen</h3>\n");
    bucket_chart(b, "return rate by trend age", t->age, t->n_age, top);
    sb_str(b, "</div></div>\n");
}

static void iv_table(sb *b, const char *head, const tg_report_iv_row *rows,
                     int n, const tg_currency *cur)
{
    sb_str(b, "<table><tr><th>");
    sb_esc(b, head);
    sb_str(b, "</th><th>queued</th><th>shown</th><th>accepted</th>"
              "<th>kept</th><th>returned</th><th>lost</th><th>returns "
              "avoided</th><th>offers</th><th>money saved</th><th>ROI</th>"
              "</tr>\n");
    for (int i = 0; i < n; i++) {
        const tg_report_funnel *f = &rows[i].funnel;
        const tg_report_value *v = &rows[i].value;
        sb_str(b, "<tr><td>");
        sb_esc(b, rows[i].key[0] ? rows[i].key : "(no nudge)");
        sb_printf(b, "</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
                  "<td>%ld</td><td>%ld</td><td>%.1f</td><td>", f->queued,
                  f->shown, f->accepted, f->kept, f->returned, f->lost,
                  v->returns_avoided);
        sb_money(b, v->offer_cost, cur);
        sb_str(b, "</td><td>");
        sb_money(b, v->saved, cur);
        sb_str(b, "</td><td>");
        sb_pct(b, v->roi);
        sb_str(b, "</td></tr>\n");
    }
    sb_str(b, "</table>\n");
}

static void funnel(sb *b, const tg_report_funnel *f)
{
    bar_item it[5];
    const char *names[5] = {"queued", "shown", "accepted", "kept",
                            "returned or lost"};
    long v[5] = {f->queued, f->shown, f->accepted, f->kept,
                 f->returned + f->lost};
    for (int i = 0; i < 5; i++) {
        it[i].label = names[i];
        it[i].value = (double)v[i];
        it[i].lo = it[i].hi = NAN;
        snprintf(it[i].note, sizeof it[i].note, "%ld", v[i]);
    }
    sb_str(b, "<div class=\"card funnel\"><h3>Funnel</h3>\n");
    svg_hbars(b, "intervention funnel", it, 5, (double)f->queued);
    sb_printf(b, "<p class=\"note\">%ld waiting for a decision, %ld skipped "
              "(no nudge fitted), %ld declined, %ld shown without an answer, "
              "%ld accepted with the outcome still open.</p></div>\n",
              f->waiting, f->skipped, f->declined,
              f->shown - f->accepted - f->declined, f->pending);
}

static void interventions(sb *b, const tg_report_interventions *v,
                          const tg_currency *cur)
{
    sb_str(b, "<h2>Interventions in real use</h2>\n<p class=\"note\">The "
              "app's and the queue's decisions, apart from the simulated "
              "pilot's.</p>\n<div class=\"grid\">");
    funnel(b, &v->funnel);
    sb_str(b, "<div class=\"card\"><h3>Money saved per month</h3>\n");
    const char *labels[TG_REPORT_MAX_MONTHS];
    double saved[TG_REPORT_MAX_MONTHS];
    for (int i = 0; i < v->n_months; i++) {
        labels[i] = v->month[i].key;
        saved[i] = v->month[i].value.saved;
    }
    if (v->funnel.accepted)
        svg_columns(b, "money saved per month", labels, saved, v->n_months);
    else
        sb_str(b, "<p class=\"note\">No nudge has been accepted yet: nothing "
                  "to credit.</p>\n");
    sb_str(b, "</div></div>\n<div class=\"card\"><h3>Per nudge</h3>\n");
    iv_table(b, "nudge", v->nudge, v->n_nudges, cur);
    sb_str(b, "<h3>Per month (of the purchase)</h3>\n");
    iv_table(b, "month", v->month, v->n_months, cur);
    sb_printf(b, "<p class=\"note\">How these are estimated: for accepted "
              "nudges whose outcome is known, returns avoided = the risk "
              "score logged when the nudge was chosen minus the returns that "
              "happened (a sale lost counts as no return). Money saved = "
              "each line's avoided share times the cost of a return &ndash; "
              "price paid &times; (margin %.2f + processing %.2f + the share "
              "of the goods not resold: resale %.2f while the trend is rising "
              "or at its peak, %.2f once it fades, %.2f without a trend; "
              "assets/simulation.json) &ndash; minus the offers of every "
              "accepted nudge and the margin of lost sales. ROI = money "
              "saved / (offers + lost margin). The score is the model's "
              "risk without the nudge, so the estimate is as good as its "
              "calibration; <code>trendguard simulate</code> measures the "
              "effect in a controlled A/B setting.</p></div>\n", v->margin,
              v->processing_share, v->resale_hot, v->resale_decline,
              v->resale_evergreen);
}

/* ---- the sweep -------------------------------------------------------------- */

/* Rows, and the widths of the labels (assumption names are long) and of
 * the bars. */
enum { TORNADO_ROWS = 30, TN_LABEL = 250, TN_BAR = 300 };

static double tornado_x(double v, double lo, double hi)
{
    return TN_LABEL + (hi > lo ? (v - lo) / (hi - lo) : 0.5) * TN_BAR;
}

/* One bar per assumption from the paired reduction at its low value to
 * the one at its high value (blue: low, red: high), about the defaults'
 * (the dashed line); widest swing first. */
static void svg_tornado(sb *b, const tg_sweep *sw)
{
    int n = sw->n < TORNADO_ROWS ? sw->n : TORNADO_ROWS;
    double lo = fmin(0, sw->base), hi = fmax(0, sw->base);
    for (int i = 0; i < n; i++) {
        lo = fmin(lo, fmin(sw->rows[i].reduction_low,
                           sw->rows[i].reduction_high));
        hi = fmax(hi, fmax(sw->rows[i].reduction_low,
                           sw->rows[i].reduction_high));
    }
    int h = n * CH_ROW + 24;
    sb_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
              "height=\"%d\" role=\"img\" aria-label=\"what the paired "
              "reduction hangs on\">", CH_W, h, CH_W, h);
    double xb = tornado_x(sw->base, lo, hi);
    for (int i = 0; i < n; i++) {
        const tg_sweep_row *r = &sw->rows[i];
        int y = 4 + i * CH_ROW;
        sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"lab\">",
                  TN_LABEL - 8, y + 15);
        sb_esc(b, r->p.name);
        sb_str(b, r->p.sourced ? "" : " *");
        sb_str(b, "</text>");
        double xl = tornado_x(r->reduction_low, lo, hi);
        double xh = tornado_x(r->reduction_high, lo, hi);
        sb_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                  " class=\"neg\"/>", fmin(xl, xb), y + 3, fabs(xl - xb),
                  CH_ROW - 6);
        sb_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\""
                  " class=\"bar\"/>", fmin(xh, xb), y + 3, fabs(xh - xb),
                  CH_ROW - 6);
        sb_printf(b, "<text x=\"%d\" y=\"%d\" class=\"val\">%.1f%% / "
                  "%.1f%%</text>", TN_LABEL + TN_BAR + 8, y + 15,
                  100 * r->reduction_low, 100 * r->reduction_high);
    }
    sb_printf(b, "<path d=\"M%.1f 2V%d\" class=\"base\"/><text x=\"%.1f\" "
              "y=\"%d\" class=\"mid\">defaults %.1f%%</text></svg>\n", xb,
              n * CH_ROW + 6, xb, n * CH_ROW + 20, 100 * sw->base);
}

/* A figure of a stored sweep: a percentage, or money; "-" when an older
 * sweep did not keep it. */
static void sweep_cell(sb *b, double v, int money)
{
    if (isnan(v))
        sb_str(b, "<td>-</td>");
    else if (money)
        sb_printf(b, "<td>%.0f</td>", v);
    else
        sb_printf(b, "<td>%+.1f%%</td>", 100 * v);
}

static void sweep_table(sb *b, const tg_sweep *sw)
{
    sb_str(b, "<table><tr><th>assumption</th><th>source</th><th>low</th>"
              "<th>high</th><th>reduction at low</th><th>at high</th>"
              "<th>satisfaction at low</th><th>at high</th><th>resale a "
              "year at low</th><th>at high</th></tr>\n");
    for (int i = 0; i < sw->n; i++) {
        const tg_sweep_row *r = &sw->rows[i];
        sb_str(b, "<tr><td>");
        sb_esc(b, r->p.name);
        sb_printf(b, "</td><td>%s</td><td>%g</td><td>%g</td><td>%.1f%%</td>"
                  "<td>%.1f%%</td>",
                  r->p.sourced ? "sourced" : "invented", r->p.low, r->p.high,
                  100 * r->reduction_low, 100 * r->reduction_high);
        sweep_cell(b, r->at_low.satisfaction, 0);
        sweep_cell(b, r->at_high.satisfaction, 0);
        sweep_cell(b, r->at_low.resale, 1);
        sweep_cell(b, r->at_high.resale, 1);
        sb_str(b, "</tr>\n");
    }
    sb_str(b, "</table>\n");
}

static void sweep_section(sb *b, const tg_sweep *sw)
{
    sb_str(b, "<h2>What the simulation's figure hangs on</h2>\n"
              "<div class=\"card\">");
    sb_printf(b, "<p class=\"note\">The newest <code>trendguard simulate "
              "--sweep</code>: returns %.1f%% lower for the same shoppers "
              "with nudges than without (paired) at the default assumptions, "
              "%d seeds of %d shoppers over %d months", 100 * sw->base,
              sw->seeds, sw->shoppers, sw->months);
    if (sw->model_version > 0)
        sb_printf(b, ", model v%d", sw->model_version);
    sb_str(b, ". Each assumption in turn at its low and high value: the "
              "range its source gives, or half and double its value when it "
              "is invented (marked *).</p>\n");
    svg_tornado(b, sw);
    if (isnan(sw->multiplier))
        sb_printf(b, "<p>No common multiplier of the accept rates up to "
                  "%.0f&times; reaches %.0f%%: at %.0f&times; the reduction is "
                  "%.1f%%.</p>\n", sw->max_multiplier, 100 * sw->target,
                  sw->max_multiplier, 100 * sw->reduction_at_max);
    else
        sb_printf(b, "<p>Reaching %.0f%% takes every accept rate "
                  "&times;%.2f (%.1f%% there).</p>\n", 100 * sw->target,
                  sw->multiplier, 100 * sw->reduction_at_multiplier);
    sweep_table(b, sw);
    sb_str(b, "</div>\n");
}

char *report_html(const tg_report *r, const char *title)
{
    sb b = {NULL, 0, 0, 0};
    char d0[16], d1[16], de[32];
    sb_str(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
               "charset=\"utf-8\"><meta name=\"viewport\" content=\"width="
               "device-width, initial-scale=1\"><title>TrendGuard report: ");
    sb_esc(&b, title);
    sb_str(&b, "</title><style>");
    sb_str(&b, CSS);
    sb_str(&b, "</style></head><body>\n<h1>TrendGuard report</h1>\n"
               "<p class=\"sub\">");
    sb_esc(&b, title);
    if (r->lines)
        sb_printf(&b, " &middot; %ld purchase lines bought %s to %s &middot; "
                  "data end %s", r->lines,
                  tg_date_format(r->first, d0, sizeof d0),
                  tg_date_format(r->last, d1, sizeof d1),
                  tg_time_format(r->data_end, de, sizeof de));
    else
        sb_str(&b, " &middot; no purchases yet");
    sb_str(&b, "</p>\n");
    tiles(&b, r);
    double top = report_top_rate(r);
    overview(&b, &r->overview, top);
    drivers(&b, r, top);
    model(&b, &r->model);
    trends(&b, r, top);
    pilot_section(&b, &r->overview.pilot, &r->currency, top);
    interventions(&b, &r->iv, &r->currency);
    if (r->has_sweep)
        sweep_section(&b, &r->sweep);
    sb_str(&b, "<p class=\"note\">Made by trendguard report. Return rates "
               "count a line as returned when a return arrives within 30 "
               "days of the purchase, over lines whose 30-day window has "
               "closed.</p>\n</body></html>\n");
    if (b.oom) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
