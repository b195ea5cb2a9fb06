/* Counts the primes in [start, start + 400) by trial division; start comes from the packet.
 * Loops: can_loop (may_goto), nested. Division-heavy (32-bit modulo). */
#include "bench.h"

SEC("xdp")
int primes(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, 4);
	if (!p)
		return 0;
	__u32 start = 1000 + (load16(p) & 0x3ff);
	__u32 count = 0, sum = 0;
	for (__u32 n = start; n < start + 400 && can_loop; n++) {
		__u32 prime = n & 1;
		for (__u32 d = 3; d * d <= n && can_loop; d += 2) {
			if (n % d == 0) {
				prime = 0;
				break;
			}
		}
		count += prime;
		sum += prime * n;
	}
	return count << 24 ^ sum;
}

LICENSE_GPL;
