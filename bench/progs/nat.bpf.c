/* Stateless NAT on the standard packet: rewrites the IPv4 source and destination and the
 * TCP ports, updating the IPv4 and TCP checksums incrementally (RFC 1624), 128 times; an
 * even number of swaps leaves the packet as it came, so every run sees the same bytes.
 * Packet writes, 16-bit ones'-complement arithmetic. Loops: can_loop. */
#include "bench.h"
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define IP_OFF (14 + 4)
#define TCP_OFF (IP_OFF + 24)

static __always_inline __u16 csum_fold32(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* RFC 1624: HC' = ~(~HC + ~m + m') for a 16-bit field m -> m'. */
static __always_inline __u16 csum_replace2(__u16 check, __u16 from, __u16 to)
{
	return ~csum_fold32((__u16)~check + (__u16)~from + (__u32)to);
}

static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	check = csum_replace2(check, (__u16)from, (__u16)to);
	return csum_replace2(check, (__u16)(from >> 16), (__u16)(to >> 16));
}

SEC("xdp")
int nat(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data, *end = pkt_end(ctx);
	if (data + TCP_OFF + sizeof(struct tcphdr) > end)
		return 0;
	struct iphdr *ip = (void *)(data + IP_OFF);
	struct tcphdr *tcp = (void *)(data + TCP_OFF);
	__u32 acc = 0;
	for (__u32 n = 0; n < 128 && can_loop; n++) {
		__u32 s = ip->saddr, d = ip->daddr;
		__u16 sp = tcp->source, dp = tcp->dest;
		ip->check = csum_replace4(ip->check, s, d);
		ip->check = csum_replace4(ip->check, d, s);
		tcp->check = csum_replace4(tcp->check, s, d);
		tcp->check = csum_replace4(tcp->check, d, s);
		tcp->check = csum_replace2(tcp->check, sp, dp);
		tcp->check = csum_replace2(tcp->check, dp, sp);
		ip->saddr = d;
		ip->daddr = s;
		tcp->source = dp;
		tcp->dest = sp;
		acc = acc * 31 + ip->check + tcp->check;
	}
	return acc;
}

LICENSE_GPL;
