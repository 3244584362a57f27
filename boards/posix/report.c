/* How dfdiff shows a status and its errors, and the exit code table. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"
#include "dfd_err.h"
#include "number.h"

int cli_exit_for_error(int err) {
  switch (dfd_err_class(err)) {
  case 'U':
    return EXIT_USAGE;
  case 'N':
    return EXIT_NETWORK;
  default:
    return EXIT_API;
  }
}

int cli_exit_for_status(const dfd_status *st) { return (int)dfd_status_outcome(st); }

/* Length of the well-formed UTF-8 character at p that is not a C1 control, else 0. */
static size_t printable_utf8(const unsigned char *p) {
  unsigned c = p[0];
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (p[i] & 0x3F);
  }
  if (n == 0 || (n == 2 && cp < 0xA0) ||
      (n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0; /* C1 controls (a raw 0x9B is CSI to some terminals), overlongs, surrogates */
  return n;
}

void cli_put_safe(FILE *f, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    if (*p < 0x20 || *p == 0x7F) {
      fputc('?', f);
      p++;
    } else if (*p < 0x80) {
      fputc(*p++, f);
    } else {
      size_t n = printable_utf8(p);
      if (n == 0) {
        fputc('?', f);
        p++;
      } else {
        fwrite(p, 1, n, f);
        p += n;
      }
    }
  }
}

void cli_error(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  // va_start is just above: the analyzer loses track of it through the format attribute
  vsnprintf(line, sizeof line, fmt, ap); // NOLINT(clang-analyzer-valist.Uninitialized)
  va_end(ap);
  fputs("dfdiff: ", stderr);
  cli_put_safe(stderr, line);
  fputc('\n', stderr);
}

static void put_int(FILE *f, const dfd_int *v) {
  char b[24];
  if (v->present && dfd_format_int64(b, sizeof b, v->v))
    fputs(b, f);
  else
    fputs("?", f);
}

static void put_num(FILE *f, const dfd_num *v, double scale, int sig) {
  char b[32];
  if (!v->present)
    fputs("?", f);
  else if (v->is_int && scale == 1.0 && dfd_format_int64(b, sizeof b, v->i))
    fputs(b, f);
  else if (dfd_format_double(b, sizeof b, v->d * scale, sig))
    fputs(b, f);
}

static void put_str_field(FILE *f, const char *label, bool present, const char *s, bool truncated) {
  if (!present)
    return;
  fprintf(f, "  %-10s", label);
  cli_put_safe(f, s);
  fputs(truncated ? "...\n" : "\n", f);
}

void cli_print_summary(FILE *f, const dfd_status *st) {
  fputs("diff ", f);
  put_int(f, &st->id);
  fputs(": ", f);
  cli_put_safe(f, st->status == DFD_JOB_ABSENT ? "no status" : st->status_text);
  if (st->status == DFD_JOB_UNKNOWN)
    fputs(" (unknown status)", f);
  if (st->result != DFD_RESULT_ABSENT) {
    fputs(", result ", f);
    cli_put_safe(f, st->result_text);
    if (st->result == DFD_RESULT_UNKNOWN)
      fputs(" (unknown result)", f);
  }
  fputc('\n', f);
  if (st->table1.present || st->table2.present) {
    fputs("  tables    ", f);
    cli_put_safe(f, st->table1.present ? st->table1.s : "?");
    fputs(st->table1.truncated ? "... vs " : " vs ", f);
    cli_put_safe(f, st->table2.present ? st->table2.s : "?");
    fputs(st->table2.truncated ? "...\n" : "\n", f);
  }
  put_str_field(f, "kind", st->kind.present, st->kind.s, st->kind.truncated);
  if (st->progress.completed_steps.present || st->progress.total_steps.present) {
    fputs("  progress  ", f);
    put_int(f, &st->progress.completed_steps);
    fputs("/", f);
    put_int(f, &st->progress.total_steps);
    fputs(" steps\n", f);
  }
  if (st->stats.present) {
    fputs("  rows      +", f);
    put_int(f, &st->stats.rows_added);
    fputs(" added, -", f);
    put_int(f, &st->stats.rows_removed);
    fputs(" removed, ", f);
    put_int(f, &st->stats.diff_rows_count);
    fputs(" differing; A ", f);
    put_int(f, &st->stats.table_a_row_count);
    fputs(", B ", f);
    put_int(f, &st->stats.table_b_row_count);
    fputs("\n", f);
    if (st->stats.match_ratio.present) {
      fputs("  match     ", f);
      put_num(f, &st->stats.match_ratio, 100.0, 6);
      fputs("%\n", f);
    }
    fputs("  values    pks ", f);
    put_num(f, &st->stats.diff_pks, 1.0, 9);
    fputs(", values ", f);
    put_num(f, &st->stats.diff_values, 1.0, 9);
    fputs(", schema ", f);
    put_num(f, &st->stats.diff_schema, 1.0, 9);
    fputs(", duplicate pks ", f);
    put_num(f, &st->stats.diff_duplicate_pks, 1.0, 9);
    fputs(", null pks ", f);
    put_num(f, &st->stats.diff_null_pks, 1.0, 9);
    if (st->stats.errors.present) {
      fputs(", errors ", f);
      put_int(f, &st->stats.errors);
    }
    if (st->stats.sampled.present && st->stats.sampled.v)
      fputs(" (sampled)", f);
    fputs("\n", f);
  }
  if (st->runtime.present) {
    fputs("  runtime   ", f);
    put_num(f, &st->runtime, 1.0, 6);
    fputs(" s\n", f);
  }
  put_str_field(f, "created", st->created_at.present, st->created_at.s, false);
  put_str_field(f, "finished", st->finished_at.present, st->finished_at.s, false);
  if (st->monitor_error.present) {
    fputs("  error     ", f);
    cli_put_safe(f, st->monitor_error.type.present ? st->monitor_error.type.s : "error");
    fputs(": ", f);
    cli_put_safe(f, st->monitor_error.value.present ? st->monitor_error.value.s : "");
    fputs(st->monitor_error.value.truncated ? "...\n" : "\n", f);
  }
}

void cli_print_json(FILE *f, const dfd_status *st) {
  static char line[DFD_STATUS_JSON_MAX];
  if (dfd_status_to_json(st, line, sizeof line))
    fprintf(f, "%s\n", line);
}
