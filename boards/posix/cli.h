/* The dfdiff command: shared pieces of its subcommands. */
#ifndef DFD_CLI_H
#define DFD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "dfd_posix.h"
#include "dfd_status.h"
#include "posix_trust.h"
#include "render/render.h"

/* Exit codes: the one table of the whole tool (README "Exit codes"). */
enum {
  EXIT_SAME = 0,
  EXIT_DIFFERS = 1,
  EXIT_FAILED = 2,
  EXIT_PENDING = 3,
  EXIT_USAGE = 4,
  EXIT_NETWORK = 5,
  EXIT_API = 6,
};

/** Exit code for a dfd_err code (usage 4, network/TLS 5, API/invalid response 6). */
int cli_exit_for_error(int err);

/** Exit code for a status that was read successfully. */
int cli_exit_for_status(const dfd_status *st);

/** Prints "dfdiff: " and the message to stderr, with control characters neutralised. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Writes s to f with terminal control characters (C0, DEL, C1) replaced by '?'. */
void cli_put_safe(FILE *f, const char *s);

/** The human summary of a status, several lines. */
void cli_print_summary(FILE *f, const dfd_status *st);

/** The one-line JSON object of --json, with a newline. */
void cli_print_json(FILE *f, const dfd_status *st);

/** "--opt VALUE" or "--opt=VALUE" at argv[*i]: the value (advancing *i), or NULL when
 *  argv[*i] is another option; *bad set when the value is missing. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, int *bad);
int cli_parse_seconds(const char *text, const char *name, uint32_t *ms);
int cli_parse_id(const char *text, int64_t *id);
int cli_load_key(const char *path, char *key, size_t cap);
const char *cli_default_url(char *buf, size_t cap);

/** One line on stderr naming what failed (DNS, refused, timeout phase, certificate
 *  check, HTTP status with the server's message...). */
void cli_report_failure(const char *what, int err, const dfd_client *c, const dfd_get_info *info);
/** --verbose: the exchange on stderr, the key redacted. */
void cli_verbose(const dfd_client *c, int64_t id, const dfd_get_info *info);

/* The connection part of `get` and `watch`. */
typedef struct {
  const char *cmd; /* "get", "watch": for messages */
  const char *url, *ca_file, *key_file, *poll, *id_text;
  bool json, verbose, insecure;
  uint32_t request_timeout_ms;
  int64_t id;
  char key[512];
  char url_buf[300];
  char proxy_host[DFD_HOST_MAX];
  uint16_t proxy_port;
  bool https, open;
  dfd_port port;
  dfd_posix_trust trust;
  dfd_client client;
} cli_session;

/** Takes a shared option (or the ID) at argv[*i]: 1 taken, -1 usage error (said). */
int cli_session_option(cli_session *s, int argc, char **argv, int *i);
/** Loads the key, finds the proxy, opens the trust bundle, prepares the client.
 *  Returns 0 or an exit code (the error said). */
int cli_session_open(cli_session *s);
/** Ends the connection politely and wipes the key. */
void cli_session_close(cli_session *s);

/* The status display's image, for `render` and `watch --render`. */
/** "296x128" into *w, *h (1 to 1024 each); -1 (said) when it is not a panel size. */
int cli_parse_panel(const char *text, uint16_t *w, uint16_t *h);
/** Seconds since the diff's created_at, by this machine's clock; -1 when unknown. */
int64_t cli_running_seconds(const dfd_status *st);
/** Renders `in` on a w x h panel and writes it as a binary PBM to path (through path.tmp,
 *  renamed: a reader never sees half an image). Returns 0, or -1 (said). */
int cli_write_image(const char *path, uint16_t w, uint16_t h, const dfd_render_input *in);

int cmd_parse(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_render(int argc, char **argv);

#endif
