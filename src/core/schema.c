/* schema.c: the store's schema as SQL constants: tables, indexes, views
 * that build the training set without looking into the future, and the
 * triggers. Each migration takes the store one user_version forward. */
#include "schema.h"

#include <stddef.h>

#include "trendguard/estimates.h"
#include "trendguard/store.h"

/* A line is returned when a return of it arrives within 30 days. */
#define LABEL_AT(id, at)                                                      \
    "COALESCE((SELECT MIN(r.returned_at) FROM returns r WHERE r.purchase_id " \
    "= " id ") <= " at " + 2592000, 0)"
#define LABEL_SQL(p) LABEL_AT(p ".id", p ".ordered_at")
/* 1 when a return of the line for reason `why` arrives within 30 days. */
#define SIZE_RETURN_AT(id, at, why)                                           \
    "EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = " id              \
    " AND r.reason = '" why "' AND r.returned_at <= " at " + 2592000)"
/* A line's size facts for the size estimates (estimates.h): its size
 * system (0 clothing, 1 shoes; NULL for accessories, one size or none),
 * its size's rank in it, and whether it came back too small or too
 * large. p is the purchase, pr its product, sz its size. */
#define SIZE_COLS(p)                                                          \
    "   CASE WHEN pr.category = 'accessories' OR sz.name = 'ONE' THEN NULL"  \
    "    ELSE sz.is_shoe END AS size_group,"                                  \
    "   CASE WHEN pr.category = 'accessories' OR sz.name = 'ONE' THEN NULL"  \
    "    ELSE sz.rank END AS size_rank,"                                      \
    "   " SIZE_RETURN_AT(p ".id", p ".ordered_at", "too_small")               \
    "    AS ret_small,"                                                       \
    "   " SIZE_RETURN_AT(p ".id", p ".ordered_at", "too_large")               \
    "    AS ret_large,"
/* The size evidence of estimates.h, from `ln` (a CTE of lines with
 * SIZE_COLS: a customer's lines, every one of them) and `pl` (a product's
 * lines): per line, what its customer's lines said of their size in its
 * size system by its time (each line kept or returned for another reason
 * once its 30 days are over, each size return of a line when it arrives)
 * and how many of its product's lines came back too small and too large
 * by its time (returns within 30 days, counted when they arrive). Events
 * sort before a line at the same moment. */
#define SIZE_RETURNS(l)                                                       \
    " FROM " l " JOIN returns r ON r.purchase_id = " l ".id"                 \
    " AND r.reason IN ('too_small', 'too_large')"                            \
    " AND r.returned_at <= " l ".ordered_at + 2592000"
#define SIZE_FIT_CTES(ln, pl)                                                 \
    " cev AS MATERIALIZED ("                                                  \
    "  SELECT customer_id, size_group, ordered_at AS t, 1 AS k, id,"         \
    "   0 AS o, 0 AS v FROM " ln                                              \
    "  UNION ALL SELECT customer_id, size_group, ordered_at + 2592000, 0,"   \
    "   NULL, 1, size_rank FROM " ln " WHERE size_rank IS NOT NULL"          \
    "   AND NOT ret_small AND NOT ret_large"                                  \
    "  UNION ALL SELECT " ln ".customer_id, " ln ".size_group,"              \
    "   r.returned_at, 0, NULL, 1, " ln ".size_rank"                          \
    "   + (r.reason = 'too_small') - (r.reason = 'too_large')"              \
    SIZE_RETURNS(ln) " WHERE " ln ".size_rank IS NOT NULL),"                 \
    " cfit AS MATERIALIZED (SELECT id, SUM(o) OVER w AS s_obs,"              \
    "  SUM(v) OVER w AS s_sum FROM cev"                                       \
    "  WINDOW w AS (PARTITION BY customer_id, size_group ORDER BY t, k"      \
    "   ROWS UNBOUNDED PRECEDING)),"                                          \
    " pev AS MATERIALIZED ("                                                  \
    "  SELECT product_id, ordered_at AS t, 1 AS k, id, 0 AS sm, 0 AS lg"     \
    "  FROM " pl                                                              \
    "  UNION ALL SELECT " pl ".product_id, r.returned_at, 0, NULL,"          \
    "   r.reason = 'too_small', r.reason = 'too_large'" SIZE_RETURNS(pl) "),"\
    " pfit AS MATERIALIZED (SELECT id, SUM(sm) OVER w AS p_small,"           \
    "  SUM(lg) OVER w AS p_large FROM pev"                                    \
    "  WINDOW w AS (PARTITION BY product_id ORDER BY t, k"                   \
    "   ROWS UNBOUNDED PRECEDING)),"

/* Each category's size returns (within 30 days of their lines) by the day
 * they arrived, summed up to each day (dense from the first day with any
 * to the last), for the fit estimate's category share (estimates.h). */
#define CATCUM_CTE                                                            \
    " days(day) AS (SELECT MIN(day) FROM fit_category_days"                   \
    "  UNION ALL SELECT day + 1 FROM days"                                    \
    "  WHERE day < (SELECT MAX(day) FROM fit_category_days)),"               \
    " catcum AS MATERIALIZED (SELECT c.name AS category, d.day,"             \
    "  SUM(COALESCE(f.small, 0)) OVER wd AS cs,"                              \
    "  SUM(COALESCE(f.large, 0)) OVER wd AS cl"                               \
    "  FROM categories c CROSS JOIN days d"                                   \
    "  LEFT JOIN fit_category_days f ON f.category = c.name"                  \
    "   AND f.day = d.day"                                                    \
    "  WINDOW wd AS (PARTITION BY c.name ORDER BY d.day)),"

/* ---- the training set's pieces ----
 * TS_REFERENCE is the whole training set from scratch in one statement (the
 * view of schema versions 1 to 3; the reference the cache is tested
 * against). The cache (version 4) fills line_features with the same
 * columns, computed by the same expressions over the same windows. */

/* Basket facts of line p (product pr): lines in the order, sizes of this
 * item in it, other lines of the same category. */
#define TS_BASKET_COLS                                                        \
    "   (SELECT COUNT(*) FROM purchases q WHERE q.order_code = p.order_code)" \
    "    AS basket_lines,"                                                    \
    "   (SELECT COUNT(DISTINCT COALESCE(q.size, '')) FROM purchases q"        \
    "    WHERE q.order_code = p.order_code AND q.product_id = p.product_id)"  \
    "    AS sizes_of_item,"                                                   \
    "   (SELECT COUNT(*) FROM purchases q JOIN products q2"                   \
    "    ON q2.id = q.product_id WHERE q.order_code = p.order_code"           \
    "    AND q2.category = pr.category) - 1 AS same_category_lines"

/* Every history window over `lines` (id, customer_id, product_id,
 * ordered_at, unit_price, returned...): one sort per customer and one per
 * product. */
#define TS_WINDOWS                                                            \
    "  SELECT *,"                                                             \
    "   COUNT(*) OVER wc AS c_lines, SUM(returned) OVER wc AS c_returns,"    \
    "   AVG(unit_price) OVER wcb AS c_mean_price,"                            \
    "   DENSE_RANK() OVER wco - 1 AS c_prior_orders,"                         \
    "   COUNT(*) OVER wp AS p_lines, SUM(returned) OVER wp AS p_returns"      \
    "  FROM lines"                                                            \
    "  WINDOW wc AS (PARTITION BY customer_id ORDER BY ordered_at"           \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 2592000 PRECEDING),"          \
    "   wcb AS (PARTITION BY customer_id ORDER BY ordered_at"                \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),"                \
    "   wco AS (PARTITION BY customer_id ORDER BY ordered_at),"              \
    "   wp AS (PARTITION BY product_id ORDER BY ordered_at"                  \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 2592000 PRECEDING)"

/* The estimators' weights (estimates.h) and the declared size in the
 * line's size system. */
#define W EST_STR(EST_DECLARED_WEIGHT)
#define K EST_STR(EST_FIT_STRENGTH)
#define DECLARED_RANK "CASE WHEN sz.is_shoe = 1 THEN us2.rank ELSE us1.rank END"

/* The line's keys, then (after the label and `mature`) its features, from
 * `hist h` (the line, its basket, trend and history windows). */
#define TS_KEY_COLS                                                           \
    " SELECT h.id AS purchase_id, p.line_code, p.order_code, h.ordered_at,"  \
    "  h.customer_id, h.product_id,"
