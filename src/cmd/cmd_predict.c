/* cmd_predict.c: `trendguard predict`: scores a numeric CSV (header =
 * feature names) with an XGBoost JSON model through the embedded runtime:
 * one line per row with the probability, the margin or the TreeSHAP
 * contributions (bias last). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/csv.h"
#include "trendguard/model.h"

enum { OUT_PROB, OUT_MARGIN, OUT_CONTRIBS };

/* Maps CSV columns to model features: map[f] = CSV column of feature f. */
static int map_header(const cli_ctx *c, tg_csv *csv, const tg_model *m,
                      const char *src, int *map)
{
    size_t nf = model_num_features(m), ncol = csv_nfields(csv);
    if (!model_feature_name(m, 0)) {
        /* No names in the model: by position. */
        if (ncol != nf) {
            fprintf(stderr, "trendguard predict: %s: line 1: %zu columns, "
                            "the model has %zu features\n", src, ncol, nf);
            return TG_EDATA;
        }
        for (size_t f = 0; f < nf; f++)
            map[f] = (int)f;
        return TG_OK;
    }
    size_t d1, d2;
    if (csv_duplicate_column(csv, &d1, &d2)) {
        fprintf(stderr, "trendguard predict: %s: line 1: columns %zu and %zu "
                        "are both named '%.60s'; rename or remove one\n",
                src, d1 + 1, d2 + 1, csv_field(csv, d1));
        return TG_EDATA;
    }
    for (size_t f = 0; f < nf; f++) {
        map[f] = csv_column(csv, model_feature_name(m, f));
        if (map[f] < 0) {
            fprintf(stderr, "trendguard predict: %s: line 1: no column for "
                            "the model's feature '%s'\n", src,
                    model_feature_name(m, f));
            return TG_EDATA;
        }
    }
    for (size_t i = 0; i < ncol; i++)
        if (model_feature_index(m, csv_field(csv, i)) < 0)
            fprintf(stderr, "trendguard predict: %s: warning: ignoring column "
                            "'%s', not a feature of the model\n", src,
                    csv_field(csv, i));
    (void)c;
    return TG_OK;
}

/* Parses one row into x; on a bad cell prints where and returns 65. */
static int read_row(tg_csv *csv, const tg_model *m, const int *map,
                    const char *src, float *x)
{
    size_t nf = model_num_features(m);
    if (csv_problem(csv)) {
        fprintf(stderr, "trendguard predict: %s: line %ld: %s\n", src,
                csv_line(csv), csv_problem(csv));
        return TG_EDATA;
    }
    for (size_t f = 0; f < nf; f++) {
        const char *v = csv_field(csv, (size_t)map[f]);
        while (*v == ' ')
            v++;
        double d;
        if (!*v || tg_strieq(v, "nan") || tg_strieq(v, "na")) {
            x[f] = NAN;
        } else if (tg_parse_double(v, &d) == 0 && fabs(d) <= 3.4e38) {
            x[f] = (float)d;
        } else {
            const char *name = model_feature_name(m, f);
            char pos[32];
            snprintf(pos, sizeof pos, "column %d", map[f] + 1);
            fprintf(stderr, "trendguard predict: %s: line %ld: %s: '%s' is "
                            "not a number\n", src, csv_line(csv),
                    name ? name : pos, v);
            return TG_EDATA;
        }
    }
    return TG_OK;
}

static int run(const cli_ctx *c, const char *model_path, const char *file,
               int mode)
{
    tg_err err = {0};
    tg_model *m = model_load(model_path, &err);
    if (!m)
        return cli_fail(c, &err);
    const char *src = file ? file : "stdin";
    tg_csv *csv = csv_open(file ? file : "-", &err);
    size_t nf = model_num_features(m);
    int *map = calloc(nf ? nf : 1, sizeof *map);
    float *x = calloc(nf ? nf : 1, sizeof *x);
    float *contrib = calloc(nf + 1, sizeof *contrib);
    int rc = TG_OK;
    if (!csv || !map || !x || !contrib) {
        rc = csv ? tg_fail(&err, TG_EINTERNAL, "out of memory")
                 : err.code;
        cli_fail(c, &err);
        goto out;
    }
    int got = csv_next(csv, &err);
    if (got <= 0) {
        if (got == 0)
            tg_fail(&err, TG_EDATA, "%s: no header line", src);
        rc = cli_fail(c, &err);
        goto out;
    }
    if ((rc = map_header(c, csv, m, src, map)) != TG_OK)
        goto out;
    while ((got = csv_next(csv, &err)) == 1) {
        if ((rc = read_row(csv, m, map, src, x)) != TG_OK)
            goto out;
        if (mode == OUT_PROB) {
            printf("%.9g\n", (double)model_predict(m, x));
        } else if (mode == OUT_MARGIN) {
            printf("%.9g\n", (double)model_margin(m, x));
        } else {
            if ((rc = model_contribs(m, x, contrib, &err)) != TG_OK) {
                cli_fail(c, &err);
                goto out;
            }
            for (size_t f = 0; f <= nf; f++)
                printf("%s%.9g", f ? "," : "", (double)contrib[f]);
            putchar('\n');
        }
    }
    if (got < 0)
        rc = cli_fail(c, &err);
out:
    if (fflush(stdout) != 0 && rc == TG_OK) {
        fprintf(stderr, "trendguard predict: cannot write the results\n");
        rc = TG_EIO;
    }
    free(map);
    free(x);
    free(contrib);
    csv_free(csv);
    model_free(m);
    return rc;
}

int cmd_predict(int argc, char **argv)
{
    enum { OPT_MODEL = CLI_OPT_FIRST_FREE, OPT_MARGIN, OPT_CONTRIBS };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"model", required_argument, NULL, OPT_MODEL},
        {"margin", no_argument, NULL, OPT_MARGIN},
        {"contribs", no_argument, NULL, OPT_CONTRIBS},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "predict");
    const char *model = NULL;
    int mode = OUT_PROB, opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_MODEL:
            model = optarg;
            break;
        case OPT_MARGIN:
        case OPT_CONTRIBS:
            if (mode != OUT_PROB)
                return cli_usage(&c, "--margin and --contribs exclude each "
                                     "other");
            mode = opt == OPT_MARGIN ? OUT_MARGIN : OUT_CONTRIBS;
            break;
        default: {
            int rc = cli_common(&c, opt, optarg);
            if (rc >= 0)
                return rc;
        }
        }
    }
    if (!model)
        return cli_usage(&c, "--model PATH is required");
    if (argc - optind > 1)
        return cli_usage(&c, "at most one input file");
    return run(&c, model, optind < argc ? argv[optind] : NULL, mode);
}
