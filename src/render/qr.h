/* The overview page's QR code: encoding with qrcodegen into caller-provided buffers, and
 * drawing it (internal to src/render). */
#ifndef DFD_RENDER_QR_H
#define DFD_RENDER_QR_H

#include "draw.h"
#include "render.h"

/** Encodes {host}/datadiffs/{id}/overview into work->code. Returns the symbol's size in
 *  modules (21 to 41 with the default version limit), or 0 when there is no host, the id
 *  is unknown, or the URL does not fit a version DFD_RENDER_QR_VERSION_MAX symbol. */
int rd_qr_encode(dfd_render_qr_work *work, const char *host, int64_t id);

/** Draws the encoded symbol with its top-left module at (x, y), each module a
 *  scale x scale square of ink; the quiet zone is the caller's to keep clear. */
void rd_qr_draw(const rd_canvas *c, int x, int y, const dfd_render_qr_work *work, int scale);

#endif
