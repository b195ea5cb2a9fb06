/* bpf_loop(): 2048 calls of a callback that advances two generators kept in a context
 * struct on the caller's stack (the kernel inlines bpf_loop into a plain loop around a
 * direct call). */
#include "bench.h"

struct loop_ctx {
	__u64 x;
	__u64 acc;
};

static long step(__u32 i, void *data)
{
	struct loop_ctx *c = data;
	c->x = xorshift64(c->x);
	c->acc += (c->x >> 7) ^ i;
	return 0;
}

SEC("xdp")
int bpf_loop_cb(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, 8);
	if (!p)
		return 0;
	struct loop_ctx c = { .x = load64(p) | 1, .acc = 0 };
	long n = bpf_loop(2048, step, &c, 0);
	return fold64(c.acc) ^ (__u32)n;
}

LICENSE_GPL;
