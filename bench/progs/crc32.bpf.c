/* Bitwise (table-less) CRC-32 (IEEE, reflected) of 512 payload bytes.
 * Loops: can_loop over the bytes, the 8 bit steps unrolled. */
#include "bench.h"

SEC("xdp")
int crc32(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 crc = 0xffffffff;
	for (__u32 i = 0; i < 512 && can_loop; i++) {
		__u8 *q = p + i;
		if (q + 1 > end)
			break;
		crc ^= *q;
#pragma unroll
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

LICENSE_GPL;
