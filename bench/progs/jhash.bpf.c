/* Bob Jenkins' lookup3 hash (the kernel's jhash) over the payload in 12-byte blocks, with
 * four different initial values: rotates, adds and xors on 32-bit words.
 * Loops: can_loop. */
#include "bench.h"

#define rol32(x, k) (((x) << (k)) | ((x) >> (32 - (k))))

#define jhash_mix(a, b, c)                    \
	{                                     \
		a -= c; a ^= rol32(c, 4); c += b; \
		b -= a; b ^= rol32(a, 6); a += c; \
		c -= b; c ^= rol32(b, 8); b += a; \
		a -= c; a ^= rol32(c, 16); c += b; \
		b -= a; b ^= rol32(a, 19); a += c; \
		c -= b; c ^= rol32(b, 4); b += a; \
	}

#define jhash_final(a, b, c)                  \
	{                                     \
		c ^= b; c -= rol32(b, 14);     \
		a ^= c; a -= rol32(c, 11);     \
		b ^= a; b -= rol32(a, 25);     \
		c ^= b; c -= rol32(b, 16);     \
		a ^= c; a -= rol32(c, 4);      \
		b ^= a; b -= rol32(a, 14);     \
		c ^= b; c -= rol32(b, 24);     \
	}

SEC("xdp")
int jhash(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 result = 0;
	for (__u32 seed = 0; seed < 4 && can_loop; seed++) {
		__u32 a, b, c;
		a = b = c = 0xdeadbeef + PAYLOAD_LEN + seed * 0x9e3779b9;
		for (__u32 off = 0; off + 12 < PAYLOAD_LEN && can_loop; off += 12) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 12 > end)
				break;
			a += load32(q);
			b += load32(q + 4);
			c += load32(q + 8);
			jhash_mix(a, b, c);
		}
		jhash_final(a, b, c);
		result ^= c + seed;
	}
	return result;
}

LICENSE_GPL;
