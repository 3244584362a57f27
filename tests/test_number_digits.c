/* The number conversions without the floating-point fast path (DFD_NUMBER_FAST_PATH 0,
 * the default where doubles are not in hardware: Cortex-M4, RV32IMC): every case of
 * test_number.c through the digit path alone. */
#define DFD_NUMBER_FAST_PATH 0
#include "../src/number.c"
#include "test_number.c"

_Static_assert(FAST_PATH == 0, "this test is about the digit path alone");
