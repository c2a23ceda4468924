/* cmd_simulate.c: `trendguard simulate`: the offline A/B shopper
 * simulation of the intervention engine against control and three
 * baselines, with the store's newest model (or --model PATH, or --rules
 * for the engine's rule-based fallback), as a readable report or JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/score.h"
#include "trendguard/sim.h"

static void on_progress(void *ud, double f, const char *stage)
{
    cli_progress_update(ud, f, stage);
}

/* 1234567.8 -> "1,234,568" */
static const char *grouped(double v, char *buf, size_t n)
{
    char raw[48];
    snprintf(raw, sizeof raw, "%.0f", fabs(v));
    size_t len = strlen(raw), o = 0;
    if (v < 0 && llround(v) != 0 && o + 1 < n)
        buf[o++] = '-';
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        buf[o++] = raw[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len)
            buf[o++] = ',';
    }
    buf[o] = '\0';
    return buf;
}

static void print_arm_row(const char *label, double c, double t,
                          const char *fmt)
{
    char a[48], b[48];
    if (strcmp(fmt, "n") == 0) {
        printf("  %-22s %14s %14s\n", label, grouped(c, a, sizeof a),
               grouped(t, b, sizeof b));
    } else if (strcmp(fmt, "%") == 0) {
        printf("  %-22s %13.1f%% %13.1f%%\n", label, 100 * c, 100 * t);
    } else {
        printf("  %-22s %14.3f %14.3f\n", label, c, t);
    }
}

static void print_report(const tg_sim_result *r)
{
    const tg_sim_arm *c = &r->arm[TG_SIM_CONTROL], *t = &r->arm[TG_SIM_ENGINE];
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    char d0[16], d1[16], g[48];
    char how[48];
    if (r->model_version > 0)
        snprintf(how, sizeof how, "model v%d", r->model_version);
    else
        snprintf(how, sizeof how, "the rules (no model)");
    printf("TrendGuard offline A/B simulation: %d months (%s .. %s), %s "
           "shoppers, seed %llu, scoring with %s\n\n", r->months,
           tg_date_format(r->start_day * TG_DAY, d0, sizeof d0),
           tg_date_format(r->end_day * TG_DAY, d1, sizeof d1),
           grouped((double)r->shoppers, g, sizeof g),
           (unsigned long long)r->seed, how);
    printf("  %-22s %14s %14s\n", "", "control", "treatment");
    print_arm_row("shoppers", (double)c->shoppers, (double)t->shoppers, "n");
    print_arm_row("orders", (double)c->orders, (double)t->orders, "n");
    print_arm_row("lines bought", (double)c->purchases, (double)t->purchases,
                  "n");
    print_arm_row("returns", (double)c->returns, (double)t->returns, "n");
    print_arm_row("return rate", c->return_rate, t->return_rate, "%");
    print_arm_row("conversion", c->conversion, t->conversion, "%");
    print_arm_row("satisfaction", c->satisfaction, t->satisfaction, "s");
    print_arm_row("revenue", c->revenue, t->revenue, "n");
    print_arm_row("nudges shown", 0, (double)t->shown, "n");
    print_arm_row("nudges accepted", 0, (double)t->accepted, "n");
    printf("\nReturns down %.1f%% relative to control (95%% interval %.1f%% "
           "to %.1f%%).\n", 100 * e->relative, 100 * e->ci_low,
           100 * e->ci_high);
    printf("Conversion %+.2f points; satisfaction %+.3f.\n",
           100 * e->conversion_change, e->satisfaction_change);
    printf("\nMoney, treatment shoppers against control scaled to their "
           "number:\n");
    printf("  %-22s %14s\n", "saved return cost",
           grouped(e->roi.saved_return_cost, g, sizeof g));
    printf("  %-22s %14s\n", "resale recovered",
           grouped(e->roi.resale_recovered, g, sizeof g));
    printf("  %-22s %14s\n", "offer cost",
           grouped(-e->roi.offer_cost, g, sizeof g));
    printf("  %-22s %14s\n", "lost margin",
           grouped(-e->roi.lost_margin, g, sizeof g));
    printf("  %-22s %14s\n", "net", grouped(e->roi.net, g, sizeof g));
    printf("\nOn the same shoppers:  %-30s %14s %12s\n",
           "return reduction (95% interval)", "net", "conversion");
    for (int k = TG_SIM_ENGINE; k < TG_SIM_ARMS; k++) {
        const tg_sim_compare *m = &r->cmp[k];
        char ci[64];
        snprintf(ci, sizeof ci, "%5.1f%% (%5.1f%% .. %5.1f%%)",
                 100 * m->relative, 100 * m->ci_low, 100 * m->ci_high);
        printf("  %-20s %-30s %14s %+11.2f\n",
               k == TG_SIM_ENGINE ? "engine" : sim_arm_names[k], ci,
               grouped(m->roi.net, g, sizeof g), 100 * m->conversion_change);
    }
    printf("\nNudges (shown / accepted):\n");
    for (int i = 0; i < r->n_nudges; i++)
        if (t->shown_by[i])
            printf("  %-22s %10ld %10ld\n", r->catalog_ids[i],
                   t->shown_by[i], t->accepted_by[i]);
    printf("\nScaled to TrendBuy (%s a year lost to returns, about %s "
           "shoppers):\n", grouped(r->scale_return_loss, g, sizeof g),
           grouped(r->scale_shoppers, d0, sizeof d0));
    printf("  %s returns avoided a year; net %s a year\n",
           grouped(r->scale_returns_avoided, g, sizeof g),
           grouped(r->scale_roi.net, d1, sizeof d1));
    int beats = 1;
    for (int k = TG_SIM_RANDOM; k < TG_SIM_ARMS; k++)
        beats &= e->relative > r->cmp[k].relative;
    printf("\nTarget: returns down >= 25%% with the interval above 0: %s; "
           "conversion down <= 2 points: %s;\n        net positive: %s; "
           "beats every baseline: %s.\n",
           e->relative >= 0.25 && e->ci_low > 0 ? "met" : "NOT met",
           e->conversion_change >= -0.02 ? "met" : "NOT met",
           e->roi.net > 0 ? "met" : "NOT met", beats ? "met" : "NOT met");
    printf("(%.1f s)\n", r->seconds);
}

