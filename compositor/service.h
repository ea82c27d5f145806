#ifndef MOSAIC_COMPOSITOR_SERVICE_H
#define MOSAIC_COMPOSITOR_SERVICE_H

/*
 * mosaic as a systemd service (Type=notify), through sd_notify: READY=1
 * once its outputs and XenBus watches are up (guests the toolstack starts
 * from then on find their backend), WATCHDOG=1 from the event loop at half
 * the interval systemd asks for (a loop that is stuck stops pinging, and
 * systemd restarts mosaic), STATUS= saying which guests and outputs there
 * are, sent again when that changes, and STOPPING=1. Outside systemd, or
 * built without libsystemd (-Dsystemd=disabled), it says nothing.
 */
struct mosaic_server;
struct mosaic_service;

/* Listens to the server's guests and outputs; starts the watchdog's pings if systemd asks. */
struct mosaic_service *service_create(struct mosaic_server *server);
/* Everything is up (server_start): READY=1, with the status. */
void service_ready(struct mosaic_service *service);
/* mosaic stops, for why (a signal's name): STOPPING=1. */
void service_stopping(struct mosaic_service *service, const char *why);
void service_destroy(struct mosaic_service *service);

#endif
