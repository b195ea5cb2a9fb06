/* Integer log2 (a branchy binary search, as in bpf-benchmark's log2_int) of every 64-bit
 * word of the payload rotated 4 ways, and of its 32-bit halves: 1,024 calls of 6 branches
 * each. Loop: bpf_for, one word and one rotation per iteration. */
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
	int i;
	bpf_for(i, 0, 4 * PAYLOAD_LEN / 8) {
		__u8 *q = p + (i & (PAYLOAD_LEN / 8 - 1)) * 8;
		if (q + 8 > end)
			break;
		__u64 v = load64(q);
		__u32 shift = (i >> 7) * 15 + 1;
		__u64 w = v >> shift | v << (64 - shift);
		sum = sum * 3 + log2_u64(w);
		sum += log2_u64((__u32)(v >> (((i >> 7) & 1) * 32)));
	}
	return sum;
}

LICENSE_GPL;
