/* nsenter.c: [0:PARENT] and [1:CHILD], the namespace half of the native init.
 * Runs in: native.
 *
 * Why two processes before init (runc libcontainer/nsenter/nsexec.c does the same):
 * setns(2) and unshare(2) of a PID namespace only change the namespace of the caller's
 * future children, so the process that joins/creates the namespaces ([1:CHILD]) must
 * fork once more for init to actually live in them; and [0:PARENT] stays outside every
 * namespace so that it can wait for init and report its exit status in run mode. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runts-proto.h"
#include "log.h"
#include "stages.h"
#include "sync.h"

int wait_status(pid_t pid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);
		if (r >= 0)
			return status;
		if (errno != EINTR)
			bail("waitpid %d", pid);
	}
}

/* Open every path before the first setns: once we are in another mount namespace the
 * paths would resolve in the container's filesystem, or not at all. Join in the order
 * TS gives, which puts the user namespace first: its capabilities are what the other
 * setns calls are checked against (user_namespaces(7), runc nsexec.c join_namespaces). */
static void join_namespaces(struct runts_config *cfg)
{
	int *fds;
	size_t i;

	if (cfg->njoins == 0)
		return;
	fds = calloc(cfg->njoins, sizeof(int));
	if (fds == NULL)
		bail("allocate namespace fds");
	for (i = 0; i < cfg->njoins; i++) {
		fds[i] = open(cfg->joins[i].path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			bail("open namespace path %s", cfg->joins[i].path);
	}
	for (i = 0; i < cfg->njoins; i++) {
		log_debug("setns(%#x) into %s", cfg->joins[i].type, cfg->joins[i].path);
		/* A non-zero nstype makes the kernel check the file is that kind of namespace. */
		if (setns(fds[i], (int)cfg->joins[i].type) < 0)
			bail("setns(%#x) into %s", cfg->joins[i].type, cfg->joins[i].path);
		if (close(fds[i]) < 0)
			bail("close namespace fd of %s", cfg->joins[i].path);
	}
	free(fds);
}

static int joins_user_namespace(const struct runts_config *cfg)
{
	size_t i;
	for (i = 0; i < cfg->njoins; i++)
		if (cfg->joins[i].type == CLONE_NEWUSER)
			return 1;
	return 0;
}

/* fork(2) with CLONE_PARENT: init becomes [0:PARENT]'s child, not ours, so that
 * [1:CHILD] can exit right away and [0:PARENT] can wait for init in run mode. A NULL
 * stack makes the raw clone behave like fork (child continues on a copy of the stack);
 * glibc >= 2.25 no longer caches the pid, so getpid() stays right in the child. */
static pid_t clone_parent(void)
{
	return (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, 0);
}

static _Noreturn void stage_child(struct runts_config *cfg, pid_t parent_pid, int ready_fd)
{
	int joining = cfg->njoins > 0;
	int timens_fd = -1;
	uint32_t rest;
	pid_t init;

	runts_stage = RUNTS_STAGE_CHILD;
	set_title("runts:[1:CHILD]");
	/* If [0:PARENT] dies (the CLI SIGKILLed it), nothing must keep going in its name. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		bail("set the parent death signal");
	if (getppid() != parent_pid)
		bailx(0, "[0:PARENT] exited before [1:CHILD] started");

	/* Opened now, written after unshare(CLONE_NEWTIME): the kernel checks CAP_SYS_TIME
	 * against the credentials of whoever opened the file (file_ns_capable), and only
	 * now are ours those of the caller. After setresuid(0) in a new user namespace we
	 * are non-dumpable and our /proc files belong to the host's root, so a later open
	 * would fail with EACCES (runc has the parent write the offsets instead). */
	if (cfg->timens_offsets != NULL) {
		timens_fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
		if (timens_fd < 0)
			bail("open /proc/self/timens_offsets");
	}

	/* Non-dumpable while we enter namespaces other processes live in, so that they
	 * cannot ptrace us or open our /proc files to reach host resources (CVE-2016-9962;
	 * runc nsexec.c). Only when joining: otherwise it just breaks rootless setups. */
	if (joining && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		bail("set the process non-dumpable");
	join_namespaces(cfg);

	/* A joined user namespace gives us its capabilities, but our ids are still the
	 * host's, which it need not map: execve would then drop every capability (for the
	 * kernel, root is the namespace's uid 0) and what setup creates would belong to
	 * the host's root. Become its root, as runc's init does with setuid(0). */
	if (joins_user_namespace(cfg) && !(cfg->clone_flags & CLONE_NEWUSER)) {
		if (setresgid(0, 0, 0) < 0)
			bail("setresgid(0) in the joined user namespace");
		if (setresuid(0, 0, 0) < 0)
			bail("setresuid(0) in the joined user namespace");
	}

	/* The user namespace on its own and first: once mapped, it owns the namespaces we
	 * unshare next, and unsharing all at once has given wrongly owned namespace objects
	 * on some kernels (runc nsexec.c; e.g. the SELinux label of mqueue's kern mount). */
	if (cfg->clone_flags & CLONE_NEWUSER) {
		uint32_t pid = (uint32_t)getpid();
		if (unshare(CLONE_NEWUSER) < 0)
			bail("unshare(CLONE_NEWUSER)");
		/* The CLI must be able to open /proc/<pid>/uid_map: dumpable while it does. */
		if (joining && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			bail("set the process dumpable for the id mappings");
		/* Writing the maps needs CAP_SETUID in the parent user namespace, which only
		 * the CLI has; a process inside the new namespace cannot map itself. */
		sync_send(SYNC_USERMAP_PLS, &pid, sizeof(pid));
		sync_expect(SYNC_USERMAP_ACK, NULL, 0);
		if (joining && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
			bail("set the process non-dumpable again");
		/* Root of the namespace, so the remaining unshares and init's setup run with
		 * its full capabilities. Group first: after the uid change it could not. */
		if (setresgid(0, 0, 0) < 0)
			bail("setresgid(0) in the new user namespace");
		if (setresuid(0, 0, 0) < 0)
			bail("setresuid(0) in the new user namespace");
	}

	/* The cgroup namespace waits for init: its root is the caller's cgroup at unshare
	 * time, and init is only moved into the container's cgroup before SYNC_GO. */
	rest = cfg->clone_flags & ~(uint32_t)(CLONE_NEWUSER | CLONE_NEWCGROUP);
	if (rest != 0) {
		log_debug("unshare(%#x)", rest);
		if (unshare((int)rest) < 0)
			bail("unshare(%#x)", rest);
	}
	/* Offsets can only be written while no process is in the new time namespace yet
	 * (time_namespaces(7)): after unshare, before the clone that puts init in it. */
	if (timens_fd >= 0) {
		log_debug("write timens offsets");
		if (write_all(timens_fd, cfg->timens_offsets, strlen(cfg->timens_offsets)) < 0)
			bail("write /proc/self/timens_offsets");
		if (close(timens_fd) < 0)
			bail("close /proc/self/timens_offsets");
	}

	/* The fork that actually enters the new PID (and time) namespace. */
	init = clone_parent();
	if (init < 0)
		bail("clone init");
	if (init == 0) {
		if (is_join_mode(cfg->mode))
			stage_exec(cfg, ready_fd);
		stage_init(cfg, ready_fd);
	}

	runts_kill_on_bail = init;
	uint32_t p = (uint32_t)init;
	log_debug("init is pid %d", init);
	sync_send(SYNC_PID, &p, sizeof(p));
	exit(0);
}

/* 128 + signal, as shells and runc report a process killed by a signal. */
static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

void stage_parent(struct runts_config *cfg)
{
	int ready[2];
	pid_t self = getpid();
	pid_t child;
	int status;
	char byte;

	/* Init tells us it reached SYNC_READY on a private socket: it is our child through
	 * CLONE_PARENT, but we never see its pid, and the sync socket belongs to the CLI. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ready) < 0)
		bail("socketpair for the ready signal");
	child = fork();
	if (child < 0)
		bail("fork [1:CHILD]");
	if (child == 0) {
		close(ready[0]);
		stage_child(cfg, self, ready[1]);
	}
	if (close(ready[1]) < 0)
		bail("close the ready socket");

	status = wait_status(child);
	if (WIFSIGNALED(status))
		bailx(0, "[1:CHILD] was killed by signal %d", WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		exit(1); /* it has reported why on the sync socket */

	if (cfg->mode == RUNTS_MODE_CREATE || cfg->mode == RUNTS_MODE_EXEC_DETACH) {
		/* Exit once init is ready, so that it is re-parented to the caller's
		 * subreaper (containerd's shim) the way runc's init is. */
		int r = read_all(ready[0], &byte, 1);
		if (r == 0)
			exit(0);
		if (r < 0)
			bail("read the ready socket");
		/* EOF: init died before it was ready and has reported why (or was killed);
		 * it is still our child, so reap it rather than leave a zombie behind. */
		(void)wait_status(-1);
		exit(1);
	}
	/* Run and exec mode: init (the exec'd process) is the only child left. ready[0] stays open until we exit: init
	 * reads a hang-up on its end as our death (see stage_init). */
	status = wait_status(-1);
	log_debug("init exited with status %#x", status);
	exit(exit_code_of(status));
}
