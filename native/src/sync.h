/* sync.h: fixed-shape messages on the sync socket (see runts-proto.h). Runs in: native. */
#ifndef RUNTS_SYNC_H
#define RUNTS_SYNC_H

#include <stddef.h>
#include <stdint.h>

int write_all(int fd, const void *buf, size_t len);
/* read(2) exactly len bytes; 0 on success, -1 with errno set, or 1 on a clean EOF. */
int read_all(int fd, void *buf, size_t len);

const char *sync_name(uint32_t type);
/* Send one message; bails on failure. */
void sync_send(uint32_t type, const void *payload, uint32_t len);
/* Receive one message of exactly this type and payload length; anything else bails,
 * naming the expected and the received type. */
void sync_expect(uint32_t type, void *payload, uint32_t len);
/* Receive SYNC_BOOTSTRAP: a malloc'ed payload of *len bytes plus a trailing NUL. */
char *sync_expect_bootstrap(uint32_t *len);
/* SYNC_ERROR without bailing (it is what bail() uses): -1 when it could not be sent. */
int sync_send_error(int stage, int err, const char *msg);

#endif
