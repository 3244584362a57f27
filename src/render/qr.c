/* The QR code of {host}/datadiffs/{id}/overview, with qrcodegen in the caller's buffers. */
#include "qr.h"

#include <string.h>

#include "fmt.h"
#include "number.h"
#include "qrcodegen.h"

_Static_assert(DFD_RENDER_QR_VERSION_MAX >= qrcodegen_VERSION_MIN &&
                   DFD_RENDER_QR_VERSION_MAX <= qrcodegen_VERSION_MAX,
               "DFD_RENDER_QR_VERSION_MAX must be a QR code version (1 to 40)");
_Static_assert(DFD_RENDER_QR_BUF == qrcodegen_BUFFER_LEN_FOR_VERSION(DFD_RENDER_QR_VERSION_MAX),
               "DFD_RENDER_QR_BUF is qrcodegen's buffer size for DFD_RENDER_QR_VERSION_MAX");

/* True when s holds "://" (strstr pulls a kilobyte of two-way search into firmware). */
static bool has_scheme(const char *s) {
  for (; *s; s++)
    if (s[0] == ':' && s[1] == '/' && s[2] == '/')
      return true;
  return false;
}

size_t dfd_render_overview_url(char *buf, size_t cap, const char *host, int64_t id) {
  if (!buf || cap == 0)
    return 0;
  buf[0] = '\0';
  if (!host || !*host || id < 0)
    return 0;
  size_t hn = strlen(host);
  while (hn > 0 && host[hn - 1] == '/')
    hn--;
  if (hn == 0)
    return 0;
  char idtext[24];
  size_t idn = dfd_format_int64(idtext, sizeof idtext, id);
  const char *scheme = has_scheme(host) ? "" : "https://";
  /* a cut URL would point somewhere else: all or nothing */
  if (strlen(scheme) + hn + strlen("/datadiffs/") + idn + strlen("/overview") >= cap)
    return 0;
  rd_sb sb;
  rd_sb_init(&sb, buf, cap);
  rd_sb_str(&sb, scheme);
  rd_sb_mem(&sb, host, hn);
  rd_sb_str(&sb, "/datadiffs/");
  rd_sb_mem(&sb, idtext, idn);
  rd_sb_str(&sb, "/overview");
  return sb.len;
}

int rd_qr_encode(dfd_render_qr_work *work, const char *host, int64_t id) {
  size_t n = dfd_render_overview_url((char *)work->temp, sizeof work->temp, host, id);
  if (n == 0)
    return 0;
  if (!qrcodegen_encodeBinary(work->temp, n, work->code, qrcodegen_Ecc_LOW, qrcodegen_VERSION_MIN,
                              DFD_RENDER_QR_VERSION_MAX, qrcodegen_Mask_AUTO, true))
    return 0;
  return qrcodegen_getSize(work->code);
}

void rd_qr_draw(const rd_canvas *c, int x, int y, const dfd_render_qr_work *work, int scale) {
  int size = qrcodegen_getSize(work->code);
  for (int my = 0; my < size; my++)
    for (int mx = 0; mx < size; mx++)
      if (qrcodegen_getModule(work->code, mx, my))
        rd_fill(c, x + mx * scale, y + my * scale, scale, scale, 1);
}
