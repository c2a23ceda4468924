/* feed_parse.c: turns a feed body into trend snapshots: a cheap pre-scan
 * that refuses hostile documents before cJSON builds a tree (not UTF-8,
 * control characters or \u0000 in strings, deep nesting, too many values),
 * then the TrendGuard feed format and tiktok-scraper exports, with every
 * bad item kept as a reject naming its field. No store, no network. */
#include "trendguard/feed.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cjson_oom.h"

#define RAW_MAX 4096
#define MAX_VIDEO_ID 64

/* ---- pre-scan ----------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    size_t l;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        l = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        l = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        l = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < l || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < l; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return l;
}

/* Line and column (from 1) of byte offset off. */
static void line_col(const char *s, size_t off, long *line, long *col)
{
    long l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int scan_fail(tg_err *err, const char *s, size_t off, const char *what)
{
    long line, col;
    line_col(s, off, &line, &col);
    return tg_fail(err, TG_EDATA, "%s at line %ld, column %ld", what, line,
                   col);
}


/* A number with a fraction that a double turns into a whole number
 * (4503599627370497.5, 0.99999999999999999999, 1e-400): a count or a time
 * would be silently wrong, so the document is refused. 0 when fine. */
static int inexact_number(const unsigned char *s, size_t n, size_t *len)
{
    size_t l = 0;
    int frac = 0;
    while (l < n && strchr("0123456789+-.eE", s[l]) && s[l]) {
        frac |= s[l] == '.' || s[l] == 'e' || s[l] == 'E';
        l++;
    }
    *len = l ? l : 1;
    if (!frac || tg_literal_whole((const char *)s, l))
        return 0;
    char tok[400];
    if (l >= sizeof tok)
        return 1;
    memcpy(tok, s, l);
    tok[l] = '\0';
    double d = strtod(tok, NULL);
    return isfinite(d) && d == floor(d);
}

/* Refuses, in one pass and before any allocation, what cJSON would accept
 * but the store must not hold, and what would make cJSON's tree huge or
 * deep. */
static int prescan(const char *body, size_t n, int *open, tg_err *err)
{
    const unsigned char *s = (const unsigned char *)body;
    size_t i = 0, values = 1;
    int depth = 0, in_str = 0;
    char what[96];
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3;
    while (i < n) {
        unsigned c = s[i];
        if (c >= 0x80) {
            size_t l = utf8_len(s + i, n - i);
            if (!l) {
                snprintf(what, sizeof what, "not UTF-8: byte 0x%02x", c);
                return scan_fail(err, body, i, what);
            }
            i += l;
            continue;
        }
        if (in_str) {
            if (c == '"') {
                in_str = 0;
            } else if (c == '\\') {
                if (i + 5 < n && s[i + 1] == 'u' &&
                    memcmp(s + i + 2, "0000", 4) == 0)
                    return scan_fail(err, body, i,
                                     "a string holds \\u0000 (NUL)");
                i += 2;
                continue;
            } else if (c < 0x20) {
                snprintf(what, sizeof what,
                         "control character 0x%02x inside a string", c);
                return scan_fail(err, body, i, what);
            }
        } else {
            switch (c) {
            case '"':
                in_str = 1;
                break;
            case '{':
            case '[':
                if (++depth > FEED_MAX_DEPTH) {
                    snprintf(what, sizeof what,
                             "JSON nested deeper than %d levels",
                             FEED_MAX_DEPTH);
                    return scan_fail(err, body, i, what);
                }
                values++;
                break;
            case '}':
            case ']':
                depth--;
                break;
            case ',':
                values++;
                break;
            case 0:
                return scan_fail(err, body, i, "not JSON: a NUL byte");
            case '-':
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9': {
                size_t l;
                if (inexact_number(s + i, n - i, &l)) {
                    snprintf(what, sizeof what, "the number %.*s%s has a "
                             "fraction a double cannot hold",
                             (int)(l < 40 ? l : 40), body + i,
                             l > 40 ? "..." : "");
                    return scan_fail(err, body, i, what);
                }
                i += l;
                continue;
            }
            default:
                break;
            }
            if (values > FEED_MAX_VALUES)
                return tg_fail(err, TG_EDATA,
                               "more than %d JSON values: too big for a "
                               "trend feed",
                               FEED_MAX_VALUES);
        }
        i++;
    }
    *open = in_str ? depth + 1 : depth;
    return TG_OK;
}

