/* The client's trouble states, from dfd_err codes. */
#include "dfd_err.h"
#include "render.h"

dfd_render_trouble dfd_render_trouble_for_err(int err) {
  if (err == DFD_OK)
    return DFD_TROUBLE_NONE;
  switch (err) {
  case DFD_E_API_UNAUTHORIZED:
  case DFD_E_API_FORBIDDEN:
    return DFD_TROUBLE_KEY_REJECTED;
  case DFD_E_API_NOT_FOUND:
    return DFD_TROUBLE_NOT_FOUND;
  case DFD_E_API_INVALID:
  case DFD_E_API_RATE_LIMITED:
  case DFD_E_API_SERVER:
  case DFD_E_API_REDIRECT:
  case DFD_E_API_STATUS:
    return DFD_TROUBLE_SERVER;
  default:
    break;
  }
  switch (dfd_err_class(err)) {
  case 'U':
    return DFD_TROUBLE_SETUP;
  case 'N':
    /* -70..-82: the TLS layer (handshake, certificates, protocol) */
    return err <= DFD_E_TLS_HANDSHAKE && err >= DFD_E_TLS_RETRY_TLS12 ? DFD_TROUBLE_TLS
                                                                      : DFD_TROUBLE_NO_NETWORK;
  default:
    return DFD_TROUBLE_BAD_RESPONSE;
  }
}

const char *dfd_render_trouble_name(dfd_render_trouble t) {
  switch (t) {
  case DFD_TROUBLE_NONE:
    return "ok";
  case DFD_TROUBLE_NO_NETWORK:
    return "no network";
  case DFD_TROUBLE_TLS:
    return "TLS/cert failure";
  case DFD_TROUBLE_KEY_REJECTED:
    return "key rejected";
  case DFD_TROUBLE_NOT_FOUND:
    return "diff not found";
  case DFD_TROUBLE_SERVER:
    return "server error";
  case DFD_TROUBLE_BAD_RESPONSE:
    return "bad response";
  case DFD_TROUBLE_SETUP:
    return "setup error";
  default:
    return "error";
  }
}
