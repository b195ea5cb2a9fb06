// Sums fib(0) + fib(1) + ... + fib(n - 1) for n = 60, calling a subprogram for each term.
// Shows bpf-to-bpf calls: r1 carries the argument, r6-r9 survive the call.
    r6 = 0                      // i
    r7 = 0                      // sum
next:
    if r6 >= 60 goto done
    r1 = r6
    call fib
    r7 += r0
    r6 += 1
    goto next
done:
    r0 = r7
    exit

// fib(r1), iteratively, with its own stack frame.
fib:
    *(u64 *)(r10 - 8) = r1      // the count down, kept on this frame's stack
    r0 = 0
    r2 = 1
fib_loop:
    r3 = *(u64 *)(r10 - 8)
    if r3 == 0 goto fib_done
    r3 -= 1
    *(u64 *)(r10 - 8) = r3
    r4 = r0
    r4 += r2
    r0 = r2
    r2 = r4
    goto fib_loop
fib_done:
    exit
