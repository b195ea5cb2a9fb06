/* The baseline: returns XDP_PASS at once. Its time is each engine's per-run overhead (the
 * kernel's test-run loop, Hive's entry into compiled code with its frame zeroing, rbpf's
 * stack set-up); it is reported but left out of the geometric means. */
#include "bench.h"

SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

LICENSE_GPL;
