/* The one translation unit that compiles jsmn, in strict mode (RFC 8259 primitives). */
#define JSMN_STRICT
#include "jsmn.h"
