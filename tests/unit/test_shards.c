/* test_shards.c: the training-set shards (shards.h) on a generated demo
 * store: every mature line in exactly one shard with the values the
 * trainer reads, bit for bit; customers never split; the hold-out decided
 * by the trainer's rule and numbered in its order; libxgboost reading the
 * LIBSVM files itself to the same floats; the same bytes twice; safe
 * rewrites; and tampered, truncated, missing or malformed files refused
 * with the file and line named. */
#include "demo_store.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sys/stat.h>
#include <xgboost/c_api.h>

#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/shards.h"

typedef struct fx {
    char dir[256], db[300], sh[300];
} fx;

static fx F;

static int group_setup(void **state)
{
    tu_tmpdir(F.dir, sizeof F.dir);
    snprintf(F.db, sizeof F.db, "%s/t.db", F.dir);
    snprintf(F.sh, sizeof F.sh, "%s/shards", F.dir);
    tu_demo_store(F.dir, F.db, 3);
    *state = &F;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tu_rmrf(F.dir);
    return 0;
}

/* Exports n shards of the demo store into dir. */
static int export_to(const char *dir, int n, int valid_days, tg_err *err)
{
    tg_store *s = store_open(F.db, 0, err);
    assert_non_null(s);
    tg_shards_opts o = {dir, n, valid_days};
    int rc = shards_export(s, &o, NULL, NULL, NULL, err);
    store_close(s);
    return rc;
}

