/* test_cast.c: tests of the session recording (cast.h, uilog.h's
 * recording): asciicast lines that stay valid JSON and valid UTF-8 with
 * hostile names and labels and characters cut between writes, markers
 * that match the events one for one with times that never go back, the
 * file rebuilt from the store byte for byte, the folder's safe file
 * names, and the errors for a session that was not recorded. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trendguard/cast.h"
#include "trendguard/uilog.h"

static const char EVIL[] = "lab\033]0;pwned\007\xff\xc2\x9b" "2J";

/* No C0 or C1 control and valid UTF-8. */
static int safe_text(const char *s)
{
    if (!tg_utf8_valid(s, strlen(s)))
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 32 || *p == 127 || (*p == 0xC2 && p[1] >= 0x80 &&
                                     p[1] < 0xA0))
            return 0;
    return 1;
}

static void output_joins_characters_cut_between_writes(void **state)
{
    (void)state;
    char carry[4];
    size_t nc = 0, len;
    char *a = cast_output("a\xc3", 2, carry, &nc, &len);
    assert_non_null(a);
    assert_string_equal(a, "a");
    assert_int_equal(nc, 1);
    char *b = cast_output("\xa9\xe2\x82", 3, carry, &nc, &len);
    assert_string_equal(b, "\xc3\xa9"); /* é; the euro sign waits */
    assert_int_equal(nc, 2);
    char *c = cast_output("\xac\xff", 2, carry, &nc, &len);
    assert_string_equal(c, "\xe2\x82\xac\xef\xbf\xbd"); /* €, U+FFFD */
    assert_int_equal(nc, 0);
    /* Only part of a character so far: nothing yet. */
    assert_null(cast_output("\xf0\x9f", 2, carry, &nc, &len));
    assert_int_equal(len, 0);
    free(a), free(b), free(c);
}

static void header_and_markers_are_safe(void **state)
{
    (void)state;
    tg_cast_header h = {100, 30, 1700000000, EVIL, "xterm\033[31m"};
    char *line = cast_header_line(&h);
    assert_non_null(line);
    assert_true(tg_utf8_valid(line, strlen(line)));
    assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(j, "version")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(j, "width")->valueint, 100);
    const char *title = cJSON_GetObjectItem(j, "title")->valuestring;
    assert_true(safe_text(title));
    assert_non_null(strstr(title, "lab\\x1b]0;pwned\\x07\\xff"));
    assert_true(safe_text(cJSON_GetObjectItem(
        cJSON_GetObjectItem(j, "env"), "TERM")->valuestring));
    cJSON_Delete(j);
    free(line);

    char big[600], label[CAST_LABEL_MAX + 1];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    memcpy(big, EVIL, sizeof EVIL - 1);
    cast_label("search", "trending", big, label, sizeof label);
    assert_true(safe_text(label));
    assert_true(strlen(label) <= CAST_LABEL_MAX);
    assert_memory_equal(label, "search lab\\x1b]0;", 16);
    cast_label("screen", "item", NULL, label, sizeof label);
    assert_string_equal(label, "screen item");

    char *ev = cast_event_line(2000042, 'm', label, strlen(label));
    assert_string_equal(ev, "[2.000042, \"m\", \"screen item\"]\n");
    free(ev);
    ev = cast_event_line(5, 'o', "\033[H\"\\", 5);
    assert_string_equal(ev, "[0.000005, \"o\", \"\\u001b[H\\\"\\\\\"]\n");
    free(ev);
}

/* ---- a recorded session -------------------------------------------------- */

/* What the terminal got, handed over when the recording asks. */
typedef struct term_out {
    tg_uilog *u;
    const char *pending;
    double at;
} term_out;

static void pull(void *ud)
{
    term_out *t = ud;
    if (t->pending)
        uilog_output(t->u, t->at, t->pending, strlen(t->pending));
    t->pending = NULL;
}

static char *slurp(const char *path)
{
    size_t n;
    tg_err err = {0};
    char *s = tg_read_file(path, &n, 0, &err);
    assert_non_null(s);
    return s;
}

/* Checks every line and returns the markers' labels joined by '|'. */
static void check_file(const char *text, char *markers, size_t n)
{
    markers[0] = 0;
    char *copy = strdup(text), *save = NULL;
    double prev = 0;
    int line = 0;
    for (char *l = strtok_r(copy, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save), line++) {
        cJSON *j = cJSON_Parse(l);
        assert_non_null(j);
        if (line > 0) {
            double t = cJSON_GetArrayItem(j, 0)->valuedouble;
            assert_true(t >= prev); /* never back */
            prev = t;
            const char *type = cJSON_GetArrayItem(j, 1)->valuestring;
            const char *data = cJSON_GetArrayItem(j, 2)->valuestring;
            assert_true(tg_utf8_valid(data, strlen(data)));
            if (strcmp(type, "m") == 0) {
                assert_true(safe_text(data));
                strncat(markers, data, n - strlen(markers) - 2);
                strcat(markers, "|");
            }
        }
        cJSON_Delete(j);
    }
    free(copy);
}

