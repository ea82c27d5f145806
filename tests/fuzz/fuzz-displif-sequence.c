#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wlr/util/log.h>

#include "fake-xen.h"
#include "protocol/displif.h"
#include "protocol/evtchn.h"
#include "protocol/xenbus.h"
#include "protocol/xenstore.h"
#include "vm-surfaces/budget.h"
#include "vm-surfaces/connector.h"
#include "vm-surfaces/display.h"
#include "vm-surfaces/mapper.h"
#include "vm-surfaces/mapping.h"

/*
 * libFuzzer target: one vdispl device's real request handling (the
 * connector's ring, vm-surfaces/display.c's dispatch, dbufs and fbs) driven
 * by whole sequences of requests, against fake grant tables (fake-xen.c),
 * XenStore, XenBus and event channels. The fuzz input is the guest.
 *
 * Input: an 8-byte header (memory budget, be-alloc, connectors and their
 * resolutions, which map or share call fails, how many grant pages may be
 * mapped at once, how far the event pages' index is from its wrap, whether
 * buffers are mapped on the mapper's thread as in mosaic, and then whether
 * the device goes before the last request's answer), then
 * records, each a tag byte and its payload:
 *   tag % 8 = 0..3  a request (64 bytes) on connector (tag >> 3) & 1, notified
 *   tag % 8 = 4     a request pushed without notifying (handled with the next)
 *   tag % 8 = 5     a granted page's contents: ref, next-ref and an
 *                   arithmetic run of refs (a page directory), 14 bytes
 *   tag % 8 = 6     the compositor presents the connector; the guest then
 *                   consumes its flip events (all of them, or all but a few)
 *   tag % 8 = 7     the guest notifies; with bit 4, first writes a req_prod
 *                   of its own (4 bytes), which may be a ring overflow; with
 *                   bit 5 instead, sends its last request again 1 to 256
 *                   times (1 byte), as a guest flipping without waiting
 * At the end the device is torn down as on a guest's disconnect.
 *
 * Checked after every step, besides ASan, UBSan and LSan: every response
 * echoes its request's id and has a status of the documented set; no flip
 * event overwrites one the guest has not consumed; the
 * device's buffer accounting stays within its memory budget, and the grant
 * pages it holds mapped or shared for buffers (ring pages aside) within one
 * budget more per connector (see check_device()); the
 * device is closed only for a ring overflow we caused. At the end: every map
 * and share was released once, whole.
 */

#define NCONN_MAX 2
/* Requests per input: enough to fill the owed events (-EBUSY), few enough to stay fast. */
#define MAX_REQUESTS 320
#define DOMID 7

static void check(bool ok)
{
	if (!ok) {
		__builtin_trap();
	}
}

/* XenStore, XenBus and event channels: just what display.c and connector.c call. */

static const char *const resolutions[] = {
	"1x1", "64x48", "640x480", "33x17", "1920x1080", "8192x8192", "0x10", "wide",
};
static const char *conn_res[NCONN_MAX];
static unsigned nconn;
static bool be_alloc_key;
static unsigned fatals;

#define FE_PATH "/local/domain/7/device/vdispl/0"

char *xenstore_readf(struct xenstore *store, const char *fmt, ...)
{
	char path[256];
	va_list args;
	va_start(args, fmt);
	vsnprintf(path, sizeof(path), fmt, args);
	va_end(args);
	unsigned i;
	char key[64];
	if (sscanf(path, FE_PATH "/%u/%63s", &i, key) != 2 || i >= nconn) {
		return NULL;
	}
	char value[32];
	if (strcmp(key, XENDISPL_FIELD_RESOLUTION) == 0) {
		return strdup(conn_res[i]);
	} else if (strcmp(key, XENDISPL_FIELD_REQ_RING_REF) == 0) {
		snprintf(value, sizeof(value), "%u", 0x100 + 2 * i);
	} else if (strcmp(key, XENDISPL_FIELD_EVT_RING_REF) == 0) {
		snprintf(value, sizeof(value), "%u", 0x101 + 2 * i);
	} else if (strcmp(key, XENDISPL_FIELD_REQ_CHANNEL) == 0 ||
		   strcmp(key, XENDISPL_FIELD_EVT_CHANNEL) == 0) {
		snprintf(value, sizeof(value), "%u", 10 + i);
	} else {
		return NULL;
	}
	return strdup(value);
}

