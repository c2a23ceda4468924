/* commands.h: the entry points of the `trendguard` subcommands, one file
 * each (cmd_NAME.c). */
#ifndef TRENDGUARD_COMMANDS_H
#define TRENDGUARD_COMMANDS_H

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
int cmd_open(int argc, char **argv); /* no subcommand: the app */

#endif
