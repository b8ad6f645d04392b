/*
 * notify.h - telling systemd how scrvaultd is (notify.c): the only daemon
 * file that uses libsystemd.
 */
#ifndef SVD_NOTIFY_H
#define SVD_NOTIFY_H

/*
 * Send `state` to the service manager (sd_notify(3)): "READY=1" once
 * listening, "STOPPING=1" on shutdown, "STATUS=sealed" / "STATUS=unsealed";
 * several assignments separated by newlines.  Does nothing when the daemon
 * was not started by systemd (no NOTIFY_SOCKET); never fails the caller.
 */
void svd_notify(const char *state);

#endif
