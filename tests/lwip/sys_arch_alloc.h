/* Forced into lwIP's unix sys_arch.c (-include): its threads, mailboxes, semaphores and
 * mutexes come from fixed blocks in tests/lwip/lwip_host.c instead of malloc, the way an
 * RTOS with static allocation would provide them. The rest of the test stays linked with
 * the aborting allocator wrappers. */
#ifndef SYS_ARCH_ALLOC_H
#define SYS_ARCH_ALLOC_H

#include <stdlib.h>

void *lwip_host_sys_malloc(size_t n);
void lwip_host_sys_free(void *p);

#define malloc(n) lwip_host_sys_malloc(n)
#define free(p) lwip_host_sys_free(p)

#endif
