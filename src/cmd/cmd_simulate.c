/* cmd_simulate.c: `trendguard simulate`: the offline A/B shopper
 * simulation of the intervention engine against control, its shadow (the
 * same shoppers without nudges) and three baselines, with the store's
 * newest model (or --model PATH, or --rules for the engine's rule-based
 * fallback), as a readable report or JSON; and `--sweep`, which moves
 * every assumption to its low and high value and prints what the figure
 * hangs on (kept in the store for `report --html`). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* One row of the arms' table: control, treatment, shadow. */
static void arm_row(const char *label, const tg_sim_result *r,
                    double (*get)(const tg_sim_arm *), char fmt)
{
    static const int arms[3] = {TG_SIM_CONTROL, TG_SIM_ENGINE, TG_SIM_SHADOW};
    printf("  %-24s", label);
    for (int i = 0; i < 3; i++) {
        double v = get(&r->arm[arms[i]]);
        char g[48];
        if (fmt == 'n')
            printf(" %14s", grouped(v, g, sizeof g));
        else if (fmt == '%')
            printf(" %13.1f%%", 100 * v);
        else
            printf(" %14.3f", v);
    }
    printf("\n");
}

static double a_shoppers(const tg_sim_arm *a) { return (double)a->shoppers; }
static double a_orders(const tg_sim_arm *a) { return (double)a->orders; }
static double a_lines(const tg_sim_arm *a) { return (double)a->purchases; }
static double a_returns(const tg_sim_arm *a) { return (double)a->returns; }
static double a_rate(const tg_sim_arm *a) { return a->return_rate; }
static double a_per_item(const tg_sim_arm *a) { return a->returns_per_item; }
static double a_refunds(const tg_sim_arm *a) { return (double)a->refunds; }
static double a_conv(const tg_sim_arm *a) { return a->conversion; }
static double a_sat(const tg_sim_arm *a) { return a->satisfaction; }
static double a_revenue(const tg_sim_arm *a) { return a->revenue; }
static double a_shown(const tg_sim_arm *a) { return (double)a->shown; }
static double a_taken(const tg_sim_arm *a) { return (double)a->accepted; }

static void print_arms(const tg_sim_result *r)
{
    printf("  %-24s %14s %14s %14s\n", "", "control", "treatment",
           "no nudges");
    arm_row("shoppers", r, a_shoppers, 'n');
    arm_row("orders", r, a_orders, 'n');
    arm_row("lines bought", r, a_lines, 'n');
    arm_row("returns", r, a_returns, 'n');
    arm_row("returns per line bought", r, a_rate, '%');
    arm_row("returns per item carted", r, a_per_item, '%');
    arm_row("refunds", r, a_refunds, 'n');
    arm_row("conversion", r, a_conv, '%');
    arm_row("satisfaction", r, a_sat, 's');
    arm_row("revenue", r, a_revenue, 'n');
    arm_row("nudges shown", r, a_shown, 'n');
    arm_row("nudges accepted", r, a_taken, 'n');
}

static void print_money(const tg_sim_roi *m)
{
    char g[48];
    printf("  %-22s %14s\n", "saved return cost",
           grouped(m->saved_return_cost, g, sizeof g));
    printf("  %-22s %14s\n", "resale recovered",
           grouped(m->resale_recovered, g, sizeof g));
    printf("  %-22s %14s\n", "offer cost", grouped(-m->offer_cost, g,
                                                   sizeof g));
    printf("  %-22s %14s\n", "lost margin", grouped(-m->lost_margin, g,
                                                    sizeof g));
    printf("  %-22s %14s\n", "net", grouped(m->net, g, sizeof g));
}