static void a_recorded_session_and_its_copy(void **state)
{
    (void)state;
    char dir[256], file[300], copy[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/s.cast", dir);
    snprintf(copy, sizeof copy, "%s/copy.cast", dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    tg_uilog *u = uilog_open(s, EVIL, &err);
    assert_non_null(u);
    uilog_add(u, "start", "trending", "before the recording");
    double t0 = tg_now_mono();
    tg_uilog_rec o = {file, NULL, 80, 24, "xterm", t0};
    assert_int_equal(uilog_record(u, &o, &err), TG_OK);
    assert_true(uilog_recording(u));
    assert_string_equal(uilog_record_path(u), file);
    term_out t = {u, NULL, 0};
    uilog_record_pull(u, pull, &t);
    /* A frame cut inside a character; a late event's output is handed
     * over before its marker; a clock that says earlier never goes back. */
    t.pending = "\033[HTrending \xe2\x96", t.at = t0 + 0.5;
    uilog_add(u, "key", "trending", "Down");
    t.pending = "\x81 caf\xc3\xa9", t.at = t0 + 0.25;
    uilog_add(u, "search", "trending", EVIL);
    uilog_resize(u, 100, 30);
    assert_int_equal(uilog_flush(u, &err), TG_OK);
    uilog_add(u, "quit", "", "q");
    t.pending = "\033[?1049l", t.at = t0 + 1;
    uilog_record_end(u);
    assert_false(uilog_recording(u));
    uilog_add(u, "after", "", "not recorded");
    uilog_free(u);

    char *text = slurp(file), markers[1024];
    check_file(text, markers, sizeof markers);
    assert_string_equal(markers,
                        "key Down|search lab\\x1b]0;pwned\\x07\\xff"
                        "\\u009b2J|quit q|");
    assert_non_null(strstr(text, "[HTrending \"]"));
    assert_non_null(strstr(text, "[0.500000, \"o\", \"\xe2\x96\x81 caf\xc3\xa9\"]"));
    assert_non_null(strstr(text, "\"r\", \"100x30\""));

    /* The store's copy is the same file. */
    int n = 0;
    assert_int_equal(uilog_cast(s, EVIL, copy, &n, &err), TG_OK);
    assert_int_equal(n, 1);
    char *again = slurp(copy);
    assert_string_equal(again, text);
    free(again);
    free(text);

    /* Not recorded, and unknown: said apart, the name made visible. */
    tg_uilog *plain = uilog_open(s, "plain", &err);
    uilog_add(plain, "key", "trending", "q");
    uilog_free(plain);
    assert_int_equal(uilog_cast(s, "plain", copy, NULL, &err), TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "'plain' was not recorded"));
    assert_int_equal(uilog_cast(s, "no\033]0;x", copy, NULL, &err),
                     TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "no session 'no\\x1b]0;x'"));
    store_close(s);
    tu_rmrf(dir);
}

static void records_into_a_folder_by_safe_names(void **state)
{
    (void)state;
    char dir[256], folder[300], want[400];
    tu_tmpdir(dir, sizeof dir);
    snprintf(folder, sizeof folder, "%s/casts/new", dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    for (int i = 1; i <= 2; i++) {
        tg_uilog *u = uilog_open(s, "../.x/\033y", &err);
        tg_uilog_rec o = {NULL, folder, 80, 24, NULL, tg_now_mono()};
        assert_int_equal(uilog_record(u, &o, &err), TG_OK);
        snprintf(want, sizeof want, "%s/_._.x__y%s.cast", folder,
                 i == 1 ? "" : "-2");
        assert_string_equal(uilog_record_path(u), want);
        uilog_free(u);
        struct stat st;
        assert_int_equal(stat(want, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    /* Two recordings of one name: the newest is written, both counted. */
    int n = 0;
    snprintf(want, sizeof want, "%s/copy.cast", dir);
    assert_int_equal(uilog_cast(s, "../.x/\033y", want, &n, &err), TG_OK);
    assert_int_equal(n, 2);
    /* A folder as --record's file: refused before anything is written. */
    tg_uilog *u = uilog_open(s, "f", &err);
    tg_uilog_rec o = {folder, NULL, 80, 24, NULL, tg_now_mono()};
    assert_int_equal(uilog_record(u, &o, &err), TG_EUSAGE);
    assert_non_null(strstr(err.msg, "a folder"));
    assert_false(uilog_recording(u));
    uilog_free(u);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(output_joins_characters_cut_between_writes),
        cmocka_unit_test(header_and_markers_are_safe),
        cmocka_unit_test(a_recorded_session_and_its_copy),
        cmocka_unit_test(records_into_a_folder_by_safe_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
