/* Replays inputs through the fuzz harness bodies without libFuzzer: part of `make test`.
 *
 *   fuzz_replay                     every file under tests/fuzz/regressions/<target>/, then
 *                                   the test fixtures through the extract and errbody harnesses
 *                                   (fuzz_replay_small: extract_small, the small-buffer build)
 *   fuzz_replay [-t TARGET] FILE... these files (the target defaults to the parent directory's
 *                                   name, as in regressions/<target>/FILE)
 *
 * Each input runs in a child process, so a crash (a failed check, or ASan/UBSan when built
 * with them) is one "not ok" line with its reason above it, and the rest still run. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

#ifdef FUZZ_SMALL /* the extractor built with small buffers (build.mk) */
int fuzz_extract_small(const uint8_t *data, size_t size);
static const struct {
  const char *name;
  int (*fn)(const uint8_t *, size_t);
} targets[] = {{"extract_small", fuzz_extract_small}};
#define FIXTURE_EXTRACT "extract_small"
#else
int fuzz_http(const uint8_t *data, size_t size);
int fuzz_extract(const uint8_t *data, size_t size);
int fuzz_errbody(const uint8_t *data, size_t size);
int fuzz_trust(const uint8_t *data, size_t size);
int fuzz_number(const uint8_t *data, size_t size);
#ifdef FUZZ_HAVE_RENDER
int fuzz_render(const uint8_t *data, size_t size);
#endif

static const struct {
  const char *name;
  int (*fn)(const uint8_t *, size_t);
} targets[] = {
    {"http", fuzz_http},     {"extract", fuzz_extract}, {"errbody", fuzz_errbody},
    {"trust", fuzz_trust},   {"number", fuzz_number},
#ifdef FUZZ_HAVE_RENDER
    {"render", fuzz_render},
#endif
};
#define FIXTURE_EXTRACT "extract"
#define FIXTURE_ERRBODY "errbody"
#endif
#define NTARGETS (sizeof targets / sizeof targets[0])

static uint8_t input[1 << 20];
static uint8_t framed[(1 << 20) + 8];

static int find_target(const char *name) {
  for (size_t i = 0; i < NTARGETS; i++)
    if (strcmp(targets[i].name, name) == 0)
      return (int)i;
  return -1;
}

static long read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  size_t n = fread(input, 1, sizeof input, f);
  int bad = ferror(f) || !feof(f);
  fclose(f);
  return bad ? -1 : (long)n;
}

/* Runs fn in a child; returns 0 when it came back, else prints why and returns 1. */
static int run_child(void (*fn)(void *), void *arg, const char *what) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    printf("not ok - %s: fork failed\n", what);
    return 1;
  }
  if (pid == 0) {
    alarm(120);
    fn(arg);
    fflush(NULL);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    ;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return 0;
  if (WIFSIGNALED(status))
    printf("#   %s: killed by signal %d%s\n", what, WTERMSIG(status),
           WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
  else
    printf("#   %s: exit status %d\n", what, WEXITSTATUS(status));
  return 1;
}

typedef struct {
  int target;
  size_t size;
} one_arg;

static void run_one(void *p) {
  one_arg *a = p;
  targets[a->target].fn(input, a->size);
}

static int replay_file(int target, const char *path, const char *label) {
  long n = read_file(path);
  if (n < 0) {
    printf("not ok - replay %s: cannot read %s\n", label, path);
    return 1;
  }
  one_arg a = {target, (size_t)n};
  int bad = run_child(run_one, &a, label);
  printf("%s - replay %s (%ld bytes)\n", bad ? "not ok" : "ok", label, n);
  return bad;
}

/* Names of the regular files in dir, sorted (static storage). */
static char names[4096][256];
static int by_name(const void *a, const void *b) { return strcmp(a, b); }
static int list_dir(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d)
    return -1;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < (int)(sizeof names / sizeof names[0])) {
    if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof names[0])
      continue;
    strcpy(names[n++], e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], by_name);
  return n;
}

/* a/b into out (cap bytes); false when it does not fit. */
static bool join(char *out, size_t cap, const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na + 1 + nb + 1 > cap)
    return false;
  memcpy(out, a, na);
  out[na] = '/';
  memcpy(out + na + 1, b, nb + 1);
  return true;
}

static int replay_regressions(void) {
  int bad = 0, files = 0;
  for (size_t t = 0; t < NTARGETS; t++) {
    char dir[512], path[1024], label[512];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions/%s", FUZZ_ROOT, targets[t].name);
    int n = list_dir(dir);
    for (int i = 0; i < n; i++) {
      if (!join(path, sizeof path, dir, names[i]) ||
          !join(label, sizeof label, targets[t].name, names[i])) {
        printf("not ok - replay %s/%s: path too long\n", targets[t].name, names[i]);
        bad++;
        continue;
      }
      bad += replay_file((int)t, path, label);
      files++;
    }
  }
  if (files == 0)
    printf("ok - no fuzz regressions to replay\n");
  return bad;
}

