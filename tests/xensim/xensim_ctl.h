#ifndef XENSIM_CTL_H
#define XENSIM_CTL_H

#include <stdint.h>

/*
 * What the toolstack asks of the simulated hypervisor (dom0 only). Functions
 * return 0, or -1 with errno set.
 */
struct xensim_ctl;

struct xensim_ctl *xensim_ctl_open(void);
void xensim_ctl_close(struct xensim_ctl *ctl);
/* Creates the domain; it may connect from then on. */
int xensim_ctl_create(struct xensim_ctl *ctl, uint32_t domid, const char *name);
/* Fires @introduceDomain, once the toolstack wrote the domain's keys. */
int xensim_ctl_introduce(struct xensim_ctl *ctl, uint32_t domid);
/* Tears the domain down: XenStore dirs, grants, channels, @releaseDomain. */
int xensim_ctl_destroy(struct xensim_ctl *ctl, uint32_t domid);

enum xensim_ctl_stats {
	XENSIM_STATS_DOMAINS,
	XENSIM_STATS_MAPPINGS,
};
/* Returns the text `xensim stats` prints (malloc'd); domid UINT32_MAX for all. */
char *xensim_ctl_stats(struct xensim_ctl *ctl, enum xensim_ctl_stats what, uint32_t domid);

#endif
