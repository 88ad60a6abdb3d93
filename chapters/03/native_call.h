/*
 * native_call.h - chapter 3's long native call, shared by the demo and the
 * figure program (longcall.c).
 */
#ifndef CH03_NATIVE_CALL_H
#define CH03_NATIVE_CALL_H

#include <stdint.h>

// [native-call]
/* A long call into native code that neither lets go of the GIL nor reaches
 * a checkpoint, like sum() over a big range in CPython: the same arithmetic
 * as rt_bytecodes(), without its checkpoints.  Call holding the GIL; a
 * waiter's drop request stays unanswered until the call returns. */
static inline uint64_t native_call(uint64_t units)
{
    uint64_t acc = units;
    for (uint64_t i = 0; i < units; i++)
        acc = acc * 6364136223846793005ull + 1442695040888963407ull;
    return acc;
}
// [end]

#endif /* CH03_NATIVE_CALL_H */
