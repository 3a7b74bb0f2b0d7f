/* runts-proto.h: the wire contract between the runts CLI (TypeScript) and the native
 * init (C). src/process/proto.ts mirrors every constant here; a unit test parses this
 * header and checks that the two agree. */
#ifndef RUNTS_PROTO_H
#define RUNTS_PROTO_H

#define RUNTS_PROTO_VERSION 1

#endif
