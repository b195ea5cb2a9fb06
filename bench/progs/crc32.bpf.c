/* Bitwise (table-less) CRC-32 (IEEE, reflected) of 512 payload bytes, 8 bytes per
 * iteration with the 64 bit steps unrolled. Loop: bpf_for. */
#include "bench.h"

SEC("xdp")
int crc32(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 crc = 0xffffffff;
	int i;
	bpf_for(i, 0, 64) {
		__u8 *q = p + i * 8;
		if (q + 8 > end)
			break;
		__u64 w = load64(q);
#pragma unroll
		for (int byte = 0; byte < 8; byte++) {
			crc ^= (__u8)(w >> (byte * 8));
#pragma unroll
			for (int b = 0; b < 8; b++) {
				/* The usual `0xedb88320 & -(crc & 1)` makes this kernel's verifier oops
				 * (NULL dereference in maybe_fork_scalars, 6.18): multiply instead. */
				__u32 bit = crc & 1;
				opaque(bit);
				crc = (crc >> 1) ^ (0xedb88320 * bit);
			}
		}
	}
	return ~crc;
}

LICENSE_GPL;
