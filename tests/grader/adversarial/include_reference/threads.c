/*
 * include_reference: #includes the reference solution by a relative path (it
 * resolved through -I<repo>/runtime in an instructor's checkout).
 */
#include "../solutions/03/threads.c"
