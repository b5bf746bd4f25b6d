/* A qemu TCG plugin (qemu-user 7.2, plugin API version 1) counting the guest instructions a
 * process executes: every translated block gets an inline add of its instruction count, run on
 * each execution of the block, and the total is written to the file given as `out=PATH` when the
 * process exits: the sum of a `-d nochain,exec,in_asm` log's executed blocks weighed by their
 * lengths (which equals the `-singlestep -d nochain,exec` line count), less the few run after the
 * exit callback (13 for tools/embedded/count.c), without writing the log, so
 * processes of tens of billions of instructions count in the time qemu takes to run them.
 * Run by tools/embedded/qemu-count.sh. The declarations are those of qemu's
 * include/qemu/qemu-plugin.h (Debian ships qemu-user without the header). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, void (*cb)(qemu_plugin_id_t, void *), void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

static uint64_t executed;
static char out[4096];

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &executed, qemu_plugin_tb_n_insns(tb));
}

static void finished(qemu_plugin_id_t id, void *unused) {
    (void)id;
    (void)unused;
    FILE *file = fopen(out, "w");
    if (file) {
        fprintf(file, "%llu\n", (unsigned long long)executed);
        fclose(file);
    }
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv) {
    (void)info;
    if (argc != 1 || strncmp(argv[0], "out=", 4) != 0) return -1;
    snprintf(out, sizeof out, "%s", argv[0] + 4);
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, finished, NULL);
    return 0;
}
