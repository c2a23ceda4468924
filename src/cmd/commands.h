/* commands.h: the `trendguard` subcommands, one file each (cmd_NAME.c):
 * each defines its entry point and its table (cli_spec: options,
 * arguments, help, examples), which main.c lists. */
#ifndef TRENDGUARD_COMMANDS_H
#define TRENDGUARD_COMMANDS_H

#include "cli/cli.h"

int cmd_gen(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_nudge(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_pilot(int argc, char **argv);
int cmd_open(int argc, char **argv); /* no subcommand: the app */

/* The simulated pilot's figures as text, as `pilot` and `report` print
 * them (cmd_pilot.c). */
struct tg_report_pilot;
struct tg_currency;
void cmd_pilot_print(const struct tg_report_pilot *p,
                     const struct tg_currency *cur);

extern const cli_spec cmd_gen_spec, cmd_ingest_spec, cmd_status_spec,
    cmd_predict_spec, cmd_score_spec, cmd_sync_spec, cmd_nudge_spec,
    cmd_simulate_spec, cmd_export_spec, cmd_sessions_spec, cmd_report_spec,
    cmd_pilot_spec, cmd_open_spec;

#endif
