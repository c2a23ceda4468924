/* test_text.c: text measured as the terminal measures it (src/tui/text.c):
 * each code point by its wcwidth, zero-width ones in the cell before
 * them, clusters never split, a character after a zero-width joiner joined
 * or not as the terminal does, bytes that are no character as '?', and
 * every byte its own cell outside a UTF-8 locale. */
#include "testutil.h"

#include <locale.h>

#include "tui/text.h"

#define ZWJ "\xe2\x80\x8d"
#define WOMAN "\xf0\x9f\x91\xa9"
#define LAPTOP "\xf0\x9f\x92\xbb"
#define ACUTE "\xcc\x81"
#define LOW "\xcc\xb2"

static int utf8(void **state)
{
    (void)state;
    if (!setlocale(LC_ALL, "C.UTF-8"))
        fail_msg("no C.UTF-8 locale");
    text_init(1, 0);
    return 0;
}

static void widths_by_wcwidth(void **state)
{
    (void)state;
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("Cafe" ACUTE), 4);
    assert_int_equal(text_width("Z" ACUTE LOW "ebra"), 5);
    assert_int_equal(text_width("\xef\xbc\xa6\xef\xbc\xb5"), 4); /* ＦＵ */
    assert_int_equal(text_width("\xd7\xa9\xd7\x9e\xd7\x9c"), 3); /* שמל */
    assert_int_equal(text_width("\xe2\x9d\xa4\xef\xb8\x8f"), 1); /* ❤️ */
    assert_int_equal(text_width(WOMAN ZWJ LAPTOP), 4);
    assert_int_equal(text_width("a\xff" "b"), 3); /* not a character */
    assert_int_equal(text_width("a\tb"), 3);      /* a control */
    assert_int_equal(text_width(""), 0);
}

static void joined_emoji_where_the_terminal_joins(void **state)
{
    (void)state;
    text_init(1, 1);
    assert_int_equal(text_width(WOMAN ZWJ LAPTOP), 2);
    text_cell c[4];
    int n = text_cells(WOMAN ZWJ LAPTOP, strlen(WOMAN ZWJ LAPTOP), c, 4);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].cols, 2);
    assert_int_equal(c[0].wc[0], 0x1F469);
    assert_int_equal(c[0].wc[1], 0x200D);
    assert_int_equal(c[0].wc[2], 0x1F4BB);
    assert_int_equal(c[0].wc[3], 0);
    text_init(1, 0);
    n = text_cells(WOMAN ZWJ LAPTOP, strlen(WOMAN ZWJ LAPTOP), c, 4);
    assert_int_equal(n, 2); /* the joiner stays in the woman's cell */
    assert_int_equal(c[0].wc[1], 0x200D);
    assert_int_equal(c[1].wc[0], 0x1F4BB);
}

static void marks_stay_in_their_cell(void **state)
{
    (void)state;
    const char *s = "Z" ACUTE LOW;
    text_cell c[4];
    int n = text_cells(s, strlen(s), c, 4);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].cols, 1);
    assert_int_equal(c[0].wc[0], 'Z');
    assert_int_equal(c[0].wc[1], 0x301);
    assert_int_equal(c[0].wc[2], 0x332);
    /* A mark with nothing before it takes no column and no cell. */
    assert_int_equal(text_cells(ACUTE, 2, c, 4), 0);
    assert_int_equal(text_width(ACUTE "a"), 1);
}

static void cut_between_clusters(void **state)
{
    (void)state;
    int used;
    const char *s = "ab" WOMAN ZWJ LAPTOP "cd";
    /* 4 columns: "ab", then the emoji sequence (4) does not fit whole. */
    assert_int_equal(text_fit(s, 4, &used), 2);
    assert_int_equal(used, 2);
    assert_int_equal(text_fit(s, 6, &used), 2 + strlen(WOMAN ZWJ LAPTOP));
    assert_int_equal(used, 6);
    const char *m = "Ze" ACUTE LOW "bra";
    assert_int_equal(text_fit(m, 2, &used), 1 + 1 + 2 + 2);
    assert_int_equal(used, 2);
    /* A wide character is never split. */
    assert_int_equal(text_fit("\xef\xbc\xa6\xef\xbc\xb5", 3, &used), 3);
    assert_int_equal(used, 2);
}

static void other_locales_byte_by_byte(void **state)
{
    (void)state;
    text_init(0, 0);
    assert_int_equal(text_width("Cafe" ACUTE), 6);
    text_cell c[2];
    assert_int_equal(text_cells(ACUTE, 2, c, 2), 1);
    assert_int_equal(c[0].wc[0], '?');
    text_init(1, 0);
}

static void input_whole_characters(void **state)
{
    (void)state;
    assert_int_equal(text_char_bytes('a'), 1);
    assert_int_equal(text_char_bytes(0xC3), 2);
    assert_int_equal(text_char_bytes(0xE2), 3);
    assert_int_equal(text_char_bytes(0xF0), 4);
    assert_int_equal(text_char_bytes(0x80), 1);
    const char *s = "a\xc3\xbc";
    assert_int_equal(text_drop_last(s, 3), 1);
    assert_int_equal(text_drop_last(s, 1), 0);
    assert_int_equal(text_drop_last(s, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(widths_by_wcwidth),
        cmocka_unit_test(joined_emoji_where_the_terminal_joins),
        cmocka_unit_test(marks_stay_in_their_cell),
        cmocka_unit_test(cut_between_clusters),
        cmocka_unit_test(other_locales_byte_by_byte),
        cmocka_unit_test(input_whole_characters),
    };
    return cmocka_run_group_tests(tests, utf8, NULL);
}
