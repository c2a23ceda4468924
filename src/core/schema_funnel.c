/* schema_funnel.c: the store's schema version 12: the rollup of the
 * intervention funnel of real use (report_interventions in report_iv.c),
 * kept current by triggers on interventions, purchases and a product's
 * category, so that the dashboard's funnel for any period and filter reads
 * a row per day, cell, nudge and answer instead of every intervention.
 *
 *   funnel_days   live interventions (source 'live') that are not
 *                 accepted, per day, category and channel code, nudge ('',
 *                 none) and status: n.
 *
 * An intervention counts at its line's purchase day, category and channel
 * (the time report_interventions counts it at); one without a line (a
 * cart's, or a cancelled line's) at the day it was created, in category
 * and channel -1, which no filter selects. Accepted ones are not rolled
 * up: what they saved needs each one's price, outcome and trend phase at
 * purchase, which report_interventions reads row by row (they are the
 * few that got an answer).
 *
 * As in schema_rollup.c, a cell whose rows all left is deleted (found
 * through a partial index of the empty rows), so a store holds the same
 * rows however it got there; inserts use AFTER triggers only; the
 * dashboard's batch flag (dash_batch.active) turns the per-row triggers
 * off while a writer sums a batch by cell itself (score's copy, through
 * the scoring trigger's queued rows, and the queue's decisions). A line's
 * interventions are found by interventions_by_purchase and a batch's by
 * id ("+i.source": not by interventions_by_source, a pass over every live
 * row). INSERT OR REPLACE on purchases would move a line's interventions
 * without a trigger: nothing uses it. */
#include "schema.h"

/* The cells of the interventions i of SRC WHERE W that the rollup holds,
 * with their sign G: A and GRP as in schema_rollup.c ("" / NO_GROUP row by
 * row, "sum" / GROUPED summed by cell). */
#define NO_GROUP ""
#define GROUPED " GROUP BY 1, 2, 3, 4, 5"
#define IV_DAY SCHEMA_DAY_OF("COALESCE(p.ordered_at, i.created_at)")
#define IV_MOVE(A, GRP, G, SRC, W)                                            \
    "INSERT INTO funnel_days(day, category, channel, nudge, status, n)"       \
    " SELECT " IV_DAY ", COALESCE(c.code, -1), COALESCE(ch.code, -1),"        \
    " COALESCE(i.nudge, ''), i.status, (" G ") * " A "(1)"                    \
    " FROM " SRC                                                              \
    " LEFT JOIN purchases p ON p.id = i.purchase_id"                          \
    " LEFT JOIN products pr ON pr.id = p.product_id"                          \
    " LEFT JOIN categories c ON c.name = pr.category"                         \
    " LEFT JOIN channels ch ON ch.name = p.channel"                           \
    " WHERE +i.source = 'live' AND i.status <> 'accepted' AND (" W ")" GRP    \
    " ON CONFLICT(day, category, channel, nudge, status)"                     \
    " DO UPDATE SET n = n + excluded.n;"
#define DROP_EMPTY "DELETE FROM funnel_days WHERE n = 0;"

/* One row, OLD or NEW, as the table i. */
#define ROW(R)                                                                \
    "(SELECT " R ".purchase_id AS purchase_id, " R ".created_at AS"           \
    " created_at, " R ".nudge AS nudge, " R ".status AS status, " R           \
    ".source AS source) i"
#define ROW_MOVE(G, R) IV_MOVE("", NO_GROUP, G, ROW(R), "1")
/* The interventions of the lines W (a condition on purchase_id). */
#define LINES_MOVE(G, W) IV_MOVE("sum", GROUPED, G, "interventions i", W)
#define OF_LINES(ids) "i.purchase_id IN (" ids ")"
#define OF_PRODUCTS                                                           \
    "i.purchase_id IN (SELECT id FROM purchases"                              \
    " WHERE product_id IN (OLD.id, NEW.id))"

#define NO_BATCH " (SELECT active FROM dash_batch) = 0"
#define LIVE(R) " " R ".source = 'live' AND " R ".status <> 'accepted'"
#define IV_COLS " OF purchase_id, created_at, nudge, status, source"
#define PURCHASE_COLS " OF id, product_id, ordered_at, channel ON purchases"
#define PRODUCT_MOVED                                                         \
    " OF id, category ON products WHEN OLD.id <> NEW.id"                      \
    " OR OLD.category IS NOT NEW.category"

