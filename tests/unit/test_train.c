/* test_train.c: the trainer on generated demo data (metrics, the oracle,
 * registration, determinism, its errors) and batch scoring with the
 * embedded model (scores, drivers, the trigger's queue). */
#include "demo_store.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>

#include "train/train_int.h"
#include "trendguard/score.h"

typedef struct fx {
    char dir[256], db[300];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    tu_demo_store(f->dir, f->db, 3);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

static void quick(tg_train_opts *o, const char *db, const char *out)
{
    train_defaults(o);
    o->db = db;
    o->out = out;
    o->rounds = 40;
    o->eta = 0.3;
    o->nthread = 1;
}

static void trains_evaluates_and_registers(void **state)
{
    fx *f = *state;
    char out[400], metrics[400];
    snprintf(out, sizeof out, "%s/m/model.json", f->dir);
    snprintf(metrics, sizeof metrics, "%s/metrics.json", f->dir);
    tg_train_opts o;
    quick(&o, f->db, out);
    o.metrics_path = metrics;
    tg_train_result r;
    tg_err err = {0};
    if (train_run(&o, &r, &err) != TG_OK)
        fail_msg("train: %s", err.msg);
    assert_int_equal(r.version, 1);
    assert_true(r.n_train > 1000 && r.n_valid > 1000);
    assert_true(r.valid_from > 0 && r.valid_to >= r.valid_from);
    /* A real model: far above the majority class and the prior alone. */
    assert_true(r.auc > 0.85 && r.auc <= 1);
    assert_true(r.accuracy > r.majority_accuracy + 0.1);
    assert_true(r.auc > r.prior_auc);
    assert_true(r.has_oracle);
    assert_true(r.oracle_auc >= r.auc - 0.1);
    assert_int_equal(r.confusion.tp + r.confusion.fp + r.confusion.tn +
                         r.confusion.fn, r.n_valid);
    /* The metrics file has every field the issue names. */
    char *text = tg_read_file(metrics, NULL, 0, &err);
    assert_non_null(text);
    cJSON *m = cJSON_Parse(text);
    free(text);
    assert_non_null(m);
    const char *keys[] = {"accuracy", "balanced_accuracy", "auc", "logloss",
                          "brier", "precision", "recall", "f1", "threshold",
                          "n_train", "n_valid", "confusion", "calibration",
                          "importance_gain", "oracle", "baselines"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!cJSON_GetObjectItem(m, keys[i]))
            fail_msg("metrics has no '%s'", keys[i]);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "calibration")),
                     10);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "baselines"),
                                        "product_prior_rate"));
    cJSON_Delete(m);
    /* Registered with the file's checksum and the threshold. */
    tg_store *s = store_open(f->db, 0, &err);
    tg_model_info info;
    assert_int_equal(registry_latest(s, &info, &err), TG_OK);
    assert_int_equal(info.version, 1);
    assert_string_equal(info.path, out);
    char sha[65];
    assert_int_equal(tg_sha256_file(out, sha, &err), TG_OK);
    assert_string_equal(info.sha256, sha);
    assert_float_equal(info.threshold, r.threshold, 1e-9);
    store_close(s);
    free(r.metrics_json);
}

static void same_data_and_seed_same_model(void **state)
{
    fx *f = *state;
    char a[400], b[400], sa[65], sb[65];
    snprintf(a, sizeof a, "%s/a.json", f->dir);
    snprintf(b, sizeof b, "%s/b.json", f->dir);
    tg_train_opts o;
    tg_train_result r;
    tg_err err = {0};
    quick(&o, f->db, a);
    assert_int_equal(train_run(&o, &r, &err), TG_OK);
    free(r.metrics_json);
    quick(&o, f->db, b);
    assert_int_equal(train_run(&o, &r, &err), TG_OK);
    free(r.metrics_json);
    assert_int_equal(tg_sha256_file(a, sa, &err), TG_OK);
    assert_int_equal(tg_sha256_file(b, sb, &err), TG_OK);
    assert_string_equal(sa, sb);
    assert_int_equal(r.version, 2);
}

