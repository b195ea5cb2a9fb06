/* TCP option walking on a SYN-ACK-like segment with the full 40 bytes of options (MSS,
 * SACK-permitted, timestamps, window scale, two SACK blocks, NOP padding): every option is
 * decoded and folded into a summary, 128 times through a hidden data pointer.
 * Loops: can_loop for the repetitions, bpf_for for the option walk (which advances by
 * each option's length). */
#include "bench.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define TCP_OFF (14 + 20) /* Ethernet + IPv4 without options */

static __always_inline __u32 walk(__u8 *data, __u8 *end, __u32 max)
{
	struct tcphdr *tcp = (void *)(data + TCP_OFF);
	if ((void *)(tcp + 1) > (void *)end)
		return 1;
	__u32 optlen = tcp->doff * 4;
	optlen = optlen > sizeof(*tcp) ? optlen - sizeof(*tcp) : 0;
	__u8 *opt = (void *)(tcp + 1);
	__u32 sum = 0, mss = 0, ws = 0, sackok = 0, tsval = 0, tsecr = 0, sacks = 0;
	__u32 i = 0;
	int k;
	bpf_for(k, 0, 40) {
		if (i >= optlen || i >= max)
			break;
		__u8 *o = opt + (i & 63);
		if (o + 2 > end)
			return 2;
		__u8 kind = o[0], len = o[1];
		switch (kind) {
		case 0:
			i = 64;
			continue;
		case 1:
			i++;
			continue;
		case 2:
			if (len != 4 || o + 4 > end)
				return 3;
			mss = bpf_ntohs(*(__u16 *)(o + 2));
			break;
		case 3:
			if (len != 3 || o + 3 > end)
				return 4;
			ws = o[2];
			break;
		case 4:
			sackok = 1;
			break;
		case 5:
			if (len < 10 || o + 18 > end)
				return 5;
			for (__u32 b = 0; b < 2; b++) {
				if (2 + b * 8 + 8 > len)
					break;
				__u32 left = bpf_ntohl(*(__u32 *)(o + 2 + b * 8));
				__u32 right = bpf_ntohl(*(__u32 *)(o + 6 + b * 8));
				sacks += right - left;
			}
			break;
		case 8:
			if (len != 10 || o + 10 > end)
				return 6;
			tsval = bpf_ntohl(*(__u32 *)(o + 2));
			tsecr = bpf_ntohl(*(__u32 *)(o + 6));
			break;
		default:
			sum += kind;
		}
		if (len < 2)
			return 7;
		i += len;
	}
	return sum ^ mss << 16 ^ ws << 8 ^ sackok ^ tsval ^ (tsecr << 1) ^ sacks;
}

SEC("xdp")
int tcp_options(struct xdp_md *ctx)
{
	__u32 acc = 0, times = hidden(ctx, 128);
	for (__u32 n = 0; n < times && can_loop; n++) {
		__u8 *data = (__u8 *)(long)ctx->data, *end = pkt_end(ctx);
		opaque(data);
		acc = acc * 33 + walk(data, end, hidden(ctx, 40));
	}
	return acc;
}

LICENSE_GPL;
