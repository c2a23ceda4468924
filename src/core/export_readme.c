/* export_readme.c: the README.md written beside the exported tables: how to
 * load them into Power BI, every table and column (from export_tables.c),
 * the relationships, and suggested DAX measures. Its text depends only on
 * the store and the options, never on when the export ran. */
#include "export_int.h"

#include <string.h>

static const char INTRO[] =
    "# TrendBuy returns: a star schema for Power BI\n"
    "\n"
    "Written by `trendguard export` from a TrendGuard store: seven fact\n"
    "tables and four dimensions as CSV, with keys that join. In Power BI\n"
    "Desktop: Get data > Text/CSV for each file (or Get data > Folder for\n"
    "all), File origin *65001: Unicode (UTF-8)*, Delimiter *Comma*; then\n"
    "create the relationships below in the Model view and mark `dim_date`\n"
    "as the date table on its `date` column.\n";

static const char FORMAT[] =
    "\n## Format\n"
    "\n"
    "- RFC 4180 CSV, UTF-8 without a byte order mark, CRLF line ends, one\n"
    "  header row. A field is quoted (its quotes doubled) only when it holds\n"
    "  a comma, a quote, CR or LF, or begins or ends with a space; a quoted\n"
    "  field may span lines.\n"
    "- Text that a spreadsheet could run as a formula (a name, id or\n"
    "  hashtag beginning with `=`, `+`, `-`, `@`, a tab or a carriage\n"
    "  return) is written quoted with a `'` before it, so Excel and Power BI\n"
    "  show it as text (the OWASP rule for CSV injection); remove the `'` to\n"
    "  see the value as it was received. Numbers, negative ones too, are\n"
    "  never changed.\n"
    "- Timestamps are UTC in ISO 8601, `YYYY-MM-DDTHH:MM:SSZ` (Power BI\n"
    "  reads them as date/time/timezone; change the type to date/time to\n"
    "  drop the zone); dates are `YYYY-MM-DD`.\n"
    "- Numbers use a `.` and fixed decimals: money and days 2 places,\n"
    "  probabilities 4, minutes 1, rounded half away from zero. Flags are\n"
    "  0 or 1 so that they can be summed. An empty field is a missing value.\n"
    "- Keys are whole numbers: the store's own ids, and `date_key` is the\n"
    "  day as `yyyymmdd`. Every dimension has a row with key -1 (no product,\n"
    "  anonymous customer, no trend) so that every key in the facts joins.\n"
    "  Rows are in key order, so the same store gives the same bytes.\n"
    "- `.trendguard-export` lists the files written and their SHA-256\n"
    "  (`sha256sum -c .trendguard-export` checks them); `trendguard export`\n"
    "  replaces only files it lists with their current content.\n";

/* The pilot's measures: each arm's sums, then the figures as the app
 * defines them (report.h), from fact_pilot_measures. */
