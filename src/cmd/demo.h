/* demo.h: creating the demo store on first run: generate the demo data
 * set, load it, and train the demo model when the trainer is installed
 * beside the app. */
#ifndef TRENDGUARD_DEMO_H
#define TRENDGUARD_DEMO_H

#include "trendguard/util.h"

/* Creates a demo store at db_path (which must not exist yet): generates
 * demo-scale data in a temporary folder, ingests it and removes the folder,
 * trains and scores; all in DB.first-run, renamed to db_path when complete
 * (a killed first run leaves no store: the next one starts over).
 * Progress lines go to stderr when verbose. */
int demo_create(const char *db_path, int verbose, tg_err *err);

#endif
