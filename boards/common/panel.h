/* A status display's main loop, shared by the boards (boards/esp32, boards/stm32,
 * boards/rpi): several diffs on one panel, one page each, turned in turn; each diff
 * polled with the library's watch loop (src/watch.h: backoff, jitter, Retry-After,
 * transient or permanent failures) over one client; the page shown drawn by the renderer
 * (src/render/render.h) with the diff's last status and the client's trouble.
 *
 * No I/O of its own and no allocation: the board reads its wall clock, sleeps for the
 * time dfd_panel_step says, and pushes the framebuffer to its panel.
 *
 *   dfd_panel_init(&panel, &client, ids, n, &cfg);
 *   for (;;) {
 *     uint32_t wait;
 *     bool changed = dfd_panel_step(&panel, &wait);      // at most one request
 *     if (changed || a second went by)
 *       dfd_panel_draw(&panel, &fb, &qr, wall_clock_or_0), then push fb to the panel;
 *     sleep(min(wait, 1000));                            // 1 s: the "updated N s ago"
 *   }
 */
#ifndef DFD_BOARD_PANEL_H
#define DFD_BOARD_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "render/render.h"
#include "watch.h"

#ifndef DFD_PANEL_MAX_DIFFS
/* Diffs on one panel at most; each costs about 1.5 KB of dfd_panel (a dfd_status, a watch). */
#define DFD_PANEL_MAX_DIFFS 8
#endif

/* next_ms of a diff that is not polled again. */
#define DFD_PANEL_NEVER UINT64_MAX

typedef struct {
  dfd_poll_config poll;     /* each diff's backoff; poll.timeout_ms 0 = no time limit */
  uint32_t page_ms;         /* how long a page stays up when several diffs rotate */
  uint32_t retry_failed_ms; /* a permanent failure (401, 403, 404, certificate...) or an
                               expired watch is tried again, afresh, after this; 0 = never */
  const char *host;         /* the QR code's host (the app's base URL); NULL: no QR code */
} dfd_panel_config;

/** Defaults for a display: polls from 10 s growing to 60 s, no time limit, pages of 8 s,
 *  permanent failures tried again after 10 minutes, no QR host. */
dfd_panel_config dfd_panel_defaults(void);

typedef struct {
  int64_t id;
  dfd_watch watch;
  dfd_watch_state state; /* of the last poll (DFD_WATCH_CONTINUE before the first) */
  int err;               /* the last poll's failure; DFD_OK when it succeeded or none ran */
  uint32_t polls;        /* polls of this diff so far */
  bool have_status;      /* `status` holds an answer */
  dfd_status status;     /* the last status read */
  uint64_t status_ms;    /* when it was read (port clock) */
  uint64_t started_ms;   /* when the watch (re)started (port clock) */
  uint64_t next_ms;      /* when to poll next (port clock), or DFD_PANEL_NEVER */
} dfd_panel_diff;

typedef struct {
  dfd_client *client;
  const dfd_port *port;
  dfd_panel_config cfg;
  uint16_t count; /* diffs */
  uint16_t page;  /* the diff shown, 0-based */
  uint64_t page_since_ms;
  uint32_t tick; /* redraws, for the renderer's animations */
  dfd_status scratch;
  dfd_get_info info; /* of the last poll */
  dfd_panel_diff diffs[DFD_PANEL_MAX_DIFFS];
} dfd_panel;

/** Reads a comma-separated list of diff ids ("12345, 67890"; spaces around the commas
 *  allowed) into ids. Returns the count (1 to cap), or -1 when the text is empty, an item
 *  is not a decimal integer from 0 to INT64_MAX, or there are more than cap items. */
int dfd_panel_parse_ids(const char *text, int64_t *ids, size_t cap);

/** Starts watching n diffs (1 to DFD_PANEL_MAX_DIFFS; more are ignored) with an
 *  initialised client; each watch's jitter seed comes from the port's entropy. Every
 *  diff is due at once, the first page is shown. The config's strings must outlive p. */
void dfd_panel_init(dfd_panel *p, dfd_client *c, const int64_t *ids, size_t n,
                    const dfd_panel_config *cfg);

/** Does what is due at the port's clock: turns the page when its time is up, then polls
 *  the diff that has waited longest past its time, if any (one request at most: the board
 *  can redraw between requests). Out: *wait_ms, how long until something is due again
 *  (0: call again at once; UINT32_MAX: nothing is scheduled). Returns true when the
 *  screen may have changed (a poll ran or the page turned). */
bool dfd_panel_step(dfd_panel *p, uint32_t *wait_ms);

/** The diff on the page shown. */
const dfd_panel_diff *dfd_panel_current(const dfd_panel *p);

/** The renderer's input for the page shown: the diff's last status (or only its id
 *  before the first answer), the trouble of its last poll, the data's age, the elapsed
 *  time of a diff still running (from its created_at when unix_now, the board's wall
 *  clock in seconds since 1970, is known (> 0); else since its watch started), the page
 *  indicator, the QR host (qr left NULL) and the next animation tick. *in points into p. */
void dfd_panel_screen(dfd_panel *p, int64_t unix_now, dfd_render_input *in);

/** Draws the page shown into fb (dfd_panel_screen, with the QR code when qr and the
 *  config's host are given). Returns dfd_render_status's result. */
int dfd_panel_draw(dfd_panel *p, dfd_fb *fb, dfd_render_qr_work *qr, int64_t unix_now);

/** A screen for the board's own trouble before any poll (no Wi-Fi or Ethernet link yet,
 *  no API key, clock not set...): diff `id` (<0: none) with the trouble and no status. */
int dfd_panel_draw_trouble(dfd_fb *fb, int64_t id, dfd_render_trouble trouble);

/** Seconds since 1970 of an RFC 3339 time ("2024-06-03T14:21:07.512+00:00", 'Z' or an
 *  offset, fraction ignored), or -1 when the text is not one. */
int64_t dfd_panel_parse_time(const char *text);

#endif
