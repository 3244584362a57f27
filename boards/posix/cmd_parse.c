/* dfdiff parse [--json] [FILE|-]: the extractor over a saved response body. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "dfd_err.h"
#include "extract.h"

int cmd_parse(int argc, char **argv) {
  bool json = false;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      puts("usage: dfdiff parse [--json] [FILE|-]\n"
           "Reads a saved response body of GET /api/v1/datadiffs/{id} (stdin when FILE is\n"
           "absent or -) and prints its status; --json prints one JSON line.");
      return 0;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      cli_error("parse: unknown option '%s' (try 'dfdiff parse --help')", argv[i]);
      return EXIT_USAGE;
    } else if (path) {
      cli_error("parse: more than one FILE given ('%s' and '%s')", path, argv[i]);
      return EXIT_USAGE;
    } else {
      path = argv[i];
    }
  }
  FILE *in = stdin;
  bool opened = false; /* fclose only what we opened: stdin stays */
  if (path && strcmp(path, "-") != 0) {
    in = fopen(path, "rb");
    if (!in) {
      cli_error("parse: cannot open '%s': %s", path, strerror(errno));
      return EXIT_USAGE;
    }
    opened = true;
  }
  static dfd_extract x;
  static dfd_status st;
  static unsigned char chunk[4096];
  dfd_extract_init(&x, &st);
  int err = DFD_OK;
  size_t n;
  while (err == DFD_OK && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
    err = dfd_extract_feed(&x, chunk, n);
  bool read_failed = ferror(in);
  if (opened)
    fclose(in);
  if (read_failed) {
    cli_error("parse: read error on '%s'", path ? path : "-");
    return EXIT_USAGE;
  }
  if (err == DFD_OK)
    err = dfd_extract_finish(&x);
  if (err != DFD_OK) {
    cli_error("parse: %s", dfd_strerror(err));
    return EXIT_API;
  }
  int code = cli_exit_for_status(&st);
  if (json)
    cli_print_json(stdout, &st);
  if (code == EXIT_API)
    cli_error("parse: the body is an API error: %s%s%s",
              st.error_title.present ? st.error_title.s : "",
              st.error_title.present && st.error_detail.present ? ": " : "",
              st.error_detail.present ? st.error_detail.s : "");
  else if (!json)
    cli_print_summary(stdout, &st);
  return code;
}