static void path_of(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* Shard k's purchase ids in file order, from its lines file. */
static int64_t *shard_ids(const char *dir, int k, size_t n)
{
    char name[64], path[600], line[256];
    shards_file_name(k, SHARD_LINES, name, sizeof name);
    path_of(path, sizeof path, dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int64_t *ids = malloc(n * sizeof *ids);
    size_t i = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* the header */
    while (fgets(line, sizeof line, f) && i < n)
        ids[i++] = strtoll(line, NULL, 10);
    fclose(f);
    assert_int_equal(i, n);
    return ids;
}

static int same_float(float a, float b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Index of purchase id in the dataset (ids are unique). */
static size_t find_row(const tg_dataset *d, int64_t id)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->id[i] == id)
            return i;
    fail_msg("purchase %lld is in no dataset row", (long long)id);
    return 0;
}

static void check_row(const tg_dataset *d, size_t i, const float *x, float y)
{
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        if (!same_float(d->x[i * d->nfeat + (size_t)f], x[f]))
            fail_msg("purchase %lld, %s: %.9g in the shard, %.9g read by "
                     "the trainer", (long long)d->id[i], features_name(f),
                     (double)x[f], (double)d->x[i * d->nfeat + (size_t)f]);
    assert_true(d->y[i] == y);
}

/* The shard of each customer (or anonymous order); fails when one is in
 * two shards. */
static void check_owner(tg_store *s, int64_t id, int k, int *shard_of)
{
    long long c = tu_int(s, "SELECT coalesce(customer_id, -id) FROM "
                            "purchases WHERE id = %lld", (long long)id);
    assert_true(c > 0); /* the demo data has no anonymous lines */
    if (shard_of[c] >= 0 && shard_of[c] != k)
        fail_msg("customer %lld is in shards %d and %d", c, shard_of[c], k);
    shard_of[c] = k;
}

static void rows_match_the_training_set(void **state)
{
    fx *f = *state;
    tg_err err = {0};
    assert_int_equal(export_to(f->sh, 3, 30, &err), TG_OK);
    tg_shards_manifest m;
    assert_int_equal(shards_manifest_read(f->sh, &m, &err), TG_OK);
    tg_store *s = store_open(f->db, 0, &err);
    tg_dataset d;
    assert_int_equal(dataset_load(s, DATASET_MATURE, 0, &d, &err), TG_OK);
    int64_t cut;
    size_t v0 = shards_holdout_start(d.t, d.n, 30, &cut);
    assert_int_equal(m.nshards, 3);
    assert_int_equal(m.n_train, v0);
    assert_int_equal(m.n_valid, d.n - v0);
    assert_true(m.cut == cut && m.valid_from == d.t[v0] &&
                m.valid_to == d.t[d.n - 1]);
    char *seen = calloc(d.n, 1);
    long long ncust = tu_int(s, "SELECT max(id) FROM customers");
    int *shard_of = malloc((size_t)(ncust + 1) * sizeof *shard_of);
    for (long long c = 0; c <= ncust; c++)
        shard_of[c] = -1;
    for (int k = 0; k < 3; k++) {
        tg_shard sh;
        assert_int_equal(shards_load(f->sh, &m, k, &sh, &err), TG_OK);
        assert_true(sh.n_train > 500 && sh.n_valid > 500);
        int64_t *ids = shard_ids(f->sh, k, sh.n_train + sh.n_valid);
        for (size_t j = 0; j < sh.n_train + sh.n_valid; j++) {
            size_t i = find_row(&d, ids[j]);
            assert_false(seen[i]);
            seen[i] = 1;
            check_owner(s, ids[j], k, shard_of);
            int valid = j >= sh.n_train;
            size_t r = valid ? j - sh.n_train : j;
            check_row(&d, i, (valid ? sh.x_valid : sh.x_train) +
                                 r * TG_NUM_FEATURES,
                      (valid ? sh.y_valid : sh.y_train)[r]);
            /* The hold-out is the trainer's, numbered in its order. */
            assert_int_equal(valid, i >= v0);
            if (valid) {
                assert_int_equal(sh.row[r], i - v0);
                assert_true(same_float(sh.truth[r], d.truth[i]));
            }
        }
        free(ids);
        shards_free(&sh);
    }
    for (size_t i = 0; i < d.n; i++)
        assert_true(seen[i]);
    free(seen);
    free(shard_of);
    dataset_free(&d);
    store_close(s);
    shards_manifest_free(&m);
}

/* libxgboost reads the LIBSVM file at path itself: the same rows, every
 * value the worker parsed (zeros included) as the same float, the labels. */
static void check_xgb_file(const char *path, const float *x, const float *y,
                           size_t n)
{
    char uri[700];
    snprintf(uri, sizeof uri, "%s?format=libsvm", path);
    DMatrixHandle dm;
    assert_int_equal(XGDMatrixCreateFromFile(uri, 1, &dm), 0);
    bst_ulong rows = 0, nnz = 0, nl = 0;
    XGDMatrixNumRow(dm, &rows);
    XGDMatrixNumNonMissing(dm, &nnz);
    assert_int_equal(rows, n);
    bst_ulong *indptr = malloc((rows + 1) * sizeof *indptr);
    unsigned *idx = malloc(nnz * sizeof *idx);
    float *val = malloc(nnz * sizeof *val);
    assert_int_equal(XGDMatrixGetDataAsCSR(dm, "{}", indptr, idx, val), 0);
    for (bst_ulong r = 0; r < rows; r++) {
        const float *xr = x + r * TG_NUM_FEATURES;
        int present = 0;
        for (int c = 0; c < TG_NUM_FEATURES; c++)
            present += !isnan(xr[c]);
        assert_int_equal(indptr[r + 1] - indptr[r], present);
        for (bst_ulong e = indptr[r]; e < indptr[r + 1]; e++)
            if (xr[idx[e]] != val[e])
                fail_msg("%s row %lu, %s: XGBoost read %.9g, the worker "
                         "%.9g", path, (unsigned long)r,
                         features_name((int)idx[e]), (double)val[e],
                         (double)xr[idx[e]]);
    }
    const float *labels = NULL;
    XGDMatrixGetFloatInfo(dm, "label", &nl, &labels);
    assert_int_equal(nl, n);
    for (bst_ulong r = 0; r < nl; r++)
        assert_true(labels[r] == y[r]);
    free(indptr), free(idx), free(val);
    XGDMatrixFree(dm);
}

static void xgboost_reads_the_shards(void **state)
{
    fx *f = *state;
    tg_err err = {0};
    tg_shards_manifest m;
    assert_int_equal(shards_manifest_read(f->sh, &m, &err), TG_OK);
    for (int k = 0; k < m.nshards; k++) {
        tg_shard sh;
        char path[700];
        assert_int_equal(shards_load(f->sh, &m, k, &sh, &err), TG_OK);
        path_of(path, sizeof path, f->sh, m.shard[k].f[SHARD_TRAIN].name);
        check_xgb_file(path, sh.x_train, sh.y_train, sh.n_train);
        path_of(path, sizeof path, f->sh, m.shard[k].f[SHARD_VALID].name);
        check_xgb_file(path, sh.x_valid, sh.y_valid, sh.n_valid);
        shards_free(&sh);
    }
    /* The feature map names the features in model order. */
    char path[600];
    path_of(path, sizeof path, f->sh, SHARDS_FEATMAP);
    char *text = tg_read_file(path, NULL, 0, &err), *line = text;
    for (int c = 0; c < TG_NUM_FEATURES; c++) {
        char want[80];
        snprintf(want, sizeof want, "%d %s q\n", c, features_name(c));
        assert_memory_equal(line, want, strlen(want));
        line += strlen(want);
    }
    assert_int_equal(*line, '\0');
    free(text);
    shards_manifest_free(&m);
}

static char *read_text(const char *dir, const char *name)
{
    char path[600];
    path_of(path, sizeof path, dir, name);
    return tg_read_file(path, NULL, 0, NULL);
}

static int exists(const char *dir, const char *name)
{
    char path[600];
    struct stat sb;
    path_of(path, sizeof path, dir, name);
    return stat(path, &sb) == 0;
}

static void write_text(const char *dir, const char *name, const char *text)
{
    char path[600];
    path_of(path, sizeof path, dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void same_bytes_and_safe_rewrites(void **state)
{
    fx *f = *state;
    tg_err err = {0};
    char dir[400];
    snprintf(dir, sizeof dir, "%s/again", f->dir);
    assert_int_equal(export_to(dir, 3, 30, &err), TG_OK);
    char *a = read_text(f->sh, SHARDS_MANIFEST), *b = read_text(dir, SHARDS_MANIFEST);
    assert_string_equal(a, b); /* the same store, the same checksums */
    free(b);
    /* Again into the same folder, then with fewer shards: the files of
     * shard 2 go. */
    assert_int_equal(export_to(dir, 3, 30, &err), TG_OK);
    assert_int_equal(export_to(dir, 2, 30, &err), TG_OK);
    assert_true(exists(dir, "shard-1.train.libsvm"));
    assert_false(exists(dir, "shard-2.train.libsvm"));
    assert_false(exists(dir, "shard-2.lines.csv"));
    /* A file of ours that the manifest does not vouch for: nothing is
     * written. */
    write_text(dir, "shard-0.valid.libsvm", "mine\n");
    char *before = read_text(dir, SHARDS_MANIFEST);
    assert_int_equal(export_to(dir, 2, 30, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "not overwriting"));
    char *after = read_text(dir, SHARDS_MANIFEST), *mine =
        read_text(dir, "shard-0.valid.libsvm");
    assert_string_equal(before, after);
    assert_string_equal(mine, "mine\n");
    free(before), free(after), free(mine);
    /* A manifest that is not ours. */
    char other[400];
    snprintf(other, sizeof other, "%s/other", f->dir);
    mkdir(other, 0700);
    write_text(other, SHARDS_MANIFEST, "{\"format\": \"something else\"}");
    assert_int_equal(export_to(other, 2, 30, &err), TG_EDATA);
    assert_false(exists(other, "shard-0.train.libsvm"));
    unlink(strcat(other, "/" SHARDS_MANIFEST));
    other[strlen(other) - strlen("/" SHARDS_MANIFEST)] = '\0';
    /* An export that did not finish is refused by the reader and
     * finished by the next export. */
    char *half = strstr(a, "\"complete\":\ttrue");
    assert_non_null(half);
    memcpy(half, "\"complete\":false", 16);
    write_text(f->sh, SHARDS_MANIFEST, a);
    tg_shards_manifest m;
    assert_int_equal(shards_manifest_read(f->sh, &m, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "did not finish"));
    assert_int_equal(export_to(f->sh, 3, 30, &err), TG_OK);
    assert_int_equal(shards_manifest_read(f->sh, &m, &err), TG_OK);
    shards_manifest_free(&m);
    free(a);
    /* Nothing to split. */
    assert_int_equal(export_to(other, 2, 3000, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "nothing earlier to train on"));
    assert_int_equal(export_to(dir, 0, 30, &err), TG_EUSAGE);
}

/* Copies the shards into dir (fresh). */
static void copy_shards(const char *dir)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", dir, F.sh,
             dir);
    assert_int_equal(system(cmd), 0);
}

static int load_code(const char *dir, int k, tg_err *err)
{
    tg_shards_manifest m;
    int rc = shards_manifest_read(dir, &m, err);
    if (rc != TG_OK)
        return rc;
    tg_shard sh;
    rc = shards_load(dir, &m, k, &sh, err);
    shards_free(&sh);
    tg_err e2 = {0};
    int vrc = shards_verify(dir, &m, &e2);
    shards_manifest_free(&m);
    /* shards_verify agrees on what shards_load checks first. */
    if (rc == TG_EDATA && strstr(err->msg, "does not match"))
        assert_int_equal(vrc, TG_EDATA);
    return rc;
}

static void tampered_shards_are_refused(void **state)
{
    fx *f = *state;
    tg_err err = {0};
    char dir[400], cmd[1400];
    snprintf(dir, sizeof dir, "%s/tampered", f->dir);
    /* One label flipped: the same size, another SHA-256. */
    copy_shards(dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && awk 'NR==5{$1 = 1-$1} {print}' "
             "shard-1.train.libsvm > t && mv t shard-1.train.libsvm", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(load_code(dir, 1, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "shard-1.train.libsvm: its SHA-256"));
    assert_int_equal(load_code(dir, 0, &err), TG_OK);
    /* Truncated, grown, missing. */
    copy_shards(dir);
    snprintf(cmd, sizeof cmd, "truncate -s -1 '%s/shard-2.valid.libsvm'",
             dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(load_code(dir, 2, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "bytes, the manifest says"));
    copy_shards(dir);
    snprintf(cmd, sizeof cmd, "rm '%s/shard-0.lines.csv'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(load_code(dir, 0, &err), TG_ENOINPUT);
    /* The manifest: missing, not JSON, another program's features. */
    copy_shards(dir);
    char *text = read_text(dir, SHARDS_MANIFEST);
    write_text(dir, SHARDS_MANIFEST, "{");
    assert_int_equal(load_code(dir, 0, &err), TG_EDATA);
    char *p = strstr(text, "\"price\"");
    memcpy(p, "\"pric3\"", 7);
    write_text(dir, SHARDS_MANIFEST, text);
    assert_int_equal(load_code(dir, 0, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "features are not this program's"));
    free(text);
    snprintf(cmd, sizeof cmd, "rm '%s/%s'", dir, SHARDS_MANIFEST);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(load_code(dir, 0, &err), TG_ENOINPUT);
    tu_rmrf(dir);
}

/* Replaces shard 0's training file with text and updates the manifest's
 * entry (rows, bytes, SHA-256) to match, as a forger would. */
static void forge_train_file(const char *dir, const char *text, int rows)
{
    write_text(dir, "shard-0.train.libsvm", text);
    char *mt = read_text(dir, SHARDS_MANIFEST), path[600], sha[65];
    cJSON *j = cJSON_Parse(mt);
    free(mt);
    cJSON *e = cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(j, "shards"), 0), "train");
    path_of(path, sizeof path, dir, "shard-0.train.libsvm");
    tg_sha256_file(path, sha, NULL);
    long long old = (long long)cJSON_GetObjectItem(e, "rows")->valuedouble;
    cJSON_SetNumberValue(cJSON_GetObjectItem(e, "rows"), rows);
    cJSON_SetNumberValue(cJSON_GetObjectItem(e, "bytes"), (double)strlen(text));
    cJSON_SetValuestring(cJSON_GetObjectItem(e, "sha256"), sha);
    /* Keep the totals adding up: the lines file keeps its count. */
    cJSON *rows_all = cJSON_GetObjectItem(j, "rows");
    cJSON *tr = cJSON_GetObjectItem(rows_all, "train");
    cJSON_SetNumberValue(tr, tr->valuedouble - (double)old + rows);
    cJSON *lines = cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(j, "shards"), 0), "lines");
    cJSON *lr = cJSON_GetObjectItem(lines, "rows");
    cJSON_SetNumberValue(lr, lr->valuedouble - (double)old + rows);
    char *out = cJSON_Print(j);
    write_text(dir, SHARDS_MANIFEST, out);
    free(out);
    cJSON_Delete(j);
}

