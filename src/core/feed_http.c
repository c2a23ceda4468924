/* feed_http.c: the feed's transfer: one defensive HTTP(S) GET with libcurl
 * (schemes, addresses, redirects, time, speed and size limits, retries
 * honouring Retry-After, conditional requests). No store. */
#include "trendguard/feed.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifndef TG_VERSION
#define TG_VERSION "0.0.0"
#endif

#define DEFAULT_TIMEOUT 30.0
#define DEFAULT_CONNECT 10.0
#define DEFAULT_LOW_SPEED 1000L
#define DEFAULT_LOW_TIME 10L
#define DEFAULT_MAX_BYTES (64LL << 20)
#define DEFAULT_REDIRECTS 5
#define DEFAULT_RETRIES 3
#define MAX_VALIDATOR 255

/* ---- addresses ---------------------------------------------------------- */

static unsigned class_v4(uint32_t a)
{
    unsigned b0 = a >> 24, b1 = (a >> 16) & 0xff;
    if (b0 == 0 || b0 >= 224)
        return FEED_ADDR_NEVER; /* this network, multicast, reserved */
    if (b0 == 127)
        return FEED_ADDR_LOOPBACK;
    if (b0 == 169 && b1 == 254)
        return FEED_ADDR_LINK_LOCAL;
    if (a == 0x646464C8u) /* 100.100.100.200: Alibaba Cloud metadata */
        return FEED_ADDR_LINK_LOCAL;
    if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) ||
        (b0 == 192 && b1 == 168) || (b0 == 100 && (b1 & 0xc0) == 64))
        return FEED_ADDR_PRIVATE;
    return FEED_ADDR_PUBLIC;
}

unsigned feed_address_class(const struct sockaddr *sa, size_t len)
{
    if (!sa)
        return FEED_ADDR_NEVER;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return class_v4(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family != AF_INET6 || len < sizeof(struct sockaddr_in6))
        return FEED_ADDR_NEVER;
    const unsigned char *b =
        ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const unsigned char zero[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    static const unsigned char ec2[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0,
                                          0,    0, 0,    0,    0, 0, 2, 0x54};
    uint32_t v4 = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                  (uint32_t)b[14] << 8 | b[15];
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return class_v4(v4);
    if (memcmp(b, zero, 15) == 0)
        return b[15] == 1 ? FEED_ADDR_LOOPBACK : FEED_ADDR_NEVER;
    if (memcmp(b, zero, 12) == 0)
        return FEED_ADDR_NEVER; /* IPv4-compatible, deprecated */
    if (memcmp(b, ec2, 16) == 0)
        return FEED_ADDR_LINK_LOCAL;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return FEED_ADDR_LINK_LOCAL;
    if (b[0] == 0xff)
        return FEED_ADDR_NEVER;
    if ((b[0] & 0xfe) == 0xfc)
        return FEED_ADDR_PRIVATE;
    return FEED_ADDR_PUBLIC;
}

const char *feed_address_class_name(unsigned cls)
{
    switch (cls) {
    case FEED_ADDR_PUBLIC:
        return "public";
    case FEED_ADDR_PRIVATE:
        return "private";
    case FEED_ADDR_LOOPBACK:
        return "loopback";
    case FEED_ADDR_LINK_LOCAL:
        return "link-local (cloud metadata)";
    default:
        return "reserved";
    }
}

/* ---- URLs --------------------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

char *feed_url_redact(const char *url)
{
    if (!url)
        return NULL;
    pthread_once(&curl_once, init_curl);
    CURLU *u = curl_url();
    char *user = NULL, *pass = NULL, *out = NULL;
    char *res = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url,
                          CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_USER, &user, 0);
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0);
        if ((user || pass) &&
            curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
            curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK)
            res = tg_strdup(out);
    }
    curl_free(user);
    curl_free(pass);
    curl_free(out);
    curl_url_cleanup(u);
    return res ? res : tg_strdup(url);
}

/* The refusal of an address by policy, as one line. */
static int refuse(tg_err *err, const char *url, const char *addr,
                  unsigned cls)
{
    if (cls == FEED_ADDR_LINK_LOCAL)
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: refused to connect to %s, a link-local (cloud "
                       "metadata) address (allow with --allow-link-local)",
                       url, addr);
    return tg_fail(err, TG_EUNAVAIL, "%s: refused to connect to %s, a %s "
                                     "address",
                   url, addr, feed_address_class_name(cls));
}

/* The class of a host written as an IP address; 0 for a name. */
static unsigned literal_class(const char *host)
{
    char h[64];
    size_t n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
        char *zone = strchr(h, '%');
        if (zone)
            *zone = '\0';
        struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
        if (inet_pton(AF_INET6, h, &a6.sin6_addr) == 1)
            return feed_address_class((struct sockaddr *)&a6, sizeof a6);
        return 0;
    }
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, host, &a4.sin_addr) == 1)
        return feed_address_class((struct sockaddr *)&a4, sizeof a4);
    return 0;
}

