/* export_tables.c: the star schema's tables as data: one SQL statement per
 * table (rows in key order), each column with its format and meaning (the
 * README and its relationships are written from these).
 *
 * Named parameters: :since (facts of lines ordered from then on; the
 * smallest integer for everything), :only_used (1: dimensions hold only
 * the rows the facts use), :window (the 30-day return window in seconds),
 * :data_end (the newest purchase or return, v_data_end), and the money
 * assumptions a return's cost takes (:margin, :processing, :resale_hot,
 * :resale_fading, :resale_none, with the trend phases' codes :fading and
 * :none). The pilot's tables read what export_pilot.c staged in temp
 * tables. Every dimension has a row with key -1 ("none") so that every
 * fact key joins. */
#include "export_int.h"
#include "schema.h"

const char *const export_table_names[TG_EXPORT_TABLES] = {
    "fact_purchase_lines", "fact_returns", "fact_interventions",
    "fact_scores", "fact_score_drivers", "fact_pilot_measures",
    "fact_pilot_intervals", "dim_product", "dim_customer", "dim_date",
    "dim_trend"};

const char *const export_kind_docs[EX_NUM_KINDS] = {
    [EX_INT] = "whole number",
    [EX_TEXT] = "text",
    [EX_FIX1] = "decimal, 1 place",
    [EX_FIX2] = "decimal, 2 places",
    [EX_FIX4] = "decimal, 4 places",
    [EX_TS] = "date/time, UTC",
    [EX_DATE] = "date",
    [EX_DATEKEY] = "whole number, yyyymmdd",
    [EX_PHASE] = "text",
    [EX_YEAR] = "whole number",
    [EX_QUARTER] = "whole number",
    [EX_MONTH] = "whole number",
    [EX_MONTH_NAME] = "text",
    [EX_YEAR_MONTH] = "text",
    [EX_DAY] = "whole number",
    [EX_ISO_YEAR] = "whole number",
    [EX_ISO_WEEK] = "whole number",
    [EX_WEEKDAY] = "whole number",
    [EX_WEEKDAY_NAME] = "text",
    [EX_WEEKEND] = "whole number"};

/* The facts keep the lines ordered from :since on and what belongs to
 * them; an intervention without a line counts from its creation. */
#define LINES_SINCE " p.ordered_at >= :since "
#define INTERVENTIONS_SINCE " COALESCE(p.ordered_at, i.created_at) >= :since "
/* A line's trend: the video's hashtag, else the product's primary tag. */
#define LINE_TREND " COALESCE(lh.hashtag_id, -1) "
#define JOIN_LINE_TREND \
    " LEFT JOIN v_line_hashtag lh ON lh.purchase_id = p.id "

#define COLS(a) a, (int)(sizeof a / sizeof *a)

/* The line's trend phase when it was bought (trend_phase's code). */
#define PHASE_AT_PURCHASE \
    " (SELECT trend_phase(s.views_24h, s.week_views, s.prev_week_views," \
    "   s.best_week_views, (p.ordered_at - s.captured_at) / 86400.0)" \
    "  FROM trend_state s" \
    "  WHERE s.hashtag_id = lh.hashtag_id AND s.captured_at <= p.ordered_at" \
    "  ORDER BY s.captured_at DESC LIMIT 1)"

/* ---- fact_purchase_lines ------------------------------------------------ */

static const char SQL_PURCHASE_LINES[] =
    "SELECT p.id, p.line_code, p.order_code, p.ordered_at, p.ordered_at,"
    " p.product_id, COALESCE(p.customer_id, -1)," LINE_TREND ","
    " p.channel, p.size, p.payment, p.quantity, p.unit_price, p.discount_pct,"
    " p.quantity * p.unit_price, p.view_minutes," PHASE_AT_PURCHASE ","
    " l.returned, p.ordered_at + :window <= :data_end,"
    " sc.p_return, sc.model_version"
    " FROM purchases p JOIN v_labels l ON l.purchase_id = p.id" JOIN_LINE_TREND
    " LEFT JOIN scores sc ON sc.purchase_id = p.id AND sc.model_version ="
    "  (SELECT MAX(s2.model_version) FROM scores s2"
    "   WHERE s2.purchase_id = p.id)"
    " WHERE" LINES_SINCE "ORDER BY p.id";