#define TS_MATURE(t)                                                          \
    "  CASE WHEN " t " + 2592000 <= (SELECT t FROM v_data_end)"              \
    "   THEN 1 ELSE 0 END AS mature,"
#define TS_FEATURE_COLS                                                       \
    "  ts.growth_24h AS trend_growth_24h,"                                    \
    "  ts.growth_7d AS trend_growth_7d,"                                      \
    "  (h.ordered_at - ts.peak_at) / 86400.0 AS trend_days_since_peak,"      \
    "  (h.ordered_at - ts.first_at) / 86400.0 AS trend_age_days,"            \
    "  CASE WHEN ts.views_24h IS NOT NULL"                                    \
    "   THEN log10(ts.views_24h + 1) END AS trend_log_views_24h,"            \
    "  ch.code AS channel,"                                                   \
    "  (h.ordered_at % 86400) / 3600 AS hour_of_day,"                        \
    "  ((h.ordered_at / 86400) + 3) % 7 AS day_of_week,"                     \
    "  p.view_minutes,"                                                       \
    "  p.discount_pct,"                                                       \
    "  h.unit_price AS price,"                                                \
    "  CASE WHEN h.customer_id IS NOT NULL AND h.c_mean_price > 0"           \
    "   THEN h.unit_price / h.c_mean_price END AS price_vs_usual,"           \
    "  h.basket_lines, h.sizes_of_item, h.same_category_lines,"              \
    "  CASE WHEN h.customer_id IS NOT NULL THEN h.c_prior_orders END"        \
    "   AS cust_prior_orders,"                                                \
    "  CASE WHEN h.customer_id IS NOT NULL THEN"                              \
    "   (c.returns_before + COALESCE(h.c_returns, 0) + 0.3 * 4.0)"          \
    "   / (c.lines_before + h.c_lines + 4.0)"                                 \
    "  END AS cust_prior_return_rate,"                                        \
    "  CASE WHEN c.joined_at IS NOT NULL"                                     \
    "   THEN (h.ordered_at - c.joined_at) / 86400.0 END AS cust_tenure_days," \
    "  sg.code AS cust_segment,"                                              \
    "  ab.code AS cust_age_band,"                                             \
    "  CASE WHEN pr.category = 'accessories' OR sz.name = 'ONE' THEN 0"      \
    "   WHEN h.customer_id IS NOT NULL THEN sz.rank - (" W " * COALESCE("    \
    DECLARED_RANK ", 0) + COALESCE(cf.s_sum, 0)) / (" W " * ("             \
    DECLARED_RANK " IS NOT NULL) + COALESCE(cf.s_obs, 0)) END"              \
    "   AS size_vs_usual,"                                                    \
    "  CASE WHEN pr.category = 'accessories' OR sz.name = 'ONE' THEN 0"      \
    "   WHEN h.customer_id IS NOT NULL THEN COALESCE(cf.s_obs, 0) END"       \
    "   AS size_history,"                                                     \
    "  CASE p.payment WHEN 'paylater' THEN 1 ELSE 0 END AS pay_later,"       \
    "  pr.fit_note,"                                                          \
    "  CASE WHEN pr.category = 'accessories' THEN 0"                          \
    "   ELSE 1 - 2 * (COALESCE(pf.p_small, 0) + " K " * CASE pr.fit_note"    \
    "    WHEN -1 THEN " EST_STR(EST_NOTE_SMALL_SHARE)                         \
    "    WHEN 1 THEN " EST_STR(EST_NOTE_LARGE_SHARE)                          \
    "    ELSE (COALESCE(cc.cs, 0) + 1.0)"                                     \
    "     / (COALESCE(cc.cs, 0) + COALESCE(cc.cl, 0) + 2.0) END)"            \
    "    / (COALESCE(pf.p_small, 0) + COALESCE(pf.p_large, 0) + " K ") END"  \
    "   AS fit_learned,"                                                      \
    "  COALESCE(pf.p_small, 0) + COALESCE(pf.p_large, 0) AS fit_returns,"    \
    "  (COALESCE(h.p_returns, 0) + 0.3 * 10.0) / (h.p_lines + 10.0)"        \
    "   AS product_prior_return_rate,"                                        \
    "  CASE WHEN pr.launched_at IS NOT NULL"                                  \
    "   THEN (h.ordered_at - pr.launched_at) / 86400.0 END"                  \
    "   AS product_age_days,"                                                 \
    "  cat.code AS category"                                                  \
    " FROM hist h"                                                            \
    " JOIN purchases p ON p.id = h.id"                                        \
    " JOIN products pr ON pr.id = h.product_id"                               \
    " JOIN categories cat ON cat.name = pr.category"                          \
    " JOIN channels ch ON ch.name = p.channel"                                \
    " LEFT JOIN trend_state ts ON ts.hashtag_id = h.hashtag_id"               \
    "  AND ts.captured_at = (SELECT MAX(s.captured_at) FROM trend_state s"    \
    "   WHERE s.hashtag_id = h.hashtag_id AND s.captured_at <= h.ordered_at)" \
    " LEFT JOIN customers c ON c.id = h.customer_id"                          \
    " LEFT JOIN segments sg ON sg.name = c.segment"                           \
    " LEFT JOIN age_bands ab ON ab.name = c.age_band"                         \
    " LEFT JOIN sizes sz ON sz.name = p.size"                                 \
    " LEFT JOIN sizes us1 ON us1.name = c.usual_size"                         \
    " LEFT JOIN sizes us2 ON us2.name = c.shoe_size"                          \
    " LEFT JOIN cfit cf ON cf.id = h.id"                                      \
    " LEFT JOIN pfit pf ON pf.id = h.id"                                      \
    " LEFT JOIN catcum cc ON cc.category = pr.category"                       \
    "  AND cc.day = MIN(h.ordered_at / 86400 - "                              \
    EST_STR(EST_CATEGORY_LAG_DAYS) ","                                        \
    "   (SELECT MAX(day) FROM fit_category_days))"

/* One pass over narrow rows: each line's label, basket and trend, then
 * every history window over them (one sort per customer and per product);
 * the wide columns are fetched by key at the end, so the sorts move as
 * little as possible. */
#define TS_REFERENCE                                                          \
    " WITH" CATCUM_CTE                                                        \
    " lines AS MATERIALIZED ("                                                \
    "  SELECT p.id, p.customer_id, p.product_id, p.ordered_at, p.unit_price," \
    "   COALESCE(p.ref_hashtag_id, pt.hashtag_id) AS hashtag_id,"            \
    "   " LABEL_SQL("p") " AS returned," SIZE_COLS("p")                       \
    TS_BASKET_COLS                                                            \
    "  FROM purchases p JOIN products pr ON pr.id = p.product_id"            \
    "  LEFT JOIN sizes sz ON sz.name = p.size"                                \
    "  LEFT JOIN product_tags pt ON pt.product_id = p.product_id"            \
    "   AND pt.rank = 0),"                                                    \
    SIZE_FIT_CTES("lines", "lines")                                           \
    " hist AS MATERIALIZED (" TS_WINDOWS ")"                                  \
    TS_KEY_COLS " h.returned," TS_MATURE("h.ordered_at") TS_FEATURE_COLS

/* Version 1: the whole base schema.
 *
 * Conventions: timestamps are INTEGER seconds since the epoch (UTC); money
 * is REAL in the shop's currency; natural ids from the source files are kept
 * in a UNIQUE `code` column beside an INTEGER key. */

/* What the queue trigger does (versions 1 and 8): a queued intervention
 * for the scored line. */
#define QUEUE_INTERVENTION                                                    \
    " BEGIN"                                                                  \
    "  INSERT INTO interventions(created_at, purchase_id, customer_id,"      \
    "   model_version, score, drivers, status)"                              \
    "  SELECT NEW.scored_at, NEW.purchase_id, p.customer_id,"                \
    "   NEW.model_version, NEW.p_return, NEW.drivers, 'queued'"              \
    "  FROM purchases p WHERE p.id = NEW.purchase_id;"                       \
    " END;"

