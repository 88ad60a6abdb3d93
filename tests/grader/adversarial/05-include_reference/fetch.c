/*
 * 05-include_reference: #includes the reference solution by a relative
 * path, as a checkout with solutions/ beside exercises/ would allow.
 */
#include "../solutions/05/fetch.c"
