/* The boards' serial console (boards/common/console.c): lines from single characters,
 * the key command and what counts as a key, editing, overlong lines, wiping. The board
 * file is compiled into this test. */
#include <string.h>

#include "../boards/common/console.c"
#include "test.h"

static dfd_console con;

/* Feeds a whole string; returns the last command other than NONE (NONE if there was
 * none), with *arg from that call. */
static dfd_console_cmd feed(const char *s, const char **arg) {
  dfd_console_cmd last = DFD_CMD_NONE;
  *arg = NULL;
  for (; *s; s++) {
    const char *a = NULL;
    dfd_console_cmd r = dfd_console_feed(&con, *s, &a);
    if (r != DFD_CMD_NONE) {
      last = r;
      *arg = a;
    }
  }
  return last;
}

static void commands(void) {
  const char *arg;
  dfd_console_wipe(&con);
  CHECK(feed("key dfk_abc123XYZ\r", &arg) == DFD_CMD_KEY && strcmp(arg, "dfk_abc123XYZ") == 0);
  CHECK(feed("\n", &arg) == DFD_CMD_NONE); /* the LF of CR LF */
  CHECK(feed("  key   spaced-key  \n", &arg) == DFD_CMD_KEY && strcmp(arg, "spaced-key") == 0);
  CHECK(feed("erase-key\r\n", &arg) == DFD_CMD_ERASE_KEY);
  CHECK(feed("help\n", &arg) == DFD_CMD_HELP);
  CHECK(feed("?\n", &arg) == DFD_CMD_HELP);
  CHECK(feed("reboot\n", &arg) == DFD_CMD_UNKNOWN);
  CHECK(feed("erase-key now\n", &arg) == DFD_CMD_UNKNOWN);
  CHECK(feed("keys abc\n", &arg) == DFD_CMD_UNKNOWN);
  CHECK(feed("\r\n\r\n   \n", &arg) == DFD_CMD_NONE);
  CHECK(feed("key\n", &arg) == DFD_CMD_BAD_KEY);
  CHECK(feed("key two words\n", &arg) == DFD_CMD_BAD_KEY);
  CHECK(strstr(dfd_console_help(), "key <API key>") != NULL);
}

static void editing_and_noise(void) {
  const char *arg;
  dfd_console_wipe(&con);
  CHECK(feed("kez\bx\x7f"
             "y abc\x7f\x7f"
             "XY\n",
             &arg) == DFD_CMD_KEY &&
        strcmp(arg, "aXY") == 0);
  CHECK(feed("\b\b\bhelp\n", &arg) == DFD_CMD_HELP); /* backspace on an empty line */
  /* a byte that cannot be in a key makes the key refused, not shortened */
  CHECK(feed("key caf\xc3\xa9\n", &arg) == DFD_CMD_BAD_KEY);
  CHECK(feed("key ab\x1b[Dc\n", &arg) == DFD_CMD_BAD_KEY); /* an arrow key */
  CHECK(feed("he\x1b"
             "lp\n",
             &arg) == DFD_CMD_UNKNOWN);
  CHECK(feed("help\t\n", &arg) == DFD_CMD_UNKNOWN);
  CHECK(dfd_console_feed(&con, '\0', &arg) == DFD_CMD_NONE); /* NUL bytes are line noise */
  CHECK(feed("help\n", &arg) == DFD_CMD_HELP);
}

static void long_lines(void) {
  const char *arg;
  char line[DFD_CONSOLE_LINE_MAX + 64];
  dfd_console_wipe(&con);
  /* the longest key accepted */
  memcpy(line, "key ", 4);
  memset(line + 4, 'k', DFD_API_KEY_MAX);
  strcpy(line + 4 + DFD_API_KEY_MAX, "\n");
  CHECK(feed(line, &arg) == DFD_CMD_KEY && strlen(arg) == DFD_API_KEY_MAX);
  /* one more character: not a key */
  memset(line + 4, 'k', DFD_API_KEY_MAX + 1);
  strcpy(line + 4 + DFD_API_KEY_MAX + 1, "\n");
  CHECK(feed(line, &arg) == DFD_CMD_BAD_KEY);
  /* longer than the buffer: dropped whole, and the next line is clean */
  memset(line, 'x', sizeof line - 2);
  line[sizeof line - 2] = '\n';
  line[sizeof line - 1] = '\0';
  CHECK(feed(line, &arg) == DFD_CMD_UNKNOWN);
  CHECK(feed("help\n", &arg) == DFD_CMD_HELP);
}

static void keys(void) {
  CHECK(dfd_api_key_valid("a"));
  CHECK(dfd_api_key_valid("dfk_0123456789abcdef~!@#$%^&*()_+{}|:<>?"));
  CHECK(!dfd_api_key_valid(""));
  CHECK(!dfd_api_key_valid("a b"));
  CHECK(!dfd_api_key_valid("a\tb"));
  CHECK(!dfd_api_key_valid("a\r\nX-Injected: 1"));
  CHECK(!dfd_api_key_valid("\x7f"));
  CHECK(!dfd_api_key_valid("caf\xc3\xa9"));
}

static void wiping(void) {
  const char *arg;
  dfd_console_wipe(&con);
  CHECK(feed("key secret-key-value\n", &arg) == DFD_CMD_KEY);
  CHECK(strstr(con.line, "secret-key-value") != NULL); /* there until the board stores it */
  dfd_console_wipe(&con);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof con.line; i++)
    nonzero += con.line[i] != 0;
  CHECK(nonzero == 0 && con.len == 0);
  /* other commands leave no trace of their line */
  CHECK(feed("help\n", &arg) == DFD_CMD_HELP);
  nonzero = 0;
  for (size_t i = 0; i < sizeof con.line; i++)
    nonzero += con.line[i] != 0;
  CHECK(nonzero == 0);
}

int main(void) {
  RUN(commands);
  RUN(editing_and_noise);
  RUN(long_lines);
  RUN(keys);
  RUN(wiping);
  T_EXIT();
}
