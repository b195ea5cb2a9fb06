/* Signed division and modulo (v4 `sdiv`/`smod`, 64- and 32-bit) of payload values by
 * payload divisors (forced odd, so never zero), 8 rounds. -mcpu=v4 only (earlier CPU
 * versions have no signed division). Loops: can_loop. */
#include "bench.h"

SEC("xdp")
int sdiv_v4(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__s64 acc = 1;
	for (__u32 round = 0; round < 4 && can_loop; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			__s64 n = *(__s64 *)q ^ acc;
			__s64 d = (__s64)(__s16)(*(__u64 *)q >> ((round & 3) * 16)) | 1;
			__s32 n32 = (__s32)n;
			__s32 d32 = (__s32)(d * 7) | 1;
			acc += n / d + n % (d + 2 * (__s64)round);
			acc ^= (__s64)(n32 / d32) + (__s64)(n32 % d32);
		}
	}
	return (__u32)acc ^ (__u32)(acc >> 32);
}

LICENSE_GPL;
