/* dfdiff render: the status display's screen as a PBM image, for a live diff or a saved
 * response body; and the image writer `watch --render` shares. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "dfd_err.h"
#include "extract.h"
#include "rfc3339.h"

static const char render_usage[] =
    "usage: dfdiff render --panel WxH --out FILE.pbm [OPTIONS] (ID | --from FILE)\n"
    "Draws the screen a status display shows for a diff into a binary PBM (P4) image:\n"
    "128x64 (SSD1306/SH1106 OLED), 296x128 (2.9\" e-paper), 250x122 (2.13\" e-paper), or\n"
    "any WxH up to 1024x1024. The image is written also when the request fails, showing\n"
    "the trouble as a panel would (\"no network\", \"key rejected\"); the exit code is get's.\n"
    "\n"
    "  --panel WxH          panel size in pixels (required)\n"
    "  --out FILE           the image to write (required): FILE.tmp, then renamed\n"
    "  --from FILE          a saved response body instead of a request ('-': stdin)\n"
    "  --timeout SECONDS    limit for the whole request (default 30)\n"
    "  --url BASE           API base URL, also the QR code's host (default $DATAFOLD_HOST\n"
    "                       or https://app.datafold.com)\n"
    "  --api-key-file PATH  read the API key from PATH (default: $DATAFOLD_API_KEY)\n"
    "  --ca-file PATH       trust the CA certificates in PATH (PEM) instead of the system's\n"
    "  --json               also print the status as one JSON line\n"
    "  --poll VALUE         pass ?poll=VALUE to the server\n"
    "  --verbose            show the exchange on stderr (never the key)\n"
    "  --insecure           do not stop on certificate problems (warns on every run)\n";

#define PANEL_MAX 1024

int cli_parse_panel(const char *text, uint16_t *w, uint16_t *h) {
  char *end;
  errno = 0;
  long pw = strtol(text, &end, 10);
  if (errno == 0 && end != text && (*end == 'x' || *end == 'X') && pw >= 1 && pw <= PANEL_MAX &&
      text[0] != '-' && text[0] != '+') {
    const char *hs = end + 1;
    long ph = strtol(hs, &end, 10);
    if (errno == 0 && end != hs && *end == '\0' && ph >= 1 && ph <= PANEL_MAX && hs[0] != '-' &&
        hs[0] != '+') {
      *w = (uint16_t)pw;
      *h = (uint16_t)ph;
      return 0;
    }
  }
  cli_error("--panel: '%s' is not a panel size WxH (1 to %d each, e.g. 128x64, 296x128)", text,
            PANEL_MAX);
  return -1;
}

int64_t cli_running_seconds(const dfd_status *st) {
  int64_t created = st && st->created_at.present ? dfd_rfc3339_seconds(st->created_at.s) : -1;
  if (created < 0)
    return -1;
  int64_t now = (int64_t)time(NULL);
  return now >= created ? now - created : -1;
}

int cli_write_image(const char *path, uint16_t w, uint16_t h, const dfd_render_input *in) {
  static uint8_t bits[DFD_FB_BYTES(PANEL_MAX, PANEL_MAX)];
  static char tmp[4096];
  dfd_fb fb = {bits, w, h};
  if (dfd_render_status(&fb, in) != DFD_OK)
    return -1;
  if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
    cli_error("--out: path too long");
    return -1;
  }
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    cli_error("cannot write '%s': %s", tmp, strerror(errno));
    return -1;
  }
  size_t n = DFD_FB_BYTES(w, h);
  bool ok = fprintf(f, "P4\n%u %u\n", (unsigned)w, (unsigned)h) > 0 && fwrite(bits, 1, n, f) == n;
  int saved = errno;
  if (fclose(f) != 0 && ok) {
    ok = false;
    saved = errno;
  }
  if (ok && rename(tmp, path) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    cli_error("cannot write '%s': %s", path, strerror(saved));
    remove(tmp);
    return -1;
  }
  return 0;
}

/* --from: the extractor over a saved body, like `dfdiff parse`. */
static int read_body(const char *path, dfd_status *st, int *err) {
  FILE *in = stdin;
  bool opened = false; /* fclose only what we opened: stdin stays */
  if (strcmp(path, "-") != 0) {
    in = fopen(path, "rb");
    if (!in) {
      cli_error("render: cannot open '%s': %s", path, strerror(errno));
      return EXIT_USAGE;
    }
    opened = true;
  }
  static dfd_extract x;
  static unsigned char chunk[4096];
  dfd_extract_init(&x, st);
  *err = DFD_OK;
  size_t n;
  while (*err == DFD_OK && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
    *err = dfd_extract_feed(&x, chunk, n);
  bool read_failed = ferror(in);
  if (opened)
    fclose(in);
  if (read_failed) {
    cli_error("render: read error on '%s'", path);
    return EXIT_USAGE;
  }
  if (*err == DFD_OK)
    *err = dfd_extract_finish(&x);
  return 0;
}

int cmd_render(int argc, char **argv) {
  static cli_session s;
  memset(&s, 0, sizeof s);
  s.cmd = "render";
  s.request_timeout_ms = 30000;
  const char *out = NULL, *from = NULL;
  uint16_t w = 0, h = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    int bad = 0;
    const char *v;
    if ((v = cli_option_value(argc, argv, &i, "--panel", &bad))) {
      if (cli_parse_panel(v, &w, &h) != 0)
        return EXIT_USAGE;
    } else if ((v = cli_option_value(argc, argv, &i, "--out", &bad))) {
      out = v;
    } else if ((v = cli_option_value(argc, argv, &i, "--from", &bad))) {
      from = v;
    } else if ((v = cli_option_value(argc, argv, &i, "--timeout", &bad))) {
      if (cli_parse_seconds(v, "--timeout", &s.request_timeout_ms) != 0)
        return EXIT_USAGE;
      if (s.request_timeout_ms == 0) {
        cli_error("--timeout must be more than 0");
        return EXIT_USAGE;
      }
    } else if (bad) {
      return EXIT_USAGE;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(render_usage, stdout);
      return 0;
    } else if (cli_session_option(&s, argc, argv, &i) < 0) {
      return EXIT_USAGE;
    }
  }
  if (!w || !out || !*out) {
    cli_error("render: %s is required (try 'dfdiff render --help')", !w ? "--panel" : "--out");
    return EXIT_USAGE;
  }
  if (from && s.id_text) {
    cli_error("render: give an ID or --from FILE, not both");
    return EXIT_USAGE;
  }
  int64_t id = -1;
  if (s.id_text && cli_parse_id(s.id_text, &id) != 0)
    return EXIT_USAGE;
  if (!from && !s.id_text) {
    cli_error("render: missing ID or --from FILE (try 'dfdiff render --help')");
    return EXIT_USAGE;
  }
  static dfd_status st;
  static dfd_render_qr_work qr;
  char url_buf[300];
  dfd_render_input in = {NULL,
                         id,
                         s.url ? s.url : cli_default_url(url_buf, sizeof url_buf),
                         &qr,
                         DFD_TROUBLE_NONE,
                         0,
                         -1,
                         0,
                         0,
                         0};
  char what[48];
  int err = DFD_OK, code;
  if (from) {
    snprintf(what, sizeof what, "render");
    code = read_body(from, &st, &err);
    if (code != 0)
      return code;
    struct stat sb; /* the data is as old as the file */
    if (strcmp(from, "-") != 0 && stat(from, &sb) == 0 && time(NULL) >= sb.st_mtime)
      in.age_s = (int64_t)(time(NULL) - sb.st_mtime);
    if (err != DFD_OK)
      cli_error("render: %s", dfd_strerror(err));
  } else {
    snprintf(what, sizeof what, "render %" PRId64, id);
    code = cli_session_open(&s);
    if (code != 0) {
      cli_session_close(&s);
      in.trouble = DFD_TROUBLE_SETUP;
      cli_write_image(out, w, h, &in);
      return code;
    }
    dfd_get_info info;
    err = dfd_get(&s.client, s.id, &st, &info);
    if (s.verbose)
      cli_verbose(&s.client, s.id, &info);
    if (s.insecure && info.verify_flags)
      cli_error("warning: certificate problems ignored (--insecure): flags 0x%x",
                (unsigned)info.verify_flags);
    if (err != DFD_OK)
      cli_report_failure(what, err, &s.client, &info);
    cli_session_close(&s);
  }
  if (err == DFD_OK) {
    in.status = &st;
    in.elapsed_s = from ? -1 : cli_running_seconds(&st);
  } else {
    in.trouble = dfd_render_trouble_for_err(err);
  }
  if (cli_write_image(out, w, h, &in) != 0)
    return EXIT_USAGE;
  if (err != DFD_OK)
    return cli_exit_for_error(err);
  code = cli_exit_for_status(&st);
  if (code == EXIT_API)
    cli_error("%s: the %s is an API error body", what, from ? "body" : "answer");
  else if (s.json)
    cli_print_json(stdout, &st);
  return code;
}
