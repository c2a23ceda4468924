/* test_util.c: the core's guards on text and files from outside: text made
 * visible for a terminal, text repaired to valid UTF-8 for JSON, the one
 * way a file is opened for reading (regular files only, size first) and
 * the check before a file is replaced, and the rule a text cell from a CSV
 * or the feed follows. */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

/* fn(in) must give want, report the whole length and be valid UTF-8. */
static void expect(size_t (*fn)(const char *, size_t, char *, size_t),
                   const char *in, size_t n, const char *want)
{
    char out[256];
    size_t need = fn(in, n, out, sizeof out);
    if (strcmp(out, want) != 0)
        fail_msg("got '%s', want '%s'", out, want);
    assert_int_equal(need, strlen(want));
    assert_true(tg_utf8_valid(out, strlen(out)));
}

static void text_made_visible(void **state)
{
    (void)state;
#define V(s, want) expect(tg_text_visible, s, sizeof s - 1, want)
    V("plain caf\xc3\xa9 \xf0\x9f\x91\x97", "plain caf\xc3\xa9 \xf0\x9f\x91\x97");
    V("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"); /* set the title, bell */
    V("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H");        /* clear the screen */
    V("a\rb\nc\td", "a\\x0db\\x0ac\\x09d");
    V("del\x7f", "del\\x7f");
    V("c1 \xc2\x9b" "31m csi", "c1 \\u009b31m csi");   /* C1 CSI */
    V("\xc2\x85nel", "\\u0085nel");
    V("\xe9t\xe9", "\\xe9t\\xe9");                      /* Latin-1 */
    V("\xc0\xaf", "\\xc0\\xaf");                        /* overlong '/' */
    V("\xed\xa0\x80", "\\xed\\xa0\\x80");               /* a surrogate */
    V("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");      /* past U+10FFFF */
    V("cut \xe2\x82", "cut \\xe2\\x82");                /* a cut character */
    V("nul\0in", "nul\\x00in");
    V("\xc2\xa0nbsp", "\xc2\xa0nbsp");                  /* U+00A0 is text */
#undef V
    /* Short buffers cut between pieces, never inside one. */
    char out[8];
    assert_int_equal(tg_text_visible("ab\x1b" "cd", 5, out, sizeof out), 8);
    assert_string_equal(out, "ab\\x1bc");
    assert_int_equal(tg_text_visible("abcd\x1b", 5, out, sizeof out), 8);
    assert_string_equal(out, "abcd"); /* not "abcd\x" */
    assert_int_equal(tg_text_visible("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 8,
                                     out, sizeof out), 8);
    assert_string_equal(out, "\xc3\xa9\xc3\xa9\xc3\xa9");
    assert_int_equal(tg_text_visible("x", 1, out, 0), 1);
}

static void text_repaired_to_utf8(void **state)
{
    (void)state;
#define R(s, want) expect(tg_utf8_repair, s, sizeof s - 1, want)
#define FFFD "\xef\xbf\xbd"
    R("caf\xc3\xa9 \xf0\x9f\x91\x97", "caf\xc3\xa9 \xf0\x9f\x91\x97");
    R("\x1b[2J kept", "\x1b[2J kept"); /* JSON escapes controls itself */
    R("\xe9t\xe9", FFFD "t" FFFD);
    R("\xc0\xaf", FFFD FFFD);
    R("\xed\xa0\x80", FFFD FFFD FFFD);
    R("a\0b", "a" FFFD "b");
    R("end \xf0\x9f\x91", "end " FFFD FFFD FFFD);
#undef R
#undef FFFD
}

/* The rule every text cell from a CSV or the feed follows. */
static void text_folded_or_refused(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } cases[] = {{"plain", "plain"},
                 {"two\r\nlines", "two lines"},
                 {"a\tb\n\r\nc", "a b c"},
                 {"\nlead", "lead"},
                 {"caf\xc3\xa9 \xc2\xa0", "caf\xc3\xa9 \xc2\xa0"},
                 {"esc\x1b[2J", NULL},
                 {"bell\x07", NULL},
                 {"del\x7f", NULL},
                 {"c1 \xc2\x9b" "31m", NULL},
                 {"nel\xc2\x85", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        int rc = tg_text_fold(buf);
        if (!cases[i].out) {
            assert_int_equal(rc, -1);
            continue;
        }
        assert_int_equal(rc, 0);
        assert_string_equal(buf, cases[i].out);
    }
}

