/* The API key in flash sector 11 (key_store.h). */
#include "key_store.h"

#include <string.h>

#include "../../common/console.h"
#include "board.h"

#define KEY_SECTOR FLASH_SECTOR_11
#define KEY_ADDR 0x081C0000u
#define KEY_MAGIC 0x314B4644u /* "DFK1" */

typedef struct {
  uint32_t magic;
  uint32_t len;
  char key[(DFD_API_KEY_MAX + 4) & ~3u];
  uint32_t check; /* FNV-1a of the key: a half-written record does not count */
} key_record;

static uint32_t fnv1a(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

bool key_store_read(char *key, size_t cap) {
  const key_record *r = (const key_record *)KEY_ADDR;
  if (r->magic != KEY_MAGIC || r->len == 0 || r->len > DFD_API_KEY_MAX || r->len >= cap ||
      r->check != fnv1a(r->key, r->len))
    return false;
  memcpy(key, r->key, r->len);
  key[r->len] = '\0';
  return dfd_api_key_valid(key);
}

static int erase(void) {
  FLASH_EraseInitTypeDef e = {0};
  uint32_t bad = 0;
  e.TypeErase = FLASH_TYPEERASE_SECTORS;
  e.Sector = KEY_SECTOR;
  e.NbSectors = 1;
  e.VoltageRange = FLASH_VOLTAGE_RANGE_3;
  return HAL_FLASHEx_Erase(&e, &bad) == HAL_OK ? 0 : -1;
}

int key_store_erase(void) {
  HAL_FLASH_Unlock();
  int r = erase();
  HAL_FLASH_Lock();
  return r;
}

int key_store_write(const char *key) {
  static key_record rec;
  size_t n = strlen(key);
  if (n == 0 || n > DFD_API_KEY_MAX)
    return -1;
  memset(&rec, 0xFF, sizeof rec);
  rec.magic = KEY_MAGIC;
  rec.len = (uint32_t)n;
  memcpy(rec.key, key, n);
  rec.check = fnv1a(key, n);
  HAL_FLASH_Unlock();
  int r = erase();
  const uint32_t *words = (const uint32_t *)(const void *)&rec;
  for (size_t i = 0; r == 0 && i < sizeof rec / 4; i++)
    if (HAL_FLASH_Program(FLASH_TYPEPROGRAM_WORD, KEY_ADDR + 4u * i, words[i]) != HAL_OK)
      r = -1;
  HAL_FLASH_Lock();
  memset(&rec, 0, sizeof rec); /* the key's copy in RAM */
  return r;
}
