/* log.c: JSON-line logs on the log fd and SYNC_ERROR reports. Runs in: native.
 *
 * Logs and errors travel apart (runc libcontainer/logs/logs.go, crun container.c): a log
 * line is a debugging aid the CLI forwards when --debug is on, while an error is data
 * the CLI turns into a ChildError and reports once. So bail() does not also log at
 * error level; it leaves one debug line and sends the error on the sync socket. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

#include "runts-proto.h"
#include "log.h"
#include "sync.h"

int runts_stage = RUNTS_STAGE_PARENT;
int runts_log_fd = -1;
int runts_sync_fd = -1;
pid_t runts_kill_on_bail = 0;

const char *stage_name(int stage)
{
	switch (stage) {
	case RUNTS_STAGE_PARENT: return "parent";
	case RUNTS_STAGE_CHILD: return "child";
	case RUNTS_STAGE_INIT: return "init";
	}
	return "?";
}

/* write(2) the whole buffer; MSG_NOSIGNAL so that a CLI that went away gives EPIPE
 * instead of killing us with SIGPIPE (we must never change SIGPIPE's disposition: it
 * is inherited across execve by the container process). */
int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* JSON string escaping for the bytes we produce: quotes, backslashes, control chars. */
static size_t json_escape(char *out, size_t cap, const char *in)
{
	size_t o = 0;
	for (; *in != '\0' && o + 7 < cap; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

static void log_line(const char *level, const char *msg)
{
	char esc[4096 * 2];
	char line[sizeof(esc) + 64];
	int saved = errno;

	if (runts_log_fd < 0)
		return;
	json_escape(esc, sizeof(esc), msg);
	int n = snprintf(line, sizeof(line), "{\"level\":\"%s\",\"msg\":\"%s: %s\"}\n", level,
			 stage_name(runts_stage), esc);
	if (n > 0)
		(void)write_all(runts_log_fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	errno = saved;
}

void log_debug(const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	int saved = errno;

	if (runts_log_fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line("debug", msg);
	errno = saved;
}

static _Noreturn void vbail(int err, const char *fmt, va_list ap)
{
	char msg[RUNTS_ERROR_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_debug("fatal: %s (errno %d)", msg, err);
	if (runts_kill_on_bail > 0)
		kill(runts_kill_on_bail, SIGKILL);
	/* After SYNC_READY the socket is closed and nobody waits for an answer: stderr is
	 * the only place left (it is the container's stderr, as in runc). */
	if (sync_send_error(runts_stage, err, msg) < 0) {
		if (err != 0)
			fprintf(stderr, "runts-init: %s: %s\n", msg, strerror(err));
		else
			fprintf(stderr, "runts-init: %s\n", msg);
	}
	exit(1);
}

void bail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;
	va_start(ap, fmt);
	vbail(err, fmt, ap);
}

void bailx(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vbail(err, fmt, ap);
}
