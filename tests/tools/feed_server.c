/* feed_server.c: a loopback HTTP/1.1 server for the feed tests. It listens
 * on 127.0.0.1 only, on a port the kernel picks, answers one request per
 * connection (each on its own thread), and stops by itself after a
 * deadline even if nobody stops it. Its routes are the fault modes the
 * sync must survive:
 *
 *   /tiktok.json      the tiktok-scraper file given to fs_start, with
 *                     Last-Modified: Tue, 22 Dec 2020 00:00:00 GMT
 *   /fixture/NAME     tests/fixtures/feed/NAME (200, Content-Length)
 *   /etag.json        good.json with an ETag; 304 to If-None-Match
 *   /500 /404         errors
 *   /429              429 with Retry-After: 1 on the first hit since
 *                     fs_reset, then good.json
 *   /429-long         429 with Retry-After: 3600, always
 *   /503              503 without Retry-After, always
 *   /hang             reads the request and never answers
 *   /trickle          Content-Length 1000, one byte a second
 *   /short            Content-Length 1000, 500 bytes, then closes
 *   /malformed        200 with JSON that breaks off
 *   /html             200 text/html
 *   /huge             100 MB streamed, no Content-Length (never held in
 *                     memory: 64 KiB at a time until the client leaves)
 *   /huge-cl          the same announced with Content-Length
 *   /gzip-bomb        8 MiB of JSON as 8 KiB of gzip (Content-Encoding)
 *   /redirect-file    302 to file:///etc/passwd
 *   /redirect-gopher  302 to gopher://127.0.0.1/
 *   /redirect-loop    302 to itself
 *   /redirect-ok      302 to /fixture/good.json
 *   /redirect-metadata  302 to http://169.254.169.254/latest/meta-data/
 *                     (tests set http_proxy to this server, so even a
 *                     sync that followed it would only reach 127.0.0.1)
 * Anything else is a 404, an absolute URI too: as a proxy it forwards
 * nothing.
 *
 * Use: #include "tools/feed_server.c" in a test, fs_start, fs_stop. Built
 * alone with -DFEED_SERVER_MAIN it serves until --seconds pass:
 *   cc -DFEED_SERVER_MAIN -Iinclude -o feed_server tests/tools/feed_server.c
 *      -lpthread
 *   feed_server [--seconds N] TIKTOK.json     (prints "port N") */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FS_FIXTURES "tests/fixtures/feed"
#define FS_LAST_MODIFIED "Tue, 22 Dec 2020 00:00:00 GMT"
#define FS_ETAG "\"good-v1\""

typedef struct fs_server {
    int lfd, port;
    pthread_t thread;
    atomic_int stop, active, hits429, requests;
    double deadline; /* monotonic: the server stops itself then */
    char *tiktok;
    size_t tiktok_len;
    pthread_mutex_t mu;
    char last_request[8192];
} fs_server;

static double fs_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fs_stopping(fs_server *s)
{
    return atomic_load(&s->stop) || fs_now() > s->deadline;
}

/* Sends everything unless the client leaves or the server stops. */
static int fs_send(fs_server *s, int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        if (fs_stopping(s))
            return -1;
        struct pollfd pf = {fd, POLLOUT, 0};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int fs_sendf(fs_server *s, int fd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fs_sendf(fs_server *s, int fd, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return fs_send(s, fd, buf, (size_t)n);
}

/* Waits up to secs for the client to close (or the server to stop). */
static void fs_wait_close(fs_server *s, int fd, double secs)
{
    double until = fs_now() + secs;
    char buf[512];
    while (!fs_stopping(s) && fs_now() < until) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 100) > 0 && recv(fd, buf, sizeof buf, 0) <= 0)
            return;
    }
}

static char *fs_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    do {
        if (n + 65536 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 65536);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return buf;
}

static void fs_body(fs_server *s, int fd, int code, const char *reason,
                    const char *type, const char *extra, const char *body,
                    size_t n)
{
    if (fs_sendf(s, fd,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: "
                 "%zu\r\nConnection: close\r\n%s\r\n",
                 code, reason, type, n, extra ? extra : "") == 0)
        fs_send(s, fd, body, n);
}

static void fs_fixture(fs_server *s, int fd, const char *name,
                       const char *extra)
{
    char path[512];
    size_t n = 0;
    for (const char *p = name; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", *p) ||
            (p[0] == '.' && p[1] == '.'))
            name = "";
    snprintf(path, sizeof path, FS_FIXTURES "/%s", name);
    char *body = *name ? fs_slurp(path, &n) : NULL;
    if (!body) {
        fs_body(s, fd, 404, "Not Found", "text/plain", NULL, "no such\n", 8);
        return;
    }
    fs_body(s, fd, 200, "OK", "application/json", extra, body, n);
    free(body);
}

