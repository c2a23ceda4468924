/* schema_rollup.c: the store's schema version 11: the manager dashboard's
 * rollups, daily summaries of the purchase lines kept current by triggers
 * on the tables that hold the facts (purchases, returns, scores, a
 * product's category), so that report_dashboard (report_rollup.c) reads
 * a row per day and cell, and per product and week, for any period and
 * filter instead of every line.
 *
 * A line counts in the cell of its purchase day (UTC, days since the
 * epoch), its category and its channel (their codes); its newest score is
 * the one with the highest model_version, as in report_dashboard_scan:
 *   dash_days          lines, lines returned within 30 days of purchase,
 *                      lines scored, the sum of their newest scores and
 *                      the risk histogram's bins b0..b9 ([i/10, (i+1)/10),
 *                      1 in b9);
 *   dash_day_drivers   scored lines per newest score's model version and
 *                      first driver (the first "feature" within the first
 *                      80 characters of its drivers JSON, '' when none);
 *   dash_day_reasons   returns per reason, at their line's purchase day;
 *   dash_product_days, dash_product_weeks
 *                      per product, day or week (week: the day number of
 *                      its Monday): lines, returned, scored, sum of scores.
 * The rows are sums of the lines' contributions; a cell whose lines all
 * left is deleted, so a store holds the same rows however it got there
 * (the bulk path builds them whole with one INSERT ... SELECT each), but
 * for the last bits of the sums of scores, added in another order.
 *
 * Each trigger subtracts what the change takes away and adds what it
 * brings. Inserts use AFTER triggers only (ingest's ON CONFLICT DO NOTHING
 * and score's INSERT OR IGNORE skip a row after its BEFORE triggers ran);
 * updates and deletes subtract in a BEFORE trigger, while the old rows are
 * still there, and add in an AFTER one. UPDATE OR IGNORE / OR REPLACE and
 * INSERT OR REPLACE on these tables would skip one side: nothing uses them. */
#include "schema.h"

/* The Monday of a day (1970-01-01 was a Thursday). */
#define DAY_OF(t) SCHEMA_DAY_OF(t)
#define MONDAY_OF(d) "(" d ") - (((" d ") + 3) % 7 + 7) % 7"

/* A line's cell and label: v_dash_facts over purchases p, or the same
 * columns for one row P given by its columns (OLD, NEW). */
#define FACT_COLS(P)                                                          \
    DAY_OF(P ".ordered_at") " AS day,"                                        \
    MONDAY_OF(DAY_OF(P ".ordered_at")) " AS week,"                            \
    " c.code AS category, ch.code AS channel, " P ".product_id AS product_id,"\
    " EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = " P ".id"         \
    "  AND r.returned_at <= " P ".ordered_at + 2592000) AS returned"
#define FACT_JOIN(P)                                                          \
    " JOIN products pr ON pr.id = " P ".product_id"                           \
    " JOIN categories c ON c.name = pr.category"                              \
    " JOIN channels ch ON ch.name = " P ".channel"

/* The first driver's name in a drivers JSON, as report_dash.c's
 * first_driver reads it from its first 80 characters; '' when none. */
#define D80(j) "substr(" j ", 1, 80)"
#define KEY_AT(j) "instr(" D80(j) ", '\"feature\":\"')"
#define AFTER_KEY(j) "substr(" D80(j) ", " KEY_AT(j) " + 11)"
#define QUOTE_AT(j) "instr(" AFTER_KEY(j) ", '\"')"
#define FIRST_DRIVER(j)                                                       \
    "CASE WHEN " KEY_AT(j) " > 0 AND " QUOTE_AT(j) " BETWEEN 2 AND 64"        \
    " THEN substr(" AFTER_KEY(j) ", 1, " QUOTE_AT(j) " - 1) ELSE '' END"
#define BIN_OF(p) "max(0, min(9, CAST((" p ") * 10 AS INTEGER)))"

