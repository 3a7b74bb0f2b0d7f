/* console.c: the process' terminal — a new pty from the container's devpts, its master
 * sent over the console socket, its other end the controlling terminal and stdio.
 * Runs in: native ([2:INIT], in the container's mount namespace).
 *
 * The wire format is runc's (libcontainer/utils/cmsg.go SendFd): one sendmsg whose data
 * is the pty's name ("/dev/pts/N", no NUL) and whose SCM_RIGHTS carries exactly the
 * master; nothing is read back. containerd, conmon and runc's recvtty accept it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>

#include "runts-proto.h"
#include "log.h"
#include "stages.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static void send_master(int sock, const char *name, int master)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	memset(control, 0, sizeof(control));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &master, sizeof(int));
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		bail("send the pty master over the console socket");
	if ((size_t)n != iov.iov_len)
		bailx(0, "send the pty master over the console socket: short write (%zd of %zu bytes)", n, iov.iov_len);
}

/* The other end of the pty. TIOCGPTPEER (Linux 4.13) opens it from the master itself,
 * so no path in a filesystem the container controls is looked up; the name is only the
 * fallback for older kernels. */
static int open_peer(int master, const char *name)
{
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != ENOTTY)
		bail("open the pty peer of %s", name);
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		bail("open %s", name);
	return fd;
}

/* runc mountConsole: PID 1's /dev/console is its pty. Both ends of the bind go through
 * fds: a /dev/console that is a symlink is refused rather than followed. */
static void mount_dev_console(int slave)
{
	char src[64], dst[64];
	int fd = open("/dev/console", O_RDONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0666);
	if (fd < 0)
		bail("create /dev/console");
	snprintf(src, sizeof(src), "/proc/self/fd/%d", slave);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d", fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		bail("bind the pty onto /dev/console");
	close(fd);
}

void setup_console(struct runts_config *cfg, bool mount_console)
{
	char name[64];
	unsigned int n;
	int unlock = 0, master, slave;

	if (cfg->console_fd < 0)
		return;
	/* /dev/ptmx of the container: in its devpts instance (newinstance, ptmxmode=0666),
	 * so the pty is numbered and visible there, not on the host. */
	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		bail("open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		bail("unlock the pty");
	if (ioctl(master, TIOCGPTN, &n) < 0)
		bail("get the pty number");
	snprintf(name, sizeof(name), "/dev/pts/%u", n);
	slave = open_peer(master, name);
	if (cfg->has_console_size) {
		struct winsize ws = { .ws_row = (unsigned short)cfg->console_height,
				      .ws_col = (unsigned short)cfg->console_width };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			bail("set the pty window size");
	}
	if (mount_console)
		mount_dev_console(slave);
	log_debug("pty %s: sending the master on fd %d", name, cfg->console_fd);
	send_master(cfg->console_fd, name, master);
	close(master);
	close(cfg->console_fd);
	cfg->console_fd = -1;

	for (int i = 0; i < 3; i++)
		if (dup3(slave, i, 0) < 0)
			bail("dup the pty onto fd %d", i);
	close(slave);
	/* We are a session leader without a terminal (setsid): the pty becomes ours. */
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		bail("make the pty the controlling terminal");
}