/* 0 when url is http(s) with a host that, if written as an address, is
 * allowed; else sets err (code given; TG_EUNAVAIL for an address). The
 * address is checked here too, not only when connecting, because through
 * a proxy the connection goes to the proxy. */
static int check_url(const char *url, const char *shown, int code,
                     const char *what, unsigned allow, tg_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = TG_OK;
    if (!u)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        rc = tg_fail(err, code, "%s '%s' is not a URL (http:// or https://)",
                     what, shown);
    else if (!tg_strieq(scheme, "http") && !tg_strieq(scheme, "https"))
        rc = tg_fail(err, code,
                     "%s '%s' refused: only http:// and https:// are allowed",
                     what, shown);
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
             !host || !*host)
        rc = tg_fail(err, code, "%s '%s' has no host", what, shown);
    else {
        unsigned cls = literal_class(host);
        if (cls && (!(cls & allow) || cls == FEED_ADDR_NEVER))
            rc = refuse(err, shown, host, cls);
    }
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

static int is_https(const char *url)
{
    return strncasecmp(url, "https:", 6) == 0;
}

/* ---- one transfer ------------------------------------------------------- */

typedef struct xfer {
    CURL *h;
    const tg_feed_opts *o;
    unsigned allow;
    char *buf;
    size_t len, cap;
    int64_t max;
    int too_big;
    int refused;
    unsigned refused_cls;
    char refused_addr[INET6_ADDRSTRLEN];
    char status_line[120];
    char errbuf[CURL_ERROR_SIZE];
} xfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    if ((int64_t)n > x->max - (int64_t)x->len) {
        x->too_big = 1;
        return 0;
    }
    if (x->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 65536;
        while (cap < x->len + n + 1)
            cap *= 2;
        if ((int64_t)cap > x->max + 1)
            cap = (size_t)x->max + 1;
        char *b = realloc(x->buf, cap);
        if (!b)
            return 0;
        x->buf = b;
        x->cap = cap;
    }
    memcpy(x->buf + x->len, data, n);
    x->len += n;
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < sizeof x->status_line; i++) {
            unsigned char c = (unsigned char)data[i];
            if (c == '\r' || c == '\n')
                break;
            x->status_line[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        x->status_line[o] = '\0';
    }
    return n;
}