static const char v1[] =
    /* ---- reference tables: the codes the model uses (features.h) ---- */
    "CREATE TABLE categories(name TEXT PRIMARY KEY, code INTEGER NOT NULL);"
    "INSERT INTO categories VALUES('dresses',0),('tops',1),('jeans',2),"
    " ('skirts',3),('outerwear',4),('shoes',5),('accessories',6),"
    " ('other',7);"
    "CREATE TABLE channels(name TEXT PRIMARY KEY, code INTEGER NOT NULL);"
    "INSERT INTO channels VALUES('web',0),('app',1),('tiktok',2),('store',3);"
    "CREATE TABLE segments(name TEXT PRIMARY KEY, code INTEGER NOT NULL,"
    " label TEXT NOT NULL);"
    "INSERT INTO segments VALUES"
    " ('impulsive_tiktok',0,'impulsive TikTok buyer'),"
    " ('serial_bracketer',1,'serial bracketer'),"
    " ('careful_repeat',2,'careful repeat buyer'),"
    " ('bargain_hunter',3,'bargain hunter'),"
    " ('casual',4,'casual shopper'),('unknown',5,'unknown shopper');"
    "CREATE TABLE age_bands(name TEXT PRIMARY KEY, code INTEGER NOT NULL);"
    "INSERT INTO age_bands VALUES('18-24',0),('25-34',1),('35-44',2),"
    " ('45+',3);"
    "CREATE TABLE sizes(name TEXT PRIMARY KEY COLLATE NOCASE,"
    " rank INTEGER NOT NULL, is_shoe INTEGER NOT NULL);"
    "INSERT INTO sizes VALUES('XS',0,0),('S',1,0),('M',2,0),('L',3,0),"
    " ('XL',4,0),('XXL',5,0),('ONE',0,0),('34',34,1),('35',35,1),"
    " ('36',36,1),('37',37,1),('38',38,1),('39',39,1),('40',40,1),"
    " ('41',41,1),('42',42,1),('43',43,1),('44',44,1),('45',45,1),"
    " ('46',46,1);"

    /* ---- source data ---- */
    "CREATE TABLE hashtags("
    " id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL UNIQUE COLLATE NOCASE"
    ");"
    "CREATE TABLE products("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL,"
    " category TEXT NOT NULL REFERENCES categories(name),"
    " brand TEXT,"
    " price REAL NOT NULL CHECK(price >= 0),"
    " fit_bias INTEGER NOT NULL DEFAULT 0 CHECK(fit_bias BETWEEN -1 AND 1),"
    " sizes TEXT NOT NULL DEFAULT 'ONE',"
    " launched_at INTEGER,"
    " source TEXT NOT NULL DEFAULT 'trendbuy'"
    ");"
    "CREATE TABLE product_tags("
    " product_id INTEGER NOT NULL REFERENCES products(id),"
    " hashtag_id INTEGER NOT NULL REFERENCES hashtags(id),"
    " rank INTEGER NOT NULL,"
    " PRIMARY KEY(product_id, hashtag_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX product_tags_by_hashtag ON product_tags(hashtag_id);"
    "CREATE TABLE customers("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"
    " segment TEXT NOT NULL DEFAULT 'unknown' REFERENCES segments(name),"
    " usual_size TEXT,"
    " shoe_size TEXT,"
    " age_band TEXT REFERENCES age_bands(name),"
    " gender TEXT,"
    " joined_at INTEGER,"
    " country TEXT,"
    " lines_before INTEGER NOT NULL DEFAULT 0 CHECK(lines_before >= 0),"
    " returns_before INTEGER NOT NULL DEFAULT 0"
    "  CHECK(returns_before BETWEEN 0 AND lines_before)"
    ");"
    "CREATE TABLE trend_snapshots("
    " hashtag_id INTEGER NOT NULL REFERENCES hashtags(id),"
    " captured_at INTEGER NOT NULL,"
    " creator TEXT,"
    " views INTEGER NOT NULL CHECK(views >= 0),"
    " likes INTEGER NOT NULL DEFAULT 0 CHECK(likes >= 0),"
    " shares INTEGER NOT NULL DEFAULT 0 CHECK(shares >= 0),"
    " comments INTEGER NOT NULL DEFAULT 0 CHECK(comments >= 0),"
    " source TEXT NOT NULL DEFAULT 'csv',"
    " PRIMARY KEY(hashtag_id, captured_at)"
    ") WITHOUT ROWID;"
    "CREATE TABLE purchases("
    " id INTEGER PRIMARY KEY,"
    " line_code TEXT NOT NULL UNIQUE,"
    " order_code TEXT NOT NULL,"
    " customer_id INTEGER REFERENCES customers(id),"
    " product_id INTEGER NOT NULL REFERENCES products(id),"
    " size TEXT,"
    " quantity INTEGER NOT NULL CHECK(quantity > 0),"
    " unit_price REAL NOT NULL CHECK(unit_price >= 0),"
    " discount_pct REAL NOT NULL DEFAULT 0"
    "  CHECK(discount_pct >= 0 AND discount_pct < 100),"
    " ordered_at INTEGER NOT NULL,"
    " channel TEXT NOT NULL DEFAULT 'web' REFERENCES channels(name),"
    " view_minutes REAL CHECK(view_minutes >= 0),"
    " payment TEXT NOT NULL DEFAULT 'card'"
    "  CHECK(payment IN ('card','paylater','other')),"
    " ref_hashtag_id INTEGER REFERENCES hashtags(id),"
    " source TEXT NOT NULL DEFAULT 'trendbuy'"
    ");"
    "CREATE INDEX purchases_by_customer ON purchases(customer_id, ordered_at);"
    "CREATE INDEX purchases_by_product ON purchases(product_id, ordered_at);"
    "CREATE INDEX purchases_by_order ON purchases(order_code, product_id,"
    " size);"
    "CREATE INDEX purchases_by_time ON purchases(ordered_at);"
    "CREATE TABLE returns("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"
    " purchase_id INTEGER NOT NULL REFERENCES purchases(id),"
    " returned_at INTEGER NOT NULL,"
    " quantity INTEGER NOT NULL DEFAULT 1 CHECK(quantity > 0),"
    " reason TEXT NOT NULL DEFAULT 'unknown' CHECK(reason IN ('too_small',"
    "  'too_large','not_as_pictured','quality','changed_mind',"
    "  'late_delivery','unknown')),"
    " condition TEXT NOT NULL DEFAULT 'new'"
    "  CHECK(condition IN ('new','worn','damaged','unknown')),"
    " resellable INTEGER NOT NULL DEFAULT 1 CHECK(resellable IN (0,1))"
    ");"
    "CREATE INDEX returns_by_purchase ON returns(purchase_id, returned_at);"
    "CREATE INDEX returns_by_time ON returns(returned_at);"
    "CREATE TABLE truth("
    " purchase_id INTEGER PRIMARY KEY REFERENCES purchases(id),"
    " p_return REAL NOT NULL CHECK(p_return BETWEEN 0 AND 1)"
    ");"

    /* ---- bookkeeping ---- */
    "CREATE TABLE ingest_files("
    " sha256 TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " rows_loaded INTEGER NOT NULL,"
    " rows_rejected INTEGER NOT NULL,"
    " loaded_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE rejects("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " file TEXT NOT NULL,"
    " file_sha256 TEXT NOT NULL,"
    " line INTEGER NOT NULL,"
    " column_name TEXT,"
    " reason TEXT NOT NULL,"
    " raw TEXT NOT NULL"
    ");"
    /* The same file rejected twice (--strict, then again) records once. */
    "CREATE UNIQUE INDEX rejects_once ON rejects(file_sha256, line, reason);"

    /* ---- model, scores, interventions, usability events ---- */
    "CREATE TABLE model_registry("
    " version INTEGER PRIMARY KEY,"
    " path TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " features TEXT NOT NULL,"
    " threshold REAL NOT NULL CHECK(threshold BETWEEN 0 AND 1),"
    " metrics TEXT,"
    " trained_at INTEGER NOT NULL"
    ");"
    "CREATE TABLE scores("
    " purchase_id INTEGER NOT NULL REFERENCES purchases(id),"
    " model_version INTEGER NOT NULL,"
    " p_return REAL NOT NULL,"
    " drivers TEXT,"
    " scored_at INTEGER NOT NULL,"
    " PRIMARY KEY(purchase_id, model_version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE interventions("
    " id INTEGER PRIMARY KEY,"
    " created_at INTEGER NOT NULL,"
    " purchase_id INTEGER REFERENCES purchases(id),"
    " cart_ref TEXT,"
    " customer_id INTEGER REFERENCES customers(id),"
    " model_version INTEGER,"
    " score REAL,"
    " drivers TEXT,"
    " nudge TEXT,"
    " offer TEXT,"
    " offer_cost REAL NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'queued' CHECK(status IN ('queued',"
    "  'shown','accepted','declined','skipped')),"
    " decided_at INTEGER,"
    " why TEXT,"
    " outcome TEXT"
    ");"
    "CREATE INDEX interventions_by_status ON interventions(status);"
    "CREATE INDEX interventions_by_purchase ON interventions(purchase_id);"
    "CREATE TABLE ui_events("
    " id INTEGER PRIMARY KEY,"
    " session TEXT NOT NULL,"
    " at_ms INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " screen TEXT,"
    " detail TEXT"
    ");"
    "CREATE INDEX ui_events_by_session ON ui_events(session, at_ms);"

    /* A score at or above its model's threshold queues an intervention. */
    "CREATE TRIGGER scores_queue_intervention AFTER INSERT ON scores"
    " WHEN NEW.p_return >= (SELECT threshold FROM model_registry"
    "                       WHERE version = NEW.model_version)"
    QUEUE_INTERVENTION

    /* ---- derived trend state ----
     * One row per snapshot with what was known at that moment: views in the
     * 24 h before, growth over 24 h and 7 days, the busiest day so far and
     * the first sighting. Rebuilt per hashtag whenever its snapshots change
     * (ingest, sync); a cache, never edited by hand. */
    "CREATE TABLE trend_state("
    " hashtag_id INTEGER NOT NULL,"
    " captured_at INTEGER NOT NULL,"
    " views INTEGER NOT NULL,"
    " views_24h INTEGER,"
    " growth_24h REAL,"
    " growth_7d REAL,"
    " peak_at INTEGER,"
    " first_at INTEGER NOT NULL,"
    " PRIMARY KEY(hashtag_id, captured_at)"
    ") WITHOUT ROWID;"

    /* ---- the training set ----
     * Every feature uses only what was known when the line was bought:
     * history counts only lines whose 30-day return window had closed by
     * then, and smoothing uses fixed priors, so later rows never change an
     * earlier line's features. */
    "CREATE VIEW v_labels AS"
    " SELECT p.id AS purchase_id, " LABEL_SQL("p") " AS returned"
    " FROM purchases p;"
    "CREATE VIEW v_data_end AS"
    " SELECT MAX(COALESCE((SELECT MAX(ordered_at) FROM purchases), 0),"
    "  COALESCE((SELECT MAX(returned_at) FROM returns), 0)) AS t;"
    /* The trend a line belongs to: the TikTok video's hashtag, else the
     * product's primary tag. */
    "CREATE VIEW v_line_hashtag AS"
    " SELECT p.id AS purchase_id, p.ordered_at,"
    "  COALESCE(p.ref_hashtag_id, pt.hashtag_id) AS hashtag_id"
    " FROM purchases p LEFT JOIN product_tags pt"
    "  ON pt.product_id = p.product_id AND pt.rank = 0;"
    /* Versions 1 to 3 computed it whole on every read; version 4 reads
     * it from a cache (line_features). */
    "CREATE VIEW v_training_set AS" TS_REFERENCE ";";