static void print_split(const tg_sim_result *r)
{
    const tg_sim_arm *t = &r->arm[TG_SIM_ENGINE];
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    char a[48], b[48], c[48];
    printf("\nThe paired reduction by nudge (points; shown, accepted, "
           "exchanges):\n");
    for (int i = 0; i < r->n_nudges; i++)
        printf("  %-22s %+7.2f %10s %10s %10s\n", r->catalog_ids[i],
               100 * e->by_nudge[i], grouped((double)t->shown_by[i], a, 48),
               grouped((double)t->accepted_by[i], b, 48),
               grouped((double)t->exchanges_by[i], c, 48));
    printf("  %-22s %+7.2f   (the basket's other lines)\n", "other",
           100 * e->by_nudge[TG_NUDGE_MAX]);
    printf("By month:");
    for (int i = 0; i < r->months; i++)
        printf(" %d: %.1f%%", i + 1, 100 * r->monthly[i].paired);
    printf("\n");
}

static void print_baselines(const tg_sim_result *r)
{
    char g[48];
    printf("\nOn the same shoppers, paired:  %-26s %-26s %12s %10s\n",
           "reduction (95%)", "engine minus it (95%)", "net", "conversion");
    for (int k = TG_SIM_ENGINE; k < TG_SIM_SHADOW; k++) {
        const tg_sim_compare *m = &r->cmp[k];
        char red[64], diff[64] = "";
        snprintf(red, sizeof red, "%5.1f%% (%.1f%% .. %.1f%%)",
                 100 * m->paired, 100 * m->paired_low, 100 * m->paired_high);
        if (k != TG_SIM_ENGINE)
            snprintf(diff, sizeof diff, "%+5.1f pt (%+.1f .. %+.1f)",
                     100 * m->vs_engine, 100 * m->vs_engine_low,
                     100 * m->vs_engine_high);
        printf("  %-28s %-26s %-26s %12s %+9.2f\n",
               k == TG_SIM_ENGINE ? "engine" : sim_arm_names[k], red, diff,
               grouped(m->roi.net, g, sizeof g), 100 * m->conversion_change);
    }
}

static void print_report(const tg_sim_result *r)
{
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    char d0[16], d1[16], g[48], how[48];
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
    print_arms(r);
    printf("\nReturns down %.1f%% for the treated shoppers against the same "
           "shoppers without nudges\n(paired; 95%% interval %.1f%% to "
           "%.1f%%). A/B check against control: %.1f%% (%.1f%% to %.1f%%).\n",
           100 * e->paired, 100 * e->paired_low, 100 * e->paired_high,
           100 * e->relative, 100 * e->ci_low, 100 * e->ci_high);
    printf("Refunds avoided %s (an exchange is still a return); conversion "
           "%+.2f points; satisfaction %+.3f.\n",
           grouped((double)e->refunds_avoided, g, sizeof g),
           100 * e->conversion_change, e->satisfaction_change);
    printf("\nMoney, the treated shoppers against themselves without "
           "nudges:\n");
    print_money(&e->roi);
    print_split(r);
    print_baselines(r);
    printf("\nScaled to TrendBuy (%s a year lost to returns, about %s "
           "shoppers): returns down %.1f%% against the\ntarget of 25%%; ",
           grouped(r->scale_return_loss, g, sizeof g),
           grouped(r->scale_shoppers, d0, sizeof d0), 100 * e->paired);
    printf("%s returns and ", grouped(r->scale_returns_avoided, g,
                                      sizeof g));
    printf("%s refunds avoided a year; net %s a year.\n",
           grouped(r->scale_refunds_avoided, g, sizeof g),
           grouped(r->scale_roi.net, d1, sizeof d1));
    int beats = 1;
    for (int k = TG_SIM_RANDOM; k < TG_SIM_SHADOW; k++)
        beats &= r->cmp[k].vs_engine_low > 0;
    printf("\nTarget: returns down >= 25%% with the interval above 0: %s; "
           "conversion down <= 2 points: %s;\n        net positive: %s; "
           "beats every baseline (interval above 0): %s.\n",
           e->paired >= 0.25 && e->paired_low > 0 ? "met" : "NOT met",
           e->conversion_change >= -0.02 ? "met" : "NOT met",
           e->roi.net > 0 ? "met" : "NOT met", beats ? "met" : "NOT met");
    printf("(%.1f s)\n", r->seconds);
}

