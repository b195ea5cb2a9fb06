/* sext.bpf.c compiled with -mcpu=v4: `movsx` and sign-extending loads. */
#define sext sext_v4
#include "sext.bpf.c"