static const export_col purchase_lines[] = {
    {"purchase_line_key", EX_INT, "the line (purchases.id); unique"},
    {"line_code", EX_TEXT, "the line's id in the source data"},
    {"order_code", EX_TEXT, "the order (basket) the line belongs to"},
    {"date_key", EX_DATEKEY, "the order date, joins dim_date"},
    {"ordered_at", EX_TS, "when the line was bought"},
    {"product_key", EX_INT, "joins dim_product"},
    {"customer_key", EX_INT, "joins dim_customer; -1 for an anonymous buyer"},
    {"trend_key", EX_INT,
     "joins dim_trend: the hashtag of the TikTok video the line came from, "
     "else the product's primary tag; -1 for none"},
    {"channel", EX_TEXT, "web, app, tiktok or store"},
    {"size", EX_TEXT, "the size bought (empty when the item has none)"},
    {"payment", EX_TEXT, "card, paylater or other"},
    {"quantity", EX_INT, "items on the line"},
    {"unit_price", EX_FIX2, "unit price paid, after the discount"},
    {"discount_pct", EX_FIX2, "discount on the line, percent"},
    {"line_amount", EX_FIX2, "quantity x unit_price"},
    {"view_minutes", EX_FIX1, "minutes from first view to purchase"},
    {"trend_phase", EX_PHASE,
     "the trend's phase when the line was bought: rising (its week's views "
     "beat the week before's by 10%, are at least half its busiest "
     "week's, and its last day is no quieter than the week's average), "
     "peak (not rising, at least 70% of its busiest week), fading (less, "
     "or no snapshot for a week) or none (no trend)"},
    {"returned", EX_INT,
     "1 when a return of the line arrived within 30 days of the purchase "
     "(the model's label), else 0"},
    {"mature", EX_INT,
     "1 when the line's 30-day window had closed by the data end, so that "
     "returned is final; 0 while returns may still come"},
    {"score", EX_FIX4,
     "the newest model's predicted return probability; empty when unscored"},
    {"score_model_version", EX_INT, "the model version of score"},
};

/* ---- fact_returns ------------------------------------------------------- */

static const char SQL_RETURNS[] =
    "SELECT r.id, r.code, r.purchase_id, r.returned_at, r.returned_at,"
    " p.product_id, COALESCE(p.customer_id, -1)," LINE_TREND ","
    " r.quantity, r.quantity * p.unit_price, r.reason, r.condition,"
    " r.resellable, (r.returned_at - p.ordered_at) / 86400.0,"
    " r.returned_at <= p.ordered_at + :window"
    " FROM returns r JOIN purchases p ON p.id = r.purchase_id" JOIN_LINE_TREND
    " WHERE" LINES_SINCE "ORDER BY r.id";

static const export_col returns[] = {
    {"return_key", EX_INT, "the return (returns.id); unique"},
    {"return_code", EX_TEXT, "the return's id in the source data"},
    {"purchase_line_key", EX_INT,
     "the line returned, joins fact_purchase_lines"},
    {"date_key", EX_DATEKEY, "the return date, joins dim_date"},
    {"returned_at", EX_TS, "when the return arrived"},
    {"product_key", EX_INT, "joins dim_product (the line's product)"},
    {"customer_key", EX_INT, "joins dim_customer; -1 for an anonymous buyer"},
    {"trend_key", EX_INT, "joins dim_trend (the line's trend); -1 for none"},
    {"quantity", EX_INT, "items returned"},
    {"refund_amount", EX_FIX2, "quantity x the unit price paid"},
    {"reason", EX_TEXT,
     "too_small, too_large, not_as_pictured, quality, changed_mind, "
     "late_delivery or unknown"},
    {"condition", EX_TEXT, "new, worn, damaged or unknown"},
    {"resellable", EX_INT, "1 when the item can be sold again"},
    {"days_after_purchase", EX_FIX2, "days from the purchase to the return"},
    {"within_window", EX_INT,
     "1 when the return arrived within 30 days of the purchase"},
};