static void training_errors(void **state)
{
    fx *f = *state;
    tg_train_opts o;
    tg_train_result r;
    tg_err err = {0};
    char path[400];
    snprintf(path, sizeof path, "%s/none.db", f->dir);
    quick(&o, path, NULL);
    assert_int_equal(train_run(&o, &r, &err), TG_ENOINPUT);
    /* An empty store. */
    tg_store *s = store_open(path, STORE_CREATE, &err);
    store_close(s);
    assert_int_equal(train_run(&o, &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "no purchase lines with a mature label"));
    /* A hold-out covering everything. */
    quick(&o, f->db, NULL);
    o.valid_days = 3000;
    assert_int_equal(train_run(&o, &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "nothing earlier to train on"));
    /* Unwritable output; the model path must end in .json. */
    quick(&o, f->db, "/proc/no/model.json");
    assert_int_equal(train_run(&o, &r, &err), TG_EIO);
    quick(&o, f->db, "model.bin");
    assert_int_equal(train_run(&o, &r, &err), TG_EUSAGE);
    /* One class only: every return removed. */
    s = store_open(f->db, 0, &err);
    assert_int_equal(store_exec(s, "DELETE FROM returns", &err), TG_OK);
    store_close(s);
    quick(&o, f->db, NULL);
    assert_int_equal(train_run(&o, &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "one class only"));
    /* Nothing was registered by the failures. */
    s = store_open(f->db, 0, &err);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM model_registry"), 0);
    store_close(s);
}

static void scoring_queues_interventions(void **state)
{
    fx *f = *state;
    char out[400];
    snprintf(out, sizeof out, "%s/model.json", f->dir);
    tg_train_opts o;
    tg_train_result r;
    tg_err err = {0};
    quick(&o, f->db, out);
    assert_int_equal(train_run(&o, &r, &err), TG_OK);
    free(r.metrics_json);
    tg_store *s = store_open(f->db, 0, &err);
    tg_model_info info;
    tg_model *m = score_open_model(s, NULL, &info, &err);
    assert_non_null(m);
    tg_explainer *ex = explain_load(NULL, &err);
    assert_non_null(ex);
    tg_score_result sr;
    assert_int_equal(score_unscored(s, m, &info, ex, NULL, NULL, &sr, &err),
                     TG_OK);
    long long lines = tu_int(s, "SELECT count(*) FROM purchases");
    assert_int_equal(sr.scored, lines);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM scores"), lines);
    long long high = tu_int(s, "SELECT count(*) FROM scores WHERE p_return "
                               ">= %.17g", info.threshold);
    assert_true(high > 0 && high < lines);
    assert_int_equal(sr.queued, high);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "status='queued' AND model_version=1"), high);
    /* Every score has up to three drivers with sentences. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM scores WHERE "
                               "json_array_length(drivers) NOT BETWEEN 0 AND "
                               "3 OR json_valid(drivers)=0"), 0);
    assert_true(tu_int(s, "SELECT count(*) FROM scores WHERE "
                          "json_extract(drivers,'$[0].text') <> ''") >
                lines / 2);
    /* Scores agree with the hold-out evaluation's predictions in range. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM scores WHERE p_return "
                               "< 0 OR p_return > 1"), 0);
    /* Again: nothing left to score. */
    assert_int_equal(score_unscored(s, m, &info, ex, NULL, NULL, &sr, &err),
                     TG_OK);
    assert_int_equal(sr.scored, 0);
    /* A model file changed after registration is refused. */
    FILE *fp = fopen(out, "ab");
    fputs(" ", fp);
    fclose(fp);
    model_free(m);
    assert_null(score_open_model(s, NULL, &info, &err));
    assert_int_equal(err.code, TG_EDATA);
    assert_non_null(strstr(err.msg, "changed since it was registered"));
    explain_free(ex);
    store_close(s);
}

/* Two score runs at once: the one that waits for the other's write counts
 * the lines the other scored as taken, not as its own. The waiting run's
 * busy handler tells the test when it waits, so the other commits then. */
typedef struct {
    tg_store *s;
    tg_model *m;
    tg_model_info info;
    tg_explainer *ex;
    tg_score_result sr;
    int rc;
    volatile int waiting;
} race;

static int note_wait(void *ud, int tries)
{
    ((race *)ud)->waiting = 1;
    (void)tries;
    usleep(2000);
    return 1; /* keep waiting */
}