/* A line's facts with one of its scores, s. */
#define SCORE_COLS                                                            \
    " s.model_version AS model, s.p_return AS p,"                             \
    " " FIRST_DRIVER("s.drivers") " AS feature,"                              \
    " " BIN_OF("s.p_return") " AS bin"

#define VIEWS                                                                 \
    "CREATE VIEW v_dash_facts AS SELECT p.id AS id, " FACT_COLS("p")          \
    " FROM purchases p" FACT_JOIN("p") ";"                                    \
    "CREATE VIEW v_dash_lines AS SELECT f.*," SCORE_COLS                      \
    " FROM v_dash_facts f LEFT JOIN scores s ON s.purchase_id = f.id"         \
    "  AND s.model_version = (SELECT MAX(o.model_version) FROM scores o"      \
    "   WHERE o.purchase_id = f.id);"

#define TABLES                                                                \
    "CREATE TABLE dash_days(day INTEGER NOT NULL,"                            \
    " category INTEGER NOT NULL, channel INTEGER NOT NULL,"                   \
    " lines INTEGER NOT NULL, returned INTEGER NOT NULL,"                     \
    " scored INTEGER NOT NULL, risk_sum REAL NOT NULL,"                       \
    " b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL,"         \
    " b3 INTEGER NOT NULL, b4 INTEGER NOT NULL, b5 INTEGER NOT NULL,"         \
    " b6 INTEGER NOT NULL, b7 INTEGER NOT NULL, b8 INTEGER NOT NULL,"         \
    " b9 INTEGER NOT NULL,"                                                   \
    " PRIMARY KEY(day, category, channel)) WITHOUT ROWID;"                    \
    "CREATE TABLE dash_day_drivers(day INTEGER NOT NULL,"                     \
    " category INTEGER NOT NULL, channel INTEGER NOT NULL,"                   \
    " model_version INTEGER NOT NULL, feature TEXT NOT NULL,"                 \
    " n INTEGER NOT NULL,"                                                    \
    " PRIMARY KEY(day, category, channel, model_version, feature))"           \
    " WITHOUT ROWID;"                                                         \
    "CREATE TABLE dash_day_reasons(day INTEGER NOT NULL,"                     \
    " category INTEGER NOT NULL, channel INTEGER NOT NULL,"                   \
    " reason TEXT NOT NULL, n INTEGER NOT NULL,"                              \
    " PRIMARY KEY(day, category, channel, reason)) WITHOUT ROWID;"            \
    PRODUCT_TABLE("dash_product_days", "day")                                 \
    PRODUCT_TABLE("dash_product_weeks", "week")                               \
    "CREATE TABLE dash_batch(active INTEGER NOT NULL);"                          \
    "INSERT INTO dash_batch VALUES(0);"
#define PRODUCT_TABLE(t, k)                                                   \
    "CREATE TABLE " t "(" k " INTEGER NOT NULL,"                              \
    " category INTEGER NOT NULL, channel INTEGER NOT NULL,"                   \
    " product_id INTEGER NOT NULL, lines INTEGER NOT NULL,"                   \
    " returned INTEGER NOT NULL, scored INTEGER NOT NULL,"                    \
    " risk_sum REAL NOT NULL,"                                                \
    " PRIMARY KEY(" k ", category, channel, product_id)) WITHOUT ROWID;"

/* ---- adding and subtracting lines ------------------------------------------
 * SRC: a FROM clause with the columns of v_dash_lines, W its condition; G
 * the sign ("1" or "-1"); L, R, S which parts move ("1" or "0"): the line
 * itself (lines), its label (returned), its newest score (scored, sum,
 * bins). A part that does not move adds 0. A and GRP: row by row (a
 * trigger's line or two: A "", GRP NO_GROUP; each row upserts in turn) or
 * summed by cell (many lines: A "sum", GRP GROUPED). */
