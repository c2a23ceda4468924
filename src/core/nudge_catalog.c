/* nudge_catalog.c: loading the nudge catalogue (assets/nudges.json): the
 * risk bands, the limits, the money a nudge's value is counted in, the
 * rule-based estimate and every nudge with what the engine expects of it,
 * each field checked, a broken file refused with the field at fault
 * named. */
#include "trendguard/nudge.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson_oom.h"

#define MAX_CATALOG_BYTES (1u << 20)

const char *const nudge_moment_names[TG_NUM_MOMENTS] = {
    "item", "cart", "return", "order", "restock"};
const char *const nudge_band_names[TG_NUM_BANDS] = {"low", "medium", "high"};
const char *const nudge_action_names[TG_NUM_ACTIONS] = {
    "none",        "switch_size", "keep_one_size", "save_for_later",
    "read_reviews", "exchange",   "badge",       "preselect_size",
    "pre_ship_check", "fast_restock", "return_fee"};
const char *const nudge_offer_names[TG_NUM_OFFERS] = {
    "none", "free_exchange", "bonus_credit", "bundle_discount"};
const char *const nudge_fact_names[TG_NUM_FACTS] = {
#define TG_FACT_NAME(name, doc) #name,
    TG_FEATURES(TG_FACT_NAME)
#undef TG_FACT_NAME
    "size_mismatch", "score_pct", "product_return_pct", "cust_return_pct",
    "kept_pct", "kept_n", "reviews", "days_since_peak", "late_night",
    "bonus", "sizes", "minutes", "size", "suggested_size", "item", "fit"};

static const char *const op_names[] = {"<", "<=", "==", "!=", ">=", ">"};

/* The parse state: the file's name for messages and the error. */
typedef struct pctx {
    const char *name;
    tg_err *err;
} pctx;

