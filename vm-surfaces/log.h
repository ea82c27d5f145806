#ifndef MOSAIC_VM_SURFACES_LOG_H
#define MOSAIC_VM_SURFACES_LOG_H

/* Sends protocol/'s log lines to wlroots' log, with the program's verbosity. */
void vm_surfaces_log_init(void);

#endif
