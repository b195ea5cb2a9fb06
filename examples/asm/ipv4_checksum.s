// Internet checksum (RFC 1071) over the input: r1 = buffer, r2 = length in bytes.
// Returns the 16-bit one's-complement checksum: 0 when the buffer is an IPv4 header
// with a correct checksum field.
    r0 = 0
    r3 = 0                      // offset of the next 16-bit word
words:
    r4 = r3
    r4 += 2
    if r4 > r2 goto odd_byte
    r5 = r1
    r5 += r3
    r6 = *(u16 *)(r5 + 0)
    r6 = be16 r6                // words are in network byte order
    r0 += r6
    r3 = r4
    goto words
odd_byte:
    if r3 >= r2 goto fold
    r5 = r1
    r5 += r3
    r6 = *(u8 *)(r5 + 0)
    r6 <<= 8
    r0 += r6
fold:
    r4 = r0
    r4 >>= 16
    if r4 == 0 goto done
    r0 &= 0xffff
    r0 += r4
    goto fold
done:
    r0 ^= 0xffff
    exit
