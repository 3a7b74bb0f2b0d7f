/* attrs.c: personality, I/O priority, scheduler and the LSM exec labels of the process,
 * applied by [2:INIT] in init and join mode. Runs in: native.
 *
 * The order follows runc (standard_init_linux.go, setns_init_linux.go): the keyring
 * label before the keyring is created; I/O priority, scheduler and the exec labels
 * while init is still root with every capability (SCHED_FIFO/RR and IOPRIO_CLASS_RT need
 * CAP_SYS_NICE / CAP_SYS_ADMIN, which the process may not keep) and before a seccomp
 * filter loaded without no_new_privs could forbid the syscalls; the personality last,
 * so that nothing init still does runs under it. Each setting is inherited across
 * execve: an exec label and the keycreate label take effect at, respectively are reset
 * by, the execve (proc(5), selinux_bprm_creds_for_exec). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "attrs.h"
#include "bootstrap.h"
#include "log.h"

_Static_assert(sizeof(struct runts_sched_attr) == RUNTS_SCHED_ATTR_SIZE, "struct sched_attr is 56 bytes");

/* include/uapi/linux/ioprio.h */
#define IOPRIO_WHO_PROCESS 1

/* /proc/thread-self rather than /proc/self: an LSM only lets a thread change its own
 * attributes (init is single-threaded, but this says which one is meant). */
#define ATTR_DIR "/proc/thread-self/attr/"

/* Write value to a file under /proc/thread-self/attr. Checked to be the real procfs
 * (PROC_SUPER_MAGIC) on the fd we write: the container's /proc is whatever the config
 * mounted there, and a label written to a look-alike file would silently not apply.
 * Returns -1 with errno ENOENT only when enoent_ok and the file does not exist. */
static int write_proc_attr(const char *path, const char *value, const char *what, int enoent_ok)
{
	struct statfs sfs;
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		if (enoent_ok && errno == ENOENT)
			return -1;
		bail("%s: open %s", what, path);
	}
	if (fstatfs(fd, &sfs) < 0)
		bail("%s: fstatfs %s", what, path);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		bailx(EXDEV, "%s: %s is not on procfs (f_type %#lx)", what, path, (unsigned long)sfs.f_type);
	/* One write: an LSM takes the whole label from one write(2) and refuses partial ones. */
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		bail("%s: write %s", what, path);
	if ((size_t)n != len)
		bailx(EIO, "%s: short write to %s (%zd of %zu bytes)", what, path, n, len);
	if (close(fd) < 0)
		bail("%s: close %s", what, path);
	return 0;
}

void attrs_apply_keycreate(struct runts_config *cfg)
{
	if (cfg->attrs.selinux_label == NULL || cfg->keyring_name == NULL)
		return;
	write_proc_attr(ATTR_DIR "keycreate", cfg->attrs.selinux_label, "can't set keyring label", 0);
}

/* libapparmor's aa_change_onexec, as runc reimplements it: the per-LSM file of kernels
 * with LSM stacking (5.8+), else the shared one. */
static void apply_apparmor(const char *text)
{
	log_debug("apparmor: %s", text);
	if (write_proc_attr(ATTR_DIR "apparmor/exec", text, "apparmor failed to apply profile", 1) == 0)
		return;
	write_proc_attr(ATTR_DIR "exec", text, "apparmor failed to apply profile", 0);
}

void attrs_apply_privileged(struct runts_config *cfg)
{
	struct proc_attrs *a = &cfg->attrs;

	if (a->has_ioprio) {
		log_debug("ioprio_set %#x", a->ioprio);
		if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, a->ioprio) < 0)
			bail("failed to set io priority %#x", a->ioprio);
	}
	if (a->has_sched) {
		log_debug("sched_setattr policy %u flags %#llx nice %d priority %u", a->sched.sched_policy,
			  (unsigned long long)a->sched.sched_flags, a->sched.sched_nice, a->sched.sched_priority);
		if (syscall(SYS_sched_setattr, 0, &a->sched, 0) < 0)
			bail("error setting scheduler (policy %u)", a->sched.sched_policy);
	}
	if (a->selinux_label != NULL)
		write_proc_attr(ATTR_DIR "exec", a->selinux_label, "can't set process label", 0);
	if (a->apparmor_exec != NULL)
		apply_apparmor(a->apparmor_exec);
}

void attrs_apply_last(struct runts_config *cfg)
{
	if (!cfg->attrs.has_personality)
		return;
	log_debug("personality %#x", cfg->attrs.personality);
	if (personality(cfg->attrs.personality) < 0)
		bail("set personality %#x", cfg->attrs.personality);
}
