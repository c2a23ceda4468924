/* demo.c: the first-run experience: a store filled with demo data, so that
 * `make run` on a fresh machine opens on something to look at. */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trendguard/gen.h"
#include "trendguard/ingest.h"
#include "trendguard/store.h"

static void remove_dir(const char *dir)
{
    for (int i = 0; i < TG_GEN_FILES; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, gen_file_names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int demo_create(const char *db_path, int verbose, tg_err *err)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/trendguard-demo.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return tg_fail(err, TG_EIO, "%s: cannot make a temporary folder",
                       dir);
    if (verbose)
        fprintf(stderr, "trendguard: first run: creating a demo store at "
                        "%s\n", db_path);
    tg_gen_opts go = {.out_dir = dir, .scale = "demo", .seed = 1};
    int rc = gen_run(&go, NULL, NULL, NULL, err);
    if (rc != TG_OK) {
        remove_dir(dir);
        return rc;
    }
    tg_store *s = store_open(db_path, STORE_CREATE, err);
    if (!s) {
        remove_dir(dir);
        return err ? err->code : TG_EIO;
    }
    tg_ingest_opts io = {0};
    char *paths[] = {dir};
    long rejected = 0;
    rc = ingest_paths(s, paths, 1, &io, &rejected, err);
    store_close(s);
    remove_dir(dir);
    if (rc == TG_OK && rejected > 0)
        rc = tg_fail(err, TG_EINTERNAL,
                     "the demo data had %ld rejected rows", rejected);
    if (rc != TG_OK)
        unlink(db_path); /* no half-made demo store next time */
    return rc;
}
