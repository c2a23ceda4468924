/* cmd_report.c: `trendguard report [--json] [--html FILE]`: the regret-
 * driver analysis of the store (report.h) as readable tables with bar
 * charts on a terminal (Unicode blocks in a UTF-8 locale, ASCII
 * otherwise; bold headings unless NO_COLOR), as one JSON object, or as a
 * self-contained HTML page written atomically. */
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/report.h"

/* ---- terminal output ------------------------------------------------------- */

typedef struct term {
    const tg_currency *cur; /* the store's (money.h) */
    int utf8;   /* Unicode block characters */
    int bold;   /* ANSI bold headings */
    double top; /* the rate a full bar stands for */
} term;

#define BAR_WIDTH 30
#define LABEL_WIDTH 22
#define TERM_WEEKS 12 /* weeks of the series shown */

static void heading(const term *t, const char *title, const char *note)
{
    printf("\n%s%s%s", t->bold ? "\033[1m" : "", title,
           t->bold ? "\033[0m" : "");
    printf("%s%s\n", note && *note ? "  " : "", note ? note : "");
}

/* A bar of value / top of BAR_WIDTH cells; eighths in UTF-8. */
static void bar(const term *t, double value, double top)
{
    if (!(value > 0) || !(top > 0))
        return;
    int eighths = (int)lround(fmin(value / top, 1) * BAR_WIDTH * 8);
    static const char *const part[8] = {"", "\u258f", "\u258e", "\u258d",
                                        "\u258c", "\u258b", "\u258a",
                                        "\u2589"};
    for (int i = 0; i < eighths / 8; i++)
        fputs(t->utf8 ? "\u2588" : "#", stdout);
    if (t->utf8)
        fputs(part[eighths % 8], stdout);
    else if (eighths % 8 >= 4)
        putchar('#');
}

/* Text from the store, as at most width characters padded to width:
 * control characters (C0, DEL and C1) shown as '?', UTF-8 kept whole. */
static void text_cell(const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int starts = (*p & 0xc0) != 0x80;
        if (starts && cols == width)
            break;
        cols += starts;
        if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0) { /* U+0080-009F */
            putchar('?');
            p++;
        } else {
            putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
        }
    }
    printf("%*s", width - cols, "");
}

static void pct(double v, const char *after)
{
    if (isnan(v))
        printf("%6s%s", "-", after);
    else
        printf("%5.1f%%%s", 100 * v, after);
}

static void rate_row(const term *t, const char *label, const tg_rate *r)
{
    char ci[32] = "";
    if (!isnan(r->lo))
        snprintf(ci, sizeof ci, "%.1f-%.1f%%", 100 * r->lo, 100 * r->hi);
    printf("    ");
    text_cell(label, LABEL_WIDTH);
    printf(" %8ld ", r->n);
    pct(r->rate, "");
    printf("  %-12s ", ci);
    bar(t, r->rate, t->top);
    putchar('\n');
}

static void bucket_rows(const term *t, const tg_report_bucket *b, int n)
{
    for (int i = 0; i < n; i++)
        rate_row(t, b[i].label, &b[i].r);
}

static void print_drivers(const term *t, const tg_report *r)
{
    char note[160];
    snprintf(note, sizeof note, "(return rate of matured lines, 95%% "
             "interval; largest spread first; spreads over buckets of %ld+ "
             "lines)", r->min_lines);
    heading(t, "REGRET DRIVERS", note);
    printf("    %-*s %8s %6s  %-12s\n", LABEL_WIDTH, "bucket", "lines",
           "rate", "95% interval");
    for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
        const tg_report_driver *v = &r->driver[d];
        printf("  %s: spread %.1f points\n", v->title, 100 * v->spread);
        bucket_rows(t, v->b, v->n);
    }
}

