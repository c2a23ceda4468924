/* explain.c: the model's reasons in shopper words: ranks TreeSHAP
 * contributions and renders each through the first matching rule of the
 * sentence table (assets/explain.json). */
#include "trendguard/explain.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/features.h"

#define MAX_RULES 8

enum { OP_LT, OP_LE, OP_EQ, OP_GE, OP_GT };
enum { FMT_PLAIN, FMT_INT, FMT_PCT };

typedef struct rule {
    int op;
    double value;
    int format;
    char text[160];
} rule;

typedef struct entry {
    char label[96];
    rule rules[MAX_RULES];
    int nrules;
} entry;

struct tg_explainer {
    entry e[TG_NUM_FEATURES];
};

static int parse_op(const char *s)
{
    static const char *ops[] = {"<", "<=", "==", ">=", ">"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, ops[i]) == 0)
            return i;
    return -1;
}

static int parse_rule(cJSON *r, rule *out, const char *feat, int i,
                      tg_err *err)
{
    cJSON *when = cJSON_GetObjectItem(r, "when");
    cJSON *value = cJSON_GetObjectItem(r, "value");
    cJSON *text = cJSON_GetObjectItem(r, "text");
    cJSON *fmt = cJSON_GetObjectItem(r, "format");
    if (!cJSON_IsString(when) || (out->op = parse_op(when->valuestring)) < 0)
        return tg_fail(err, TG_EDATA, "features.%s.rules[%d].when must be "
                                      "one of < <= == >= >", feat, i);
    if (!cJSON_IsNumber(value) || !isfinite(value->valuedouble))
        return tg_fail(err, TG_EDATA, "features.%s.rules[%d].value must be "
                                      "a number", feat, i);
    if (!cJSON_IsString(text) || !*text->valuestring ||
        strlen(text->valuestring) >= sizeof out->text)
        return tg_fail(err, TG_EDATA, "features.%s.rules[%d].text must be a "
                                      "sentence under %zu bytes", feat, i,
                       sizeof out->text);
    out->format = FMT_PLAIN;
    if (fmt) {
        if (!cJSON_IsString(fmt))
            return tg_fail(err, TG_EDATA, "features.%s.rules[%d].format "
                                          "must be a string", feat, i);
        if (strcmp(fmt->valuestring, "int") == 0)
            out->format = FMT_INT;
        else if (strcmp(fmt->valuestring, "pct") == 0)
            out->format = FMT_PCT;
        else if (strcmp(fmt->valuestring, "plain") != 0)
            return tg_fail(err, TG_EDATA, "features.%s.rules[%d].format is "
                                          "int, pct or plain", feat, i);
    }
    out->value = value->valuedouble;
    tg_strlcpy(out->text, text->valuestring, sizeof out->text);
    return TG_OK;
}

static int parse(tg_explainer *x, cJSON *root, tg_err *err)
{
    cJSON *feats = cJSON_GetObjectItem(root, "features");
    if (!cJSON_IsObject(feats))
        return tg_fail(err, TG_EDATA, "'features' must be an object");
    for (int f = 0; f < TG_NUM_FEATURES; f++) {
        const char *name = features_name(f);
        cJSON *o = cJSON_GetObjectItem(feats, name);
        if (!cJSON_IsObject(o))
            return tg_fail(err, TG_EDATA, "features.%s is missing", name);
        cJSON *label = cJSON_GetObjectItem(o, "label");
        if (!cJSON_IsString(label) || !*label->valuestring ||
            strlen(label->valuestring) >= sizeof x->e[f].label)
            return tg_fail(err, TG_EDATA, "features.%s.label must be a short "
                                          "text", name);
        tg_strlcpy(x->e[f].label, label->valuestring, sizeof x->e[f].label);
        cJSON *rules = cJSON_GetObjectItem(o, "rules");
        if (!cJSON_IsArray(rules))
            return tg_fail(err, TG_EDATA, "features.%s.rules must be a list",
                           name);
        if (cJSON_GetArraySize(rules) > MAX_RULES)
            return tg_fail(err, TG_EDATA, "features.%s.rules: at most %d",
                           name, MAX_RULES);
        int i = 0;
        cJSON *r;
        cJSON_ArrayForEach(r, rules)
        {
            if (parse_rule(r, &x->e[f].rules[i], name, i, err) != TG_OK)
                return err->code;
            i++;
        }
        x->e[f].nrules = i;
    }
    return TG_OK;
}

