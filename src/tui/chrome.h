/* chrome.h: what the loop draws around the open screen: the tab bar on
 * top, the status line (the shopper, the feed, the model, the shop's
 * date) and the hint or note line at the bottom, and the message for a
 * terminal that is too small. */
#ifndef TRENDGUARD_TUI_CHROME_H
#define TRENDGUARD_TUI_CHROME_H

#include "screen.h"

#define CHROME_MIN_COLS 80
#define CHROME_MIN_ROWS 24

/* The whole frame: the chrome around screens[s->screen]'s body, or the
 * too-small message; rows x cols is the terminal. */
void chrome_draw(session *s, const screen *const *screens, int rows,
                 int cols);
/* The main screen whose tab is at column x of the tab bar, or -1. */
int chrome_tab_at(const screen *const *screens, int x);

#endif
