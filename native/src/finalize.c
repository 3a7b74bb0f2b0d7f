/* finalize.c: [2:INIT], the container's PID 1 until it execs the process.
 * Runs in: native.
 *
 * The order below is runc's (libcontainer/standard_init_linux.go, finalizeNamespace),
 * each step placed where the privileges it needs still exist and where what it changes
 * cannot be undone by a later step. The one difference: the PATH lookup and every
 * other check that can fail runs before SYNC_READY, because after it the CLI of
 * `create` has gone and an error could only reach the container's stderr. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "runts-proto.h"
#include "attrs.h"
#include "log.h"
#include "seccomp.h"
#include "stages.h"
#include "sync.h"

/* Move fd off `low` so that dup2(x, low) cannot clobber it. */
static int move_above(int fd, int low)
{
	int nfd;
	if (fd < 0 || fd > low)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, low + 1);
	if (nfd < 0)
		bail("move fd %d above %d", fd, low);
	close(fd);
	return nfd;
}

/* setup (TS) does the mounts, pivot_root, hostname: everything that needs no single
 * thread. Its only extra fd is its socket to the CLI, as fd 3. */
static void run_setup(struct runts_config *cfg)
{
	pid_t pid;
	int status;

	log_debug("exec setup %s", cfg->setup_path);
	pid = fork();
	if (pid < 0)
		bail("fork setup");
	if (pid == 0) {
		/* Keep our own fds (for bail) out of the way of fd 3, and close-on-exec, so
		 * setup sees stdio and its socket only. */
		runts_sync_fd = move_above(runts_sync_fd, 3);
		runts_log_fd = move_above(runts_log_fd, 3);
		if (cfg->setup_fd == 3) {
			if (fcntl(3, F_SETFD, 0) < 0)
				bail("clear FD_CLOEXEC on the setup socket");
		} else if (dup2(cfg->setup_fd, 3) < 0) {
			bail("dup2 the setup socket to fd 3");
		}
		if (close_range(4, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			bail("mark fds above 3 close-on-exec for setup");
		/* Setup dies with init: nothing may keep mounting for a dead container. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			bail("set setup's parent death signal");
		execve(cfg->setup_path, cfg->setup_argv.v, cfg->setup_envp.v);
		bail("exec setup %s", cfg->setup_path);
	}
	/* setup holds the only copy the container side needs; the CLI sees EOF on it when
	 * setup exits. */
	if (close(cfg->setup_fd) < 0)
		bail("close the setup socket");
	status = wait_status(pid);
	if (WIFSIGNALED(status))
		bailx(0, "setup was killed by signal %d", WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bailx(0, "setup exited with status %d", WEXITSTATUS(status));
	log_debug("setup done");
}

/* --no-pivot: setup moved the rootfs mount onto "/" and chrooted itself, which changes
 * its own root only. runc does both in one process (msMoveRoot: chdir(rootfs), MS_MOVE,
 * chroot(".")); our init is a different process, and neither of the usual ways to follow
 * works for it: a chdir into the rootfs before setup lands in the directory under the
 * bind mount setup puts on it (so a later chroot(".") would see none of the container's
 * mounts), and after the move "/" and the rootfs path both still name the old tree,
 * because a lookup never descends into a mount stacked on its starting root.
 * setns(2) into our own mount namespace does: it sets root and cwd to the namespace's
 * root followed down through the mounts on top of it (LOOKUP_DOWN in mntns_install),
 * which is now the moved rootfs. The namespace file is opened before setup runs,
 * because setup hides the host's /proc. Needs CAP_SYS_ADMIN and CAP_SYS_CHROOT in the
 * namespace's user namespace, which init still has. */
static int open_own_mntns(struct runts_config *cfg)
{
	int fd;
	if (!cfg->no_pivot)
		return -1;
	fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bail("open /proc/self/ns/mnt for --no-pivot");
	return fd;
}

static void follow_moved_root(int mntns_fd)
{
	if (mntns_fd < 0)
		return;
	if (setns(mntns_fd, CLONE_NEWNS) < 0)
		bail("setns into our own mount namespace to enter the moved rootfs (--no-pivot)");
	if (close(mntns_fd) < 0)
		bail("close the mount namespace fd");
	log_debug("init followed the moved rootfs");
}

/* runc (setupUser) gives the process a HOME when its env has none or an empty one: the
 * home of the first /etc/passwd entry with the process uid, or "/". Read here, after
 * setup and as root, so that it is the container's /etc/passwd (with whatever is
 * mounted over it) and readable whoever the user is. Parsed by hand, never getpwuid():
 * NSS would dlopen libraries from the container's rootfs into this root process. */
static void fill_home(struct runts_config *cfg)
{
	char line[4096], *home = "/", *entry;
	FILE *f = NULL;
	struct stat st;
	int fd;

	if (!cfg->has_home_env)
		return;
	/* O_NONBLOCK and a regular-file check: the image decides what /etc/passwd is, and a
	 * FIFO there must not hang init. */
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
		bail("open /etc/passwd to find HOME");
	if (fd >= 0) {
		if (fstat(fd, &st) < 0)
			bail("stat /etc/passwd");
		if (!S_ISREG(st.st_mode)) {
			close(fd);
		} else if ((f = fdopen(fd, "r")) == NULL) {
			bail("fdopen /etc/passwd");
		}
	}
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		/* name:password:uid:gid:gecos:home:shell */
		char *field[7] = { 0 }, *p = line, *end;
		int n = 0;
		unsigned long uid;
		line[strcspn(line, "\n")] = '\0';
		while (n < 7) {
			field[n++] = p;
			p = strchr(p, ':');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (n < 3 || field[2][0] == '\0')
			continue;
		errno = 0;
		uid = strtoul(field[2], &end, 10);
		if (errno != 0 || *end != '\0' || uid != cfg->uid)
			continue;
		home = n >= 6 ? field[5] : "";
		break;
	}
	if (asprintf(&entry, "HOME=%s", home) < 0)
		bail("allocate HOME");
	if (f != NULL)
		fclose(f);
	cfg->envp.v[cfg->home_env] = entry;
}

/* runc (fixStdioPermissions): hand stdio to the process user, so that it can reopen
 * them (/dev/stdout, /proc/self/fd/1) as a non-root user. Only the owner changes, and
 * not for /dev/null or what the user already owns. EINVAL (owner not mapped in our user
 * namespace), EPERM and EROFS leave the fd alone rather than fail, as runc does.
 * Only in create mode (create, run -d) and exec --detach, where runc too hands its own
 * stdio to the process, or for a pty of ours. A foreground runc gives the process pipes
 * of its own and never touches the caller's stdio; ours are the caller's files or
 * terminal, which a container user must not be given. */
static void give_stdio_to_user(struct runts_config *cfg)
{
	struct stat null, st;
	bool have_null = false;
	/* A pty we made is the process' own terminal: its user must own it to use it
	 * (runc setupConsole relies on fixStdioPermissions for that). */
	if (cfg->mode != RUNTS_MODE_CREATE && cfg->mode != RUNTS_MODE_EXEC_DETACH && cfg->console_fd < 0)
		return;
	for (int fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			bail("fstat stdio fd %d", fd);
		}
		if (st.st_uid == cfg->uid)
			continue;
		if (!have_null && stat("/dev/null", &null) < 0)
			bail("stat /dev/null");
		have_null = true;
		if (st.st_rdev == null.st_rdev)
			continue;
		if (fchown(fd, cfg->uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
			bail("chown stdio fd %d to uid %u", fd, cfg->uid);
	}
}

/* A fresh session keyring, so the container cannot read or use the host's keys
 * (runc: "Do not inherit the parent's session keyring"). ENOSYS is tolerated like
 * runc does: a seccomp profile of an outer container may block keyctl. */
static void join_keyring(struct runts_config *cfg)
{
	char desc[512];
	long id, n;
	const char *p;
	unsigned long perm;
	int i;

	if (cfg->keyring_name == NULL)
		return;
	id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, cfg->keyring_name, 0, 0, 0);
	if (id < 0) {
		if (errno == ENOSYS) {
			log_debug("keyctl not supported; session keyring not joined");
			return;
		}
		bail("join session keyring %s", cfg->keyring_name);
	}
	if (!cfg->has_keyring_perm)
		return;
	/* "type;uid;gid;perm;description": perm is the 4th field, in hex (keyctl(2)). */
	n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof(desc) - 1, 0);
	if (n < 0)
		bail("describe session keyring %ld", id);
	desc[n < (long)sizeof(desc) ? n : (long)sizeof(desc) - 1] = '\0';
	for (p = desc, i = 0; i < 3 && p != NULL; i++) {
		p = strchr(p, ';');
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		bailx(0, "session keyring description %s has no permission field", desc);
	perm = strtoul(p, NULL, 16);
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, (unsigned long)(perm | cfg->keyring_perm), 0, 0) < 0)
		bail("set the session keyring's permissions");
}

/* Before dropping privileges: raising a hard limit needs CAP_SYS_RESOURCE. (In a new
 * user namespace that capability does not reach limits above the host's; runc sets
 * rlimits from the parent for that reason, which TS may choose instead.) */
static void apply_rlimits(struct runts_config *cfg)
{
	for (size_t i = 0; i < cfg->nrlimits; i++) {
		struct rlimit rl = { .rlim_cur = cfg->rlimits[i].soft, .rlim_max = cfg->rlimits[i].hard };
		if (prlimit(0, (int)cfg->rlimits[i].resource, &rl, NULL) < 0)
			bail("set rlimit %u", cfg->rlimits[i].resource);
	}
}

/* Go's exec.LookPath semantics (runc uses it): a name with a slash is checked as is,
 * otherwise the process env's PATH is searched, an empty entry meaning ".". A file
 * "is executable" when it is not a directory and has any x bit (Go's findExecutable). */
static int is_executable(const char *path, struct stat *st)
{
	if (stat(path, st) < 0)
		return -1;
	if (S_ISDIR(st->st_mode) || (st->st_mode & 0111) == 0) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

static char *look_path(struct runts_config *cfg)
{
	const char *file = cfg->argv.v[0];
	const char *path = "";
	struct stat st;
	size_t flen = strlen(file);

	if (strchr(file, '/') != NULL) {
		if (stat(file, &st) < 0)
			bail("exec: \"%s\": stat %s", file, file);
		if (is_executable(file, &st) < 0)
			bail("exec: \"%s\"", file);
		return (char *)file;
	}
	for (size_t i = 0; i < cfg->envp.n; i++)
		if (strncmp(cfg->envp.v[i], "PATH=", 5) == 0)
			path = cfg->envp.v[i] + 5;
	while (*path != '\0') {
		const char *end = strchrnul(path, ':');
		size_t dlen = (size_t)(end - path);
		char *cand = malloc(dlen + flen + 3);
		if (cand == NULL)
			bail("allocate a PATH candidate");
		if (dlen == 0)
			snprintf(cand, dlen + flen + 3, "./%s", file);
		else
			snprintf(cand, dlen + flen + 3, "%.*s/%s", (int)dlen, path, file);
		if (is_executable(cand, &st) == 0)
			return cand;
		free(cand);
		path = *end == ':' ? end + 1 : end;
		/* A trailing ':' is an empty (".") entry too. */
		if (*end == ':' && *path == '\0') {
			char *dot = malloc(flen + 3);
			if (dot == NULL)
				bail("allocate a PATH candidate");
			snprintf(dot, flen + 3, "./%s", file);
			if (is_executable(dot, &st) == 0)
				return dot;
			free(dot);
		}
	}
	bailx(0, "exec: \"%s\": executable file not found in $PATH", file);
}

static void cap_data(uint64_t v, struct __user_cap_data_struct d[2], int which)
{
	for (int i = 0; i < 2; i++) {
		uint32_t w = (uint32_t)(v >> (32 * i));
		if (which == 0)
			d[i].effective = w;
		else if (which == 1)
			d[i].permitted = w;
		else
			d[i].inheritable = w;
	}
}

/* Bounding set first, while we are still root with CAP_SETPCAP: it limits what any
 * later execve can gain, and cannot be raised again (capabilities(7)). */
static void drop_bounding(struct runts_config *cfg)
{
	for (unsigned long cap = 0; cap < 64; cap++) {
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0) {
			if (errno == EINVAL)
				break; /* past the kernel's last capability */
			bail("read bounding capability %lu", cap);
		}
		if (r == 1 && !(cfg->cap_bounding & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			bail("drop bounding capability %lu", cap);
	}
}

static void apply_caps(struct runts_config *cfg)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	cap_data(cfg->cap_effective, data, 0);
	cap_data(cfg->cap_permitted, data, 1);
	cap_data(cfg->cap_inheritable, data, 2);
	if (syscall(SYS_capset, &hdr, data) < 0)
		bail("capset");
	/* Ambient after capset: a capability can only be raised while it is in both the
	 * permitted and inheritable sets. Like runc (gocapability) an EINVAL (not in those
	 * sets, or unknown to the kernel) skips that capability. */
	for (unsigned long cap = 0; cap < 64; cap++) {
		if (!(cfg->cap_ambient & (1ULL << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
			/* EPERM: the capability is not in both permitted and inheritable. runc's
			 * default spec asks for ambient caps without an inheritable set, and runc
			 * (gocapability's Apply keeps only the last prctl's error) runs it anyway,
			 * so the same config must not fail here either. */
			if (errno != EINVAL && errno != EPERM)
				bail("raise ambient capability %lu", cap);
			log_debug("ambient capability %lu not raised (%s)", cap, errno == EPERM ? "EPERM" : "EINVAL");
		}
	}
}

/* Group list and gid before uid: after setresuid to a non-root user we would lack
 * CAP_SETGID. PR_SET_KEEPCAPS keeps the permitted set across the uid change so that
 * capset can then install exactly what TS computed (runc finalizeNamespace). */
static void apply_user(struct runts_config *cfg)
{
	if (cfg->has_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		bail("set PR_SET_KEEPCAPS");
	if (cfg->has_gids && setgroups(cfg->ngids, (const gid_t *)cfg->gids) < 0)
		bail("setgroups");
	if (setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		bail("setresgid(%u)", cfg->gid);
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		bail("setresuid(%u)", cfg->uid);
	if (cfg->has_caps && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		bail("clear PR_SET_KEEPCAPS");
}

static int chdir_cwd(struct runts_config *cfg, int retry)
{
	if (cfg->cwd == NULL)
		return 0;
	if (chdir(cfg->cwd) == 0)
		return 0;
	/* First attempt as root: may reach a directory the user cannot, but one only the
	 * user can reach (a root-squashed volume) gets a second try after the switch. */
	if (!retry && (errno == EACCES || errno == EPERM))
		return -1;
	bail("chdir to cwd (\"%s\") set in config.json failed", cfg->cwd);
}

/* The exec fifo must be reachable through the container's /proc before we report
 * ready, or the failure would only surface after `create` returned. */
static void check_fifo(struct runts_config *cfg, char *path, size_t len)
{
	struct stat a, b;
	snprintf(path, len, "/proc/self/fd/%d", cfg->exec_fifo_fd);
	if (fstat(cfg->exec_fifo_fd, &a) < 0)
		bail("stat exec fifo fd %d", cfg->exec_fifo_fd);
	if (stat(path, &b) < 0)
		bail("stat exec fifo through %s", path);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		bailx(0, "%s is not the exec fifo (is /proc the container's procfs?)", path);
}

static void read_capture(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	if (n < 0)
		n = 0;
	/* Without the final newline, so that the error stays one line for most hooks. */
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
}

static int memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		bail("memfd_create %s", name);
	return fd;
}

/* startContainer hooks run here, in the container, after the fifo was opened and before
 * the process is exec'd (runtime-spec config.md#startcontainer-hooks). Stdin is the
 * state JSON; stdout and stderr are captured for the error, as runc does. */
static void run_hook(struct runts_config *cfg, size_t idx)
{
	struct hook *h = &cfg->hooks[idx];
	int in = memfd("runts-state"), out = memfd("runts-hook-out"), err = memfd("runts-hook-err");
	int status, pidfd;
	pid_t pid;
	const char *state = cfg->state_json != NULL ? cfg->state_json : "";

	if (write_all(in, state, strlen(state)) < 0 || lseek(in, 0, SEEK_SET) < 0)
		bail("write the state for hook #%zu", idx);
	pid = fork();
	if (pid < 0)
		bail("fork hook #%zu", idx);
	if (pid == 0) {
		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		execve(h->path, h->argv.v, h->envp.v);
		_exit(127);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		bail("pidfd_open hook #%zu", idx);
	if (h->timeout > 0) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		int r;
		do
			r = poll(&pfd, 1, (int)(h->timeout > 2000000 ? 2000000000 : h->timeout * 1000));
		while (r < 0 && errno == EINTR);
		if (r < 0)
			bail("wait for hook #%zu", idx);
		if (r == 0) {
			kill(pid, SIGKILL);
			(void)wait_status(pid);
			bailx(0, "error running startContainer hook #%zu: hook ran past specified timeout of %u.0s",
			      idx, h->timeout);
		}
	}
	status = wait_status(pid);
	close(pidfd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char o[1024], e[1024], why[64];
		read_capture(out, o, sizeof(o));
		read_capture(err, e, sizeof(e));
		if (WIFSIGNALED(status))
			snprintf(why, sizeof(why), "signal: %d", WTERMSIG(status));
		else
			snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
		bailx(0, "error running startContainer hook #%zu: %s, stdout: %s, stderr: %s", idx, why, o, e);
	}
	close(in);
	close(out);
	close(err);
}

/* Die with [0:PARENT] until we are ready: a CLI that gave up kills the parent and must
 * not leave a half-made process behind. (getppid() cannot confirm the parent is still
 * there: from inside a new PID namespace it reads 0.) Cleared before ready, because in
 * create mode the parent exits on purpose right after. */
static void arm_parent_death(int ready_fd)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		bail("set the parent death signal");
	/* The death signal only covers a parent that dies from now on. [0:PARENT] holds
	 * the other end of ready_fd for as long as it lives, so a hang-up on it tells us
	 * it died before the prctl above. */
	struct pollfd p = { .fd = ready_fd, .events = POLLRDHUP };
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP)))
		bailx(0, "[0:PARENT] exited before init started");
}

/* The process' credentials and environment, in runc's order (finalizeNamespace), from
 * inside the container's filesystem; returns the path to execve. */
static char *finalize_process(struct runts_config *cfg)
{
	char *exe;
	int cwd_done;

	fill_home(cfg);
	attrs_apply_keycreate(cfg);
	join_keyring(cfg);
	apply_rlimits(cfg);
	if (cfg->has_umask)
		umask((mode_t)cfg->umask);
	cwd_done = chdir_cwd(cfg, 0) == 0;
	attrs_apply_privileged(cfg);
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we
	 * still have it, before the uid change and the capability drop (runc's order). */
	if (!cfg->no_new_privs)
		load_seccomp(cfg);
	if (cfg->has_caps)
		drop_bounding(cfg);
	give_stdio_to_user(cfg);
	apply_user(cfg);
	if (!cwd_done)
		chdir_cwd(cfg, 1);
	if (cfg->has_caps)
		apply_caps(cfg);
	/* no_new_privs last among the privilege changes: it also stops setuid binaries,
	 * and it is what allows an unprivileged seccomp filter later. */
	if (cfg->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		bail("set no_new_privs");
	/* As the container user, after chdir: relative PATH entries and permissions are
	 * those the process will have (runc looks up after finalizeNamespace too). */
	exe = look_path(cfg);
	attrs_apply_last(cfg);
	/* With no_new_privs, as late as we can and still report an error: the fewer
	 * syscalls init makes under the filter, the fewer a profile has to allow. */
	if (cfg->no_new_privs)
		load_seccomp(cfg);
	return exe;
}

/* Tell the CLI (and in the detached modes [0:PARENT]) that only execve is left. */
static void report_ready(struct runts_config *cfg, int ready_fd)
{
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0)
		bail("clear the parent death signal");
	sync_send(SYNC_READY, NULL, 0);
	if (cfg->mode == RUNTS_MODE_CREATE || cfg->mode == RUNTS_MODE_EXEC_DETACH) {
		char byte = 1;
		if (write_all(ready_fd, &byte, 1) < 0)
			bail("tell [0:PARENT] init is ready");
	}
}

void stage_init(struct runts_config *cfg, int ready_fd)
{
	char fifo_path[64];
	char *exe;
	int lo, fd, mntns_fd;

	runts_stage = RUNTS_STAGE_INIT;
	runts_kill_on_bail = 0;
	set_title("runts:[2:INIT]");
	arm_parent_death(ready_fd);

	/* The CLI first moves us into the container's cgroups and sets oom_score_adj. */
	sync_expect(SYNC_GO, NULL, 0);

	/* After the cgroup move, so the namespace's root is the container's cgroup. */
	if ((cfg->clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		bail("unshare(CLONE_NEWCGROUP)");
	/* A new session: the container must not share the caller's controlling terminal
	 * or receive its job-control signals. */
	if (setsid() < 0)
		bail("setsid");
	/* With our cwd at the root, pivot_root in setup moves it to the new root too. */
	if (chdir("/") < 0)
		bail("chdir /");

	mntns_fd = open_own_mntns(cfg);
	if (cfg->setup_path != NULL)
		run_setup(cfg);
	/* From here on we are in the container's root: pivot_root moves the root and cwd of
	 * every process of the mount namespace that used the old one; after MS_MOVE we go
	 * there ourselves. */
	follow_moved_root(mntns_fd);

	/* After setup, so that /dev/ptmx and /dev/console are the container's (runc
	 * standard_init_linux.go: setupConsole right after prepareRootfs). */
	setup_console(cfg, true);
	exe = finalize_process(cfg);
	check_fifo(cfg, fifo_path, sizeof(fifo_path));
	report_ready(cfg, ready_fd);

	/* Nothing of ours may reach the process: close the sync socket and the log (the
	 * CLI sees EOF on both and returns), the setup socket and the ready socket; keep
	 * fds 3..3+n-1 for --preserve-fds and the fifo fd, closed below (runc
	 * CloseExecFrom; CVE-2024-21626 for why a leaked fd matters). */
	lo = 3 + (int)cfg->preserve_fds;
	log_debug("closing fds from %d, keeping exec fifo fd %d", lo, cfg->exec_fifo_fd);
	runts_sync_fd = -1;
	runts_log_fd = -1;
	if (cfg->exec_fifo_fd > lo && close_range((unsigned)lo, (unsigned)cfg->exec_fifo_fd - 1, 0) < 0)
		bail("close fds %d..%d", lo, cfg->exec_fifo_fd - 1);
	if (close_range((unsigned)cfg->exec_fifo_fd + 1, ~0U, 0) < 0)
		bail("close fds above %d", cfg->exec_fifo_fd);

	/* Blocks until `start` opens the read side. The fd we hold is O_PATH (opening the
	 * FIFO for writing would block the CLI); Linux re-opens it through /proc. */
	do
		fd = open(fifo_path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		bail("open exec fifo %s", fifo_path);
	if (write_all(fd, "0", 1) < 0)
		bail("write exec fifo");
	close(fd);
	/* Closed before execve, not left to O_CLOEXEC: old kernels reset dumpable only
	 * after closing cloexec fds (CVE-2016-9962, runc standard_init_linux.go). */
	close(cfg->exec_fifo_fd);

	for (size_t i = 0; i < cfg->nhooks; i++)
		run_hook(cfg, i);

	execve(exe, cfg->argv.v, cfg->envp.v);
	bail("exec %s", exe);
}

/* Join mode: [1:CHILD] has joined every namespace of the container, and setns(mnt) has
 * put our root and cwd at the container's root, so there is no setup to run (runc
 * setns_init_linux.go). We are still non-dumpable from the joins, which keeps processes
 * of the container from ptrace-ing us or opening our /proc files while we hold host
 * fds and privileges (CVE-2016-9962); execve makes the process dumpable again. */
void stage_exec(struct runts_config *cfg, int ready_fd)
{
	char *exe;

	runts_stage = RUNTS_STAGE_INIT;
	runts_kill_on_bail = 0;
	set_title("runts:[2:INIT]");
	arm_parent_death(ready_fd);

	/* The CLI first writes our pid into every cgroup of the container: nothing of the
	 * process may run outside its limits. */
	sync_expect(SYNC_GO, NULL, 0);
	/* runc's exec does the same: the caller's terminal and job control stay outside. */
	if (setsid() < 0)
		bail("setsid");
	setup_console(cfg, false);
	exe = finalize_process(cfg);
	report_ready(cfg, ready_fd);

	/* Only stdio and the preserved fds reach the process: the sync, log and ready
	 * sockets all sit above them (spawn-native's layout). */
	log_debug("closing fds from %u", 3 + cfg->preserve_fds);
	runts_sync_fd = -1;
	runts_log_fd = -1;
	if (close_range(3 + cfg->preserve_fds, ~0U, 0) < 0)
		bail("close fds from %u", 3 + cfg->preserve_fds);
	execve(exe, cfg->argv.v, cfg->envp.v);
	bail("exec %s", exe);
}
