/* dfdiff sizes for lwIP targets (microcontrollers): see src/dfd_config.h. Each is
 * #ifndef-guarded, so a board's own dfd_opts.h or a -D wins. */
#ifndef DFD_OPTS_H
#define DFD_OPTS_H

/* The TLS pool. Its largest measured 32-bit peak with the devices' mbedTLS set and the
 * roots parsed in place is 36.2 KB: TLS 1.3 with a Let's Encrypt shaped chain (RSA-2048
 * leaf and intermediate under the RSA-4096 ISRG Root X1; `make bench`, README.md
 * "Transport"). Real leaf certificates are larger than the test ones (embedded SCTs, more
 * names) and the peer's chain stays in the pool for the connection's life: 44 KB leaves
 * 7.8 KB for that. */
#ifndef DFD_TLS_POOL_SIZE
#define DFD_TLS_POOL_SIZE (44 * 1024)
#endif

/* The trust store is DER in flash (dfd_trust_builtin, or a board's own), read in place:
 * no PEM decoding and no 3 KB copy buffer. A board that reads its roots through another
 * reader, or as PEM, sets its own maximum (src/trust.h). */
#ifndef DFD_TRUST_DER_MAX
#define DFD_TRUST_DER_MAX 0
#endif

/* The number parser's floating-point fast path (src/number.c) only where the FPU does
 * doubles (Cortex-M7's FPv5-D16, RISC-V's D extension): on a Cortex-M4 (single-precision
 * FPU) or an RV32IMC it would link up to 2 KB of soft-float code for a speed-up a status
 * poll does not need. The digit path alone gives the same exact results
 * (tests/test_number_digits.c). */
#ifndef DFD_NUMBER_FAST_PATH
#if (defined(__ARM_FP) && (__ARM_FP & 8)) || (defined(__riscv_flen) && __riscv_flen >= 64)
#define DFD_NUMBER_FAST_PATH 1
#else
#define DFD_NUMBER_FAST_PATH 0
#endif
#endif

/* How the port sleeps; default sys_msleep(ms). An RTOS board may prefer e.g.
 * #define DFD_LWIP_SLEEP_MS(ms) vTaskDelay(pdMS_TO_TICKS(ms)) */

#endif