/* ---- fact_interventions ------------------------------------------------- */

static const char SQL_INTERVENTIONS[] =
    "SELECT i.id, i.purchase_id, i.cart_ref, i.created_at, i.created_at,"
    " i.decided_at, i.decided_at, COALESCE(i.customer_id, p.customer_id, -1),"
    " COALESCE(p.product_id, -1)," LINE_TREND ", i.source, i.moment,"
    " i.model_version, i.score, i.status, i.nudge, i.offer, i.offer_cost,"
    " i.status IN ('shown', 'accepted', 'declined'), i.status = 'accepted',"
    " i.outcome, CASE i.outcome WHEN 'returned' THEN 1 WHEN 'exchanged'"
    "  THEN 1 WHEN 'kept' THEN 0 WHEN 'lost' THEN 0 END,"
    " p.quantity * p.unit_price,"
    " p.quantity * p.unit_price * (:margin + :processing + (1 - :margin)"
    "  * (1 - CASE COALESCE(" PHASE_AT_PURCHASE ", :none)"
    "   WHEN :none THEN :resale_none WHEN :fading THEN :resale_fading"
    "   ELSE :resale_hot END)),"
    " i.why"
    " FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    JOIN_LINE_TREND " WHERE" INTERVENTIONS_SINCE "ORDER BY i.id";

static const export_col interventions[] = {
    {"intervention_key", EX_INT, "the decision (interventions.id); unique"},
    {"purchase_line_key", EX_INT,
     "the line scored, joins fact_purchase_lines; empty for a cart"},
    {"cart_ref", EX_TEXT, "the cart, for a decision taken before a purchase"},
    {"date_key", EX_DATEKEY,
     "the day of its moment (the line's purchase, a return's arrival, the "
     "app's clock; never the day a command ran), joins dim_date"},
    {"created_at", EX_TS, "when it was queued or shown"},
    {"decided_date_key", EX_DATEKEY,
     "the day it was decided, joins dim_date (inactive); empty while queued"},
    {"decided_at", EX_TS, "when the engine decided"},
    {"customer_key", EX_INT, "joins dim_customer; -1 for an anonymous buyer"},
    {"product_key", EX_INT, "joins dim_product; -1 without a line"},
    {"trend_key", EX_INT, "joins dim_trend (the line's trend); -1 for none"},
    {"source", EX_TEXT,
     "live (the app and the queue: real use) or pilot (the simulated "
     "pilot: its shoppers are the shopper model's)"},
    {"moment", EX_TEXT,
     "for the pilot, the moment it decided at: item, cart, order (the "
     "pre-ship check), return or restock"},
    {"model_version", EX_INT, "the model whose score queued it"},
    {"score", EX_FIX4, "that predicted return probability"},
    {"status", EX_TEXT, "queued, shown, accepted, declined or skipped"},
    {"nudge", EX_TEXT, "the nudge shown (empty: none)"},
    {"offer", EX_TEXT, "the offer that came with it"},
    {"offer_cost", EX_FIX2, "what the offer costs when accepted"},
    {"shown", EX_INT, "1 when a nudge was shown (shown, accepted, declined)"},
    {"accepted", EX_INT, "1 when the shopper accepted it"},
    {"outcome", EX_TEXT,
     "kept, returned, exchanged (the pilot's: returned for an exchange) or "
     "lost (not bought) once the line's 30-day window closed; empty "
     "before"},
    {"outcome_returned", EX_INT,
     "1 when the outcome is returned or exchanged, 0 for kept or lost, "
     "empty before"},
    {"line_amount", EX_FIX2, "the line's quantity x unit price paid"},
    {"return_cost", EX_FIX2,
     "what a return of the line costs the shop: line_amount x (margin + "
     "processing + (1 - margin) x the share of the goods not resold, by "
     "the line's trend phase at purchase), from the assumptions named in "
     "this README"},
    {"why", EX_TEXT, "why the engine chose as it did"},
};

/* ---- fact_scores -------------------------------------------------------- */