static cJSON *parse_json(const char *body, size_t n, tg_err *err)
{
    if (n == 0) {
        tg_fail(err, TG_EDATA, "empty body, not JSON");
        return NULL;
    }
    int open = 0;
    if (prescan(body, n, &open, err) != TG_OK)
        return NULL;
    const char *end = NULL;
    int oom = 0;
    cJSON *root = cjson_oom_parse(body, n, &end, &oom);
    size_t off = end && end >= body ? (size_t)(end - body) : 0;
    if (off > n)
        off = n;
    if (!root) {
        if (oom)
            tg_fail(err, TG_EINTERNAL, "out of memory parsing the feed");
        else if (open > 0)
            scan_fail(err, body, n,
                      "not JSON: the document ends too early, inside a "
                      "string, array or object,");
        else
            scan_fail(err, body, off, "not JSON: syntax error");
        return NULL;
    }
    while (off < n && (body[off] == ' ' || body[off] == '\t' ||
                       body[off] == '\n' || body[off] == '\r'))
        off++;
    if (off < n) {
        cJSON_Delete(root);
        scan_fail(err, body, off, "not JSON: more after the document");
        return NULL;
    }
    return root;
}

/* ---- small helpers ------------------------------------------------------ */

/* A string -> index map (open addressing); keys are borrowed. */
typedef struct strmap {
    struct slot {
        const char *key;
        long val;
    } *s;
    size_t cap, len;
} strmap;

