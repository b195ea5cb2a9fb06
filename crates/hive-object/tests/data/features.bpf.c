// SPDX-License-Identifier: Apache-2.0 OR MIT
// Loader features the shared corpora do not cover, checked by tests/features.rs:
// autoload off (`?`), one static subprogram shared by two programs in one section, a
// callback taken by address, a global subprogram, and CO-RE cases relocated against
// features_tgt.bpf.c's types: a field that shrinks (the load narrows), a signed field that
// shrinks (poisoned, but guarded), a field that is gone (poisoned, but guarded), a 64-bit
// enum value that changed, sizes and existence.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

int counter = 1;                        // .data
int zeroed;                             // .bss
const volatile int limit = 40;          // .rodata
int custom SEC(".data.custom") = 2;     // .data.custom

static __noinline int twice(int x) { return 2 * x + zeroed; }

__noinline int global_add(int a, int b) { return a + b + counter; }

SEC("socket") int first(struct __sk_buff *skb) { return twice(1) + global_add(1, 2); }

SEC("socket") int second(struct __sk_buff *skb) { return global_add(twice(3), custom) - limit; }

SEC("?xdp") int not_autoloaded(struct xdp_md *ctx) { return XDP_PASS; }

static int step(__u32 index, void *ctx) { *(int *)ctx += index; return 0; }

SEC("tc") int with_callback(struct __sk_buff *skb) {
	int sum = 0;
	bpf_loop(4, step, &sum, 0);
	return sum;
}

struct rec {
	unsigned int a;
	int b;
	long c;
	int gone;
	unsigned int flags : 3, kind : 5;
} __attribute__((preserve_access_index));

enum big { BIG_A = 1, BIG_B = 0x100000000ULL };

SEC("socket") int core(struct __sk_buff *skb) {
	// Target layout (features_tgt.bpf.c): u16 a @0, s16 b @2, long c @8, then
	// kind:5 @128, flags:3 @133; no `gone`.
	unsigned char buf[24] = {};
	buf[0] = 0x34; buf[1] = 0x12;            // a = 0x1234
	buf[8] = 7;                              // c = 7
	buf[16] = 9 | (5 << 5);                  // kind = 9, flags = 5
	struct rec *r = (void *)buf;

	if (__builtin_preserve_access_index(r->a) != 0x1234)
		return __LINE__;
	if (bpf_core_field_size(r->b) == 4) {
		// A signed field that shrank cannot be narrowed: poisoned, and skipped here.
		if (__builtin_preserve_access_index(r->b) != 0)
			return __LINE__;
	}
	if (__builtin_preserve_access_index(r->c) != 7)
		return __LINE__;
	if (bpf_core_field_exists(r->gone))
		return __builtin_preserve_access_index(r->gone);
	if (BPF_CORE_READ_BITFIELD(r, kind) != 9)
		return __LINE__;
	if (BPF_CORE_READ_BITFIELD(r, flags) != 5)
		return __LINE__;
	if (bpf_core_enum_value(enum big, BIG_B) != 0x300000000ULL)
		return __LINE__;
	if (bpf_core_type_size(struct rec) != 24)
		return __LINE__;
	if (!bpf_core_field_exists(r->c) || bpf_core_field_size(r->a) != 2)
		return __LINE__;
	return 0;
}