#define NO_GROUP(k) ""
#define GROUPED(k) " GROUP BY " k
#define SUM_COLS(A, G, L, R, S)                                               \
    " (" G ") * (" L ") * " A "(1),"                                          \
    " (" G ") * (" R ") * " A "(returned),"                                   \
    " (" G ") * (" S ") * " A "(model IS NOT NULL),"                          \
    " (" G ") * (" S ") * " A "(coalesce(p, 0.0))"
#define SUM_SET                                                               \
    " DO UPDATE SET lines = lines + excluded.lines,"                          \
    " returned = returned + excluded.returned,"                               \
    " scored = scored + excluded.scored,"                                     \
    " risk_sum = CASE WHEN scored + excluded.scored = 0 THEN 0.0"             \
    "  ELSE risk_sum + excluded.risk_sum END"
#define BIN_SUM(A, G, S, i) ", (" G ") * (" S ") * " A "(bin IS " i ")"
#define BIN_SET(A, G, S, i) ", b" i " = b" i " + excluded.b" i
#define BINS(m, A, G, S)                                                      \
    m(A, G, S, "0") m(A, G, S, "1") m(A, G, S, "2") m(A, G, S, "3")           \
    m(A, G, S, "4") m(A, G, S, "5") m(A, G, S, "6") m(A, G, S, "7")           \
    m(A, G, S, "8") m(A, G, S, "9")

#define DAYS_MOVE(A, GRP, G, L, R, S, SRC, W)                                 \
    "INSERT INTO dash_days(day, category, channel, lines, returned, scored,"  \
    " risk_sum, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9)"                      \
    " SELECT day, category, channel," SUM_COLS(A, G, L, R, S)                 \
    BINS(BIN_SUM, A, G, S) " FROM " SRC " WHERE " W                           \
    GRP("day, category, channel")                                             \
    " ON CONFLICT(day, category, channel)" SUM_SET                            \
    BINS(BIN_SET, A, G, S) ";"
#define PRODUCTS_MOVE(t, k, A, GRP, G, L, R, S, SRC, W)                       \
    "INSERT INTO " t "(" k ", category, channel, product_id, lines,"          \
    " returned, scored, risk_sum)"                                            \
    " SELECT " k ", category, channel, product_id," SUM_COLS(A, G, L, R, S)   \
    " FROM " SRC " WHERE " W GRP(k ", category, channel, product_id")         \
    " ON CONFLICT(" k ", category, channel, product_id)" SUM_SET ";"
#define DRIVERS_MOVE(A, GRP, G, SRC, W)                                       \
    "INSERT INTO dash_day_drivers(day, category, channel, model_version,"     \
    " feature, n) SELECT day, category, channel, model, feature,"             \
    " (" G ") * " A "(1) FROM " SRC " WHERE model IS NOT NULL AND (" W ")"    \
    GRP("day, category, channel, model, feature")                             \
    " ON CONFLICT(day, category, channel, model_version, feature)"            \
    " DO UPDATE SET n = n + excluded.n;"
/* Every return of the lines of v_dash_facts WHERE W, by reason. */
#define REASONS_MOVE(A, GRP, G, W)                                            \
    "INSERT INTO dash_day_reasons(day, category, channel, reason, n)"         \
    " SELECT f.day, f.category, f.channel, r.reason, (" G ") * " A "(1)"      \
    " FROM (SELECT * FROM v_dash_facts WHERE " W ") f"                        \
    " JOIN returns r ON r.purchase_id = f.id"                                 \
    GRP("f.day, f.category, f.channel, r.reason")                             \
    " ON CONFLICT(day, category, channel, reason)"                            \
    " DO UPDATE SET n = n + excluded.n;"
/* One return R (OLD, NEW) of its line, by its reason. */
#define REASON_MOVE(G, R)                                                     \
    "INSERT INTO dash_day_reasons(day, category, channel, reason, n)"         \
    " SELECT day, category, channel, " R ".reason, " G                        \
    " FROM v_dash_facts WHERE id = " R ".purchase_id"                         \
    " ON CONFLICT(day, category, channel, reason)"                            \
    " DO UPDATE SET n = n + excluded.n;"

