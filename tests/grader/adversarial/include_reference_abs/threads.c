/*
 * include_reference_abs: #includes the reference solution by its absolute
 * path (the test writes the path in for @REPO@): the compiler runs in the
 * sandbox and may read only system headers and its own scratch copy.
 */
#include "@REPO@/solutions/03/threads.c"
