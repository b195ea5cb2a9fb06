/* Map-heavy, hash: 128 keys taken from the payload are inserted or overwritten
 * (bpf_map_update_elem, BPF_ANY) in a hash map, then looked up twice each, hits and
 * misses, and the values summed. The map holds the same keys after every run, so every
 * run computes the same result. Loops: can_loop. */
#include "bench.h"

BENCH_MAP(flows, BPF_MAP_TYPE_HASH, 4, 8, 1024);

SEC("xdp")
int hash_map(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	for (__u32 off = 0; off < 512 && can_loop; off += 4) {
		__u8 *q = at(p, off, PAYLOAD_LEN - 1);
		if (q + 4 > end)
			break;
		__u32 key = load32(q) & 0x3ff;
		__u64 value = (__u64)off << 32 | key;
		bpf_map_update_elem(&flows, &key, &value, BPF_ANY);
	}
	__u64 sum = 0;
	__u32 hits = 0;
	for (__u32 off = 0; off < 1024 && can_loop; off += 4) {
		__u8 *q = at(p, off, PAYLOAD_LEN - 1);
		if (q + 4 > end)
			break;
		__u32 key = load32(q) & 0x7ff;
		__u64 *v = bpf_map_lookup_elem(&flows, &key);
		if (v) {
			sum += *v;
			hits++;
		}
	}
	return fold64(sum) ^ hits << 20;
}

LICENSE_GPL;