/* Whole lines (lines, label, score, returns) of SRC WHERE W. */
#define LINES_MOVE_FROM(A, GRP, G, SRC, W)                                    \
    DAYS_MOVE(A, GRP, G, "1", "1", "1", SRC, W)                               \
    DRIVERS_MOVE(A, GRP, G, SRC, W)                                           \
    REASONS_MOVE(A, GRP, G, W)                                                \
    PRODUCTS_MOVE("dash_product_days", "day", A, GRP, G, "1", "1", "1", SRC,  \
                  W)                                                          \
    PRODUCTS_MOVE("dash_product_weeks", "week", A, GRP, G, "1", "1", "1",     \
                  SRC, W)
/* One or two lines; a product's lines. */
#define LINES_MOVE(G, W) LINES_MOVE_FROM("", NO_GROUP, G, "v_dash_lines", W)
#define MANY_LINES_MOVE(G, W)                                                 \
    LINES_MOVE_FROM("sum", GROUPED, G, "v_dash_lines", W)
/* The label alone, of the returned lines of v_dash_lines WHERE W. */
#define LABEL_MOVE(G, W)                                                      \
    DAYS_MOVE("", NO_GROUP, G, "0", "1", "0", "v_dash_lines",                 \
              "returned AND (" W ")")                                         \
    PRODUCTS_MOVE("dash_product_days", "day", "", NO_GROUP, G, "0", "1", "0", \
                  "v_dash_lines", "returned AND (" W ")")                     \
    PRODUCTS_MOVE("dash_product_weeks", "week", "", NO_GROUP, G, "0", "1",    \
                  "0", "v_dash_lines", "returned AND (" W ")")
/* The score part alone, of the scored rows of SRC WHERE W. */
#define SCORE_MOVE(G, SRC, W)                                                 \
    DAYS_MOVE("", NO_GROUP, G, "0", "0", "1", SRC,                            \
              "model IS NOT NULL AND (" W ")")                                \
    DRIVERS_MOVE("", NO_GROUP, G, SRC, W)                                     \
    PRODUCTS_MOVE("dash_product_days", "day", "", NO_GROUP, G, "0", "0", "1", \
                  SRC, "model IS NOT NULL AND (" W ")")                       \
    PRODUCTS_MOVE("dash_product_weeks", "week", "", NO_GROUP, G, "0", "0",    \
                  "1", SRC, "model IS NOT NULL AND (" W ")")

/* Cells of the lines of v_dash_facts WHERE W left empty: deleted. */
#define CELLS(k, W) " IN (SELECT " k " FROM v_dash_facts WHERE " W ")"
#define DROP_EMPTY_DRIVERS(W)                                                 \
    "DELETE FROM dash_day_drivers WHERE n = 0 AND (day, category, channel)"   \
    CELLS("day, category, channel", W) ";"
#define DROP_EMPTY(W)                                                         \
    "DELETE FROM dash_days WHERE lines = 0 AND (day, category, channel)"      \
    CELLS("day, category, channel", W) ";"                                    \
    DROP_EMPTY_DRIVERS(W)                                                     \
    "DELETE FROM dash_day_reasons WHERE n = 0 AND (day, category, channel)"   \
    CELLS("day, category, channel", W) ";"                                    \
    "DELETE FROM dash_product_days WHERE lines = 0"                           \
    " AND (day, category, channel, product_id)"                               \
    CELLS("day, category, channel, product_id", W) ";"                        \
    "DELETE FROM dash_product_weeks WHERE lines = 0"                          \
    " AND (week, category, channel, product_id)"                              \
    CELLS("week, category, channel, product_id", W) ";"