static curl_socket_t on_open_socket(void *ud, curlsocktype purpose,
                                    struct curl_sockaddr *a)
{
    xfer *x = ud;
    (void)purpose;
    unsigned cls = feed_address_class(&a->addr, a->addrlen);
    if (!(cls & x->allow) || cls == FEED_ADDR_NEVER) {
        x->refused = 1;
        x->refused_cls = cls;
        const void *ip = a->family == AF_INET6
                             ? (const void *)&((struct sockaddr_in6 *)&a->addr)
                                   ->sin6_addr
                             : (const void *)&((struct sockaddr_in *)&a->addr)
                                   ->sin_addr;
        if (!inet_ntop(a->family, ip, x->refused_addr,
                       sizeof x->refused_addr))
            tg_strlcpy(x->refused_addr, "?", sizeof x->refused_addr);
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    xfer *x = ud;
    (void)ultotal;
    (void)ulnow;
    if (x->o->cancel && atomic_load(x->o->cancel))
        return 1;
    if (x->o->progress)
        x->o->progress(x->o->ud, (int64_t)dlnow, (int64_t)dltotal);
    return 0;
}

/* no_proxy from the environment plus loopback: a feed on this machine
 * (the tests' server) is never sent through a proxy. */
static char *no_proxy_list(void)
{
    const char *e = getenv("no_proxy");
    if (!e || !*e)
        e = getenv("NO_PROXY");
    if (e && strcmp(e, "*") == 0)
        return tg_strdup("*");
    char buf[2048];
    snprintf(buf, sizeof buf, "%s%slocalhost,127.0.0.1,::1", e ? e : "",
             e && *e ? "," : "");
    return tg_strdup(buf);
}

static void fmt_bytes(int64_t n, char *buf, size_t len)
{
    if (n >= (1LL << 20) && n % (1LL << 20) == 0)
        snprintf(buf, len, "%lld MiB", (long long)(n >> 20));
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, len, "%lld KiB", (long long)(n >> 10));
    else
        snprintf(buf, len, "%lld bytes", (long long)n);
}

/* The one-line error for a failed curl_easy_perform. */
static int transfer_fail(const xfer *x, CURLcode rc, const char *url,
                         double timeout, tg_err *err)
{
    const char *msg = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    char size[32];
    fmt_bytes(x->max, size, sizeof size);
    switch (rc) {
    case CURLE_ABORTED_BY_CALLBACK:
        return tg_fail(err, TG_EUNAVAIL, "%s: cancelled", url);
    case CURLE_WRITE_ERROR:
        if (x->too_big)
            return tg_fail(err, TG_EDATA,
                           "%s: body too large: more than the %s limit "
                           "(stopped receiving)",
                           url, size);
        return tg_fail(err, TG_EINTERNAL, "%s: out of memory receiving the "
                                          "body", url);
    case CURLE_FILESIZE_EXCEEDED:
        return tg_fail(err, TG_EDATA,
                       "%s: body too large: Content-Length is over the %s "
                       "limit",
                       url, size);
    case CURLE_COULDNT_CONNECT:
        if (x->refused)
            return refuse(err, url, x->refused_addr, x->refused_cls);
        return tg_fail(err, TG_EUNAVAIL, "%s: cannot connect: %s", url, msg);
    case CURLE_OPERATION_TIMEDOUT:
        if (strstr(msg, "too slow"))
            return tg_fail(err, TG_EUNAVAIL,
                           "%s: too slow: less than %ld bytes/s for %ld s "
                           "(low-speed limit)",
                           url,
                           x->o->low_speed_bytes > 0 ? x->o->low_speed_bytes
                                                     : DEFAULT_LOW_SPEED,
                           x->o->low_speed_secs > 0 ? x->o->low_speed_secs
                                                    : DEFAULT_LOW_TIME);
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: timed out: no complete answer within %g s "
                       "(--timeout)",
                       url, timeout);
    case CURLE_PARTIAL_FILE:
        return tg_fail(err, TG_EUNAVAIL, "%s: body cut short: %s", url, msg);
    case CURLE_GOT_NOTHING:
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: the server closed the connection without an "
                       "answer", url);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return tg_fail(err, TG_EUNAVAIL, "%s: cannot resolve: %s", url, msg);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return tg_fail(err, TG_EUNAVAIL, "%s: TLS: %s", url, msg);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: refused: only http:// and https:// are allowed "
                       "(%s)", url, msg);
    default:
        return tg_fail(err, TG_EUNAVAIL, "%s: %s (curl error %d)", url, msg,
                       (int)rc);
    }
}

