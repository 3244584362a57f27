/* Just enough of an lwIP arch for a Cortex-M build of lwIP's mem.c and memp.c, so
 * tests/bench/bench_lwip.sh can read the heap and pool sizes the board lwipopts.h gives
 * on a 32-bit target. Not a port: nothing here runs. */
#ifndef CM4_ARCH_CC_H
#define CM4_ARCH_CC_H
#include <sys/time.h>
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_INCLUDE <errno.h>
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_RAND() 4u
typedef unsigned int sys_prot_t;
#endif
