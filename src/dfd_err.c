#include "dfd_err.h"

#include <stddef.h>

struct dfd_err_entry {
  int code;
  const char *msg;
};

static const struct dfd_err_entry errors[] = {
#define DFD_ERR_ROW(name, value, class, msg) {(value), (msg)},
    DFD_ERRORS(DFD_ERR_ROW)
#undef DFD_ERR_ROW
};

static const struct dfd_err_entry *find(int err) {
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    if (errors[i].code == err)
      return &errors[i];
  return NULL;
}

/* A switch without the messages: a caller that needs only the class (a board's screen)
 * does not keep the message strings in flash. */
char dfd_err_class(int err) {
  switch (err) {
#define DFD_ERR_CASE(name, value, class, msg)                                                      \
  case (value):                                                                                    \
    return #class[0];
    DFD_ERRORS(DFD_ERR_CASE)
#undef DFD_ERR_CASE
  default:
    return 0;
  }
}

const char *dfd_strerror(int err) {
  if (err == DFD_OK)
    return "success";
  const struct dfd_err_entry *e = find(err);
  return e ? e->msg : "unknown error";
}
