/* seccomp.c: install the seccomp filter compiled by the CLI (src/security/seccomp.ts,
 * through libseccomp), and pass on its listener when the profile has SCMP_ACT_NOTIFY.
 * Runs in: native.
 *
 * Nothing is decided here: the program and its SECCOMP_FILTER_FLAG_* come ready-made
 * in ATTR_SECCOMP, as crun does it (compile in the parent, only load in the child). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runts-proto.h"
#include "log.h"
#include "seccomp.h"
#include "sync.h"

#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

/* The CLI copies the listener out of us with pidfd_getfd and gives it to the agent
 * while we wait (runc syncParentSeccomp). We are under the new filter already, and
 * until the agent holds the listener a notified syscall would block us for good: so
 * only the number goes out, with write(2) (which the CLI refuses to notify), never
 * with sendmsg(2). read(2) and close(2) may be notified: the agent answers them. */
static void hand_over_listener(int fd)
{
	uint32_t n = (uint32_t)fd;

	sync_send(SYNC_SECCOMP_PLS, &n, sizeof(n));
	sync_expect(SYNC_SECCOMP_ACK, NULL, 0);
	if (close(fd) < 0)
		bail("close the seccomp listener");
}

void load_seccomp(struct runts_config *cfg)
{
	struct sock_fprog prog;
	long ret;

	if (cfg->seccomp_filter == NULL)
		return;
	prog.len = cfg->seccomp_len;
	prog.filter = cfg->seccomp_filter;
	log_debug("loading a seccomp filter of %u instructions, flags %#x", cfg->seccomp_len, cfg->seccomp_flags);
	/* seccomp(2) rather than prctl: only it takes flags. Without no_new_privs this needs
	 * CAP_SYS_ADMIN in our user namespace, which is why the caller loads it before
	 * dropping privileges then. */
	ret = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg->seccomp_flags, &prog);
	if (ret < 0)
		bail("load the seccomp filter (flags %#x)", cfg->seccomp_flags);
	/* With NEW_LISTENER the return value is the listener fd (close-on-exec). */
	if (cfg->seccomp_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
		hand_over_listener((int)ret);
}
