/* sim_store.c: a sweep kept in the store for `report --html`: the JSON of
 * sim_sweep_json in sim_sweeps (schema version 6), and the newest one read
 * back. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "trendguard/store.h"

static const char SQL_ADD[] =
    "INSERT INTO sim_sweeps(created_at, json) VALUES(?, ?)";
static const char SQL_LATEST[] =
    "SELECT json FROM sim_sweeps ORDER BY id DESC LIMIT 1";

static int fail_code(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

int sim_sweep_store(tg_store *s, const tg_sweep *sw, int64_t now,
                    tg_err *err)
{
    char *json = sim_sweep_json(sw);
    if (!json)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = TG_OK;
    sqlite3_stmt *st = store_prepare(s, SQL_ADD, err);
    if (!st)
        rc = fail_code(err);
    if (rc == TG_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_fail(s, err, "storing the sweep");
    }
    sqlite3_finalize(st);
    free(json);
    return rc;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The rows of a stored sweep's "assumptions". */
static void parse_rows(const cJSON *as, tg_sweep *sw)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, as)
    {
        if (sw->n >= 2 * TG_SIM_MAX_PARAMS)
            break;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (!cJSON_IsString(name))
            continue;
        tg_sweep_row *r = &sw->rows[sw->n++];
        tg_strlcpy(r->p.name, name->valuestring, sizeof r->p.name);
        r->p.sourced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
            e, "sourced"));
        r->p.moves_returns = 1;
        r->p.value = num(e, "value");
        r->p.low = num(e, "low");
        r->p.high = num(e, "high");
        r->reduction_low = num(e, "reduction_low");
        r->reduction_high = num(e, "reduction_high");
        r->at_low = (tg_sweep_figures){r->reduction_low,
                                       num(e, "satisfaction_low"),
                                       num(e, "resale_low")};
        r->at_high = (tg_sweep_figures){r->reduction_high,
                                        num(e, "satisfaction_high"),
                                        num(e, "resale_high")};
    }
}

/* A stored sweep's JSON back into sw (what the report draws). */
static int parse_sweep(const char *json, tg_sweep *sw, tg_err *err)
{
    cJSON *o = cJSON_Parse(json);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return tg_fail(err, TG_EDATA, "sim_sweeps: not a sweep");
    }
    sw->seeds = (int)num(o, "seeds");
    sw->shoppers = (int)num(o, "shoppers");
    sw->months = (int)num(o, "months");
    double mv = num(o, "model_version");
    sw->model_version = isnan(mv) ? 0 : (int)mv;
    sw->base = num(o, "base");
    sw->base_all = (tg_sweep_figures){sw->base, num(o, "base_satisfaction"),
                                      num(o, "base_resale")};
    sw->seconds = num(o, "seconds");
    parse_rows(cJSON_GetObjectItemCaseSensitive(o, "assumptions"), sw);
    const cJSON *nd = cJSON_GetObjectItemCaseSensitive(o, "needed_for_25");
    sw->target = num(nd, "target");
    sw->multiplier = num(nd, "acceptance_multiplier");
    sw->reduction_at_multiplier = num(nd, "reduction");
    sw->multiplier_step = num(nd, "step");
    sw->max_multiplier = num(nd, "largest_tried");
    sw->reduction_at_max = num(nd, "reduction_at_largest");
    cJSON_Delete(o);
    return TG_OK;
}

int sim_sweep_latest(tg_store *s, tg_sweep *sw, int *found, tg_err *err)
{
    memset(sw, 0, sizeof *sw);
    *found = 0;
    sqlite3_stmt *st = store_prepare(s, SQL_LATEST, err);
    if (!st)
        return fail_code(err);
    int rc = TG_OK, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        rc = parse_sweep((const char *)sqlite3_column_text(st, 0), sw, err);
        *found = rc == TG_OK;
    } else if (step != SQLITE_DONE) {
        rc = store_fail(s, err, "reading the sweep");
    }
    sqlite3_finalize(st);
    return rc;
}
