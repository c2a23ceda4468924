/* feed.h: the live trend feed: fetches a JSON document over HTTP(S) with
 * libcurl, parses it with cJSON into trend snapshots per hashtag, and loads
 * them into the store in one transaction.
 *
 * Four steps, usable apart so that an event loop never blocks on the
 * network (see "Driving it from an event loop" below):
 *
 *   feed_validators_get  store -> the ETag / Last-Modified of the last sync
 *   feed_fetch           network, no store: one document (or "304")
 *   feed_parse           no network, no store: bytes -> tg_feed_doc
 *   feed_apply           store: one transaction, then the validators
 *
 * feed_sync does all four, blocking, for the command line.
 *
 * ======================================================================
 * The TrendGuard feed format, version 1
 * ======================================================================
 *
 * A UTF-8 JSON object:
 *
 *   {
 *     "format": "trendguard-feed",              optional; if present, this
 *     "version": 1,                             required, the integer 1
 *     "generated_at": "2026-05-01T12:00:00Z",   optional, informative
 *     "snapshots": [                            required, may be empty
 *       {
 *         "hashtag": "midisummer",              required string
 *         "captured_at": "2026-05-01T12:00:00Z",required ISO-8601 time
 *         "views": 120000,                      required count
 *         "likes": 9000,                        optional count, default 0
 *         "shares": 400,                        optional count, default 0
 *         "comments": 120,                      optional count, default 0
 *         "creator": "ninakleij"                optional string or null
 *       }
 *     ]
 *   }
 *
 * - A snapshot says what was known about the hashtag at captured_at. The
 *   counts are cumulative (all views of the hashtag so far, not the views
 *   since the last snapshot).
 * - hashtag: 1 to 100 bytes after an optional leading '#', no white space,
 *   '#', ',', '|' or control characters; stored lower-case (ASCII), so
 *   "#MidiSummer" and "midisummer" are one hashtag.
 * - captured_at: "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z",
 *   "+HH:MM" or nothing (UTC); not before 1970. It must not be later than
 *   the moment the feed was fetched (5 minutes of clock skew allowed): a
 *   feed cannot know the future.
 * - A count is a JSON number that is a whole number from 0 to 2^53-1
 *   (9007199254740991, the largest every JSON reader keeps exactly). Not a
 *   string, not 1.5, not -5, not 1e400.
 * - creator: at most 100 bytes; "" is the same as none.
 * - Unknown members are ignored at every level, so version 1 can grow
 *   optional members. A change that old readers would misread gets a new
 *   version number; this build refuses any version but 1.
 * - A (hashtag, captured_at) pair already in the store is kept as it is
 *   (the first load wins); loading a feed again adds nothing.
 *
 * ======================================================================
 * tiktok-scraper exports
 * ======================================================================
 *
 * `{"collector": [video, ...], ...}` (the module API's result) or a bare
 * `[video, ...]` (the CLI's --filetype json). Each video needs:
 *   id (a string: video ids pass 2^53 and lose digits as numbers),
 *   createTime (unix seconds), playCount, diggCount, shareCount,
 *   commentCount (counts as above), hashtags (an array, maybe empty, of
 *   objects with a string "name"; an "id" there must be a string too);
 *   authorMeta.name (a string, at most 100 bytes) is optional.
 *
 * A video's counts are what the scraper saw when it ran, not when the video
 * was posted, so one document becomes one snapshot per hashtag at one
 * capture time:
 *   views/likes/shares/comments = the sums of playCount, diggCount,
 *     shareCount, commentCount over the document's videos carrying the
 *     hashtag (a video listing a hashtag twice counts once; sums stop at
 *     2^53-1);
 *   creator = authorMeta.name of the most-played of those videos (the
 *     first one on a tie);
 *   captured_at = the response's Last-Modified when it is no later than
 *     the fetch and no earlier than the newest video's createTime (the
 *     document existed then, and it is stable when the same document is
 *     fetched again), else the fetch time (or the newest createTime when
 *     that is up to 5 minutes ahead of the local clock).
 * No look-ahead: a snapshot is never dated before the counts in it
 * existed. Dating it at createTime would claim, for example, 29.9 million
 * views at the second the video was posted. A video whose createTime is
 * more than 5 minutes after the fetch is rejected. A video id seen earlier
 * in the same document is skipped (counted in `duplicates`).
 *
 * ======================================================================
 * Loading
 * ======================================================================
 *
 * - A bad item (a snapshot or a video) does not stop the rest: it is
 *   recorded in `rejects` (file = the URL without user:password, line =
 *   the item's index from 0, column_name = the field at fault such as
 *   "collector[12].playCount", reason such as "-5 is not a count", raw =
 *   the item's JSON, at most 4 KiB) and everything else loads.
 * - A malformed document fails the whole sync with TG_EDATA and changes
 *   nothing: not UTF-8, a control character or \u0000 in a string, not
 *   JSON (with line and column), nested deeper than FEED_MAX_DEPTH, more
 *   than FEED_MAX_VALUES values, trailing bytes, the wrong top-level shape,
 *   an unknown version.
 * - One transaction: new hashtags, snapshots (source 'feed' or
 *   'tiktok-scraper'), rejects, the derived trend_state of the hashtags
 *   that changed, a row in ingest_files (SHA-256 of the body, name = URL,
 *   kind = format) and the URL's row in feed_sources. A failure anywhere
 *   rolls all of it back; a failed sync writes nothing at all, not even its
 *   own failure (the caller reports it).
 * - A body already loaded (same SHA-256 in ingest_files, from any URL)
 *   adds nothing (already_loaded), so a server without ETag support costs
 *   a download but no duplicate snapshots.
 * - Hashtags are matched to products through product_tags; unmatched
 *   hashtags are kept (created in `hashtags`) for products tagged later.
 * - feed_sources(url, etag, last_modified, last_sync, last_status) keeps
 *   what each URL last answered; the next sync of the URL sends If-None-Match and
 *   If-Modified-Since, and a 304 reports not_modified and adds nothing.
 *
 * ======================================================================
 * The transfer (feed_fetch)
 * ======================================================================
 *
 * - http:// and https:// only, for the URL and every redirect (followed by
 *   hand, at most max_redirects, never from https down to http).
 * - Every address is checked just before connecting (so redirects and DNS
 *   answers are covered) and every URL's host written as an address is
 *   checked before the request (so it holds through a proxy; a host name
 *   sent to a proxy is resolved by the proxy): loopback, private and
 *   public addresses are allowed; link-local and metadata ones
 *   (169.254.0.0/16 with 169.254.169.254, fe80::/10, fd00:ec2::254,
 *   100.100.100.200) only with FEED_ADDR_LINK_LOCAL in opts.allow;
 *   unspecified, multicast and reserved ones never. Loopback never goes
 *   through a proxy.
 * - Limits: the whole sync (retries and their waits included) within
 *   timeout; connecting within connect_timeout; slower than
 *   low_speed_bytes per second for low_speed_secs aborts; a body over
 *   max_bytes aborts as soon as it passes the limit (decoded bytes,
 *   whether or not there is a Content-Length).
 * - 429, 502, 503 and 504 are retried up to `retries` times, waiting as
 *   Retry-After asks (seconds or a date) or 1, 2, 4 s, as long as the wait
 *   fits in the timeout; otherwise the sync fails at once saying why.
 * - Errors are one line naming the URL and what failed. TG_EUNAVAIL (69):
 *   DNS, connect, refused address, TLS, timeout, too slow, cut short,
 *   HTTP errors, bad redirects. TG_EDATA (65): a body over max_bytes, and
 *   every parse error. TG_EUSAGE (64): a URL that is not http(s).
 *
 * ======================================================================
 * Driving it from an event loop
 * ======================================================================
 *
 * The store (SQLite connection) stays on the loop's thread. Read the
 * validators there, run the transfer and the parse on a worker with
 * feed_job_start, poll feed_job_fd for readability, then feed_job_finish
 * and feed_apply on the loop's thread (a short transaction). feed_job_free
 * cancels a running job and waits for it (the transfer notices within
 * about a second, a retry wait within 50 ms).
 */