/* A score row that is its line's newest (no higher model_version). */
#define NEWEST(R)                                                             \
    " NOT EXISTS (SELECT 1 FROM scores o WHERE o.purchase_id = "              \
    R ".purchase_id AND o.model_version > " R ".model_version)"
/* The score NEW displaced: the line's highest model_version below NEW's. */
#define DISPLACED                                                             \
    "(SELECT f.*," SCORE_COLS " FROM v_dash_facts f JOIN scores s"            \
    " ON s.purchase_id = f.id WHERE f.id = NEW.purchase_id"                   \
    " AND s.model_version = (SELECT MAX(o.model_version) FROM scores o"       \
    "  WHERE o.purchase_id = NEW.purchase_id"                                 \
    "  AND o.model_version < NEW.model_version))"
/* NEW, a score being the line's newest, with its line's cell. */
#define NEW_SCORE                                                             \
    "(SELECT f.day, f.week, f.category, f.channel, f.product_id,"             \
    " 0 AS returned, NEW.model_version AS model, NEW.p_return AS p,"          \
    " " FIRST_DRIVER("NEW.drivers") " AS feature,"                            \
    " " BIN_OF("NEW.p_return") " AS bin"                                      \
    " FROM v_dash_facts f WHERE f.id = NEW.purchase_id)"
/* A return R that labels its line: within 30 days of the purchase. */
#define LABELS(R)                                                             \
    R ".returned_at <= (SELECT ordered_at FROM purchases WHERE id = "         \
    R ".purchase_id) + 2592000"

/* Score inserts outside a batch (schema_rollup_scores_before). */
#define NO_BATCH " (SELECT active FROM dash_batch) = 0 AND"

#define PURCHASE_COLS " OF id, product_id, ordered_at, channel ON purchases"
#define RETURN_COLS " OF purchase_id, returned_at, reason ON returns"
#define SCORE_COLS_OF                                                         \
    " OF purchase_id, model_version, p_return, drivers ON scores"
#define PRODUCT_MOVED                                                         \
    " OF id, category ON products WHEN OLD.id <> NEW.id"                      \
    " OR OLD.category IS NOT NEW.category"