static int bad(pctx *p, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(pctx *p, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tg_fail(p->err, TG_EDATA, "%s: %s: %s", p->name, path, msg);
}

static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* Every member of object o must be one of the allowed keys. */
static int only_keys(pctx *p, const char *path, const cJSON *o,
                     const char *const *keys, int n)
{
    for (const cJSON *e = o->child; e; e = e->next)
        if (!e->string || name_index(keys, n, e->string) < 0)
            return bad(p, path, "unknown field '%s'",
                       e->string ? e->string : "");
    return TG_OK;
}

static int get_number(pctx *p, const char *path, const cJSON *o,
                      const char *key, int required, double lo, double hi,
                      double *out)
{
    char where[200];
    snprintf(where, sizeof where, "%.150s.%.40s", path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (required)
            return bad(p, where, "missing");
        return TG_OK;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return bad(p, where, "must be a number");
    if (v->valuedouble < lo || v->valuedouble > hi)
        return bad(p, where, "%g is outside [%g, %g]", v->valuedouble, lo,
                   hi);
    *out = v->valuedouble;
    return TG_OK;
}

static int get_int(pctx *p, const char *path, const cJSON *o, const char *key,
                   int lo, int hi, int *out)
{
    double d = 0;
    int rc = get_number(p, path, o, key, 1, lo, hi, &d);
    if (rc)
        return rc;
    if (d != floor(d))
        return bad(p, path, "%s must be a whole number", key);
    *out = (int)d;
    return TG_OK;
}

static int get_string(pctx *p, const char *path, const cJSON *o,
                      const char *key, char *out, size_t n)
{
    char where[200];
    snprintf(where, sizeof where, "%.150s.%.40s", path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v)
        return bad(p, where, "missing");
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return bad(p, where, "must be a non-empty string");
    if (strlen(v->valuestring) >= n)
        return bad(p, where, "longer than %zu bytes", n - 1);
    if (!tg_utf8_valid(v->valuestring, strlen(v->valuestring)))
        return bad(p, where, "not valid UTF-8");
    tg_strlcpy(out, v->valuestring, n);
    return TG_OK;
}

static int get_enum(pctx *p, const char *path, const cJSON *o,
                    const char *key, const char *const *names, int n,
                    const char *what, int *out)
{
    char s[64];
    int rc = get_string(p, path, o, key, s, sizeof s);
    if (rc)
        return rc;
    if ((*out = name_index(names, n, s)) < 0) {
        char where[200];
        snprintf(where, sizeof where, "%.150s.%.40s", path, key);
        return bad(p, where, "unknown %s '%s'", what, s);
    }
    return TG_OK;
}

/* {"name": fact, "op": "<", "value": x} */
static int parse_cond(pctx *p, const char *path, const cJSON *o,
                      tg_nudge_cond *c)
{
    static const char *const keys[] = {"name", "op", "value"};
    if (!cJSON_IsObject(o))
        return bad(p, path, "must be an object {name, op, value}");
    int rc = only_keys(p, path, o, keys, 3);
    if (!rc)
        rc = get_enum(p, path, o, "name", nudge_fact_names, TG_FACT_SIZE,
                      "feature or fact", &c->fact);
    if (!rc)
        rc = get_enum(p, path, o, "op", op_names, 6, "operator", &c->op);
    if (!rc)
        rc = get_number(p, path, o, "value", 1, -1e12, 1e12, &c->value);
    return rc;
}

static int parse_conds(pctx *p, const char *path, const cJSON *a,
                       tg_nudge_cond *out, int *n)
{
    *n = 0;
    if (!a)
        return TG_OK;
    if (!cJSON_IsArray(a))
        return bad(p, path, "must be an array of conditions");
    int k = 0;
    for (const cJSON *e = a->child; e; e = e->next, k++) {
        char where[220];
        snprintf(where, sizeof where, "%.180s[%d]", path, k);
        if (k >= TG_NUDGE_MAX_WHEN)
            return bad(p, where, "more than %d conditions", TG_NUDGE_MAX_WHEN);
        int rc = parse_cond(p, where, e, &out[k]);
        if (rc)
            return rc;
    }
    *n = k;
    return TG_OK;
}

/* Every {placeholder} of a template must be a known fact, braces paired. */
static int check_template(pctx *p, const char *path, const char *t)
{
    for (const char *s = t; *s; s++) {
        if (*s == '}')
            return bad(p, path, "a '}' without its '{'");
        if (*s != '{')
            continue;
        const char *e = strchr(s + 1, '}');
        if (!e)
            return bad(p, path, "a '{' without its '}'");
        char name[40];
        size_t len = (size_t)(e - s - 1);
        if (len == 0 || len >= sizeof name)
            return bad(p, path, "an empty or overlong placeholder");
        memcpy(name, s + 1, len);
        name[len] = '\0';
        if (name_index(nudge_fact_names, TG_NUM_FACTS, name) < 0)
            return bad(p, path, "unknown placeholder {%s}", name);
        s = e;
    }
    return TG_OK;
}

static int parse_message(pctx *p, const char *path, const cJSON *m,
                         tg_nudge_message *out)
{
    static const char *const keys[] = {"text", "when"};
    memset(out, 0, sizeof *out);
    int rc;
    if (cJSON_IsString(m)) {
        if (!m->valuestring[0] || strlen(m->valuestring) >= sizeof out->text)
            return bad(p, path, "must be a message of 1 to %zu bytes",
                       sizeof out->text - 1);
        if (!tg_utf8_valid(m->valuestring, strlen(m->valuestring)))
            return bad(p, path, "not valid UTF-8");
        tg_strlcpy(out->text, m->valuestring, sizeof out->text);
    } else if (cJSON_IsObject(m)) {
        if ((rc = only_keys(p, path, m, keys, 2)) ||
            (rc = get_string(p, path, m, "text", out->text,
                             sizeof out->text)))
            return rc;
        char where[220];
        snprintf(where, sizeof where, "%.180s.when", path);
        if ((rc = parse_conds(p, where,
                              cJSON_GetObjectItemCaseSensitive(m, "when"),
                              out->when, &out->n_when)))
            return rc;
    } else {
        return bad(p, path, "must be a string or {text, when}");
    }
    return check_template(p, path, out->text);
}

static int parse_offer(pctx *p, const char *path, const cJSON *o,
                       tg_nudge_def *d)
{
    static const char *const keys[] = {"kind", "cost", "cost_pct", "about"};
    if (!cJSON_IsObject(o))
        return bad(p, path, "must be an object {kind, cost}");
    int rc = only_keys(p, path, o, keys, 4);
    if (!rc)
        rc = get_enum(p, path, o, "kind", nudge_offer_names, TG_NUM_OFFERS,
                      "offer", &d->offer);
    if (!rc)
        rc = get_number(p, path, o, "cost", 1, 0, 1e6, &d->offer_cost);
    if (!rc)
        rc = get_number(p, path, o, "cost_pct", 0, 0, 1, &d->offer_cost_pct);
    if (rc)
        return rc;
    if (d->offer == TG_OFFER_NONE && (d->offer_cost > 0 ||
                                      d->offer_cost_pct > 0))
        return bad(p, path, "an offer of kind 'none' cannot cost anything");
    return TG_OK;
}

static int parse_drivers(pctx *p, const char *path, const cJSON *a,
                         uint32_t *mask)
{
    *mask = 0;
    if (!cJSON_IsArray(a))
        return bad(p, path, "must be an array of feature names");
    int k = 0;
    for (const cJSON *e = a->child; e; e = e->next, k++) {
        char where[220];
        snprintf(where, sizeof where, "%.180s[%d]", path, k);
        int f = cJSON_IsString(e) ? features_index(e->valuestring) : -1;
        if (f < 0)
            return bad(p, where, "unknown feature '%s'",
                       cJSON_IsString(e) ? e->valuestring : "(not a string)");
        *mask |= 1u << f;
    }
    return TG_OK;
}

static int parse_bands(pctx *p, const char *path, const cJSON *a,
                       tg_nudge_def *d)
{
    d->bands = 0;
    if (!cJSON_IsArray(a) || !a->child)
        return bad(p, path, "must be a non-empty array of bands");
    int k = 0;
    for (const cJSON *e = a->child; e; e = e->next, k++) {
        char where[220];
        snprintf(where, sizeof where, "%.180s[%d]", path, k);
        int b = cJSON_IsString(e)
                    ? name_index(nudge_band_names, TG_NUM_BANDS, e->valuestring)
                    : -1;
        if (b < 0)
            return bad(p, where, "unknown band '%s' (low, medium or high)",
                       cJSON_IsString(e) ? e->valuestring : "(not a string)");
        if (b == TG_BAND_LOW && d->moment != TG_MOMENT_RETURN &&
            d->moment != TG_MOMENT_RESTOCK)
            return bad(p, where, "low risk gets no nudge at an item, a cart "
                                 "or an order (only a return or a restock "
                                 "may list 'low')");
        d->bands |= 1u << b;
    }
    return TG_OK;
}

/* What the engine expects of an accepted nudge where no feature changes
 * (optional; all 0 when absent). */
static int parse_expect(pctx *p, const char *path, const cJSON *e,
                        tg_nudge_def *d)
{
    static const char *const keys[] = {"lost",     "cut",        "later_days",
                                       "hot_days", "later_lost", "taken",
                                       "about"};
    d->expect_taken = 0.5;
    if (e && !cJSON_IsObject(e))
        return bad(p, path, "must be an object {lost, cut, later_days, "
                            "hot_days, later_lost, taken}");
    int rc;
    if (e && ((rc = only_keys(p, path, e, keys, 7)) ||
              (rc = get_number(p, path, e, "taken", 0, 0.01, 0.99,
                               &d->expect_taken)) ||
              (rc = get_number(p, path, e, "lost", 0, 0, 1,
                               &d->expect_lost)) ||
              (rc = get_number(p, path, e, "cut", 0, 0, 1,
                               &d->expect_cut)) ||
              (rc = get_number(p, path, e, "later_days", 0, 0, 60,
                               &d->expect_later_days)) ||
              (rc = get_number(p, path, e, "hot_days", 0, 0, 365,
                               &d->expect_hot_days)) ||
              (rc = get_number(p, path, e, "later_lost", 0, 0, 100,
                               &d->expect_later_lost))))
        return rc;
    if (d->action == TG_ACTION_SAVE_FOR_LATER && !(d->expect_later_days > 0))
        return bad(p, path, "later_days: a save for later needs the days "
                            "until the shopper decides again");
    if (d->action == TG_ACTION_FAST_RESTOCK && !(d->expect_hot_days > 0))
        return bad(p, path, "hot_days: a fast restock needs the days a hot "
                            "trend is expected to stay hot");
    return TG_OK;
}

/* The money a nudge's value is counted in. */
static int parse_value(pctx *p, const cJSON *v, tg_nudge_catalog *c)
{
    static const char *const keys[] = {
        "about",        "margin",           "processing_share",
        "resale_share", "exchange_keeps",   "restock_days",
        "fast_restock_days", "fast_restock_cost", "resale_hot",
        "resale_faded"};
    if (!cJSON_IsObject(v))
        return bad(p, "value", "must be an object {margin, processing_share, "
                               "resale_share, exchange_keeps}");
    int rc;
    if ((rc = only_keys(p, "value", v, keys, 10)) ||
        (rc = get_number(p, "value", v, "restock_days", 0, 0, 365,
                         &c->restock_days)) ||
        (rc = get_number(p, "value", v, "fast_restock_days", 0, 0, 365,
                         &c->fast_restock_days)) ||
        (rc = get_number(p, "value", v, "fast_restock_cost", 0, 0, 1e6,
                         &c->fast_restock_cost)) ||
        (rc = get_number(p, "value", v, "resale_hot", 0, 0, 1,
                         &c->resale_hot)) ||
        (rc = get_number(p, "value", v, "resale_faded", 0, 0, 1,
                         &c->resale_faded)) ||
        (rc = get_number(p, "value", v, "margin", 1, 0, 1, &c->margin)) ||
        (rc = get_number(p, "value", v, "processing_share", 1, 0, 2,
                         &c->processing_share)) ||
        (rc = get_number(p, "value", v, "resale_share", 1, 0, 1,
                         &c->resale_share)) ||
        (rc = get_number(p, "value", v, "exchange_keeps", 1, 0, 1,
                         &c->exchange_keeps)))
        return rc;
    return TG_OK;
}

/* The moment each action belongs to (-1: an item's or a cart's). */
static int action_moment(int action)
{
    switch (action) {
    case TG_ACTION_EXCHANGE: return TG_MOMENT_RETURN;
    case TG_ACTION_PRESELECT_SIZE: return TG_MOMENT_ITEM;
    case TG_ACTION_PRE_SHIP: return TG_MOMENT_ORDER;
    case TG_ACTION_FAST_RESTOCK: return TG_MOMENT_RESTOCK;
    default: return -1;
    }
}

/* A nudge's fee and what-if flag, and whether its action fits its
 * moment. */
static int parse_extras(pctx *p, const char *path, const cJSON *o,
                        tg_nudge_def *d)
{
    int want = action_moment(d->action), rc;
    if (want >= 0 && d->moment != want)
        return bad(p, path, "action '%s' belongs to the %s moment",
                   nudge_action_names[d->action], nudge_moment_names[want]);
    if (want < 0 && (d->moment == TG_MOMENT_ORDER ||
                     d->moment == TG_MOMENT_RESTOCK))
        return bad(p, path, "the %s moment takes another action than '%s'",
                   nudge_moment_names[d->moment],
                   nudge_action_names[d->action]);
    if ((rc = get_number(p, path, o, "fee", 0, 0, 1e6, &d->fee)))
        return rc;
    if ((d->fee > 0) != (d->action == TG_ACTION_RETURN_FEE))
        return bad(p, path, "fee: a return fee, and only a return fee, "
                            "charges a fee above 0");
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "what_if");
    if (w && !cJSON_IsBool(w))
        return bad(p, path, "what_if must be true or false");
    d->what_if = cJSON_IsTrue(w);
    return TG_OK;
}

static int valid_id(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static int parse_nudge(pctx *p, const char *path, const cJSON *o,
                       tg_nudge_def *d)
{
    static const char *const keys[] = {"id",       "title",  "moment",
                                       "drivers",  "bands",  "when",
                                       "messages", "action", "offer",
                                       "caps",     "about",  "expect",
                                       "fee",      "what_if"};
    memset(d, 0, sizeof *d);
    if (!cJSON_IsObject(o))
        return bad(p, path, "must be an object");
    char where[220];
    int rc = only_keys(p, path, o, keys, 14);
    if (!rc)
        rc = get_string(p, path, o, "id", d->id, sizeof d->id);
    if (rc)
        return rc;
    if (!valid_id(d->id))
        return bad(p, path, "id '%s' may hold only a-z, 0-9 and _", d->id);
    if ((rc = get_string(p, path, o, "title", d->title, sizeof d->title)) ||
        (rc = get_enum(p, path, o, "moment", nudge_moment_names,
                       TG_NUM_MOMENTS, "moment", &d->moment)))
        return rc;
    snprintf(where, sizeof where, "%s.drivers", path);
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(o, "drivers");
    if (!dr)
        return bad(p, where, "missing (an empty list answers any driver)");
    if ((rc = parse_drivers(p, where, dr, &d->drivers)))
        return rc;
    snprintf(where, sizeof where, "%s.bands", path);
    const cJSON *bd = cJSON_GetObjectItemCaseSensitive(o, "bands");
    if (!bd)
        return bad(p, where, "missing");
    if ((rc = parse_bands(p, where, bd, d)))
        return rc;
    snprintf(where, sizeof where, "%s.when", path);
    if ((rc = parse_conds(p, where, cJSON_GetObjectItemCaseSensitive(o, "when"),
                          d->when, &d->n_when)))
        return rc;
    snprintf(where, sizeof where, "%s.messages", path);
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "messages");
    if (!cJSON_IsArray(ms) || !ms->child)
        return bad(p, where, "must be a non-empty array of messages");
    int k = 0;
    for (const cJSON *m = ms->child; m; m = m->next, k++) {
        char mw[240];
        snprintf(mw, sizeof mw, "%.180s[%d]", where, k);
        if (k >= TG_NUDGE_MAX_MESSAGES)
            return bad(p, mw, "more than %d messages", TG_NUDGE_MAX_MESSAGES);
        if ((rc = parse_message(p, mw, m, &d->messages[k])))
            return rc;
    }
    d->n_messages = k;
    if ((rc = get_enum(p, path, o, "action", nudge_action_names,
                       TG_NUM_ACTIONS, "action", &d->action)))
        return rc;
    snprintf(where, sizeof where, "%s.offer", path);
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(o, "offer");
    if (!of)
        return bad(p, where, "missing");
    if ((rc = parse_offer(p, where, of, d)))
        return rc;
    snprintf(where, sizeof where, "%s.caps", path);
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(o, "caps");
    static const char *const cap_keys[] = {"per_session", "per_shopper_day"};
    if (!cJSON_IsObject(cp))
        return bad(p, where, "must be an object {per_session, "
                             "per_shopper_day}");
    if ((rc = only_keys(p, where, cp, cap_keys, 2)) ||
        (rc = get_int(p, where, cp, "per_session", 0, 100,
                      &d->cap_session)) ||
        (rc = get_int(p, where, cp, "per_shopper_day", 0, 1000,
                      &d->cap_shopper_day)))
        return rc;
    if ((rc = parse_extras(p, path, o, d)))
        return rc;
    snprintf(where, sizeof where, "%s.expect", path);
    return parse_expect(p, where, cJSON_GetObjectItemCaseSensitive(o,
                                                                   "expect"),
                        d);
}

static int parse_rules(pctx *p, const cJSON *r, tg_nudge_catalog *c)
{
    static const char *const keys[] = {"about", "base", "terms"};
    static const char *const term_keys[] = {"when", "add", "driver"};
    if (!cJSON_IsObject(r))
        return bad(p, "rules", "must be an object {base, terms}");
    int rc = only_keys(p, "rules", r, keys, 3);
    if (!rc)
        rc = get_number(p, "rules", r, "base", 1, -20, 20, &c->rules_base);
    if (rc)
        return rc;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "terms");
    if (!cJSON_IsArray(t))
        return bad(p, "rules.terms", "must be an array");
    int k = 0;
    for (const cJSON *e = t->child; e; e = e->next, k++) {
        char where[80];
        snprintf(where, sizeof where, "rules.terms[%d]", k);
        if (k >= TG_NUDGE_MAX_RULES)
            return bad(p, where, "more than %d terms", TG_NUDGE_MAX_RULES);
        tg_nudge_rule *ru = &c->rules[k];
        if (!cJSON_IsObject(e))
            return bad(p, where, "must be an object {when, add, driver}");
        if ((rc = only_keys(p, where, e, term_keys, 3)))
            return rc;
        char cw[100];
        snprintf(cw, sizeof cw, "%s.when", where);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(e, "when");
        if (!w)
            return bad(p, cw, "missing");
        if ((rc = parse_cond(p, cw, w, &ru->cond)) ||
            (rc = get_number(p, where, e, "add", 1, -20, 20, &ru->add)) ||
            (rc = get_enum(p, where, e, "driver", nudge_fact_names,
                           TG_NUM_FEATURES, "feature", &ru->driver)))
            return rc;
    }
    c->n_rules = k;
    return TG_OK;
}

