/* Map-heavy, array: a byte histogram of the payload in a 256-entry array map (lookup, then
 * a store through the value pointer), cleared first and summed at the end, so every run
 * computes the same result: about 1,500 bpf_map_lookup_elem calls (which the kernel
 * inlines for arrays). Loops: can_loop. */
#include "bench.h"

BENCH_MAP(hist, BPF_MAP_TYPE_ARRAY, 4, 8, 256);

SEC("xdp")
int array_map(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	for (__u32 k = 0; k < 256 && can_loop; k++) {
		__u64 *v = bpf_map_lookup_elem(&hist, &k);
		if (v)
			*v = 0;
	}
	for (__u32 i = 0; i < PAYLOAD_LEN && can_loop; i++) {
		__u8 *q = at(p, i, PAYLOAD_LEN - 1);
		if (q + 1 > end)
			break;
		__u32 key = *q;
		__u64 *v = bpf_map_lookup_elem(&hist, &key);
		if (v)
			*v += i + 1;
	}
	__u64 sum = 0;
	for (__u32 k = 0; k < 256 && can_loop; k++) {
		__u64 *v = bpf_map_lookup_elem(&hist, &k);
		if (v)
			sum = sum * 31 + *v;
	}
	return fold64(sum);
}

LICENSE_GPL;