#define TRIGGERS                                                              \
    "CREATE TRIGGER dash_purchase_added AFTER INSERT ON purchases BEGIN "     \
    LINES_MOVE("1", "id = NEW.id") " END;"                                    \
    "CREATE TRIGGER dash_purchase_removing BEFORE DELETE ON purchases BEGIN " \
    LINES_MOVE("-1", "id = OLD.id") DROP_EMPTY("id = OLD.id") " END;"         \
    "CREATE TRIGGER dash_purchase_changing BEFORE UPDATE" PURCHASE_COLS       \
    " BEGIN " LINES_MOVE("-1", "id = OLD.id") DROP_EMPTY("id = OLD.id")       \
    " END;"                                                                   \
    "CREATE TRIGGER dash_purchase_changed AFTER UPDATE" PURCHASE_COLS         \
    " BEGIN " LINES_MOVE("1", "id = NEW.id") " END;"                          \
    "CREATE TRIGGER dash_product_moving BEFORE UPDATE" PRODUCT_MOVED          \
    " BEGIN " MANY_LINES_MOVE("-1", "product_id = OLD.id")                    \
    DROP_EMPTY("product_id = OLD.id") " END;"                                 \
    "CREATE TRIGGER dash_product_moved AFTER UPDATE" PRODUCT_MOVED            \
    " BEGIN " MANY_LINES_MOVE("1", "product_id = NEW.id") " END;"             \
    /* A return labels its line when it is the first within 30 days. */       \
    "CREATE TRIGGER dash_return_added AFTER INSERT ON returns BEGIN "         \
    REASON_MOVE("1", "NEW")                                                   \
    LABEL_MOVE("1", "id = NEW.purchase_id AND " LABELS("NEW")                 \
               " AND NOT EXISTS (SELECT 1 FROM returns o"                     \
               "  WHERE o.purchase_id = NEW.purchase_id AND o.id <> NEW.id"   \
               "  AND " LABELS("o") ")")                                      \
    " END;"                                                                   \
    "CREATE TRIGGER dash_return_removing BEFORE DELETE ON returns BEGIN "     \
    REASON_MOVE("-1", "OLD") LABEL_MOVE("-1", "id = OLD.purchase_id")         \
    DROP_EMPTY("id = OLD.purchase_id") " END;"                                \
    "CREATE TRIGGER dash_return_removed AFTER DELETE ON returns BEGIN "       \
    LABEL_MOVE("1", "id = OLD.purchase_id") " END;"                           \
    "CREATE TRIGGER dash_return_changing BEFORE UPDATE" RETURN_COLS           \
    " BEGIN " REASON_MOVE("-1", "OLD")                                        \
    LABEL_MOVE("-1", "id IN (OLD.purchase_id, NEW.purchase_id)")              \
    DROP_EMPTY("id IN (OLD.purchase_id, NEW.purchase_id)") " END;"            \
    "CREATE TRIGGER dash_return_changed AFTER UPDATE" RETURN_COLS             \
    " BEGIN " REASON_MOVE("1", "NEW")                                         \
    LABEL_MOVE("1", "id IN (OLD.purchase_id, NEW.purchase_id)") " END;"       \
    /* A line's first score; a newer one takes the place of the one it        \
     * displaced. */                                                          \
    "CREATE TRIGGER dash_score_added AFTER INSERT ON scores WHEN" NO_BATCH    \
    " NOT EXISTS (SELECT 1 FROM scores o WHERE o.purchase_id ="               \
    "  NEW.purchase_id AND o.model_version <> NEW.model_version) BEGIN "      \
    SCORE_MOVE("1", NEW_SCORE, "1") " END;"                                   \
    "CREATE TRIGGER dash_score_displaced AFTER INSERT ON scores WHEN"         \
    NO_BATCH NEWEST("NEW") " AND EXISTS (SELECT 1 FROM scores o WHERE o.purchase_id =" \
    "  NEW.purchase_id AND o.model_version < NEW.model_version) BEGIN "       \
    SCORE_MOVE("-1", DISPLACED, "1") SCORE_MOVE("1", NEW_SCORE, "1")          \
    DROP_EMPTY_DRIVERS("id = NEW.purchase_id") " END;"                        \
    "CREATE TRIGGER dash_score_removing BEFORE DELETE ON scores WHEN"         \
    NEWEST("OLD") " BEGIN "                                                   \
    SCORE_MOVE("-1", "v_dash_lines", "id = OLD.purchase_id")                  \
    DROP_EMPTY_DRIVERS("id = OLD.purchase_id") " END;"                        \
    "CREATE TRIGGER dash_score_removed AFTER DELETE ON scores WHEN"           \
    NEWEST("OLD") " BEGIN "                                                   \
    SCORE_MOVE("1", "v_dash_lines", "id = OLD.purchase_id") " END;"           \
    "CREATE TRIGGER dash_score_changing BEFORE UPDATE" SCORE_COLS_OF          \
    " BEGIN " SCORE_MOVE("-1", "v_dash_lines",                                \
                         "id IN (OLD.purchase_id, NEW.purchase_id)")          \
    DROP_EMPTY_DRIVERS("id IN (OLD.purchase_id, NEW.purchase_id)") " END;"    \
    "CREATE TRIGGER dash_score_changed AFTER UPDATE" SCORE_COLS_OF            \
    " BEGIN " SCORE_MOVE("1", "v_dash_lines",                                 \
                         "id IN (OLD.purchase_id, NEW.purchase_id)") " END;"

/* Every line at once, into empty rollups: each line's cell, label and
 * newest score worked out once, then summed into each rollup. */
