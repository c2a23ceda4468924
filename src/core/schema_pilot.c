/* schema_pilot.c: the store's schema versions 10 and 13: the pilot
 * (pilot.h), every intervention dated by the store's own clock, and the
 * pilot's figures kept once computed.
 *
 * - interventions.source says who made a row: 'live' (the app, the queue:
 *   real use) or 'pilot' (the simulated pilot, whose shoppers are the
 *   shopper model's); interventions.moment the moment a pilot decided at
 *   (item, cart, order, return, restock).
 * - pilot_runs: the one pilot the store holds (a rerun replaces it), with
 *   what it played; pilot_lines: each line of the pilot's window, its arm
 *   and its outcome as the pilot settled it (control: as recorded;
 *   treatment: the shopper model's answer to the engine's nudges).
 * - The queue's trigger dates an intervention at its line's purchase, not
 *   at the scoring run; the rows it queued before are dated so too, and a
 *   score stamped after the store's newest data is brought back to it.
 * - pilot_figures (13): the pilot's figures (report_pilot) as computed for
 *   a filter, by a key of what they were computed from (the filter, the
 *   first moment its period covers, the assumptions they used, the
 *   build's sources and the figures' layout: report_pilot_cache.c).
 *   Triggers empty it whenever what the figures read changes: the run,
 *   its lines, its decisions, the returns of its lines, the purchase rows
 *   of its lines and decisions, a product's category. Each trigger first
 *   asks whether anything is kept, so a load into a store without kept
 *   figures pays one lookup of an empty table per row. */
#include "schema.h"

const char schema_v10[] =
    "ALTER TABLE interventions ADD COLUMN source TEXT NOT NULL"
    " DEFAULT 'live' CHECK(source IN ('live', 'pilot'));"
    "ALTER TABLE interventions ADD COLUMN moment TEXT;"
    "CREATE INDEX interventions_by_source ON interventions(source, nudge);"
    "CREATE TABLE pilot_runs(id INTEGER PRIMARY KEY CHECK(id = 1),"
    " weeks INTEGER NOT NULL CHECK(weeks > 0),"
    " holdout REAL NOT NULL CHECK(holdout > 0 AND holdout < 1),"
    " seed INTEGER NOT NULL,"
    " model_version INTEGER NOT NULL,"
    " from_at INTEGER NOT NULL,"
    " to_at INTEGER NOT NULL,"
    " data_end INTEGER NOT NULL,"
    " budget_per_day REAL NOT NULL);"
    "CREATE TABLE pilot_lines("
    " purchase_id INTEGER PRIMARY KEY REFERENCES purchases(id),"
    " arm TEXT NOT NULL CHECK(arm IN ('control', 'treatment')),"
    " bought INTEGER NOT NULL DEFAULT 1 CHECK(bought IN (0, 1)),"
    " bought_at INTEGER NOT NULL,"
    " returned INTEGER CHECK(returned IN (0, 1)),"
    " exchanged INTEGER NOT NULL DEFAULT 0 CHECK(exchanged IN (0, 1)),"
    " returned_at INTEGER,"
    " resale_share REAL,"
    " fast_restock INTEGER NOT NULL DEFAULT 0 CHECK(fast_restock IN (0, 1)),"
    " offer_cost REAL NOT NULL DEFAULT 0 CHECK(offer_cost >= 0),"
    " shown INTEGER NOT NULL DEFAULT 0,"
    " declined INTEGER NOT NULL DEFAULT 0,"
    " satisfaction REAL);"
    "DROP TRIGGER scores_queue_intervention;"
    "CREATE TRIGGER scores_queue_intervention AFTER INSERT ON scores"
    SCHEMA_QUEUE_ONCE " BEGIN"
    "  INSERT INTO interventions(created_at, purchase_id, customer_id,"
    "   model_version, score, drivers, status)"
    "  SELECT p.ordered_at, NEW.purchase_id, p.customer_id,"
    "   NEW.model_version, NEW.p_return, NEW.drivers, 'queued'"
    "  FROM purchases p WHERE p.id = NEW.purchase_id;"
    " END;"
    "UPDATE interventions SET created_at = p.ordered_at,"
    " decided_at = CASE WHEN interventions.decided_at IS NULL THEN NULL"
    "  ELSE p.ordered_at END"
    " FROM purchases p WHERE p.id = interventions.purchase_id"
    " AND interventions.cart_ref IS NULL;"
    "UPDATE scores SET scored_at = (SELECT t FROM v_data_end)"
    " WHERE scored_at > (SELECT t FROM v_data_end);";

/* The triggers of version 13: each empties pilot_figures when W holds
 * (and something is kept). */
#define KEPT " EXISTS (SELECT 1 FROM pilot_figures)"
#define EMPTIES(name, when, on, W)                                            \
    "CREATE TRIGGER pilot_figures_" name " AFTER " when " ON " on " WHEN"    \
    KEPT W " BEGIN DELETE FROM pilot_figures; END;"
#define ON_ROWS(name, on)                                                     \
    EMPTIES(name "_added", "INSERT", on, "")                                  \
    EMPTIES(name "_changed", "UPDATE", on, "")                                \
    EMPTIES(name "_removed", "DELETE", on, "")
#define PILOT_LINE(ids)                                                       \
    " AND EXISTS (SELECT 1 FROM pilot_lines WHERE purchase_id IN (" ids "))"
#define DECISION(R) " " R ".source = 'pilot'"
/* A line the figures read: a pilot line, or the purchase of a pilot
 * decision (the uptake asks the store whether the filter covers it),
 * found by interventions_by_purchase ("+source": not by source, a pass
 * over every pilot decision). */
#define READ_LINE(ids)                                                        \
    " AND (EXISTS (SELECT 1 FROM pilot_lines WHERE purchase_id IN (" ids      \
    ")) OR EXISTS (SELECT 1 FROM interventions WHERE purchase_id IN (" ids    \
    ") AND +source = 'pilot'))"

const char schema_v13[] =
    "CREATE TABLE pilot_figures(key BLOB NOT NULL UNIQUE,"
    " figures BLOB NOT NULL);"
    ON_ROWS("run", "pilot_runs") ON_ROWS("line", "pilot_lines")
    EMPTIES("decision_added", "INSERT", "interventions", " AND" DECISION("NEW"))
    EMPTIES("decision_removed", "DELETE", "interventions", " AND" DECISION("OLD"))
    EMPTIES("decision_changed",
            "UPDATE OF purchase_id, nudge, status, source", "interventions",
            " AND (" DECISION("NEW") " OR" DECISION("OLD") ")")
    EMPTIES("return_added", "INSERT", "returns",
            PILOT_LINE("NEW.purchase_id"))
    EMPTIES("return_removed", "DELETE", "returns",
            PILOT_LINE("OLD.purchase_id"))
    EMPTIES("return_changed", "UPDATE OF purchase_id, returned_at",
            "returns", PILOT_LINE("OLD.purchase_id, NEW.purchase_id"))
    EMPTIES("purchase_changed",
            "UPDATE OF id, customer_id, order_code, ordered_at, product_id,"
            " channel, quantity, unit_price",
            "purchases", READ_LINE("OLD.id, NEW.id"))
    EMPTIES("purchase_removed", "DELETE", "purchases", READ_LINE("OLD.id"))
    EMPTIES("product_changed", "UPDATE OF id, category", "products", "");
