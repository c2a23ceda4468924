/* config.h: the app's settings that outlive a launch: the shopper, the
 * theme, how many tips a visit may show, the demo setting and the folder
 * every session is recorded into, kept in
 * $XDG_CONFIG_HOME/trendguard/config (else ~/.config/trendguard/config)
 * as one "name = value" a line. The settings are a table {name, kind,
 * help} (config.c); the file is text from outside: a line that is not a
 * known setting with a good value is skipped and named in `problem`, the
 * rest still counts. Written whole to a temporary file and renamed. */
#ifndef TRENDGUARD_TUI_CONFIG_H
#define TRENDGUARD_TUI_CONFIG_H

#include <stdint.h>

#include "trendguard/util.h"

#define CONFIG_MAX_TIPS 99
/* A file larger than this is not read past it. */
#define CONFIG_MAX_BYTES 65536

typedef struct tui_config {
    int64_t shopper;         /* customers.id to open as; 0: the first one */
    int theme;               /* -1 unset, 0 colour, 1 mono (THEME_*) */
    int tips_per_visit;      /* 0: the catalogue's cap */
    int demo;                /* 1: demo and usability tests: no caps */
    char record_dir[4096];   /* record every session here; "": none
                                (a path from / or ~/) */
    char path[4096];         /* the file; "" when there is no home */
    char problem[200];       /* the first thing wrong with it, or "" */
} tui_config;

/* The defaults, and the file's path from the environment. */
void config_init(tui_config *c);
/* Reads c->path over the defaults. A missing file is no problem; what is
 * wrong with one is in c->problem ("config line 3: unknown setting
 * 'colour'"). */
void config_load(tui_config *c);
/* The folder sessions are recorded into (~/ made $HOME/) into buf, or
 * NULL when none is set (or ~/ with no HOME). */
const char *config_record_dir(const tui_config *c, char *buf, size_t n);
/* Writes every setting to c->path (creating its folder). */
int config_save(const tui_config *c, tg_err *err);

#endif