#define TRIGGERS                                                              \
    "CREATE TRIGGER funnel_iv_added AFTER INSERT ON interventions WHEN"       \
    NO_BATCH " AND" LIVE("NEW") " BEGIN " ROW_MOVE("1", "NEW") " END;"        \
    "CREATE TRIGGER funnel_iv_removed AFTER DELETE ON interventions WHEN"     \
    NO_BATCH " AND" LIVE("OLD") " BEGIN " ROW_MOVE("-1", "OLD") DROP_EMPTY    \
    " END;"                                                                   \
    "CREATE TRIGGER funnel_iv_changed AFTER UPDATE" IV_COLS                   \
    " ON interventions WHEN" NO_BATCH " AND ((" LIVE("OLD") ") OR ("          \
    LIVE("NEW") ")) BEGIN " ROW_MOVE("-1", "OLD") ROW_MOVE("1", "NEW")        \
    DROP_EMPTY " END;"                                                        \
    /* A line moved in time, channel or product, or gone: its              \
     * interventions' cells (those of both ids, before and after). */         \
    "CREATE TRIGGER funnel_line_changing BEFORE UPDATE" PURCHASE_COLS         \
    " BEGIN " LINES_MOVE("-1", OF_LINES("OLD.id, NEW.id")) DROP_EMPTY         \
    " END;"                                                                   \
    "CREATE TRIGGER funnel_line_changed AFTER UPDATE" PURCHASE_COLS           \
    " BEGIN " LINES_MOVE("1", OF_LINES("OLD.id, NEW.id")) " END;"             \
    "CREATE TRIGGER funnel_line_removing BEFORE DELETE ON purchases BEGIN "   \
    LINES_MOVE("-1", OF_LINES("OLD.id")) DROP_EMPTY " END;"                   \
    "CREATE TRIGGER funnel_line_removed AFTER DELETE ON purchases BEGIN "     \
    LINES_MOVE("1", OF_LINES("OLD.id")) " END;"                               \
    "CREATE TRIGGER funnel_product_moving BEFORE UPDATE" PRODUCT_MOVED        \
    " BEGIN " LINES_MOVE("-1", OF_PRODUCTS) DROP_EMPTY " END;"                \
    "CREATE TRIGGER funnel_product_moved AFTER UPDATE" PRODUCT_MOVED          \
    " BEGIN " LINES_MOVE("1", OF_PRODUCTS) " END;"

#define BUILD LINES_MOVE("1", "1")

const char schema_v12[] =
    "CREATE TABLE funnel_days(day INTEGER NOT NULL,"
    " category INTEGER NOT NULL, channel INTEGER NOT NULL,"
    " nudge TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,"
    " PRIMARY KEY(day, category, channel, nudge, status)) WITHOUT ROWID;"
    "CREATE INDEX funnel_days_empty ON funnel_days(n) WHERE n = 0;"
    /* The rows the score's batch adds through the scoring trigger: those
     * above the newest id before it. */
    "ALTER TABLE dash_batch ADD COLUMN funnel_from INTEGER NOT NULL"
    " DEFAULT 0;" BUILD TRIGGERS;

const char schema_funnel_build[] = "DELETE FROM funnel_days;" BUILD;

#define DECIDED "i.id IN (SELECT id FROM temp.nudge_decided)"

const char schema_funnel_decisions_before[] =
    LINES_MOVE("-1", DECIDED) "UPDATE dash_batch SET active = 1;";

const char schema_funnel_decisions_after[] =
    "UPDATE dash_batch SET active = 0;" LINES_MOVE("1", DECIDED) DROP_EMPTY;

const char schema_funnel_scores_before[] =
    "UPDATE dash_batch SET funnel_from ="
    " (SELECT COALESCE(MAX(id), 0) FROM interventions);";

const char schema_funnel_scores_after[] =
    LINES_MOVE("1", "i.id > (SELECT funnel_from FROM dash_batch)");