static void print_sweep(const tg_sweep *sw)
{
    printf("What the figure hangs on: %d seeds x %d shoppers, %d months, "
           "scoring with %s; %.0f s\n", sw->seeds, sw->shoppers, sw->months,
           sw->model_version > 0 ? "the model" : "the rules", sw->seconds);
    printf("Paired reduction at the default assumptions: %.1f%% (seeds:",
           100 * sw->base);
    for (int i = 0; i < sw->seeds; i++)
        printf(" %.1f%%", 100 * sw->base_seed[i]);
    printf(")\n\n  %-32s %-9s %9s %9s %9s %9s %8s\n", "assumption", "source",
           "low", "high", "at low", "at high", "swing");
    for (int i = 0; i < sw->n; i++) {
        const tg_sweep_row *r = &sw->rows[i];
        printf("  %-32s %-9s %9.4g %9.4g %8.1f%% %8.1f%% %6.1f pt\n",
               r->p.name, r->p.sourced ? "sourced" : "invented", r->p.low,
               r->p.high, 100 * r->reduction_low, 100 * r->reduction_high,
               100 * fabs(r->reduction_high - r->reduction_low));
    }
    printf("\nNot swept (they move no return):");
    for (int i = 0; i < sw->n_fixed; i++)
        printf("%s %s", i ? "," : "", sw->fixed[i].name);
    if (isnan(sw->multiplier))
        printf(".\n\nNo common multiplier of the accept rates up to %.0fx "
               "reaches %.0f%%: at %.0fx the reduction is %.1f%%.\n",
               sw->max_multiplier, 100 * sw->target, sw->max_multiplier,
               100 * sw->reduction_at_max);
    else
        printf(".\n\nReaching %.0f%% takes every accept rate x%.2f (to "
               "within %.2f): %.1f%% there.\n", 100 * sw->target,
               sw->multiplier, sw->multiplier_step,
               100 * sw->reduction_at_multiplier);
}

typedef struct sim_args {
    long months, shoppers, seed, threads, bootstrap, seeds;
    int json, rules, sweep;
    const char *model, *assume, *catalog;
} sim_args;

static int parse_opt(cli_ctx *c, int opt, sim_args *a)
{
    enum { OPT_MONTHS = CLI_OPT_FIRST_FREE, OPT_SHOPPERS, OPT_SEED, OPT_JSON,
           OPT_MODEL, OPT_RULES, OPT_ASSUME, OPT_CATALOG, OPT_THREADS,
           OPT_BOOT, OPT_SWEEP, OPT_SEEDS };
    switch (opt) {
    case OPT_MONTHS:
        return cli_int(c, "--months", optarg, 1, 60, &a->months);
    case OPT_SHOPPERS:
        return cli_int(c, "--shoppers", optarg, 1, 5000000, &a->shoppers);
    case OPT_SEED:
        return cli_int(c, "--seed", optarg, 0, 2147483647L, &a->seed);
    case OPT_THREADS:
        return cli_int(c, "--threads", optarg, 1, 8, &a->threads);
    case OPT_BOOT:
        return cli_int(c, "--bootstrap", optarg, 20, 100000, &a->bootstrap);
    case OPT_SEEDS:
        return cli_int(c, "--seeds", optarg, 1, 8, &a->seeds);
    case OPT_JSON: a->json = 1; return -1;
    case OPT_RULES: a->rules = 1; return -1;
    case OPT_SWEEP: a->sweep = 1; return -1;
    case OPT_MODEL: a->model = optarg; return -1;
    case OPT_ASSUME: a->assume = optarg; return -1;
    case OPT_CATALOG: a->catalog = optarg; return -1;
    default: return cli_common(c, opt, optarg);
    }
}

