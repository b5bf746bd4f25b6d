// Prints the fingerprints of the golden faces (the table of goldenFingerprintsOfThisGeneratorVersion,
// in order), one combined fingerprint of 200 more faces, then the same of 50 shaded faces
// (docs/synthetic-faces.md "Shaded rendering"), one per line in hex.
#include <stdint.h>
#include <stdio.h>

uint64_t fz_synthetic_fingerprint(uint64_t seed, uint64_t index, intptr_t size, intptr_t shaded);

int main(void) {
    static const struct { uint64_t seed, index; intptr_t size; } golden[] = {
        {0, 0, 64}, {0, 1, 64}, {0, 2, 64}, {7, 2000000, 64}, {0, 3, 96}, {0, 4, 32},
    };
    for (unsigned i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        printf("%016llX\n", (unsigned long long)fz_synthetic_fingerprint(golden[i].seed, golden[i].index, golden[i].size, 0));
    }
    uint64_t combined = 0;
    for (uint64_t index = 0; index < 200; index++) {
        combined = combined * 31 + fz_synthetic_fingerprint(5, index, 64, 0);
    }
    printf("%016llX\n", (unsigned long long)combined);
    uint64_t shaded = 0;
    for (uint64_t index = 0; index < 50; index++) {
        shaded = shaded * 31 + fz_synthetic_fingerprint(5, index, 64, 1);
    }
    printf("%016llX\n", (unsigned long long)shaded);
    return 0;
}
