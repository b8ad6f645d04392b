/*
 * notify.c - sd_notify for scrvaultd (see notify.h).  The unit is
 * Type=notify: systemd starts the units after it only once READY=1 says the
 * sockets listen, and shows STATUS= in `systemctl status`.  The states sent
 * carry nothing secret.
 */
#include <systemd/sd-daemon.h>
#include "notify.h"

void svd_notify(const char *state)
{
	/* 0: the environment keeps NOTIFY_SOCKET, for the later states. */
	if (state)
		(void)sd_notify(0, state);
}