static void parse_errors_name_the_line(void **state)
{
    fx *f = *state;
    tg_err err = {0};
    char dir[400];
    snprintf(dir, sizeof dir, "%s/forged", f->dir);
    static const struct {
        const char *text, *says;
    } cases[] = {
        {"1 0:1\n0 1:2\n2 0:1\n", ":3: the label is not 0 or 1"},
        {"1 3:1 2:1\n", ":1: a feature index is missing, out of range"},
        {NULL, ":1: a feature index is missing, out of range"}, /* one past */
        {"0 1:abc\n", ":1: a feature value is not a number"},
        {"0 1:nan\n", ":1: a feature value is not a number"},
        {"0 1:2", ":1: a line that does not end"},
    };
    char past[32]; /* a feature index one past the last */
    snprintf(past, sizeof past, "1 %d:1\n", TG_NUM_FEATURES);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *text = cases[i].text ? cases[i].text : past;
        copy_shards(dir);
        int rows = 0;
        for (const char *p = text; *p; p++)
            rows += *p == '\n';
        forge_train_file(dir, text, rows ? rows : 1);
        assert_int_equal(load_code(dir, 0, &err), TG_EDATA);
        if (!strstr(err.msg, cases[i].says))
            fail_msg("case %zu: '%s' does not say '%s'", i, err.msg,
                     cases[i].says);
    }
    /* The rows the manifest says, and the lines file's sets. */
    copy_shards(dir);
    forge_train_file(dir, "1 0:1\n", 2);
    assert_int_equal(load_code(dir, 0, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "1 rows, the manifest says 2"));
    tu_rmrf(dir);
}

static void holdout_rule(void **state)
{
    (void)state;
    int64_t t[] = {0, 10 * TG_DAY, 20 * TG_DAY, 40 * TG_DAY, 40 * TG_DAY};
    int64_t cut;
    assert_int_equal(shards_holdout_start(t, 5, 30, &cut), 2);
    assert_int_equal(cut, 10 * TG_DAY);
    assert_int_equal(shards_holdout_start(t, 5, 1, &cut), 3);
    assert_int_equal(shards_holdout_start(t, 0, 30, NULL), 0);
    char name[64];
    shards_file_name(12, SHARD_VALID, name, sizeof name);
    assert_string_equal(name, "shard-12.valid.libsvm");
}

int main(void)
{
    XGBSetGlobalConfig("{\"verbosity\": 0}");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holdout_rule),
        cmocka_unit_test(rows_match_the_training_set),
        cmocka_unit_test(xgboost_reads_the_shards),
        cmocka_unit_test(same_bytes_and_safe_rewrites),
        cmocka_unit_test(tampered_shards_are_refused),
        cmocka_unit_test(parse_errors_name_the_line),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
