/* export_readme.c: the README.md written beside the exported tables: how to
 * load them into Power BI, every table and column (from export_tables.c),
 * the relationships, and suggested DAX measures. Its text depends only on
 * the store and the options, never on when the export ran. */
#include "export_int.h"

#include <string.h>

static const char INTRO[] =
    "# TrendBuy returns: a star schema for Power BI\n"
    "\n"
    "Written by `trendguard export` from a TrendGuard store: four fact\n"
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

static const char MEASURES[] =
    "\n## Suggested measures (DAX)\n"
    "\n"
    "Return rates count mature lines only: a younger line may still be\n"
    "returned. By a date, they follow the order date (the active\n"
    "relationship); `fact_returns` counts returns by the day they came.\n"
    "\n"
    "```dax\n"
    "Lines = COUNTROWS ( fact_purchase_lines )\n"
    "Mature lines = CALCULATE ( [Lines], fact_purchase_lines[mature] = 1 )\n"
    "Returned lines =\n"
    "    CALCULATE ( [Lines], fact_purchase_lines[mature] = 1,\n"
    "        fact_purchase_lines[returned] = 1 )\n"
    "Return rate = DIVIDE ( [Returned lines], [Mature lines] )\n"
    "Sales = SUM ( fact_purchase_lines[line_amount] )\n"
    "Refunds = SUM ( fact_returns[refund_amount] )\n"
    "Predicted return rate = AVERAGE ( fact_purchase_lines[score] )\n"
    "Nudges shown =\n"
    "    CALCULATE ( COUNTROWS ( fact_interventions ),\n"
    "        fact_interventions[shown] = 1 )\n"
    "Nudges accepted =\n"
    "    CALCULATE ( COUNTROWS ( fact_interventions ),\n"
    "        fact_interventions[accepted] = 1 )\n"
    "Acceptance rate = DIVIDE ( [Nudges accepted], [Nudges shown] )\n"
    "Returns avoided =\n"
    "    CALCULATE (\n"
    "        SUM ( fact_interventions[score] )\n"
    "            - SUM ( fact_interventions[outcome_returned] ),\n"
    "        fact_interventions[shown] = 1,\n"
    "        NOT ISBLANK ( fact_interventions[outcome_returned] )\n"
    "    )\n"
    "Return cost share = 0.30\n"
    "Saved return cost =\n"
    "    [Return cost share]\n"
    "        * CALCULATE (\n"
    "            SUMX ( fact_interventions,\n"
    "                fact_interventions[line_amount]\n"
    "                    * ( fact_interventions[score]\n"
    "                        - fact_interventions[outcome_returned] ) ),\n"
    "            fact_interventions[shown] = 1,\n"
    "            NOT ISBLANK ( fact_interventions[outcome_returned] )\n"
    "        )\n"
    "Offer cost =\n"
    "    CALCULATE ( SUM ( fact_interventions[offer_cost] ),\n"
    "        fact_interventions[accepted] = 1 )\n"
    "Net saving = [Saved return cost] - [Offer cost]\n"
    "ROI = DIVIDE ( [Net saving], [Offer cost] )\n"
    "```\n"
    "\n"
    "- **Returns avoided** is an estimate: for every nudged line whose\n"
    "  30-day window has closed, the return probability the model predicted\n"
    "  before the nudge minus what happened (1 returned, 0 kept). Without a\n"
    "  control group it credits the nudge with the model's calibration error\n"
    "  too; `trendguard simulate` measures the effect against a control.\n"
    "- **Return cost share** is what processing a return costs as a share\n"
    "  of the price paid: 0.30, the assumption `processing_share` in\n"
    "  TrendGuard's `assets/simulation.json` (published figures: 15-66%).\n"
    "  Make it a what-if parameter to try others.\n"
    "- **ROI** is the net saving per unit of offer money spent (accepted\n"
    "  offers only); it is blank while no offer has been accepted.\n";

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
                             : u != TG_EXPORT_FACT_PURCHASE_LINES;
            fprintf(f, "| `%s[%s]` | `%s[%s]` | %s |\n",
                    export_table_names[t], export_tables[t].cols[c].name,
                    export_table_names[u], export_tables[u].cols[0].name,
                    active ? "yes" : "no");
        }
    }
    fprintf(f, "\nThe links from the other facts to `fact_purchase_lines` "
               "are inactive because\nthose facts reach the dimensions "
               "directly; activate one in a measure\nwith `USERELATIONSHIP`, "
               "or merge the tables in Power Query.\n");
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
    fputs(MEASURES, f);
    return ferror(f) ? TG_EIO : TG_OK;
}
