/* tap.h: a copy of the bytes the app writes to its terminal, for the
 * session's recording (uilog.h). ncurses writes each frame with write(2)
 * on the descriptor of the stream it was given, never through the
 * stream's buffer, so no stream of ours can stand in for the terminal;
 * the program's own write() stands in front of the C library's (the
 * dynamic linker resolves every library's call to it), passes every
 * write to the kernel unchanged and, while a tap is on, copies what went
 * to the tapped descriptor, with the time, into a fixed buffer. That is
 * safe in a signal handler (ncurses's Ctrl-Z and the crash handler end
 * curses there); the loop hands the copy to the recording after each
 * frame and before each event (tap_pull). */
#ifndef TRENDGUARD_TUI_TAP_H
#define TRENDGUARD_TUI_TAP_H

#include <stddef.h>

/* The most bytes copied between two pulls (a frame of a 300-column
 * screen in colour is a few hundred KB); more are counted as lost. */
#define TAP_BYTES (1 << 20)

/* Copies what is written to fd from now on; tap_stop ends it. */
void tap_start(int fd);
void tap_stop(void);
/* Hands what was copied to the recording of the tg_uilog log
 * (uilog_output) and empties the copy; the form uilog_record_pull
 * takes. */
void tap_pull(void *log);
/* Bytes that did not fit between two pulls, since the start. */
size_t tap_lost(void);

#endif
