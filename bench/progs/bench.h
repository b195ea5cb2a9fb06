/* SPDX-License-Identifier: Apache-2.0 OR MIT */
/*
 * bench.h: what every program of Hive's benchmark suite shares.
 *
 * Every program is an XDP program (SEC("xdp")) that takes the packet built by
 * crates/hive-bench (src/packets.rs) and returns a u32 that depends on the whole
 * computation, so that every engine's result can be compared before anything is timed.
 *
 * The standard packet is Ethernet + one 802.1Q tag + IPv4 with 4 bytes of options + TCP with
 * 20 bytes of options (MSS, SACK-permitted, timestamps, NOP, window scale) + PAYLOAD_LEN
 * bytes of payload. Compute programs only read the payload at PAYLOAD_OFF; the parsing
 * programs walk the headers themselves.
 *
 * Loops come in the four shapes the kernel verifier accepts: bounded loops it walks
 * iteration by iteration, `can_loop` (the may_goto instruction), the `bpf_for` open-coded
 * iterator (kfuncs bpf_iter_num_*) and the bpf_loop() helper with a callback.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define PAYLOAD_OFF 82 /* 14 Ethernet + 4 VLAN + 24 IPv4 + 40 TCP */
#define PAYLOAD_LEN 1024

/* The first PAYLOAD_OFF + len bytes, or NULL when the packet is shorter. */
static __always_inline __u8 *payload(struct xdp_md *ctx, __u32 len)
{
	__u8 *data = (__u8 *)(long)ctx->data;
	__u8 *end = (__u8 *)(long)ctx->data_end;
	if (data + PAYLOAD_OFF + len > end)
		return 0;
	return data + PAYLOAD_OFF;
}

/* The end of the packet. */
static __always_inline __u8 *pkt_end(struct xdp_md *ctx)
{
	return (__u8 *)(long)ctx->data_end;
}

/* Little-endian word loads from packet bytes, possibly unaligned: one load instruction each
 * (x86-64 and the kernel's verifier allow unaligned packet loads; a memcpy would make
 * clang emit byte loads). */
static __always_inline __u64 load64(const __u8 *p)
{
	return *(const __u64 *)p;
}

static __always_inline __u32 load32(const __u8 *p)
{
	return *(const __u32 *)p;
}

static __always_inline __u16 load16(const __u8 *p)
{
	return *(const __u16 *)p;
}

/* Folds 64 bits into a 32-bit result. */
static __always_inline __u32 fold64(__u64 x)
{
	return (__u32)x ^ (__u32)(x >> 32);
}

/* Hides a value from the optimiser (it may not assume anything about it afterwards). */
#define opaque(x) asm volatile("" : "+r"(x))

/* p + (off & mask), with the mask hidden from the optimiser so that it reaches the verifier:
 * the offset is then bounded by the mask alone, whatever the verifier knows of `off` (in
 * a can_loop loop it may have widened the counter to an unknown value). */
#define at(p, off, mask)                  \
	({                                \
		__u64 __o = (off);        \
		opaque(__o);              \
		(p) + (__o & (mask));     \
	})

/* The constant n, unknown to the verifier: n + ctx->rx_queue_index, a field that is 0 on
 * every engine here (the kernel's test run uses queue 0, and so does the bench's xdp_md)
 * but that the verifier cannot know. A can_loop loop bounded by it is not walked
 * iteration by iteration: a counter compared with a known constant is "precise" and every
 * iteration a new state, while against an unknown bound the counter stays imprecise and is
 * widened at may_goto, so the body is verified a few times only. Accesses then take their
 * bounds from `at()`'s mask, and may_goto bounds the loop. */
#define hidden(ctx, n) ((__u32)(n) + (ctx)->rx_queue_index)

/* `can_loop`: true while the frame's may_goto budget lasts (8M iterations in the kernel). */
#define can_loop                                                   \
	({                                                         \
		__label__ l_break, l_continue;                     \
		int ret = 1;                                       \
		asm volatile goto("may_goto %l[l_break]" :::: l_break); \
		goto l_continue;                                   \
	l_break:                                                   \
		ret = 0;                                           \
	l_continue:;                                               \
		ret;                                               \
	})

/* The numeric open-coded iterator (kernel kfuncs, resolved against vmlinux BTF). */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/* for (i = start; i < end; i++), checked by the verifier through the iterator. */
#define bpf_for(i, start, end)                                                              \
	for (struct bpf_iter_num ___it __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \
	     *___p __attribute__((unused)) =                                                  \
		     (bpf_iter_num_new(&___it, (start), (end)), (void)bpf_iter_num_destroy, (void *)0); \
	     ({                                                                               \
		     int *___t = bpf_iter_num_next(&___it);                                   \
		     (___t && ((i) = *___t, (i) >= (start) && (i) < (end)));                  \
	     });)

/* xorshift64: a cheap deterministic generator seeded from the packet. */
static __always_inline __u64 xorshift64(__u64 x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* A map definition in the legacy `maps` section (five u32s, as libbpf's old struct
 * bpf_map_def), which a loader can read without BTF. */
struct bench_map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 map_flags;
};

#define BENCH_MAP(name, type_, key, value, entries) \
	struct bench_map_def name SEC("maps") = { \
		.type = (type_), .key_size = (key), .value_size = (value), .max_entries = (entries) }

#define LICENSE_GPL char LICENSE[] SEC("license") = "GPL"
