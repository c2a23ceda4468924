# pilot_checks.sh: checks of the simulated pilot shared by tests/e2e/pilot.sh
# (the demo store) and make bench (tests/bench/run.sh: a `small` or full
# store), sourced after e2e_checks.sh (W set): the export's CSVs give back
# every figure `report --json` prints through the measures its README
# gives (recomputed here in SQL), hold no JSON, and date every
# intervention within the purchases' days.

json() { # json FILE PATH
    sqlite3 :memory: "SELECT json_extract(readfile('$1'), '$2')"
}
near() { # near NAME GOT WANT TOLERANCE
    awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN {
        d = g - w; if (d < 0) d = -d; exit !(g != "" && w != "" && d <= t) }'
    check "$1 ($2 against $3)" $?
}
# recompute DIR MARGIN: the README's measures in SQL over the exported
# CSVs (the pilot's, and real use's with the margin its README names), one
# "name value" line each.
recompute() {
    sqlite3 :memory: ".mode csv" ".import $1/fact_pilot_measures.csv m" \
        ".import $1/fact_interventions.csv i" ".mode list" ".separator ' '" "
WITH a AS (SELECT arm, SUM(settled_lines) * 1.0 n, SUM(returned_lines) r,
  SUM(return_cost) + SUM(spend) cost, SUM(value_lost) lost, SUM(spend) spend
  FROM m GROUP BY arm),
 c AS (SELECT * FROM a WHERE arm = 'control'),
 t AS (SELECT * FROM a WHERE arm = 'treatment')
SELECT 'control.return_rate', c.r / c.n FROM c
UNION ALL SELECT 'treatment.return_rate', t.r / t.n FROM t
UNION ALL SELECT 'returns_avoided.value', (c.r / c.n - t.r / t.n) * t.n FROM c, t
UNION ALL SELECT 'net_saving.value', (c.cost / c.n - t.cost / t.n) * t.n FROM c, t
UNION ALL SELECT 'roi.value', (c.cost / c.n - t.cost / t.n) * t.n / t.spend FROM c, t
UNION ALL SELECT 'resale_recovered.value', (c.lost / c.n - t.lost / t.n) * t.n FROM c, t
UNION ALL SELECT 'uptake:' || nudge, SUM(accepted) * 1.0 / SUM(shown) FROM i
  WHERE source = 'pilot' AND shown = 1 GROUP BY nudge
UNION ALL SELECT 'real.returns_avoided', COALESCE(SUM(score - outcome_returned), 0)
  FROM i WHERE source = 'live' AND accepted = 1 AND outcome_returned != ''
  AND score != ''
UNION ALL SELECT 'real.money_saved',
  COALESCE(SUM(return_cost * (score - outcome_returned)), 0)
  - (SELECT COALESCE(SUM(offer_cost), 0) FROM i WHERE source = 'live'
     AND accepted = 1)
  - $2 * (SELECT COALESCE(SUM(line_amount), 0) FROM i WHERE source = 'live'
     AND accepted = 1 AND outcome = 'lost' AND score != '')
  FROM i WHERE source = 'live' AND accepted = 1 AND outcome_returned != ''
  AND score != '';"
}
compare() { # compare NAME DIR REPORT_JSON
    recompute "$2" "$(json "$3" '$.interventions.assumptions.margin')" \
        >"$W/re" 2>"$W/err"
    [ -s "$W/re" ]; check "$1: the measures computed from the CSVs" $? "$(cat "$W/err")"
    while read -r k v; do
        case $k in
        uptake:*) n=${k#uptake:}
            want=$(sqlite3 :memory: "SELECT json_extract(value, '\$.rate') FROM json_each(json_extract(readfile('$3'), '\$.pilot.uptake_by_nudge')) WHERE json_extract(value, '\$.nudge') = '$n'")
            near "$1: uptake of $n" "$v" "$want" 0.0001 ;;
        real.returns_avoided) near "$1: real use's returns avoided" "$v" \
            "$(json "$3" '$.interventions.value.returns_avoided')" 0.01 ;;
        real.money_saved) near "$1: real use's money saved" "$v" \
            "$(json "$3" '$.interventions.value.money_saved')" 0.5 ;;
        *rate) near "$1: $k" "$v" "$(json "$3" "\$.pilot.$k")" 0.000001 ;;
        returns_avoided*) near "$1: $k" "$v" "$(json "$3" "\$.pilot.$k")" 0.001 ;;
        roi*) near "$1: $k" "$v" "$(json "$3" "\$.pilot.$k")" 0.001 ;;
        *) near "$1: $k" "$v" "$(json "$3" "\$.pilot.$k")" 0.1 ;;
        esac
    done <"$W/re"
}
no_json_dates_inside() { # no_json_dates_inside NAME DIR
    ! grep -l '^\[\|,\[\|,"\[\|^{\|,{\|,"{' "$2"/*.csv >"$W/json_cells"
    check "$1: no cell holds JSON" $? "$(cat "$W/json_cells")"
    bad_dates=$(sqlite3 :memory: ".mode csv" ".import $2/fact_purchase_lines.csv p" \
        ".import $2/fact_interventions.csv i" \
        "SELECT count(*) FROM i WHERE date_key < (SELECT min(date_key) FROM p) OR date_key > (SELECT max(date_key) FROM p)")
    [ "$bad_dates" = 0 ]; check "$1: every intervention dated within the purchases' days" $? "$bad_dates outside"
}