char *xenstore_read_ours(struct xenstore *store, const char *path)
{
	return be_alloc_key && strcmp(path, FE_PATH "/" XENDISPL_FIELD_BE_ALLOC) == 0 ?
		       strdup("1") :
		       NULL;
}

char *xenstore_read_domain_name(struct xenstore *store, uint32_t domid)
{
	return strdup("fuzz");
}

void xenbus_device_fatal(struct xenbus_device *dev, const char *fmt, ...)
{
	fatals++;
}

struct evtchn_port {
	evtchn_handler_t handler;
	void *data;
};
static unsigned ports_bound;

struct evtchn_port *evtchn_bind(struct evtchn *evtchn, uint32_t domid, uint32_t remote_port,
	evtchn_handler_t handler, void *data)
{
	struct evtchn_port *port = malloc(sizeof(*port));
	if (port != NULL) {
		*port = (struct evtchn_port){handler, data};
		ports_bound++;
	}
	return port;
}

void evtchn_unbind(struct evtchn_port *port)
{
	if (port != NULL) {
		ports_bound--;
	}
	free(port);
}

void evtchn_notify(struct evtchn_port *port)
{
	check(port != NULL);
}

/* The guest's side of one connector. */
struct guest_conn {
	struct vm_connector *connector;
	struct xen_displif_front_ring front;
	uint16_t ids[64]; // ids of the requests not answered yet, oldest first
	unsigned nids;
	uint8_t last[sizeof(struct xendispl_req)]; // the last request sent
	bool own_prod; // we wrote a req_prod of our own: responses unknown
};

static struct wl_event_loop *loop;
static struct vm_host host;
/* Mapping on the mapper's thread: each notification waits for its answers, but the last. */
static bool settle;
static struct guest_conn conns[NCONN_MAX];
static unsigned requests;

/* Small, to stay fast; 8 MiB lets a page directory take more than one page. */
static const uint64_t budgets[] = {8192, 262144, 1048576, 8388608};
static const uint64_t grant_limits[] = {UINT64_MAX, 4, 64, 1024};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	wlr_log_init(WLR_SILENT, NULL);
	loop = wl_event_loop_create();
	return loop == NULL;
}

static bool status_documented(int32_t status)
{
	return status == 0 || status == -EINVAL || status == -ENOENT || status == -EEXIST ||
	       status == -ENOMEM || status == -EBUSY || status == -EOPNOTSUPP;
}

/* The guest reads its responses, as Linux's frontend does. */
static void read_responses(struct guest_conn *g)
{
	RING_IDX prod = g->front.sring->rsp_prod;
	while (g->front.rsp_cons != prod) {
		const struct xendispl_resp *resp = RING_GET_RESPONSE(&g->front, g->front.rsp_cons);
		check(g->nids > 0);
		check(resp->id == g->ids[0]);
		check(status_documented(resp->status));
		memmove(g->ids, g->ids + 1, (g->nids - 1) * sizeof(g->ids[0]));
		g->nids--;
		g->front.rsp_cons++;
	}
}

/* All devices' budget, as vm_surfaces keeps it; every charge is given back by the end of an input. */
static struct vm_budget *host_budget;

static void check_device(struct vm_display *display)
{
	check(display->dbufs.budget->bytes <= host.memory_budget);
	/*
	 * Grant pages held for buffers: all held, less each connector's two
	 * ring pages. A dbuf destroyed while a connector shows it stays mapped
	 * until the connector shows something else, and counts until then (the
	 * destroy-shown seed): all of it within the budget.
	 */
	uint64_t held = fake_xen.mapped_pages + fake_xen.shared_pages;
	uint64_t rings = 2 * (uint64_t)wl_list_length(&display->connectors);
	check(held >= rings);
	check((held - rings) * FAKE_XEN_PAGE_SIZE <= host.memory_budget);
}

