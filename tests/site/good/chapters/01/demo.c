#include <stdio.h>

int main(void)
{
    // [region spawn]
    for (int i = 0; i < 4; i++) {
        // [inner]
        printf("thread %d\n", i); /* spawn */
        // [end]
    }
    // [end]
    return 0;
}
