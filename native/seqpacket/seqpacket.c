/*
 * The few AF_UNIX SOCK_SEQPACKET calls Node lacks, for the mctp-demux link: connect (path or
 * abstract name), send one packet, and a libuv poll that hands each received packet to a
 * callback. Everything else (framing, reconnecting, queues) is in TypeScript.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHECK(env, call)                                                      \
	do {                                                                  \
		if ((call) != napi_ok) {                                      \
			napi_throw_error((env), NULL, "N-API call failed: " #call); \
			return NULL;                                          \
		}                                                             \
	} while (0)

static napi_value throw_errno(napi_env env, const char *what, int err)
{
	char msg[160];
	napi_value code, text, error;
	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(err));
	napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
	napi_create_int32(env, err, &code);
	napi_create_error(env, NULL, text, &error);
	napi_set_named_property(env, error, "errno", code);
	napi_throw(env, error);
	return NULL;
}

static int arg_fd(napi_env env, napi_value v)
{
	int32_t fd = -1;
	if (napi_get_value_int32(env, v, &fd) != napi_ok)
		return -1;
	return fd;
}

/* connect(name: Uint8Array): fd. A name starting with a NUL byte is abstract. */
static napi_value sp_connect(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], out;
	struct sockaddr_un addr;
	napi_typedarray_type type;
	size_t len;
	void *data;
	int fd;

	CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &len, &data, NULL, NULL) != napi_ok ||
	    type != napi_uint8_array || len == 0 || len > sizeof(addr.sun_path)) {
		napi_throw_type_error(env, NULL, "connect(name): name is 1..108 bytes");
		return NULL;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	memcpy(addr.sun_path, data, len);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return throw_errno(env, "socket", errno);
	/* A local connect does not block for long: it succeeds or fails at once. */
	if (connect(fd, (struct sockaddr *)&addr, offsetof(struct sockaddr_un, sun_path) + len) < 0) {
		int err = errno;
		close(fd);
		return throw_errno(env, "connect", err);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	CHECK(env, napi_create_int32(env, fd, &out));
	return out;
}

/* send(fd, packet): true when sent, false when the socket is full (try again later). */
static napi_value sp_send(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], out;
	napi_typedarray_type type;
	size_t len;
	void *data;
	ssize_t rc;
	int fd;

	CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	fd = argc == 2 ? arg_fd(env, argv[0]) : -1;
	if (fd < 0 || napi_get_typedarray_info(env, argv[1], &type, &len, &data, NULL, NULL) != napi_ok ||
	    type != napi_uint8_array) {
		napi_throw_type_error(env, NULL, "send(fd, packet: Uint8Array)");
		return NULL;
	}
	do
		rc = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (rc < 0 && errno == EINTR);
	if (rc < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		return throw_errno(env, "send", errno);
	CHECK(env, napi_get_boolean(env, rc >= 0, &out));
	return out;
}

struct watch {
	uv_poll_t poll;
	napi_env env;
	napi_ref callback;
	napi_async_context context;
	int fd;
	int stopped;
};

static void call_back(struct watch *w, napi_value packet, int err)
{
	napi_env env = w->env;
	napi_value cb, global, argv[2];

	napi_get_reference_value(env, w->callback, &cb);
	napi_get_global(env, &global);
	argv[0] = packet;
	napi_create_int32(env, err, &argv[1]);
	napi_make_callback(env, w->context, global, cb, 2, argv, NULL);
}

static void watch_stop(struct watch *w);

static void on_poll(uv_poll_t *handle, int status, int events)
{
	struct watch *w = handle->data;
	napi_env env = w->env;
	napi_handle_scope scope;
	napi_value nothing;
	(void)events;

	napi_open_handle_scope(env, &scope);
	napi_get_null(env, &nothing);
	if (status < 0) {
		watch_stop(w);
		call_back(w, nothing, -status);
		napi_close_handle_scope(env, scope);
		return;
	}
	/* At most 64 packets per wake-up, so one busy socket cannot starve the loop. */
	for (int i = 0; i < 64 && !w->stopped; i++) {
		ssize_t len = recv(w->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (len <= 0) {
			/* 0: the peer closed (an empty packet cannot be told apart, and the demux never sends one). */
			int err = len < 0 ? errno : 0;
			watch_stop(w);
			call_back(w, nothing, err);
			break;
		}
		void *data;
		napi_value buffer;
		if (napi_create_buffer(env, (size_t)len, &data, &buffer) != napi_ok)
			break;
		ssize_t got = recv(w->fd, data, (size_t)len, MSG_DONTWAIT);
		if (got != len) {
			int err = got < 0 ? errno : EMSGSIZE;
			watch_stop(w);
			call_back(w, nothing, err);
			break;
		}
		call_back(w, buffer, 0);
	}
	napi_close_handle_scope(env, scope);
}

static void on_closed(uv_handle_t *handle)
{
	struct watch *w = handle->data;
	napi_delete_reference(w->env, w->callback);
	napi_async_destroy(w->env, w->context);
	free(w);
}

static void watch_stop(struct watch *w)
{
	if (w->stopped)
		return;
	w->stopped = 1;
	uv_poll_stop(&w->poll);
	uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* watch(fd, (packet: Buffer | null, errno: number) => void): a handle for unwatch(). */
static napi_value sp_watch(napi_env env, napi_callback_info info)
{
	size_t argc = 2;
	napi_value argv[2], out, name;
	struct uv_loop_s *loop;
	struct watch *w;
	int fd;

	CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	fd = argc == 2 ? arg_fd(env, argv[0]) : -1;
	if (fd < 0) {
		napi_throw_type_error(env, NULL, "watch(fd, callback)");
		return NULL;
	}
	CHECK(env, napi_get_uv_event_loop(env, &loop));
	w = calloc(1, sizeof(*w));
	if (!w)
		return throw_errno(env, "watch", ENOMEM);
	w->env = env;
	w->fd = fd;
	if (napi_create_reference(env, argv[1], 1, &w->callback) != napi_ok) {
		free(w);
		napi_throw_type_error(env, NULL, "watch: callback");
		return NULL;
	}
	napi_create_string_utf8(env, "seqpacket", NAPI_AUTO_LENGTH, &name);
	napi_async_init(env, NULL, name, &w->context);
	int rc = uv_poll_init(loop, &w->poll, fd);
	if (rc == 0) {
		w->poll.data = w;
		rc = uv_poll_start(&w->poll, UV_READABLE | UV_DISCONNECT, on_poll);
		if (rc != 0) {
			w->stopped = 1;
			uv_close((uv_handle_t *)&w->poll, on_closed);
			return throw_errno(env, "uv_poll_start", -rc);
		}
	} else {
		napi_delete_reference(env, w->callback);
		napi_async_destroy(env, w->context);
		free(w);
		return throw_errno(env, "uv_poll_init", -rc);
	}
	CHECK(env, napi_create_external(env, w, NULL, NULL, &out));
	return out;
}

/* unwatch(handle): stops the callbacks; the handle must not be used again. */
static napi_value sp_unwatch(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	void *w = NULL;

	CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1 || napi_get_value_external(env, argv[0], &w) != napi_ok || !w) {
		napi_throw_type_error(env, NULL, "unwatch(handle)");
		return NULL;
	}
	watch_stop(w);
	return NULL;
}

static napi_value sp_close(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	int fd;

	CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	fd = argc == 1 ? arg_fd(env, argv[0]) : -1;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{ "connect", NULL, sp_connect, NULL, NULL, NULL, napi_default, NULL },
		{ "send", NULL, sp_send, NULL, NULL, NULL, napi_default, NULL },
		{ "watch", NULL, sp_watch, NULL, NULL, NULL, napi_default, NULL },
		{ "unwatch", NULL, sp_unwatch, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, sp_close, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