static void print_model(const term *t, const tg_report *r)
{
    const tg_report_model *m = &r->model;
    heading(t, "THE MODEL'S VIEW", "(mean |TreeSHAP| per feature, margin "
            "units)");
    if (!m->version) {
        printf("  %s\n", m->note);
        return;
    }
    char a[16], b[16];
    printf("  model v%d over %ld %s lines bought %s .. %s\n", m->version,
           m->lines, m->scored_only ? "scored" : "recent (none scored)",
           tg_date_format(m->from, a, sizeof a),
           tg_date_format(m->to, b, sizeof b));
    double top = m->n ? m->f[0].mean_abs : 0;
    for (int i = 0; i < m->n; i++) {
        printf("    %-26s ", features_name(m->f[i].feature));
        text_cell(m->f[i].label, 36);
        printf(" %6.3f ", m->f[i].mean_abs);
        bar(t, m->f[i].mean_abs, top);
        putchar('\n');
    }
}

static void print_trends(const term *t, const tg_report *r)
{
    const tg_report_trends *tr = &r->trends;
    char note[128];
    snprintf(note, sizeof note, "(%ld trends with %ld+ matured lines)",
             tr->hashtags, r->min_lines);
    heading(t, "TRENDS WHOSE BUYERS RETURN MOST", note);
    if (!tr->n_top)
        printf("  none: no trend has enough matured lines\n");
    for (int i = 0; i < tr->n_top; i++) {
        char tag[132];
        snprintf(tag, sizeof tag, "#%s", tr->top[i].name);
        rate_row(t, tag, &tr->top[i].r);
    }
    printf("  by days since the trend's busiest day (at purchase):\n");
    bucket_rows(t, tr->since_peak, tr->n_since_peak);
    printf("  by days since the trend was first seen:\n");
    bucket_rows(t, tr->age, tr->n_age);
    if (!tr->n_since_peak)
        printf("    (no line belongs to a trend with snapshots)\n");
}

/* An amount in the store's currency (money.h), right-aligned. */
static void money(const term *t, double v, int width)
{
    char buf[48];
    money_format(v, t->cur, !t->utf8, buf, sizeof buf);
    printf("%*s", width, buf);
}

static void iv_row(const term *t, const char *key,
                   const tg_report_iv_row *row)
{
    const tg_report_funnel *f = &row->funnel;
    printf("    ");
    text_cell(key, 20);
    printf(" %7ld %7ld %7ld %7ld %7ld %9.1f", f->queued, f->shown,
           f->accepted, f->kept, f->returned + f->lost,
           row->value.returns_avoided);
    money(t, row->value.saved, 11);
    if (isnan(row->value.roi))
        printf(" %7s\n", "-");
    else
        printf(" %6.0f%%\n", 100 * row->value.roi);
}

static void iv_header(void)
{
    printf("    %-20s %7s %7s %7s %7s %7s %9s %11s %7s\n", "", "queued",
           "shown", "accept", "kept", "ret/lost", "avoided", "saved",
           "ROI");
}

static void print_pilot(const term *t, const tg_report *r)
{
    const tg_report_pilot *p = &r->overview.pilot;
    char a[16], b[16], note[96] = "(simulated)";
    if (p->has)
        snprintf(note, sizeof note, "(simulated: the last %d weeks, %s .. "
                 "%s, %.0f%% held out)", p->weeks,
                 tg_date_format(p->from, a, sizeof a),
                 tg_date_format(p->to, b, sizeof b), 100 * p->holdout);
    heading(t, "SIMULATED PILOT", note);
    cmd_pilot_print(p, t->cur);
    for (int i = 0; p->has && i < p->n_nudges; i++) {
        const tg_rate *u = &p->nudge[i].uptake;
        printf("%s    %-20s %5ld shown, %5.1f%% taken (%.1f-%.1f%%)\n",
               i ? "" : "  uptake by nudge:\n", p->nudge[i].id, u->n,
               100 * u->rate, 100 * u->lo, 100 * u->hi);
    }
}

