#ifndef XENSIM_LIB_CONN_H
#define XENSIM_LIB_CONN_H

#include <stdint.h>

#include "wire.h"

/* One handle's connection to the broker. */
struct simconn {
	int fd; /* requests and replies */
	int async_fd; /* watch or event channel events, or -1 */
	uint32_t domid;
};

/*
 * Connects to $XENSIM_SOCKET as domain $XENSIM_DOMID. Handles of kind XS and
 * EVTCHN get an event socket; GNTSHR hands shared_fd over. Returns 0, or -1
 * with errno set (and a message on stderr).
 */
int simconn_open(struct simconn *conn, uint32_t kind, int shared_fd);
void simconn_close(struct simconn *conn);
/*
 * Sends req (and finishes it), waits for the reply. Returns 0 with the reply
 * in *reply (to release), or -1 with errno set to the broker's error.
 */
int simconn_call(struct simconn *conn, struct simwire_buf *req, struct simwire_msg *reply);
/* Returns -1 with errno EIO (and releases the reply) unless it was read whole. */
int simconn_done(struct simwire_msg *reply);

#endif
