/* Byte-swap heavy: network/host conversions of every 64-, 32- and 16-bit field of the
 * payload (bpf_ntohll/ntohl/ntohs, i.e. `be64`/`be32`/`be16`; with -mcpu=v4, `bswap`),
 * mixed with rotates, 8 rounds. Loops: can_loop. */
#include "bench.h"

SEC("xdp")
int bswap(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u64 acc = 0x0123456789abcdefULL;
	for (__u32 round = 0; round < 8 && can_loop; round++) {
		for (__u32 off = 0; off < PAYLOAD_LEN && can_loop; off += 8) {
			__u8 *q = at(p, off, PAYLOAD_LEN - 1);
			if (q + 8 > end)
				break;
			__u64 v = bpf_be64_to_cpu(*(__u64 *)q);
			__u32 w = bpf_ntohl(*(__u32 *)(q + 2));
			__u16 h = bpf_ntohs(*(__u16 *)(q + 6));
			acc = bpf_cpu_to_be64(acc ^ v) + w;
			acc ^= (__u64)bpf_htons(h ^ (__u16)acc) << 17;
			acc = acc << 13 | acc >> 51;
		}
	}
	return fold64(acc);
}

LICENSE_GPL;