typedef struct sim_args {
    long months, shoppers, seed, threads, bootstrap;
    int json, rules;
    const char *model, *assume, *catalog;
} sim_args;

enum { MONTHS, SHOPPERS, SEED, JSON, MODEL, RULES, ASSUME, CATALOG,
       THREADS, BOOT };
static const cli_opt opts[] = {
    [MONTHS] = CLI_OPT_INT(0, "months", "N", 1, 60, "6",
                           "months the shoppers live through"),
    [SHOPPERS] = CLI_OPT_INT(0, "shoppers", "N", 20, 5000000, "40000",
                             "shoppers, split at random into control and "
                             "treatment"),
    [SEED] = CLI_OPT_INT(0, "seed", "N", 0, 2147483647, "1",
                         "random seed: the same seed, the same result"),
    [JSON] = CLI_OPT_JSON,
    [MODEL] = CLI_OPT_FILE('m', "model", "PATH",
                           "score with this XGBoost JSON model (default: "
                           "the store's newest)"),
    [RULES] = CLI_OPT_FLAG(0, "rules", "score with the engine's rule-based "
                                       "fallback, no model"),
    [ASSUME] = CLI_OPT_FILE(0, "assumptions", "FILE",
                            "the simulation's assumptions (default: "
                            "assets/simulation.json)"),
    [CATALOG] = CLI_OPT_FILE(0, "catalog", "FILE",
                             "the nudge catalogue (default: "
                             "assets/nudges.json)"),
    [THREADS] = CLI_OPT_INT(0, "threads", "N", 1, 8, "2", "worker threads"),
    [BOOT] = CLI_OPT_INT(0, "bootstrap", "N", 20, 100000, "400",
                         "bootstrap resamples for the 95% intervals"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard simulate", "six months, 40,000 shoppers, the store's "
                            "newest model"},
    {"trendguard simulate --rules --months 1 --shoppers 2000 --json",
     "a quick run without a model, as JSON"},
    {NULL, NULL}};

