/* theme.c: the app's colours as a [theme][element] table: a colour theme
 * and a monochrome one (bold, reverse, underline only), used when the
 * terminal has no colours, under NO_COLOR, or when asked for. */
#include "ui.h"

typedef struct style {
    short fg, bg;   /* -1: the terminal's default */
    attr_t attr;
} style;

const char *const theme_names[THEME_COUNT] = {"colour", "mono"};

static const style themes[THEME_COUNT][EL_COUNT] = {
    [THEME_COLOUR] = {
        [EL_NORMAL] = {-1, -1, A_NORMAL},
        [EL_TITLE] = {COLOR_MAGENTA, -1, A_BOLD},
        [EL_TAB] = {COLOR_WHITE, COLOR_BLUE, A_NORMAL},
        [EL_TAB_ACTIVE] = {COLOR_BLACK, COLOR_CYAN, A_BOLD},
        [EL_DIM] = {COLOR_BLUE, -1, A_BOLD},
        [EL_SELECTED] = {COLOR_BLACK, COLOR_CYAN, A_NORMAL},
        [EL_HEADER] = {COLOR_CYAN, -1, A_BOLD},
        [EL_RISK_LOW] = {COLOR_GREEN, -1, A_BOLD},
        [EL_RISK_MEDIUM] = {COLOR_YELLOW, -1, A_BOLD},
        [EL_RISK_HIGH] = {COLOR_RED, -1, A_BOLD},
        [EL_NUDGE] = {COLOR_YELLOW, -1, A_NORMAL},
        [EL_NUDGE_TITLE] = {COLOR_BLACK, COLOR_YELLOW, A_BOLD},
        [EL_GOOD] = {COLOR_GREEN, -1, A_NORMAL},
        [EL_BAD] = {COLOR_RED, -1, A_NORMAL},
        [EL_CHART] = {COLOR_CYAN, -1, A_NORMAL},
        [EL_STATUS] = {COLOR_BLACK, COLOR_WHITE, A_NORMAL},
        [EL_KEY] = {COLOR_YELLOW, -1, A_BOLD},
    },
    [THEME_MONO] = {
        [EL_NORMAL] = {-1, -1, A_NORMAL},
        [EL_TITLE] = {-1, -1, A_BOLD},
        [EL_TAB] = {-1, -1, A_NORMAL},
        [EL_TAB_ACTIVE] = {-1, -1, A_REVERSE | A_BOLD},
        [EL_DIM] = {-1, -1, A_DIM},
        [EL_SELECTED] = {-1, -1, A_REVERSE},
        [EL_HEADER] = {-1, -1, A_BOLD | A_UNDERLINE},
        [EL_RISK_LOW] = {-1, -1, A_NORMAL},
        [EL_RISK_MEDIUM] = {-1, -1, A_BOLD},
        [EL_RISK_HIGH] = {-1, -1, A_BOLD | A_UNDERLINE},
        [EL_NUDGE] = {-1, -1, A_NORMAL},
        [EL_NUDGE_TITLE] = {-1, -1, A_REVERSE | A_BOLD},
        [EL_GOOD] = {-1, -1, A_NORMAL},
        [EL_BAD] = {-1, -1, A_BOLD},
        [EL_CHART] = {-1, -1, A_NORMAL},
        [EL_STATUS] = {-1, -1, A_REVERSE},
        [EL_KEY] = {-1, -1, A_BOLD},
    },
};

static int current = THEME_MONO;
static int have_colour;

int theme_init(int want)
{
    have_colour = 0;
    if (want == THEME_COLOUR && has_colors() && start_color() == OK) {
        use_default_colors();
        have_colour = COLOR_PAIRS > EL_COUNT;
        for (int e = 0; have_colour && e < EL_COUNT; e++)
            init_pair((short)(e + 1), themes[THEME_COLOUR][e].fg,
                      themes[THEME_COLOUR][e].bg);
    }
    current = have_colour ? THEME_COLOUR : THEME_MONO;
    return current;
}

void theme_set(int theme)
{
    if (theme == THEME_COLOUR && !have_colour)
        theme = THEME_MONO;
    current = theme;
}

int theme_current(void)
{
    return current;
}

attr_t theme_attr(int element)
{
    const style *s = &themes[current][element];
    if (current == THEME_COLOUR)
        return s->attr | COLOR_PAIR(element + 1);
    return s->attr;
}

int theme_band(int band)
{
    static const int el[TG_NUM_BANDS] = {EL_RISK_LOW, EL_RISK_MEDIUM,
                                         EL_RISK_HIGH};
    return band >= 0 && band < TG_NUM_BANDS ? el[band] : EL_RISK_LOW;
}
