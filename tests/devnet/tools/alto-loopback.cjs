// SPDX-License-Identifier: Apache-2.0
// Preloaded into the Alto bundler process (node --require) by devnet.mjs.
// Alto 0.0.20 calls fastify.listen({ port, host: "0.0.0.0" }) and has no host
// option (esm/rpc/server.js). This rewrites every listen() of the process to
// the loopback address, so the bundler is reachable from this machine only.
// devnet.mjs additionally checks /proc/net/tcp{,6} after start and kills Alto
// if any of its sockets listens on a non-loopback address.
"use strict"
const net = require("node:net")
const HOST = process.env.DEVNET_BIND_HOST || "127.0.0.1"
const orig = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
    if (args.length > 0 && args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0])) {
        // listen(options[, cb]); a handle/fd object ({ fd } / { _handle }) is left alone
        if (!("fd" in args[0]) && !("_handle" in args[0]) && !("handle" in args[0]) && !("path" in args[0])) {
            args[0] = { ...args[0], host: HOST }
        }
    } else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
        // listen(port[, host][, backlog][, cb])
        if (typeof args[1] === "string") args[1] = HOST
        else args.splice(1, 0, HOST)
    }
    return orig.apply(this, args)
}