#ifndef TRENDGUARD_FEED_H
#define TRENDGUARD_FEED_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "trendguard/store.h"
#include "trendguard/util.h"

/* Formats. */
enum { FEED_AUTO = 0, FEED_NATIVE = 1, FEED_TIKTOK = 2 };
/* "auto", "feed", "tiktok-scraper". Static string. */
const char *feed_format_name(int format);
/* The format named s ("auto", "feed", "tiktok-scraper"), or -1. */
int feed_format_parse(const char *s);

#define FEED_VERSION 1
#define FEED_MAX_COUNT 9007199254740991LL /* 2^53 - 1 */
#define FEED_MAX_DEPTH 64                 /* JSON nesting */
#define FEED_MAX_VALUES 2000000           /* JSON values in one document */
#define FEED_CLOCK_SKEW 300               /* seconds a time may lead ours */
#define FEED_MAX_TEXT 100                 /* hashtag and creator bytes */

/* url without any user:password (for messages and as the store's key),
 * or a copy of url when it does not parse. Caller frees; NULL on no
 * memory. */
char *feed_url_redact(const char *url);

/* Address classes, for opts.allow and feed_address_class. */
enum {
    FEED_ADDR_PUBLIC = 1,
    FEED_ADDR_PRIVATE = 2,    /* 10/8, 172.16/12, 192.168/16, 100.64/10,
                                 fc00::/7 */
    FEED_ADDR_LOOPBACK = 4,   /* 127/8, ::1 */
    FEED_ADDR_LINK_LOCAL = 8, /* 169.254/16, fe80::/10, fd00:ec2::254 */
    FEED_ADDR_NEVER = 16      /* unspecified, multicast, reserved */
};
#define FEED_ALLOW_DEFAULT \
    (FEED_ADDR_PUBLIC | FEED_ADDR_PRIVATE | FEED_ADDR_LOOPBACK)

