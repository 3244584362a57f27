/* Every size dfdiff uses, with defaults. A target overrides any of them in its own
 * dfd_opts.h (found on the include path), the way lwIP reads lwipopts.h. */
#ifndef DFD_CONFIG_H
#define DFD_CONFIG_H

#if defined(__has_include)
#if __has_include("dfd_opts.h")
#include "dfd_opts.h"
#endif
#endif

/* --- extractor ---------------------------------------------------------------- */
/* Bytes of one wanted top-level member kept for jsmn (diff_stats, the largest, needs ~600 B at
 * worst). */
#ifndef DFD_MEMBER_BUF
#define DFD_MEMBER_BUF 768
#endif
/* jsmn tokens for one wanted member. */
#ifndef DFD_MEMBER_TOKENS
#define DFD_MEMBER_TOKENS 72
#endif
/* Decoded bytes of one string copied into the member buffer; longer strings are cut.
 * Must exceed every string field of dfd_status, so a cut string is flagged there. */
#ifndef DFD_MEMBER_STRING_MAX
#define DFD_MEMBER_STRING_MAX 256
#endif
/* Deepest nesting accepted anywhere in a body (at most 64). */
#ifndef DFD_JSON_DEPTH_MAX
#define DFD_JSON_DEPTH_MAX 32
#endif
/* Longest top-level key compared against the wanted names. */
#ifndef DFD_KEY_MAX
#define DFD_KEY_MAX 24
#endif

/* --- status record string fields (bytes, including the terminating NUL) ------- */
#ifndef DFD_ENUM_TEXT_MAX
#define DFD_ENUM_TEXT_MAX 24
#endif
#ifndef DFD_KIND_MAX
#define DFD_KIND_MAX 16
#endif
#ifndef DFD_TIME_MAX
#define DFD_TIME_MAX 40
#endif
#ifndef DFD_TABLE_MAX
#define DFD_TABLE_MAX 128
#endif
#ifndef DFD_ERROR_TYPE_MAX
#define DFD_ERROR_TYPE_MAX 64
#endif
#ifndef DFD_ERROR_TEXT_MAX
#define DFD_ERROR_TEXT_MAX 200
#endif

#if DFD_JSON_DEPTH_MAX > 64 || DFD_JSON_DEPTH_MAX < 4
#error "DFD_JSON_DEPTH_MAX must be between 4 and 64"
#endif

#endif