static void print_interventions(const term *t, const tg_report *r)
{
    const tg_report_interventions *v = &r->iv;
    const tg_report_funnel *f = &v->funnel;
    heading(t, "INTERVENTIONS", "(real use: the app and the queue, apart "
            "from the simulated pilot)");
    printf("  funnel: %ld queued -> %ld shown -> %ld accepted -> %ld kept, "
           "%ld returned, %ld lost, %ld pending\n", f->queued, f->shown,
           f->accepted, f->kept, f->returned, f->lost, f->pending);
    printf("          (%ld waiting for a decision, %ld skipped, %ld "
           "declined, %ld shown without an answer)\n", f->waiting,
           f->skipped, f->declined, f->shown - f->accepted - f->declined);
    printf("  returns avoided %.1f of %.1f expected; money saved ",
           v->value.returns_avoided, v->value.expected_returns);
    money(t, v->value.saved, 0);
    printf(" (return costs avoided ");
    money(t, v->value.cost_avoided, 0);
    printf(", offers ");
    money(t, v->value.offer_cost, 0);
    printf(", lost margin ");
    money(t, v->value.lost_margin, 0);
    printf("); ROI ");
    if (isnan(v->value.roi))
        printf("- (nothing spent)\n");
    else
        printf("%.0f%%\n", 100 * v->value.roi);
    if (v->n_nudges) {
        printf("  by nudge:\n");
        iv_header();
        for (int i = 0; i < v->n_nudges; i++)
            iv_row(t, v->nudge[i].key[0] ? v->nudge[i].key : "(no nudge)",
                   &v->nudge[i]);
    }
    if (v->n_months) {
        printf("  by month (of the purchase):\n");
        iv_header();
        for (int i = 0; i < v->n_months; i++)
            iv_row(t, v->month[i].key, &v->month[i]);
    }
    printf("  How: for accepted nudges with a known outcome, returns avoided "
           "= the score logged when\n  the nudge was chosen minus the returns "
           "that happened; money saved = that times the cost\n  of a return "
           "(price x (margin %.2f + processing %.2f + unsold share of the "
           "goods), from\n  assets/simulation.json) minus the offers of "
           "every accepted nudge and the margin of lost\n  sales; ROI = money "
           "saved / (offers + lost margin).\n", v->margin,
           v->processing_share);
}

static void print_overview(const term *t, const tg_dashboard *d)
{
    heading(t, "OVERVIEW", NULL);
    printf("  this week (the last 7 days of data): %ld lines, %ld scored",
           d->kpi.lines_week, d->kpi.scored_week);
    if (d->kpi.scored_week)
        printf("; the model expects %.1f returns", d->kpi.predicted_week);
    putchar('\n');
    printf("  weekly return rate of matured lines (and mean predicted "
           "risk), the last %d weeks:\n", TERM_WEEKS);
    printf("    %-19s %7s %6s  %6s\n", "", "lines", "rate", "risk");
    for (int i = d->n_weeks > TERM_WEEKS ? d->n_weeks - TERM_WEEKS : 0;
         i < d->n_weeks; i++) {
        const tg_dash_week *w = &d->week[i];
        char day[16];
        printf("    week of %s %7ld ", tg_date_format(w->start, day,
                                                      sizeof day), w->lines);
        pct(w->rate, "  ");
        pct(w->predicted, "  ");
        bar(t, isnan(w->rate) ? 0 : w->rate, t->top);
        putchar('\n');
    }
    printf("  newest scores:%s", d->scored ? "" : " none yet\n");
    for (int i = 0; d->scored && i < TG_DASH_BINS; i++)
        printf(" %d-%d%% %ld%s", i * 10, i * 10 + 10, d->risk_bins[i],
               i + 1 < TG_DASH_BINS ? "," : "\n");
    printf("  return reasons:");
    for (int i = 0; i < d->n_reasons; i++)
        printf(" %s %ld%s", d->reason[i].reason, d->reason[i].n,
               i + 1 < d->n_reasons ? "," : "");
    printf("%s\n", d->n_reasons ? "" : " none");
    printf("  riskiest products (5+ lines; matured return rate, mean "
           "risk):\n");
    printf("    %-40s %-11s %6s %6s %6s\n", "", "category", "lines", "rate",
           "risk");
    for (int i = 0; i < d->n_products; i++) {
        const tg_dash_product *p = &d->product[i];
        printf("    ");
        text_cell(p->name, 40);
        printf(" %-11s %6ld ", p->category >= 0
               ? tg_category_names[p->category] : "", p->lines);
        pct(p->returns.rate, " ");
        pct(p->mean_risk, "\n");
    }
}