static void *race_run(void *ud)
{
    race *x = ud;
    tg_err err = {0};
    x->rc = score_unscored(x->s, x->m, &x->info, x->ex, NULL, NULL, &x->sr,
                           &err);
    return NULL;
}

static void a_run_that_loses_the_race_counts_nothing(void **state)
{
    fx *f = *state;
    tg_train_opts o;
    tg_train_result r;
    tg_err err = {0};
    quick(&o, f->db, NULL);
    assert_int_equal(train_run(&o, &r, &err), TG_OK);
    free(r.metrics_json);
    race x = {0};
    x.s = store_open(f->db, 0, &err);
    x.m = score_open_model(x.s, NULL, &x.info, &err);
    x.ex = explain_load(NULL, &err);
    assert_non_null(x.m);
    assert_non_null(x.ex);
    tg_store *other = store_open(f->db, 0, &err);
    assert_int_equal(store_begin(other, &err), TG_OK); /* the other run */
    sqlite3_busy_handler(store_db(x.s), note_wait, &x);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race_run, &x), 0);
    while (!x.waiting)
        usleep(1000);
    assert_int_equal(store_exec(other, "INSERT INTO scores SELECT id, 1, 0.99,"
                                       " NULL, 0 FROM purchases", &err), TG_OK);
    assert_int_equal(store_commit(other, &err), TG_OK);
    pthread_join(t, NULL);
    assert_int_equal(x.rc, TG_OK);
    long long lines = tu_int(other, "SELECT count(*) FROM purchases");
    assert_int_equal(x.sr.scored, 0);
    assert_int_equal(x.sr.taken, lines);
    assert_int_equal(x.sr.queued, 0);
    assert_int_equal(tu_int(other, "SELECT count(*) FROM scores"), lines);
    store_close(other);
    explain_free(x.ex);
    model_free(x.m);
    store_close(x.s);
}

/* The distributed baseline's threshold from summed histograms is the
 * exact sweep's whenever no bin holds two distinct rates: rates on a
 * 1/1000 grid (ties included), labels that follow them loosely, split
 * over three "workers" whose histograms are summed. */
static void histogram_threshold_is_the_exact_one(void **state)
{
    (void)state;
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    for (int trial = 0; trial < 20; trial++) {
        size_t n = 500 + (size_t)tg_rng_below(&rng, 3000);
        float *v = malloc(n * sizeof *v), *y = malloc(n * sizeof *y);
        long long *sum = calloc(2 * PRIOR_BINS, sizeof *sum);
        float *lo = malloc(PRIOR_BINS * sizeof *lo);
        for (int b = 0; b < PRIOR_BINS; b++)
            lo[b] = INFINITY;
        double tilt = tg_rng_uniform(&rng) * 1.5;
        for (size_t i = 0; i < n; i++) {
            v[i] = (float)tg_rng_below(&rng, 1001) / 1000.0f;
            y[i] = tg_rng_uniform(&rng) < 0.2 + tilt * (v[i] - 0.3) ? 1 : 0;
        }
        for (int k = 0; k < 3; k++) {
            long long *h = calloc(2 * PRIOR_BINS, sizeof *h);
            float *l = malloc(PRIOR_BINS * sizeof *l);
            for (int b = 0; b < PRIOR_BINS; b++)
                l[b] = INFINITY;
            for (size_t i = (size_t)k; i < n; i += 3)
                train_hist_add(h, l, v[i], y[i] > 0.5f);
            for (int b = 0; b < 2 * PRIOR_BINS; b++)
                sum[b] += h[b];
            for (int b = 0; b < PRIOR_BINS; b++)
                lo[b] = l[b] < lo[b] ? l[b] : lo[b];
            free(h), free(l);
        }
        double want = metrics_best_threshold_accuracy(v, y, n);
        double got = train_hist_threshold(sum, lo);
        if (got != want)
            fail_msg("trial %d: %.9g from the histograms, %.9g exact", trial,
                     got, want);
        free(v), free(y), free(sum), free(lo);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(trains_evaluates_and_registers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(same_data_and_seed_same_model, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(training_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(scoring_queues_interventions, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_run_that_loses_the_race_counts_nothing, setup, teardown),
        cmocka_unit_test(histogram_threshold_is_the_exact_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
