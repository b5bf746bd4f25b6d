/* Prints the probe hashes of Probe.swift; tools/cross-isa/numerics.sh compares them across ISAs. */
#include <stdint.h>
#include <stdio.h>

uint64_t probe_sigmoid(void);
uint64_t probe_requantize(void);
uint64_t probe_kernels(void);
uint64_t probe_heads(void);
uint64_t probe_wide(void);

int main(void) {
    printf("sigmoid %016llx\n", (unsigned long long)probe_sigmoid());
    printf("requantize %016llx\n", (unsigned long long)probe_requantize());
    printf("kernels %016llx\n", (unsigned long long)probe_kernels());
    printf("heads %016llx\n", (unsigned long long)probe_heads());
    printf("wide %016llx\n", (unsigned long long)probe_wide());
    return 0;
}