static void notify(struct vm_display *display, struct guest_conn *g)
{
	if (g->connector->req_port == NULL) {
		return;
	}
	unsigned before = fatals;
	g->connector->req_port->handler(g->connector->req_port->data);
	/* The rest of a turn cut short, after the others had theirs; a slice of each conversion. */
	wl_event_loop_dispatch_idle(loop);
	wl_event_loop_dispatch(loop, 0);
	/* Buffers mapped on the mapper's thread: their answers, and what follows them. */
	while (settle && g->connector->answering_later) {
		wl_event_loop_dispatch(loop, 1000);
		wl_event_loop_dispatch_idle(loop);
	}
	check(fatals == before || g->own_prod);
	if (!g->own_prod) {
		read_responses(g);
		/* A ring of requests, and none left behind. */
		check(g->nids == 0 || g->connector->turn_pending || g->connector->answering_later);
	}
	check_device(display);
}

static void push(struct guest_conn *g, const uint8_t *bytes)
{
	/* Full: a frontend waits (a device answering later keeps it full). */
	if (g->own_prod || requests == MAX_REQUESTS || RING_FULL(&g->front)) {
		return;
	}
	requests++;
	struct xendispl_req *req = RING_GET_REQUEST(&g->front, g->front.req_prod_pvt);
	memcpy(req, bytes, sizeof(*req));
	memcpy(g->last, bytes, sizeof(g->last));
	g->ids[g->nids++] = req->id;
	g->front.req_prod_pvt++;
	RING_PUSH_REQUESTS(&g->front);
}