tg_explainer *explain_load_mem(const char *json, size_t n, tg_err *err)
{
    cJSON *root = cJSON_ParseWithLength(json, n);
    if (!root) {
        tg_fail(err, TG_EDATA, "explanations: not valid JSON");
        return NULL;
    }
    tg_explainer *x = calloc(1, sizeof *x);
    if (!x) {
        cJSON_Delete(root);
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    int rc = parse(x, root, err);
    cJSON_Delete(root);
    if (rc != TG_OK) {
        free(x);
        return NULL;
    }
    return x;
}

tg_explainer *explain_load(const char *path, tg_err *err)
{
    char buf[4096];
    if (!path) {
        if (tg_asset_path("assets/explain.json", buf, sizeof buf) != 0) {
            tg_fail(err, TG_ENOINPUT, "assets/explain.json: not found (set "
                                      "TRENDGUARD_SHARE to the folder "
                                      "holding assets/)");
            return NULL;
        }
        path = buf;
    }
    size_t n;
    char *text = tg_read_file(path, &n, 1 << 20, err);
    if (!text)
        return NULL;
    tg_explainer *x = explain_load_mem(text, n, err);
    free(text);
    if (!x && err) {
        char msg[sizeof err->msg];
        tg_strlcpy(msg, err->msg, sizeof msg);
        tg_fail(err, err->code, "%.200s: %s", path, msg);
    }
    return x;
}

void explain_free(tg_explainer *e)
{
    free(e);
}

const char *explain_label(const tg_explainer *e, int f)
{
    return f >= 0 && f < TG_NUM_FEATURES ? e->e[f].label : "";
}

static int holds(const rule *r, double v)
{
    switch (r->op) {
    case OP_LT: return v < r->value;
    case OP_LE: return v <= r->value;
    case OP_EQ: return fabs(v - r->value) < 1e-9;
    case OP_GE: return v >= r->value;
    default: return v > r->value;
    }
}

/* Replaces {value} and {abs} in text. */
static void render(const rule *r, double v, char *buf, size_t n)
{
    char num[32], absn[32];
    double shown = r->format == FMT_PCT ? v * 100 : v;
    if (r->format == FMT_PLAIN && fabs(shown) < 10 && shown != floor(shown))
        snprintf(num, sizeof num, "%.1f", shown);
    else
        snprintf(num, sizeof num, "%.0f", shown);
    snprintf(absn, sizeof absn, "%.0f", fabs(shown));
    size_t o = 0;
    for (const char *p = r->text; *p && o + 1 < n;) {
        const char *rep = NULL;
        if (strncmp(p, "{value}", 7) == 0)
            rep = num, p += 7;
        else if (strncmp(p, "{abs}", 5) == 0)
            rep = absn, p += 5;
        if (rep) {
            size_t l = strlen(rep);
            if (o + l >= n)
                break;
            memcpy(buf + o, rep, l);
            o += l;
        } else {
            buf[o++] = *p++;
        }
    }
    buf[o] = '\0';
}

void explain_sentence(const tg_explainer *e, int f, float value, char *buf,
                      size_t n)
{
    if (f < 0 || f >= TG_NUM_FEATURES) {
        tg_strlcpy(buf, "", n);
        return;
    }
    const entry *en = &e->e[f];
    if (!isnan(value))
        for (int i = 0; i < en->nrules; i++)
            if (holds(&en->rules[i], value)) {
                render(&en->rules[i], value, buf, n);
                return;
            }
    tg_strlcpy(buf, en->label, n);
}

int explain_top(const tg_explainer *e, const float *x, const float *contribs,
                tg_reason *out, int max)
{
    int n = 0;
    int used[TG_NUM_FEATURES] = {0};
    while (n < max) {
        int best = -1;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            if (!used[f] && contribs[f] > 0 &&
                (best < 0 || contribs[f] > contribs[best]))
                best = f;
        if (best < 0)
            break;
        used[best] = 1;
        out[n].feature = best;
        out[n].value = x[best];
        out[n].contribution = contribs[best];
        explain_sentence(e, best, x[best], out[n].text, sizeof out[n].text);
        n++;
    }
    return n;
}
