/* SPDX-License-Identifier: Apache-2.0 */
/* http.h: mav2d's HTTP listeners (libmicrohttpd): a Unix socket (mode 0660: access by
 * file permissions) and optionally a loopback TCP port that requires
 * "Authorization: Bearer TOKEN" (compared in constant time). POST / is JSON-RPC
 * (api.h); GET /healthz and GET /metrics. */
#ifndef MAV2D_HTTP_H
#define MAV2D_HTTP_H

#include "mav2/service/api.h"
#include "mav2/service/conf.h"

typedef struct mavd_http mavd_http;

/* Binds and starts the listeners of conf. Returns 1, or 0 with mav2_last_error(). */
int mavd_http_start(const mavd_conf *conf, mavd_api *api, mavd_http **out);
/* A new bearer token (SIGHUP); the caller keeps token. */
void mavd_http_set_token(mavd_http *h, const char *token, size_t len);
/* Stops accepting connections (the requests in progress go on). */
void mavd_http_quiesce(mavd_http *h);
/* Stops the listeners (waits for requests in progress), removes the socket, frees h. */
void mavd_http_stop(mavd_http *h);

#endif