/* Version 2: the intervention engine's state. The bandit's arms (one Beta
 * posterior per segment x driver group x nudge, learned from outcomes),
 * the offer budget spent per day, and each decision's bandit context so
 * that its outcome teaches the right arm. */
static const char v2[] =
    "CREATE TABLE nudge_bandit("
    " segment TEXT NOT NULL,"
    " driver TEXT NOT NULL,"
    " nudge TEXT NOT NULL,"
    " alpha REAL NOT NULL CHECK(alpha > 0),"
    " beta REAL NOT NULL CHECK(beta > 0),"
    " outcomes INTEGER NOT NULL DEFAULT 0 CHECK(outcomes >= 0),"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY(segment, driver, nudge)"
    ") WITHOUT ROWID;"
    "CREATE TABLE nudge_budget("
    " day INTEGER PRIMARY KEY,"
    " spent REAL NOT NULL DEFAULT 0 CHECK(spent >= 0)"
    ");"
    "CREATE TABLE nudge_context("
    " intervention_id INTEGER PRIMARY KEY REFERENCES interventions(id),"
    " segment TEXT NOT NULL,"
    " driver TEXT NOT NULL,"
    " band TEXT NOT NULL,"
    " sample REAL"
    ");"
    "CREATE INDEX interventions_by_customer ON interventions(customer_id,"
    " decided_at);";

/* Version 3: what each trend feed last answered (its ETag and
 * Last-Modified), so an unchanged feed costs a 304 and nothing else. */
static const char v3[] =
    "CREATE TABLE feed_sources("
    " url TEXT PRIMARY KEY,"
    " etag TEXT,"
    " last_modified TEXT,"
    " last_sync INTEGER,"
    " last_status TEXT"
    ");";

/* ---- version 4: the training set, cached ----
 * line_features holds every line's features (everything in the training set
 * but the label and `mature`, which move as returns and newer data arrive
 * and are worked out on read). A line's features depend only on what came
 * before it, so a cached row stays right until something at or before its
 * time changes. features_meta says how far the cache goes: every line up to
 * id cached_upto was cached at the last refresh (later lines are new, hence
 * stale), the newest of them bought at cached_until. Triggers on the source
 * tables mark what went stale among the cached lines: lines (their basket
 * changed), a customer's or a product's lines from a time on, a hashtag's
 * lines from a time on. Data newer than the cache marks nothing, so loading
 * the next day's data costs the triggers a lookup or two a row.
 * v_training_set reads the cached rows that are not stale and works out the
 * stale ones itself, so every reader is right whether or not the cache was
 * refreshed; store_features_refresh() moves the stale lines into the cache
 * and clears the marks. */

/* A time before every line: "all of its lines". */
#define SINCE_ALL "(-4611686018427387904)"
#define CACHED_UPTO "(SELECT cached_upto FROM features_meta)"
#define CACHED_UNTIL "(SELECT cached_until FROM features_meta)"
/* Triggers do nothing while nothing is cached (every line is new). */
#define WHEN_CACHED " WHEN " CACHED_UPTO " > 0"

/* The cached columns, in the view's order. */
#define LF_COLS                                                               \
    "purchase_id, line_code, order_code, ordered_at, customer_id,"           \
    " product_id, trend_growth_24h, trend_growth_7d, trend_days_since_peak," \
    " trend_age_days, trend_log_views_24h, channel, hour_of_day,"            \
    " day_of_week, view_minutes, discount_pct, price, price_vs_usual,"       \
    " basket_lines, sizes_of_item, same_category_lines, cust_prior_orders,"  \
    " cust_prior_return_rate, cust_tenure_days, cust_segment,"               \
    " cust_age_band, size_vs_usual, size_history, pay_later, fit_note,"      \
    " fit_learned, fit_returns, product_prior_return_rate, product_age_days," \
    " category"
#define LF_FEATURES                                                           \
    " f.trend_growth_24h, f.trend_growth_7d, f.trend_days_since_peak,"       \
    " f.trend_age_days, f.trend_log_views_24h, f.channel, f.hour_of_day,"    \
    " f.day_of_week, f.view_minutes, f.discount_pct, f.price,"               \
    " f.price_vs_usual, f.basket_lines, f.sizes_of_item,"                    \
    " f.same_category_lines, f.cust_prior_orders, f.cust_prior_return_rate," \
    " f.cust_tenure_days, f.cust_segment, f.cust_age_band, f.size_vs_usual," \
    " f.size_history, f.pay_later, f.fit_note, f.fit_learned, f.fit_returns," \
    " f.product_prior_return_rate, f.product_age_days, f.category"

/* Marks the lines of key (a customer or a product) from `since` on stale,
 * when some of them are cached and no mark covers them yet. */
#define MARK_FROM(what, key, since, from)                                     \
    "INSERT INTO features_stale_" what "(" what "_id, since)"                \
    " SELECT " key ", " since from " AND " since " <= " CACHED_UNTIL        \
    " AND EXISTS (SELECT 1 FROM purchases q WHERE q." what "_id = " key      \
    "  AND q.ordered_at >= " since " AND q.id <= " CACHED_UPTO ")"          \
    " AND NOT EXISTS (SELECT 1 FROM features_stale_" what " s"               \
    "  WHERE s." what "_id = " key " AND s.since <= " since ");"
#define MARK(what, key, since) MARK_FROM(what, key, since, " WHERE 1")
/* A return (r = NEW or OLD) that changes its line's label changes the
 * matured history of the line's customer and product 30 days on. */
#define MARK_RETURN(r, what)                                                  \
    MARK_FROM(what, "p." what "_id", "p.ordered_at + 2592000",                \
              " FROM purchases p WHERE p.id = " r ".purchase_id"             \
              " AND " r ".returned_at <= p.ordered_at + 2592000")
