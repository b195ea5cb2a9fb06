/* 6x6 matrix product of 32-bit integers on the stack: A and B are loaded from the payload,
 * then A = f(A * B) is computed 16 times, one row at a time through a row buffer.
 * Stack-heavy: variable-offset stack loads and stores. Loops: can_loop outside, the inner
 * product unrolled. */
#include "bench.h"

#define N 6

SEC("xdp")
int matrix(struct xdp_md *ctx)
{
	__u8 *p = payload(ctx, 2 * N * N * 4);
	if (!p)
		return 0;
	__u32 a[N * N], b[N * N], row[N];
	for (int i = 0; i < N * N; i++) {
		a[i] = load32(p + i * 4);
		b[i] = load32(p + N * N * 4 + i * 4);
	}
	for (__u32 round = 0; round < 16 && can_loop; round++) {
		for (__u32 i = 0; i < N && can_loop; i++) {
			for (__u32 j = 0; j < N && can_loop; j++) {
				__u32 s = 0;
#pragma unroll
				for (int k = 0; k < N; k++)
					s += a[i * N + k] * b[k * N + j];
				row[j] = s ^ (s >> 7);
			}
#pragma unroll
			for (int j = 0; j < N; j++)
				a[i * N + j] = row[j];
		}
	}
	__u32 h = 0;
	for (int i = 0; i < N * N; i++)
		h = h * 31 + a[i];
	return h;
}

LICENSE_GPL;
