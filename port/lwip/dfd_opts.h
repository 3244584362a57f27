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

/* How the port sleeps; default sys_msleep(ms). An RTOS board may prefer e.g.
 * #define DFD_LWIP_SLEEP_MS(ms) vTaskDelay(pdMS_TO_TICKS(ms)) */

#endif
