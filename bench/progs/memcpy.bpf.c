/* Copies the first half of the payload over the second half, 8 bytes at a time, then back
 * through a 128-byte stack buffer in 32-byte blocks (__builtin_memcpy), 4 times; returns a
 * hash of what arrived. Writes the packet, idempotently (every run sees the same bytes). */
#include "bench.h"

SEC("xdp")
int memcpy_pkt(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 buf[16];
	__u64 h = 0;
	for (int round = 0; round < 4; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN / 2 && can_loop; off += 8) {
			__u8 *src = p + off, *dst = p + PAYLOAD_LEN / 2 + off;
			if (dst + 8 > end)
				break;
			*(__u64 *)dst = *(__u64 *)src;
		}
		for (__u32 blk = 0; blk < 4; blk++) {
			__u8 *src = p + PAYLOAD_LEN / 2 + round * 128 + blk * 32;
			if (src + 32 > end)
				break;
			__builtin_memcpy((__u8 *)buf + blk * 32, src, 32);
		}
		for (__u32 i = 0; i < 16; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	return fold64(h);
}

LICENSE_GPL;