static struct slot *strmap_slot(struct slot *s, size_t cap, const char *key)
{
    uint64_t h = 14695981039346656037ull;
    for (const char *c = key; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ull;
    size_t i = h & (cap - 1);
    while (s[i].key && strcmp(s[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &s[i];
}

static long strmap_get(const strmap *m, const char *key)
{
    struct slot *e = m->cap ? strmap_slot(m->s, m->cap, key) : NULL;
    return e && e->key ? e->val : -1;
}

/* Adds key (absent) -> val; -1 on no memory. */
static int strmap_put(strmap *m, const char *key, long val)
{
    if ((m->len + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct slot *s = calloc(cap, sizeof *s);
        if (!s)
            return -1;
        for (size_t j = 0; j < m->cap; j++)
            if (m->s[j].key)
                *strmap_slot(s, cap, m->s[j].key) = m->s[j];
        free(m->s);
        m->s = s;
        m->cap = cap;
    }
    struct slot *e = strmap_slot(m->s, m->cap, key);
    e->key = key;
    e->val = val;
    m->len++;
    return 0;
}

static void strmap_free(strmap *m)
{
    free(m->s);
    memset(m, 0, sizeof *m);
}

/* Up to max bytes of s for a message: whole UTF-8 characters, control
 * characters as '?', "..." when cut. */
static const char *clip(const char *s, char *buf, size_t max)
{
    size_t n = strlen(s), o = 0;
    size_t lim = n <= max ? n : max;
    if (lim < n)
        while (lim > 0 && ((unsigned char)s[lim] & 0xC0) == 0x80)
            lim--;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)s[i];
        buf[o++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (lim < n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}
#define CLIP(s) clip((s), (char[64]){0}, 40)

static const char *type_name(const cJSON *x)
{
    if (!x)
        return "missing";
    if (cJSON_IsNull(x))
        return "null";
    if (cJSON_IsBool(x))
        return "a boolean";
    if (cJSON_IsNumber(x))
        return "a number";
    if (cJSON_IsString(x))
        return "a string";
    if (cJSON_IsArray(x))
        return "an array";
    if (cJSON_IsObject(x))
        return "an object";
    return "not a JSON value";
}

static const cJSON *member(const cJSON *obj, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Why an item is bad: the field (after the item's own name) and reason. */
typedef struct bad {
    char field[160];
    char why[400];
} bad;

static int badf(bad *b, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int badf(bad *b, const char *field, const char *fmt, ...)
{
    tg_strlcpy(b->field, field, sizeof b->field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->why, sizeof b->why, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole number from lo to hi as a double's value: a count or a time. */
static int whole(const cJSON *x, const char *field, const char *what,
                 int64_t *out, bad *b)
{
    if (!cJSON_IsNumber(x))
        return badf(b, field, "is %s, not %s", type_name(x), what);
    double d = x->valuedouble;
    if (!isfinite(d))
        return badf(b, field, "overflows a double, not %s", what);
    if (d < 0)
        return badf(b, field, "%.17g is not %s (negative)", d, what);
    if (d != floor(d))
        return badf(b, field, "%.17g is not %s (not a whole number)", d,
                    what);
    if (d > (double)FEED_MAX_COUNT)
        return badf(b, field, "%.17g is not %s (more than 2^53-1)", d, what);
    *out = (int64_t)d;
    return 0;
}

/* An optional count: missing or null is 0. */
static int count(const cJSON *obj, const char *key, int required,
                 int64_t *out, bad *b)
{
    const cJSON *x = member(obj, key);
    *out = 0;
    if (!required && (!x || cJSON_IsNull(x)))
        return 0;
    return whole(x, key, "a count", out, b);
}

/* A hashtag: one leading '#' dropped, lower-case ASCII, 1..100 bytes, no
 * white space, separators or control characters. */
static int norm_hashtag(const char *v, char *buf, size_t n, const char *field,
                        bad *b)
{
    const char *orig = v;
    if (*v == '#')
        v++;
    size_t l = strlen(v);
    if (l == 0 || l > FEED_MAX_TEXT || l >= n)
        return badf(b, field, "'%s' is empty or longer than %d bytes",
                    CLIP(orig), FEED_MAX_TEXT);
    for (size_t i = 0; i < l; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= 0x20 || c == 0x7f || c == '#' || c == ',' || c == '|')
            return badf(b, field, "'%s' has a space or separator",
                        CLIP(orig));
        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    buf[l] = '\0';
    return 0;
}

/* An optional short text (creator): missing, null or "" is NULL. */
static int opt_text(const cJSON *x, const char *field, const char **out,
                    bad *b)
{
    *out = NULL;
    if (!x || cJSON_IsNull(x))
        return 0;
    if (!cJSON_IsString(x))
        return badf(b, field, "is %s, not a string", type_name(x));
    size_t l = strlen(x->valuestring);
    if (l > FEED_MAX_TEXT)
        return badf(b, field, "is longer than %d bytes", FEED_MAX_TEXT);
    /* The rule a CSV cell follows: breaks and tabs become a space, other
     * control characters make the item bad. The string is the parser's. */
    if (tg_text_fold(x->valuestring) != 0)
        return badf(b, field, "has a control character");
    *out = *x->valuestring ? x->valuestring : NULL;
    return 0;
}

static char *time_str(int64_t t, char *buf)
{
    return tg_time_format(t, buf, 32);
}

/* ---- the document ------------------------------------------------------- */

typedef struct parser {
    tg_feed_doc *d;
    size_t capsnaps, caprej;
    const char *items_name; /* "snapshots", "collector" or "" */
    int64_t fetched_at;
    int64_t limit; /* the latest time an item may claim */
    tg_err *err;
} parser;

static int oom(parser *p)
{
    return tg_fail(p->err, TG_EINTERNAL, "out of memory");
}

static tg_feed_snapshot *add_snap(parser *p, const char *tag)
{
    tg_feed_doc *d = p->d;
    if (d->nsnaps == p->capsnaps) {
        size_t cap = p->capsnaps ? p->capsnaps * 2 : 64;
        tg_feed_snapshot *s = realloc(d->snaps, cap * sizeof *s);
        if (!s)
            return NULL;
        d->snaps = s;
        p->capsnaps = cap;
    }
    tg_feed_snapshot *s = &d->snaps[d->nsnaps];
    memset(s, 0, sizeof *s);
    if (!(s->hashtag = tg_strdup(tag)))
        return NULL;
    d->nsnaps++;
    return s;
}

static int add_reject(parser *p, long item, const cJSON *x, const bad *b)
{
    tg_feed_doc *d = p->d;
    if (d->nrejects == p->caprej) {
        size_t cap = p->caprej ? p->caprej * 2 : 16;
        tg_feed_reject *r = realloc(d->rejects, cap * sizeof *r);
        if (!r)
            return oom(p);
        d->rejects = r;
        p->caprej = cap;
    }
    char field[256];
    snprintf(field, sizeof field, "%s[%ld]%s%s", p->items_name, item,
             b->field[0] && b->field[0] != '[' ? "." : "", b->field);
    char *raw = cJSON_PrintUnformatted(x);
    if (!raw)
        return oom(p);
    if (strlen(raw) > RAW_MAX) {
        size_t l = RAW_MAX;
        while (l > 0 && ((unsigned char)raw[l] & 0xC0) == 0x80)
            l--;
        raw[l] = '\0';
    }
    tg_feed_reject *r = &d->rejects[d->nrejects];
    r->item = item;
    r->field = tg_strdup(field);
    r->reason = tg_strdup(b->why);
    r->raw = tg_strdup(raw);
    cJSON_free(raw);
    if (!r->field || !r->reason || !r->raw) {
        free(r->field);
        free(r->reason);
        free(r->raw);
        return oom(p);
    }
    d->nrejects++;
    return TG_OK;
}

void feed_doc_free(tg_feed_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nsnaps; i++) {
        free(d->snaps[i].hashtag);
        free(d->snaps[i].creator);
    }
    for (size_t i = 0; i < d->nrejects; i++) {
        free(d->rejects[i].field);
        free(d->rejects[i].reason);
        free(d->rejects[i].raw);
    }
    free(d->snaps);
    free(d->rejects);
    free(d);
}

/* ---- the TrendGuard feed format ----------------------------------------- */

static int native_item(parser *p, const cJSON *it, tg_feed_snapshot *s,
                       char *tag, size_t tagn, const char **creator, bad *b)
{
    char t1[32], t2[32];
    if (!cJSON_IsObject(it))
        return badf(b, "", "is %s, not an object", type_name(it));
    const cJSON *h = member(it, "hashtag");
    if (!cJSON_IsString(h))
        return badf(b, "hashtag", "is %s, not a string", type_name(h));
    if (norm_hashtag(h->valuestring, tag, tagn, "hashtag", b))
        return -1;
    const cJSON *at = member(it, "captured_at");
    if (!cJSON_IsString(at))
        return badf(b, "captured_at", "is %s, not an ISO-8601 time string",
                    type_name(at));
    if (strlen(at->valuestring) > 40 ||
        tg_time_parse(at->valuestring, &s->captured_at) != 0)
        return badf(b, "captured_at", "'%s' is not an ISO-8601 time",
                    CLIP(at->valuestring));
    if (s->captured_at < 0)
        return badf(b, "captured_at", "'%s' is before 1970",
                    CLIP(at->valuestring));
    if (s->captured_at > p->limit)
        return badf(b, "captured_at",
                    "%s is after the feed was fetched (%s): a feed cannot "
                    "know the future",
                    time_str(s->captured_at, t1), time_str(p->fetched_at, t2));
    if (count(it, "views", 1, &s->views, b) ||
        count(it, "likes", 0, &s->likes, b) ||
        count(it, "shares", 0, &s->shares, b) ||
        count(it, "comments", 0, &s->comments, b))
        return -1;
    return opt_text(member(it, "creator"), "creator", creator, b);
}

static int parse_native(parser *p, const cJSON *root)
{
    const cJSON *v = member(root, "version");
    if (!v)
        return tg_fail(p->err, TG_EDATA, "version: missing (a TrendGuard "
                                         "feed says \"version\": %d)",
                       FEED_VERSION);
    if (!cJSON_IsNumber(v))
        return tg_fail(p->err, TG_EDATA, "version: is %s, not a number",
                       type_name(v));
    if (v->valuedouble != FEED_VERSION)
        return tg_fail(p->err, TG_EDATA,
                       "version: %.17g is not supported (this build reads "
                       "version %d)",
                       v->valuedouble, FEED_VERSION);
    const cJSON *f = member(root, "format");
    if (f && !(cJSON_IsString(f) &&
               strcmp(f->valuestring, "trendguard-feed") == 0))
        return tg_fail(p->err, TG_EDATA,
                       "format: is %s, not \"trendguard-feed\"",
                       cJSON_IsString(f) ? CLIP(f->valuestring)
                                         : type_name(f));
    const cJSON *arr = member(root, "snapshots");
    if (!cJSON_IsArray(arr))
        return tg_fail(p->err, TG_EDATA, "snapshots: is %s, not an array",
                       type_name(arr));
    p->items_name = "snapshots";
    strmap tags = {0};
    long i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        tg_feed_snapshot s = {0};
        char tag[FEED_MAX_TEXT + 1];
        const char *creator = NULL;
        bad b;
        p->d->items++;
        if (native_item(p, it, &s, tag, sizeof tag, &creator, &b) != 0) {
            if (add_reject(p, i++, it, &b) != TG_OK)
                goto fail;
            continue;
        }
        tg_feed_snapshot *ns = add_snap(p, tag);
        if (!ns)
            goto nomem;
        char *keep = ns->hashtag;
        *ns = s;
        ns->hashtag = keep;
        ns->item = i++;
        if (creator && !(ns->creator = tg_strdup(creator)))
            goto nomem;
        if (strmap_get(&tags, ns->hashtag) < 0) {
            if (strmap_put(&tags, ns->hashtag, 0) != 0)
                goto nomem;
            p->d->hashtags++;
        }
    }
    strmap_free(&tags);
    return TG_OK;
nomem:
    oom(p);
fail:
    strmap_free(&tags);
    return p->err ? p->err->code : TG_EINTERNAL;
}

/* ---- tiktok-scraper ----------------------------------------------------- */

typedef struct video {
    long item;
    int64_t create, plays, likes, shares, comments;
    const cJSON *tags;
    const char *author;
} video;

static int video_item(parser *p, const cJSON *v, video *out, bad *b)
{
    char t1[32], t2[32], f[64];
    if (!cJSON_IsObject(v))
        return badf(b, "", "is %s, not an object", type_name(v));
    const cJSON *id = member(v, "id");
    if (cJSON_IsNumber(id))
        return badf(b, "id", "is a number; video ids are strings (a number "
                             "loses digits past 2^53)");
    if (!cJSON_IsString(id))
        return badf(b, "id", "is %s, not a string", type_name(id));
    size_t idl = strlen(id->valuestring);
    if (idl == 0 || idl > MAX_VIDEO_ID)
        return badf(b, "id", "'%s' is empty or longer than %d bytes",
                    CLIP(id->valuestring), MAX_VIDEO_ID);
    if (whole(member(v, "createTime"), "createTime", "a unix time",
              &out->create, b))
        return -1;
    if (out->create > p->limit)
        return badf(b, "createTime",
                    "%s is after the feed was fetched (%s): a feed cannot "
                    "know the future",
                    time_str(out->create, t1), time_str(p->fetched_at, t2));
    if (count(v, "playCount", 1, &out->plays, b) ||
        count(v, "diggCount", 1, &out->likes, b) ||
        count(v, "shareCount", 1, &out->shares, b) ||
        count(v, "commentCount", 1, &out->comments, b))
        return -1;
    const cJSON *tags = member(v, "hashtags");
    if (!cJSON_IsArray(tags))
        return badf(b, "hashtags", "is %s, not an array", type_name(tags));
    long k = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, tags)
    {
        char tag[FEED_MAX_TEXT + 1];
        snprintf(f, sizeof f, "hashtags[%ld]", k);
        if (!cJSON_IsObject(t))
            return badf(b, f, "is %s, not an object", type_name(t));
        const cJSON *tid = member(t, "id");
        snprintf(f, sizeof f, "hashtags[%ld].id", k);
        if (tid && cJSON_IsNumber(tid))
            return badf(b, f, "is a number; hashtag ids are strings");
        if (tid && !cJSON_IsString(tid) && !cJSON_IsNull(tid))
            return badf(b, f, "is %s, not a string", type_name(tid));
        const cJSON *name = member(t, "name");
        snprintf(f, sizeof f, "hashtags[%ld].name", k);
        if (!cJSON_IsString(name))
            return badf(b, f, "is %s, not a string", type_name(name));
        if (norm_hashtag(name->valuestring, tag, sizeof tag, f, b))
            return -1;
        k++;
    }
    out->tags = tags;
    const cJSON *am = member(v, "authorMeta");
    out->author = NULL;
    if (am && !cJSON_IsNull(am)) {
        if (!cJSON_IsObject(am))
            return badf(b, "authorMeta", "is %s, not an object",
                        type_name(am));
        if (opt_text(member(am, "name"), "authorMeta.name", &out->author, b))
            return -1;
    }
    return 0;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return a > FEED_MAX_COUNT - b ? FEED_MAX_COUNT : a + b;
}

/* The capture time of every snapshot (see feed.h). */
static int64_t capture_time(const parser *p, int64_t newest,
                            int64_t last_modified)
{
    if (last_modified > 0 && last_modified <= p->fetched_at &&
        last_modified >= newest)
        return last_modified;
    return newest > p->fetched_at ? newest : p->fetched_at;
}

/* Per snapshot while tallying: the last video counted, the most played. */
typedef struct agg {
    long last, best;
} agg;

/* Adds video vi's counts to the snapshot of each of its hashtags (ag has
 * room for every hashtag of every video). */
static int tally(parser *p, const video *vs, long vi, strmap *tags, agg *ag)
{
    const video *v = &vs[vi];
    const cJSON *t;
    bad b;
    cJSON_ArrayForEach(t, v->tags)
    {
        char tag[FEED_MAX_TEXT + 1];
        if (norm_hashtag(member(t, "name")->valuestring, tag, sizeof tag, "",
                         &b))
            continue; /* checked already */
        long k = strmap_get(tags, tag);
        if (k < 0) {
            tg_feed_snapshot *s = add_snap(p, tag);
            k = (long)p->d->nsnaps - 1;
            if (!s || strmap_put(tags, s->hashtag, k) != 0)
                return oom(p);
            ag[k] = (agg){-1, vi};
            s->item = v->item;
        }
        if (ag[k].last == vi)
            continue; /* a hashtag listed twice counts once */
        ag[k].last = vi;
        tg_feed_snapshot *s = &p->d->snaps[k];
        s->views = sat_add(s->views, v->plays);
        s->likes = sat_add(s->likes, v->likes);
        s->shares = sat_add(s->shares, v->shares);
        s->comments = sat_add(s->comments, v->comments);
        if (v->plays > vs[ag[k].best].plays)
            ag[k].best = vi;
    }
    return TG_OK;
}

static int parse_tiktok(parser *p, const cJSON *root, int64_t last_modified)
{
    const cJSON *arr = root;
    p->items_name = "";
    if (cJSON_IsObject(root)) {
        arr = member(root, "collector");
        p->items_name = "collector";
    }
    if (!cJSON_IsArray(arr))
        return tg_fail(p->err, TG_EDATA, "collector: is %s, not an array",
                       type_name(arr));
    int n = cJSON_GetArraySize(arr);
    video *vs = calloc(n > 0 ? (size_t)n : 1, sizeof *vs);
    strmap ids = {0}, tags = {0};
    agg *ag = NULL;
    size_t ntags = 0;
    long nv = 0, i = 0;
    int64_t newest = 0;
    int rc = TG_OK;
    if (!vs)
        return oom(p);
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        bad b;
        video *v = &vs[nv];
        p->d->items++;
        v->item = i++;
        if (video_item(p, it, v, &b) != 0) {
            if ((rc = add_reject(p, v->item, it, &b)) != TG_OK)
                goto out;
            continue;
        }
        const char *id = member(it, "id")->valuestring;
        if (strmap_get(&ids, id) >= 0) {
            p->d->duplicates++;
            continue;
        }
        if (strmap_put(&ids, id, v->item) != 0) {
            rc = oom(p);
            goto out;
        }
        if (v->create > newest)
            newest = v->create;
        ntags += (size_t)cJSON_GetArraySize(v->tags);
        nv++;
    }
    p->d->videos = nv;
    p->d->captured_at = capture_time(p, newest, last_modified);
    if (!(ag = malloc((ntags ? ntags : 1) * sizeof *ag))) {
        rc = oom(p);
        goto out;
    }
    for (long k = 0; k < nv; k++)
        if ((rc = tally(p, vs, k, &tags, ag)) != TG_OK)
            goto out;
    for (size_t k = 0; k < p->d->nsnaps; k++) {
        tg_feed_snapshot *s = &p->d->snaps[k];
        const char *a = vs[ag[k].best].author;
        s->captured_at = p->d->captured_at;
        if (a && !(s->creator = tg_strdup(a))) {
            rc = oom(p);
            goto out;
        }
    }
    p->d->hashtags = (long)p->d->nsnaps;
out:
    free(vs);
    free(ag);
    strmap_free(&ids);
    strmap_free(&tags);
    return rc;
}

/* ---- entry point -------------------------------------------------------- */

static int detect(const cJSON *root, int format, tg_err *err)
{
    int obj = cJSON_IsObject(root);
    int collector = obj && member(root, "collector");
    int native = obj && (member(root, "version") || member(root, "snapshots"));
    if (format == FEED_AUTO) {
        if (collector && native)
            return tg_fail(err, TG_EDATA,
                           "has both \"collector\" and \"version\"/"
                           "\"snapshots\"; name the format"),
                   -1;
        if (collector || cJSON_IsArray(root))
            return FEED_TIKTOK;
        if (native)
            return FEED_NATIVE;
        return tg_fail(err, TG_EDATA,
                       "neither a TrendGuard feed (an object with "
                       "\"version\" and \"snapshots\") nor a tiktok-scraper "
                       "export (\"collector\" or an array of videos): the "
                       "document is %s",
                       type_name(root)),
               -1;
    }
    if (format == FEED_NATIVE && !obj)
        return tg_fail(err, TG_EDATA,
                       "the document is %s, not a TrendGuard feed object",
                       type_name(root)),
               -1;
    if (format == FEED_TIKTOK && !collector && !cJSON_IsArray(root))
        return tg_fail(err, TG_EDATA,
                       "collector: missing (a tiktok-scraper export is "
                       "{\"collector\": [...]} or an array of videos)"),
               -1;
    if (format != FEED_NATIVE && format != FEED_TIKTOK)
        return tg_fail(err, TG_EUSAGE, "unknown feed format %d", format), -1;
    return format;
}

tg_feed_doc *feed_parse(const char *body, size_t len, int format,
                        int64_t fetched_at, int64_t last_modified,
                        tg_err *err)
{
    cJSON *root = parse_json(body ? body : "", body ? len : 0, err);
    if (!root)
        return NULL;
    int fmt = detect(root, format, err);
    tg_feed_doc *d = fmt < 0 ? NULL : calloc(1, sizeof *d);
    if (fmt >= 0 && !d)
        tg_fail(err, TG_EINTERNAL, "out of memory");
    if (!d) {
        cJSON_Delete(root);
        return NULL;
    }
    d->format = fmt;
    tg_sha256_buf(body, len, d->sha256);
    parser p = {.d = d, .fetched_at = fetched_at, .err = err,
                .limit = fetched_at > INT64_MAX - FEED_CLOCK_SKEW
                             ? INT64_MAX
                             : fetched_at + FEED_CLOCK_SKEW};
    int rc = fmt == FEED_NATIVE ? parse_native(&p, root)
                                : parse_tiktok(&p, root, last_modified);
    cJSON_Delete(root);
    if (rc != TG_OK) {
        feed_doc_free(d);
        return NULL;
    }
    return d;
}