/* A validator safe to send back: printable ASCII, not too long. */
static int sendable(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > MAX_VALIDATOR)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
            return 0;
    return 1;
}

static struct curl_slist *request_headers(const tg_feed_validators *v,
                                          int *conditional)
{
    char line[MAX_VALIDATOR + 32];
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    *conditional = 0;
    if (h && v && sendable(v->etag)) {
        snprintf(line, sizeof line, "If-None-Match: %s", v->etag);
        h = curl_slist_append(h, line);
        *conditional = 1;
    }
    if (h && v && sendable(v->last_modified)) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", v->last_modified);
        h = curl_slist_append(h, line);
        *conditional = 1;
    }
    return h;
}

/* A response header's value (last request), copied if sendable; or NULL. */
static char *header_value(CURL *h, const char *name)
{
    struct curl_header *hd = NULL;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK ||
        !hd || !hd->value || !sendable(hd->value))
        return NULL;
    return tg_strdup(hd->value);
}

static int setup(xfer *x, const tg_feed_opts *o, char **noproxy)
{
    CURL *h = x->h;
    long low = o->low_speed_bytes > 0 ? o->low_speed_bytes : DEFAULT_LOW_SPEED;
    long lowt = o->low_speed_secs > 0 ? o->low_speed_secs : DEFAULT_LOW_TIME;
    if (!(*noproxy = no_proxy_list()))
        return -1;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                         \
    do {                                                                      \
        if (rc == CURLE_OK)                                                   \
            rc = curl_easy_setopt(h, opt, val);                               \
    } while (0)
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_HTTPGET, 1L);
    SET(CURLOPT_ERRORBUFFER, x->errbuf);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
    SET(CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SET(CURLOPT_OPENSOCKETDATA, x);
    SET(CURLOPT_XFERINFOFUNCTION, on_progress);
    SET(CURLOPT_XFERINFODATA, x);
    SET(CURLOPT_NOPROGRESS, 0L);
    SET(CURLOPT_USERAGENT, "trendguard/" TG_VERSION " (feed sync)");
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_LOW_SPEED_LIMIT, low);
    SET(CURLOPT_LOW_SPEED_TIME, lowt);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_NOPROXY, *noproxy);
#undef SET
    return rc == CURLE_OK ? 0 : -1;
}

