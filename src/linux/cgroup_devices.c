#include "linux/cgroup_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define MAX_INSNS 4096

static bool is_v2_dir(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

static int apply_v1(const char *dir, const struct device_rules *rules, struct hull_error **err)
{
	cleanup_close int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return hull_error_errno(err, "open devices cgroup `%s`", dir);
	for (size_t i = 0; i < rules->n_rules; i++) {
		char line[64];
		const char *file = rules->rules[i].allow ? "devices.allow" : "devices.deny";
		device_rule_format(&rules->rules[i], line, sizeof(line));
		if (fs_write_file(dfd, file, line, strlen(line), err) < 0)
			return hull_error_wrap(err, "device rule `%s` to %s", line, file);
	}
	return 0;
}

/* Instruction helpers (linux/filter.h is not exported to user space). */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

int device_bpf_program(const struct device_rules *rules, struct bpf_insn *out, size_t max)
{
	size_t n = 0;

#define EMIT(i)                                                                                              \
	do {                                                                                                 \
		if (n >= max)                                                                                \
			return -1;                                                                           \
		out[n++] = (i);                                                                              \
	} while (0)
	/* r2 = device type, r3 = requested access, r4 = major, r5 = minor (struct bpf_cgroup_dev_ctx). */
	EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
	EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
	EMIT(insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
	EMIT(insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
	EMIT(insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
	/* Rules from last to first, so that the first match is the rule that came last. */
	for (size_t k = rules->n_rules; k-- > 0;) {
		const struct device_rule *r = &rules->rules[k];
		size_t jumps[8], n_jumps = 0;

		if (r->type != 'a') {
			jumps[n_jumps++] = n;
			EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 0,
				  r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
		}
		if (r->access != 7) {
			/* An allow rule must cover every requested bit; a deny rule hits any of its bits. */
			EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
			EMIT(insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0,
				  r->allow ? (int32_t)(~r->access & 7) : (int32_t)r->access));
			jumps[n_jumps++] = n;
			EMIT(insn(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_1, 0, 0, 0));
		}
		if (r->major >= 0) {
			jumps[n_jumps++] = n;
			EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 0, (int32_t)r->major));
		}
		if (r->minor >= 0) {
			jumps[n_jumps++] = n;
			EMIT(insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)r->minor));
		}
		EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
		EMIT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
		for (size_t j = 0; j < n_jumps; j++)
			out[jumps[j]].off = (int16_t)(n - jumps[j] - 1);
		/* A rule without conditions matches everything: the verifier refuses code after it. */
		if (n_jumps == 0)
			return (int)n;
	}
	EMIT(insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
	EMIT(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
#undef EMIT
	return (int)n;
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Loads without a verifier log first (a log that does not fit fails the load); only a refusal is
 * loaded again with one, to say why. */
static int load_program(const struct bpf_insn *prog, uint32_t n, struct hull_error **err)
{
	union bpf_attr attr;
	int fd, saved;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uintptr_t)prog;
	attr.insn_cnt = n;
	attr.license = (uintptr_t) "Apache";
	fd = bpf_call(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	saved = errno;
	if (saved == EINVAL || saved == EACCES) {
		cleanup_free char *log = calloc(1, 65536);
		if (log) {
			attr.log_buf = (uintptr_t)log;
			attr.log_size = 65536;
			attr.log_level = 1;
			fd = bpf_call(BPF_PROG_LOAD, &attr);
			if (fd >= 0)
				return fd;
			char *last = strrchr(log, '\n');
			while (last && last > log && last[1] == '\0') {
				*last = '\0';
				last = strrchr(log, '\n');
			}
			/* The verifier's first line says what it refused; the last is only statistics. */
			log[strcspn(log, "\n")] = '\0';
			return hull_error_set(err, saved, "load the device eBPF program (verifier: %s)", log);
		}
	}
	errno = saved;
	return hull_error_errno(err, "load the device eBPF program");
}

/* Attaches the program to the v2 cgroup and detaches the ones attached before (an update replaces). */
static int apply_bpf(const char *dir, const struct device_rules *rules, struct hull_error **err)
{
	cleanup_free struct bpf_insn *prog = calloc(MAX_INSNS, sizeof(*prog));
	cleanup_close int cg = -1, fd = -1;
	uint32_t old_ids[64];
	union bpf_attr attr;
	int n;

	if (prog == NULL)
		return hull_error_set(err, ENOMEM, "device program");
	n = device_bpf_program(rules, prog, MAX_INSNS);
	if (n < 0)
		return hull_error_invalid(err, "device rules: too many for one eBPF program");
	cg = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0)
		return hull_error_errno(err, "open cgroup `%s`", dir);

	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = cg;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uintptr_t)old_ids;
	attr.query.prog_cnt = sizeof(old_ids) / sizeof(old_ids[0]);
	if (bpf_call(BPF_PROG_QUERY, &attr) < 0)
		attr.query.prog_cnt = 0;
	uint32_t n_old = attr.query.prog_cnt;

	fd = load_program(prog, (uint32_t)n, err);
	if (fd < 0)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cg;
	attr.attach_bpf_fd = fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
		return hull_error_errno(err, "attach the device eBPF program to `%s`", dir);
	for (uint32_t i = 0; i < n_old; i++) {
		union bpf_attr get = {.prog_id = old_ids[i]};
		cleanup_close int old = bpf_call(BPF_PROG_GET_FD_BY_ID, &get);
		if (old < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		attr.target_fd = cg;
		attr.attach_bpf_fd = old;
		attr.attach_type = BPF_CGROUP_DEVICE;
		if (bpf_call(BPF_PROG_DETACH, &attr) < 0)
			hull_log_warning("cgroup `%s`: detach the previous device program: %m", dir);
	}
	return 0;
}

int cgroup_devices_apply(const struct cgroup_set *set, const struct device_rules *rules,
			 struct hull_error **err)
{
	const char *force = getenv("HULL_DEVICE_CGROUP");
	char path[4200];
	const char *v1 = force && strcmp(force, "bpf") == 0
			     ? NULL
			     : cgroup_set_find(set, "devices.allow", path, sizeof(path));

	if (rules->n_rules == 0)
		return 0;
	if (v1)
		return apply_v1(v1, rules, err);
	for (size_t i = 0; i < set->n_dirs; i++)
		if (is_v2_dir(set->dirs[i]))
			return apply_bpf(set->dirs[i], rules, err);
	return hull_error_fail(err, ENOTSUP,
			       "device rules: this host has neither a v1 devices controller nor a cgroup v2 "
			       "hierarchy to attach an eBPF program to");
}
