/* lwIP's arch/sys_arch.h as an RTOS port supplies it: opaque handles, as most RTOS ports
 * (FreeRTOS, Zephyr, ThreadX) have them. The functions (sys_sem_new, sys_mbox_post,
 * sys_thread_new, sys_arch_protect, sys_now...) are the RTOS port's sys_arch.c, which the
 * reference images do not compile: they stay undefined. */
#ifndef DFD_CROSS_ARCH_SYS_ARCH_H
#define DFD_CROSS_ARCH_SYS_ARCH_H

typedef void *sys_sem_t;
typedef void *sys_mutex_t;
typedef void *sys_mbox_t;
typedef void *sys_thread_t;

#define SYS_MBOX_NULL NULL
#define SYS_SEM_NULL NULL
#define sys_sem_valid(s) (*(s) != NULL)
#define sys_sem_set_invalid(s) (*(s) = NULL)
#define sys_mutex_valid(m) (*(m) != NULL)
#define sys_mutex_set_invalid(m) (*(m) = NULL)
#define sys_mbox_valid(m) (*(m) != NULL)
#define sys_mbox_set_invalid(m) (*(m) = NULL)

#endif
