/* The reference board: the smallest program that drives dfdiff the way a device does, so
 * that `make cross` can link it for Cortex-M4F, Cortex-M7 and RV32IMC and measure what a
 * real image costs (`make size`). It is linked, not run: the RTOS (scheduler, lwIP's
 * sys_arch), the network driver, the TRNG and the wall clock are the board's, and stay
 * undefined (tests/cross/undefined-allowed.txt lists them and who supplies each).
 *
 * The sequence is a board's: bring lwIP up (tcpip_init, a netif from the board's driver,
 * DHCP), the lwIP port, the built-in trust store in flash, a client on
 * https://app.datafold.com, one dfd_get, a watch with one dfd_watch_step, and, when the
 * renderer is built in (DFD_REF_RENDER, set by tests/cross/build.mk when
 * src/render/render.h exists), one screen drawn into a static framebuffer for the panel. */
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "dfd_err.h"
#include "dfd_lwip.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "trust.h"
#include "watch.h"

#if DFD_REF_RENDER
#include "render/render.h"
#endif

#define REF_DIFF_ID 12345
#define REF_PANEL_W 296 /* a 2.9" e-paper panel */
#define REF_PANEL_H 128

/* The board's network driver (lwIP's ethernetif skeleton names its init this way). */
err_t ethernetif_init(struct netif *netif);

#if DFD_REF_RENDER
/* The board's panel driver: sends a 1-bit framebuffer (render.h's layout) to the display. */
void board_panel_show(const uint8_t *bits, uint16_t width, uint16_t height);

/* The hook for the status display: one screen for the latest poll. */
static void show(const dfd_status *st, int err) {
  static uint8_t bits[DFD_FB_BYTES(REF_PANEL_W, REF_PANEL_H)];
  static dfd_render_qr_work qr;
  dfd_fb fb = {bits, REF_PANEL_W, REF_PANEL_H};
  dfd_render_input in = {err == DFD_OK ? st : NULL,
                         REF_DIFF_ID,
                         "https://app.datafold.com",
                         &qr,
                         dfd_render_trouble_for_err(err),
                         0,
                         -1,
                         0,
                         0,
                         0};
  if (dfd_render_status(&fb, &in) == DFD_OK)
    board_panel_show(bits, REF_PANEL_W, REF_PANEL_H);
}
#else
/* No renderer in this image (src/render/render.h absent): a board without a display. */
static void show(const dfd_status *st, int err) {
  (void)st;
  (void)err;
}
#endif

/* Everything large is static: a board keeps it off small task stacks. */
static struct netif netif;
static dfd_port port;
static dfd_client client;
static dfd_watch watch;
static dfd_status status;
static dfd_get_info info;
/* The API key: written by the board's provisioning (from its secure storage) before use. */
static char api_key[80];

static void tcpip_ready(void *arg) { sys_sem_signal((sys_sem_t *)arg); }

static void network_up(void) {
  sys_sem_t ready;
  if (sys_sem_new(&ready, 0) != ERR_OK)
    return;
  tcpip_init(tcpip_ready, &ready);
  sys_sem_wait(&ready);
  sys_sem_free(&ready);
  LOCK_TCPIP_CORE();
  netif_add(&netif, NULL, NULL, NULL, NULL, ethernetif_init, tcpip_input);
  netif_set_default(&netif);
  netif_set_up(&netif);
  dhcp_start(&netif);
  UNLOCK_TCPIP_CORE();
  while (!dhcp_supplied_address(&netif))
    sys_msleep(100);
}

int main(void);
int main(void) {
  network_up();
  dfd_lwip_port_init(&port, NULL, DFD_LOG_WARN);

  dfd_client_config cfg = {0};
  cfg.url = "https://app.datafold.com";
  cfg.api_key = api_key;
  cfg.timeout_ms = 30000;
  cfg.trust = dfd_trust_builtin_source();
  int err = dfd_client_init(&client, &port, &cfg);
  if (err == DFD_OK)
    err = dfd_get(&client, REF_DIFF_ID, &status, &info);
  show(&status, err);

  uint32_t seed = 0, delay_ms = 0;
  port.entropy(port.ctx, (uint8_t *)&seed, sizeof seed);
  dfd_poll_config policy = dfd_poll_defaults();
  dfd_watch_init(&watch, &client, REF_DIFF_ID, &policy, seed);
  if (dfd_watch_step(&watch, &status, &info, &err, &delay_ms) == DFD_WATCH_CONTINUE)
    port.sleep_ms(port.ctx, delay_ms);
  show(&status, err);
  dfd_client_free(&client);
  return err;
}

/* --- minimal startup: .data from flash, .bss zeroed, then main ----------------------- */
#if defined(__arm__)
/* From boards/reference/cortex-m.ld. */
extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];

void Reset_Handler(void);
void Reset_Handler(void) {
  /* word counts from the addresses (the linker script aligns all four to 4) */
  size_t data = ((uintptr_t)_edata - (uintptr_t)_sdata) / 4;
  size_t bss = ((uintptr_t)_ebss - (uintptr_t)_sbss) / 4;
  for (size_t i = 0; i < data; i++)
    _sdata[i] = _sidata[i];
  for (size_t i = 0; i < bss; i++)
    _sbss[i] = 0;
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11, the FPU (the code is built with -mfloat-abi=hard) */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  main();
  for (;;) {
  }
}

static void fault(void) {
  for (;;) {
  }
}

/* The initial stack pointer, then reset, NMI, HardFault; the RTOS adds SVC, PendSV and
 * SysTick, the board its interrupts. */
__attribute__((section(".isr_vector"), used)) static void (*const vectors[])(void) = {
    (void (*)(void))_estack, Reset_Handler, fault, fault};

#elif defined(__riscv)
/* From picolibc's picolibc.ld (the image is linked with it). */
extern uint8_t __data_start[], __data_source[], __bss_start[];
extern char __data_size[], __bss_size[]; /* sizes: absolute symbols */

void _start(void);
void dfd_ref_reset(void);
void dfd_ref_reset(void) {
  uint8_t *dst = __data_start;
  const uint8_t *src = __data_source;
  for (size_t i = 0; i < (size_t)__data_size; i++)
    dst[i] = src[i];
  for (size_t i = 0; i < (size_t)__bss_size; i++)
    __bss_start[i] = 0;
  main();
  for (;;) {
  }
}

/* gp for linker relaxation, the stack at the top of RAM, tp at the thread-local block
 * (picolibc's errno is thread-local), then C. */
__asm__(".section .text.init.enter, \"ax\", @progbits\n"
        ".global _start\n"
        "_start:\n"
        ".option push\n"
        ".option norelax\n"
        "  la gp, __global_pointer$\n"
        ".option pop\n"
        "  la sp, __stack\n"
        "  la tp, __tls_base\n"
        "  j dfd_ref_reset\n");
#else
#error "the reference board has startup code for Cortex-M and RISC-V only"
#endif