/* The class of an IPv4 or IPv6 socket address (IPv4-mapped IPv6 counts as
 * its IPv4 address); FEED_ADDR_NEVER for other families. */
unsigned feed_address_class(const struct sockaddr *sa, size_t len);
/* "public", "private", "loopback", "link-local", "reserved". */
const char *feed_address_class_name(unsigned cls);

/* Options. A zeroed struct means every default. */
typedef struct tg_feed_opts {
    int format;             /* FEED_AUTO (default), FEED_NATIVE, FEED_TIKTOK */
    double timeout;         /* s, the whole sync; 0: 30 */
    double connect_timeout; /* s per connection; 0: 10 (at most timeout) */
    long low_speed_bytes;   /* 0: 1000 bytes/s ... */
    long low_speed_secs;    /* ... for 0: 10 s */
    int64_t max_bytes;      /* body limit; 0: 64 MiB */
    int max_redirects;      /* 0: 5; negative: none followed */
    int retries;            /* 0: 3; negative: none */
    unsigned allow;         /* FEED_ADDR_* bits; 0: FEED_ALLOW_DEFAULT */
    /* Optional: set to non-zero (from any thread) to stop the transfer;
     * it then fails with TG_EUNAVAIL "cancelled". */
    atomic_int *cancel;
    /* Optional: bytes received so far and the expected total (0 when
     * unknown). Called on the transferring thread. */
    void (*progress)(void *ud, int64_t got, int64_t total);
    void *ud;
} tg_feed_opts;

/* The validators remembered for a URL (empty strings when none). */
typedef struct tg_feed_validators {
    char etag[256];
    char last_modified[64];
} tg_feed_validators;

/* The outcome of a transfer. */
typedef struct tg_feed_fetch {
    char *url;           /* the URL given, without user:password */
    char *final_url;     /* after redirects, without user:password */
    long status;         /* 200 or 304 */
    char *body;          /* NUL-terminated; NULL after a 304 */
    size_t len;
    char *etag;          /* response validators, or NULL */
    char *last_modified;
    char *content_type;  /* or NULL */
    int64_t fetched_at;  /* wall clock when the response ended */
    int attempts;        /* requests made, redirects and retries included */
    int redirects;
    double seconds;
} tg_feed_fetch;

/* One trend snapshot. */
typedef struct tg_feed_snapshot {
    char *hashtag;      /* normalised: no '#', lower-case ASCII */
    int64_t captured_at;
    int64_t views, likes, shares, comments;
    char *creator;      /* or NULL */
    long item;          /* the item it came from (first video for tiktok) */
} tg_feed_snapshot;

/* One rejected item. */
typedef struct tg_feed_reject {
    long item;          /* index in snapshots[] / collector[] */
    char *field;        /* "collector[12].playCount", "snapshots[3]" */
    char *reason;       /* "-5 is not a count" */
    char *raw;          /* the item as JSON, at most 4 KiB */
} tg_feed_reject;

/* A parsed document. */
typedef struct tg_feed_doc {
    int format;          /* FEED_NATIVE or FEED_TIKTOK */
    char sha256[65];     /* of the body */
    long items;          /* snapshots[] or videos in the document */
    long videos;         /* tiktok: videos accepted */
    long duplicates;     /* tiktok: videos skipped as repeats of an id */
    long hashtags;       /* distinct hashtags among the accepted items */
    int64_t captured_at; /* tiktok: the time of every snapshot */
    tg_feed_snapshot *snaps;
    size_t nsnaps;
    tg_feed_reject *rejects;
    size_t nrejects;
} tg_feed_doc;

