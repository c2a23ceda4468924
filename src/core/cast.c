/* cast.c: asciicast v2 lines (cast.h): the header as a JSON object, each
 * event as a JSON array, markers' labels and the terminal's output made
 * safe for a player and valid UTF-8 for JSON. */
#include "trendguard/cast.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/util.h"

/* Text from outside for a header field: visible, at most cap bytes. */
static void visible(const char *s, char *out, size_t cap)
{
    tg_text_visible(s ? s : "", s ? strlen(s) : 0, out, cap);
}

char *cast_header_line(const tg_cast_header *h)
{
    char title[1024], term[256];
    visible(h->title, title, sizeof title);
    visible(h->term, term, sizeof term);
    cJSON *j = cJSON_CreateObject(), *env = cJSON_CreateObject();
    if (!j || !env) {
        cJSON_Delete(j);
        cJSON_Delete(env);
        return NULL;
    }
    cJSON_AddNumberToObject(j, "version", 2);
    cJSON_AddNumberToObject(j, "width", h->width);
    cJSON_AddNumberToObject(j, "height", h->height);
    cJSON_AddNumberToObject(j, "timestamp", (double)h->timestamp);
    cJSON_AddStringToObject(j, "title", title);
    if (h->term && *h->term)
        cJSON_AddStringToObject(env, "TERM", term);
    cJSON_AddItemToObject(j, "env", env);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    memcpy(line + n, "\n", 2);
    return line;
}

char *cast_event_line(int64_t t_us, char type, const char *data, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, data, n);
    copy[n] = 0;
    cJSON *str = cJSON_CreateString(copy);
    free(copy);
    char *json = str ? cJSON_PrintUnformatted(str) : NULL;
    cJSON_Delete(str);
    if (!json)
        return NULL;
    size_t need = strlen(json) + 48;
    char *line = malloc(need);
    if (line)
        snprintf(line, need, "[%" PRId64 ".%06" PRId64 ", \"%c\", %s]\n",
                 t_us / 1000000, t_us % 1000000, type, json);
    free(json);
    return line;
}

void cast_label(const char *kind, const char *screen, const char *detail,
                char *buf, size_t n)
{
    char raw[CAST_LABEL_MAX * 4];
    const char *what = detail && *detail ? detail : screen;
    snprintf(raw, sizeof raw, "%s%s%s", kind ? kind : "",
             what && *what ? " " : "", what ? what : "");
    size_t cap = n < CAST_LABEL_MAX + 1 ? n : CAST_LABEL_MAX + 1;
    tg_text_visible(raw, strlen(raw), buf, cap);
}

/* The bytes at the end of s[0..n) that begin a UTF-8 character they do
 * not finish (0 to 3). */
static size_t cut_tail(const unsigned char *s, size_t n)
{
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = s[n - back];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back */
        size_t want = c >= 0xF0 && c < 0xF8   ? 4
                      : c >= 0xE0 && c < 0xF0 ? 3
                      : c >= 0xC0 && c < 0xE0 ? 2
                                              : 1;
        return want > back ? back : 0;
    }
    return 0;
}

char *cast_output(const char *bytes, size_t n, char carry[4],
                  size_t *ncarry, size_t *len)
{
    *len = 0;
    size_t all = *ncarry + n;
    char *joined = malloc(all + 1);
    if (!joined)
        return NULL;
    memcpy(joined, carry, *ncarry);
    memcpy(joined + *ncarry, bytes, n);
    size_t keep = cut_tail((const unsigned char *)joined, all);
    size_t whole = all - keep;
    memcpy(carry, joined + whole, keep);
    *ncarry = keep;
    if (whole == 0) {
        free(joined);
        return NULL;
    }
    size_t need = tg_utf8_repair(joined, whole, NULL, 0);
    char *out = malloc(need + 1);
    if (out)
        *len = tg_utf8_repair(joined, whole, out, need + 1);
    free(joined);
    return out;
}
