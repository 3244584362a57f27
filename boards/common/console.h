/* The serial console of the microcontroller boards (boards/esp32, boards/stm32): how the
 * API key is provisioned once, typed or pasted on the board's serial port, then kept in
 * the board's own storage (ESP32: NVS; STM32: a flash sector), never in the firmware.
 *
 *   key <API key>   store the key (the board restarts and uses it)
 *   erase-key       forget it
 *   help            the commands
 *
 * Portable: the board feeds the characters it receives and acts on the commands. Nothing
 * is echoed, so the key never appears on the terminal or in a log. */
#ifndef DFD_BOARD_CONSOLE_H
#define DFD_BOARD_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest key accepted: the request buffer (DFD_REQUEST_MAX, 640 B) holds it with the
 * request line and the other headers. */
#define DFD_API_KEY_MAX 200
#define DFD_CONSOLE_LINE_MAX (DFD_API_KEY_MAX + 16)

typedef enum {
  DFD_CMD_NONE,      /* no complete line yet (or an empty one) */
  DFD_CMD_KEY,       /* "key <API key>": *arg is the key */
  DFD_CMD_BAD_KEY,   /* "key" with nothing, or not a plausible key */
  DFD_CMD_ERASE_KEY, /* "erase-key" */
  DFD_CMD_HELP,      /* "help" or "?" */
  DFD_CMD_UNKNOWN,   /* anything else, or a line too long for the buffer */
} dfd_console_cmd;

typedef struct {
  char line[DFD_CONSOLE_LINE_MAX];
  size_t len;
  bool overflow; /* the current line did not fit: it is dropped when it ends */
} dfd_console;

/** Feeds one character received on the serial port. Returns DFD_CMD_NONE until a line
 *  ends (CR or LF; CR LF counts once), then the command it held; for DFD_CMD_KEY, *arg
 *  points to the key inside c (valid until the next call; wipe it with
 *  dfd_console_wipe once stored). Backspace and DEL remove the last character; other
 *  bytes are kept as they are (a key holding a tab, an escape or a non-ASCII byte is
 *  refused, not stored without it). */
dfd_console_cmd dfd_console_feed(dfd_console *c, char ch, const char **arg);

/** Clears the line buffer (the key in it included). */
void dfd_console_wipe(dfd_console *c);

/** True when key can be an API key: 1 to DFD_API_KEY_MAX printable ASCII characters,
 *  no spaces (it goes into an HTTP header as it is). */
bool dfd_api_key_valid(const char *key);

/** The help text (several lines, "\r\n" line ends). */
const char *dfd_console_help(void);

#endif