/* The cached lines of an order (its basket changed). */
#define MARK_ORDER(code)                                                      \
    "INSERT INTO features_stale_line(purchase_id)"                           \
    " SELECT q.id FROM purchases q WHERE q.order_code = " code               \
    " AND q.id <= " CACHED_UPTO                                               \
    " AND NOT EXISTS (SELECT 1 FROM features_stale_line l"                   \
    "  WHERE l.purchase_id = q.id);"
/* A purchase line (r = NEW or OLD) added or removed: its order's lines,
 * the customer's later lines (mean price, prior orders, history) and the
 * product's lines 30 days on (matured history). */
#define MARK_PURCHASE(r)                                                      \
    MARK_ORDER(r ".order_code")                                               \
    MARK("customer", r ".customer_id", r ".ordered_at + 1")                   \
    MARK("product", r ".product_id", r ".ordered_at + 2592000")
/* A trend snapshot (r = NEW or OLD) changes its hashtag's state from its
 * time on, so the lines of that hashtag from then on. */
#define MARK_SNAPSHOT(r)                                                      \
    "INSERT INTO features_stale_hashtag(hashtag_id, since)"                  \
    " SELECT " r ".hashtag_id, " r ".captured_at"                            \
    " WHERE NOT EXISTS (SELECT 1 FROM features_stale_hashtag s"              \
    "  WHERE s.hashtag_id = " r ".hashtag_id AND s.since <= " r              \
    ".captured_at);"
#define WHEN_SNAPSHOT(r) r ".captured_at <= " CACHED_UNTIL

/* The stale lines and what they need, then each stale line's basket and
 * trend (TS_FEATURE_COLS reads `hist`). The customer windows run over every
 * line of the stale lines' customers, fed in id order to the reference's own
 * TS_WINDOWS, so that each customer's lines reach the mean-price sum in the
 * order they do there (a float sum depends on it). The product counts are
 * integers: one window over every line of the stale lines' products. Rows
 * are found as ids and fetched in id order (the store's order), never in
 * index order. LIMIT -1 keeps an ORDER BY that SQLite would otherwise drop
 * from a subquery. */
#define PRODUCT_WINDOW                                                        \
    "PARTITION BY product_id ORDER BY ordered_at"                             \
    " RANGE BETWEEN UNBOUNDED PRECEDING AND 2592000 PRECEDING"
#define TS_STALE                                                              \
    " WITH" CATCUM_CTE                                                        \
    " stale(id) AS MATERIALIZED ("                                            \
    "  SELECT p.id FROM purchases p WHERE p.id > " CACHED_UPTO               \
    "  UNION SELECT purchase_id FROM features_stale_line"                    \
    "  UNION SELECT p.id FROM features_stale_customer s"                     \
    "   JOIN purchases p ON p.customer_id = s.customer_id"                   \
    "   AND p.ordered_at >= s.since"                                          \
    "  UNION SELECT p.id FROM features_stale_product s"                      \
    "   JOIN purchases p ON p.product_id = s.product_id"                     \
    "   AND p.ordered_at >= s.since"                                          \
    "  UNION SELECT p.id FROM purchases p"                                    \
    "   LEFT JOIN product_tags pt ON pt.product_id = p.product_id"           \
    "    AND pt.rank = 0"                                                     \
    "   JOIN features_stale_hashtag s"                                        \
    "    ON s.hashtag_id = COALESCE(p.ref_hashtag_id, pt.hashtag_id)"        \
    "    AND p.ordered_at >= s.since"                                         \
    "   WHERE p.ordered_at >= (SELECT MIN(since)"                            \
    "    FROM features_stale_hashtag)"                                        \
    "  UNION SELECT p.id FROM features_stale_category s"                     \
    "   JOIN products pr ON pr.category = s.category"                        \
    "   JOIN purchases p ON p.product_id = pr.id AND p.ordered_at >= s.since)," \
    " keys AS MATERIALIZED (SELECT DISTINCT p.customer_id, p.product_id"     \
    "  FROM stale CROSS JOIN purchases p ON p.id = stale.id),"               \
    " lines AS MATERIALIZED ("                                                \
    "  SELECT p.id, p.customer_id, p.product_id, p.ordered_at, p.unit_price," \
    SIZE_COLS("p")                                                            \
    "   " LABEL_SQL("p") " AS returned"                                       \
    "  FROM (SELECT q.id FROM purchases q"                                    \
    "    WHERE q.customer_id IN (SELECT customer_id FROM keys)"              \
    "    ORDER BY q.id LIMIT -1) u"                                           \
    "  CROSS JOIN purchases p ON p.id = u.id"                                 \
    "  JOIN products pr ON pr.id = p.product_id"                             \
    "  LEFT JOIN sizes sz ON sz.name = p.size"                                \
    "  ORDER BY p.id LIMIT -1),"                                              \
    " win AS MATERIALIZED (" TS_WINDOWS "),"                                  \
    " plines AS MATERIALIZED ("                                               \
    "  SELECT p.id, p.product_id, p.ordered_at,"                              \
    "   " LABEL_SQL("p") " AS returned"                                       \
    "  FROM (SELECT q.id FROM purchases q"                                    \
    "    WHERE q.product_id IN (SELECT product_id FROM keys)"                \
    "    ORDER BY q.id LIMIT -1) u"                                           \
    "  CROSS JOIN purchases p ON p.id = u.id),"                               \
    " pwin AS MATERIALIZED (SELECT id, COUNT(*) OVER wp AS p_lines,"         \
    "  SUM(returned) OVER wp AS p_returns FROM plines"                        \
    "  WINDOW wp AS (" PRODUCT_WINDOW ")),"                                   \
    SIZE_FIT_CTES("lines", "plines")                                          \
    /* Both windows' values of each stale line, in id order (one of the two \
     * sides holds each value: MAX keeps it as it is). */                     \
    " hw AS MATERIALIZED (SELECT id, MAX(c_lines) AS c_lines,"               \
    "  MAX(c_returns) AS c_returns, MAX(c_mean_price) AS c_mean_price,"      \
    "  MAX(c_prior_orders) AS c_prior_orders, MAX(p_lines) AS p_lines,"      \
    "  MAX(p_returns) AS p_returns FROM ("                                    \
    "   SELECT id, c_lines, c_returns, c_mean_price, c_prior_orders,"        \
    "    NULL AS p_lines, NULL AS p_returns FROM win"                         \
    "   WHERE id IN (SELECT id FROM stale)"                                   \
    "   UNION ALL SELECT id, NULL, NULL, NULL, NULL, p_lines, p_returns"     \
    "   FROM pwin WHERE id IN (SELECT id FROM stale))"                       \
    "  GROUP BY id),"                                                         \
    " hist AS ("                                                              \
    "  SELECT p.id, p.customer_id, p.product_id, p.ordered_at, p.unit_price," \
    "   COALESCE(p.ref_hashtag_id, pt.hashtag_id) AS hashtag_id,"            \
    TS_BASKET_COLS ","                                                        \
    "   w.c_lines, w.c_returns, w.c_mean_price, w.c_prior_orders,"           \
    "   w.p_lines, w.p_returns"                                               \
    "  FROM hw w CROSS JOIN purchases p ON p.id = w.id"                      \
    "  JOIN products pr ON pr.id = p.product_id"                             \
    "  LEFT JOIN product_tags pt ON pt.product_id = p.product_id"            \
    "   AND pt.rank = 0)"

/* A product's facts changed: its lines, and the orders holding it when its
 * category (the same-category counts) changed. */
#define PRODUCT_CHANGED_BODY                                                  \
    " BEGIN " MARK("product", "OLD.id", SINCE_ALL)                            \
    MARK("product", "NEW.id", SINCE_ALL)                                      \
    "INSERT INTO features_stale_line(purchase_id)"                           \
    " SELECT q.id FROM purchases q WHERE OLD.category IS NOT NEW.category"   \
    " AND q.order_code IN (SELECT o.order_code FROM purchases o"             \
    "  WHERE o.product_id IN (OLD.id, NEW.id))"                              \
    " AND q.id <= " CACHED_UPTO                                               \
    " AND NOT EXISTS (SELECT 1 FROM features_stale_line l"                   \
    "  WHERE l.purchase_id = q.id);"                                          \
    " END;"

/* The cached rows that are not stale, then the stale lines worked out
 * here (none once the cache is refreshed). */
