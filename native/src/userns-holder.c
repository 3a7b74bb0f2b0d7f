/* userns-holder.c: `runts-init userns` holds a new user namespace for the CLI. Runs in: native.
 *
 * An idmapped mount (mount_setattr(2) MOUNT_ATTR_IDMAP) takes its mapping from a user
 * namespace fd. The CLI is Node, always multithreaded, and the kernel refuses
 * unshare(CLONE_NEWUSER) to a multithreaded process (unshare(2), EINVAL); so this
 * single-threaded helper unshares one, says so with one byte on stdout, and waits for
 * EOF on stdin. Meanwhile the CLI writes uid_map and gid_map (that needs CAP_SETUID and
 * CAP_SETGID over the parent namespace, which a process inside the new one lacks) and
 * opens /proc/<pid>/ns/user, which keeps the namespace alive after this process exits.
 * Nothing of a container ever runs here, so it needs no sealed copy (cloned.c). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stages.h"

int hold_userns(void)
{
	char c = 'u';
	ssize_t n;

	if (unshare(CLONE_NEWUSER) < 0) {
		fprintf(stderr, "runts-init userns: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return 1;
	}
	do
		n = write(STDOUT_FILENO, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return 1;
	/* Any byte or EOF ends the wait: the CLI is done with us (or gone). */
	do
		n = read(STDIN_FILENO, &c, 1);
	while (n < 0 && errno == EINTR);
	return 0;
}
