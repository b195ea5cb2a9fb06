/* Insertion sort of 64 32-bit payload values in a stack array (variable-offset stack
 * accesses, data-dependent branches), then a positional hash of the sorted array.
 * Loops: can_loop. */
#include "bench.h"

#define N 64

SEC("xdp")
int sort(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, N * 4);
	if (!p)
		return 0;
	__u32 v[N];
	for (int i = 0; i < N; i++)
		v[i] = load32(p + i * 4);
	for (__u32 i = 1; i < N && can_loop; i++) {
		__u32 x = v[i & (N - 1)];
		__u32 j = i;
		while (j > 0 && can_loop) {
			__u32 y = v[(j - 1) & (N - 1)];
			if (y <= x)
				break;
			v[j & (N - 1)] = y;
			j--;
		}
		v[j & (N - 1)] = x;
	}
	__u32 h = 0;
	for (int i = 0; i < N; i++)
		h = h * 31 + v[i] + (v[i] >= (i ? v[i - 1] : 0));
	return h;
}

LICENSE_GPL;
