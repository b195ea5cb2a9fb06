/* Packet parsing: Ethernet, IPv6 and its extension headers (hop-by-hop, routing,
 * destination options, fragment) up to the transport header, then TCP or UDP ports; a flow
 * hash over the addresses (as 32-bit words), the flow label and the ports. The packet is
 * parsed 64 times through a hidden data pointer. Loops: can_loop, bounded (6 headers). */
#include "bench.h"
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <linux/in6.h>

struct opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen;
};

static __always_inline __u32 parse6(__u8 *data, __u8 *end, __u32 seed)
{
	struct ethhdr *eth = (void *)data;
	if ((void *)(eth + 1) > (void *)end)
		return 1;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return 2;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > (void *)end)
		return 3;
	__u32 h = seed;
#pragma unroll
	for (int i = 0; i < 4; i++) {
		h = (h ^ ip6->saddr.in6_u.u6_addr32[i]) * 0x9e3779b1;
		h = (h ^ ip6->daddr.in6_u.u6_addr32[i]) * 0x85ebca77;
	}
	h ^= (ip6->flow_lbl[0] & 0xf) << 16 | ip6->flow_lbl[1] << 8 | ip6->flow_lbl[2];
	__u8 next = ip6->nexthdr;
	__u8 *cur = (void *)(ip6 + 1);
#pragma unroll
	for (int i = 0; i < 6; i++) {
		if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
			struct opt_hdr *o = (void *)cur;
			if ((void *)(o + 1) > (void *)end)
				return 4;
			next = o->nexthdr;
			cur += (o->hdrlen + 1) * 8;
			h = h * 31 + next;
		} else if (next == IPPROTO_FRAGMENT) {
			struct opt_hdr *o = (void *)cur;
			if ((void *)(cur + 8) > (void *)end)
				return 5;
			next = o->nexthdr;
			h ^= *(__u32 *)(cur + 4);
			cur += 8;
		} else {
			break;
		}
	}
	if (next == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)cur;
		if ((void *)(tcp + 1) > (void *)end)
			return 6;
		h = (h ^ (tcp->source << 16 | tcp->dest)) * 0x9e3779b1;
		h ^= bpf_ntohl(tcp->seq);
	} else if (next == IPPROTO_UDP) {
		struct udphdr *udp = (void *)cur;
		if ((void *)(udp + 1) > (void *)end)
			return 7;
		h = (h ^ (udp->source << 16 | udp->dest)) * 0x9e3779b1;
	} else {
		return 8;
	}
	return h;
}

SEC("xdp")
int parse_ipv6(struct xdp_md *ctx)
{
	__u32 acc = 0;
	for (__u32 n = 0; n < 64 && can_loop; n++) {
		__u8 *data = (__u8 *)(long)ctx->data, *end = pkt_end(ctx);
		opaque(data);
		acc = acc * 33 + parse6(data, end, n);
	}
	return acc;
}

LICENSE_GPL;
