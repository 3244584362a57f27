/* The usual way: read the whole body into memory, parse it all with cJSON, look up the
 * fields. A peer for the benchmark, not project code. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
  if (!f)
    return 2;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
    return 2;
  buf[n] = 0;
  fclose(f);
  cJSON *root = cJSON_Parse(buf);
  if (!root)
    return 1;
  const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
  const cJSON *stats = cJSON_GetObjectItemCaseSensitive(root, "diff_stats");
  const cJSON *added = cJSON_GetObjectItemCaseSensitive(stats, "rows_added");
  printf("%s %g\n", cJSON_IsString(status) ? status->valuestring : "null",
         cJSON_IsNumber(added) ? added->valuedouble : -1.0);
  cJSON_Delete(root);
  free(buf);
  return 0;
}
