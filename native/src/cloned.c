/* cloned.c: run runts-init from a sealed, anonymous copy of itself.
 *
 * CVE-2019-5736: a process in the container can open /proc/<init pid>/exe while the
 * init (or an exec's join process) is still runts-init, keep the fd, and write
 * through it once the file is no longer busy — overwriting the host binary that every
 * later container runs as root. runc's answer (libcontainer/nsenter/cloned_binary.c)
 * is to re-exec from a memfd copy with every write seal set: /proc/<pid>/exe then
 * names that copy, which nobody can modify, and the host file is never reachable from
 * the container. The copy costs one sendfile of ~150 KB per start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stages.h"

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "runts-init: %s: %s\n", what, strerror(errno));
	exit(1);
}

void ensure_sealed_copy(char **argv)
{
	struct stat st;
	off_t left;
	int self, copy;

	self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		die("open /proc/self/exe");
	/* Already the sealed copy: F_GET_SEALS only succeeds on a memfd. */
	int seals = fcntl(self, F_GET_SEALS);
	if (seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS) {
		close(self);
		return;
	}
	if (fstat(self, &st) < 0)
		die("stat /proc/self/exe");
	copy = memfd_create("runts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		die("memfd_create");
	for (left = st.st_size; left > 0;) {
		ssize_t n = sendfile(copy, self, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("copy /proc/self/exe into a memfd");
		left -= n;
	}
	close(self);
	if (fcntl(copy, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		die("seal the memfd copy");
	/* MFD_CLOEXEC is fine for an ELF image: the kernel holds the file once mapped. */
	fexecve(copy, argv, environ);
	die("fexecve the sealed copy");
}