static const char SQL_SCORES[] =
    "SELECT sc.purchase_id, sc.model_version, sc.scored_at, sc.scored_at,"
    " p.product_id, COALESCE(p.customer_id, -1)," LINE_TREND ","
    " sc.p_return, m.threshold, sc.p_return >= m.threshold,"
    " sc.model_version = (SELECT MAX(s2.model_version) FROM scores s2"
    "  WHERE s2.purchase_id = sc.purchase_id),"
    " l.returned"
    " FROM scores sc JOIN purchases p ON p.id = sc.purchase_id"
    " JOIN v_labels l ON l.purchase_id = p.id" JOIN_LINE_TREND
    " LEFT JOIN model_registry m ON m.version = sc.model_version"
    " WHERE" LINES_SINCE "ORDER BY sc.purchase_id, sc.model_version";

static const export_col scores[] = {
    {"purchase_line_key", EX_INT,
     "the line scored, joins fact_purchase_lines; with model_version unique"},
    {"model_version", EX_INT, "the model that scored it"},
    {"date_key", EX_DATEKEY, "the day it was scored, joins dim_date"},
    {"scored_at", EX_TS, "when it was scored"},
    {"product_key", EX_INT, "joins dim_product"},
    {"customer_key", EX_INT, "joins dim_customer; -1 for an anonymous buyer"},
    {"trend_key", EX_INT, "joins dim_trend; -1 for none"},
    {"p_return", EX_FIX4, "predicted probability that the line is returned"},
    {"threshold", EX_FIX4, "the model's threshold for queuing a nudge"},
    {"flagged", EX_INT, "1 when p_return reached the threshold"},
    {"is_newest", EX_INT, "1 for the newest model's score of the line"},
    {"returned", EX_INT, "the line's label (see fact_purchase_lines)"},
};

/* ---- fact_score_drivers ------------------------------------------------- */

/* Each score's reasons, from the JSON the store keeps (risk.h), a row
 * each; a value that is not JSON is left out. */
static const char SQL_SCORE_DRIVERS[] =
    "SELECT sc.purchase_id, sc.model_version, j.key + 1,"
    " json_extract(j.value, '$.feature'),"
    " json_extract(j.value, '$.contribution'),"
    " json_extract(j.value, '$.text'),"
    " sc.model_version = (SELECT MAX(s2.model_version) FROM scores s2"
    "  WHERE s2.purchase_id = sc.purchase_id)"
    " FROM scores sc JOIN purchases p ON p.id = sc.purchase_id,"
    " json_each(CASE WHEN json_valid(sc.drivers) AND"
    "  json_type(sc.drivers) = 'array' THEN sc.drivers ELSE '[]' END) j"
    " WHERE json_type(j.value) = 'object' AND" LINES_SINCE
    "ORDER BY sc.purchase_id, sc.model_version, j.key";

static const export_col score_drivers[] = {
    {"purchase_line_key", EX_INT,
     "the line scored, joins fact_purchase_lines; with model_version and "
     "rank unique"},
    {"model_version", EX_INT, "the model that scored it (fact_scores)"},
    {"rank", EX_INT, "1 for the strongest reason, then 2, 3"},
    {"feature", EX_TEXT, "the model's feature behind it"},
    {"contribution", EX_FIX4,
     "what it added to the score, in log-odds (TreeSHAP)"},
    {"sentence", EX_TEXT, "the reason in the shopper's words"},
    {"is_newest", EX_INT, "1 for the newest model's score of the line"},
};

/* ---- the simulated pilot: by month and arm, and its intervals ----------- */

static const char SQL_PILOT_MEASURES[] =
    "SELECT date_key, month, arm, lines, settled, returned, recorded,"
    " return_cost, value_lost, spend, orders, satisfaction_sum"
    " FROM temp.pilot_measures ORDER BY date_key, arm";

