/* store_summary.c: what the store holds, for `trendguard status`: each
 * table's rows, the purchases' time span and the share of lines returned
 * within 30 days, and the rows loads have filled (store.h). */
#include "trendguard/store.h"

#include <string.h>

static const struct {
    const char *name, *sql;
} counts[STORE_SUMMARY_COUNTS] = {
    {"products", "SELECT count(*) FROM products"},
    {"customers", "SELECT count(*) FROM customers"},
    {"hashtags", "SELECT count(*) FROM hashtags"},
    {"trend_snapshots", "SELECT count(*) FROM trend_snapshots"},
    {"purchases", "SELECT count(*) FROM purchases"},
    {"orders", "SELECT count(DISTINCT order_code) FROM purchases"},
    {"returns", "SELECT count(*) FROM returns"},
    {"rejects", "SELECT count(*) FROM rejects"},
    {"scores", "SELECT count(*) FROM scores"},
    {"interventions", "SELECT count(*) FROM interventions"
                      " WHERE source = 'live'"},
    {"pilot_decisions", "SELECT count(*) FROM interventions"
                        " WHERE source = 'pilot'"},
    {"models", "SELECT count(*) FROM model_registry"},
};

static const char sql_first[] = "SELECT MIN(ordered_at) FROM purchases";
static const char sql_last[] = "SELECT MAX(ordered_at) FROM purchases";
static const char sql_returned[] =
    "SELECT count(*) FROM v_labels WHERE returned = 1";

void store_summary(tg_store *s, tg_store_summary *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < STORE_SUMMARY_COUNTS; i++) {
        out->name[i] = counts[i].name;
        out->rows[i] = store_count(s, counts[i].sql);
    }
    out->purchases = out->rows[4];
    out->first_purchase = store_count(s, sql_first);
    out->last_purchase = store_count(s, sql_last);
    out->returned_30d = store_count(s, sql_returned);
}

int64_t store_loaded_rows(tg_store *s)
{
    return store_count(s, "SELECT (SELECT count(*) FROM products)"
                          " + (SELECT count(*) FROM customers)"
                          " + (SELECT count(*) FROM trend_snapshots)"
                          " + (SELECT count(*) FROM purchases)"
                          " + (SELECT count(*) FROM returns)"
                          " + (SELECT count(*) FROM truth)");
}
