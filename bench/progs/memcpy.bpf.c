/* Copies the first half of the payload over the second half, 8 bytes at a time, then a
 * 128-byte block of it to the stack (__builtin_memcpy) and hashes it; 4 rounds. Writes the
 * packet, idempotently (every run sees the same bytes). Loops: can_loop. */
#include "bench.h"

SEC("xdp")
int memcpy_pkt(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 h = 0;
	for (__u32 round = 0; round < 4 && can_loop; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN / 2 && can_loop; off += 8) {
			__u8 *src = at(p, off, PAYLOAD_LEN / 2 - 1), *dst = src + PAYLOAD_LEN / 2;
			if (dst + 8 > end)
				break;
			*(__u64 *)dst = *(__u64 *)src;
		}
		__u64 buf[16];
		__u8 *src = p + PAYLOAD_LEN / 2 + (round & 3) * 128;
		if (src + 128 > end)
			break;
		__builtin_memcpy(buf, src, 128);
#pragma unroll
		for (__u32 i = 0; i < 16; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	return fold64(h);
}

LICENSE_GPL;
