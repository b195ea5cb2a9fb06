/* bpf-to-bpf calls: a chain of five non-inlined functions (each mixes its arguments and
 * calls the next), called for each of the 128 payload words, 4 passes: 2,560 calls per run.
 * Loops: can_loop. */
#include "bench.h"

static __attribute__((noinline)) __u64 f5(__u64 a, __u64 b)
{
	return (a ^ b) * 0x9e3779b97f4a7c15ULL;
}

static __attribute__((noinline)) __u64 f4(__u64 a, __u64 b)
{
	return f5(a + 1, b >> 3) + (a << 7);
}

static __attribute__((noinline)) __u64 f3(__u64 a, __u64 b)
{
	return f4(b, a ^ 0x5555) ^ (b >> 11);
}

static __attribute__((noinline)) __u64 f2(__u64 a, __u64 b)
{
	return f3(a * 3, b + a) - b;
}

static __attribute__((noinline)) __u64 f1(__u64 a, __u64 b)
{
	return f2(a, b) + f2(b, a) * 0; /* one call: the second is folded away */
}

SEC("xdp")
int call_chain(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 acc = 0;
	for (__u32 pass = 0; pass < 4 && can_loop; pass++) {
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			acc = f1(load64(q), acc + pass);
		}
	}
	return fold64(acc);
}

LICENSE_GPL;
