/* log.h: logging to the log fd and fatal errors reported over the sync socket.
 * Runs in: native (every stage). */
#ifndef RUNTS_LOG_H
#define RUNTS_LOG_H

#include <sys/types.h>

/* RUNTS_STAGE_* of the running process; set by each stage as it starts. */
extern int runts_stage;
/* -1 once closed; the stages close both before blocking on the exec fifo. */
extern int runts_log_fd;
extern int runts_sync_fd;
/* A process bail() SIGKILLs before exiting (init, while [1:CHILD] still owns it). */
extern pid_t runts_kill_on_bail;

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report "<message>" with the current errno as SYNC_ERROR {stage, errno, message}, then
 * exit(1). The CLI appends the errno's text, so the message carries only the context. */
_Noreturn void bail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with an explicit errno (0 when there is none). */
_Noreturn void bailx(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

const char *stage_name(int stage);

#endif
