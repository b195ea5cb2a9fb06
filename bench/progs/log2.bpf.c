/* Integer log2 (a branchy binary search, as in bpf-benchmark's log2_int) of every 64-bit
 * word of the payload, rotated 8 times. Loops: bpf_for outside, can_loop inside. */
#include "bench.h"

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

SEC("xdp")
int log2_int(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 sum = 0;
	int round;
	bpf_for(round, 0, 8) {
		__u32 shift = round * 7 + 1;
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = p + off;
			if (q + 8 > end)
				break;
			__u64 v = load64(q);
			v = v >> shift | v << (64 - shift);
			sum = sum * 3 + log2_u64(v) + log2_u64(v & 0xffffff);
		}
	}
	return sum;
}

LICENSE_GPL;