/* A fast restock needs a route faster than the usual one. */
static int check_routes(pctx *p, const tg_nudge_catalog *c)
{
    for (int i = 0; i < c->n; i++)
        if (c->nudges[i].action == TG_ACTION_FAST_RESTOCK &&
            !(c->fast_restock_days < c->restock_days))
            return bad(p, "value", "fast_restock_days must be fewer than "
                                   "restock_days for '%s'",
                       c->nudges[i].id);
    return TG_OK;
}

static int parse_root(pctx *p, const cJSON *root, tg_nudge_catalog *c)
{
    static const char *const keys[] = {"version", "about", "bands",
                                       "limits",  "value", "rules",
                                       "nudges"};
    static const char *const band_keys[] = {"medium", "high"};
    static const char *const limit_keys[] = {"per_session", "per_shopper_day",
                                             "daily_offer_budget",
                                             "order_edit_minutes"};
    if (!cJSON_IsObject(root))
        return bad(p, "(top)", "must be a JSON object");
    int rc = only_keys(p, "(top)", root, keys, 7);
    double version = 0;
    if (!rc)
        rc = get_number(p, "(top)", root, "version", 1, 1, 1, &version);
    if (rc)
        return rc;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "bands");
    if (!cJSON_IsObject(b))
        return bad(p, "bands", "must be an object {medium, high}");
    if ((rc = only_keys(p, "bands", b, band_keys, 2)) ||
        (rc = get_number(p, "bands", b, "medium", 1, 0.001, 0.999,
                         &c->band_medium)) ||
        (rc = get_number(p, "bands", b, "high", 1, 0.001, 0.999,
                         &c->band_high)))
        return rc;
    if (c->band_high < c->band_medium)
        return bad(p, "bands.high", "below bands.medium");
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, "limits");
    if (!cJSON_IsObject(l))
        return bad(p, "limits", "must be an object");
    if ((rc = only_keys(p, "limits", l, limit_keys, 4)) ||
        (rc = get_number(p, "limits", l, "order_edit_minutes", 0, 0, 10080,
                         &c->order_edit_minutes)) ||
        (rc = get_int(p, "limits", l, "per_session", 0, 100,
                      &c->per_session)) ||
        (rc = get_int(p, "limits", l, "per_shopper_day", 0, 1000,
                      &c->per_shopper_day)) ||
        (rc = get_number(p, "limits", l, "daily_offer_budget", 1, 0, 1e9,
                         &c->daily_offer_budget)))
        return rc;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "value");
    if (!v)
        return bad(p, "value", "missing");
    if ((rc = parse_value(p, v, c)))
        return rc;
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "rules");
    if (!r)
        return bad(p, "rules", "missing");
    if ((rc = parse_rules(p, r, c)))
        return rc;
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(root, "nudges");
    if (!cJSON_IsArray(ns) || !ns->child)
        return bad(p, "nudges", "must be a non-empty array");
    int k = 0;
    for (const cJSON *e = ns->child; e; e = e->next, k++) {
        char where[40];
        snprintf(where, sizeof where, "nudges[%d]", k);
        if (k >= TG_NUDGE_MAX)
            return bad(p, where, "more than %d nudges", TG_NUDGE_MAX);
        if ((rc = parse_nudge(p, where, e, &c->nudges[k])))
            return rc;
        for (int j = 0; j < k; j++)
            if (strcmp(c->nudges[j].id, c->nudges[k].id) == 0)
                return bad(p, where, "id '%s' is used twice",
                           c->nudges[k].id);
    }
    c->n = k;
    return check_routes(p, c);
}

