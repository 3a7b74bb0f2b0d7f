/* seccomp.c: install the seccomp filter compiled by the CLI (src/security/seccomp.ts,
 * through libseccomp). Runs in: native.
 *
 * Nothing is decided here: the program and its SECCOMP_FILTER_FLAG_* come ready-made
 * in ATTR_SECCOMP, as crun does it (compile in the parent, only load in the child). */
#include <errno.h>
#include <stddef.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "seccomp.h"

void load_seccomp(struct runts_config *cfg)
{
	struct sock_fprog prog;

	if (cfg->seccomp_filter == NULL)
		return;
	prog.len = cfg->seccomp_len;
	prog.filter = cfg->seccomp_filter;
	log_debug("loading a seccomp filter of %u instructions, flags %#x", cfg->seccomp_len, cfg->seccomp_flags);
	/* seccomp(2) rather than prctl: only it takes flags. Without no_new_privs this needs
	 * CAP_SYS_ADMIN in our user namespace, which is why the caller loads it before
	 * dropping privileges then. */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg->seccomp_flags, &prog) != 0)
		bail("load the seccomp filter (flags %#x)", cfg->seccomp_flags);
}
