# Rebuilds the committed example binaries from their sources with Hive's own assembler.
HIVE ?= cargo run --quiet --release --bin hive --

ASM_SOURCES := $(wildcard examples/asm/*.s)

.PHONY: examples
examples: $(ASM_SOURCES:.s=.bin)

examples/asm/%.bin: examples/asm/%.s
	$(HIVE) asm $< -o $@
