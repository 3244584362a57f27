/* The POSIX port: BSD sockets, poll(), getentropy(), CLOCK_MONOTONIC. */
#ifndef DFD_POSIX_H
#define DFD_POSIX_H

#include <stdio.h>

#include "port.h"

/** Fills *port with the POSIX implementation. Log lines at or below max_level go to
 *  log_file (NULL: no log). */
void dfd_posix_port_init(dfd_port *port, FILE *log_file, dfd_log_level max_level);

#endif