static void sleep_until(double until, const tg_feed_opts *o)
{
    for (;;) {
        double left = until - tg_now_mono();
        if (left <= 0 || (o->cancel && atomic_load(o->cancel)))
            return;
        if (left > 0.05)
            left = 0.05;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

/* "HTTP 503 Service Unavailable". */
static void status_text(const xfer *x, long code, char *buf, size_t n)
{
    const char *reason = "";
    const char *sp = strchr(x->status_line, ' ');
    if (sp && (sp = strchr(sp + 1, ' ')))
        reason = sp + 1;
    snprintf(buf, n, "HTTP %ld%s%s", code, *reason ? " " : "", reason);
}

static int retryable(long code)
{
    return code == 429 || code == 502 || code == 503 || code == 504;
}

void feed_fetch_free(tg_feed_fetch *f)
{
    if (!f)
        return;
    free(f->url);
    free(f->final_url);
    free(f->body);
    free(f->etag);
    free(f->last_modified);
    free(f->content_type);
    free(f);
}

typedef struct run {
    xfer x;
    tg_feed_fetch *f;
    char *url;    /* current URL (owned) */
    char *shown;  /* the same without credentials */
    double deadline, timeout;
    int max_redirects, max_retries, retries;
} run;

/* One request and what to do next: 0 done, 1 again (redirect, retry), or
 * an error code. */
static int step(run *r, const tg_feed_validators *v, tg_err *err)
{
    xfer *x = &r->x;
    double left = r->deadline - tg_now_mono();
    if (left <= 0.001)
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: timed out: no complete answer within %g s "
                       "(--timeout)", r->shown, r->timeout);
    const tg_feed_opts *o = x->o;
    double ct = o->connect_timeout > 0 ? o->connect_timeout : DEFAULT_CONNECT;
    if (ct > left)
        ct = left;
    int conditional;
    struct curl_slist *hdrs = request_headers(v, &conditional);
    if (!hdrs)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    x->len = 0;
    x->too_big = x->refused = 0;
    x->status_line[0] = x->errbuf[0] = '\0';
    curl_easy_setopt(x->h, CURLOPT_URL, r->url);
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(x->h, CURLOPT_TIMEOUT_MS, (long)ceil(left * 1000));
    curl_easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS, (long)ceil(ct * 1000));
    CURLcode rc = curl_easy_perform(x->h);
    r->f->attempts++;
    curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdrs);
    if (rc != CURLE_OK)
        return transfer_fail(x, rc, r->shown, r->timeout, err);
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    char st[160];
    status_text(x, code, st, sizeof st);
    if (code == 200 || code == 203)
        return 0;
    if (code == 304) {
        if (!conditional)
            return tg_fail(err, TG_EUNAVAIL,
                           "%s: %s to a request that was not conditional",
                           r->shown, st);
        return 0;
    }
    if (code == 301 || code == 302 || code == 303 || code == 307 ||
        code == 308) {
        char *loc = NULL;
        curl_easy_getinfo(x->h, CURLINFO_REDIRECT_URL, &loc);
        if (!loc || !*loc)
            return tg_fail(err, TG_EUNAVAIL, "%s: %s without a Location",
                           r->shown, st);
        char *next = tg_strdup(loc), *next_shown = feed_url_redact(loc);
        int bad = !next || !next_shown;
        if (bad)
            tg_fail(err, TG_EINTERNAL, "out of memory");
        else if (r->f->redirects >= r->max_redirects)
            bad = tg_fail(err, TG_EUNAVAIL,
                          "%s: too many redirects (more than %d)", r->shown,
                          r->max_redirects);
        else if (check_url(next, next_shown, TG_EUNAVAIL, "redirect to",
                           x->allow, err) != TG_OK)
            bad = 1;
        else if (is_https(r->url) && !is_https(next))
            bad = tg_fail(err, TG_EUNAVAIL,
                          "redirect to '%s' refused: from https down to http",
                          next_shown);
        if (bad) {
            free(next);
            free(next_shown);
            if (err && err->code == TG_EUNAVAIL &&
                strncmp(err->msg, r->shown, strlen(r->shown)) != 0) {
                char m[sizeof err->msg];
                tg_strlcpy(m, err->msg, sizeof m);
                tg_fail(err, TG_EUNAVAIL, "%s: %s%s", r->shown,
                        strncmp(m, "redirect", 8) ? "redirect to " : "", m);
            }
            return err ? err->code : TG_EUNAVAIL;
        }
        free(r->url);
        free(r->shown);
        r->url = next;
        r->shown = next_shown;
        r->f->redirects++;
        return 1;
    }
    if (!retryable(code))
        return tg_fail(err, TG_EUNAVAIL, "%s: %s", r->shown, st);
    if (r->retries >= r->max_retries)
        return tg_fail(err, TG_EUNAVAIL, "%s: %s, still after %d attempts",
                       r->shown, st, r->retries + 1);
    curl_off_t after = 0;
    curl_easy_getinfo(x->h, CURLINFO_RETRY_AFTER, &after);
    int backoff = 1 << (r->retries < 3 ? r->retries : 3); /* 1, 2, 4, 8 s */
    double wait = after > 0 ? (double)after : (double)backoff;
    left = r->deadline - tg_now_mono();
    if (wait >= left) {
        if (after > 0)
            return tg_fail(err, TG_EUNAVAIL,
                           "%s: %s, Retry-After asks for %lld s, more than "
                           "the %.0f s left of the %g s timeout",
                           r->shown, st, (long long)after, left < 0 ? 0 : left,
                           r->timeout);
        return tg_fail(err, TG_EUNAVAIL,
                       "%s: %s, after %d attempts; no time left for another "
                       "within the %g s timeout",
                       r->shown, st, r->retries + 1, r->timeout);
    }
    sleep_until(tg_now_mono() + wait, o);
    if (o->cancel && atomic_load(o->cancel))
        return tg_fail(err, TG_EUNAVAIL, "%s: cancelled", r->shown);
    r->retries++;
    return 1;
}

