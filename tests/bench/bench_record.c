/* bench_record.c: merges one benchmark record into build/bench.json (a
 * JSON list of {name, value, unit, reference, reference_value, ratio}),
 * replacing a record of the same name. Used by tests/bench/run.sh.
 *
 * usage: bench_record FILE NAME VALUE UNIT [REFERENCE REFERENCE_VALUE]
 * ratio = reference_value / value: above 1 means faster (or smaller) than
 * the reference. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/util.h"

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 7) {
        fprintf(stderr, "usage: bench_record FILE NAME VALUE UNIT "
                        "[REFERENCE REFERENCE_VALUE]\n");
        return TG_EUSAGE;
    }
    double value, ref = 0;
    if (tg_parse_double(argv[3], &value) != 0 ||
        (argc == 7 && tg_parse_double(argv[6], &ref) != 0)) {
        fprintf(stderr, "bench_record: values must be numbers\n");
        return TG_EUSAGE;
    }
    tg_err err = {0};
    char *text = tg_read_file(argv[1], NULL, 0, &err);
    cJSON *list = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        list = cJSON_CreateArray();
    }
    cJSON *item;
    int i = 0;
    cJSON_ArrayForEach(item, list)
    {
        cJSON *n = cJSON_GetObjectItem(item, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, argv[2]) == 0) {
            cJSON_DeleteItemFromArray(list, i);
            break;
        }
        i++;
    }
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "name", argv[2]);
    cJSON_AddNumberToObject(r, "value", value);
    cJSON_AddStringToObject(r, "unit", argv[4]);
    if (argc == 7) {
        cJSON_AddStringToObject(r, "reference", argv[5]);
        cJSON_AddNumberToObject(r, "reference_value", ref);
        if (value > 0)
            cJSON_AddNumberToObject(r, "ratio", ref / value);
        else
            cJSON_AddNullToObject(r, "ratio");
    } else {
        cJSON_AddNullToObject(r, "reference");
        cJSON_AddNullToObject(r, "reference_value");
        cJSON_AddNullToObject(r, "ratio");
    }
    cJSON_AddItemToArray(list, r);
    char *out = cJSON_Print(list);
    cJSON_Delete(list);
    int rc = out ? tg_write_file_atomic(argv[1], out, strlen(out), &err)
                 : TG_EINTERNAL;
    free(out);
    if (rc != TG_OK)
        fprintf(stderr, "bench_record: %s\n", err.msg);
    return rc;
}
