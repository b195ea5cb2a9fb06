/* Packet parsing: Ethernet, up to two VLAN tags, IPv4 with options, TCP with options
 * (MSS, window scale, SACK-permitted, timestamps), computing a flow hash and the option
 * values, as a load balancer's front end would. The packet is parsed 64 times (the data
 * pointer is hidden from the optimiser each time, so every parse is real). */
#include "bench.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct result {
	__u32 hash;
	__u32 mss;
	__u32 wscale;
	__u32 tsval;
};

static __always_inline int parse(__u8 *data, __u8 *end, struct result *r)
{
	struct ethhdr *eth = (void *)data;
	if ((void *)(eth + 1) > (void *)end)
		return -1;
	__u16 proto = eth->h_proto;
	__u8 *cur = (void *)(eth + 1);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *vh = (void *)cur;
		if ((void *)(vh + 1) > (void *)end)
			return -1;
		proto = vh->proto;
		r->hash ^= bpf_ntohs(vh->tci) & 0xfff;
		cur = (void *)(vh + 1);
	}
	if (proto != bpf_htons(ETH_P_IP))
		return -2;
	struct iphdr *ip = (void *)cur;
	if ((void *)(ip + 1) > (void *)end)
		return -1;
	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip) || ip->version != 4)
		return -3;
	if (ip->frag_off & bpf_htons(0x3fff))
		return -4;
	r->hash = (r->hash ^ ip->saddr) * 0x9e3779b1;
	r->hash = (r->hash ^ ip->daddr) * 0x9e3779b1;
	if (ip->protocol != IPPROTO_TCP)
		return -5;
	struct tcphdr *tcp = (void *)(cur + (ihl & 0x3c));
	if ((void *)(tcp + 1) > (void *)end)
		return -1;
	r->hash = (r->hash ^ (tcp->source << 16 | tcp->dest)) * 0x9e3779b1;
	__u32 doff = tcp->doff * 4;
	__u8 *opt = (void *)(tcp + 1);
	__u32 optlen = doff > sizeof(*tcp) ? doff - sizeof(*tcp) : 0;
	for (__u32 i = 0; i < 40 && i < optlen && can_loop;) {
		__u8 *o = opt + i;
		if (o + 1 > end)
			return -1;
		__u8 kind = o[0];
		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (o + 2 > end)
			return -1;
		__u8 len = o[1];
		if (len < 2)
			return -6;
		if (kind == 2 && len == 4 && o + 4 <= end)
			r->mss = bpf_ntohs(*(__u16 *)(o + 2));
		else if (kind == 3 && len == 3 && o + 3 <= end)
			r->wscale = o[2];
		else if (kind == 8 && len == 10 && o + 10 <= end)
			r->tsval = bpf_ntohl(*(__u32 *)(o + 2));
		i += len;
	}
	return 0;
}

SEC("xdp")
int parse_ipv4(struct xdp_md *ctx)
{
	__u32 acc = 0;
	for (__u32 n = 0; n < 64 && can_loop; n++) {
		__u8 *data = (__u8 *)(long)ctx->data, *end = pkt_end(ctx);
		opaque(data);
		struct result r = { .hash = n };
		int err = parse(data, end, &r);
		acc = acc * 33 + (__u32)err + r.hash + r.mss + r.wscale + r.tsval;
	}
	return acc;
}

LICENSE_GPL;