/* A fixture body, framed for a harness: prefix bytes then the body. */
typedef struct {
  size_t size;
} fixture_arg;

static void run_fixture(void *p) {
  fixture_arg *a = p;
  /* extract: 3 splitter bytes (fuzz.h): whole, byte by byte, 2..64-byte pieces */
  static const uint8_t extract_prefix[][3] = {{7, 0, 0}, {0, 1, 2}, {0x0D, 7, 9}, {5, 3, 3}};
  /* errbody: status selector, framing, splitter */
  static const uint8_t errbody_prefix[][5] = {
      {0, 0, 7, 0, 0}, {7, 1, 5, 1, 1}, {9, 2, 1, 0, 0}, {11, 5, 0x0E, 2, 3}, {5, 9, 6, 4, 4}};
  int fx = find_target(FIXTURE_EXTRACT);
  for (size_t i = 0; i < sizeof extract_prefix / sizeof extract_prefix[0]; i++) {
    memcpy(framed, extract_prefix[i], 3);
    memcpy(framed + 3, input, a->size);
    targets[fx].fn(framed, a->size + 3);
  }
#ifdef FIXTURE_ERRBODY
  int fe = find_target(FIXTURE_ERRBODY);
  for (size_t i = 0; i < sizeof errbody_prefix / sizeof errbody_prefix[0]; i++) {
    memcpy(framed, errbody_prefix[i], 5);
    memcpy(framed + 5, input, a->size);
    targets[fe].fn(framed, a->size + 5);
  }
#else
  (void)errbody_prefix;
#endif
}

static int replay_fixtures(const char *sub) {
  char dir[512], path[1024], label[512];
  snprintf(dir, sizeof dir, "%s/tests/fixtures%s", FUZZ_ROOT, sub);
  int n = list_dir(dir), bad = 0, done = 0;
  static char copy[4096][256];
  if (n < 0) {
    printf("ok - no fixtures in %s # SKIP\n", dir);
    return 0;
  }
  memcpy(copy, names, sizeof copy);
  for (int i = 0; i < n; i++) {
    size_t len = strlen(copy[i]);
    if (len < 5 || strcmp(copy[i] + len - 5, ".json") != 0)
      continue;
    long size = join(path, sizeof path, dir, copy[i]) ? read_file(path) : -1;
    snprintf(label, sizeof label, "fixtures%s/%.200s", sub, copy[i]);
    if (size < 0) {
      printf("#   cannot read %s\n", path);
      bad++;
      continue;
    }
    fixture_arg a = {(size_t)size};
    bad += run_child(run_fixture, &a, label);
    done++;
  }
#ifdef FIXTURE_ERRBODY
  const char *through = FIXTURE_EXTRACT " and " FIXTURE_ERRBODY " harnesses";
#else
  const char *through = FIXTURE_EXTRACT " harness";
#endif
  printf("%s - tests/fixtures%s/*.json (%d files) through the %s, whole and in pieces\n",
         bad ? "not ok" : "ok", sub, done, through);
  return bad;
}

int main(int argc, char **argv) {
  int bad = 0, target = -1, argi = 1;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argi + 1 < argc && strcmp(argv[argi], "-t") == 0) {
    target = find_target(argv[argi + 1]);
    if (target < 0) {
      fprintf(stderr, "fuzz_replay: unknown target %s\n", argv[argi + 1]);
      return 2;
    }
    argi += 2;
  }
  if (argi >= argc) {
    bad += replay_regressions();
    bad += replay_fixtures("");
    bad += replay_fixtures("/bad");
    return bad ? 1 : 0;
  }
  for (; argi < argc; argi++) {
    const char *path = argv[argi];
    int t = target;
    if (t < 0) { /* .../<target>/<file> */
      char parent[256] = "";
      const char *slash = strrchr(path, '/');
      if (slash) {
        const char *start = slash;
        while (start > path && start[-1] != '/')
          start--;
        size_t len = (size_t)(slash - start);
        if (len < sizeof parent) {
          memcpy(parent, start, len);
          parent[len] = '\0';
        }
      }
      t = find_target(parent);
    }
    if (t < 0) {
      printf("not ok - %s: no target (use -t TARGET or regressions/<target>/FILE)\n", path);
      bad++;
      continue;
    }
    bad += replay_file(t, path, path);
  }
  return bad ? 1 : 0;
}
