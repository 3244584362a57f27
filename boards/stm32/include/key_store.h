/* The API key in the last flash sector (sector 11, 0x081C0000, 256 KB in the default
 * single-bank mode; kept out of the image by STM32F767ZITx.ld), written once from the
 * serial console. Plain text in flash: set read protection (RDP level 1) so a debugger
 * cannot read it back (boards/stm32/README.md). */
#ifndef DFD_STM32_KEY_STORE_H
#define DFD_STM32_KEY_STORE_H

#include <stdbool.h>
#include <stddef.h>

/** Copies the stored key into key (cap > DFD_API_KEY_MAX). False when there is none. */
bool key_store_read(char *key, size_t cap);

/** Erases the sector and writes key. Returns 0 or -1. */
int key_store_write(const char *key);

/** Erases the sector. Returns 0 or -1. */
int key_store_erase(void);

#endif
