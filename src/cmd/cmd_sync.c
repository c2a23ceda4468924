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

static const char extra_help[] =
    "options:\n"
    "  --url URL             the feed, http:// or https:// (required)\n"
    "  --format F            auto (default), feed (TrendGuard feed format) "
    "or tiktok-scraper\n"
    "  --timeout S           the whole sync, retries included, in seconds "
    "(default 30)\n"
    "  --max-mb N            refuse a body over N MiB (default 64)\n"
    "  --allow-link-local    allow link-local and cloud metadata addresses "
    "(169.254.0.0/16, fe80::/10)\n"
    "  --json                print the summary as one JSON object\n\n"
    "An unchanged feed (ETag / Last-Modified) or one already loaded adds "
    "nothing. Bad items go to\nthe rejects table (exit 65, the rest loads); "
    "a failed sync leaves the store as it was\n(exit 69 for network "
    "problems, 65 for a malformed document).\n";

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

static void print_json(const char *url, const tg_feed_result *r)
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
    char *s = cJSON_PrintUnformatted(o);
    if (s)
        printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(o);
}

static void print_text(const char *url, const tg_feed_result *r)
{
    if (r->not_modified) {
        printf("%s: not modified (HTTP 304), nothing added\n", url);
        return;
    }
    printf("%s: %s, ", url, feed_format_name(r->format));
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

int cmd_sync(int argc, char **argv)
{
    enum { OPT_URL = CLI_OPT_FIRST_FREE, OPT_FORMAT, OPT_TIMEOUT, OPT_JSON,
           OPT_MAX_MB, OPT_LINK_LOCAL };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"url", required_argument, NULL, OPT_URL},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"json", no_argument, NULL, OPT_JSON},
        {"max-mb", required_argument, NULL, OPT_MAX_MB},
        {"allow-link-local", no_argument, NULL, OPT_LINK_LOCAL},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "sync");
    tg_feed_opts o = {0};
    const char *url = NULL;
    int json = 0, opt, rc;
    long mb = 64;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_URL:
            url = optarg;
            break;
        case OPT_FORMAT:
            if ((o.format = feed_format_parse(optarg)) < 0)
                return cli_usage(&c, "--format is auto, feed or "
                                     "tiktok-scraper, not '%s'", optarg);
            break;
        case OPT_TIMEOUT:
            if ((rc = cli_double(&c, "--timeout", optarg, 0.1, 86400,
                                 &o.timeout)) >= 0)
                return rc;
            break;
        case OPT_MAX_MB:
            if ((rc = cli_int(&c, "--max-mb", optarg, 1, 4096, &mb)) >= 0)
                return rc;
            break;
        case OPT_LINK_LOCAL:
            o.allow = FEED_ALLOW_DEFAULT | FEED_ADDR_LINK_LOCAL;
            break;
        case OPT_JSON:
            json = 1;
            break;
        case CLI_OPT_HELP:
            cli_print_help(stdout, "sync");
            printf("\n%s", extra_help);
            return 0;
        default:
            if ((rc = cli_common(&c, opt, optarg)) >= 0)
                return rc;
        }
    }
    if (!url || !*url)
        return cli_usage(&c, "--url is required");
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    o.max_bytes = (int64_t)mb << 20;
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
    if (json)
        print_json(shown ? shown : url, &r);
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
