/* attrs.h: process attributes applied by [2:INIT] just before execve, in both modes —
 * personality, I/O priority, scheduler, AppArmor profile and SELinux label
 * (ATTR_PERSONALITY .. ATTR_SELINUX_LABEL in runts-proto.h). Runs in: native.
 * Every value is computed by the CLI (src/security/process-attrs.ts); this side only
 * hands it to the kernel. */
#ifndef RUNTS_ATTRS_H
#define RUNTS_ATTRS_H

#include <stdbool.h>
#include <stdint.h>

/* struct sched_attr (include/uapi/linux/sched/types.h), SCHED_ATTR_SIZE_VER1. Declared
 * here because glibc 2.36 has no declaration of its own. */
struct runts_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};
#define RUNTS_SCHED_ATTR_SIZE 56

struct proc_attrs {
	bool has_personality;
	uint32_t personality;
	bool has_ioprio;
	uint32_t ioprio;
	bool has_sched;
	struct runts_sched_attr sched; /* aligned copy of the record */
	const char *apparmor_exec;     /* NULL: none */
	const char *selinux_label;     /* NULL: none */
};

struct runts_config;

/* Before the session keyring is joined: the keyring gets the process label (runc
 * SetKeyLabel). No-op without ATTR_SELINUX_LABEL or without a keyring to join. */
void attrs_apply_keycreate(struct runts_config *cfg);
/* Still root with every capability, before seccomp without no_new_privs, the uid change
 * and the capability drop: I/O priority, scheduler, the exec labels. */
void attrs_apply_privileged(struct runts_config *cfg);
/* Last, after the PATH lookup and before a no_new_privs seccomp filter: personality. */
void attrs_apply_last(struct runts_config *cfg);

#endif
