/* A branch-dense switch: a tiny stack-less bytecode machine runs the payload as code, one
 * byte per instruction, 32 opcodes on four registers (BPF has no jump tables, so clang
 * lowers the switch into a tree of compares). Two passes. Loop: bpf_for, 8 bytes (8 dispatches) per iteration. */
#include "bench.h"

SEC("xdp")
int switch_vm(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, PAYLOAD_LEN), *end = pkt_end(ctx);
	if (!p)
		return 0;
	__u32 a = 1, b = 2, c = 3, d = 4;
	int i;
	bpf_for(i, 0, 2 * PAYLOAD_LEN / 8) {
		__u8 *q = p + (i & (PAYLOAD_LEN / 8 - 1)) * 8;
		if (q + 8 > end)
			break;
		__u64 w = load64(q);
#pragma unroll
		for (int k = 0; k < 8; k++) {
			__u8 op = w >> (k * 8);
			switch (op & 31) {
			case 0: a += b; break;
			case 1: a -= c; break;
			case 2: b ^= a; break;
			case 3: b += d; break;
			case 4: c = c * 3 + 1; break;
			case 5: c ^= b >> 3; break;
			case 6: d += a << 1; break;
			case 7: d -= c; break;
			case 8: a = a << 3 | a >> 29; break;
			case 9: b = b >> 5 | b << 27; break;
			case 10: c += op; break;
			case 11: d ^= op << 8; break;
			case 12: a |= 1; break;
			case 13: b &= ~c; break;
			case 14: c = c > d ? c - d : d - c; break;
			case 15: d = a < b ? a : b; break;
			case 16: a += 0x9e3779b9; break;
			case 17: b ^= 0x85ebca6b; break;
			case 18: c += 0xc2b2ae35; break;
			case 19: d ^= d >> 16; break;
			case 20: { __u32 t = a; a = b; b = t; } break;
			case 21: { __u32 t = c; c = d; d = t; } break;
			case 22: a = ~a; break;
			case 23: b = -b; break;
			case 24: c &= 0xffff; break;
			case 25: d |= 0x10000; break;
			case 26: a += c; break;
			case 27: b += d; break;
			case 28: c ^= a; break;
			case 29: d ^= b; break;
			case 30: a = (a & 1) ? a + 7 : a >> 1; break;
			default: b = (b & 2) ? b * 5 : b + 11; break;
			}
		}
	}
	return a ^ b ^ c ^ d;
}

LICENSE_GPL;