static const char PILOT_MEASURES[] =
    "\n## The simulated pilot's measures (DAX)\n"
    "\n"
    "`fact_pilot_measures` holds each arm's sums by month of purchase;\n"
    "these measures compute from it exactly the figures TrendGuard's\n"
    "dashboard, `trendguard report` and `trendguard pilot` show (by any\n"
    "month or months, and in all), over settled lines only. They are\n"
    "**simulated**: the treatment's shoppers are the shopper model's\n"
    "(assumptions in TrendGuard's `assets/simulation.json` and\n"
    "`assets/behaviour.json`). `fact_pilot_intervals` has each figure's 95%\n"
    "interval (a cluster bootstrap over customers, which DAX cannot\n"
    "redo): show it beside the measure for its period.\n"
    "\n"
    "```dax\n"
    "Pilot settled (control) =\n"
    "    CALCULATE ( SUM ( fact_pilot_measures[settled_lines] ),\n"
    "        fact_pilot_measures[arm] = \"control\" )\n"
    "Pilot settled (treatment) =\n"
    "    CALCULATE ( SUM ( fact_pilot_measures[settled_lines] ),\n"
    "        fact_pilot_measures[arm] = \"treatment\" )\n"
    "Pilot return rate (control) =\n"
    "    DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[returned_lines] ),\n"
    "        fact_pilot_measures[arm] = \"control\" ),\n"
    "        [Pilot settled (control)] )\n"
    "Pilot return rate (treatment) =\n"
    "    DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[returned_lines] ),\n"
    "        fact_pilot_measures[arm] = \"treatment\" ),\n"
    "        [Pilot settled (treatment)] )\n"
    "Returns avoided =\n"
    "    ( [Pilot return rate (control)] - [Pilot return rate (treatment)] )\n"
    "        * [Pilot settled (treatment)]\n"
    "Pilot cost per line (control) =\n"
    "    DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[return_cost] )\n"
    "            + SUM ( fact_pilot_measures[spend] ),\n"
    "        fact_pilot_measures[arm] = \"control\" ),\n"
    "        [Pilot settled (control)] )\n"
    "Pilot cost per line (treatment) =\n"
    "    DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[return_cost] )\n"
    "            + SUM ( fact_pilot_measures[spend] ),\n"
    "        fact_pilot_measures[arm] = \"treatment\" ),\n"
    "        [Pilot settled (treatment)] )\n"
    "Net saving =\n"
    "    ( [Pilot cost per line (control)] - [Pilot cost per line (treatment)] )\n"
    "        * [Pilot settled (treatment)]\n"
    "Pilot spend =\n"
    "    CALCULATE ( SUM ( fact_pilot_measures[spend] ),\n"
    "        fact_pilot_measures[arm] = \"treatment\" )\n"
    "ROI = DIVIDE ( [Net saving], [Pilot spend] )\n"
    "Resale recovered =\n"
    "    ( DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[value_lost] ),\n"
    "            fact_pilot_measures[arm] = \"control\" ),\n"
    "            [Pilot settled (control)] )\n"
    "        - DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[value_lost] ),\n"
    "            fact_pilot_measures[arm] = \"treatment\" ),\n"
    "            [Pilot settled (treatment)] ) )\n"
    "        * [Pilot settled (treatment)]\n"
    "Satisfaction change =\n"
    "    DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[satisfaction_sum] ),\n"
    "            fact_pilot_measures[arm] = \"treatment\" ),\n"
    "        CALCULATE ( SUM ( fact_pilot_measures[orders] ),\n"
    "            fact_pilot_measures[arm] = \"treatment\" ) )\n"
    "    - DIVIDE ( CALCULATE ( SUM ( fact_pilot_measures[satisfaction_sum] ),\n"
    "            fact_pilot_measures[arm] = \"control\" ),\n"
    "        CALCULATE ( SUM ( fact_pilot_measures[orders] ),\n"
    "            fact_pilot_measures[arm] = \"control\" ) )\n"
    "Pilot uptake =\n"
    "    DIVIDE (\n"
    "        CALCULATE ( COUNTROWS ( fact_interventions ),\n"
    "            fact_interventions[source] = \"pilot\",\n"
    "            fact_interventions[accepted] = 1 ),\n"
    "        CALCULATE ( COUNTROWS ( fact_interventions ),\n"
    "            fact_interventions[source] = \"pilot\",\n"
    "            fact_interventions[shown] = 1 ) )\n"
    "```\n"
    "\n"
    "- **Returns avoided**: control's return rate less the treatment's,\n"
    "  times the treatment's settled lines. Put `nudge` on an axis with\n"
    "  **Pilot uptake** for uptake by nudge.\n"
    "- **Net saving**: the same of what returns and nudges cost a settled\n"
    "  line (`return_cost` + `spend`); **ROI** is it per unit the treatment\n"
    "  spent; **Resale recovered** the same of `value_lost`.\n"
    "- `recorded_returned_lines` are the same lines as the store recorded\n"
    "  them, without nudges: the treatment's, against `returned_lines`, is\n"
    "  what the nudges did to those shoppers; the arms' difference also\n"
    "  holds how they differ by chance.\n";

/* Real use's measures: accepted nudges whose outcome is known, as
 * report_interventions estimates them. */
