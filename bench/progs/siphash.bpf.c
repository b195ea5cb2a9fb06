/* SipHash-2-4 of the payload (64-bit adds, xors and rotates), keyed by its first 16
 * bytes, twice with different keys. Loops: can_loop. */
#include "bench.h"

#define rol64(x, k) (((x) << (k)) | ((x) >> (64 - (k))))

#define sipround(v0, v1, v2, v3)                               \
	{                                                      \
		v0 += v1; v1 = rol64(v1, 13); v1 ^= v0; v0 = rol64(v0, 32); \
		v2 += v3; v3 = rol64(v3, 16); v3 ^= v2;            \
		v0 += v3; v3 = rol64(v3, 21); v3 ^= v0;            \
		v2 += v1; v1 = rol64(v1, 17); v1 ^= v2; v2 = rol64(v2, 32); \
	}

SEC("xdp")
int siphash(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 out = 0;
	for (__u32 k = 0; k < 2 && can_loop; k++) {
		__u64 k0 = load64(p) + k, k1 = load64(p + 8) ^ k;
		__u64 v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
		__u64 v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			__u64 m = load64(q);
			v3 ^= m;
			sipround(v0, v1, v2, v3);
			sipround(v0, v1, v2, v3);
			v0 ^= m;
		}
		__u64 b = (__u64)PAYLOAD_LEN << 56;
		v3 ^= b;
		sipround(v0, v1, v2, v3);
		sipround(v0, v1, v2, v3);
		v0 ^= b;
		v2 ^= 0xff;
		sipround(v0, v1, v2, v3);
		sipround(v0, v1, v2, v3);
		sipround(v0, v1, v2, v3);
		sipround(v0, v1, v2, v3);
		out ^= v0 ^ v1 ^ v2 ^ v3;
	}
	return fold64(out);
}

LICENSE_GPL;