static void only_regular_files_are_read(void **state)
{
    (void)state;
    char dir[256], p[320];
    tu_tmpdir(dir, sizeof dir);
    tu_write(dir, "ten.txt", "0123456789");
    snprintf(p, sizeof p, "%s/ten.txt", dir);
    tg_err err = {0};
    uint64_t size = 0;
    int fd = tg_open_input(p, 10, &size, &err);
    assert_true(fd >= 0);
    assert_int_equal(size, 10);
    close(fd);
    assert_true(tg_open_input(p, 9, NULL, &err) < 0); /* before reading */
    assert_int_equal(err.code, TG_EDATA);
    assert_non_null(strstr(err.msg, "10 bytes, more than the 9 allowed"));
    char ln[320];
    snprintf(ln, sizeof ln, "%s/link", dir);
    assert_int_equal(symlink("ten.txt", ln), 0);
    fd = tg_open_input(ln, 0, NULL, &err); /* a link to a file is a file */
    assert_true(fd >= 0);
    close(fd);
    static const struct {
        const char *name, *says;
        int code;
    } bad[] = {{"fifo", "is a pipe (FIFO), not a regular file", TG_ENOINPUT},
               {"/dev/zero", "is a character device", TG_ENOINPUT},
               {"sub", "is a folder, not a file", TG_ENOINPUT},
               {"dangling", "No such file", TG_ENOINPUT},
               {"missing", "No such file", TG_ENOINPUT},
               {"ten.txt/x", "Not a directory", TG_ENOINPUT}};
    snprintf(p, sizeof p, "%s/fifo", dir);
    assert_int_equal(mkfifo(p, 0600), 0); /* no writer: must not wait */
    snprintf(p, sizeof p, "%s/sub", dir);
    assert_int_equal(mkdir(p, 0700), 0);
    snprintf(p, sizeof p, "%s/dangling", dir);
    assert_int_equal(symlink("nowhere", p), 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (bad[i].name[0] == '/')
            snprintf(p, sizeof p, "%s", bad[i].name);
        else
            snprintf(p, sizeof p, "%s/%s", dir, bad[i].name);
        assert_true(tg_open_input(p, 0, NULL, &err) < 0);
        assert_int_equal(err.code, bad[i].code);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("%s: '%s' does not say '%s'", p, err.msg, bad[i].says);
        assert_null(tg_read_file(p, NULL, 0, &err));
        assert_null(tg_fopen_input(p, 0, &err));
    }
    /* What may be replaced: nothing there, or a regular file. */
    snprintf(p, sizeof p, "%s/new", dir);
    assert_int_equal(tg_replaceable(p, &err), TG_OK);
    snprintf(p, sizeof p, "%s/ten.txt", dir);
    assert_int_equal(tg_replaceable(p, &err), TG_OK);
    const char *refused[] = {"link", "dangling", "fifo", "sub"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, refused[i]);
        assert_int_equal(tg_replaceable(p, &err), TG_EUSAGE);
        assert_int_equal(tg_write_file_atomic(p, "x", 1, &err), TG_EUSAGE);
    }
    assert_int_equal(tg_replaceable("/dev/null", &err), TG_EUSAGE);
    assert_non_null(strstr(err.msg, "a character device"));
    /* The null device reads as an empty file. */
    fd = tg_open_input("/dev/null", 10, &size, &err);
    assert_true(fd >= 0);
    assert_int_equal(size, 0);
    close(fd);
    /* The link's target is untouched. */
    snprintf(p, sizeof p, "%s/ten.txt", dir);
    char *text = tg_read_file(p, NULL, 0, &err);
    assert_string_equal(text, "0123456789");
    free(text);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_made_visible),
        cmocka_unit_test(text_repaired_to_utf8),
        cmocka_unit_test(text_folded_or_refused),
        cmocka_unit_test(only_regular_files_are_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