static const export_col pilot_measures[] = {
    {"date_key", EX_DATEKEY,
     "the month's first day, joins dim_date (the month of the purchase)"},
    {"month", EX_TEXT, "YYYY-MM"},
    {"arm", EX_TEXT,
     "control (no nudges: as the store recorded) or treatment (the engine's "
     "nudges, the shopper model's answers)"},
    {"lines", EX_INT, "the pilot's lines bought that month, settled or not"},
    {"settled_lines", EX_INT,
     "of them, settled: their 30-day window closed by the data end"},
    {"returned_lines", EX_INT,
     "settled lines returned (a line not bought after a nudge is not)"},
    {"recorded_returned_lines", EX_INT,
     "the same settled lines returned as the store recorded them, without "
     "nudges"},
    {"return_cost", EX_FIX2,
     "what the settled lines' returns cost: the margin given back (an "
     "exchange keeps most of it), processing, the goods' value not "
     "recovered"},
    {"value_lost", EX_FIX2,
     "of it, the goods' value not recovered when back on sale"},
    {"spend", EX_FIX2,
     "what the nudges cost on settled lines: offers taken, the margin of "
     "lines not bought, the fast restock's route"},
    {"orders", EX_INT, "orders with a settled line"},
    {"satisfaction_sum", EX_FIX4,
     "the sum over those orders of their satisfaction index"},
};

static const char SQL_PILOT_INTERVALS[] =
    "SELECT period, measure, value, ci_low, ci_high"
    " FROM temp.pilot_intervals ORDER BY rowid";

static const export_col pilot_intervals[] = {
    {"period", EX_TEXT, "all, or a month YYYY-MM"},
    {"measure", EX_TEXT,
     "returns_avoided, net_saving, roi, resale_recovered or "
     "satisfaction_change (all only)"},
    {"value", EX_FIX4, "the figure (the measures below compute it)"},
    {"ci_low", EX_FIX4,
     "its 95% interval's low end: a cluster bootstrap over customers"},
    {"ci_high", EX_FIX4, "its high end"},
};

/* ---- dim_product -------------------------------------------------------- */

static const char SQL_PRODUCTS[] =
    "SELECT -1, '(none)', '(no product)', NULL, NULL, NULL, NULL, NULL,"
    " NULL, NULL, NULL, NULL"
    " UNION ALL "
    "SELECT pr.id, pr.code, pr.name, pr.category, pr.brand, pr.price,"
    " pr.fit_note, CASE pr.fit_note WHEN -1 THEN 'runs small' WHEN 1"
    "  THEN 'runs large' WHEN 0 THEN 'true to size' END,"
    " pr.sizes, pr.launched_at, h.name, pr.source"
    " FROM products pr LEFT JOIN product_tags pt ON pt.product_id = pr.id"
    "  AND pt.rank = 0 LEFT JOIN hashtags h ON h.id = pt.hashtag_id"
    " WHERE NOT :only_used OR pr.id IN (SELECT p.product_id FROM purchases p"
    "  WHERE" LINES_SINCE ")"
    " ORDER BY 1";

static const export_col products[] = {
    {"product_key", EX_INT, "the product (products.id); -1: no product"},
    {"product_code", EX_TEXT, "the product's id in the source data"},
    {"name", EX_TEXT, "the product's name"},
    {"category", EX_TEXT,
     "dresses, tops, jeans, skirts, outerwear, shoes, accessories or other"},
    {"brand", EX_TEXT, "the brand"},
    {"list_price", EX_FIX2, "the catalogue price"},
    {"fit_note", EX_INT, "the shop's fit note: -1 runs small, 0 true to "
                         "size, +1 runs large; empty: no note"},
    {"fit", EX_TEXT, "fit_note in words"},
    {"sizes", EX_TEXT, "the sizes offered, separated by |"},
    {"launched_date", EX_DATE, "the day the product launched"},
    {"primary_hashtag", EX_TEXT, "the product's primary TikTok hashtag"},
    {"source", EX_TEXT, "trendbuy or online-retail: where the row came from"},
};

/* ---- dim_customer ------------------------------------------------------- */

static const char SQL_CUSTOMERS[] =
    "SELECT -1, '(anonymous)', 'unknown',"
    " (SELECT label FROM segments WHERE name = 'unknown'),"
    " NULL, NULL, NULL, NULL, NULL, NULL, 0, 0"
    " UNION ALL "
    "SELECT c.id, c.code, c.segment, sg.label, c.age_band, c.gender,"
    " c.country, c.usual_size, c.shoe_size, c.joined_at, c.lines_before,"
    " c.returns_before"
    " FROM customers c LEFT JOIN segments sg ON sg.name = c.segment"
    " WHERE NOT :only_used OR c.id IN (SELECT p.customer_id FROM purchases p"
    "  WHERE" LINES_SINCE
    "  UNION SELECT COALESCE(i.customer_id, p.customer_id)"
    "  FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    "  WHERE" INTERVENTIONS_SINCE ")"
    " ORDER BY 1";

