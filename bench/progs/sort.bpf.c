/* Sorting network: odd-even transposition sort of 32 payload values in a stack array,
 * 32 passes of branch-free compare-and-exchange steps (64-bit subtraction and an
 * arithmetic shift make the mask), then a positional hash of the sorted array. Stack
 * loads and stores at constant offsets. Loop: can_loop over the passes. */
#include "bench.h"

#define N 32

/* (a, b) -> (min, max) without a branch. */
#define cmpxchg(v, k)                                              \
	{                                                          \
		__u64 a = v[k], b = v[(k) + 1];                    \
		__u64 d = b - a;                                   \
		__u64 m = (__u64)((__s64)d >> 63);                 \
		v[k] = (__u32)(a + (d & m));                       \
		v[(k) + 1] = (__u32)(b - (d & m));                 \
	}

SEC("xdp")
int sort(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, N * 4);
	if (!p)
		return 0;
	__u32 arr[N], *v = arr;
	opaque(v); /* keeps the array in memory: every step is a stack load or store */
#pragma unroll
	for (int i = 0; i < N; i++)
		v[i] = load32(p + i * 4);
	__u32 passes = hidden(ctx, N / 2);
	for (__u32 pass = 0; pass < passes && can_loop; pass++) {
#pragma unroll
		for (int k = 0; k < N - 1; k += 2)
			cmpxchg(v, k);
#pragma unroll
		for (int k = 1; k < N - 1; k += 2)
			cmpxchg(v, k);
	}
	__u32 h = 0;
#pragma unroll
	for (int i = 0; i < N; i++)
		h = h * 31 + v[i];
	return h;
}

LICENSE_GPL;
