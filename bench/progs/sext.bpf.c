/* Sign-extension heavy: signed 8-, 16- and 32-bit fields of the payload widened to 64 bits
 * and combined with signed comparisons and arithmetic shifts, 8 rounds. With -mcpu=v3
 * clang widens with shift pairs; with -mcpu=v4 (sext_v4) with `movsx` and sign-extending
 * loads (`ldsx`). Loops: can_loop. */
#include "bench.h"

SEC("xdp")
int sext(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__s64 acc = 0;
	for (__u32 round = 0; round < 8 && can_loop; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			__s64 b = *(__s8 *)(q + (round & 7));
			__s64 h = *(__s16 *)(q + 2);
			__s64 w = *(__s32 *)(q + 4);
			__s32 x = (__s32)acc;
			__s64 t = b * 3 + h - w + (__s64)(__s8)x + (__s64)(__s16)(acc >> 8);
			acc = t < 0 ? (acc >> 3) + t : (acc << 1) ^ t;
			acc += (__s64)x >> 5;
		}
	}
	return (__u32)acc ^ (__u32)(acc >> 32);
}

LICENSE_GPL;
