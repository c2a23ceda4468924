/* cmd_pilot.c: `trendguard pilot [--weeks N] [--holdout SHARE] [--seed N]
 * [--json]`: plays the last weeks of the store's purchases as a simulated
 * A/B pilot of the nudges (pilot.h) and prints what it played and its
 * figures (report_pilot, the same the dashboard, the report and the
 * export show), as text or one JSON object. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/pilot.h"
#include "trendguard/report.h"

enum { WEEKS, HOLDOUT, SEED, CATALOG, ASSUMPTIONS, JSON };
static const cli_opt opts[] = {
    [WEEKS] = CLI_OPT_INT(0, "weeks", "N", 1, TG_PILOT_MAX_WEEKS, "12",
                          "play the last N weeks up to the store's newest "
                          "data"),
    [HOLDOUT] = CLI_OPT_REAL(0, "holdout", "SHARE", 0.01, 0.99, "0.5",
                             "the share of shoppers kept in control (no "
                             "nudges)"),
    [SEED] = CLI_OPT_INT(0, "seed", "N", 0, 2147483647, "1",
                         "the split of the shoppers and every draw"),
    [CATALOG] = CLI_OPT_FILE(0, "catalog", "FILE",
                             "the nudge catalogue (default: "
                             "assets/nudges.json)"),
    [ASSUMPTIONS] = CLI_OPT_FILE(0, "assumptions", "FILE",
                                 "how shoppers answer and the money "
                                 "(default: assets/simulation.json)"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard pilot", "the last 12 weeks, half the shoppers in control"},
    {"trendguard pilot --weeks 8 --holdout 0.2 --json",
     "8 weeks, a fifth in control, as JSON"},
    {NULL, NULL}};

const cli_spec cmd_pilot_spec = {
    "pilot", cmd_pilot, "play the last weeks as a simulated A/B pilot",
    "Plays the last weeks of the store's purchases as a live pilot of the "
    "nudges: shoppers split by customer into control and treatment, the "
    "engine deciding for the treatment at the item, cart, pre-ship, return "
    "and restock moments from the store's records and its newest model, "
    "the shopper model (assets/simulation.json, assets/behaviour.json) "
    "answering each nudge, and each line settling once its 30-day window "
    "has closed. Every row is dated by the store's clock and marked "
    "simulated; a rerun replaces the previous pilot. Needs a registered "
    "model and generated data (the shopper model's truth): exit 66 "
    "without. The dashboard, report and export show its figures.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static cJSON *result_json(const tg_pilot_opts *o, const tg_pilot_result *r)
{
    char a[32], b[32];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "weeks", o->weeks);
    cJSON_AddNumberToObject(j, "holdout", o->holdout);
    cJSON_AddNumberToObject(j, "seed", (double)o->seed);
    cJSON_AddNumberToObject(j, "model_version", r->model_version);
    cJSON_AddStringToObject(j, "from", tg_time_format(r->from, a, sizeof a));
    cJSON_AddStringToObject(j, "to", tg_time_format(r->to, b, sizeof b));
    cJSON_AddNumberToObject(j, "lines", (double)r->lines);
    cJSON_AddNumberToObject(j, "orders", (double)r->orders);
    cJSON *c = cJSON_AddObjectToObject(j, "customers");
    cJSON_AddNumberToObject(c, "control", (double)r->customers[0]);
    cJSON_AddNumberToObject(c, "treatment", (double)r->customers[1]);
    cJSON_AddNumberToObject(j, "decided", (double)r->decided);
    cJSON_AddNumberToObject(j, "shown", (double)r->shown);
    cJSON_AddNumberToObject(j, "accepted", (double)r->accepted);
    cJSON_AddNumberToObject(j, "settled", (double)r->settled);
    cJSON_AddNumberToObject(j, "pending", (double)r->pending);
    cJSON_AddNumberToObject(j, "no_truth", (double)r->no_truth);
    cJSON_AddNumberToObject(j, "kept_filters", r->kept_filters);
    cJSON_AddNumberToObject(j, "budget_per_day",
                            round(r->budget_per_day * 100) / 100);
    cJSON_AddNumberToObject(j, "seconds", round(r->seconds * 1000) / 1000);
    return j;
}

/* "value (lo to hi)" of a figure, as money when cur is given, else
 * times scale with `places` decimals and unit. */
static void figure(const char *label, const tg_ci *c,
                   const tg_currency *cur, double scale, int places,
                   const char *unit)
{
    char t[3][40];
    report_ci_format(c, cur, 0, scale, places, unit, t);
    if (isnan(c->value))
        printf("  %-18s -\n", label);
    else
        printf("  %-18s %s (95%% interval %s to %s)\n", label, t[0], t[1],
               t[2]);
}

