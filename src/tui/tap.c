/* tap.c: the copy of the terminal's bytes for the recording (tap.h): the
 * program's write(), a buffer of timed chunks filled by it and emptied by
 * tap_pull, with signals held off, as one output event. */
#include "tap.h"

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "trendguard/uilog.h"

/* A chunk in the buffer: when it was written and its length, then its
 * bytes. */
typedef struct chunk {
    double at;
    uint32_t n;
} chunk;

static unsigned char copied[TAP_BYTES];
static volatile size_t used;
static volatile size_t lost;
static volatile sig_atomic_t tapped = -1;

/* Async-signal-safe: no lock, no allocation. */
static void copy(const void *data, size_t n)
{
    if (used + sizeof(chunk) + n > sizeof copied) {
        lost += n;
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    chunk c = {(double)ts.tv_sec + (double)ts.tv_nsec * 1e-9, (uint32_t)n};
    memcpy(copied + used, &c, sizeof c);
    memcpy(copied + used + sizeof c, data, n);
    used += sizeof c + n;
}

ssize_t write(int fd, const void *data, size_t n)
{
    ssize_t w = (ssize_t)syscall(SYS_write, fd, data, n);
    if (w > 0 && fd == tapped)
        copy(data, (size_t)w);
    return w;
}

void tap_start(int fd)
{
    used = 0;
    lost = 0;
    tapped = fd;
}

void tap_stop(void)
{
    tapped = -1;
}

/* The chunks since the last pull are one frame's writes: they go as one
 * output event at the time of the first, their bytes moved together in
 * place. */
void tap_pull(void *log)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    double first = 0;
    size_t n = 0;
    for (size_t at = 0; at < used;) {
        chunk c;
        memcpy(&c, copied + at, sizeof c);
        if (at == 0)
            first = c.at;
        memmove(copied + n, copied + at + sizeof c, c.n);
        n += c.n;
        at += sizeof c + c.n;
    }
    used = 0;
    if (n)
        uilog_output(log, first, (const char *)copied, n);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

size_t tap_lost(void)
{
    return lost;
}
