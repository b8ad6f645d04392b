/* http.h - evhttp's callback for every request (http.c). */
#ifndef SVD_HTTP_H
#define SVD_HTTP_H

struct evhttp_request;
/* `arg` is the svd_daemon. */
void svd_http_request(struct evhttp_request *ev, void *arg);

#endif