/* What a sync did. */
typedef struct tg_feed_result {
    int format;             /* detected; FEED_AUTO after a 304 */
    long status;            /* HTTP status of the last response */
    int not_modified;       /* 304: nothing fetched, nothing added */
    int already_loaded;     /* same bytes loaded before: nothing added */
    long items, videos, duplicates, hashtags, snapshots;
    long snapshots_added;   /* new rows in trend_snapshots */
    long hashtags_added;    /* new rows in hashtags */
    long matched_hashtags;  /* the document's hashtags tagged on products */
    long matched_products;  /* distinct products tagged with one of them */
    long rejected;          /* items recorded in rejects */
    int64_t captured_at;    /* tiktok: the snapshot time; else 0 */
    int64_t bytes;
    int attempts, redirects;
    double seconds;
    char sha256[65];
} tg_feed_result;

/* The validators stored for url (as given to feed_fetch; credentials are
 * dropped before lookup). None yet: empty strings and TG_OK. Reads
 * only. */
int feed_validators_get(tg_store *s, const char *url, tg_feed_validators *v,
                        tg_err *err);
/* The URL of the feed synced last (as feed_sources keeps it, credentials
 * dropped) into url, or "" when no feed was ever synced. Reads only. */
int feed_last_url(tg_store *s, char *url, size_t n, tg_err *err);

/* Fetches url (blocking; no store). v may be NULL (no conditional
 * request). On TG_OK *out holds a 200 with its body or a 304; caller frees
 * with feed_fetch_free. Thread-safe: may run on a worker thread. */
int feed_fetch(const char *url, const tg_feed_opts *o,
               const tg_feed_validators *v, tg_feed_fetch **out,
               tg_err *err);
void feed_fetch_free(tg_feed_fetch *f);

/* Parses a body (len bytes; need not be NUL-terminated) fetched at
 * fetched_at, with the response's Last-Modified time (0 when none).
 * format: FEED_AUTO, FEED_NATIVE or FEED_TIKTOK. Returns the document
 * (bad items in its rejects) or NULL with TG_EDATA when the document
 * itself is malformed. No store, no network; thread-safe. Caller frees
 * with feed_doc_free. */
tg_feed_doc *feed_parse(const char *body, size_t len, int format,
                        int64_t fetched_at, int64_t last_modified,
                        tg_err *err);
void feed_doc_free(tg_feed_doc *d);

/* Loads a fetch into the store in one transaction: for a 200, doc is its
 * feed_parse result; for a 304, doc is NULL. Records the validators for
 * f->url. Fills *r (which may be NULL). Any failure leaves the store as it
 * was. */
int feed_apply(tg_store *s, const tg_feed_fetch *f, const tg_feed_doc *doc,
               tg_feed_result *r, tg_err *err);

/* Validators, fetch, parse, apply: one blocking sync. */
int feed_sync(tg_store *s, const char *url, const tg_feed_opts *o,
              tg_feed_result *r, tg_err *err);

/* ---- a sync's network part on a worker thread --------------------------- */
typedef struct tg_feed_job tg_feed_job;
/* Starts feed_fetch + feed_parse of url on a new thread. o and v are
 * copied (o->cancel is replaced by the job's own flag; o->progress is
 * called on the worker). NULL on failure (err set). */
tg_feed_job *feed_job_start(const char *url, const tg_feed_opts *o,
                            const tg_feed_validators *v, tg_err *err);
/* A descriptor that becomes readable when the job has ended; for poll()
 * (-1 once feed_job_finish took the result). */
int feed_job_fd(const tg_feed_job *j);
/* Non-zero once the job has ended (never blocks). */
int feed_job_done(const tg_feed_job *j);
/* Waits for the end and hands over the results: *f (and, for a 200, *doc)
 * on TG_OK, to pass to feed_apply and then free; else the error. Call at
 * most once. */
int feed_job_finish(tg_feed_job *j, tg_feed_fetch **f, tg_feed_doc **doc,
                    tg_err *err);
/* Cancels the job if it is still running, waits for it and frees it and
 * whatever it produced that was not handed over. Safe on NULL. */
void feed_job_free(tg_feed_job *j);

#endif
