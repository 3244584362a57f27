/* dfdiff: where a Datafold data diff stands, from the command line. */
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: dfdiff COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  watch [OPTIONS] ID        poll a diff until it finishes ('dfdiff watch --help')\n"
    "  get [OPTIONS] ID          fetch a diff's status once ('dfdiff get --help')\n"
    "  parse [--json] [FILE|-]   read a saved response body and print the diff's status\n"
    "  render --panel WxH --out FILE.pbm (ID | --from FILE)\n"
    "                            draw a status display's screen ('dfdiff render --help')\n"
    "\n"
    "Options:\n"
    "  -h, --help       this help (also 'dfdiff COMMAND --help')\n"
    "  -V, --version    print the version\n"
    "\n"
    "Exit codes: 0 done and identical (or empty), 1 done and different, 2 failed or\n"
    "cancelled (or result error), 3 not finished yet, 4 usage or configuration error,\n"
    "5 network or TLS error, 6 API error or invalid response.\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
    printf("dfdiff %s\n", DFD_VERSION);
    return 0;
  }
  if (strcmp(cmd, "parse") == 0)
    return cmd_parse(argc - 1, argv + 1);
  if (strcmp(cmd, "get") == 0)
    return cmd_get(argc - 1, argv + 1);
  if (strcmp(cmd, "watch") == 0)
    return cmd_watch(argc - 1, argv + 1);
  if (strcmp(cmd, "render") == 0)
    return cmd_render(argc - 1, argv + 1);
  cli_error("unknown command '%s' (try 'dfdiff --help')", cmd);
  return EXIT_USAGE;
}
