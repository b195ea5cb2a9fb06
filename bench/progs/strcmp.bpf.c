/* strcmp between two long NUL-terminated strings in the payload (446 equal bytes, then a
 * difference), 4 times at shifting start offsets, byte by byte with a bounds check each.
 * Loops: can_loop. */
#include "bench.h"

static __always_inline int pkt_strcmp(__u8 *a, __u8 *b, __u8 *end)
{
	for (__u32 i = 0; i < 512 && can_loop; i++) {
		__u8 *x = at(a, i, 511), *y = at(b, i, 511);
		if (y + 1 > end || x + 1 > end)
			return -2;
		__u8 c = *x, d = *y;
		if (c != d)
			return c < d ? -1 : 1;
		if (c == 0)
			return 0;
	}
	return 0;
}

SEC("xdp")
int strcmp_pkt(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 r = 0;
	for (__u32 k = 0; k < 4; k++) {
		int c = pkt_strcmp(p + k * 8, p + 512 + k * 8, end);
		r = r * 7 + (__u32)(c + 3);
	}
	return r;
}

LICENSE_GPL;
