// SPDX-License-Identifier: GPL-2.0
// xdp_stats: counts packets and bytes per protocol, and drops TCP segments sent to one
// blocked port (a load-time setting in .rodata), logging each drop with bpf_printk.
//
// Build: make examples-bpf (clang-19 -g -O2 -target bpf). Run:
//   hive run examples/bpf/xdp_stats.bpf.o --data examples/bpf/packets/*.bin
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_VLAN_DEPTH 2

struct vlan_hdr {
	__be16 tci;
	__be16 encapsulated_proto;
};

enum l3_proto { L3_OTHER, L3_ARP, L3_IPV4, L3_IPV6 };
enum l4_proto { L4_NONE, L4_TCP, L4_UDP, L4_ICMP, L4_ICMPV6, L4_OTHER };

struct flow_key {
	enum l3_proto l3;
	enum l4_proto l4;
};

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct flow_key);
	__type(value, struct counters);
} stats SEC(".maps");

/* TCP destination port to drop (0: none); set before loading, read-only afterwards. */
const volatile __u16 blocked_port = 23;

/* Adds one packet of `bytes` bytes to the counters of `key`. */
static __noinline int count(struct flow_key *key, __u64 bytes)
{
	struct counters *c = bpf_map_lookup_elem(&stats, key);

	if (!c) {
		struct counters first = { .packets = 1, .bytes = bytes };

		return bpf_map_update_elem(&stats, key, &first, BPF_NOEXIST);
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, bytes);
	return 0;
}

SEC("xdp")
int xdp_stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct flow_key key = {};
	void *l4 = NULL;
	__u8 ip_proto = 0;
	__u16 dport = 0;
	int action = XDP_PASS;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__be16 proto = eth->h_proto;
	void *cursor = eth + 1;

#pragma unroll
	for (int i = 0; i < MAX_VLAN_DEPTH; i++) {
		struct vlan_hdr *vlan = cursor;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return XDP_DROP;
		proto = vlan->encapsulated_proto;
		cursor = vlan + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cursor;

		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		key.l3 = L3_IPV4;
		ip_proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cursor;

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		key.l3 = L3_IPV6;
		ip_proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else if (proto == bpf_htons(ETH_P_ARP)) {
		key.l3 = L3_ARP;
	}

	if (l4) {
		switch (ip_proto) {
		case IPPROTO_TCP: {
			struct tcphdr *tcp = l4;

			if ((void *)(tcp + 1) > data_end)
				return XDP_DROP;
			key.l4 = L4_TCP;
			dport = bpf_ntohs(tcp->dest);
			break;
		}
		case IPPROTO_UDP: {
			struct udphdr *udp = l4;

			if ((void *)(udp + 1) > data_end)
				return XDP_DROP;
			key.l4 = L4_UDP;
			dport = bpf_ntohs(udp->dest);
			break;
		}
		case IPPROTO_ICMP:
			key.l4 = L4_ICMP;
			break;
		case IPPROTO_ICMPV6:
			key.l4 = L4_ICMPV6;
			break;
		default:
			key.l4 = L4_OTHER;
		}
	}

	if (key.l4 == L4_TCP && blocked_port && dport == blocked_port) {
		bpf_printk("xdp_stats: dropped TCP to blocked port %d", dport);
		action = XDP_DROP;
	}
	count(&key, data_end - data);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