static const export_col customers[] = {
    {"customer_key", EX_INT,
     "the customer (customers.id); -1: anonymous purchases"},
    {"customer_code", EX_TEXT, "the customer's id in the source data"},
    {"segment", EX_TEXT,
     "impulsive_tiktok, serial_bracketer, careful_repeat, bargain_hunter, "
     "casual or unknown"},
    {"segment_label", EX_TEXT, "the segment in words"},
    {"age_band", EX_TEXT, "18-24, 25-34, 35-44 or 45+"},
    {"gender", EX_TEXT, "as given in the source data"},
    {"country", EX_TEXT, "as given in the source data"},
    {"usual_size", EX_TEXT, "the clothing size the customer declared in "
                            "their profile (empty: none)"},
    {"shoe_size", EX_TEXT, "the shoe size the customer declared (empty: "
                           "none)"},
    {"joined_date", EX_DATE, "the day the customer joined"},
    {"lines_before", EX_INT, "lines bought before the data window"},
    {"returns_before", EX_INT, "of those, lines returned"},
};

/* ---- dim_date ----------------------------------------------------------- */

/* Every day from the first to the last any exported fact uses. */
#define DAY_OF(x) SCHEMA_DAY_OF(x)
static const char SQL_DATES[] =
    "WITH RECURSIVE t(x) AS ("
    " SELECT p.ordered_at FROM purchases p WHERE" LINES_SINCE
    " UNION ALL SELECT r.returned_at FROM returns r"
    "  JOIN purchases p ON p.id = r.purchase_id WHERE" LINES_SINCE
    " UNION ALL SELECT sc.scored_at FROM scores sc"
    "  JOIN purchases p ON p.id = sc.purchase_id WHERE" LINES_SINCE
    " UNION ALL SELECT i.created_at FROM interventions i"
    "  LEFT JOIN purchases p ON p.id = i.purchase_id WHERE"
    INTERVENTIONS_SINCE
    " UNION ALL SELECT i.decided_at FROM interventions i"
    "  LEFT JOIN purchases p ON p.id = i.purchase_id WHERE"
    INTERVENTIONS_SINCE
    " UNION ALL SELECT month_start FROM temp.pilot_measures),"
    " b(lo, hi) AS (SELECT MIN(" DAY_OF("x") "), MAX(" DAY_OF("x") ")"
    "  FROM t),"
    " d(day) AS (SELECT lo FROM b WHERE lo IS NOT NULL"
    "  UNION ALL SELECT day + 1 FROM d, b WHERE day < hi)"
    " SELECT day * 86400, day * 86400, day * 86400, day * 86400,"
    "  day * 86400, day * 86400, day * 86400, day * 86400, day * 86400,"
    "  day * 86400, day * 86400, day * 86400, day * 86400"
    " FROM d ORDER BY day";

static const export_col dates[] = {
    {"date_key", EX_DATEKEY, "the day as yyyymmdd; unique"},
    {"date", EX_DATE, "the day (mark dim_date as the date table on this)"},
    {"year", EX_YEAR, "calendar year"},
    {"quarter", EX_QUARTER, "1 to 4"},
    {"month", EX_MONTH, "1 to 12"},
    {"month_name", EX_MONTH_NAME, "January to December"},
    {"year_month", EX_YEAR_MONTH, "YYYY-MM, sorts as text"},
    {"day", EX_DAY, "day of the month"},
    {"iso_year", EX_ISO_YEAR, "the ISO 8601 week-numbering year"},
    {"iso_week", EX_ISO_WEEK, "the ISO 8601 week, 1 to 53"},
    {"weekday", EX_WEEKDAY, "1 Monday to 7 Sunday (ISO 8601)"},
    {"weekday_name", EX_WEEKDAY_NAME, "Monday to Sunday"},
    {"is_weekend", EX_WEEKEND, "1 on Saturday and Sunday"},
};