static void present(struct guest_conn *g, uint8_t how)
{
	struct vm_connector *c = g->connector;
	if (c->evt_map == NULL) {
		return;
	}
	struct xendispl_event_page *page = c->evt_map->addr;
	static uint8_t before[XEN_PAGE_SIZE];
	memcpy(before, page, sizeof(before));
	uint32_t cons = page->in_cons, prod = page->in_prod;
	vm_connector_set_shown(c, how & 0x20);
	vm_connector_present(c, c->content_seq);
	/* Every event not consumed is still in its slot. */
	for (uint32_t k = cons; k != prod && prod - cons <= XENDISPL_IN_RING_LEN; k++) {
		size_t off = (size_t)((char *)&XENDISPL_IN_RING_REF(page, k) - (char *)page);
		check(memcmp(before + off, (char *)page + off, sizeof(struct xendispl_evt)) == 0);
	}
	check(page->in_cons == cons);
	uint32_t unconsumed = page->in_prod - page->in_cons;
	/* Never more events than slots, none written past the page (ASan, mprotect). */
	check(unconsumed <= XENDISPL_IN_RING_LEN);
	check(c->owed_count <= VM_CONNECTOR_MAX_OWED);
	uint32_t keep = (how >> 6) * 3; // the guest leaves 0, 3, 6 or 9 unread
	page->in_cons = page->in_prod - (keep < unconsumed ? keep : unconsumed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[8] = {0};
	memcpy(h, data, size < sizeof(h) ? size : sizeof(h));
	data += size < sizeof(h) ? size : sizeof(h);
	size -= size < sizeof(h) ? size : sizeof(h);

	fake_xen_reset();
	fake_xen.fail_map_at = h[4];
	fake_xen.fail_share_at = h[5];
	fake_xen.max_mapped_pages = grant_limits[h[6] & 3];
	if (h[7] != 0) {
		/* Event pages whose index is about to wrap (the frontend chose it). */
		for (uint32_t i = 0; i < NCONN_MAX; i++) {
			struct fake_xen_page *evt = fake_xen_define_page(0x101 + 2 * i);
			evt->words[0] = evt->words[1] = 0u - h[7];
		}
	}
	fatals = 0;
	requests = 0;
	if (host_budget == NULL) {
		host_budget = vm_budget_create(UINT64_MAX, VM_BUDGET_HOST_MAPPINGS);
		check(host_budget != NULL);
	}
	host = (struct vm_host){
		.loop = loop,
		.gnttab = fake_gnttab,
		.gntshr = (h[1] & 2) ? fake_gntshr : NULL,
		.memory_budget = budgets[h[0] & 3],
		.budget = host_budget,
	};
	if (h[1] & 8) {
		host.mapper = vm_mapper_create(loop, fake_gnttab);
		check(host.mapper != NULL);
	}
	settle = host.mapper != NULL;
	be_alloc_key = h[1] & 1;
	nconn = (h[1] & 4) ? 2 : 1;
	conn_res[0] = resolutions[h[2] & 7];
	conn_res[1] = resolutions[h[3] & 7];

	struct xenbus_device dev = {
		.domid = DOMID,
		.devid = 0,
		.fe_path = FE_PATH,
	};
	struct vm_display *display = vm_display_create(&host, &dev);
	check(display != NULL);
	bool connected = vm_display_connect(display);
	check(connected || fatals > 0);
	memset(conns, 0, sizeof(conns));
	unsigned n = 0;
	if (connected) {
		struct vm_connector *c;
		wl_list_for_each(c, &display->connectors, link) {
			struct guest_conn *g = &conns[n++];
			g->connector = c;
			/* The frontend initialised the ring before it published its ref. */
			struct xen_displif_sring *sring = c->req_map->addr;
			SHARED_RING_INIT(sring);
			FRONT_RING_INIT(&g->front, sring, XEN_PAGE_SIZE);
		}
		check(n == nconn);
	}
	check_device(display);

	while (n > 0 && size > 0) {
		uint8_t tag = *data++;
		size--;
		if (size <= sizeof(struct xendispl_req) && (h[1] & 16)) {
			/* The last record: the device goes with its answer still to come. */
			settle = false;
		}
		struct guest_conn *g = &conns[((tag >> 3) & 1) % n];
		switch (tag & 7) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
			if (size < sizeof(struct xendispl_req)) {
				size = 0;
				break;
			}
			if (RING_FULL(&g->front)) {
				notify(display, g);
			}
			if (!RING_FULL(&g->front)) {
				push(g, data);
			}
			data += sizeof(struct xendispl_req);
			size -= sizeof(struct xendispl_req);
			if ((tag & 7) != 4) {
				notify(display, g);
			}
			break;
		case 5: {
			if (size < 14) {
				size = 0;
				break;
			}
			uint32_t ref, next, base;
			uint16_t stride;
			memcpy(&ref, data, 4);
			memcpy(&next, data + 4, 4);
			memcpy(&base, data + 8, 4);
			memcpy(&stride, data + 12, 2);
			data += 14;
			size -= 14;
			struct fake_xen_page *page = fake_xen_define_page(ref);
			page->words[0] = next;
			for (uint32_t i = 1; i < FAKE_XEN_PAGE_SIZE / 4; i++) {
				page->words[i] = base + (i - 1) * stride;
			}
			break;
		}
		case 6:
			if (size < 1) {
				size = 0;
				break;
			}
			present(g, *data);
			data++;
			size--;
			check_device(display);
			break;
		case 7:
			if (tag & 0x20) {
				if (size < 1) {
					size = 0;
					break;
				}
				for (unsigned i = 0; i <= *data && requests < MAX_REQUESTS; i++) {
					push(g, g->last);
					notify(display, g);
				}
				data++;
				size--;
				break;
			}
			if (tag & 0x10) {
				if (size < 4) {
					size = 0;
					break;
				}
				uint32_t prod;
				memcpy(&prod, data, 4);
				data += 4;
				size -= 4;
				if (!g->own_prod) {
					RING_IDX cons = g->connector->ring.req_cons;
					g->own_prod = prod - cons > RING_SIZE(&g->front);
					g->front.sring->req_prod = prod;
					if (!g->own_prod) {
						/* In range: the slots up to it hold whatever they hold. */
						g->own_prod = true;
					}
				}
			}
			notify(display, g);
			break;
		}
	}

	vm_display_destroy(display);
	/* Unmaps what it still had to. */
	vm_mapper_destroy(host.mapper);
	/* Frees the removed timers' sources (the loop does that when it dispatches). */
	wl_event_loop_dispatch(loop, 0);
	check(ports_bound == 0);
	check(fake_xen_all_released());
	check(host_budget->bytes == 0 && host_budget->mappings == 0);
	return 0;
}