static void print_arm(const char *name, const tg_pilot_arm *a)
{
    printf("  %-9s %6ld settled lines, %5.1f%% returned (%.1f-%.1f%%); as "
           "recorded, without nudges: %.1f%%\n", name, a->returns.n,
           100 * a->returns.rate, 100 * a->returns.lo, 100 * a->returns.hi,
           100 * a->recorded.rate);
}

void cmd_pilot_print(const tg_report_pilot *p, const tg_currency *cur)
{
    if (p->note[0]) {
        printf("  %s\n", p->note);
        return;
    }
    const tg_pilot_arm *c = &p->arm[0], *t = &p->arm[1];
    print_arm("control", c);
    print_arm("treatment", t);
    printf("  of the %.1f points between the arms, %.1f are the nudges' "
           "(the treated lines as\n  recorded against as played) and %.1f "
           "how the two arms differ by chance\n",
           100 * (c->returns.rate - t->returns.rate),
           100 * (t->recorded.rate - t->returns.rate),
           100 * (c->returns.rate - t->recorded.rate));
    figure("returns avoided", &p->returns_avoided, NULL, 1, 1, "");
    figure("net saving", &p->net_saving, cur, 1, 0, "");
    figure("ROI", &p->roi, NULL, 100, 0, "%");
    figure("resale recovered", &p->resale_recovered, cur, 1, 0, "");
    figure("satisfaction", &p->satisfaction_change, NULL, 1, 3,
           "");
    printf("  (satisfaction: per order, on an index from 0 to 1 with "
           "invented weights)\n  simulated: the shoppers are the shopper "
           "model's; its assumptions: %s\n", report_pilot_assumptions);
}

static void print_result(const tg_pilot_opts *o, const tg_pilot_result *r)
{
    char a[16], b[16];
    printf("simulated pilot: the last %d weeks, %s .. %s, model v%d\n",
           o->weeks, tg_date_format(r->from, a, sizeof a),
           tg_date_format(r->to, b, sizeof b), r->model_version);
    printf("  %ld shoppers in control, %ld treated (holdout %.2f, seed "
           "%llu)\n", r->customers[0], r->customers[1], o->holdout,
           (unsigned long long)o->seed);
    printf("  %ld lines in %ld orders: %ld settled, %ld pending (their "
           "30-day window still open)\n", r->lines, r->orders, r->settled,
           r->pending);
    printf("  the engine decided %ld times: %ld nudges shown, %ld taken "
           "(offer budget %.2f a day)\n", r->decided, r->shown, r->accepted,
           r->budget_per_day);
    if (r->no_truth)
        printf("  %ld treated lines without the shopper model's truth "
               "played as recorded\n", r->no_truth);
    printf("  %.2f s; the figures below are in trendguard report, the "
           "dashboard and trendguard export\n", r->seconds);
    if (r->kept_filters)
        printf("  the dashboard's %d filters' figures computed and kept for "
               "it\n", r->kept_filters);
}

int cmd_pilot(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_pilot_spec, argc, argv);
    if (rc >= 0)
        return rc;
    tg_pilot_opts o;
    pilot_defaults(&o);
    o.weeks = (int)cli_long(&c, WEEKS);
    o.holdout = cli_real(&c, HOLDOUT);
    o.seed = (uint64_t)cli_long(&c, SEED);
    o.catalog = cli_str(&c, CATALOG);
    o.assume = cli_str(&c, ASSUMPTIONS);
    if ((o.catalog && (rc = cli_stdin_file(&c, &o.catalog)) != TG_OK) ||
        (o.assume && (rc = cli_stdin_file(&c, &o.assume)) != TG_OK))
        return rc;
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_pilot_result r;
    tg_currency cur;
    tg_report_pilot *p = malloc(sizeof *p);
    rc = p ? pilot_run(s, &o, &r, &err)
           : tg_fail(&err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = report_pilot(s, NULL, o.assume, p, &err);
    if (rc == TG_OK)
        rc = money_currency(s, &cur, &err);
    store_close(s);
    if (rc != TG_OK) {
        free(p);
        return cli_fail(&c, &err);
    }
    if (cli_has(&c, JSON)) {
        cJSON *j = result_json(&o, &r);
        char *text = report_pilot_json(p);
        cJSON_AddItemToObject(j, "figures", cJSON_Parse(text));
        free(text);
        free(p);
        return cli_json_emit(&c, j);
    }
    print_result(&o, &r);
    cmd_pilot_print(p, &cur);
    free(p);
    return TG_OK;
}
