/* Population count (SWAR) of the payload words, mixed with xorshift for 16 rounds.
 * Loops: can_loop, nested. 64-bit ALU only. */
#include "bench.h"

static __always_inline __u64 popcount64(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

SEC("xdp")
int popcount(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 total = 0, mix = load64(p) | 1;
	for (__u32 round = 0; round < 16 && can_loop; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			__u64 v = load64(q) ^ mix;
			mix = xorshift64(mix);
			total += popcount64(v) << (round & 3);
		}
	}
	return fold64(total);
}

LICENSE_GPL;
