/* dfdiff sizes for POSIX hosts (Linux, macOS, Raspberry Pi): see src/dfd_config.h. */
#ifndef DFD_OPTS_H
#define DFD_OPTS_H

#endif