#define TRAINING_SET_VIEW                                                     \
    "CREATE VIEW v_training_set AS" TS_STALE                                  \
    " SELECT f.purchase_id, f.line_code, f.order_code, f.ordered_at,"        \
    "  f.customer_id, f.product_id,"                                          \
    "  " LABEL_AT("f.purchase_id", "f.ordered_at") " AS returned,"           \
    TS_MATURE("f.ordered_at") LF_FEATURES                                     \
    " FROM line_features f WHERE f.purchase_id NOT IN (SELECT id FROM stale)" \
    " UNION ALL"                                                              \
    TS_KEY_COLS " " LABEL_SQL("h") " AS returned," TS_MATURE("h.ordered_at")  \
    TS_FEATURE_COLS ";"

static const char v4[] =
    "DROP VIEW v_training_set;"
    /* Untyped columns: values are kept exactly as computed. */
    "CREATE TABLE line_features(purchase_id INTEGER PRIMARY KEY,"
    " line_code, order_code, ordered_at, customer_id, product_id,"
    " trend_growth_24h, trend_growth_7d, trend_days_since_peak,"
    " trend_age_days, trend_log_views_24h, channel, hour_of_day,"
    " day_of_week, view_minutes, discount_pct, price, price_vs_usual,"
    " basket_lines, sizes_of_item, same_category_lines, cust_prior_orders,"
    " cust_prior_return_rate, cust_tenure_days, cust_segment, cust_age_band,"
    " size_vs_usual, pay_later, fit_bias, product_prior_return_rate,"
    " product_age_days, category);"
    /* Nothing cached yet: every line of the store is new. */
    "CREATE TABLE features_meta(id INTEGER PRIMARY KEY CHECK(id = 0),"
    " cached_upto INTEGER NOT NULL, cached_until INTEGER);"
    "INSERT INTO features_meta VALUES(0, 0, NULL);"
    "CREATE TABLE features_stale_line(purchase_id INTEGER PRIMARY KEY);"
    "CREATE TABLE features_stale_customer(customer_id INTEGER NOT NULL,"
    " since INTEGER NOT NULL, PRIMARY KEY(customer_id, since))"
    " WITHOUT ROWID;"
    "CREATE TABLE features_stale_product(product_id INTEGER NOT NULL,"
    " since INTEGER NOT NULL, PRIMARY KEY(product_id, since)) WITHOUT ROWID;"
    "CREATE TABLE features_stale_hashtag(hashtag_id INTEGER NOT NULL,"
    " since INTEGER NOT NULL, PRIMARY KEY(hashtag_id, since)) WITHOUT ROWID;"

    "CREATE TRIGGER features_purchase_added AFTER INSERT ON purchases"
    WHEN_CACHED " BEGIN " MARK_PURCHASE("NEW") " END;"
    "CREATE TRIGGER features_purchase_removed AFTER DELETE ON purchases BEGIN"
    " DELETE FROM line_features WHERE purchase_id = OLD.id;"
    " DELETE FROM features_stale_line WHERE purchase_id = OLD.id; "
    MARK_PURCHASE("OLD") " END;"
    "CREATE TRIGGER features_purchase_changed AFTER UPDATE ON purchases BEGIN"
    " DELETE FROM line_features WHERE purchase_id = OLD.id; "
    MARK_PURCHASE("OLD") MARK_PURCHASE("NEW") " END;"
    "CREATE TRIGGER features_return_added AFTER INSERT ON returns"
    WHEN_CACHED " BEGIN "
    MARK_RETURN("NEW", "customer") MARK_RETURN("NEW", "product") " END;"
    "CREATE TRIGGER features_return_removed AFTER DELETE ON returns"
    WHEN_CACHED " BEGIN "
    MARK_RETURN("OLD", "customer") MARK_RETURN("OLD", "product") " END;"
    "CREATE TRIGGER features_return_changed AFTER UPDATE ON returns"
    WHEN_CACHED " BEGIN "
    MARK_RETURN("OLD", "customer") MARK_RETURN("OLD", "product")
    MARK_RETURN("NEW", "customer") MARK_RETURN("NEW", "product") " END;"
    "CREATE TRIGGER features_snapshot_added AFTER INSERT ON trend_snapshots"
    " WHEN " WHEN_SNAPSHOT("NEW") " BEGIN " MARK_SNAPSHOT("NEW") " END;"
    "CREATE TRIGGER features_snapshot_removed AFTER DELETE ON trend_snapshots"
    " WHEN " WHEN_SNAPSHOT("OLD") " BEGIN " MARK_SNAPSHOT("OLD") " END;"
    "CREATE TRIGGER features_snapshot_changed AFTER UPDATE ON trend_snapshots"
    " WHEN " WHEN_SNAPSHOT("OLD") " OR " WHEN_SNAPSHOT("NEW") " BEGIN "
    MARK_SNAPSHOT("OLD") MARK_SNAPSHOT("NEW") " END;"
    /* Customer and product facts the features read; a product's primary
     * tag (its lines' trend); a category (its orders' same-category
     * counts). The code tables (categories, channels, sizes...) are fixed. */
    "CREATE TRIGGER features_customer_added AFTER INSERT ON customers"
    WHEN_CACHED " BEGIN " MARK("customer", "NEW.id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_customer_removed AFTER DELETE ON customers"
    WHEN_CACHED " BEGIN " MARK("customer", "OLD.id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_customer_changed AFTER UPDATE OF id, segment,"
    " usual_size, shoe_size, age_band, joined_at, lines_before,"
    " returns_before ON customers" WHEN_CACHED " BEGIN "
    MARK("customer", "OLD.id", SINCE_ALL) MARK("customer", "NEW.id", SINCE_ALL)
    " END;"
    "CREATE TRIGGER features_product_added AFTER INSERT ON products"
    WHEN_CACHED " BEGIN " MARK("product", "NEW.id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_product_removed AFTER DELETE ON products"
    WHEN_CACHED " BEGIN " MARK("product", "OLD.id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_product_changed AFTER UPDATE OF id, category,"
    " fit_bias, launched_at ON products" WHEN_CACHED PRODUCT_CHANGED_BODY
    "CREATE TRIGGER features_tag_added AFTER INSERT ON product_tags"
    " WHEN NEW.rank = 0 BEGIN "
    MARK("product", "NEW.product_id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_tag_removed AFTER DELETE ON product_tags"
    " WHEN OLD.rank = 0 BEGIN "
    MARK("product", "OLD.product_id", SINCE_ALL) " END;"
    "CREATE TRIGGER features_tag_changed AFTER UPDATE ON product_tags"
    " WHEN OLD.rank = 0 OR NEW.rank = 0 BEGIN "
    MARK("product", "OLD.product_id", SINCE_ALL)
    MARK("product", "NEW.product_id", SINCE_ALL) " END;"

    TRAINING_SET_VIEW;


/* trend_state from trend_snapshots (filter: which hashtags). Views are
 * cumulative but real counts now and then go down: a week's views are the
 * running maximum's gain, never negative. A trend younger than a week
 * counts from its first snapshot. */
#define TREND_STATE_SELECT(filter)                                            \
    "INSERT INTO trend_state(hashtag_id, captured_at, views, views_24h,"     \
    " growth_24h, growth_7d, peak_at, first_at, week_views,"                  \
    " prev_week_views, best_week_views)"                                      \
    " WITH w AS (SELECT hashtag_id, captured_at, views,"                      \
    "   MAX(views) OVER (PARTITION BY hashtag_id ORDER BY captured_at"        \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 86400 PRECEDING) AS v1,"       \
    "   MAX(views) OVER (PARTITION BY hashtag_id ORDER BY captured_at"        \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 604800 PRECEDING) AS v7,"      \
    "   MAX(views) OVER (PARTITION BY hashtag_id ORDER BY captured_at"        \
    "    RANGE BETWEEN UNBOUNDED PRECEDING AND 1209600 PRECEDING) AS v14,"    \
    "   MAX(views) OVER (PARTITION BY hashtag_id ORDER BY captured_at"        \
    "    ROWS UNBOUNDED PRECEDING) AS vmax,"                                  \
    "   FIRST_VALUE(views) OVER (PARTITION BY hashtag_id"                     \
    "    ORDER BY captured_at) AS v0,"                                        \
    "   MIN(captured_at) OVER (PARTITION BY hashtag_id) AS first_at"          \
    "  FROM trend_snapshots " filter "),"                                     \
    " g AS (SELECT *, views - v1 AS gain,"                                    \
    "   vmax - COALESCE(v7, v0) AS week,"                                     \
    "   COALESCE(v7, v0) - COALESCE(v14, v0) AS prev_week FROM w),"           \
    " pk AS (SELECT *, MAX(gain) OVER (PARTITION BY hashtag_id"               \
    "   ORDER BY captured_at ROWS UNBOUNDED PRECEDING) AS best,"              \
    "  MAX(week) OVER (PARTITION BY hashtag_id"                               \
    "   ORDER BY captured_at ROWS UNBOUNDED PRECEDING) AS best_week FROM g)"   \
    " SELECT hashtag_id, captured_at, views, gain,"                           \
    "  CASE WHEN v1 > 0 THEN (views - v1) * 1.0 / v1 END,"                    \
    "  CASE WHEN v7 > 0 THEN (views - v7) * 1.0 / v7 END,"                    \
    "  COALESCE(MAX(CASE WHEN gain = best THEN captured_at END) OVER"         \
    "   (PARTITION BY hashtag_id ORDER BY captured_at"                        \
    "    ROWS UNBOUNDED PRECEDING), first_at),"                               \
    "  first_at, week, prev_week, best_week FROM pk;"

/* ---- version 5: what a shop can know ----
 * A product's fit is the shop's note (fit_note, NULL for none) instead of
 * a fit_bias that every product had to carry; the features estimate the
 * shopper's size and how a product runs from the store's own history
 * (estimates.h). fit_category_days holds, per category and day, how many
 * returns (within 30 days of their line) arrived that day saying the item
 * was too small and too large; triggers keep it exact as returns,
 * purchases and products change, and a changed day marks the category's
 * cached lines from the next day on as stale. A size return also marks its
 * customer's and its product's lines from its arrival on. */

#define SIZE_REASON(o) o ".reason IN ('too_small', 'too_large')"
#define UPSERT_DAY                                                            \
    " ON CONFLICT(category, day) DO UPDATE SET"                               \
    " small = small + excluded.small, large = large + excluded.large;"
/* The return row o (OLD or NEW) counted with sign s, when it is a size
 * return within 30 days of its line. */
#define RETURN_CELL(s, o)                                                     \
    "INSERT INTO fit_category_days(category, day, small, large)"             \
    " SELECT pr.category, " o ".returned_at / 86400,"                         \
    " " s "(" o ".reason = 'too_small'), " s "(" o ".reason = 'too_large')"  \
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"             \
    " WHERE p.id = " o ".purchase_id AND " SIZE_REASON(o)                     \
    " AND " o ".returned_at <= p.ordered_at + 2592000" UPSERT_DAY
/* The size returns of line id (bought at `at`) counted in category cat
 * with sign s. */
#define LINE_CELLS(s, cat, id, at)                                            \
    "INSERT INTO fit_category_days(category, day, small, large)"             \
    " SELECT " cat ", r.returned_at / 86400,"                                 \
    " " s "SUM(r.reason = 'too_small'), " s "SUM(r.reason = 'too_large')"    \
    " FROM returns r WHERE r.purchase_id = " id " AND " SIZE_REASON("r")     \
    " AND r.returned_at <= " at " + 2592000 GROUP BY 2" UPSERT_DAY
#define CATEGORY_OF(pid) "(SELECT category FROM products WHERE id = " pid ")"
/* Every size return of product pid's lines counted in cat with sign s. */
#define PRODUCT_CELLS(s, cat, pid)                                            \
    "INSERT INTO fit_category_days(category, day, small, large)"             \
    " SELECT " cat ", r.returned_at / 86400,"                                 \
    " " s "SUM(r.reason = 'too_small'), " s "SUM(r.reason = 'too_large')"    \
    " FROM purchases p JOIN returns r ON r.purchase_id = p.id"               \
    " WHERE p.product_id = " pid " AND " SIZE_REASON("r")                     \
    " AND r.returned_at <= p.ordered_at + 2592000 GROUP BY 2" UPSERT_DAY
/* A size return o (OLD or NEW) changes what its customer's and its
 * product's lines know from its arrival on. */
#define MARK_SIZE_RETURN(o)                                                   \
    MARK_FROM("customer", "p.customer_id", o ".returned_at",                  \
              " FROM purchases p WHERE p.id = " o ".purchase_id")            \
    MARK_FROM("product", "p.product_id", o ".returned_at",                    \
              " FROM purchases p WHERE p.id = " o ".purchase_id")
/* A changed day of a category makes its cached lines from the next day
 * on stale. */
#define CATEGORY_SINCE(r)                                                     \
    "(" r ".day + " EST_STR(EST_CATEGORY_LAG_DAYS) ") * 86400"
#define MARK_CATEGORY(r)                                                      \
    "INSERT INTO features_stale_category(category, since)"                   \
    " SELECT " r ".category, " CATEGORY_SINCE(r)                              \
    " WHERE " CATEGORY_SINCE(r) " <= " CACHED_UNTIL                           \
    " AND NOT EXISTS (SELECT 1 FROM features_stale_category s"               \
    "  WHERE s.category = " r ".category AND s.since <= " CATEGORY_SINCE(r)  \
    ");"

/* Every size return within 30 days of its line, counted by category and
 * the day it arrived (what the triggers below keep current). */
#define FIT_DAYS_SELECT                                                       \
    "INSERT INTO fit_category_days(category, day, small, large)"             \
    " SELECT pr.category, r.returned_at / 86400,"                             \
    " SUM(r.reason = 'too_small'), SUM(r.reason = 'too_large')"              \
    " FROM returns r JOIN purchases p ON p.id = r.purchase_id"               \
    " JOIN products pr ON pr.id = p.product_id"                              \
    " WHERE " SIZE_REASON("r") " AND r.returned_at <= p.ordered_at + 2592000" \
    " GROUP BY 1, 2;"

static const char v5[] =
    "DROP VIEW v_training_set;"
    "DROP TRIGGER features_product_changed;"
    /* A store made before the note was optional: what it recorded of a
     * TrendBuy product's fit is its note; other sources had none. */
    "ALTER TABLE products ADD COLUMN fit_note INTEGER"
    " CHECK(fit_note BETWEEN -1 AND 1);"
    "UPDATE products SET fit_note = CASE WHEN source = 'trendbuy'"
    " THEN fit_bias END;"
    "ALTER TABLE products DROP COLUMN fit_bias;"
    /* Generated data's true size offset of a line (size + how the item
     * really runs - the size that fits): truth, for measuring how well the
     * shop's estimates do, never read by what decides. */
    "ALTER TABLE truth ADD COLUMN size_offset INTEGER"
    " CHECK(size_offset BETWEEN -20 AND 20);"
    "CREATE TRIGGER features_product_changed AFTER UPDATE OF id, category,"
    " fit_note, launched_at ON products" WHEN_CACHED PRODUCT_CHANGED_BODY
    /* The cache's columns changed: it is built again on the next refresh. */
    "DROP TABLE line_features;"
    "CREATE TABLE line_features(purchase_id INTEGER PRIMARY KEY,"
    " line_code, order_code, ordered_at, customer_id, product_id,"
    " trend_growth_24h, trend_growth_7d, trend_days_since_peak,"
    " trend_age_days, trend_log_views_24h, channel, hour_of_day,"
    " day_of_week, view_minutes, discount_pct, price, price_vs_usual,"
    " basket_lines, sizes_of_item, same_category_lines, cust_prior_orders,"
    " cust_prior_return_rate, cust_tenure_days, cust_segment, cust_age_band,"
    " size_vs_usual, size_history, pay_later, fit_note, fit_learned,"
    " fit_returns, product_prior_return_rate, product_age_days, category);"
    "UPDATE features_meta SET cached_upto = 0, cached_until = NULL;"
    "DELETE FROM features_stale_line;"
    "DELETE FROM features_stale_customer;"
    "DELETE FROM features_stale_product;"
    "DELETE FROM features_stale_hashtag;"
    "CREATE TABLE features_stale_category(category TEXT NOT NULL,"
    " since INTEGER NOT NULL, PRIMARY KEY(category, since)) WITHOUT ROWID;"
    "CREATE TABLE fit_category_days("
    " category TEXT NOT NULL REFERENCES categories(name),"
    " day INTEGER NOT NULL,"
    " small INTEGER NOT NULL DEFAULT 0,"
    " large INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(category, day)"
    ") WITHOUT ROWID;"
    FIT_DAYS_SELECT
    "CREATE TRIGGER fit_return_added AFTER INSERT ON returns"
    " WHEN " SIZE_REASON("NEW") " BEGIN " RETURN_CELL("", "NEW")
    MARK_SIZE_RETURN("NEW") " END;"
    "CREATE TRIGGER fit_return_removed AFTER DELETE ON returns"
    " WHEN " SIZE_REASON("OLD") " BEGIN " RETURN_CELL("-", "OLD")
    MARK_SIZE_RETURN("OLD") " END;"
    "CREATE TRIGGER fit_return_changed AFTER UPDATE ON returns"
    " WHEN " SIZE_REASON("OLD") " OR " SIZE_REASON("NEW") " BEGIN "
    RETURN_CELL("-", "OLD") RETURN_CELL("", "NEW") MARK_SIZE_RETURN("OLD")
    MARK_SIZE_RETURN("NEW") " END;"
    "CREATE TRIGGER fit_purchase_changed AFTER UPDATE OF ordered_at,"
    " product_id ON purchases BEGIN "
    LINE_CELLS("-", CATEGORY_OF("OLD.product_id"), "OLD.id", "OLD.ordered_at")
    LINE_CELLS("", CATEGORY_OF("NEW.product_id"), "NEW.id", "NEW.ordered_at")
    " END;"
    "CREATE TRIGGER fit_purchase_removed AFTER DELETE ON purchases BEGIN "
    LINE_CELLS("-", CATEGORY_OF("OLD.product_id"), "OLD.id", "OLD.ordered_at")
    " END;"
    "CREATE TRIGGER fit_product_moved AFTER UPDATE OF category ON products"
    " WHEN OLD.category IS NOT NEW.category BEGIN "
    PRODUCT_CELLS("-", "OLD.category", "OLD.id")
    PRODUCT_CELLS("", "NEW.category", "NEW.id") " END;"
    "CREATE TRIGGER fit_day_added AFTER INSERT ON fit_category_days"
    " WHEN NEW.small != 0 OR NEW.large != 0 BEGIN " MARK_CATEGORY("NEW")
    " END;"
    "CREATE TRIGGER fit_day_changed AFTER UPDATE ON fit_category_days"
    " WHEN NEW.small != OLD.small OR NEW.large != OLD.large BEGIN "
    MARK_CATEGORY("NEW") " END;"
    TRAINING_SET_VIEW;

/* Version 6: the simulation's sweeps of its assumptions, each as the JSON
 * `simulate --sweep --json` prints, for `report --html`'s tornado chart. */
static const char v6[] =
    "CREATE TABLE sim_sweeps(id INTEGER PRIMARY KEY,"
    " created_at INTEGER NOT NULL, json TEXT NOT NULL);";

/* ---- version 7: trends as the app labels them, and the store's money ----
 * trend_state gains the views of the 7 days up to each snapshot, of the 7
 * days before those and of the busiest 7 days so far: the inputs of
 * features_trend_phase. store_settings keeps facts about the store as a
 * whole; 'currency' is the ISO 4217 code every amount in the store is in
 * (money.h): GBP for a store holding the UCI Online Retail data, else
 * USD. Self-contained, so it can take another number. */
static const char v7[] =
    "ALTER TABLE trend_state ADD COLUMN week_views INTEGER;"
    "ALTER TABLE trend_state ADD COLUMN prev_week_views INTEGER;"
    "ALTER TABLE trend_state ADD COLUMN best_week_views INTEGER;"
    "DELETE FROM trend_state;" TREND_STATE_SELECT("")
    "CREATE TABLE store_settings(key TEXT PRIMARY KEY,"
    " value TEXT NOT NULL) WITHOUT ROWID;"
    "INSERT INTO store_settings(key, value) SELECT 'currency',"
    " CASE WHEN EXISTS (SELECT 1 FROM purchases"
    "  WHERE source = 'online-retail') THEN 'GBP' ELSE 'USD' END;";

/* ---- version 8: a line is queued once ----
 * A line's first score is its moment: re-scoring it under another model
 * (a new version, even of the same file) no longer queues a second
 * intervention for a purchase that was already decided. */
static const char v8[] =
    "DROP TRIGGER scores_queue_intervention;"
    "CREATE TRIGGER scores_queue_intervention AFTER INSERT ON scores"
    SCHEMA_QUEUE_ONCE QUEUE_INTERVENTION;

/* ---- version 9: recorded sessions ----
 * A recorded app session (uilog.h): its header (the terminal's size and
 * type, when it started, the file it was written to) and its asciicast
 * events in order (t_us: microseconds since the start; type 'o' output,
 * 'm' a marker, 'r' a resize; data as the file has it), from which
 * `sessions --cast` writes the file again. */
static const char v9[] =
    "CREATE TABLE ui_recordings(id INTEGER PRIMARY KEY,"
    " session TEXT NOT NULL, started_at INTEGER NOT NULL,"
    " width INTEGER NOT NULL, height INTEGER NOT NULL, term TEXT,"
    " file TEXT);"
    "CREATE INDEX ui_recordings_by_session ON ui_recordings(session);"
    "CREATE TABLE ui_cast(recording INTEGER NOT NULL"
    "  REFERENCES ui_recordings(id),"
    " seq INTEGER NOT NULL, t_us INTEGER NOT NULL,"
    " type TEXT NOT NULL CHECK(type IN ('o', 'm', 'r')),"
    " data TEXT NOT NULL,"
    " PRIMARY KEY(recording, seq)) WITHOUT ROWID;";

const char *const schema_migrations[] = {v1, v2, v3, v4, v5, v6, v7, v8,
                                         v9, schema_v10, schema_v11,
                                         schema_v12, schema_v13};
const int schema_num_migrations =
    (int)(sizeof schema_migrations / sizeof *schema_migrations);
_Static_assert(sizeof schema_migrations / sizeof *schema_migrations ==
                   STORE_SCHEMA_VERSION,
               "a migration for every schema version");

const char *const schema_training_set_reference = TS_REFERENCE;

const char *const schema_features_pending =
    "SELECT EXISTS (SELECT 1 FROM purchases WHERE id > " CACHED_UPTO ")"
    " OR EXISTS (SELECT 1 FROM features_stale_line)"
    " OR EXISTS (SELECT 1 FROM features_stale_customer)"
    " OR EXISTS (SELECT 1 FROM features_stale_product)"
    " OR EXISTS (SELECT 1 FROM features_stale_hashtag)"
    " OR EXISTS (SELECT 1 FROM features_stale_category)";

/* Every line is cached now: no marks, the watermark at the newest line. */
#define CACHED_ALL                                                            \
    "DELETE FROM features_stale_line;"                                        \
    "DELETE FROM features_stale_customer;"                                    \
    "DELETE FROM features_stale_product;"                                     \
    "DELETE FROM features_stale_hashtag;"                                     \
    "DELETE FROM features_stale_category;"                                    \
    "UPDATE features_meta SET"                                                \
    " cached_upto = COALESCE((SELECT MAX(id) FROM purchases), 0),"            \
    " cached_until = (SELECT MAX(ordered_at) FROM purchases);"

const char *const schema_features_refresh =
    "INSERT OR REPLACE INTO line_features(" LF_COLS ")" TS_STALE
    TS_KEY_COLS TS_FEATURE_COLS ";" CACHED_ALL;

/* With nothing cached every line is stale: one pass of the reference is
 * cheaper than working out what each stale line needs. Rows go in by id,
 * the table's order. */
const char *const schema_features_build =
    "INSERT INTO line_features(" LF_COLS ") SELECT " LF_COLS
    " FROM (" TS_REFERENCE ") ORDER BY purchase_id;" CACHED_ALL;

const char *const schema_features_drop =
    "DELETE FROM line_features;"
    "UPDATE features_meta SET cached_upto = 0, cached_until = NULL;";

const char *const schema_features_empty =
    "SELECT NOT EXISTS (SELECT 1 FROM line_features)";

/* The trend state as window functions: what version 7 computed, and the
 * reference store_trend.c's pass is tested against. */
const char *const schema_trend_state_reference =
    "DELETE FROM trend_state;" TREND_STATE_SELECT("");

const char *const schema_fit_days_rebuild =
    "DELETE FROM fit_category_days;" FIT_DAYS_SELECT;

/* Derived from the other tables in full by the statements above, or
 * (pilot_figures) computed again when asked for. */
const char *const schema_rebuilt_tables[] = {
    "trend_state",        "line_features",     "fit_category_days",
    "dash_days",          "dash_day_drivers",  "dash_day_reasons",
    "dash_product_days",  "dash_product_weeks", "funnel_days",
    "pilot_figures",      NULL};
