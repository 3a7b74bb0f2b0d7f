/* sync.c: the native side of the sync socket (diagram in runts-proto.h). Runs in: native.
 *
 * Only one stage talks at a time: [0:PARENT] reads the bootstrap and then only waits,
 * [1:CHILD] talks until SYNC_PID and exits, [2:INIT] talks from SYNC_GO on. So no two
 * processes ever read or write the socket concurrently. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runts-proto.h"
#include "log.h"
#include "sync.h"

int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const char *sync_name(uint32_t type)
{
	switch (type) {
	case SYNC_BOOTSTRAP: return "SYNC_BOOTSTRAP";
	case SYNC_USERMAP_PLS: return "SYNC_USERMAP_PLS";
	case SYNC_USERMAP_ACK: return "SYNC_USERMAP_ACK";
	case SYNC_PID: return "SYNC_PID";
	case SYNC_GO: return "SYNC_GO";
	case SYNC_READY: return "SYNC_READY";
	case SYNC_ERROR: return "SYNC_ERROR";
	case SYNC_CONSOLE_PLS: return "SYNC_CONSOLE_PLS";
	case SYNC_CONSOLE_ACK: return "SYNC_CONSOLE_ACK";
	case SYNC_SECCOMP_PLS: return "SYNC_SECCOMP_PLS";
	case SYNC_SECCOMP_ACK: return "SYNC_SECCOMP_ACK";
	}
	return "unknown";
}

static int send_msg(uint32_t type, const void *payload, uint32_t len)
{
	char buf[RUNTS_MSG_HDR_LEN + RUNTS_MSG_MAX];
	uint32_t hdr[2] = { type, len };

	if (runts_sync_fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (len > RUNTS_MSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	/* One write per message keeps header and payload together on the stream. */
	memcpy(buf, hdr, sizeof(hdr));
	if (len > 0)
		memcpy(buf + sizeof(hdr), payload, len);
	return write_all(runts_sync_fd, buf, sizeof(hdr) + len);
}

void sync_send(uint32_t type, const void *payload, uint32_t len)
{
	log_debug("send %s", sync_name(type));
	if (send_msg(type, payload, len) < 0)
		bail("send %s on the sync socket", sync_name(type));
}

int sync_send_error(int stage, int err, const char *msg)
{
	char payload[8 + RUNTS_ERROR_MSG_MAX];
	uint32_t st = (uint32_t)stage;
	int32_t e = err;
	size_t n = strnlen(msg, RUNTS_ERROR_MSG_MAX);

	memcpy(payload, &st, 4);
	memcpy(payload + 4, &e, 4);
	memcpy(payload + 8, msg, n);
	return send_msg(SYNC_ERROR, payload, (uint32_t)(8 + n));
}

static void read_hdr(uint32_t want, uint32_t hdr[2])
{
	int r = read_all(runts_sync_fd, hdr, 2 * sizeof(uint32_t));
	if (r < 0)
		bail("read the sync socket waiting for %s", sync_name(want));
	if (r > 0)
		bailx(0, "sync socket closed while waiting for %s", sync_name(want));
	if (hdr[0] != want)
		bailx(0, "unexpected message on the sync socket: expected %s (%u), got %s (%u)",
		      sync_name(want), want, sync_name(hdr[0]), hdr[0]);
}

void sync_expect(uint32_t type, void *payload, uint32_t len)
{
	uint32_t hdr[2];

	log_debug("wait for %s", sync_name(type));
	read_hdr(type, hdr);
	if (hdr[1] != len)
		bailx(0, "%s: payload length %u, want %u", sync_name(type), hdr[1], len);
	if (len > 0 && read_all(runts_sync_fd, payload, len) != 0)
		bail("read the %s payload", sync_name(type));
}

char *sync_expect_bootstrap(uint32_t *len)
{
	uint32_t hdr[2];
	char *buf;

	read_hdr(SYNC_BOOTSTRAP, hdr);
	if (hdr[1] > RUNTS_BOOTSTRAP_MAX)
		bailx(0, "SYNC_BOOTSTRAP: payload length %u exceeds %u", hdr[1], RUNTS_BOOTSTRAP_MAX);
	buf = malloc((size_t)hdr[1] + 1);
	if (buf == NULL)
		bail("allocate %u bytes for the bootstrap", hdr[1]);
	int r = read_all(runts_sync_fd, buf, hdr[1]);
	if (r < 0)
		bail("read the SYNC_BOOTSTRAP payload");
	if (r > 0)
		bailx(0, "sync socket closed in the middle of SYNC_BOOTSTRAP");
	buf[hdr[1]] = '\0';
	*len = hdr[1];
	return buf;
}