static void fs_redirect(fs_server *s, int fd, const char *to)
{
    fs_sendf(s, fd,
             "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
             "Connection: close\r\n\r\n",
             to);
}

/* 100 MB from 64 KiB of spaces, until the client leaves. */
static void fs_huge(fs_server *s, int fd, int with_length)
{
    const size_t total = 100u << 20;
    static char chunk[65536];
    memset(chunk, ' ', sizeof chunk);
    if (with_length)
        fs_sendf(s, fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
                        "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                 total);
    else
        fs_sendf(s, fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json"
                        "\r\nConnection: close\r\n\r\n");
    for (size_t sent = 0; sent < total; sent += sizeof chunk)
        if (fs_send(s, fd, chunk, sizeof chunk) != 0)
            return;
}

static void fs_route(fs_server *s, int fd, const char *path, const char *req)
{
    static const char malformed[] =
        "{\"version\": 1, \"snapshots\": [{\"hashtag\": \"midisummer\", "
        "\"captured_at\": ";
    if (strcmp(path, "/tiktok.json") == 0) {
        fs_body(s, fd, 200, "OK", "application/json",
                "Last-Modified: " FS_LAST_MODIFIED "\r\n", s->tiktok,
                s->tiktok_len);
    } else if (strncmp(path, "/fixture/", 9) == 0) {
        fs_fixture(s, fd, path + 9, NULL);
    } else if (strcmp(path, "/etag.json") == 0) {
        if (strstr(req, "\r\nIf-None-Match: " FS_ETAG "\r\n"))
            fs_sendf(s, fd, "HTTP/1.1 304 Not Modified\r\nETag: " FS_ETAG
                            "\r\nConnection: close\r\n\r\n");
        else
            fs_fixture(s, fd, "good.json",
                       "ETag: " FS_ETAG "\r\nLast-Modified: "
                       "Fri, 02 May 2025 06:00:00 GMT\r\n");
    } else if (strcmp(path, "/500") == 0) {
        fs_body(s, fd, 500, "Internal Server Error", "text/plain", NULL,
                "boom\n", 5);
    } else if (strcmp(path, "/404") == 0) {
        fs_body(s, fd, 404, "Not Found", "text/plain", NULL, "no\n", 3);
    } else if (strcmp(path, "/429") == 0) {
        if (atomic_fetch_add(&s->hits429, 1) == 0)
            fs_body(s, fd, 429, "Too Many Requests", "text/plain",
                    "Retry-After: 1\r\n", "slow down\n", 10);
        else
            fs_fixture(s, fd, "good.json", NULL);
    } else if (strcmp(path, "/429-long") == 0) {
        fs_body(s, fd, 429, "Too Many Requests", "text/plain",
                "Retry-After: 3600\r\n", "later\n", 6);
    } else if (strcmp(path, "/503") == 0) {
        fs_body(s, fd, 503, "Service Unavailable", "text/plain", NULL,
                "down\n", 5);
    } else if (strcmp(path, "/hang") == 0) {
        fs_wait_close(s, fd, 60);
    } else if (strcmp(path, "/trickle") == 0) {
        if (fs_sendf(s, fd, "HTTP/1.1 200 OK\r\nContent-Type: "
                            "application/json\r\nContent-Length: 1000\r\n"
                            "Connection: close\r\n\r\n") != 0)
            return;
        for (int i = 0; i < 1000 && !fs_stopping(s); i++) {
            if (fs_send(s, fd, " ", 1) != 0)
                return;
            fs_wait_close(s, fd, 1.0);
        }
    } else if (strcmp(path, "/short") == 0) {
        char half[500];
        memset(half, ' ', sizeof half);
        if (fs_sendf(s, fd, "HTTP/1.1 200 OK\r\nContent-Type: "
                            "application/json\r\nContent-Length: 1000\r\n"
                            "Connection: close\r\n\r\n") == 0)
            fs_send(s, fd, half, sizeof half);
    } else if (strcmp(path, "/malformed") == 0) {
        fs_body(s, fd, 200, "OK", "application/json", NULL, malformed,
                sizeof malformed - 1);
    } else if (strcmp(path, "/html") == 0) {
        fs_body(s, fd, 200, "OK", "text/html", NULL, "<html>hi</html>\n", 16);
    } else if (strcmp(path, "/huge") == 0 || strcmp(path, "/huge-cl") == 0) {
        fs_huge(s, fd, path[5] == '-');
    } else if (strcmp(path, "/gzip-bomb") == 0) {
        fs_fixture(s, fd, "bomb.json.gz", "Content-Encoding: gzip\r\n");
    } else if (strcmp(path, "/redirect-file") == 0) {
        fs_redirect(s, fd, "file:///etc/passwd");
    } else if (strcmp(path, "/redirect-gopher") == 0) {
        fs_redirect(s, fd, "gopher://127.0.0.1/");
    } else if (strcmp(path, "/redirect-loop") == 0) {
        fs_redirect(s, fd, "/redirect-loop");
    } else if (strcmp(path, "/redirect-metadata") == 0) {
        fs_redirect(s, fd, "http://169.254.169.254/latest/meta-data/");
    } else if (strcmp(path, "/redirect-ok") == 0) {
        fs_redirect(s, fd, "/fixture/good.json");
    } else {
        fs_body(s, fd, 404, "Not Found", "text/plain", NULL, "no route\n", 9);
    }
}

typedef struct fs_conn {
    fs_server *s;
    int fd;
} fs_conn;

static void *fs_conn_main(void *arg)
{
    fs_conn *c = arg;
    fs_server *s = c->s;
    int fd = c->fd;
    free(c);
    char req[8192];
    size_t n = 0;
    double until = fs_now() + 5;
    while (n + 1 < sizeof req && !fs_stopping(s) && fs_now() < until) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[n] = '\0';
    char method[16], path[1024];
    if (strstr(req, "\r\n\r\n") &&
        sscanf(req, "%15s %1023s", method, path) == 2) {
        atomic_fetch_add(&s->requests, 1);
        pthread_mutex_lock(&s->mu);
        snprintf(s->last_request, sizeof s->last_request, "%s", req);
        pthread_mutex_unlock(&s->mu);
        fs_route(s, fd, path, req);
    }
    shutdown(fd, SHUT_WR);
    close(fd);
    atomic_fetch_sub(&s->active, 1);
    return NULL;
}

static void *fs_accept_main(void *arg)
{
    fs_server *s = arg;
    while (!fs_stopping(s)) {
        struct pollfd pf = {s->lfd, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        fs_conn *c = malloc(sizeof *c);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        atomic_fetch_add(&s->active, 1);
        if (!c || (c->s = s, c->fd = fd,
                   pthread_create(&t, &at, fs_conn_main, c) != 0)) {
            atomic_fetch_sub(&s->active, 1);
            free(c);
            close(fd);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

/* Starts serving on 127.0.0.1 (port in s->port) for at most max_seconds;
 * tiktok_path may be NULL. 0 on success. */
static int fs_start(fs_server *s, const char *tiktok_path, double max_seconds)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
    s->deadline = fs_now() + max_seconds;
    if (tiktok_path && !(s->tiktok = fs_slurp(tiktok_path, &s->tiktok_len)))
        return -1;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t al = sizeof a;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(s->lfd, 64) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0) {
        if (s->lfd >= 0)
            close(s->lfd);
        free(s->tiktok);
        return -1;
    }
    s->port = ntohs(a.sin_port);
    if (pthread_create(&s->thread, NULL, fs_accept_main, s) != 0) {
        close(s->lfd);
        free(s->tiktok);
        return -1;
    }
    return 0;
}

/* Counters back to zero between tests. */
__attribute__((unused)) static void fs_reset(fs_server *s)
{
    atomic_store(&s->hits429, 0);
    atomic_store(&s->requests, 0);
}

/* Copies the last request's head into buf. */
__attribute__((unused)) static void fs_last_request(fs_server *s, char *buf,
                                                 size_t n)
{
    pthread_mutex_lock(&s->mu);
    snprintf(buf, n, "%s", s->last_request);
    pthread_mutex_unlock(&s->mu);
}

/* Stops, waiting (a few seconds at most) for every connection to end. */
static void fs_stop(fs_server *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->thread, NULL);
    double until = fs_now() + 5;
    while (atomic_load(&s->active) > 0 && fs_now() < until) {
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    close(s->lfd);
    if (atomic_load(&s->active) == 0) {
        free(s->tiktok);
        pthread_mutex_destroy(&s->mu);
    }
}

#ifdef FEED_SERVER_MAIN
int main(int argc, char **argv)
{
    double secs = 600;
    const char *tiktok = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            secs = atof(argv[++i]);
        else
            tiktok = argv[i];
    }
    fs_server s;
    if (fs_start(&s, tiktok, secs) != 0) {
        fprintf(stderr, "feed_server: cannot start\n");
        return 1;
    }
    printf("port %d\n", s.port);
    fflush(stdout);
    while (!fs_stopping(&s)) {
        struct timespec ts = {0, 200000000};
        nanosleep(&ts, NULL);
    }
    fs_stop(&s);
    return 0;
}
#endif