static int parse(cli_ctx *c, int argc, char **argv, sim_args *a)
{
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"months", required_argument, NULL, CLI_OPT_FIRST_FREE},
        {"shoppers", required_argument, NULL, CLI_OPT_FIRST_FREE + 1},
        {"seed", required_argument, NULL, CLI_OPT_FIRST_FREE + 2},
        {"json", no_argument, NULL, CLI_OPT_FIRST_FREE + 3},
        {"model", required_argument, NULL, CLI_OPT_FIRST_FREE + 4},
        {"rules", no_argument, NULL, CLI_OPT_FIRST_FREE + 5},
        {"assumptions", required_argument, NULL, CLI_OPT_FIRST_FREE + 6},
        {"catalog", required_argument, NULL, CLI_OPT_FIRST_FREE + 7},
        {"threads", required_argument, NULL, CLI_OPT_FIRST_FREE + 8},
        {"bootstrap", required_argument, NULL, CLI_OPT_FIRST_FREE + 9},
        {"sweep", no_argument, NULL, CLI_OPT_FIRST_FREE + 10},
        {"seeds", required_argument, NULL, CLI_OPT_FIRST_FREE + 11},
        {NULL, 0, NULL, 0}};
    int opt, rc;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1)
        if ((rc = parse_opt(c, opt, a)) >= 0)
            return rc;
    if (optind < argc)
        return cli_usage(c, "unexpected argument '%s'", argv[optind]);
    if (a->rules && a->model)
        return cli_usage(c, "--rules and --model exclude each other");
    if (a->seeds && !a->sweep)
        return cli_usage(c, "--seeds goes with --sweep");
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

/* Keeps the sweep in the store when there is one, for report --html. */
static void keep_sweep(const cli_ctx *c, const tg_sweep *sw)
{
    tg_err err = {0};
    tg_store *s = store_open(c->db, 0, &err);
    if (s && sim_sweep_store(s, sw, (int64_t)time(NULL), &err) == TG_OK)
        fprintf(stderr, "The sweep is kept in %s for trendguard report "
                "--html.\n", c->db);
    else
        fprintf(stderr, "The sweep was not kept in a store (%s).\n",
                err.msg[0] ? err.msg : "none");
    store_close(s);
}

static int run(cli_ctx *c, const sim_args *a, tg_sim_opts *o)
{
    cli_progress bar;
    cli_progress_begin(&bar, a->sweep ? "sweeping" : "simulating");
    o->progress = on_progress;
    o->ud = &bar;
    tg_err err = {0};
    int rc;
    char *text = NULL;
    if (a->sweep) {
        static tg_sweep sw;
        rc = sim_sweep(o, a->seeds ? (int)a->seeds : 3, &sw, &err);
        cli_progress_end(&bar);
        if (rc == TG_OK && a->json)
            text = sim_sweep_json(&sw);
        else if (rc == TG_OK)
            print_sweep(&sw);
        if (rc == TG_OK)
            keep_sweep(c, &sw);
    } else {
        tg_sim_result r;
        rc = sim_run(o, &r, &err);
        cli_progress_end(&bar);
        if (rc == TG_OK && a->json)
            text = sim_result_json(&r, o->assume);
        else if (rc == TG_OK)
            print_report(&r);
        sim_result_free(&r);
    }
    if (rc != TG_OK)
        return cli_fail(c, &err);
    if (a->json && !text)
        return cli_fail(c, &(tg_err){TG_EINTERNAL, "out of memory"});
    if (text)
        printf("%s\n", text);
    free(text);
    return TG_OK;
}

int cmd_simulate(int argc, char **argv)
{
    cli_ctx c;
    cli_begin(&c, "simulate");
    sim_args a = {6, 0, 1, 2, 400, 0, 0, 0, 0, NULL, NULL, NULL};
    int rc = parse(&c, argc, argv, &a);
    if (rc >= 0)
        return rc;
    /* A sweep's seeds treat every shopper: 20,000 each are as many treated
     * shoppers as a default run's 40,000. */
    if (!a.shoppers)
        a.shoppers = a.sweep ? 20000 : 40000;
    tg_err err = {0};
    static tg_nudge_catalog cat;
    static tg_behaviour beh;
    static tg_sim_assume as;
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
    rc = run(&c, &a, &o);
    model_free(m);
    shopper_words_free(&words);
    return rc;
}
