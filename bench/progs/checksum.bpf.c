/* The Internet checksum (RFC 1071) of the payload, 8 passes with a different seed each,
 * summed 32 bits at a time into a 64-bit accumulator and folded. Loops: bounded outside
 * (the verifier walks its 8 iterations), can_loop inside. */
#include "bench.h"

static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

SEC("xdp")
int checksum(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 result = 0;
	for (int pass = 0; pass < 8; pass++) {
		__u64 sum = pass;
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 4) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 4 > end)
				break;
			sum += load32(q);
		}
		result = result * 31 + csum_fold64(sum);
	}
	return result;
}

LICENSE_GPL;