const cli_spec cmd_simulate_spec = {
    "simulate", cmd_simulate, "run the offline A/B shopper simulation",
    "Runs the offline A/B shopper simulation: shoppers from the behaviour "
    "model live through N months, control against the nudge engine and "
    "three baselines (random with the same budget, rules only, badge only) "
    "on the same random numbers. Without a model in the store it stops "
    "(exit 66) unless --rules or --model is given.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static int parse(cli_ctx *c, int argc, char **argv, sim_args *a)
{
    int rc = cli_parse(c, &cmd_simulate_spec, argc, argv);
    if (rc >= 0)
        return rc;
    a->months = cli_long(c, MONTHS);
    a->shoppers = cli_long(c, SHOPPERS);
    a->seed = cli_long(c, SEED);
    a->threads = cli_long(c, THREADS);
    a->bootstrap = cli_long(c, BOOT);
    a->json = cli_has(c, JSON);
    a->rules = cli_has(c, RULES);
    a->model = cli_str(c, MODEL);
    a->assume = cli_str(c, ASSUME);
    a->catalog = cli_str(c, CATALOG);
    if (a->rules && a->model)
        return cli_usage(c, "--rules and --model exclude each other");
    if ((a->model && (rc = cli_stdin_file(c, &a->model)) != TG_OK) ||
        (a->assume && (rc = cli_stdin_file(c, &a->assume)) != TG_OK) ||
        (a->catalog && (rc = cli_stdin_file(c, &a->catalog)) != TG_OK))
        return rc;
    return -1;
}

/* The model: --model PATH, or the store's newest registered one. */
static tg_model *open_model(const cli_ctx *c, const sim_args *a,
                            int *version, tg_err *err)
{
    *version = 0;
    if (a->rules)
        return NULL;
    if (a->model) {
        *version = 1;
        return model_load(a->model, err);
    }
    tg_store *s = store_open(c->db, 0, err);
    if (!s) {
        if (err->code == TG_ENOINPUT)
            tg_fail(err, TG_ENOINPUT, "%s: no store (run trendguard once to "
                    "create the demo store), or use --model PATH or --rules",
                    c->db);
        return NULL;
    }
    tg_model_info info;
    tg_model *m = score_open_model(s, NULL, &info, err);
    store_close(s);
    if (!m && err->code == TG_ENOINPUT)
        tg_fail(err, TG_ENOINPUT, "%s: no model yet (train one with "
                "trendguard-train), or use --rules for the engine's "
                "rule-based fallback", c->db);
    if (m)
        *version = info.version;
    return m;
}

int cmd_simulate(int argc, char **argv)
{
    cli_ctx c;
    sim_args a = {0};
    int rc = parse(&c, argc, argv, &a);
    if (rc >= 0)
        return rc;
    tg_err err = {0};
    static tg_nudge_catalog cat;
    static tg_behaviour beh;
    tg_sim_assume as;
    tg_words words;
    memset(&words, 0, sizeof words);
    char bpath[4096];
    if ((rc = nudge_catalog_load(a.catalog, &cat, &err)) ||
        (rc = sim_assume_load(a.assume, &as, &err)))
        return cli_fail(&c, &err);
    if (tg_asset_path("assets/behaviour.json", bpath, sizeof bpath) != 0) {
        tg_fail(&err, TG_ENOINPUT, "assets/behaviour.json: not found (set "
                "TRENDGUARD_SHARE to the folder holding assets/)");
        return cli_fail(&c, &err);
    }
    if ((rc = shopper_behaviour_load(bpath, &beh, &err)) ||
        (rc = shopper_words_load(&words, NULL, &err)))
        return cli_fail(&c, &err);
    int version = 0;
    tg_model *m = open_model(&c, &a, &version, &err);
    if (!m && !a.rules) {
        shopper_words_free(&words);
        return cli_fail(&c, &err);
    }
    tg_sim_opts o;
    memset(&o, 0, sizeof o);
    o.months = (int)a.months;
    o.shoppers = (int)a.shoppers;
    o.seed = (uint64_t)a.seed;
    o.threads = (int)a.threads;
    o.bootstrap = (int)a.bootstrap;
    o.model = m;
    o.model_version = version;
    o.catalog = &cat;
    o.assume = &as;
    o.behaviour = &beh;
    o.words = &words;
    cli_progress bar;
    cli_progress_begin(&bar, "simulating");
    o.progress = on_progress;
    o.ud = &bar;
    tg_sim_result r;
    rc = sim_run(&o, &r, &err);
    cli_progress_end(&bar);
    if (rc != TG_OK) {
        cli_fail(&c, &err);
    } else if (a.json) {
        char *text = sim_result_json(&r, &as);
        rc = cli_json_print(&c, text);
        free(text);
    } else {
        print_report(&r);
    }
    sim_result_free(&r);
    model_free(m);
    shopper_words_free(&words);
    return rc;
}
