/* cmd_sync.c: `trendguard sync`: fetches a trend feed (the TrendGuard feed
 * format or a tiktok-scraper export) over HTTP(S) into the store and
 * reports what it added, as text or as one JSON object. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/feed.h"

typedef struct sync_ui {
    cli_progress bar;
    int started;
} sync_ui;

static void on_progress(void *ud, int64_t got, int64_t total)
{
    sync_ui *u = ud;
    if (total <= 0)
        return;
    if (!u->started) {
        cli_progress_begin(&u->bar, "fetching");
        u->started = 1;
    }
    char note[32];
    snprintf(note, sizeof note, "%lld KiB", (long long)(got >> 10));
    cli_progress_update(&u->bar, (double)got / (double)total, note);
}

static void print_json(const cli_ctx *c, const char *url,
                       const tg_feed_result *r)
{
    cJSON *o = cJSON_CreateObject();
    char at[32] = "";
    if (r->captured_at)
        tg_time_format(r->captured_at, at, sizeof at);
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddStringToObject(o, "format", r->not_modified
                                             ? "unknown"
                                             : feed_format_name(r->format));
    cJSON_AddNumberToObject(o, "status", (double)r->status);
    cJSON_AddBoolToObject(o, "not_modified", r->not_modified);
    cJSON_AddBoolToObject(o, "already_loaded", r->already_loaded);
    cJSON_AddNumberToObject(o, "items", (double)r->items);
    cJSON_AddNumberToObject(o, "videos", (double)r->videos);
    cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
    cJSON_AddNumberToObject(o, "hashtags", (double)r->hashtags);
    cJSON_AddNumberToObject(o, "snapshots", (double)r->snapshots);
    cJSON_AddNumberToObject(o, "snapshots_added", (double)r->snapshots_added);
    cJSON_AddNumberToObject(o, "hashtags_added", (double)r->hashtags_added);
    cJSON_AddNumberToObject(o, "matched_hashtags",
                            (double)r->matched_hashtags);
    cJSON_AddNumberToObject(o, "matched_products",
                            (double)r->matched_products);
    cJSON_AddNumberToObject(o, "rejected", (double)r->rejected);
    if (at[0])
        cJSON_AddStringToObject(o, "captured_at", at);
    else
        cJSON_AddNullToObject(o, "captured_at");
    cJSON_AddNumberToObject(o, "bytes", (double)r->bytes);
    cJSON_AddNumberToObject(o, "attempts", r->attempts);
    cJSON_AddNumberToObject(o, "redirects", r->redirects);
    cJSON_AddNumberToObject(o, "seconds", (double)(long)(r->seconds * 1000) /
                                              1000.0);
    if (r->sha256[0])
        cJSON_AddStringToObject(o, "sha256", r->sha256);
    cli_json_emit(c, o);
}

static void print_text(const char *url, const tg_feed_result *r)
{
    if (r->not_modified) {
        printf("%s: not modified (HTTP 304), nothing added\n",
               cli_shown(url));
        return;
    }
    printf("%s: %s, ", cli_shown(url), feed_format_name(r->format));
    if (r->format == FEED_TIKTOK)
        printf("%ld videos, ", r->videos);
    printf("%ld hashtags", r->hashtags);
    if (r->already_loaded) {
        printf(": already loaded, nothing added\n");
        return;
    }
    printf(": %ld of %ld snapshots added (%ld new hashtags), %ld product%s "
           "matched, %ld rejected\n",
           r->snapshots_added, r->snapshots, r->hashtags_added,
           r->matched_products, r->matched_products == 1 ? "" : "s",
           r->rejected);
}

enum { URL, FORMAT, TIMEOUT, MAX_MB, LINK_LOCAL, JSON };
static const cli_opt opts[] = {
    [URL] = CLI_OPT_MUST('u', "url", CLI_URL, "URL",
                         "the feed, http:// or https://"),
    [FORMAT] = CLI_OPT_CHOICE('f', "format", "auto|feed|tiktok-scraper",
                              "auto", "feed: the TrendGuard feed format; "
                                      "tiktok-scraper: its JSON export; "
                                      "auto: told from the document"),
    [TIMEOUT] = CLI_OPT_REAL(0, "timeout", "S", 0.1, 86400, "30",
                             "seconds for the whole sync, retries "
                             "included"),
    [MAX_MB] = CLI_OPT_INT(0, "max-mb", "N", 1, 4096, "64",
                           "refuse a body over N MiB"),
    [LINK_LOCAL] = CLI_OPT_FLAG(0, "allow-link-local",
                                "allow link-local and cloud metadata "
                                "addresses (169.254.0.0/16, fe80::/10)"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard sync --url https://feeds.example/trends.json",
     "fetches the feed; an unchanged one costs nothing"},
    {"trendguard sync -u http://127.0.0.1:8080/tiktok.json -f "
     "tiktok-scraper --json",
     "a tiktok-scraper export, the summary as JSON"},
    {NULL, NULL}};

const cli_spec cmd_sync_spec = {
    "sync", cmd_sync, "fetch a trend feed over HTTP(S) into the store",
    "Fetches a trend feed over HTTP(S) into the store (made when missing). "
    "An unchanged feed (ETag, Last-Modified) or one already loaded adds "
    "nothing. Bad items go to the rejects table (exit 65, the rest "
    "loads); a failed sync leaves the store as it was (exit 69 for "
    "network problems, 65 for a malformed document).",
    opts, NULL, CLI_FLAG, 0, 0, examples};

int cmd_sync(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_sync_spec, argc, argv);
    if (rc >= 0)
        return rc;
    tg_feed_opts o = {0};
    const char *url = cli_str(&c, URL);
    o.format = feed_format_parse(cli_str(&c, FORMAT));
    o.timeout = cli_real(&c, TIMEOUT);
    if (cli_has(&c, LINK_LOCAL))
        o.allow = FEED_ALLOW_DEFAULT | FEED_ADDR_LINK_LOCAL;
    o.max_bytes = (int64_t)cli_long(&c, MAX_MB) << 20;
    sync_ui ui = {0};
    o.progress = on_progress;
    o.ud = &ui;
    tg_err err = {0};
    tg_store *s = store_open(c.db, STORE_CREATE, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_feed_result r;
    rc = feed_sync(s, url, &o, &r, &err);
    if (ui.started)
        cli_progress_end(&ui.bar);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    char *shown = feed_url_redact(url);
    if (cli_has(&c, JSON))
        print_json(&c, shown ? shown : url, &r);
    else
        print_text(shown ? shown : url, &r);
    free(shown);
    fflush(stdout);
    if (r.rejected > 0) {
        fprintf(stderr, "%s: %ld item%s rejected; see them with sqlite3 %s "
                        "\"SELECT line, column_name, reason FROM rejects "
                        "WHERE file_sha256 = '%s'\"\n",
                c.who, r.rejected, r.rejected == 1 ? "" : "s", c.db,
                r.sha256);
        return TG_EDATA;
    }
    return TG_OK;
}
