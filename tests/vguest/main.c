/*
 * vguest: a virtual guest's PV display (and input) frontends for tests. See README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "frontend.h"
#include "kbdfront.h"
#include "log.h"
#include "options.h"

enum exit_status {
	EXIT_CLEAN = 0,
	EXIT_PROBLEMS = 1, /* timeouts or errors seen, or the backend went away */
	EXIT_SETUP = 2,    /* usage or setup error */
};

/* SIGTERM/SIGINT wake the poll through this pipe. */
static int signal_pipe[2] = {-1, -1};

static void handle_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;
	ssize_t n = write(signal_pipe[1], &c, 1);
	(void)n;
	errno = saved;
}

static bool set_flags(int fd, int fd_flags, int fl_flags)
{
	int fdf = fcntl(fd, F_GETFD);
	int flf = fcntl(fd, F_GETFL);
	return fdf >= 0 && flf >= 0 && fcntl(fd, F_SETFD, fdf | fd_flags) == 0 &&
	       fcntl(fd, F_SETFL, flf | fl_flags) == 0;
}

static bool setup_signals(void)
{
	if (pipe(signal_pipe) < 0) {
		log_error("pipe: %s", strerror(errno));
		return false;
	}
	for (int i = 0; i < 2; i++) {
		if (!set_flags(signal_pipe[i], FD_CLOEXEC, O_NONBLOCK)) {
			log_error("fcntl: %s", strerror(errno));
			return false;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
		sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGUSR2, &sa, NULL) < 0) {
		log_error("sigaction: %s", strerror(errno));
		return false;
	}
	/* A test harness closing our stdout must not kill us mid-protocol. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return true;
}

static void close_signal_pipe(void)
{
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0) {
			close(signal_pipe[i]);
			signal_pipe[i] = -1;
		}
	}
}

static int poll_timeout_ms(int64_t deadline, int64_t now)
{
	/* Wake at least once a second; nothing depends on it but it bounds surprises. */
	const int64_t max_ms = 1000;
	if (deadline == INT64_MAX) {
		return (int)max_ms;
	}
	if (deadline <= now) {
		return 0;
	}
	int64_t ms = (deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return (int)(ms < max_ms ? ms : max_ms);
}

/* The display's totals and the input frontend's errors, as an exit status. */
static int closing_status(struct frontend *fe, struct kbdfront *kb)
{
	bool clean = true;
	if (fe != NULL) {
		frontend_close(fe);
		struct stats total;
		frontend_totals(fe, &total);
		char lat[96];
		frontend_format_latency(fe, lat, sizeof(lat));
		log_report("closed flips=%" PRIu64 " timeouts=%" PRIu64 " errors=%" PRIu64 " %s",
			total.flips, total.timeouts, total.errors, lat);
		clean = total.timeouts == 0 && total.errors == 0;
	}
	if (kb != NULL) {
		kbdfront_close(kb);
		clean = clean && kb->errors == 0;
	}
	return clean ? EXIT_CLEAN : EXIT_PROBLEMS;
}

/*
 * SIGTERM/SIGINT end the run (true); SIGUSR1 stalls or resumes a kbd-stall
 * input frontend; SIGUSR2 reports a measurement window and starts the next.
 */
static bool read_signals(struct frontend *fe, struct kbdfront *kb)
{
	unsigned char sigs[16];
	ssize_t n = read(signal_pipe[0], sigs, sizeof(sigs));
	bool end = false;
	for (ssize_t i = 0; i < n; i++) {
		if (sigs[i] == SIGUSR1) {
			if (kb != NULL) {
				kbdfront_toggle_stall(kb);
			}
		} else if (sigs[i] == SIGUSR2) {
			if (fe != NULL) {
				frontend_window(fe);
			}
		} else {
			end = true;
		}
	}
	return end;
}

static int run(struct frontend *fe, struct kbdfront *kb)
{
	enum { FD_SIGNAL, FD_XENSTORE, FD_EVTCHN, FD_KBD_XENSTORE, FD_KBD_EVTCHN, FD_COUNT };
	struct pollfd fds[FD_COUNT] = {
		[FD_SIGNAL] = {.fd = signal_pipe[0], .events = POLLIN},
		[FD_XENSTORE] = {.fd = fe ? frontend_xenstore_fd(fe) : -1, .events = POLLIN},
		[FD_EVTCHN] = {.fd = fe ? frontend_evtchn_fd(fe) : -1, .events = POLLIN},
		[FD_KBD_XENSTORE] = {.fd = kb ? kbdfront_xenstore_fd(kb) : -1, .events = POLLIN},
		[FD_KBD_EVTCHN] = {.fd = kb ? kbdfront_evtchn_fd(kb) : -1, .events = POLLIN},
	};
	for (int i = FD_XENSTORE; i < FD_COUNT; i++) {
		bool wanted = i <= FD_EVTCHN ? fe != NULL : kb != NULL;
		if (wanted && fds[i].fd < 0) {
			log_error("no file descriptor to wait on XenStore or event channels");
			return EXIT_SETUP;
		}
	}

	for (;;) {
		int64_t now = clock_now();
		if (fe != NULL) {
			frontend_tick(fe, now);
			if (fe->backend_gone) {
				return EXIT_PROBLEMS;
			}
			if (fe->fatal) {
				return EXIT_SETUP;
			}
			if (fe->finished) {
				/* --misbehave reported the backend's reaction: leave politely. */
				frontend_close(fe);
				return EXIT_CLEAN;
			}
		}
		if (kb != NULL) {
			kbdfront_tick(kb, now);
			if (kb->fatal) {
				return EXIT_SETUP;
			}
			/* Alone, the input frontend's end is the guest's. */
			if (fe == NULL && kb->finished) {
				kbdfront_close(kb);
				return EXIT_CLEAN;
			}
			if (fe == NULL && kb->gone && !kb->report_active) {
				kbdfront_close(kb);
				return EXIT_PROBLEMS;
			}
		}

		int64_t deadline = fe != NULL ? frontend_deadline(fe) : INT64_MAX;
		if (kb != NULL) {
			int64_t d = kbdfront_deadline(kb);
			deadline = d < deadline ? d : deadline;
		}
		int timeout = poll_timeout_ms(deadline, clock_now());
		int n = poll(fds, FD_COUNT, timeout);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			log_error("poll: %s", strerror(errno));
			return EXIT_SETUP;
		}
		if (fds[FD_SIGNAL].revents && read_signals(fe, kb)) {
			log_debug("signal received: closing");
			return closing_status(fe, kb);
		}
		for (int i = FD_XENSTORE; i < FD_COUNT; i++) {
			if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				bool xenstore = i == FD_XENSTORE || i == FD_KBD_XENSTORE;
				log_error(xenstore ? "lost the XenStore connection"
						   : "lost the event channel device");
				return EXIT_PROBLEMS;
			}
		}
		if (fds[FD_XENSTORE].revents & POLLIN) {
			frontend_handle_xenstore(fe);
			if (fe->fatal) {
				return EXIT_SETUP;
			}
		}
		if (fds[FD_EVTCHN].revents & POLLIN) {
			frontend_handle_evtchn(fe);
		}
		if (fds[FD_KBD_XENSTORE].revents & POLLIN) {
			kbdfront_handle_xenstore(kb);
		}
		if (fds[FD_KBD_EVTCHN].revents & POLLIN) {
			kbdfront_handle_evtchn(kb);
		}
	}
}

int main(int argc, char **argv)
{
	struct vguest_options opts;
	switch (options_parse(argc, argv, &opts)) {
	case OPTIONS_RUN:
		break;
	case OPTIONS_HELP:
		return EXIT_CLEAN;
	case OPTIONS_ERROR:
		return EXIT_SETUP;
	}
	log_init(opts.name, opts.verbose);

	int status = EXIT_SETUP;
	struct frontend *fe = NULL;
	struct kbdfront *kb = NULL;
	if (!setup_signals()) {
		goto out;
	}
	if (!opts.no_display && (fe = frontend_create(&opts)) == NULL) {
		goto out;
	}
	if (opts.vkb && (kb = kbdfront_create(&opts)) == NULL) {
		goto out;
	}
	/* The input device first: Linux probes it at boot, before anything draws. */
	if ((kb == NULL || kbdfront_start(kb)) && (fe == NULL || frontend_start(fe))) {
		status = run(fe, kb);
	}
out:
	kbdfront_destroy(kb);
	frontend_destroy(fe);
	close_signal_pipe();
	return status;
}
