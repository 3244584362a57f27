/* The streaming extractor (src/extract.c), fed the body whole and in random pieces.
 *
 * Input: 3 bytes choosing how the body is cut (fuzz.h), then the body.
 * Checks: both feeds give the same error and the same record; the error is the one an
 * independent strict classifier (fuzz.h, after docs/EXTRACTOR.md) predicts; errors are
 * sticky; the record's strings are terminated UTF-8; its JSON line fits
 * DFD_STATUS_JSON_MAX, is valid JSON and reads back the same (fuzz_status.h). */
#include "fuzz.h"
#include "fuzz_status.h"

static dfd_extract xw, xc;
static dfd_status sw, sc;
static char dw[2 * DFD_STATUS_JSON_MAX], dc[2 * DFD_STATUS_JSON_MAX];

FUZZ_TARGET(extract) {
  fuzz_split split = fuzz_split_take(&data, &size);

  /* whole */
  dfd_extract_init(&xw, &sw);
  int ew = dfd_extract_feed(&xw, data, size);
  int fw = dfd_extract_finish(&xw);
  FUZZ_CHECK(ew == DFD_OK || fw == ew, "finish %d after feed %d", fw, ew);
  FUZZ_CHECK(dfd_extract_finish(&xw) == fw, "finish is not repeatable");

  /* in pieces */
  dfd_extract_init(&xc, &sc);
  int first = DFD_OK;
  for (size_t off = 0; off < size;) {
    size_t n = fuzz_next(&split, size - off);
    int e = dfd_extract_feed(&xc, data + off, n);
    if (first == DFD_OK)
      first = e;
    FUZZ_CHECK(e == first, "feed returned %d after error %d (not sticky)", e, first);
    off += n;
  }
  FUZZ_CHECK(dfd_extract_feed(&xc, data, 0) == first, "an empty feed changed the result");
  int fc = dfd_extract_finish(&xc);

  FUZZ_CHECK(fw == fc, "whole body gives %d (%s), pieces give %d (%s)", fw, dfd_strerror(fw), fc,
             dfd_strerror(fc));
  size_t nw = fuzz_status_digest(&sw, dw, sizeof dw);
  size_t nc = fuzz_status_digest(&sc, dc, sizeof dc);
  FUZZ_CHECK(nw > 0 && nc > 0, "digest did not fit");
  FUZZ_CHECK(nw == nc && memcmp(dw, dc, nw) == 0, "records differ:\n  whole:  %s\n  pieces: %s", dw,
             dc);

  int expect = fj_classify(data, size, DFD_JSON_DEPTH_MAX);
  FUZZ_CHECK(fw == expect, "extractor says %d (%s), the classifier %d (%s)", fw, dfd_strerror(fw),
             expect, dfd_strerror(expect));

  fuzz_check_status(&sw);
  return 0;
}
