/* Helper-heavy: 64 rounds of bpf_csum_diff over a 64-byte window of the payload, plus
 * bpf_ktime_get_ns, bpf_get_prandom_u32, bpf_get_smp_processor_id and
 * bpf_xdp_get_buff_len, whose results enter the return value only through facts every
 * engine shares (time does not go backwards, the CPU number is small, the length is the
 * packet's). Loops: can_loop. */
#include "bench.h"

SEC("xdp")
int helpers(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 acc = 0;
	__u64 last = bpf_ktime_get_ns();
	for (__u32 i = 0; i < 64 && can_loop; i++) {
		__u8 *q = p + (i * 8 & 511);
		if (q + 64 > end)
			break;
		__s64 c = bpf_csum_diff(0, 0, (void *)q, 64, i);
		__u32 s = (__u32)c;
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		acc = acc * 31 + s;
		__u64 now = bpf_ktime_get_ns();
		acc += now >= last;
		last = now;
		acc += bpf_get_prandom_u32() & 0;
		acc += bpf_get_smp_processor_id() < 4096;
		acc ^= bpf_xdp_get_buff_len(ctx) << 8;
	}
	return acc;
}

LICENSE_GPL;
