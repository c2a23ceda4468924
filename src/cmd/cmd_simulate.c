/* cmd_simulate.c: `trendguard simulate`: the offline A/B shopper
 * simulation of the intervention engine against control, its shadow (the
 * same shoppers without nudges) and three baselines, with the store's
 * newest model (or --model PATH, or --rules for the engine's rule-based
 * fallback), as a readable report or JSON; and `--sweep`, which moves
 * every assumption to its low and high value and prints what the figure
 * hangs on (kept in the store for `report --html`). --what-if ID turns on
 * a what-if of the catalogue (the return fee). */
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
    printf("  %-22s %14s\n", "fast restock cost",
           grouped(-m->restock_cost, g, sizeof g));
    if (m->fee_income > 0 || m->lost_later_margin > 0) {
        printf("  %-22s %14s\n", "return fees", grouped(m->fee_income, g,
                                                         sizeof g));
        printf("  %-22s %14s\n", "later orders lost",
               grouped(-m->lost_later_margin, g, sizeof g));
    }
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

/* The resale value recovered, its split and the seed's target. */
static void print_resale(const tg_sim_result *r)
{
    const tg_sim_resale *x = &r->cmp[TG_SIM_ENGINE].resale;
    char a[48], b[48], c[48], d[48], e[48];
    printf("Resale value recovered: %s a month here (%s from fewer returns, "
           "%s from the fast restock of\n%ld hot returns, which cost %s); "
           "scaled to TrendBuy %s in six months against the\ntarget of "
           "2,100,000.\n", grouped(x->total / r->months, a, sizeof a),
           grouped(x->returns_avoided, b, sizeof b),
           grouped(x->faster_restock, c, sizeof c),
           r->arm[TG_SIM_ENGINE].fast_restocked,
           grouped(r->arm[TG_SIM_ENGINE].restock_cost, d, sizeof d),
           grouped(r->scale_resale.total / 2, e, sizeof e));
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
           "%+.2f points.\nSatisfaction per order %+.1f%% (95%% interval "
           "%+.1f%% to %+.1f%%; %.3f against %.3f), against the target of "
           "+28%%.\n", grouped((double)e->refunds_avoided, g, sizeof g),
           100 * e->conversion_change, 100 * e->satisfaction_change,
           100 * e->satisfaction_low, 100 * e->satisfaction_high,
           r->arm[TG_SIM_ENGINE].satisfaction,
           r->arm[TG_SIM_SHADOW].satisfaction);
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
    print_resale(r);
    int beats = 1;
    for (int k = TG_SIM_RANDOM; k < TG_SIM_SHADOW; k++)
        beats &= r->cmp[k].vs_engine_low > 0;
    printf("\nTarget: returns down >= 25%% with the interval above 0: %s; "
           "conversion down <= 2 points: %s;\n        net positive: %s; "
           "beats every baseline (interval above 0): %s;\n        "
           "satisfaction up >= 28%%: %s; resale recovered >= 2.1M in six "
           "months: %s.\n",
           e->paired >= 0.25 && e->paired_low > 0 ? "met" : "NOT met",
           e->conversion_change >= -0.02 ? "met" : "NOT met",
           e->roi.net > 0 ? "met" : "NOT met", beats ? "met" : "NOT met",
           e->satisfaction_change >= 0.28 && e->satisfaction_low > 0
               ? "met" : "NOT met",
           r->scale_resale.total / 2 >= 2100000 ? "met" : "NOT met");
    printf("(%.1f s)\n", r->seconds);
}

static void print_sweep(const tg_sweep *sw)
{
    char g[48];
    printf("What the figure hangs on: %d seeds x %d shoppers, %d months, "
           "scoring with %s; %.0f s\n", sw->seeds, sw->shoppers, sw->months,
           sw->model_version > 0 ? "the model" : "the rules", sw->seconds);
    printf("Paired reduction at the default assumptions: %.1f%% (seeds:",
           100 * sw->base);
    for (int i = 0; i < sw->seeds; i++)
        printf(" %.1f%%", 100 * sw->base_seed[i]);
    printf(");\nsatisfaction %+.1f%%, resale recovered %s a year at "
           "TrendBuy's scale%s%s.\n", 100 * sw->base_all.satisfaction,
           grouped(sw->base_all.resale, g, sizeof g),
           sw->what_if[0] ? "; what-if on: " : "", sw->what_if);
    printf("\n  %-32s %-8s %8s %8s %7s %7s %7s %7s %9s %9s\n", "assumption",
           "source", "low", "high", "red lo", "red hi", "sat lo", "sat hi",
           "resale lo", "resale hi");
    for (int i = 0; i < sw->n; i++) {
        const tg_sweep_row *r = &sw->rows[i];
        char lo[48], hi[48];
        printf("  %-32s %-8s %8.4g %8.4g %6.1f%% %6.1f%% %+6.1f%% %+6.1f%% "
               "%9s %9s\n", r->p.name, r->p.sourced ? "sourced" : "invented",
               r->p.low, r->p.high, 100 * r->reduction_low,
               100 * r->reduction_high, 100 * r->at_low.satisfaction,
               100 * r->at_high.satisfaction,
               grouped(r->at_low.resale, lo, sizeof lo),
               grouped(r->at_high.resale, hi, sizeof hi));
    }
    printf("\nNot swept (they move no figure here, or need a what-if):");
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
    const char *what_if; /* ids separated by commas, or NULL */
} sim_args;

enum { MONTHS, SHOPPERS, SEED, JSON, MODEL, RULES, ASSUME, CATALOG,
       THREADS, BOOT, SWEEP, SEEDS, WHAT_IF };
