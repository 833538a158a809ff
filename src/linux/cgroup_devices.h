/* Enforcing device rules on the container's cgroup: the devices controller where a v1 hierarchy has it,
 * otherwise an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to its v2 cgroup. */
#ifndef HULL_LINUX_CGROUP_DEVICES_H
#define HULL_LINUX_CGROUP_DEVICES_H

#include <stddef.h>

#include <linux/bpf.h>

#include "linux/cgroup.h"
#include "linux/device_rules.h"
#include "util/error.h"

/* HULL_DEVICE_CGROUP=bpf makes a hybrid host use the eBPF program on its unified hierarchy even where
 * the v1 controller exists (both are enforced by the kernel; this is how the eBPF path is exercised on
 * hybrid hosts). */
int cgroup_devices_apply(const struct cgroup_set *set, const struct device_rules *rules,
			 struct hull_error **err);

/* The eBPF program for the rules: the last matching rule decides, no match allows (as a cgroup without a
 * program).  Returns the number of instructions written to out (at most max), or -1 when it is too long. */
int device_bpf_program(const struct device_rules *rules, struct bpf_insn *out, size_t max);

#endif
