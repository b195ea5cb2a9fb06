/* Packet parsing: Ethernet, up to two VLAN tags, IPv4 with options (variable header
 * length), TCP and its leading MSS option, folding a flow hash, as a load balancer's front
 * end would. The packet is parsed 64 times (the data pointer is hidden from the optimiser
 * each time, so every parse is real). Loop: can_loop. (A bpf_for option walk after the
 * variable-length IPv4 header made this kernel's verifier give up, "8193 jumps";
 * tcp_options walks option lists on its own.) */
#include "bench.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static __always_inline __u32 parse(__u8 *data, __u8 *end, __u32 h)
{
	struct ethhdr *eth = (void *)data;
	if ((void *)(eth + 1) > (void *)end)
		return 1;
	__u16 proto = eth->h_proto;
	__u8 *cur = (void *)(eth + 1);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *vh = (void *)cur;
		if ((void *)(vh + 1) > (void *)end)
			return 2;
		proto = vh->proto;
		h ^= bpf_ntohs(vh->tci) & 0xfff;
		cur = (void *)(vh + 1);
	}
	if (proto != bpf_htons(ETH_P_IP))
		return 3;
	struct iphdr *ip = (void *)cur;
	if ((void *)(ip + 1) > (void *)end)
		return 4;
	__u32 ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip) || ip->version != 4)
		return 5;
	if (ip->frag_off & bpf_htons(0x3fff))
		return 6;
	h = (h ^ ip->saddr) * 0x9e3779b1;
	h = (h ^ ip->daddr) * 0x9e3779b1;
	if (ip->protocol != IPPROTO_TCP)
		return 7;
	struct tcphdr *tcp = (void *)(cur + (ihl & 0x3c));
	if ((void *)(tcp + 1) > (void *)end)
		return 8;
	h = (h ^ (tcp->source << 16 | tcp->dest)) * 0x9e3779b1;
	__u32 doff = tcp->doff * 4;
	__u8 *opt = (void *)(tcp + 1);
	__u32 optlen = doff > sizeof(*tcp) ? doff - sizeof(*tcp) : 0;
	__u32 mss = 0;
	/* The first option, if it is the MSS (SYN segments put it first); tcp_options walks
	 * whole option lists. */
	if (optlen >= 4 && opt + 4 <= end && opt[0] == 2 && opt[1] == 4)
		mss = bpf_ntohs(*(__u16 *)(opt + 2));
	h ^= bpf_ntohl(tcp->seq) ^ tcp->window << 3;
	return h ^ mss << 16;
}

SEC("xdp")
int parse_ipv4(struct xdp_md *ctx)
{
	__u32 acc = 0, times = hidden(ctx, 64);
	for (__u32 n = 0; n < times && can_loop; n++) {
		__u8 *data = (__u8 *)(long)ctx->data, *end = pkt_end(ctx);
		opaque(data);
		acc = acc * 33 + parse(data, end, n);
	}
	return acc;
}

LICENSE_GPL;