/* ---- dim_trend ---------------------------------------------------------- */

/* Each hashtag as known at the data end: its latest derived state from a
 * snapshot taken by then. */
static const char SQL_TRENDS[] =
    "SELECT -1, '(none)', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0"
    " UNION ALL "
    "SELECT h.id, h.name, ts.first_at, ts.captured_at, ts.views,"
    " ts.views_24h, ts.peak_at, (:data_end - ts.peak_at) / 86400.0,"
    " trend_phase(ts.views_24h, ts.week_views, ts.prev_week_views,"
    "  ts.best_week_views, (:data_end - ts.captured_at) / 86400.0),"
    " (SELECT COUNT(*) FROM product_tags t WHERE t.hashtag_id = h.id)"
    " FROM hashtags h LEFT JOIN trend_state ts ON ts.hashtag_id = h.id"
    "  AND ts.captured_at = (SELECT MAX(s.captured_at) FROM trend_state s"
    "   WHERE s.hashtag_id = h.id AND s.captured_at <= :data_end)"
    " WHERE NOT :only_used OR h.id IN (SELECT lh.hashtag_id"
    "  FROM v_line_hashtag lh WHERE lh.ordered_at >= :since)"
    " ORDER BY 1";

static const export_col trends[] = {
    {"trend_key", EX_INT, "the hashtag (hashtags.id); -1: no trend"},
    {"hashtag", EX_TEXT, "the TikTok hashtag, without #"},
    {"first_seen_at", EX_TS, "its first snapshot"},
    {"last_snapshot_at", EX_TS, "its latest snapshot up to the data end"},
    {"views", EX_INT, "cumulative views at that snapshot"},
    {"views_24h", EX_INT, "views in the 24 h before that snapshot"},
    {"peak_at", EX_TS, "the end of its busiest 24 h so far"},
    {"days_since_peak", EX_FIX2, "days from peak_at to the data end"},
    {"phase", EX_PHASE,
     "its phase at the data end: rising, peak, fading or none (the rule of "
     "fact_purchase_lines.trend_phase)"},
    {"products_tagged", EX_INT, "products carrying the hashtag"},
};

const export_table export_tables[TG_EXPORT_TABLES] = {
    [TG_EXPORT_FACT_PURCHASE_LINES] = {"one purchase line",
                                       SQL_PURCHASE_LINES,
                                       COLS(purchase_lines)},
    [TG_EXPORT_FACT_RETURNS] = {"one return of a line (a line may be "
                                "returned in parts)",
                                SQL_RETURNS, COLS(returns)},
    [TG_EXPORT_FACT_INTERVENTIONS] = {"one nudge decision", SQL_INTERVENTIONS,
                                      COLS(interventions)},
    [TG_EXPORT_FACT_SCORES] = {"one line scored by one model version",
                               SQL_SCORES, COLS(scores)},
    [TG_EXPORT_FACT_SCORE_DRIVERS] = {"one reason of a score (a bridge: a "
                                      "line's reasons as rows)",
                                      SQL_SCORE_DRIVERS, COLS(score_drivers)},
    [TG_EXPORT_FACT_PILOT_MEASURES] = {"one arm of the simulated pilot in "
                                       "one month of purchases",
                                       SQL_PILOT_MEASURES,
                                       COLS(pilot_measures)},
    [TG_EXPORT_FACT_PILOT_INTERVALS] = {"one figure of the simulated pilot "
                                        "with its 95% interval",
                                        SQL_PILOT_INTERVALS,
                                        COLS(pilot_intervals)},
    [TG_EXPORT_DIM_PRODUCT] = {"one product", SQL_PRODUCTS, COLS(products)},
    [TG_EXPORT_DIM_CUSTOMER] = {"one customer", SQL_CUSTOMERS,
                                COLS(customers)},
    [TG_EXPORT_DIM_DATE] = {"one day, every day from the first to the last "
                            "date any fact uses",
                            SQL_DATES, COLS(dates)},
    [TG_EXPORT_DIM_TREND] = {"one TikTok hashtag", SQL_TRENDS, COLS(trends)},
};
