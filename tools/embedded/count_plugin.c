/* A qemu TCG plugin (qemu-user 7.2, plugin API version 1) counting the guest instructions a
 * process executes: every translated block gets an inline add of its instruction count, run on
 * each execution of the block, and the total is written to the file given as `out=PATH` when the
 * process exits: the sum of a `-d nochain,exec,in_asm` log's executed blocks weighed by their
 * lengths (which equals the `-singlestep -d nochain,exec` line count), less the few run after the
 * exit callback (13 for tools/embedded/count.c), without writing the log, so
 * processes of tens of billions of instructions count in the time qemu takes to run them.
 * With a second argument `symbols=PATH` the blocks are also added up per symbol of the program
 * (the one qemu names for a block's first instruction; "?" in libraries and unnamed code), written
 * to PATH as "count symbol" lines, largest first: where the instructions go (docs/detection.md
 * "Latency"). Run by tools/embedded/qemu-count.sh. The declarations are those of qemu's
 * include/qemu/qemu-plugin.h (Debian ships qemu-user without the header). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t executed;
static char out[4096];
static char symbols_out[4096];

/* Per-symbol counters, looked up when a block is translated (rarely), by the name's pointer and
 * then its text; a full table counts the rest under its last entry. */
enum { symbol_capacity = 16384 };
static struct symbol { const char *name; uint64_t executed; } symbols[symbol_capacity];
static size_t symbol_count;

static uint64_t *counter(const char *name) {
    if (!name) name = "?";
    for (size_t i = 0; i < symbol_count; i++)
        if (symbols[i].name == name || strcmp(symbols[i].name, name) == 0) return &symbols[i].executed;
    if (symbol_count == symbol_capacity) return &symbols[symbol_capacity - 1].executed;
    symbols[symbol_count].name = strdup(name);
    return &symbols[symbol_count++].executed;
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, n);
    if (symbols_out[0] && n > 0)
        qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
                                                 counter(qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, 0))), n);
}

static int larger(const void *a, const void *b) {
    uint64_t x = ((const struct symbol *)a)->executed, y = ((const struct symbol *)b)->executed;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void finished(qemu_plugin_id_t id, void *unused) {
    (void)id;
    (void)unused;
    FILE *file = fopen(out, "w");
    if (file) {
        fprintf(file, "%llu\n", (unsigned long long)executed);
        fclose(file);
    }
    if (!symbols_out[0]) return;
    qsort(symbols, symbol_count, sizeof symbols[0], larger);
    file = fopen(symbols_out, "w");
    if (!file) return;
    for (size_t i = 0; i < symbol_count && symbols[i].executed > 0; i++)
        fprintf(file, "%llu %s\n", (unsigned long long)symbols[i].executed, symbols[i].name);
    fclose(file);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv) {
    (void)info;
    if (argc < 1 || argc > 2 || strncmp(argv[0], "out=", 4) != 0) return -1;
    snprintf(out, sizeof out, "%s", argv[0] + 4);
    if (argc == 2) {
        if (strncmp(argv[1], "symbols=", 8) != 0) return -1;
        snprintf(symbols_out, sizeof symbols_out, "%s", argv[1] + 8);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, finished, NULL);
    return 0;
}
