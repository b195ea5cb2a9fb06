/* Fibonacci-like recurrences modulo 2^64, 8 * (500 + n) steps (n from the packet).
 * Loop: bpf_for (the bpf_iter_num kfuncs), 8 unrolled steps per iteration. */
#include "bench.h"

SEC("xdp")
int fibonacci(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, 8);
	if (!p)
		return 0;
	__u64 seed = load64(p);
	__u64 a = seed & 0xffff, b = 1, c = seed >> 48, d = 1;
	int n = 500 + (int)(seed >> 20 & 0xff);
	int i;
	bpf_for(i, 0, n) {
#pragma unroll
		for (int k = 0; k < 8; k++) {
			__u64 t = a + b;
			a = b;
			b = t;
			__u64 u = c + d * 3 + (__u64)(i + k);
			c = d;
			d = u ^ (u >> 29);
		}
	}
	return fold64(b ^ d);
}

LICENSE_GPL;
