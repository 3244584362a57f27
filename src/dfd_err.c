#include "dfd_err.h"

#include <stddef.h>

struct dfd_err_entry {
  int code;
  char class_;
  const char *msg;
};

static const struct dfd_err_entry errors[] = {
#define DFD_ERR_ROW(name, value, class, msg) {(value), #class[0], (msg)},
    DFD_ERRORS(DFD_ERR_ROW)
#undef DFD_ERR_ROW
};

static const struct dfd_err_entry *find(int err) {
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
    if (errors[i].code == err)
      return &errors[i];
  return NULL;
}

char dfd_err_class(int err) {
  const struct dfd_err_entry *e = find(err);
  return e ? e->class_ : 0;
}

const char *dfd_strerror(int err) {
  if (err == DFD_OK)
    return "success";
  const struct dfd_err_entry *e = find(err);
  return e ? e->msg : "unknown error";
}