/* Moves the last response into r->f. */
static int finish(run *r, tg_err *err)
{
    xfer *x = &r->x;
    tg_feed_fetch *f = r->f;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    f->status = code == 304 ? 304 : 200;
    f->final_url = r->shown;
    r->shown = NULL;
    f->etag = header_value(x->h, "ETag");
    f->last_modified = header_value(x->h, "Last-Modified");
    char *ct = NULL;
    curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
    if (ct && sendable(ct))
        f->content_type = tg_strdup(ct);
    f->fetched_at = (int64_t)time(NULL);
    if (f->status == 200) {
        if (!x->buf && !(x->buf = malloc(1)))
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        x->buf[x->len] = '\0';
        f->body = x->buf;
        f->len = x->len;
        x->buf = NULL;
    }
    return TG_OK;
}

int feed_fetch(const char *url, const tg_feed_opts *o,
               const tg_feed_validators *v, tg_feed_fetch **out, tg_err *err)
{
    static const tg_feed_opts none;
    *out = NULL;
    if (!o)
        o = &none;
    pthread_once(&curl_once, init_curl);
    if (curl_init_rc != CURLE_OK)
        return tg_fail(err, TG_EINTERNAL, "libcurl: %s",
                       curl_easy_strerror(curl_init_rc));
    run r = {0};
    r.x.o = o;
    r.x.allow = o->allow ? o->allow : FEED_ALLOW_DEFAULT;
    r.x.max = o->max_bytes > 0 ? o->max_bytes : DEFAULT_MAX_BYTES;
    r.timeout = o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT;
    r.deadline = tg_now_mono() + r.timeout;
    r.max_redirects = o->max_redirects > 0   ? o->max_redirects
                      : o->max_redirects < 0 ? 0
                                             : DEFAULT_REDIRECTS;
    r.max_retries = o->retries > 0 ? o->retries
                    : o->retries < 0 ? 0
                                     : DEFAULT_RETRIES;
    double t0 = tg_now_mono();
    char *noproxy = NULL;
    int rc = TG_OK;
    r.f = calloc(1, sizeof *r.f);
    r.url = tg_strdup(url ? url : "");
    r.shown = feed_url_redact(url ? url : "");
    if (!r.f || !r.url || !r.shown ||
        !(r.f->url = tg_strdup(r.shown))) {
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
        goto out;
    }
    if ((rc = check_url(r.url, r.shown, TG_EUSAGE, "URL", r.x.allow, err)) !=
        TG_OK)
        goto out;
    if (!(r.x.h = curl_easy_init()) || setup(&r.x, o, &noproxy) != 0) {
        rc = tg_fail(err, TG_EINTERNAL, "libcurl: cannot set up a transfer");
        goto out;
    }
    int s;
    while ((s = step(&r, v, err)) == 1)
        ;
    rc = s == 0 ? finish(&r, err) : s;
out:
    if (r.f)
        r.f->seconds = tg_now_mono() - t0;
    if (r.x.h)
        curl_easy_cleanup(r.x.h);
    free(noproxy);
    free(r.x.buf);
    free(r.url);
    free(r.shown);
    if (rc != TG_OK) {
        feed_fetch_free(r.f);
        return rc;
    }
    *out = r.f;
    return TG_OK;
}