static void write_real_use(FILE *f, const export_params *p)
{
    fprintf(f, "\n## Real use's measures (DAX)\n"
        "\n"
        "The app's and the queue's decisions (`source` = live) estimate what\n"
        "accepted nudges saved from the score logged when each was chosen:\n"
        "the same figures as TrendGuard's *Interventions* section.\n"
        "\n"
        "```dax\n"
        "Lines = COUNTROWS ( fact_purchase_lines )\n"
        "Mature lines = CALCULATE ( [Lines], fact_purchase_lines[mature] = 1 )\n"
        "Returned lines =\n"
        "    CALCULATE ( [Lines], fact_purchase_lines[mature] = 1,\n"
        "        fact_purchase_lines[returned] = 1 )\n"
        "Return rate = DIVIDE ( [Returned lines], [Mature lines] )\n"
        "Nudges shown (real use) =\n"
        "    CALCULATE ( COUNTROWS ( fact_interventions ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[shown] = 1 )\n"
        "Nudges accepted (real use) =\n"
        "    CALCULATE ( COUNTROWS ( fact_interventions ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[accepted] = 1 )\n"
        "Uptake (real use) =\n"
        "    DIVIDE ( [Nudges accepted (real use)], [Nudges shown (real use)] )\n"
        "Returns avoided (real use) =\n"
        "    CALCULATE ( SUM ( fact_interventions[score] )\n"
        "            - SUM ( fact_interventions[outcome_returned] ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[accepted] = 1,\n"
        "        NOT ISBLANK ( fact_interventions[outcome_returned] ),\n"
        "        NOT ISBLANK ( fact_interventions[score] ) )\n"
        "Return cost avoided (real use) =\n"
        "    CALCULATE ( SUMX ( fact_interventions,\n"
        "            fact_interventions[return_cost]\n"
        "                * ( fact_interventions[score]\n"
        "                    - fact_interventions[outcome_returned] ) ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[accepted] = 1,\n"
        "        NOT ISBLANK ( fact_interventions[outcome_returned] ),\n"
        "        NOT ISBLANK ( fact_interventions[score] ) )\n"
        "Offer cost (real use) =\n"
        "    CALCULATE ( SUM ( fact_interventions[offer_cost] ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[accepted] = 1 )\n"
        "Lost margin (real use) =\n"
        "    %.2f * CALCULATE ( SUM ( fact_interventions[line_amount] ),\n"
        "        fact_interventions[source] = \"live\",\n"
        "        fact_interventions[accepted] = 1,\n"
        "        fact_interventions[outcome] = \"lost\",\n"
        "        NOT ISBLANK ( fact_interventions[score] ) )\n"
        "Money saved (real use) =\n"
        "    [Return cost avoided (real use)] - [Offer cost (real use)]\n"
        "        - [Lost margin (real use)]\n"
        "ROI (real use) =\n"
        "    DIVIDE ( [Money saved (real use)],\n"
        "        [Offer cost (real use)] + [Lost margin (real use)] )\n"
        "```\n"
        "\n"
        "- Return rates count mature lines only: a younger line may still be\n"
        "  returned. By a date, they follow the order date.\n"
        "- **Returns avoided (real use)** is an estimate: the score is the\n"
        "  model's risk without the nudge, so it is only as good as the\n"
        "  model's calibration; the simulated pilot measures against a\n"
        "  control group. **Return cost** and the margin (%.2f) come from\n"
        "  TrendGuard's `assets/simulation.json`: processing %.2f of the\n"
        "  price, the goods resold at %.2f while the trend is rising or at its\n"
        "  peak, %.2f once it fades, %.2f without a trend.\n",
        p->margin, p->margin, p->processing, p->resale_hot, p->resale_fading,
        p->resale_none);
}

/* Writes s with the characters that would break a Markdown table cell
 * escaped. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
}

/* The table a fact's column joins, or -1: dim_date for a date key, else
 * the dimension (or fact_purchase_lines, whose key is unique) whose first
 * column has the column's name. */
static int joins(int t, int c)
{
    const export_col *col = &export_tables[t].cols[c];
    if (col->kind == EX_DATEKEY)
        return TG_EXPORT_DIM_DATE;
    for (int u = 0; u < TG_EXPORT_TABLES; u++)
        if (u != t && (u == TG_EXPORT_FACT_PURCHASE_LINES ||
                       u >= TG_EXPORT_DIM_PRODUCT) &&
            strcmp(export_tables[u].cols[0].name, col->name) == 0)
            return u;
    return -1;
}