static void print_report(const tg_report *r, const char *db)
{
    term t;
    setlocale(LC_CTYPE, "");
    const char *cs = nl_langinfo(CODESET);
    t.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
    const char *nc = getenv("NO_COLOR"), *term_name = getenv("TERM");
    t.bold = isatty(STDOUT_FILENO) && !(nc && *nc) &&
             !(term_name && strcmp(term_name, "dumb") == 0);
    t.top = report_top_rate(r);
    t.cur = &r->currency;
    char a[16], b[16], e[32];
    printf("TrendGuard report: %s\n", cli_shown(db));
    if (!r->lines) {
        printf("  no purchases yet: load data with 'trendguard ingest'\n");
        return;
    }
    printf("  %ld purchase lines bought %s .. %s; data end %s\n", r->lines,
           tg_date_format(r->first, a, sizeof a),
           tg_date_format(r->last, b, sizeof b),
           tg_time_format(r->data_end, e, sizeof e));
    printf("  %ld lines matured (30-day window closed): ", r->overall.n);
    pct(r->overall.rate, " returned");
    if (!isnan(r->overall.lo))
        printf(" (95%% interval %.1f-%.1f%%)", 100 * r->overall.lo,
               100 * r->overall.hi);
    putchar('\n');
    print_overview(&t, &r->overview);
    print_drivers(&t, r);
    print_model(&t, r);
    print_trends(&t, r);
    print_pilot(&t, r);
    print_interventions(&t, r);
}

/* ---- the command --------------------------------------------------------------- */

static int write_html(const cli_ctx *c, const tg_report *r, const char *path)
{
    const char *slash = strrchr(c->db, '/');
    char *html = report_html(r, slash ? slash + 1 : c->db);
    if (!html)
        return cli_fail(c, &(tg_err){TG_EINTERNAL, "out of memory"});
    tg_err err = {0};
    int rc = tg_write_file_atomic(path, html, strlen(html), &err);
    free(html);
    return rc == TG_OK ? TG_OK : cli_fail(c, &err);
}

enum { JSON, HTML };
static const cli_opt opts[] = {
    [JSON] = CLI_OPT_JSON,
    [HTML] = CLI_OPT_OUT(0, "html", "FILE",
                         "write a self-contained page with charts to FILE"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard report", "the tables with bar charts on the terminal"},
    {"trendguard report --html report.html", "the same as one page"},
    {NULL, NULL}};

const cli_spec cmd_report_spec = {
    "report", cmd_report, "regret drivers, the model's view, trends, what "
                          "the nudges saved",
    "Regret-driver analysis of the store: return rates by driver with 95% "
    "intervals, the model's view (mean |TreeSHAP| per feature), the trends "
    "whose buyers return most, and the interventions' funnel, returns "
    "avoided, money saved and ROI.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

int cmd_report(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_report_spec, argc, argv);
    if (rc >= 0)
        return rc;
    int json = cli_has(&c, JSON);
    const char *html = cli_str(&c, HTML);
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_report *r = malloc(sizeof *r);
    rc = r ? report_build(s, NULL, r, &err)
           : tg_fail(&err, TG_EINTERNAL, "out of memory");
    store_close(s);
    if (rc != TG_OK) {
        free(r);
        return cli_fail(&c, &err);
    }
    if (html)
        rc = write_html(&c, r, html);
    if (rc == TG_OK && json) {
        char *text = report_json(r);
        rc = cli_json_print(&c, text);
        free(text);
    } else if (rc == TG_OK && html) {
        printf("wrote %s\n", html);
    } else if (rc == TG_OK) {
        print_report(r, c.db);
    }
    free(r);
    return rc;
}