static const cli_opt opts[] = {
    [MONTHS] = CLI_OPT_INT(0, "months", "N", 1, 60, "6",
                           "months the shoppers live through"),
    [SHOPPERS] = CLI_OPT_INT(0, "shoppers", "N", 1, 5000000, NULL,
                             "shoppers, split at random into control and "
                             "treatment; 40000 by default, 20000 a seed "
                             "with --sweep"),
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
    [SWEEP] = CLI_OPT_FLAG(0, "sweep", "move every assumption to its low "
                                       "and high value and print what the "
                                       "paired reduction hangs on (kept in "
                                       "the store for report --html)"),
    [SEEDS] = CLI_OPT_INT(0, "seeds", "N", 1, 8, "3",
                          "with --sweep: seeds run at every point"),
    [WHAT_IF] = CLI_OPT_TEXT(0, "what-if", "ID[,ID]",
                             "turn on what-ifs of the catalogue, off by "
                             "default (return_fee: a fee on the returns of "
                             "serial returners); several separated by "
                             "commas"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard simulate", "six months, 40,000 shoppers, the store's "
                            "newest model"},
    {"trendguard simulate --rules --months 1 --shoppers 2000 --json",
     "a quick run without a model, as JSON"},
    {"trendguard simulate --sweep --seeds 2 --shoppers 5000",
     "what the figure hangs on, two seeds at every assumption's ends"},
    {"trendguard simulate --what-if return_fee --rules",
     "the return fee's what-if, its lost later spending included"},
    {NULL, NULL}};

const cli_spec cmd_simulate_spec = {
    "simulate", cmd_simulate, "run the offline A/B shopper simulation",
    "Runs the offline A/B shopper simulation: shoppers from the behaviour "
    "model live through N months, the nudge engine against the same "
    "shoppers without nudges (paired, on the same random numbers), control "
    "and three baselines (random with the same budget, rules in place of "
    "the model, badge only). --sweep moves every assumption to its low and "
    "high value and prints what the figure hangs on. --what-if turns on "
    "what-ifs of the catalogue that are off by default (the return fee). "
    "Without a model in the store it stops (exit 66) unless --rules or "
    "--model is given.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static int parse(cli_ctx *c, int argc, char **argv, sim_args *a)
{
    int rc = cli_parse(c, &cmd_simulate_spec, argc, argv);
    if (rc >= 0)
        return rc;
    a->months = cli_long(c, MONTHS);
    a->shoppers = cli_has(c, SHOPPERS) ? cli_long(c, SHOPPERS) : 0;
    a->seed = cli_long(c, SEED);
    a->threads = cli_long(c, THREADS);
    a->bootstrap = cli_long(c, BOOT);
    a->seeds = cli_long(c, SEEDS);
    a->json = cli_has(c, JSON);
    a->rules = cli_has(c, RULES);
    a->sweep = cli_has(c, SWEEP);
    a->model = cli_str(c, MODEL);
    a->assume = cli_str(c, ASSUME);
    a->catalog = cli_str(c, CATALOG);
    a->what_if = cli_str(c, WHAT_IF);
    if (cli_has(c, WHAT_IF) > 1)
        return cli_usage(c, "--what-if given twice; name several what-ifs "
                         "in one, separated by commas");
    if (a->rules && a->model)
        return cli_usage(c, "--rules and --model exclude each other");
    if (cli_has(c, SEEDS) && !a->sweep)
        return cli_usage(c, "--seeds goes with --sweep");
    if ((a->model && (rc = cli_stdin_file(c, &a->model)) != TG_OK) ||
        (a->assume && (rc = cli_stdin_file(c, &a->assume)) != TG_OK) ||
        (a->catalog && (rc = cli_stdin_file(c, &a->catalog)) != TG_OK))
        return rc;
    return -1;
}

/* The catalogue's what-ifs, as "a, b", or "it has none". */
static void what_if_list(const tg_nudge_catalog *cat, char *list, size_t n)
{
    list[0] = '\0';
    for (int j = 0; j < cat->n; j++)
        if (cat->nudges[j].what_if)
            snprintf(list + strlen(list), n - strlen(list), "%s%s",
                     list[0] ? ", " : "", cat->nudges[j].id);
    if (!list[0])
        tg_strlcpy(list, "it has none", n);
}

/* --what-if ID[,ID]: turns on the catalogue's what-if nudges. Returns -1,
 * or the usage error's exit code for an ID that is not a what-if. */
static int turn_on_what_ifs(const cli_ctx *c, const sim_args *a,
                            tg_nudge_catalog *cat)
{
    for (const char *w = a->what_if; w;) {
        size_t len = strcspn(w, ",");
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)len, w);
        int i = nudge_catalog_find(cat, id);
        if (i < 0 || !cat->nudges[i].what_if) {
            char list[TG_NUDGE_MAX * 33];
            what_if_list(cat, list, sizeof list);
            return cli_usage(c, "--what-if: '%s' is not a what-if of the "
                             "catalogue (%s)", cli_shown(id), list);
        }
        cat->what_if_on |= 1u << i;
        w = w[len] ? w + len + 1 : NULL;
    }
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

static int run(const cli_ctx *c, const sim_args *a, tg_sim_opts *o)
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
        rc = sim_sweep(o, (int)a->seeds, &sw, &err);
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
    if (a->json)
        rc = cli_json_print(c, text);
    free(text);
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    cli_ctx c;
    sim_args a = {0};
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
    if ((rc = turn_on_what_ifs(&c, &a, &cat)) >= 0)
        return rc;
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
