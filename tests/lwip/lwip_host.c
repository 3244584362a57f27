/* lwIP's unix port in one process: tcpip_init, the board hooks, and fixed blocks for
 * sys_arch (see sys_arch_alloc.h). */
#include "lwip_host.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "dfd_lwip.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"

/* --- static blocks for the RTOS layer ------------------------------------------------ */
/* sys_arch.c allocates a struct sys_mbox (an array of 128 pointers, 1064 B on x86-64) per
 * mailbox and small structs (semaphores ~100 B, mutexes, thread records) otherwise. */
#define SMALL_SIZE 128
#define SMALL_COUNT 256
#define LARGE_SIZE 1152
#define LARGE_COUNT 24

typedef union block_small {
  union block_small *next;
  max_align_t align;
  unsigned char bytes[SMALL_SIZE];
} block_small;
typedef union block_large {
  union block_large *next;
  max_align_t align;
  unsigned char bytes[LARGE_SIZE];
} block_large;

static block_small small_blocks[SMALL_COUNT];
static block_large large_blocks[LARGE_COUNT];
static block_small *small_free;
static block_large *large_free;
static size_t small_used, small_peak, large_used, large_peak, next_small, next_large;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

void *lwip_host_sys_malloc(size_t n) {
  void *p = NULL;
  pthread_mutex_lock(&blocks_lock);
  if (n <= SMALL_SIZE) {
    if (small_free) {
      p = small_free;
      small_free = small_free->next;
    } else if (next_small < SMALL_COUNT) {
      p = &small_blocks[next_small++];
    }
    if (p && ++small_used > small_peak)
      small_peak = small_used;
  } else if (n <= LARGE_SIZE) {
    if (large_free) {
      p = large_free;
      large_free = large_free->next;
    } else if (next_large < LARGE_COUNT) {
      p = &large_blocks[next_large++];
    }
    if (p && ++large_used > large_peak)
      large_peak = large_used;
  }
  pthread_mutex_unlock(&blocks_lock);
  if (!p) {
    fprintf(stderr, "not ok - sys_arch blocks exhausted (%zu bytes asked)\n", n);
    fflush(NULL);
    abort();
  }
  return p;
}

void lwip_host_sys_free(void *p) {
  if (!p)
    return;
  pthread_mutex_lock(&blocks_lock);
  unsigned char *b = p;
  if (b >= (unsigned char *)small_blocks && b < (unsigned char *)(small_blocks + SMALL_COUNT)) {
    block_small *s = p;
    s->next = small_free;
    small_free = s;
    small_used--;
  } else {
    block_large *l = p;
    l->next = large_free;
    large_free = l;
    large_used--;
  }
  pthread_mutex_unlock(&blocks_lock);
}

void lwip_host_sys_stats(size_t *s_peak, size_t *s_total, size_t *l_peak, size_t *l_total) {
  pthread_mutex_lock(&blocks_lock);
  *s_peak = small_peak;
  *l_peak = large_peak;
  pthread_mutex_unlock(&blocks_lock);
  *s_total = SMALL_COUNT;
  *l_total = LARGE_COUNT;
}

/* --- board hooks ---------------------------------------------------------------------- */
int dfd_lwip_entropy_hook(uint8_t *buf, size_t n) {
  while (n > 0) {
    ssize_t r = getrandom(buf, n, 0);
    if (r < 0)
      return -1; /* EINTR included: the caller fails the handshake, which is fine here */
    buf += r;
    n -= (size_t)r;
  }
  return 0;
}

void lwip_host_log(dfd_log_level level, const char *msg) {
  printf("# dfdiff log %d: %s\n", (int)level, msg);
}

/* --- stack ------------------------------------------------------------------------------ */
static void tcpip_ready(void *arg) { sys_sem_signal((sys_sem_t *)arg); }

int lwip_host_start(void) {
  sys_sem_t ready;
  if (sys_sem_new(&ready, 0) != ERR_OK)
    return -1;
  tcpip_init(tcpip_ready, &ready); /* asynchronous: the stack is up when the callback ran */
  sys_sem_wait(&ready);
  sys_sem_free(&ready);
  return 0;
}
