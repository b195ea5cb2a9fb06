// SPDX-License-Identifier: Apache-2.0 OR MIT
// The "kernel" types features.bpf.c is relocated against (only its BTF is used).
struct rec {
	unsigned short a;
	short b;
	long c;
	unsigned int kind : 5, flags : 3;
};

enum big { BIG_A = 1, BIG_B = 0x300000000ULL };

struct rec *unused_rec __attribute__((unused));
enum big unused_big __attribute__((unused));
