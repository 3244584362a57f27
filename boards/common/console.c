/* The boards' serial console: line assembly and commands (console.h). */
#include "console.h"

#include <string.h>

void dfd_console_wipe(dfd_console *c) {
  volatile char *p = c->line; /* not optimised away: it may hold a key */
  for (size_t i = 0; i < sizeof c->line; i++)
    p[i] = '\0';
  c->len = 0;
  c->overflow = false;
}

bool dfd_api_key_valid(const char *key) {
  const char *p = key;
  for (; *p != '\0'; p++)
    if ((size_t)(p - key) >= DFD_API_KEY_MAX || *p <= ' ' || *p > '~')
      return false;
  return p != key;
}

const char *dfd_console_help(void) {
  return "dfdiff console:\r\n"
         "  key <API key>   store the Datafold API key on the board, then restart\r\n"
         "  erase-key       forget the stored key\r\n"
         "  help            this text\r\n"
         "Nothing typed is echoed.\r\n";
}

static bool word(const char *s, size_t n, const char *w) {
  return strlen(w) == n && memcmp(s, w, n) == 0;
}

static dfd_console_cmd command(dfd_console *c, const char **arg) {
  char *s = c->line;
  size_t n = c->len;
  s[n] = '\0';
  while (n > 0 && s[n - 1] == ' ') /* trailing spaces */
    s[--n] = '\0';
  while (*s == ' ')
    s++;
  if (*s == '\0')
    return DFD_CMD_NONE;
  size_t w = strcspn(s, " ");
  const char *rest = s + w;
  while (*rest == ' ')
    rest++;
  if (word(s, w, "key")) {
    if (!dfd_api_key_valid(rest))
      return DFD_CMD_BAD_KEY;
    *arg = rest;
    return DFD_CMD_KEY;
  }
  if (*rest == '\0' && word(s, w, "erase-key"))
    return DFD_CMD_ERASE_KEY;
  if (*rest == '\0' && (word(s, w, "help") || word(s, w, "?")))
    return DFD_CMD_HELP;
  return DFD_CMD_UNKNOWN;
}

dfd_console_cmd dfd_console_feed(dfd_console *c, char ch, const char **arg) {
  if (arg)
    *arg = NULL;
  if (ch == '\r' || ch == '\n') {
    if (c->len == 0 && !c->overflow)
      return DFD_CMD_NONE; /* an empty line, or the LF of a CR LF */
    const char *a = NULL;
    dfd_console_cmd r = c->overflow ? DFD_CMD_UNKNOWN : command(c, &a);
    if (r != DFD_CMD_KEY)
      dfd_console_wipe(c); /* a key stays until the board has stored it */
    else {
      c->len = 0;
      if (arg)
        *arg = a;
    }
    c->overflow = false;
    return r;
  }
  if (ch == '\b' || ch == 0x7f) {
    if (c->len > 0)
      c->line[--c->len] = '\0';
    return DFD_CMD_NONE;
  }
  if (ch == '\0')
    return DFD_CMD_NONE;
  /* anything else is kept, tabs, escapes and non-ASCII bytes too: a key with one of
     them is refused whole rather than stored without it */
  if (c->len + 1 >= sizeof c->line) {
    c->overflow = true;
    return DFD_CMD_NONE;
  }
  c->line[c->len++] = ch;
  return DFD_CMD_NONE;
}