#define BUILD                                                                 \
    "CREATE TEMP TABLE dash_build AS SELECT * FROM v_dash_lines;"             \
    LINES_MOVE_FROM("sum", GROUPED, "1", "temp.dash_build", "1")              \
    "DROP TABLE temp.dash_build;"

const char schema_v11[] = TABLES VIEWS BUILD TRIGGERS;

/* ---- a batch of scores -------------------------------------------------
 * The staged scores of temp.score_new that will be their line's newest (no
 * score of the line at their model version or above), with the version
 * they displace (NULL: the line's first); their score parts summed by cell
 * instead of a trigger per row. */
#define BATCH_NEWEST                                                          \
    "CREATE TEMP TABLE dash_batch_new AS SELECT n.purchase_id,"               \
    " n.model_version, n.p_return, n.drivers,"                                \
    " (SELECT MAX(o.model_version) FROM scores o"                             \
    "  WHERE o.purchase_id = n.purchase_id) AS prev"                          \
    " FROM temp.score_new n WHERE NOT EXISTS (SELECT 1 FROM scores o"         \
    "  WHERE o.purchase_id = n.purchase_id"                                   \
    "  AND o.model_version >= n.model_version);"
/* The rows the batch takes away (the displaced scores) and adds, each
 * worked out once into a table of v_dash_lines's columns. */
#define BATCH_ROWS(t, SCORE, JOIN)                                            \
    "CREATE TEMP TABLE " t " AS SELECT f.day, f.week, f.category,"            \
    " f.channel, f.product_id, 0 AS returned," SCORE                          \
    " FROM temp.dash_batch_new d JOIN v_dash_facts f ON f.id = d.purchase_id" \
    JOIN ";"
#define BATCH_SUB                                                             \
    BATCH_ROWS("dash_batch_sub", SCORE_COLS,                                  \
               " JOIN scores s ON s.purchase_id = d.purchase_id"              \
               " AND s.model_version = d.prev")
#define BATCH_ADD                                                             \
    BATCH_ROWS("dash_batch_add",                                              \
               " d.model_version AS model, d.p_return AS p,"                  \
               " " FIRST_DRIVER("d.drivers") " AS feature,"                   \
               " " BIN_OF("d.p_return") " AS bin", "")
#define SCORES_MOVE(G, SRC)                                                   \
    DAYS_MOVE("sum", GROUPED, G, "0", "0", "1", SRC, "model IS NOT NULL")     \
    DRIVERS_MOVE("sum", GROUPED, G, SRC, "1")                                 \
    PRODUCTS_MOVE("dash_product_days", "day", "sum", GROUPED, G, "0", "0",    \
                  "1", SRC, "model IS NOT NULL")                              \
    PRODUCTS_MOVE("dash_product_weeks", "week", "sum", GROUPED, G, "0", "0",  \
                  "1", SRC, "model IS NOT NULL")
#define BATCH_DROP                                                            \
    "DROP TABLE IF EXISTS temp.dash_batch_new;"                               \
    "DROP TABLE IF EXISTS temp.dash_batch_sub;"                               \
    "DROP TABLE IF EXISTS temp.dash_batch_add;"

const char schema_rollup_scores_before[] =
    BATCH_DROP BATCH_NEWEST BATCH_SUB BATCH_ADD
    SCORES_MOVE("-1", "temp.dash_batch_sub")
    SCORES_MOVE("1", "temp.dash_batch_add")
    "DELETE FROM dash_day_drivers WHERE n = 0 AND (day, category, channel)"
    " IN (SELECT day, category, channel FROM temp.dash_batch_sub);"
    "UPDATE dash_batch SET active = 1;";

const char schema_rollup_scores_after[] =
    "UPDATE dash_batch SET active = 0;" BATCH_DROP;

const char schema_rollup_build[] =
    "DELETE FROM dash_days; DELETE FROM dash_day_drivers;"
    "DELETE FROM dash_day_reasons; DELETE FROM dash_product_days;"
    "DELETE FROM dash_product_weeks;" BUILD;
