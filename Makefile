# Rebuilds the committed example binaries from their sources with Hive's own assembler.
HIVE ?= cargo run --quiet --release --bin hive --

ASM_SOURCES := $(wildcard examples/asm/*.s)

.PHONY: examples
examples: $(ASM_SOURCES:.s=.bin)

examples/asm/%.bin: examples/asm/%.s
	$(HIVE) asm $< -o $@

# Rebuilds the benchmark suite's committed objects (bench/progs/*.bpf.o) with clang-19:
# -mcpu=v3 by default, -mcpu=v4 for the *_v4 programs.
BPF_CLANG ?= clang-19
BPF_CFLAGS ?= -g -O2 -target bpf -I/usr/include/x86_64-linux-gnu
BENCH_SOURCES := $(wildcard bench/progs/*.bpf.c)

.PHONY: bench-progs
bench-progs: $(BENCH_SOURCES:.c=.o)

bench/progs/%_v4.bpf.o: bench/progs/%_v4.bpf.c bench/progs/bench.h
	$(BPF_CLANG) $(BPF_CFLAGS) -mcpu=v4 -c $< -o $@

bench/progs/%.bpf.o: bench/progs/%.bpf.c bench/progs/bench.h
	$(BPF_CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

bench/progs/bswap_v4.bpf.o: bench/progs/bswap.bpf.c
bench/progs/sext_v4.bpf.o: bench/progs/sext.bpf.c

# Rebuilds the bundled BPF example objects (examples/bpf/*.bpf.o) from their C sources, as a
# user would build them for the kernel; needs clang-19 and libbpf-dev
# (apt-get install clang-19 libbpf-dev). The input packets come from
# examples/bpf/packets/make_packets.py.
EXAMPLE_BPF_SOURCES := $(wildcard examples/bpf/*.bpf.c)

.PHONY: examples-bpf
examples-bpf: $(EXAMPLE_BPF_SOURCES:.c=.o)

examples/bpf/%.bpf.o: examples/bpf/%.bpf.c
	$(BPF_CLANG) $(BPF_CFLAGS) -c $< -o $@
