/* worker.c: one job on a thread of its own with a done flag and a
 * wake-up pipe (worker.h): the only place the core and the app start a
 * background thread for an event loop. */
#include "trendguard/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tg_worker {
    pthread_t thread;
    int fds[2];
    atomic_int done;
    void (*fn)(void *arg);
    void *arg;
};

static void *worker_main(void *p)
{
    tg_worker *w = p;
    w->fn(w->arg);
    atomic_store(&w->done, 1);
    ssize_t n;
    do
        n = write(w->fds[1], "x", 1);
    while (n < 0 && errno == EINTR);
    return NULL;
}

static void worker_close(tg_worker *w)
{
    close(w->fds[0]);
    close(w->fds[1]);
    free(w);
}

tg_worker *worker_start(void (*fn)(void *arg), void *arg, tg_err *err)
{
    tg_worker *w = calloc(1, sizeof *w);
    if (!w) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    if (pipe(w->fds) != 0) {
        tg_fail(err, TG_EINTERNAL, "pipe: %s", strerror(errno));
        free(w);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(w->fds[i], F_SETFD, FD_CLOEXEC);
        fcntl(w->fds[i], F_SETFL, O_NONBLOCK);
    }
    w->fn = fn;
    w->arg = arg;
    atomic_init(&w->done, 0);
    int e = pthread_create(&w->thread, NULL, worker_main, w);
    if (e != 0) {
        tg_fail(err, TG_EINTERNAL, "cannot start a thread: %s", strerror(e));
        worker_close(w);
        return NULL;
    }
    return w;
}

int worker_fd(const tg_worker *w)
{
    return w->fds[0];
}

int worker_done(const tg_worker *w)
{
    return atomic_load(&((tg_worker *)w)->done);
}

void worker_join(tg_worker *w)
{
    if (!w)
        return;
    pthread_join(w->thread, NULL);
    worker_close(w);
}
