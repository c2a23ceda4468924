/* test_app.c: the app's parts that need no terminal: its settings file
 * (config.c), read as text from outside (junk, unknown names, bad values,
 * NUL bytes, a huge file: the good lines still count and the first
 * problem is named) and written so that it reads back the same; and the
 * key table, where a key means one thing wherever it works. */
#include "testutil.h"

#include <sys/stat.h>

#include "tui/config.h"
#include "tui/keys.h"
#include "tui/screen.h"

static void with_config_home(const char *dir)
{
    setenv("XDG_CONFIG_HOME", dir, 1);
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void has(const tui_config *c, int64_t shopper, int theme, int demo,
                int tips)
{
    assert_int_equal(c->shopper, shopper);
    assert_int_equal(c->theme, theme);
    assert_int_equal(c->demo, demo);
    assert_int_equal(c->tips_per_visit, tips);
}

static void settings_round_trip(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    with_config_home(dir);
    tui_config c;
    config_init(&c);
    assert_non_null(strstr(c.path, dir));
    config_load(&c); /* no file: the defaults, no problem */
    has(&c, 0, -1, 0, 0);
    assert_string_equal(c.problem, "");
    c.shopper = 2832, c.theme = 1, c.demo = 1, c.tips_per_visit = 7;
    tg_err err = {0};
    assert_int_equal(config_save(&c, &err), TG_OK); /* makes its folder */
    tui_config back;
    config_init(&back);
    config_load(&back);
    has(&back, 2832, 1, 1, 7);
    assert_string_equal(back.problem, "");
    /* A relative XDG_CONFIG_HOME is not used (the XDG spec). */
    with_config_home("relative/dir");
    setenv("HOME", dir, 1);
    config_init(&c);
    assert_non_null(strstr(c.path, "/.config/trendguard/config"));
    tu_rmrf(dir);
}

static void a_hostile_file_keeps_its_good_lines(void **state)
{
    (void)state;
    char dir[256], path[400];
    tu_tmpdir(dir, sizeof dir);
    with_config_home(dir);
    snprintf(path, sizeof path, "%s/trendguard", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/trendguard/config", dir);
    static const char junk[] =
        "# a comment\n"
        "theme = mono\r\n"
        "colour\n"                       /* line 3: no '=' */
        "shopper = 12; DROP TABLE x\n"   /* bad value */
        "unknown_thing = 1\n"
        "tips_per_visit = 100\n"         /* out of range */
        "tips_per_visit = -1\n"
        "shopper = 99999999999999999999\n"
        "demo = yes\n"
        "  demo   =   on  \n"            /* good, spaced */
        "bin\0ary = 1\n"                 /* a NUL byte */
        "\xff\xfe = \x80\n"
        "shopper = 41\n";
    write_file(path, junk, sizeof junk - 1);
    tui_config c;
    config_init(&c);
    config_load(&c);
    has(&c, 41, 1, 1, 0);
    assert_string_equal(c.problem, "config line 3: not 'name = value' "
                                   "'colour'");
    /* Too big: its start is read, and that is said. */
    size_t big = CONFIG_MAX_BYTES + 5000;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, '#', big);
    memcpy(data, "demo = off\n", 11);
    write_file(path, data, big);
    free(data);
    config_init(&c);
    config_load(&c);
    assert_int_equal(c.demo, 0);
    assert_non_null(strstr(c.problem, "too large"));
    /* A folder where the file should be: nothing read, nothing breaks. */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    config_init(&c);
    config_load(&c);
    tg_err err = {0};
    assert_int_not_equal(config_save(&c, &err), TG_OK);
    tu_rmrf(dir);
}

/* A key means one thing wherever it works: every binding of a key says
 * the same words, and no key is bound twice on one screen. */
static void each_key_means_one_thing(void **state)
{
    (void)state;
    for (int i = 0; i < keys_count; i++)
        for (int j = i + 1; j < keys_count; j++) {
            const key_binding *a = &keys_table[i], *b = &keys_table[j];
            if (a->key != b->key)
                continue;
            char name[24];
            keys_name(a->key, name, sizeof name);
            if (strcmp(a->help, b->help) != 0)
                fail_msg("%s means '%s' and '%s'", name, a->help, b->help);
            if (!a->screens || !b->screens || (a->screens & b->screens))
                fail_msg("%s is bound twice on a screen", name);
        }
    /* The ones that meant two things. */
    assert_int_equal(keys_action(SCR_CART, 'c'), ACT_CHECKOUT);
    assert_int_equal(keys_action(SCR_DASH, 'c'), ACT_NONE);
    assert_int_equal(keys_action(SCR_DASH, 'v'), ACT_CHANNEL);
    assert_int_equal(keys_action(SCR_ITEM, 'h'), ACT_LEFT);
    assert_int_equal(keys_action(SCR_TRENDING, 'h'), ACT_NONE);
    assert_int_equal(keys_action(SCR_ORDERS, 27), ACT_BACK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_round_trip),
        cmocka_unit_test(a_hostile_file_keeps_its_good_lines),
        cmocka_unit_test(each_key_means_one_thing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
