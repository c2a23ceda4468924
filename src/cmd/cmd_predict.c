/* cmd_predict.c: `trendguard predict`: scores a numeric CSV (header =
 * feature names) with an XGBoost JSON model through the embedded runtime:
 * one line per row with the probability, the margin or the TreeSHAP
 * contributions (bias last), or all of them in one JSON object. */
#include <cjson/cJSON.h>
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

/* --json: the object's head, before the first row. */
static void json_head(const char *model, const tg_model *m, int mode)
{
    static const char *const names[] = {"probability", "margin", "contribs"};
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", cli_shown(model));
    cJSON_AddStringToObject(o, "output", names[mode]);
    if (mode == OUT_CONTRIBS) {
        cJSON *f = cJSON_AddArrayToObject(o, "features");
        for (size_t i = 0; i < model_num_features(m); i++) {
            const char *n = model_feature_name(m, i);
            char pos[32];
            snprintf(pos, sizeof pos, "f%zu", i);
            cJSON_AddItemToArray(f, cJSON_CreateString(n ? n : pos));
        }
        cJSON_AddItemToArray(f, cJSON_CreateString("bias"));
    }
    char *text = cJSON_PrintUnformatted(o);
    /* Printed without its closing brace: the values follow. */
    if (text)
        printf("%.*s,\"values\":[", (int)strlen(text) - 1, text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* One row's result: a line, or a JSON value after sep. */
static void print_row(int json, long row, size_t n, const float *v)
{
    if (json && row > 0)
        putchar(',');
    if (json && n > 1)
        putchar('[');
    for (size_t f = 0; f < n; f++)
        printf("%s%.9g", f ? "," : "", (double)v[f]);
    if (json && n > 1)
        putchar(']');
    if (!json)
        putchar('\n');
}

static int run(const cli_ctx *c, const char *model_path, const char *file,
               int mode, int json)
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
    if (json)
        json_head(model_path, m, mode);
    for (long row = 0; (got = csv_next(csv, &err)) == 1; row++) {
        if ((rc = read_row(csv, m, map, src, x)) != TG_OK)
            goto out;
        if (mode == OUT_PROB) {
            contrib[0] = model_predict(m, x);
        } else if (mode == OUT_MARGIN) {
            contrib[0] = model_margin(m, x);
        } else if ((rc = model_contribs(m, x, contrib, &err)) != TG_OK) {
            cli_fail(c, &err);
            goto out;
        }
        print_row(json, row, mode == OUT_CONTRIBS ? nf + 1 : 1, contrib);
    }
    if (got < 0)
        rc = cli_fail(c, &err);
    else if (json)
        printf("]}\n");
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

enum { MODEL, MARGIN, CONTRIBS, JSON };
static const cli_opt opts[] = {
    [MODEL] = CLI_OPT_MUST('m', "model", CLI_FILE, "PATH",
                           "the XGBoost JSON model"),
    [MARGIN] = CLI_OPT_FLAG(0, "margin", "print the margin (log-odds) "
                                         "instead of the probability"),
    [CONTRIBS] = CLI_OPT_FLAG(0, "contribs",
                              "print the TreeSHAP contributions, "
                              "comma-separated, the bias last"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard predict --model model.json rows.csv",
     "one probability per row of rows.csv"},
    {"sqlite3 -header -csv shop.db 'SELECT ...' | trendguard predict -m "
     "model.json --contribs",
     "why, per feature, for rows from standard input"},
    {NULL, NULL}};

const cli_spec cmd_predict_spec = {
    "predict", cmd_predict, "score a numeric CSV with an XGBoost JSON model",
    "Scores a numeric CSV from FILE or standard input ('-' or none) with "
    "an XGBoost JSON model: the header names the features (matched by "
    "name, or by position when the model has none); an empty cell, NaN or "
    "NA is missing. One line per row.",
    opts, "[FILE]", CLI_FILE, 0, 1, examples};

int cmd_predict(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_predict_spec, argc, argv);
    if (rc >= 0)
        return rc;
    if (cli_has(&c, MARGIN) && cli_has(&c, CONTRIBS))
        return cli_usage(&c, "--margin and --contribs exclude each other");
    int mode = cli_has(&c, MARGIN)     ? OUT_MARGIN
               : cli_has(&c, CONTRIBS) ? OUT_CONTRIBS
                                       : OUT_PROB;
    const char *file = c.nargs ? c.args[0] : NULL;
    if (file && strcmp(file, "-") == 0)
        file = NULL;
    const char *model = cli_str(&c, MODEL);
    if (!file && strcmp(model, "-") == 0)
        return cli_usage(&c, "the model and the rows cannot both come from "
                             "standard input");
    if ((rc = cli_stdin_file(&c, &model)) != TG_OK)
        return rc;
    return run(&c, model, file, mode, cli_has(&c, JSON));
}
