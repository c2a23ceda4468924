/* replay.c: key scripts for timing runs (replay.h): loading one, and the
 * first-frame and key-to-screen times (mean, p50, p99, max) as JSON. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

static int name_key(const char *s)
{
    return strcmp(s, "Idle") == 0 ? REPLAY_IDLE : keys_by_name(s);
}

static int add_key(replay *r, int *cap, int k)
{
    if (r->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        int *nk = realloc(r->keys, (size_t)*cap * sizeof *nk);
        if (!nk)
            return TG_EINTERNAL;
        r->keys = nk;
    }
    r->keys[r->n++] = k;
    return TG_OK;
}

int replay_load(const char *path, replay *r, tg_err *err)
{
    memset(r, 0, sizeof r[0]);
    size_t len;
    char *text = tg_read_file(path, &len, 1 << 20, err);
    if (!text)
        return err->code;
    int cap = 0, line = 0;
    for (char *save = NULL, *p = strtok_r(text, "\n", &save); p;
         p = strtok_r(NULL, "\n", &save)) {
        line++;
        tg_trim(p);
        if (!*p || *p == '#')
            continue;
        int k = name_key(p);
        if (k == -1) {
            int rc = tg_fail(err, TG_EDATA, "%s:%d: unknown key '%s'", path,
                             line, p);
            free(text); /* after the message: p points into it */
            return rc;
        }
        if (add_key(r, &cap, k) != TG_OK) {
            free(text);
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        }
    }
    free(text);
    r->ms = calloc((size_t)(r->n ? r->n : 1), sizeof *r->ms);
    return r->ms ? TG_OK : tg_fail(err, TG_EINTERNAL, "out of memory");
}

void replay_free(replay *r)
{
    free(r->keys);
    free(r->ms);
    memset(r, 0, sizeof *r);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int replay_report(const char *path, const replay *r, double first)
{
    FILE *f = path ? fopen(path, "w") : stderr;
    if (!f)
        return TG_EIO;
    double *s = malloc((size_t)(r->n ? r->n : 1) * sizeof *s);
    if (!s) {
        if (f != stderr)
            fclose(f);
        return TG_EINTERNAL;
    }
    int n = 0;
    for (int i = 0; i < r->n; i++)
        if (r->ms[i] >= 0)
            s[n++] = r->ms[i];
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += s[i];
#define PCT(p) (n ? s[(int)((n - 1) * (p))] : 0.0)
    fprintf(f, "{\"keys\":%d,\"first_frame_ms\":%.3f,\"mean_ms\":%.3f,"
               "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
               "\"per_key_ms\":[",
            n, first, n ? sum / n : 0.0, PCT(0.5), PCT(0.99),
            n ? s[n - 1] : 0.0);
#undef PCT
    /* Each key's time in script order, to find the slow ones. */
    for (int i = 0, k = 0; i < r->n; i++)
        if (r->ms[i] >= 0)
            fprintf(f, "%s%.3f", k++ ? "," : "", r->ms[i]);
    fprintf(f, "]}\n");
    free(s);
    if (f != stderr)
        fclose(f);
    return TG_OK;
}
