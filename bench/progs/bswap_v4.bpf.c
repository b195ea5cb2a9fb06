/* bswap.bpf.c compiled with -mcpu=v4: the conversions become `bswap16/32/64`. */
#define bswap bswap_v4
#include "bswap.bpf.c"