static void write_scope(FILE *f, const tg_export_opts *o,
                        const export_params *p)
{
    char since[16], end[32];
    fprintf(f, "\n## This export\n\n");
    if (o->has_since)
        fprintf(f, "- Facts: the purchase lines ordered on or after %s "
                   "(00:00 UTC), and the\n  returns, scores and "
                   "interventions of those lines (an intervention\n  without "
                   "a line: created on or after that day).\n- Dimensions: "
                   "only the rows those facts use (and the -1 rows);\n  "
                   "`dim_date`: every day from the first to the last date "
                   "the facts use.\n",
                tg_date_format(o->since, since, sizeof since));
    else
        fprintf(f, "- Facts: everything in the store.\n- Dimensions: every "
                   "product, customer and hashtag in the store (and the\n  "
                   "-1 rows); `dim_date`: every day from the first to the "
                   "last date the\n  facts use.\n");
    if (p->data_end > 0)
        fprintf(f, "- Data end: %s, the newest purchase or return in\n"
                   "  the store; `mature` and the trends' phases in "
                   "`dim_trend` are measured at it.\n",
                tg_time_format(p->data_end, end, sizeof end));
    else
        fprintf(f, "- The store holds no purchases yet.\n");
    fprintf(f, "- Money (prices, amounts, refunds, offers) is in %s, the "
               "store's currency.\n", p->currency.code);
}

static void write_files(FILE *f, const tg_export_stats *st)
{
    fprintf(f, "\n| file | rows | one row is |\n|---|---:|---|\n");
    for (int t = 0; t < TG_EXPORT_TABLES; t++)
        fprintf(f, "| `%s.csv` | %lld | %s |\n", export_table_names[t],
                st->rows[t], export_tables[t].grain);
}

static void write_tables(FILE *f)
{
    fprintf(f, "\n## Tables\n");
    for (int t = 0; t < TG_EXPORT_TABLES; t++) {
        const export_table *tb = &export_tables[t];
        fprintf(f, "\n### %s\n\nOne row is %s.\n\n| column | type | "
                   "meaning |\n|---|---|---|\n",
                export_table_names[t], tb->grain);
        for (int c = 0; c < tb->ncols; c++) {
            fprintf(f, "| `%s` | %s | ", tb->cols[c].name,
                    export_kind_docs[tb->cols[c].kind]);
            md_cell(f, tb->cols[c].doc);
            fprintf(f, " |\n");
        }
    }
}

static void write_relationships(FILE *f)
{
    fprintf(f, "\n## Relationships\n\nMany to one, single direction (the "
               "dimension filters the fact). Power BI\nallows one active "
               "path between two tables: use an inactive one in a\nmeasure "
               "with `USERELATIONSHIP`.\n\n| from (many) | to (one) | "
               "active |\n|---|---|---|\n");
    for (int t = 0; t < TG_EXPORT_DIM_PRODUCT; t++) {
        int dates = 0;
        for (int c = 0; c < export_tables[t].ncols; c++) {
            int u = joins(t, c);
            if (u < 0)
                continue;
            int active = u == TG_EXPORT_DIM_DATE
                             ? dates++ == 0
                             : u != TG_EXPORT_FACT_PURCHASE_LINES ||
                                   t == TG_EXPORT_FACT_SCORE_DRIVERS;
            fprintf(f, "| `%s[%s]` | `%s[%s]` | %s |\n",
                    export_table_names[t], export_tables[t].cols[c].name,
                    export_table_names[u], export_tables[u].cols[0].name,
                    active ? "yes" : "no");
        }
    }
    fprintf(f, "\nThe links from the other facts to `fact_purchase_lines` "
               "are inactive because\nthose facts reach the dimensions "
               "directly; activate one in a measure\nwith `USERELATIONSHIP`, "
               "or merge the tables in Power Query.\n`fact_score_drivers` is "
               "a bridge: its link to `fact_purchase_lines` is its\nonly "
               "path (filter `is_newest` = 1 for the newest model's "
               "reasons).\n`fact_pilot_intervals` joins nothing: pick a "
               "`period` and a `measure`.\n");
}

int export_readme_write(FILE *f, const tg_export_opts *o,
                        const export_params *p, const tg_export_stats *st)
{
    fputs(INTRO, f);
    write_scope(f, o, p);
    write_files(f, st);
    fputs(FORMAT, f);
    write_tables(f);
    write_relationships(f);
    fputs(PILOT_MEASURES, f);
    write_real_use(f, p);
    return ferror(f) ? TG_EIO : TG_OK;
}