int nudge_catalog_parse(const char *json, size_t n, const char *name,
                        tg_nudge_catalog *c, tg_err *err)
{
    pctx p = {name ? name : "nudges.json", err};
    memset(c, 0, sizeof *c);
    if (n > MAX_CATALOG_BYTES)
        return tg_fail(err, TG_EDATA, "%s: larger than %u bytes", p.name,
                       MAX_CATALOG_BYTES);
    int oom = 0;
    cJSON *root = cjson_oom_parse(json, n, NULL, &oom);
    if (!root && oom)
        return tg_fail(err, TG_EINTERNAL, "%s: out of memory", p.name);
    if (!root)
        return tg_fail(err, TG_EDATA, "%s: not valid JSON (near byte %ld)",
                       p.name,
                       cJSON_GetErrorPtr() && json
                           ? (long)(cJSON_GetErrorPtr() - json)
                           : 0L);
    int rc = parse_root(&p, root, c);
    cJSON_Delete(root);
    if (rc)
        memset(c, 0, sizeof *c);
    return rc;
}

int nudge_catalog_load(const char *path, tg_nudge_catalog *c, tg_err *err)
{
    char buf[4096];
    if (!path) {
        if (tg_asset_path("assets/nudges.json", buf, sizeof buf) != 0)
            return tg_fail(err, TG_ENOINPUT,
                           "assets/nudges.json: not found (set "
                           "TRENDGUARD_SHARE to the folder holding assets/)");
        path = buf;
    }
    size_t len = 0;
    char *text = tg_read_file(path, &len, MAX_CATALOG_BYTES + 1, err);
    if (!text)
        return err ? err->code : TG_ENOINPUT;
    const char *base = strrchr(path, '/');
    int rc = nudge_catalog_parse(text, len, base ? base + 1 : path, c, err);
    free(text);
    return rc;
}

int nudge_catalog_on(const tg_nudge_catalog *c, int i)
{
    return i >= 0 && i < c->n &&
           (!c->nudges[i].what_if || (c->what_if_on >> i & 1u));
}

int nudge_action_is_the_shops(int action)
{
    return action == TG_ACTION_FAST_RESTOCK ||
           action == TG_ACTION_RETURN_FEE;
}

int nudge_catalog_find(const tg_nudge_catalog *c, const char *id)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->nudges[i].id, id) == 0)
            return i;
    return -1;
}
